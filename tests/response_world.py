"""A local QuestionPro and GitHub for response tests, and the real CLI pointed at them.

The one world every response test uses (``test_respond``, the journal, token and attack
tests): the CLI runs in this process (``entry.main``) or, where only a real process will
do, in a subprocess; the clients' back-offs are recorded in ``slept`` instead of slept.
After every run, no key is in any byte of the output, the journal, the issues or the
requests GitHub received.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run, assert_no_secret, run_cli, run_main
from tests.corpus import new_key
from tests.fake_github import FakeGitHub
from tests.fake_questionpro import FakeQuestionPro

REPO = "octo/app"
MASK = "::add-mask::"


@dataclass
class World:
    qp: FakeQuestionPro
    gh: FakeGitHub
    old_key: str
    state: Path
    env: dict[str, str]
    cwd: Path
    slept: list[float]

    def run(
        self, *args: str, stdin: str | None = None, env: dict[str, str] | None = None, subprocess: bool = False
    ) -> Run:
        """The real CLI, as a user would call it (in this process unless ``subprocess``)."""
        full_env = {**self.env, **(env or {})}
        run = (run_cli if subprocess else run_main)(
            list(args), self.cwd, stdin=self.old_key + "\n" if stdin is None else stdin, env=full_env, secrets=()
        )
        self.assert_no_key_anywhere(run, in_actions=full_env.get("GITHUB_ACTIONS") == "true")
        return run

    def respond(
        self, *extra: str, key: str | None = None, env: dict[str, str] | None = None, subprocess: bool = False
    ) -> Run:
        stdin = (key or self.old_key) + "\n"
        return self.run("respond", "--repo", REPO, "--yes", *extra, stdin=stdin, env=env, subprocess=subprocess)

    def keys(self) -> list[str]:
        return [self.old_key, self.qp.valid_key, *self.qp.other_keys, *self.qp.issued]

    def assert_no_key_anywhere(self, run: Run | None = None, *, in_actions: bool = False) -> None:
        """In GitHub Actions, ``::add-mask::`` lines are the runner's masking commands, never
        displayed; everywhere else they are output like any other."""
        keys = self.keys()
        if run is not None:
            shown = [line for line in run.output.splitlines() if not (in_actions and line.startswith(MASK))]
            assert_no_secret("\n".join(shown), keys)
        for path in self.state.rglob("*"):
            if path.is_file():
                assert_no_secret(path.read_bytes(), keys)
        for issue in self.gh.issues:
            assert_no_secret(issue["title"] + issue["body"], keys)
        for _method, _path, body in self.gh.log:
            assert_no_secret(body, keys)

    def journals(self, state: Path | None = None) -> list[list[dict[str, object]]]:
        where = state or self.state
        return [[json.loads(line) for line in p.read_text().splitlines()] for p in sorted(where.glob("*.jsonl"))]

    def puts(self) -> list[str]:
        return [path for method, path, _body in self.gh.log if method == "PUT"]


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every back-off the clients built by the service ask for, recorded instead of slept."""
    from responder.response import service

    waits: list[float] = []
    build = service.build_services

    def without_sleeping(*args: Any, **kwargs: Any) -> Any:
        built = build(*args, **kwargs)
        return dataclasses.replace(
            built,
            questionpro=dataclasses.replace(built.questionpro, sleep=waits.append),
            secrets_github=dataclasses.replace(built.secrets_github, sleep=waits.append),
            issues_github=dataclasses.replace(built.issues_github, sleep=waits.append),
        )

    monkeypatch.setattr(service, "build_services", without_sleeping)
    return waits


@pytest.fixture
def world(tmp_path: Path, slept: list[float]) -> Iterator[World]:
    old = new_key()
    qp = FakeQuestionPro(valid_key=old)
    gh = FakeGitHub(
        repo=REPO,
        tokens={
            "issues-token": {"issues"},
            "secrets-token": {"secrets", "issues", "org"},
            "ghs_default": {"issues", "integration"},
        },
    )
    env = {
        "QUESTIONPRO_BASE_URL": qp.start(),
        "GITHUB_API_URL": gh.start(),
        "GITHUB_TOKEN": "issues-token",
        "QP_RESPONDER_SECRETS_TOKEN": "secrets-token",
        "QP_RESPONDER_STATE_DIR": str(tmp_path / "state"),
    }
    yield World(qp, gh, old, tmp_path / "state", env, tmp_path, slept)
    qp.stop()
    gh.stop()
