"""The Action and the CLI in Actions, attacked and broken (issue 8, findings 1-3):
a rotated key is never lost (unexpected replies, SIGKILL at every step boundary, the
runner gone: the token from the job summary or the step output suffices), no captured
stream holds a key, and nothing from the scanned workspace runs."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from responder.actions.run import safe_path
from tests.conftest import ROOT, assert_no_secret, git, run_cli
from tests.corpus import new_key
from tests.fake_github import FakeGitHub, Fault
from tests.fake_questionpro import FakeQuestionPro
from tests.runner_sim import ActionRun, plant, run_action
from tests.test_action import (  # noqa: F401 - fixtures
    Remote,
    action_venv,
    check_no_unmasked_key,
    leak,
    push_and_run,
    push_payload,
    remote,
    runner,
    services,
)

Services = tuple[FakeQuestionPro, FakeGitHub, dict[str, str]]
RESPOND = {"respond": "true", "secrets-token": "secrets-token"}
TOKEN = re.compile(r"qpr2\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


def tokens_left_behind(run: ActionRun) -> tuple[list[str], list[str]]:
    """The resume tokens in the job summary and in the step output: what outlives the runner."""
    return TOKEN.findall(run.summary), json.loads(run.outputs.get("resume-tokens") or "[]")


def resume_elsewhere(token: str, env: dict[str, str], tmp: Path) -> subprocess.CompletedProcess[str]:
    """``qp-responder resume --sealed TOKEN`` on another machine: no runner, no journal."""
    other = tmp / "other-machine"
    other.mkdir(exist_ok=True)
    clean = {k: v for k, v in env.items() if not k.startswith(("GITHUB_ACTIONS", "QP_RESPONDER_STATE"))}
    run = run_cli(
        ["resume", "--sealed", token, "--yes", "--accept-unverified"],  # made on the runner: unverified here
        other,
        env={**clean, "QP_RESPONDER_SECRETS_TOKEN": "secrets-token", "QP_RESPONDER_STATE_DIR": str(other / "state")},
    )
    return subprocess.CompletedProcess([], run.code, run.stdout, run.stderr)


# -- finding 1: the Action never loses a rotated key -------------------------------------------
@pytest.mark.parametrize(
    "fault",
    [
        Fault(502, raw=b'{"message": "Bad Gateway"'),  # a proxy's truncated JSON
        Fault(502, raw=b"<html><body>502 Bad Gateway</body></html>"),  # an HTML error page
        Fault(301, headers={"Location": "https://elsewhere.invalid/repos/octo/app"}),  # a redirect off-host
        Fault(504, raw=b"\xff\xfe not json"),  # not even UTF-8
        Fault(401, "Bad credentials"),  # the secrets token expired after the preflight
    ],
    ids=["truncated-json", "html", "redirect", "garbage-504", "token-expired"],
)
def test_an_unexpected_reply_to_the_store_ends_rotated_not_stored(
    remote: Remote, runner: Path, services: Services, tmp_path: Path, fault: Fault
) -> None:
    qp, gh, env = services
    old = qp.valid_key
    gh.faults[("PUT", "secret")] = [Fault(201), *[fault] * 4]  # the write probe passes, the store breaks
    run, _ = push_and_run(remote, runner, "a.env", f"QP_API_KEY={old}\n", env=env, inputs=RESPOND)
    assert run.code == 6, run.stdout + run.stderr  # rotated-not-stored, never 9
    assert qp.calls == 1 and gh.secret_value() is None
    in_summary, in_output = tokens_left_behind(run)
    assert in_output and set(in_output) <= set(in_summary)
    check_no_unmasked_key(run, [old, qp.valid_key], runner)
    gh.faults.clear()
    done = resume_elsewhere(in_output[0], env, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert gh.secret_value() == qp.valid_key and len(gh.issues) == 1 and qp.calls == 1


@pytest.mark.parametrize(
    ("step", "token_left", "calls", "resumed"),
    [
        ("planned", False, 0, None),
        ("preflight-ok", False, 0, None),
        ("regenerating", False, 0, None),  # killed before the request left: nothing sealed, nothing to hand on
        ("regenerated", True, 1, 0),
        # Killed after the store: from outside, the secret changed after the rotation, which is
        # also what a stale token sees; nothing is written again, the issue is still finished,
        # and the exit (10, secret-newer) says "check", never "stored".
        ("stored", True, 1, 10),
        ("issue-opened", True, 1, 10),
    ],
)
def test_sigkill_at_each_step_then_resume_from_the_summary_alone(
    remote: Remote,
    runner: Path,
    services: Services,
    tmp_path: Path,
    step: str,
    token_left: bool,
    calls: int,
    resumed: int | None,
) -> None:
    qp, gh, env = services
    old = qp.valid_key
    run, _ = push_and_run(
        remote,
        runner,
        "a.env",
        f"QP_API_KEY={old}\n",
        env={**env, "QP_RESPONDER_FAULT_KILL_AFTER": step},
        inputs=RESPOND,
    )
    assert run.code == 128 + signal.SIGKILL, run.stdout + run.stderr
    assert qp.calls == calls
    in_summary, in_output = tokens_left_behind(run)
    check_no_unmasked_key(run, [old, qp.valid_key], runner)
    if not token_left:
        assert in_summary == in_output == []
        return
    assert in_summary and in_summary == in_output
    # The runner is gone with $RUNNER_TEMP (journal included): only the summary is left.
    done = resume_elsewhere(in_summary[0], env, tmp_path)
    assert done.returncode == resumed, done.stdout + done.stderr
    assert gh.secret_value() == qp.valid_key != old
    assert len(gh.issues) == 1 and qp.calls == 1  # never regenerated again, one issue


# -- finding 2: no captured stream holds a key ---------------------------------------------------
@pytest.mark.parametrize("routing", ["separate", "merged", "stderr-to-file"])
def test_respond_json_in_actions_stays_parseable_and_key_free(services: Services, tmp_path: Path, routing: str) -> None:
    qp, _gh, env = services
    old = qp.valid_key
    full_env = {
        **os.environ,
        **env,
        "GITHUB_ACTIONS": "true",
        "QP_RESPONDER_SECRETS_TOKEN": "secrets-token",
        "QP_RESPONDER_STATE_DIR": str(tmp_path / "state"),
    }
    err_file = tmp_path / "stderr.log"
    with err_file.open("w") as err_handle:
        stderr = {"separate": subprocess.PIPE, "merged": subprocess.STDOUT, "stderr-to-file": err_handle}[routing]
        done = subprocess.run(
            [sys.executable, "-m", "responder", "respond", "--repo", "octo/app", "--yes", "--format", "json"],
            input=old + "\n",
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env=full_env,
            cwd=tmp_path,
            check=False,
        )
    assert done.returncode == 0, done.stdout + (done.stderr or "")
    keys = [old, qp.valid_key]
    if routing == "merged":  # `out=$(… 2>&1)`: one captured stream, so no mask anywhere
        assert_no_secret(done.stdout, keys)
        json.loads(done.stdout[done.stdout.index("{") :])
        return
    assert json.loads(done.stdout)["status"] == "rotated-and-stored"  # stdout is data: parses as is
    assert_no_secret(done.stdout, keys)
    assert_no_secret(err_file.read_bytes(), keys)  # `2>file`: a file the user keeps, never a mask
    if routing == "separate":  # stderr as its own stream, as the runner reads it: masks go there
        assert f"::add-mask::{old}" in done.stderr and f"::add-mask::{qp.valid_key}" in done.stderr
        shown = "\n".join(line for line in done.stderr.splitlines() if not line.startswith("::add-mask::"))
        assert_no_secret(shown, keys)


@pytest.mark.parametrize("routing", ["separate", "merged"])
@pytest.mark.parametrize("command", ["scan-respond", "store"])
def test_scan_respond_and_store_in_actions_keep_keys_out_of_captured_output(
    services: Services, tmp_path: Path, command: str, routing: str
) -> None:
    qp, _gh, env = services
    old = qp.valid_key
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "settings.py").write_text(leak(old))
    argv = {
        "scan-respond": ["scan", "--respond", "--yes", "--repo", "octo/app", "--format", "json", "app"],
        "store": ["store", "--repo", "octo/app", "--yes"],
    }[command]
    done = subprocess.run(
        [sys.executable, "-m", "responder", *argv],
        input=old + "\n",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE if routing == "separate" else subprocess.STDOUT,
        text=True,
        env={
            **os.environ,
            **env,
            "GITHUB_ACTIONS": "true",
            "QP_RESPONDER_SECRETS_TOKEN": "secrets-token",
            "QP_RESPONDER_STATE_DIR": str(tmp_path / "state"),
        },
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == (1 if command == "scan-respond" else 0), done.stdout + (done.stderr or "")
    assert_no_secret(done.stdout, [old, qp.valid_key])  # captured stdout: never a key, masks included
    if command == "scan-respond" and routing == "separate":
        assert json.loads(done.stdout)[0]["hashed_secret"]  # the report parses as it is
        assert f"::add-mask::{old}" in done.stderr and f"::add-mask::{qp.valid_key}" in done.stderr


def test_the_action_masks_on_its_own_stdout_first(remote: Remote, runner: Path) -> None:
    key = new_key()
    run, _ = push_and_run(remote, runner, "a.env", f"QP_API_KEY={key}\n")
    assert run.stdout.splitlines()[0] == f"::add-mask::{key}"
    assert "::add-mask::" not in run.stderr


# -- finding 3: nothing from the workspace runs ----------------------------------------------------
def test_the_scan_step_runs_nothing_from_the_workspace(remote: Remote, runner: Path, tmp_path: Path) -> None:
    sentinel = tmp_path / "pwned"
    key = new_key()
    before = git(remote.dev, "rev-parse", "HEAD")
    after = remote.commit("a.env", f"QP_API_KEY={key}\n")
    remote.push("main")
    ws = remote.checkout("main")
    plant(ws, sentinel)
    path = f".:bin::{ws}/bin:{os.environ['PATH']}"
    run = run_action(
        workspace=ws,
        runner_temp=runner,
        event_name="push",
        payload=push_payload(before, after),
        env={"PATH": path, "PYTHONPATH": str(ws)},
    )
    assert not sentinel.exists(), sentinel.read_text()
    assert run.code == 1 and run.outputs["findings"] == "1", run.stdout + run.stderr


@pytest.mark.parametrize(
    ("path", "kept"),
    [
        ("/usr/bin:.:bin::/bin", "/usr/bin:/bin"),
        ("/ws/bin:/usr/bin:/ws", "/usr/bin"),
        ("/wsx/bin", "/wsx/bin"),  # a sibling, not inside the workspace
        ("", ""),
    ],
)
def test_safe_path(path: str, kept: str) -> None:
    assert safe_path(path, "/ws") == kept


def test_windows_fails_at_once_with_a_clear_message(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    git(ws, "init", "-q")
    run = run_action(
        workspace=ws,
        runner_temp=tmp_path / "temp",
        event_name="push",
        payload={},
        env={"RUNNER_OS": "Windows"},
        skip_install=False,
    )
    assert run.code == 1 and run.steps_run == ["Prepare qp-responder"]
    assert "Windows runners are not supported" in run.stdout and "ubuntu-latest" in run.stdout


def test_the_lock_pins_every_requirement_with_hashes() -> None:
    lock = (ROOT / "requirements" / "action.txt").read_text()
    entries = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)(.*?)(?=^\S|\Z)", lock, re.M | re.S)
    names = {name.lower() for name, _, _ in entries}
    assert {"click", "detect-secrets", "requests", "pygithub", "pynacl", "urllib3"} <= names
    assert all("--hash=sha256:" in rest for _, _, rest in entries)


FAKE_PYTHON = """#!/bin/sh
# a runner's python3 that is {what}
case "$*" in
    *"-m venv"*|*"-m pip"*) {venv} ;;
    *"-c"*) exit {too_old} ;;
esac
exec {real} "$@"
"""


@pytest.mark.parametrize(
    ("what", "venv", "too_old", "says"),
    [
        ("missing python3-venv and pip", "echo 'ensurepip is not available' >&2; exit 1", 0, "install python3-venv"),
        ("Python 3.9", "exit 1", 1, "needs Python 3.10 or later"),
    ],
)
def test_the_install_step_fails_at_once_with_what_to_do(
    tmp_path: Path, what: str, venv: str, too_old: int, says: str
) -> None:
    tools = tmp_path / "tools"
    tools.mkdir()
    fake = tools / "python3"
    fake.write_text(FAKE_PYTHON.format(what=what, venv=venv, too_old=too_old, real=sys.executable))
    fake.chmod(0o755)
    ws = tmp_path / "ws"
    ws.mkdir()
    git(ws, "init", "-q")
    run = run_action(
        workspace=ws,
        runner_temp=tmp_path / "temp",
        event_name="push",
        payload={},
        env={"PATH": f"{tools}:{os.environ['PATH']}"},
        skip_install=False,
    )
    assert run.code == 1 and run.steps_run == ["Prepare qp-responder", "Install qp-responder"]
    [error] = [line for line in run.stdout.splitlines() if line.startswith("::error")]
    assert says in error and "actions/setup-python" in error


@pytest.mark.parametrize("sealed_first", [True, False])
def test_a_failure_after_sealing_is_rotated_not_stored_never_an_internal_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sealed_first: bool
) -> None:
    """Whatever escapes the response once a key is sealed (here: a bug after on_sealed)."""
    from responder.actions import run as action_run
    from responder.response import service
    from responder.response.workflow import Status

    def broken_respond_all(options: object, items: object, *, on_sealed: object) -> list[object]:
        if sealed_first:
            on_sealed(["qpr1.token"])  # type: ignore[operator]
        raise RuntimeError("a bug")

    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs"
    monkeypatch.setattr(service, "respond_all", broken_respond_all)
    for name, value in {
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_REPOSITORY": "octo/app",
    }.items():
        monkeypatch.setenv(name, value)
    notes: list[str] = []
    if not sealed_first:  # nothing rotated yet: a bug stays a bug (exit 9 upstream)
        with pytest.raises(RuntimeError):
            action_run._respond(action_run.Inputs(respond=True), [], notes)
        return
    [outcome] = action_run._respond(action_run.Inputs(respond=True), [], notes)
    assert outcome.status is Status.NOT_STORED and outcome.resume_tokens == ("qpr1.token",)
    assert "qp-responder resume --sealed qpr1.token" in summary.read_text()
    assert "qpr1.token" in outputs.read_text()


@pytest.mark.parametrize("tool", ["sha256sum", "shasum"])  # Linux runners have the first, macOS the second
def test_the_cache_key_is_the_locks_sha256_on_linux_and_macos(tmp_path: Path, tool: str) -> None:
    import hashlib
    import shutil

    found = shutil.which(tool)
    if found is None:
        pytest.skip(f"{tool} is not installed here")
    only = tmp_path / "bin"
    only.mkdir()
    (only / tool).symlink_to(found)
    out = tmp_path / "output"
    done = subprocess.run(
        [shutil.which("bash") or "/bin/bash", str(ROOT / "action" / "prepare.sh")],
        env={
            "PATH": str(only),
            "GITHUB_ACTION_PATH": str(ROOT),
            "GITHUB_OUTPUT": str(out),
            "RUNNER_TEMP": str(tmp_path),
            "GITHUB_WORKSPACE": str(tmp_path / "ws"),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lock = (ROOT / "requirements" / "action.txt").read_bytes()
    assert out.read_text() == f"lock-hash={hashlib.sha256(lock).hexdigest()}\n"
