"""A security gate fails closed (issue 8): when git cannot read a file of the commits
being checked (a damaged repository, a partial clone), that file was not scanned, so the
push is refused and a history audit or the Action's scan says it is incomplete (exit 2),
never "no key found" with exit 0. A key that *was* found still exits 1."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import Repo, dispatch_env, run_cli
from tests.corpus import new_key

ZERO = "0" * 40


def _damaged(repo: Repo, *, also_found: bool) -> tuple[str, str]:
    """base, then a commit whose file's blob is gone from the object store; the branch is
    moved back to base so the commit is new to the repository (as a push brings it)."""
    repo.write("a.py", "x = 0\n")
    base = repo.commit("base")
    repo.write("conf.py", f'questionpro_api_key = "{new_key()}"\n')
    if also_found:
        repo.write("other.py", f'QUESTIONPRO_API_KEY = "{new_key()}"\n')
    tip = repo.commit("leak")
    blob = repo.git("rev-parse", f"{tip}:conf.py")
    os.remove(repo.path / ".git" / "objects" / blob[:2] / blob[2:])
    repo.git("update-ref", "refs/heads/keep-tip", tip)  # reachable for --history
    return base, tip


def _run(repo: Repo, mode: str, base: str, tip: str, tmp_path: Path) -> tuple[int, str]:
    if mode == "--history":
        run = run_cli(["scan", "--history"], repo.path)
    elif mode == "--pre-push":
        lines = f"refs/heads/main {tip} refs/heads/main {base}\n"
        run = run_cli(["scan", "--pre-push"], repo.path, stdin=lines)
    elif mode == "--pre-receive":
        repo.git("update-ref", "-d", "refs/heads/keep-tip")
        run = run_cli(["scan", "--pre-receive"], repo.path, stdin=f"{base} {tip} refs/heads/main\n")
    else:  # the Action's scan of the whole history
        run = run_cli(["action"], repo.path, env=dispatch_env(repo.path, tmp_path))
        summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
        assert "cannot read conf.py" in summary
    return run.code, run.output


MODES = ["--history", "--pre-push", "--pre-receive", "action"]


@pytest.mark.parametrize("mode", MODES)
def test_a_file_git_cannot_read_fails_closed(repo: Repo, tmp_path: Path, mode: str) -> None:
    base, tip = _damaged(repo, also_found=False)
    if mode != "--history":
        repo.git("update-ref", "refs/heads/main", base)
    code, output = _run(repo, mode, base, tip, tmp_path)
    assert code == 2, output
    assert "conf.py in commit" in output and "cannot read" in output
    assert "no key can be ruled out" in output
    assert "no QuestionPro API key found" not in output


@pytest.mark.parametrize("mode", MODES)
def test_a_key_found_beside_an_unreadable_file_is_still_a_finding(repo: Repo, tmp_path: Path, mode: str) -> None:
    base, tip = _damaged(repo, also_found=True)
    if mode != "--history":
        repo.git("update-ref", "refs/heads/main", base)
    code, output = _run(repo, mode, base, tip, tmp_path)
    assert code == 1, output
    assert "conf.py in commit" in output and "cannot read" in output
