"""A planted ``shallow`` file cannot hide history (issue 8: the scanned repository is
hostile). git treats the commits it names as having no parents, so a repository handed
over with one stops ``--history`` (and every revision walk) there, although the commits
behind, with their keys, are present. Refused with exit 2; a real shallow clone (whose
history is simply not here) is scanned and says what it could not see."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Repo, git, run_cli
from tests.corpus import new_key


def _history(repo: Repo) -> tuple[str, str, str]:
    repo.write("a.txt", "base\n")
    base = repo.commit("base")
    key = new_key()
    repo.write("conf.py", f'questionpro_api_key = "{key}"\n')
    repo.commit("leak")
    repo.write("conf.py", "x = 1\n")
    tip = repo.commit("tip")
    return key, base, tip


@pytest.mark.parametrize("mode", ["--history", "--range", "--pre-push"])
def test_a_planted_shallow_file_is_refused(repo: Repo, mode: str) -> None:
    key, base, tip = _history(repo)
    repo.write(".git/shallow", f"{tip}\n")
    if mode == "--history":
        run = run_cli(["scan", "--history"], repo.path, secrets=[key])
    elif mode == "--range":
        run = run_cli(["scan", "--range", f"{base}..{tip}"], repo.path, secrets=[key])
    else:
        zero = "0" * 40
        run = run_cli(
            ["scan", "--pre-push"], repo.path, stdin=f"refs/heads/x {tip} refs/heads/x {zero}\n", secrets=[key]
        )
    assert run.code == 2, run.output
    assert ".git/shallow marks commits" in run.output and "parents of them are in this repository" in run.output


def test_a_real_shallow_clone_says_what_it_could_not_scan(repo: Repo, tmp_path: Path) -> None:
    key, _base, tip = _history(repo)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone))
    run = run_cli(["scan", "--history"], clone, secrets=[key])
    assert run.code == 0, run.output
    assert f"shallow clone: the history behind 1 commit(s) ({tip[:12]})" in " ".join(run.output.split())
