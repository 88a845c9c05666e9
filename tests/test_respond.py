"""The responder against local QuestionPro and GitHub servers, through the real CLI.

Most scenarios call ``responder.entry.main(argv)`` in this process, with the clients'
back-offs recorded instead of slept; a few run the installed CLI in a subprocess, where
only a real process will do (kill -9 between steps, a terminal, no terminal).

After every scenario: neither the old nor the new key in any byte of stdout, stderr, the
journal, the issue bodies or the requests GitHub received; QuestionPro received exactly
the expected number of regenerate calls.
"""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
from pathlib import Path

import pytest

from responder.response import questionpro
from tests.conftest import Run, assert_no_secret, pty_session, run_cli, run_main
from tests.corpus import new_key
from tests.fake_github import INTEGRATION, Fault, dropped
from tests.fake_questionpro import FakeQuestionPro
from tests.response_world import REPO, World, slept, world

__all__ = ["slept", "world"]  # the fixtures


def said(run: Run) -> str:
    """What a person reads (stdout and stderr), with line wrapping undone."""
    return " ".join(run.output.split())


def test_success(world: World) -> None:
    run = world.respond("--format", "json")
    assert run.code == 0, run.output
    out = json.loads(run.stdout)
    assert out["status"] == "rotated-and-stored"
    assert world.qp.calls == 1 and world.qp.rotations == 1
    assert world.gh.secret_value() == world.qp.valid_key != world.old_key
    assert out["request_id"] == world.qp.request_ids[0]
    assert out["secret"] == {
        "name": "QUESTIONPRO_API_KEY",
        "scope": "repository",
        "environment": None,
        "org": None,
        "also": [],
    }
    [issue] = world.gh.issues
    assert out["issue_url"].endswith("/issues/1")
    assert world.qp.request_ids[0] in issue["body"] and issue["labels"] == ["security", "leaked-secret"]
    assert f"{world.old_key[:4]}…{world.old_key[-4:]}" in issue["title"]
    assert out["hashed_secret"] in issue["body"]
    assert ("repo:actions", "QP_RESPONDER_PREFLIGHT") not in world.gh.secrets  # the write probe cleaned up
    assert [s["step"] for s in world.journals()[0]][-1] == "done"


def test_published_loose_json_success_is_understood(world: World) -> None:
    world.qp.script = ["ok-loose"]
    assert world.respond().code == 0
    assert world.gh.secret_value() == world.qp.valid_key


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        (["error:400:1000"], "HTTP 400 error 1000 BAD_REQUEST"),
        (["error:401:1010"], "HTTP 401 error 1010 UNAUTHORIZED"),
        (["loose-error:401:1010"], "HTTP 401 error 1010 UNAUTHORIZED"),
        (["error:403:1013"], "HTTP 403 error 1013"),
        (["error:403:1011"], "HTTP 403 error 1011"),
        (["error:404:1040"], "HTTP 404 error 1040 NOT_FOUND"),
        (["loose-error:404:1040"], "HTTP 404 error 1040"),
        (["error:500:1026"], "HTTP 500 error 1026"),
        (["429-no-retry"], "HTTP 429 error 1013"),
        (["html-403"], "HTML error page"),
        (["redirect"], "redirect (HTTP 302)"),
    ],
)
def test_questionpro_refusals_keep_the_old_key(world: World, script: list[str], reason: str) -> None:
    world.qp.script = list(script)
    run = world.respond()
    assert run.code == 4, run.output
    assert "rotation failed" in said(run) and reason in said(run)
    assert ("does not accept this key" if "401" in reason else "old key is still valid") in said(run)
    assert world.qp.calls == 1 and world.qp.rotations == 0
    assert world.gh.secret_value() is None and world.gh.issues == []


def test_rate_limit_with_retry_after_then_success(world: World) -> None:
    world.qp.script = ["429-retry-after", "429-retry-after"]
    assert world.respond().code == 0
    assert world.qp.calls == 3 and world.qp.rotations == 1
    assert world.slept == [0.0, 0.0]  # as long as Retry-After said
    assert world.gh.secret_value() == world.qp.valid_key


@pytest.mark.parametrize(
    ("script", "text"),
    [
        (["timeout-after-rotate"], "did not answer completely within 1s"),
        (["drop-after-rotate"], "broke after the request was sent"),
        (["malformed-after-rotate"], "without a usable new key"),
        (["html-502-after-rotate"], "HTTP 502 with an HTML page"),
    ],
)
def test_lost_answers_are_unknown_and_never_retried(world: World, script: list[str], text: str) -> None:
    world.qp.script = list(script)
    world.qp.hang_seconds = 3
    run = world.respond("--timeout", "1")
    assert run.code == 5, run.output
    assert text in said(run) and "Do NOT run the rotation again" in said(run)
    assert world.qp.calls == 1  # never retried
    assert world.gh.secret_value() is None and world.gh.issues == []
    resumed = world.run("resume")  # the outcome stays unknown; resume does not regenerate
    assert resumed.code == 0 and "nothing to resume" in resumed.stderr
    assert world.qp.calls == 1


def test_connection_refused_is_retried_then_refused(world: World) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once the block ends: nothing listens there
    run = world.respond(env={"QUESTIONPRO_BASE_URL": f"http://127.0.0.1:{port}"})
    assert run.code == 4 and "nothing was sent" in said(run)
    assert world.qp.calls == 0
    assert world.slept == [0.5, 1.0]  # a growing back-off between the attempts


@pytest.mark.parametrize(
    ("fault_route", "fault", "env", "text"),
    [
        (("GET", "repo"), Fault(401, "Bad credentials"), {}, "token is invalid"),
        (("GET", "repo"), Fault(404), {}, "not found"),
        (("GET", "public_key"), Fault(403, INTEGRATION), {}, "HTTP 403"),
        (("GET", "public_key"), Fault(500), {}, "HTTP 500"),  # retried 3 times, then preflight fails
        (("PUT", "secret"), Fault(403, "Resource not accessible by personal access token"), {}, "HTTP 403"),
        (
            None,
            None,
            {"QP_RESPONDER_SECRETS_TOKEN": "", "GITHUB_TOKEN": "ghs_default", "GITHUB_ACTIONS": "true"},
            "default GITHUB_TOKEN cannot read or write Actions secrets",
        ),
        (None, None, {"GITHUB_TOKEN": "nope", "QP_RESPONDER_SECRETS_TOKEN": ""}, "token is invalid"),
    ],
)
def test_preflight_failures_rotate_nothing(
    world: World, fault_route: tuple[str, str] | None, fault: Fault | None, env: dict[str, str], text: str
) -> None:
    if fault_route is not None and fault is not None:
        world.gh.faults[fault_route] = [fault] * 3
    run = world.respond(env=env)
    assert run.code == 7, run.output
    assert "preflight failed, nothing was rotated" in said(run) and text in said(run)
    assert world.qp.calls == 0 and world.gh.issues == []


@pytest.mark.parametrize(
    "fault",
    [
        Fault(500),
        Fault(502),
        Fault(403, "You have exceeded a secondary rate limit", {"Retry-After": "0"}),
        Fault(429, "rate", {"Retry-After": "0"}),
    ],
)
def test_transient_github_faults_on_store_are_retried(world: World, fault: Fault) -> None:
    world.gh.faults[("PUT", "secret")] = [Fault(200), fault]  # the first PUT is the preflight probe
    assert world.respond().code == 0
    assert world.gh.secret_value() == world.qp.valid_key and world.qp.calls == 1
    assert world.slept == [0.0 if "Retry-After" in fault.headers else 1.0]


def test_store_failure_keeps_the_sealed_key_and_resume_finishes(world: World) -> None:
    world.gh.faults[("PUT", "secret")] = [Fault(200)] + [Fault(500)] * 3
    run = world.respond()
    assert run.code == 6, run.output
    assert "qp-responder resume --sealed qpr2." in said(run)
    assert world.gh.secret_value() is None and world.qp.calls == 1
    [steps] = world.journals()
    regenerated = next(s for s in steps if s["step"] == "regenerated")
    assert regenerated["sealed"][0]["encrypted_value"]  # only the sealed value is journaled
    resumed = world.run("resume")
    assert resumed.code == 0, resumed.output
    assert world.gh.secret_value() == world.qp.valid_key
    assert world.qp.calls == 1 and len(world.gh.issues) == 1
    assert world.run("resume").stderr.startswith("qp-responder: nothing to resume")


def test_resume_from_token_on_another_machine(world: World, tmp_path: Path) -> None:
    world.gh.faults[("PUT", "secret")] = [Fault(200)] + [Fault(503)] * 3
    summary = tmp_path / "summary.md"
    run = world.respond(env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert run.code == 6
    [token] = re.findall(r"qpr2\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*", run.output)
    assert token in summary.read_text()  # nothing is lost when the runner disappears
    elsewhere = {"QP_RESPONDER_STATE_DIR": str(tmp_path / "other-machine")}
    resumed = world.run("resume", "--sealed", token, "--yes", "--accept-unverified", env=elsewhere)
    assert resumed.code == 0, resumed.output
    assert world.gh.secret_value() == world.qp.valid_key and len(world.gh.issues) == 1
    again = world.run("resume", "--sealed", token, "--yes", "--accept-unverified", env=elsewhere)
    assert again.code == 0 and "already delivered" in again.output and len(world.gh.issues) == 1
    assert world.run("resume", "--sealed", "qpr2.garbage", env=elsewhere).code == 2


def test_issue_created_but_answer_lost_is_not_duplicated(world: World) -> None:
    world.gh.faults[("POST", "issues")] = [Fault(502, then_apply=True)]
    assert world.respond().code == 0
    assert len(world.gh.issues) == 1


@pytest.mark.parametrize(
    ("faults", "has_issues"),
    [({("POST", "issues"): [Fault(500)] * 3}, True), ({("GET", "issues"): [Fault(500)] * 3}, True), ({}, False)],
)
def test_issue_failure_is_its_own_exit_code_and_resumable(
    world: World, faults: dict[tuple[str, str], list[Fault]], has_issues: bool
) -> None:
    world.gh.faults.update(faults)
    world.gh.has_issues = has_issues
    run = world.respond()
    assert run.code == 8, run.output
    assert world.gh.secret_value() == world.qp.valid_key
    world.gh.has_issues = True
    assert world.run("resume").code == 0
    assert len(world.gh.issues) == 1 and world.qp.calls == 1


@pytest.mark.parametrize(
    ("step", "resume_code", "calls"),
    [
        ("planned", 4, 0),
        ("preflight-ok", 4, 0),
        ("regenerating", 5, 0),  # killed before the request left: still reported as unknown
        ("regenerated", 0, 1),
        ("stored", 0, 1),
        ("issue-opened", 0, 1),
    ],
)
def test_kill_9_between_steps_then_resume(world: World, step: str, resume_code: int, calls: int) -> None:
    run = world.respond(env={"QP_RESPONDER_FAULT_KILL_AFTER": step}, subprocess=True)
    assert run.code == -signal.SIGKILL
    assert world.qp.calls == calls
    resumed = world.run("resume")
    assert resumed.code == resume_code, resumed.output
    assert world.qp.calls == calls  # resume never regenerates
    if resume_code == 0:
        assert world.gh.secret_value() == world.qp.valid_key
        assert len(world.gh.issues) == 1
    else:
        assert world.gh.secret_value() is None and world.gh.issues == []
    assert world.run("resume").stderr.startswith("qp-responder: nothing to resume")


def test_not_confirmed_without_yes_or_terminal(world: World) -> None:
    run = run_cli(
        ["respond", "--repo", REPO], world.cwd, stdin=world.old_key + "\n", env=world.env, secrets=[world.old_key]
    )
    assert run.code == 3 and "--yes" in said(run)
    assert world.qp.calls == 0 and world.gh.log == []


def test_dry_run_changes_nothing(world: World) -> None:
    run = world.run("respond", "--repo", REPO, "--dry-run")
    assert run.code == 0 and "dry run" in said(run) and "old key stops working EVERYWHERE" in said(run)
    assert world.qp.calls == 0
    assert {method for method, _, _ in world.gh.log} == {"GET"}


@pytest.mark.parametrize(
    ("stdin", "args", "env"),
    [
        ("", ["respond", "--repo", REPO, "--yes"], {}),
        ("not a key\n", ["respond", "--repo", REPO, "--yes"], {}),
        (None, ["respond", "--yes"], {}),  # no repository
        (None, ["respond", "--repo", REPO, "--yes"], {"GITHUB_TOKEN": ""}),
        (None, ["respond", "--repo", REPO, "--yes", "--environment", "e", "--org", "o"], {}),
        (None, ["respond", "--repo", REPO, "--yes", "--secret-name", "GITHUB_X"], {}),
        (None, ["respond", "--repo", REPO, "--yes"], {"GITHUB_API_URL": "http://api.github.example"}),
        (None, ["respond", "--repo", REPO, "--yes", "--datacenter", "mars"], {}),
        (None, ["respond", "--repo", REPO, "--yes", "3e158e6c-f112-4925-b1dc-ec1406881337"], {}),
    ],
)
def test_usage_errors(world: World, stdin: str | None, args: list[str], env: dict[str, str]) -> None:
    run = world.run(*args, stdin=stdin, env={"GITHUB_REPOSITORY": "", **env})
    assert run.code == 2, run.output
    assert world.qp.calls == 0


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example",
        "http://api.questionpro.com",
        "https://api.questionpro.com.evil.example",
        "https://user:pw@api.questionpro.com",
        "https://api.questionpro.com/path",
        "ftp://127.0.0.1",
        "https://10.0.0.1:8443",
    ],
)
def test_hostile_base_url_never_receives_the_key(world: World, url: str) -> None:
    run = world.respond(env={"QUESTIONPRO_BASE_URL": url})
    assert run.code == 2 and "QUESTIONPRO_BASE_URL" in run.stderr
    assert world.gh.log == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.questionpro.eu", "https://api.questionpro.eu"),
        ("https://API.QuestionPro.com/", "https://api.questionpro.com"),
        ("https://api.questionprosa.com:443", "https://api.questionprosa.com"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://localhost:1", "http://localhost:1"),
        ("http://[::1]:9", "http://[::1]:9"),
    ],
)
def test_allowed_base_urls(url: str, expected: str) -> None:
    assert questionpro.validate_base_url(url) == expected


def test_datacenters_are_tried_in_turn(world: World) -> None:
    """Two wrong datacenters answer 401 and change nothing; the third rotates."""
    wrong = [FakeQuestionPro(valid_key=new_key()) for _ in range(2)]
    urls = [fake.start() for fake in wrong]
    try:
        targets = [
            questionpro.Endpoint("eu", urls[0]),
            questionpro.Endpoint("ca", urls[1]),
            questionpro.Endpoint("com", world.env["QUESTIONPRO_BASE_URL"]),
        ]
        client = questionpro.QuestionProClient(questionpro.new_session, timeout=5)
        result = client.regenerate(world.old_key, targets)
        assert result.datacenter == "com" and result.new_key == world.qp.valid_key
        assert [f.calls for f in wrong] == [1, 1] and [f.rotations for f in wrong] == [0, 0]
        with pytest.raises(questionpro.RegenerateRefused, match="no datacenter accepted the key"):
            client.regenerate(new_key(), targets)
    finally:
        for fake in wrong:
            fake.stop()


def test_requests_carry_the_key_only_in_the_header(world: World) -> None:
    assert world.respond().code == 0
    [headers] = world.qp.seen_headers
    assert headers["api-key"] == world.old_key
    assert world.old_key not in json.dumps({k: v for k, v in headers.items() if k != "api-key"})


@pytest.mark.parametrize(
    ("args", "where"),
    [
        (["--environment", "production"], [("env:production", "QUESTIONPRO_API_KEY")]),
        (["--org", "octo"], [("org:octo:actions", "QUESTIONPRO_API_KEY")]),
        (["--dependabot"], [("repo:actions", "QUESTIONPRO_API_KEY"), ("repo:dependabot", "QUESTIONPRO_API_KEY")]),
        (
            ["--org", "octo", "--dependabot", "--secret-name", "QP_KEY"],
            [("org:octo:actions", "QP_KEY"), ("org:octo:dependabot", "QP_KEY")],
        ),
    ],
)
def test_secret_scopes(world: World, args: list[str], where: list[tuple[str, str]]) -> None:
    run = world.respond(*args)
    assert run.code == 0, run.output
    assert {k: v for k, v in world.gh.secrets.items()} == {w: world.qp.valid_key for w in where}
    if "--org" in args:
        assert world.gh.org_visibility[where[0][1]]["visibility"] == "selected"


def test_existing_org_secret_keeps_its_visibility(world: World) -> None:
    world.gh.secrets[("org:octo:actions", "QUESTIONPRO_API_KEY")] = "old"
    world.gh.org_visibility["QUESTIONPRO_API_KEY"] = {"visibility": "all"}
    assert world.respond("--org", "octo").code == 0
    assert world.gh.org_visibility["QUESTIONPRO_API_KEY"] == {"visibility": "all"}


def test_actions_masking_comes_first(world: World) -> None:
    run = run_main(
        ["respond", "--repo", REPO, "--yes"],
        world.cwd,
        stdin=world.old_key + "\n",
        env={**world.env, "GITHUB_ACTIONS": "true"},
    )
    assert run.code == 0
    # stdout is data and may be captured: the masks go to stderr, first thing
    lines = run.stderr.splitlines()
    assert lines[0] == f"::add-mask::{world.old_key}"
    assert f"::add-mask::{world.qp.valid_key}" in lines
    unmasked = "\n".join(line for line in lines if not line.startswith("::add-mask::")) + run.stdout
    assert_no_secret(unmasked, world.keys())


def test_scan_respond_rotates_once_per_key_and_never_overwrites(world: World, tmp_path: Path) -> None:
    dead, second = new_key(), new_key()
    world.qp.other_keys.add(second)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / ".env").write_text(
        f"QUESTIONPRO_API_KEY={dead}\nQUESTIONPRO_API_KEY={world.old_key}\nQP_API_KEY={world.old_key}\n"
        f"QP_API_KEY_2={second}\n"
    )
    run = run_main(
        ["scan", "--respond", "--yes", "--repo", REPO, "app"],
        tmp_path,
        env=world.env,
        secrets=[world.old_key, second, dead],
    )
    assert run.code == 4, (
        run.output,
        world.qp.calls,
    )  # most urgent: the dead key's failed rotation (then the skipped one, 3)
    assert "already expired" in said(run) and "would overwrite the secret" in said(run)
    assert world.qp.calls == 2 and world.qp.rotations == 1  # the dead key: one 401; the live one: rotated once
    assert world.gh.secret_value() == world.qp.valid_key
    [issue] = world.gh.issues
    assert "`app/.env` line 2" in issue["body"]
    assert second in world.qp.other_keys  # never rotated
    world.assert_no_key_anywhere(run)


def test_scan_respond_success_keeps_exit_1(world: World, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"QUESTIONPRO_API_KEY={world.old_key}\n")
    run = run_main(
        ["scan", "--respond", "--yes", "--repo", REPO, ".env"], tmp_path, env=world.env, secrets=[world.old_key]
    )
    assert run.code == 1 and "rotated and stored" in said(run) and "rotated-and-stored" not in run.output
    assert "each key was rotated: the old value no longer works anywhere" in said(run)
    assert run.stdout.startswith(".env:1: QuestionPro API Key")  # the report; outcomes are said on stderr
    world.assert_no_key_anywhere(run)


def test_store_a_key_regenerated_by_hand(world: World) -> None:
    manual = new_key()
    run = world.run("store", "--repo", REPO, "--yes", stdin=manual + "\n")
    assert run.code == 0 and world.gh.secret_value() == manual
    assert_no_secret(run.output, [manual])
    world.gh.faults[("PUT", "secret")] = [Fault(500)] * 3
    assert world.run("store", "--repo", REPO, "--yes", stdin=manual + "\n").code == 6


def test_state_dir_unwritable_rotates_nothing(world: World, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    run = world.respond(env={"QP_RESPONDER_STATE_DIR": str(blocker / "sub")})
    assert run.code == 7 and "journal" in said(run)
    assert world.qp.calls == 0


def test_no_command_takes_a_key_on_the_command_line() -> None:
    """The key is read from stdin: the CLI has no option that takes it."""
    from responder.cli.main import cli

    for name, command in cli.commands.items():
        for param in command.params:
            assert "key" not in param.name.replace("secret_name", ""), (name, param.name)


@pytest.mark.parametrize(("answer", "code"), [("yes", 0), ("YES", 0), ("no", 3), ("n", 3), ("y", 3), ("", 3)])
def test_interactive_hidden_prompt_and_confirmation_on_the_terminal(world: World, answer: str, code: int) -> None:
    """The prompt says "Type 'yes'", so only yes rotates; a refusal says so (it was asked)."""
    status, screen = pty_session(
        ["respond", "--repo", REPO],
        world.env,
        world.cwd,
        [("QuestionPro API key (input hidden):", world.old_key), ("Type 'yes' to continue:", answer)],
    )
    assert status == code, screen
    assert "old key stops working EVERYWHERE" in screen
    assert "found at: (key typed at the prompt)" in screen
    assert_no_secret(screen, world.keys())  # the hidden prompt did not echo the key
    assert world.qp.rotations == (1 if code == 0 else 0)
    if code == 3:
        assert "not confirmed (the answer was not 'yes')" in screen and "terminal to be asked" not in screen


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("hello\n", "not a QuestionPro key"),
        ("\n", "no QuestionPro API key on stdin"),
        ("", "no QuestionPro API key on stdin"),
    ],
)
def test_what_is_not_a_key_on_stdin(world: World, stdin: str, message: str) -> None:
    run = world.run("respond", "--repo", REPO, "--yes", stdin=stdin)
    assert run.code == 2 and message in run.stderr and run.stdout == ""
    assert world.qp.calls == 0


def test_piped_key_plan_and_a_custom_endpoint_are_named_plainly(world: World) -> None:
    run = world.run("respond", "--repo", REPO, "--dry-run", "--datacenter", "eu")
    assert run.code == 0, run.output
    text = said(run)
    assert "found at: (key read from stdin)" in text
    assert f"will try: {world.env['QUESTIONPRO_BASE_URL'].rstrip('/')}" in text and "custom" not in text
    assert "--datacenter eu does not apply: QUESTIONPRO_BASE_URL names the endpoint" in text
    assert "dry-run: dry run" not in text and "datacenter: eu" not in text
    assert all(len(line) <= 100 for line in run.stderr.splitlines() if "::" not in line), run.stderr


def test_outcome_unknown_is_wrapped_and_human_text_goes_to_stderr(world: World) -> None:
    world.qp.script = ["drop-after-rotate"]
    run = world.respond()
    assert run.code == 5, run.output
    assert run.stdout == ""  # text outcomes are for people: stderr; --format json is for programs: stdout
    assert "Do NOT run the rotation again" in said(run)
    assert max(len(line) for line in run.stderr.splitlines() if "journal:" not in line) <= 100, run.stderr
    assert "custom" not in run.stderr
    as_json = world.respond("--format", "JSON")  # --format is case-insensitive; JSON alone on stdout
    assert json.loads(as_json.stdout)["exit_code"] == as_json.code != 0


def test_resume_json_with_nothing_to_do_is_a_json_document(world: World) -> None:
    run = world.run("resume", "--format", "json")
    assert run.code == 0 and json.loads(run.stdout) == [] and "nothing to resume" in run.stderr


def test_unreachable_proxy_means_nothing_was_sent(world: World) -> None:
    """(The test suite routes every non-loopback request to a dead proxy.) Every real
    datacenter is tried, none is reached, and the old key is untouched."""
    run = world.respond(env={"QUESTIONPRO_BASE_URL": ""})
    assert run.code == 4, run.output
    assert "no datacenter accepted the key" in said(run) and "nothing was sent" in said(run)
    assert world.qp.calls == 0


SECONDARY = Fault(403, "You have exceeded a secondary rate limit", {"Retry-After": "0"})


@pytest.mark.parametrize(
    ("route", "expected"),
    [
        (("GET", "repo"), 7),
        (("GET", "public_key"), 7),
        (("PUT", "secret"), 7),  # the preflight write probe is the first PUT
        (("DELETE", "secret"), 7),
        (("GET", "issues"), 8),
        (("POST", "issues"), 8),
    ],
    ids=lambda v: "-".join(v) if isinstance(v, tuple) else str(v),
)
@pytest.mark.parametrize(
    "fault",
    [Fault(401, "Bad credentials"), Fault(403, "Forbidden"), Fault(404), Fault(500), Fault(503), SECONDARY],
    ids=["401", "403", "404", "500", "503", "secondary-rate-limit"],
)
def test_every_github_call_under_every_fault(world: World, route: tuple[str, str], fault: Fault, expected: int) -> None:
    """Whatever fails, the outcome is a defined exit code, QuestionPro is called at most
    once, and a rotated key is either stored or sealed in the journal: never lost."""
    world.gh.faults[route] = [fault] * 3
    run = world.respond()
    assert run.code == expected, run.output
    assert world.qp.calls == (0 if expected == 7 else 1)
    if world.qp.rotations:
        assert world.gh.secret_value() == world.qp.valid_key
        world.gh.faults.clear()  # GitHub answers again
        assert world.run("resume").code == 0
        assert len(world.gh.issues) == 1


@pytest.mark.parametrize(
    ("api", "web"),
    [
        ("https://api.github.com", "https://github.com"),
        ("https://ghe.example/api/v3", "https://ghe.example"),
        ("https://ghe.example/api/v3/", "https://ghe.example"),
    ],
)
def test_links_point_at_the_right_github(api: str, web: str) -> None:
    from responder.response.github_adapter import web_url

    assert web_url(api) == web


@pytest.mark.parametrize(
    ("failing_step", "put_faults", "issue_faults", "status", "rotations"),
    [
        ("regenerating", 0, 0, "rotation-failed", 0),  # could not record the attempt: never sent
        ("regenerated", 0, 0, "rotated-and-stored", 1),  # stored straight away
        ("regenerated", 3, 0, "rotated-not-stored", 1),  # and if storing fails too: resume tokens
        ("regenerated", 0, 3, "rotated-stored-issue-failed", 1),  # no journal to retry the issue: tokens
    ],
)
def test_journal_failure_never_drops_the_new_key(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    failing_step: str,
    put_faults: int,
    issue_faults: int,
    status: str,
    rotations: int,
) -> None:
    """(In process, with the real clients against the local servers: a disk that fills up
    between two steps cannot be arranged from outside as root.)"""
    from responder.core.redact import hashed_secret, redact
    from responder.response import journal as journal_module
    from responder.response.service import Options, _plan, build_services
    from responder.response.workflow import Leak, respond

    for name, value in world.env.items():
        monkeypatch.setenv(name, value)
    real_write = journal_module.Journal.write

    def write(self: journal_module.Journal, record: journal_module.Record) -> None:
        if record.step == failing_step:
            raise OSError(28, "No space left on device")
        real_write(self, record)

    monkeypatch.setattr(journal_module.Journal, "write", write)
    world.gh.faults[("PUT", "secret")] = [Fault(200)] + [Fault(500)] * put_faults
    world.gh.faults[("POST", "issues")] = [Fault(500)] * issue_faults
    options = Options(repo=REPO, yes=True)
    leak = Leak(hashed_secret(world.old_key), redact(world.old_key))
    outcome = respond(
        _plan(options, REPO, leak), world.old_key, build_services(options, need_tokens=True), confirmed=True
    )
    assert outcome.status.value == status, outcome.message
    assert world.qp.rotations == rotations
    if status == "rotated-and-stored":
        assert world.gh.secret_value() == world.qp.valid_key and len(world.gh.issues) == 1
    if status in ("rotated-not-stored", "rotated-stored-issue-failed"):
        [token] = outcome.resume_tokens
        assert_no_secret(token + outcome.message, world.keys())
        world.gh.faults.clear()
        assert world.run("resume", "--sealed", token, "--yes").code == 0
        assert world.gh.secret_value() == world.qp.valid_key and len(world.gh.issues) == 1


# -- transport faults: what counts as "never sent", what is waited for, what survives a crash --


@pytest.mark.parametrize("value", ["Wed, 21 Oct 2026 07:28:00 GMT", "soon", "-1", "9999"])
def test_a_retry_after_that_is_no_usable_number_of_seconds_is_not_waited_for(world: World, value: str) -> None:
    """A date, a word, a negative or an absurd wait: the 429 is final, the old key stays."""
    world.qp.script = [f"429-retry-after:{value}"]
    run = world.respond()
    assert run.code == 4, run.output
    assert "HTTP 429 error 1013" in said(run) and "old key is still valid" in said(run)
    assert world.qp.calls == 1 and world.qp.rotations == 0
    assert world.slept == []


def test_a_tls_handshake_failure_is_never_sent_and_not_retried(world: World) -> None:
    """https to a server that speaks plain HTTP: the handshake fails before any byte of the
    request (the key) leaves, so the rotation surely did not happen."""
    plain = world.env["QUESTIONPRO_BASE_URL"]
    run = world.respond(env={"QUESTIONPRO_BASE_URL": plain.replace("http://", "https://")})
    assert run.code == 4, run.output
    assert "SSLError" in said(run) and "nothing was sent" in said(run)
    assert world.qp.calls == 0 and world.slept == []
    assert world.gh.secret_value() is None and world.gh.issues == []


def test_a_connect_timeout_is_never_sent_and_retried() -> None:
    """A listener whose accept queue is full never completes the handshake: the connect
    times out before the request is sent, which is safe to retry."""
    waits: list[float] = []
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        address = listener.getsockname()
        fillers = [socket.socket() for _ in range(4)]
        for filler in fillers:  # complete what the queue holds; later handshakes go unanswered
            filler.setblocking(False)
            filler.connect_ex(address)
        try:
            client = questionpro.QuestionProClient(questionpro.new_session, timeout=0.3, sleep=waits.append)
            endpoint = questionpro.Endpoint("com", f"http://{address[0]}:{address[1]}")
            with pytest.raises(questionpro.RegenerateRefused, match=r"ConnectTimeout.*nothing was sent"):
                client.regenerate(new_key(), [endpoint])
        finally:
            for filler in fillers:
                filler.close()
    assert waits == [0.5, 1.0]  # three attempts, backing off


@pytest.mark.parametrize(
    ("killed_after", "code", "stored"),
    [("regenerated", 0, True), ("stored", 0, True), ("regenerating", 5, False)],
)
def test_a_half_written_last_journal_line_is_ignored(world: World, killed_after: str, code: int, stored: bool) -> None:
    """A crash in the middle of writing the next step leaves a torn last line: that step did
    not complete. Resume goes on from the last whole line and never regenerates."""
    run = world.respond(env={"QP_RESPONDER_FAULT_KILL_AFTER": killed_after}, subprocess=True)
    assert run.code == -signal.SIGKILL
    [journal] = world.state.glob("*.jsonl")
    with journal.open("a", encoding="utf-8") as handle:
        handle.write('{"at": 1767225600.5, "step": "issue-ope')
    calls = world.qp.calls
    resumed = world.run("resume")
    assert resumed.code == code, resumed.output
    assert world.qp.calls == calls
    assert (world.gh.secret_value() == world.qp.valid_key) is stored
    assert len(world.gh.issues) == (1 if stored else 0)


@pytest.mark.parametrize(
    ("route", "faults", "code", "issues"),
    [
        (("GET", "repo"), [dropped()] * 3, 7, 0),  # preflight: nothing rotated
        (("GET", "public_key"), [dropped()] * 3, 7, 0),
        (("PUT", "secret"), [Fault(201)] + [dropped()] * 3, 6, 0),  # after the preflight probe: sealed, resumable
        (("POST", "issues"), [dropped()] * 3, 8, 0),
        (("POST", "issues"), [dropped(then_apply=True)], 0, 1),  # created, answer lost: found, not duplicated
    ],
    ids=["repo", "public-key", "store", "issue", "issue-answer-lost"],
)
def test_github_network_faults(
    world: World, route: tuple[str, str], faults: list[Fault], code: int, issues: int
) -> None:
    """A connection GitHub closes without answering is a network error: retried where that is
    safe, and never costs the rotated key."""
    world.gh.faults[route] = list(faults)
    run = world.respond()
    assert run.code == code, run.output
    assert world.qp.calls == (0 if code == 7 else 1)
    assert len(world.gh.issues) == issues
    if code in (7, 6, 8):
        assert "network" in said(run)
    if world.qp.rotations:
        world.gh.faults.clear()
        assert world.run("resume").code == 0
        assert world.gh.secret_value() == world.qp.valid_key and len(world.gh.issues) == 1


def test_scan_history_respond_with_two_keys_exits_1_and_names_the_repo(world: World, tmp_path: Path) -> None:
    """The second key would overwrite the secret just written, so it is skipped: keys were
    found and one was not rotated, which is exit 1 (as the README says), not 3."""
    second = new_key()
    world.qp.other_keys.add(second)
    repo = tmp_path / "history"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    (repo / ".env").write_text(f"QUESTIONPRO_API_KEY={world.old_key}\nQP_API_KEY={second}\n")
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-qm", "keys"], cwd=repo, check=True)
    run = run_main(["scan", "--history", "--respond", "--yes", "--repo", REPO], repo, env=world.env, secrets=[second])
    assert run.code == 1, (run.output, world.qp.calls)  # calls: did every regenerate request reach the fake?
    assert f"qp-responder respond --repo {REPO} --secret-name OTHER_NAME" in said(run)
    assert world.qp.rotations == 1 and second in world.qp.other_keys
    world.assert_no_key_anywhere(run)
