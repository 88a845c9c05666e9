"""Names that become GitHub API paths are checked strictly (issue 8 finding 9): nothing
that could collapse into another path (``..``) or smuggle text gets through, and the
CLI refuses it as a usage error before any request."""

from __future__ import annotations

from pathlib import Path

import pytest

from responder.response import names
from tests.conftest import run_cli
from tests.corpus import new_key


@pytest.mark.parametrize(
    ("check", "value", "ok"),
    [
        (names.repository, "octo/app", True),
        (names.repository, "octo-org/app.js", True),
        (names.repository, "o/_x-y.z", True),
        (names.repository, "o/..", False),
        (names.repository, "o/.", False),
        (names.repository, "../app", False),
        (names.repository, "o/a/b", False),
        (names.repository, "o/", False),
        (names.repository, "/app", False),
        (names.repository, "-o/app", False),
        (names.repository, "o--x/app", False),
        (names.repository, "o/a%2F..", False),
        (names.repository, "o/a b", False),
        (names.repository, "o/app\n", False),
        (names.repository, "o/" + "a" * 101, False),
        (names.owner, "octo", True),
        (names.owner, "a-b-c", True),
        (names.owner, "..", False),
        (names.owner, "a-", False),
        (names.owner, "a" * 40, False),
        (names.environment, "production", True),
        (names.environment, "Production EU", True),
        (names.environment, "staging/eu", True),  # percent-encoded into one segment
        (names.environment, "..", False),
        (names.environment, ".", False),
        (names.environment, "", False),
        (names.environment, " prod", False),
        (names.environment, "prod\x1b[31m", False),
        (names.environment, "e" * 256, False),
        (names.secret, "QUESTIONPRO_API_KEY", True),
        (names.secret, "_x1", True),
        (names.secret, "1X", False),
        (names.secret, "GITHUB_X", False),
        (names.secret, "github_x", False),
        (names.secret, "A-B", False),
        (names.secret, "..", False),
    ],
)
def test_name_rules(check: object, value: str, ok: bool) -> None:
    assert callable(check)
    if ok:
        assert check(value) == value
    else:
        with pytest.raises(names.InvalidName):
            check(value)


@pytest.mark.parametrize(
    "args",
    [
        ["--repo", "o/.."],
        ["--repo", "o/."],
        ["--repo", "../.."],
        ["--repo", "o/app", "--environment", ".."],
        ["--repo", "o/app", "--environment", "."],
        ["--repo", "o/app", "--org", ".."],
        ["--repo", "o/app", "--secret-name", "../x"],
    ],
)
@pytest.mark.parametrize("command", ["respond", "store"])
def test_collapsing_names_are_usage_errors(tmp_path: Path, command: str, args: list[str]) -> None:
    run = run_cli(
        [command, "--yes", *args],
        tmp_path,
        stdin=new_key() + "\n",
        env={
            "GITHUB_TOKEN": "t",
            "QUESTIONPRO_BASE_URL": "http://127.0.0.1:9",
            "GITHUB_API_URL": "http://127.0.0.1:9",
            "QP_RESPONDER_STATE_DIR": str(tmp_path / "state"),
        },
    )
    assert run.code == 2, run.output
    assert "invalid" in run.stderr
