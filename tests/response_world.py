"""A local QuestionPro and GitHub for response tests, and the real CLI pointed at them.

(The same world ``test_respond`` builds; kept separate so the response-core tests do not
depend on how that file runs its matrix.)
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import Run, assert_no_secret, run_main
from tests.corpus import new_key
from tests.fake_github import FakeGitHub
from tests.fake_questionpro import FakeQuestionPro

REPO = "octo/app"


@dataclass
class World:
    qp: FakeQuestionPro
    gh: FakeGitHub
    old_key: str
    state: Path
    env: dict[str, str]
    cwd: Path

    def run(self, *args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> Run:
        """The real CLI in this process (``entry.main``), as a user would call it."""
        stdin = self.old_key + "\n" if stdin is None else stdin
        run = run_main(list(args), self.cwd, stdin=stdin, env={**self.env, **(env or {})})
        self.assert_no_key_anywhere(run)
        return run

    def respond(self, *extra: str, key: str | None = None, env: dict[str, str] | None = None) -> Run:
        return self.run("respond", "--repo", REPO, "--yes", *extra, stdin=(key or self.old_key) + "\n", env=env)

    def keys(self) -> list[str]:
        return [self.old_key, self.qp.valid_key, *self.qp.other_keys, *self.qp.issued]

    def assert_no_key_anywhere(self, run: Run | None = None) -> None:
        keys = self.keys()
        if run is not None:
            assert_no_secret(run.output, keys)
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
def world(tmp_path: Path) -> Iterator[World]:
    old = new_key()
    qp = FakeQuestionPro(valid_key=old)
    gh = FakeGitHub(repo=REPO, tokens={"issues-token": {"issues"}, "secrets-token": {"secrets", "issues", "org"}})
    env = {
        "QUESTIONPRO_BASE_URL": qp.start(),
        "GITHUB_API_URL": gh.start(),
        "GITHUB_TOKEN": "issues-token",
        "QP_RESPONDER_SECRETS_TOKEN": "secrets-token",
        "QP_RESPONDER_STATE_DIR": str(tmp_path / "state"),
    }
    yield World(qp, gh, old, tmp_path / "state", env, tmp_path)
    qp.stop()
    gh.stop()
