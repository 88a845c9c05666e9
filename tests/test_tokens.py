"""Resume tokens under attack (issue 8, finding 4): stale, forged, malformed, replayed.

The real CLI against the local GitHub; tokens forged the way an attacker would (the
repository's public key is readable, so anyone can seal a value), and hypothesis for
the decoder.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl.public import PublicKey, SealedBox

from responder.response import names, records
from responder.response.resume_token import ResumeToken, TokenError
from tests import response_world
from tests.fake_github import Fault
from tests.response_world import REPO, World

world, slept = response_world.world, response_world.slept  # the fixtures

TOKEN = re.compile(r"qpr2\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
ATTACKER_VALUE = "attacker-controlled-value"


def _interrupted_token(world: World) -> str:
    """A response whose store failed on this machine: its resume token."""
    world.gh.faults[("PUT", "secret")] = [
        Fault(200),
        Fault(422),
    ]  # the probe passes; the store is refused (not retried)
    run = world.respond()
    assert run.code == 6, run.output
    world.gh.faults.clear()
    [token] = TOKEN.findall(run.output)
    return token


def _delivery_json(world: World, **changes: Any) -> dict[str, Any]:
    """A delivery an attacker can build: a value sealed to the repository's public key."""
    public = world.gh.public_key_of("repo-actions")
    sealed = base64.b64encode(SealedBox(PublicKey(base64.b64decode(public["key"]))).encrypt(ATTACKER_VALUE.encode()))
    target = {"repo": REPO, "name": "DEPLOY_KEY", "app": "actions", "environment": None, "org": None}
    target.update(changes.pop("target", {}))
    data: dict[str, Any] = {
        "response_id": "20261130T100000-0123456789ab-0badc0de",
        "repo": REPO,
        "leak": {"hashed_secret": "a" * 40, "redacted": "6b1f…4b60"},
        "request_id": "5012fedc-e8ce-48ae-b800-6q5ce287987a7dje",
        "datacenter": "com",
        "rotated_at": 1_900_000_000.0,
        "sealed": [{"target": target, "key_id": public["key_id"], "encrypted_value": sealed.decode()}],
        "new_hashed_secret": None,
        "stored": False,
    }
    data.update(changes)
    return data


def _forge(data: dict[str, Any]) -> str:
    raw = json.dumps(data).encode()
    return "qpr2." + base64.urlsafe_b64encode(raw).decode().rstrip("=") + "."


def _elsewhere(world: World, tmp_path: Path) -> dict[str, str]:
    return {"QP_RESPONDER_STATE_DIR": str(tmp_path / "another-machine")}


# -- stale tokens --------------------------------------------------------------------------------
def test_a_replayed_token_never_puts_a_dead_key_back(world: World, tmp_path: Path) -> None:
    t1 = _interrupted_token(world)
    first = world.run("resume", "--sealed", t1, "--yes")
    assert first.code == 0, first.output
    n1 = world.gh.secret_value()
    world.old_key = n1  # type: ignore[assignment]  # N1 leaks in turn and is rotated: N2 is stored
    assert world.respond().code == 0
    n2 = world.gh.secret_value()
    assert n2 not in (None, n1)
    replay = world.run("resume", "--sealed", t1, "--yes", "--accept-unverified", env=_elsewhere(world, tmp_path / "x"))
    assert replay.code == 10, replay.output  # secret-newer: nothing written, never "stored"
    said = " ".join(replay.output.split())  # (messages are wrapped for the terminal)
    assert "nothing written" in said and "updated at" in said and "--force" in said
    assert world.gh.secret_value() == n2 and len(world.gh.issues) == 2  # its issue was found, not opened again
    forced = world.run(
        "resume", "--sealed", t1, "--yes", "--accept-unverified", "--force", env=_elsewhere(world, tmp_path / "y")
    )
    assert forced.code == 0 and world.gh.secret_value() == n1  # the operator insisted


def test_a_token_used_twice_here_is_recognised_not_rewritten(world: World) -> None:
    token = _interrupted_token(world)
    assert world.run("resume", "--sealed", token, "--yes").code == 0
    puts = len(world.puts())
    again = world.run("resume", "--sealed", token, "--yes")
    assert again.code == 0 and "already delivered" in again.output
    assert len(world.puts()) == puts and len(world.gh.issues) == 1


# -- who made the token -------------------------------------------------------------------------
def test_a_token_made_here_is_verified_and_yes_suffices(world: World) -> None:
    token = _interrupted_token(world)
    run = world.run("resume", "--sealed", token, "--yes")
    assert run.code == 0, run.output
    assert "VERIFIED" in run.stderr and "UNVERIFIED" not in run.stderr


def test_a_token_made_elsewhere_needs_explicit_trust(world: World, tmp_path: Path) -> None:
    token = _interrupted_token(world)
    elsewhere = _elsewhere(world, tmp_path)
    for args in ([], ["--yes"], ["--accept-unverified"]):
        run = world.run("resume", "--sealed", token, *args, env=elsewhere)
        assert run.code == 3, (args, run.output)
        assert "UNVERIFIED" in run.stderr and "QUESTIONPRO_API_KEY" in run.stderr
    assert world.gh.secret_value() is None and world.gh.issues == []
    assert world.run("resume", "--sealed", token, "--yes", "--accept-unverified", env=elsewhere).code == 0


def test_a_forged_token_shows_exactly_what_it_would_write_and_writes_nothing_unconfirmed(world: World) -> None:
    forged = _forge(_delivery_json(world))
    run = world.run("resume", "--sealed", forged, "--yes")
    assert run.code == 3, run.output
    assert "UNVERIFIED" in run.stderr and "Actions secret DEPLOY_KEY (repository octo/app)" in run.stderr
    assert world.gh.secrets == {} and world.gh.issues == []
    assert [m for m, _p, _b in world.gh.log if m != "GET"] == []


def test_a_verified_token_edited_is_no_longer_verified(world: World) -> None:
    token = _interrupted_token(world)
    payload, mac = token[len("qpr2.") :].split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["sealed"][0]["target"]["name"] = "DEPLOY_KEY"
    edited = "qpr2." + base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=") + "." + mac
    run = world.run("resume", "--sealed", edited, "--yes")
    assert run.code == 3 and "UNVERIFIED" in run.stderr
    assert world.gh.secrets == {}


# -- every field as strict as the CLI --------------------------------------------------------------
@pytest.mark.parametrize(
    "changes",
    [
        {"target": {"name": "GITHUB_TOKEN"}},
        {"target": {"name": "DEPLOY KEY"}},
        {"target": {"name": "1KEY"}},
        {"target": {"repo": "evil/other"}},  # another repository than the response's
        {"repo": "octo/..", "target": {"repo": "octo/.."}},
        {"repo": "not-a-repo", "target": {"repo": "not-a-repo"}},
        {"target": {"app": "codespaces"}},
        {"target": {"environment": ".."}},
        {"target": {"org": "evil/../x"}},
        {"request_id": "x --> [click](https://evil.example)"},
        {"request_id": "`@octocat`"},
        {"response_id": "../../etc/passwd"},
        {"leak": {"hashed_secret": "zz", "redacted": "6b1f…4b60"}},
        {"leak": {"hashed_secret": "a" * 40, "redacted": "12345678-90ab-4cde-8f01-234567890abc"}},
        {"datacenter": "COM<script>"},
        {"rotated_at": "yesterday"},
        {"rotated_at": float("inf")},
        {"stored": "yes"},
        {"sealed": []},
    ],
)
def test_a_token_with_any_field_the_cli_would_refuse_is_refused(world: World, changes: dict[str, Any]) -> None:
    data = _delivery_json(world, **changes)
    run = world.run("resume", "--sealed", _forge(data), "--yes", "--accept-unverified")
    assert run.code == 2, run.output
    assert "not valid" in run.stderr
    assert world.gh.secrets == {} and world.gh.issues == []


def test_two_targets_in_one_token_are_refused(world: World) -> None:
    data = _delivery_json(world)
    second = json.loads(json.dumps(data["sealed"][0]))
    second["target"]["name"] = "OTHER"
    data["sealed"].append(second)
    run = world.run("resume", "--sealed", _forge(data), "--yes", "--accept-unverified")
    assert run.code == 2 and world.gh.secrets == {}


@pytest.mark.parametrize(
    "text", ["", "qpr2.", "qpr2.x", "qpr2.!!!.", "qpr2." + "A" * 20000 + ".", "qpr1.eyJ9", "ghp_123", "qpr2.e30.."]
)
def test_text_that_is_not_a_token_is_a_usage_error(world: World, text: str) -> None:
    run = world.run("resume", "--sealed", text)
    assert run.code == 2, run.output
    assert world.gh.log == []


# -- the decoder itself -------------------------------------------------------------------------------
@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300) | st.binary(max_size=200).map(lambda b: "qpr2." + base64.urlsafe_b64encode(b).decode()))
def test_decoding_arbitrary_text_raises_only_token_error(text: str) -> None:
    try:
        ResumeToken.decode(text, b"k" * 32)
    except TokenError:
        pass


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=15,
)
_fields = st.sampled_from(
    ["response_id", "repo", "leak", "request_id", "datacenter", "rotated_at", "sealed", "stored", "new_hashed_secret"]
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_fields, _json, max_size=9))
def test_decoding_any_json_accepts_only_what_the_contract_allows(changes: dict[str, Any]) -> None:
    base = {
        "response_id": "20261130T100000-0123456789ab-0badc0de",
        "repo": REPO,
        "leak": {"hashed_secret": "a" * 40, "redacted": "6b1f…4b60"},
        "request_id": None,
        "datacenter": None,
        "rotated_at": 1_900_000_000.0,
        "sealed": [
            {
                "target": {"repo": REPO, "name": "K", "app": "actions", "environment": None, "org": None},
                "key_id": "kid",
                "encrypted_value": "A" * 80,
            }
        ],
        "stored": False,
    }
    try:
        token = ResumeToken.decode(_forge({**base, **changes}), None)
    except TokenError:
        return
    delivery = token.delivery
    assert not token.verified
    assert names.repository(delivery.repo) and ".." not in delivery.repo.split("/")
    [sealed] = delivery.sealed
    assert sealed.target.repo == delivery.repo
    assert names.secret(sealed.target.name)
    assert delivery.request_id is None or records.REQUEST_ID.fullmatch(delivery.request_id)
    assert ResumeToken.decode(token.encode(None), None) == token  # what is accepted round-trips


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=32, max_size=32), st.binary(min_size=32, max_size=32))
def test_only_the_key_that_signed_a_token_verifies_it(key: bytes, other: bytes) -> None:
    token = ResumeToken.decode(_forge(_static_delivery()), None)
    signed = token.encode(key)
    assert ResumeToken.decode(signed, key).verified
    assert ResumeToken.decode(signed, other).verified is (key == other)
    assert not ResumeToken.decode(signed, None).verified


def _static_delivery() -> dict[str, Any]:
    return {
        "response_id": "20261130T100000-0123456789ab-0badc0de",
        "repo": REPO,
        "leak": {"hashed_secret": "a" * 40, "redacted": "6b1f…4b60"},
        "request_id": "r-1",
        "datacenter": "eu",
        "rotated_at": 1_900_000_000.0,
        "sealed": [
            {
                "target": {"repo": REPO, "name": "K", "app": "actions", "environment": None, "org": None},
                "key_id": "kid",
                "encrypted_value": "A" * 80,
            }
        ],
        "stored": False,
    }


@pytest.mark.parametrize(("answer", "code"), [("yes", 0), ("y", 3), ("no", 3)])
def test_an_unverified_token_is_confirmed_on_the_terminal(world: World, tmp_path: Path, answer: str, code: int) -> None:
    """What a person sees: the token described in full, then the question; only 'yes' writes."""
    from tests.conftest import pty_session

    token = _interrupted_token(world)
    env = {**world.env, **_elsewhere(world, tmp_path)}
    status, seen = pty_session(["resume", "--sealed", token], env, world.cwd, [("Write it?", answer)])
    assert status == code, seen
    assert "UNVERIFIED" in seen and "QUESTIONPRO_API_KEY" in seen
    assert (world.gh.secret_value() == world.qp.valid_key) is (code == 0)
