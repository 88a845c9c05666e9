"""A repository another user owns: git refuses it (``safe.directory``), so that user's
config (``core.fsmonitor``, drivers, hooks) never runs as you. The scanner never switches
that check off, and says why it stops instead of "not a git repository" (issue 8)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import Repo, run_cli
from tests.corpus import new_key

pytestmark = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root")


@pytest.mark.parametrize("args", [["--staged"], ["--history"], ["--range", "HEAD"]])
def test_a_repository_owned_by_another_user_is_refused_by_name(repo: Repo, tmp_path: Path, args: list[str]) -> None:
    key = new_key()
    repo.write("conf.py", f'questionpro_api_key = "{key}"\n')
    repo.commit("leak")
    marker = tmp_path / "fsmonitor.ran"
    repo.git("config", "core.fsmonitor", f"touch {marker}; true")
    for where, _dirs, files in os.walk(repo.path):
        for name in [*_dirs, *files]:
            os.lchown(Path(where) / name, 65534, 65534)
    shutil.chown(repo.path, 65534, 65534)
    run = run_cli(["scan", *args], repo.path, secrets=[key])
    assert run.code == 2, run.output
    assert "owned by another user" in run.output and "safe.directory" in run.output
    assert not marker.exists()
