"""No git process the scan runs holds a credential in its environment (issue 8: keys and
tokens never travel where they are not needed). git needs none to read a repository, so
``GITHUB_TOKEN``, the secrets token and a QuestionPro key in the environment stay out of
every git call but a fetch: nothing a repository could make git run would find them.

A ``git`` wrapper first on PATH records the environment of every git the scan runs."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from tests.conftest import Repo, run_cli
from tests.corpus import new_key

CREDENTIALS = {
    "GITHUB_TOKEN": "ghs_" + "T" * 36,
    "GH_TOKEN": "gho_" + "G" * 36,
    "QP_RESPONDER_SECRETS_TOKEN": "github_pat_" + "S" * 40,
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "oidc-" + "O" * 30,
}


def _wrapper(tmp_path: Path) -> tuple[Path, Path]:
    real = shutil.which("git")
    assert real
    bin_dir, seen = tmp_path / "bin", tmp_path / "git-env"
    bin_dir.mkdir()
    git = bin_dir / "git"
    git.write_text(f'#!/bin/sh\nenv >> "{seen}"\necho ---- >> "{seen}"\nexec "{real}" "$@"\n', encoding="utf-8")
    git.chmod(git.stat().st_mode | stat.S_IXUSR)
    return bin_dir, seen


@pytest.mark.parametrize("args", [["--staged"], ["--history"], ["--range", "HEAD"], ["."]])
def test_no_git_the_scan_runs_sees_a_credential(repo: Repo, tmp_path: Path, args: list[str]) -> None:
    key = new_key()
    repo.write("conf.py", f'questionpro_api_key = "{key}"\n')
    repo.commit("leak")
    repo.write("staged.py", f'QP_API_KEY = "{new_key()}"\n')
    repo.git("add", "staged.py")
    bin_dir, seen = _wrapper(tmp_path)
    env = {**CREDENTIALS, "QUESTIONPRO_API_KEY": key, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    run = run_cli(["scan", *args], repo.path, env=env, secrets=[key])
    assert run.code == 1, run.output
    recorded = seen.read_text(encoding="utf-8")
    assert recorded.count("----") >= 1  # git ran, through the wrapper
    for name, value in [*CREDENTIALS.items(), ("QUESTIONPRO_API_KEY", key)]:
        assert value not in recorded, f"{name} reached git's environment"
