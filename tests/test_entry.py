"""The one way out: ``responder.entry.main(argv) -> int`` turns every error into its exit
code and a message, in one place; nothing else in the package exits."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import click
import pytest

from responder import entry
from responder.actions.run import ActionError
from responder.core.errors import QprError, UsageError
from responder.core.exitcodes import ExitCode
from responder.response.resume_token import TokenError
from responder.scanning.baseline import BaselineError
from responder.scanning.gitio import GitError
from tests.conftest import ROOT, assert_no_secret
from tests.corpus import new_key


@pytest.mark.parametrize(
    ("error", "code", "stdout", "stderr"),
    [
        (QprError("it broke"), 2, "", "qp-responder: error: it broke\n"),
        (UsageError("give --repo"), 2, "", "qp-responder: error: give --repo\n"),
        (GitError("not a git repository"), 2, "", "qp-responder: error: not a git repository\n"),
        (BaselineError("baseline unreadable"), 2, "", "qp-responder: error: baseline unreadable\n"),
        (TokenError("not a resume token"), 2, "", "qp-responder: error: not a resume token\n"),
        (
            QprError("storing failed", exit_code=ExitCode.NOT_STORED),
            6,
            "",
            "qp-responder: error: storing failed\n",
        ),
        (ActionError("use fetch-depth: 0"), 2, "::error::qp-responder: use fetch-depth: 0\n", ""),
        (KeyboardInterrupt(), 130, "", "qp-responder: interrupted\n"),
        (RuntimeError("a bug"), 9, "", "qp-responder: internal error: RuntimeError: a bug\n"),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else None,
)
def test_each_error_has_its_exit_code_and_message(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    error: BaseException,
    code: int,
    stdout: str,
    stderr: str,
) -> None:
    def fail(_argv: list[str]) -> int:
        raise error

    monkeypatch.setattr(entry, "_dispatch", fail)
    assert entry.main(["anything"]) == code
    assert capsys.readouterr() == (stdout, stderr)


@pytest.mark.parametrize(
    ("argv", "code", "stream", "text"),
    [
        (["--version"], 0, "out", "qp-responder, version"),
        (["scan", "--no-such-flag"], 2, "err", "No such option '--no-such-flag'"),
        (["no-such-command"], 2, "err", "No such command"),
        (["scan", "--staged", "--history"], 2, "err", "qp-responder: error: give PATHS, --staged"),
        (["respond", "--repo", "octo/app", "--yes"], 2, "err", "qp-responder: error: not a QuestionPro key"),
    ],
)
def test_main_returns_the_code_it_would_exit_with(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    argv: list[str],
    code: int,
    stream: str,
    text: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO("not a key\n"))
    assert entry.main(argv) == code
    out, err = capsys.readouterr()
    assert text in (out if stream == "out" else err)


def test_an_interrupt_inside_click_is_130_not_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """click turns Ctrl-C into Abort, which it would exit with 1: here that means "leak found"."""
    from responder.cli.main import cli

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise click.Abort

    monkeypatch.setattr(cli, "main", interrupted)
    assert entry.main(["respond"]) == 130
    assert capsys.readouterr().err == "qp-responder: interrupted\n"


def test_a_crash_never_prints_a_key(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    key = new_key()

    def crash(_argv: list[str]) -> int:
        raise ValueError(f"bad state near {key}")

    monkeypatch.setattr(entry, "_dispatch", crash)
    assert entry.main([]) == ExitCode.INTERNAL
    err = capsys.readouterr().err
    assert f"{key[:4]}…{key[-4:]}" in err
    assert_no_secret(err, [key])


def _exits(path: Path) -> list[int]:
    """Lines that call sys.exit / exit / quit or raise SystemExit."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            if name in ("sys.exit", "exit", "quit"):  # (os._exit ends a forked child, not the command)
                found.append(node.lineno)
        elif isinstance(node, ast.Raise) and node.exc is not None and "SystemExit" in ast.unparse(node.exc):
            found.append(node.lineno)
    return sorted(found)


@pytest.mark.parametrize(
    "path",
    [p for p in sorted((ROOT / "responder").rglob("*.py")) if p.name != "__main__.py"],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_nothing_but_the_console_script_exits(path: Path) -> None:
    """Commands return their code and errors carry theirs; only ``python -m responder``
    (and the console script pip writes) pass main's result to sys.exit."""
    assert _exits(path) == [], f"{path.name} exits at line(s) {_exits(path)}: raise a QprError instead"


def test_the_check_sees_an_exit(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import sys\nsys.exit(2)\nraise SystemExit(3)\n")
    assert _exits(bad) == [2, 3]
