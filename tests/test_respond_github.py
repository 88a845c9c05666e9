"""`respond` through the CLI against the fake that follows GitHub's REST description:
organization secrets keep their repositories, rate limits are waited out as GitHub asks,
and nothing the fake receives breaks the description."""

from __future__ import annotations

import json

import pytest

from tests import test_respond
from tests.fake_github import Fault, primary_limit, secondary_limit
from tests.test_respond import World

world, slept = test_respond.world, test_respond.slept  # the same world as test_respond's scenarios

OTHERS = [101, 102, 103]


def seed_org_secret(world: World, visibility: str = "selected") -> None:
    world.gh.secrets[("org:octo:actions", "QUESTIONPRO_API_KEY")] = "old"
    world.gh.org_visibility["QUESTIONPRO_API_KEY"] = {"visibility": visibility, "selected_repository_ids": OTHERS}


@pytest.mark.parametrize(("flags", "expected"), [([], OTHERS), (["--org-include-repo"], [*OTHERS, 4242])])
def test_org_secret_update_keeps_its_repositories(world: World, flags: list[str], expected: list[int]) -> None:
    seed_org_secret(world)
    run = world.respond("--org", "octo", *flags, "--format", "json")
    assert run.code == 0, run.output
    assert world.gh.org_visibility["QUESTIONPRO_API_KEY"] == {
        "visibility": "selected",
        "selected_repository_ids": expected,
    }
    assert world.gh.secrets[("org:octo:actions", "QUESTIONPRO_API_KEY")] == world.qp.valid_key
    assert ("--org-include-repo" in run.stderr) == (not flags)  # the note that octo/app does not see it
    assert world.gh.violations == []


def test_org_include_repo_needs_org(world: World) -> None:
    run = world.respond("--org-include-repo")
    assert run.code == 2 and "--org-include-repo needs --org" in run.output
    assert world.qp.calls == 0


def test_the_resume_token_keeps_the_choice(world: World) -> None:
    seed_org_secret(world)
    world.gh.faults[("PUT", "secret")] = [Fault(201)] + [Fault(500)] * 3  # the probe, then the store fails
    first = world.respond("--org", "octo", "--org-include-repo", "--format", "json")
    assert first.code == 6, first.output
    [token] = json.loads(first.stdout)["resume_tokens"]
    world.gh.faults.clear()
    resumed = world.run("resume", "--sealed", token, "--yes", stdin="")
    assert resumed.code == 0, resumed.output
    assert world.gh.org_visibility["QUESTIONPRO_API_KEY"]["selected_repository_ids"] == [*OTHERS, 4242]


@pytest.mark.parametrize(
    ("fault", "waits"),
    [(secondary_limit(None), [60.0]), (secondary_limit("3"), [3.0])],
)
def test_rate_limits_are_waited_out_and_said(world: World, fault: Fault, waits: list[float]) -> None:
    world.gh.faults[("GET", "public_key")] = [fault]
    run = world.respond()
    assert run.code == 0, run.output
    assert world.slept == waits
    assert "rate limit" in run.stderr and "waiting" in run.stderr


def test_a_rate_limit_reset_beyond_the_cap_stops_before_rotating(world: World) -> None:
    world.gh.faults[("GET", "public_key")] = [primary_limit(3600)]
    run = world.respond()
    assert run.code == 7, run.output
    assert "longer than qp-responder waits" in run.output and world.qp.calls == 0
    assert world.slept == []


def test_default_token_message_names_the_dependabot_permission(world: World) -> None:
    run = world.respond(
        "--dependabot",
        env={"QP_RESPONDER_SECRETS_TOKEN": "", "GITHUB_TOKEN": "ghs_default", "GITHUB_ACTIONS": "true"},
    )
    assert run.code == 7 and world.qp.calls == 0
    assert "cannot read or write Actions secrets" in run.output and "dependabot_secrets" in run.output
