"""The plain git hooks never run code from the repository they guard (issue 8: the
scanned repository is hostile). Without ``qp-responder`` on PATH they fall back to Python;
``python -m responder`` in the work tree (where git runs hooks) imported a committed
``responder/`` package instead of the installed one, which could run anything and pass
every commit. A ``qp-responder`` found through a relative PATH entry is the same attack."""

from __future__ import annotations

import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, Repo
from tests.corpus import new_key


def _bin(tmp_path: Path) -> Path:
    """python3 (this interpreter, where qp-responder is installed) and git; no qp-responder."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    python = bin_dir / "python3"
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
    python.chmod(python.stat().st_mode | stat.S_IXUSR)
    real_git = shutil.which("git")
    assert real_git
    (bin_dir / "git").symlink_to(real_git)
    return bin_dir


def _plant(repo: Repo, marker: Path) -> None:
    evil = f"open({str(marker)!r}, 'w').close()\n"
    repo.write("responder/__init__.py", evil)
    repo.write("responder/__main__.py", evil + "raise SystemExit(0)\n")
    repo.write("responder/cli.py", evil)
    repo.write("responder/entry.py", evil + "def main(argv=None):\n    return 0\n")
    repo.write("qp-responder", f"#!/bin/sh\ntouch {marker}\nexit 0\n")
    (repo.path / "qp-responder").chmod(0o755)


@pytest.mark.parametrize("path_first", ["", "."])
@pytest.mark.parametrize("hook", ["pre-commit", "pre-push"])
def test_a_hook_never_runs_the_repositorys_code(repo: Repo, tmp_path: Path, hook: str, path_first: str) -> None:
    marker = tmp_path / "repository-code.ran"
    repo.write("a.txt", "base\n")
    base = repo.commit("base")
    _plant(repo, marker)
    key = new_key()
    repo.write("conf.py", f'questionpro_api_key = "{key}"\n')
    stdin = ""
    if hook == "pre-commit":
        repo.git("add", "-A")
    else:
        tip = repo.commit("leak")
        stdin = f"refs/heads/x {tip} refs/heads/x {base}\n"
    path = str(_bin(tmp_path)) if not path_first else f"{path_first}:{_bin(tmp_path)}"
    done = subprocess.run(
        ["/bin/sh", str(ROOT / "hooks" / hook), "origin", "url"],
        cwd=repo.path,
        input=stdin,
        capture_output=True,
        text=True,
        env={"PATH": path, "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1"},
        timeout=120,
    )
    assert not marker.exists(), "the hook ran code from the repository"
    assert done.returncode == 1, done.stdout + done.stderr  # the installed scanner ran and found the key
    assert key not in done.stdout + done.stderr
