"""A bare repository and a clone of it, for tests that really push."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import Repo, git

BIN = Path(sys.executable).parent


def env_with_bin(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **(extra or {})}


@dataclass
class Pushed:
    code: int
    output: str


@dataclass
class Remote:
    """A bare repository on this machine and a clone of it."""

    server: Path
    clone: Repo

    def push(self, *args: str, env: dict[str, str] | None = None) -> Pushed:
        """``git push`` with this venv on PATH, or in exactly ``env`` when given."""
        done = subprocess.run(
            ["git", "push", *args],
            cwd=self.clone.path,
            capture_output=True,
            text=True,
            env=env if env is not None else env_with_bin(),
            timeout=900,
        )
        return Pushed(done.returncode, done.stdout + done.stderr)

    def branches(self) -> str:
        return git(self.server, "for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads")


def make_remote(tmp_path: Path) -> Remote:
    server = tmp_path / "server.git"
    git(tmp_path, "init", "-q", "--bare", str(server))
    git(tmp_path, "clone", "-q", str(server), "clone")
    clone = Repo(tmp_path / "clone")
    clone.write("README.md", "hello\n")
    clone.commit("first")
    git(clone.path, "push", "-q", "origin", "HEAD:main")
    return Remote(server, clone)


def leak_commit(repo: Repo, key: str, name: str = "app/settings.py") -> str:
    repo.write(name, f"# QuestionPro\nQUESTIONPRO_API_KEY = '{key}'\n")
    repo.git("add", "-A")
    repo.git("commit", "-q", "--no-verify", "-m", "leak")
    return repo.git("rev-parse", "HEAD")
