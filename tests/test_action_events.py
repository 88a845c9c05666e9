"""The Action's events and reports (issue 11, items 14-16): merge groups scan only what
the group adds, pull_request_target fetches the head with the job's token when the
checkout kept no credentials (and says what to do when it cannot), and the job summary
lists every finding, linked to the file at its commit, with file names escaped."""

from __future__ import annotations

import base64
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from responder.actions import fetching
from tests.conftest import git
from tests.corpus import new_key
from tests.runner_sim import run_action
from tests.test_action import (  # noqa: F401 - fixtures
    Remote,
    action_venv,
    pr_payload,
    push_payload,
    remote,
    repo_payload,
    runner,
)


def test_merge_group_scans_only_the_groups_commits(remote: Remote, runner: Path) -> None:
    old, new = new_key(), new_key()
    remote.commit("old.env", f"QP_API_KEY={old}\n")  # on main already: not the group's business
    remote.push("main")
    base = git(remote.dev, "rev-parse", "HEAD")
    git(remote.dev, "checkout", "-q", "-b", "gh-readonly-queue/main/pr-5")
    head = remote.commit("new.env", f"QP_API_KEY={new}\n")
    remote.push("gh-readonly-queue/main/pr-5")
    payload = {
        "merge_group": {
            "head_sha": head,
            "head_ref": "refs/heads/gh-readonly-queue/main/pr-5",
            "base_sha": base,
            "base_ref": "refs/heads/main",
        },
        "repository": repo_payload(),
    }
    run = run_action(
        workspace=remote.checkout(head, depth=1), runner_temp=runner, event_name="merge_group", payload=payload
    )
    assert run.code == 1, run.stdout + run.stderr
    assert [a.split(",")[0] for a in run.annotations()] == ["::error file=new.env"]
    assert f"{base[:12]}..{head[:12]}" in run.summary


class _Recorder(BaseHTTPRequestHandler):
    seen: list[str | None]

    def do_GET(self) -> None:
        self.seen.append(self.headers.get("Authorization"))
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def git_server() -> Iterator[tuple[str, list[str | None]]]:
    seen: list[str | None] = []
    handler = type("Handler", (_Recorder,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def test_a_fetch_without_credentials_retries_with_the_token_as_a_header(
    tmp_path: Path, git_server: tuple[str, list[str | None]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, seen = git_server
    ws = tmp_path / "ws"
    ws.mkdir()
    git(ws, "init", "-q")
    git(ws, "remote", "add", "origin", f"{url}/octo/app")
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_jobtoken")
    monkeypatch.setenv("GITHUB_SERVER_URL", url)
    assert not fetching.fetch(ws, "+refs/pull/7/head:refs/remotes/qp-responder/pull-7")
    expected = "basic " + base64.b64encode(b"x-access-token:ghs_jobtoken").decode()
    assert seen[0] is None and expected in seen  # first as the checkout left it, then with the token
    assert "ghs_jobtoken" not in (ws / ".git" / "config").read_text()
    assert "GIT_CONFIG_COUNT" not in os.environ  # scoped to that one fetch


def test_auth_env_adds_after_existing_git_config_variables() -> None:
    env = fetching.auth_env("t", "https://ghe.example/", {"GIT_CONFIG_COUNT": "2"})
    assert env["GIT_CONFIG_COUNT"] == "3"
    assert env["GIT_CONFIG_KEY_2"] == "http.https://ghe.example/.extraheader"
    assert env["GIT_CONFIG_VALUE_2"] == "AUTHORIZATION: basic " + base64.b64encode(b"x-access-token:t").decode()


def test_pull_request_target_that_cannot_fetch_the_head_says_what_to_do(remote: Remote, runner: Path) -> None:
    base = git(remote.dev, "rev-parse", "HEAD")
    run = run_action(
        workspace=remote.checkout("main", depth=1),
        runner_temp=runner,
        event_name="pull_request_target",
        payload=pr_payload(9, base, "9" * 40, fork=True),
        env={"GITHUB_TOKEN": "ghs_jobtoken"},
    )
    assert run.code == 2, run.stdout + run.stderr
    [message] = run.annotations()
    assert "could not fetch pull request #9 (refs/pull/9/head)" in message and "contents: read" in message
    assert "fetch-depth: 0" not in message


def test_the_summary_lists_every_finding_linked_and_escaped(remote: Remote, runner: Path) -> None:
    before = git(remote.dev, "rev-parse", "HEAD")
    hostile = "x`](https:__evil.example)<img>.env"
    remote.commit(hostile, f"QP_API_KEY={new_key()}\n")
    for index in range(11):
        remote.commit(f"conf/k{index}.env", f"QP_API_KEY={new_key()}\n")
    after = git(remote.dev, "rev-parse", "HEAD")
    remote.push("main")
    run = run_action(
        workspace=remote.checkout("main"), runner_temp=runner, event_name="push", payload=push_payload(before, after)
    )
    assert run.code == 1 and run.outputs["findings"] == "12"
    assert len(run.annotations()) == 12  # GitHub shows 10 of them: the summary holds all
    assert "GitHub shows 10 annotations of a kind per step: all 12 findings are here." in run.summary
    rows = [line for line in run.summary.splitlines() if line.startswith("| [")]
    assert len(rows) == 12
    assert "/blob/" in rows[1] and rows[1].split("](")[1].startswith("https://github.com/octo/app/blob/")
    assert "x\\`\\](https:__evil.example)\\<img\\>.env" in run.summary
    assert "<img>" not in run.summary
