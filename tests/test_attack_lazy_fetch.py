"""A scan never goes to the network, so a repository handed over as a partial clone cannot
make git run its config's commands through a lazy fetch of a missing blob
(``remote.<name>.uploadpack``, ``core.sshCommand``, a credential helper) — not even with
``protocol.file.allow=always`` in its own config (issue 8: the scanned repository is
hostile). The blob stays missing and the scan fails closed (exit 2)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import Repo, git, run_cli
from tests.corpus import new_key


def _hostile_partial_clone(repo: Repo, tmp_path: Path) -> tuple[Path, str, str]:
    """A repository missing one blob, set up as a partial clone whose promisor remote has
    it and whose config would run a command to fetch it: (marker, key, base)."""
    repo.write("a.txt", "base\n")
    base = repo.commit("base")
    key = new_key()
    repo.write("conf.py", f'questionpro_api_key = "{key}"\n')
    tip = repo.commit("leak")
    promisor = tmp_path / "promisor.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo.path), str(promisor))
    blob = repo.git("rev-parse", f"{tip}:conf.py")
    os.remove(repo.path / ".git" / "objects" / blob[:2] / blob[2:])
    marker = tmp_path / "uploadpack.ran"
    for name, value in {
        "core.repositoryformatversion": "1",
        "extensions.partialClone": "origin",
        "remote.origin.url": str(promisor),
        "remote.origin.promisor": "true",
        "remote.origin.uploadpack": f"touch {marker}; git-upload-pack",
        "protocol.file.allow": "always",
        "protocol.allow": "always",
    }.items():
        repo.git("config", name, value)
    return marker, key, base


@pytest.mark.parametrize("mode", ["--history", "--range"])
def test_a_partial_clone_never_fetches_and_runs_nothing(repo: Repo, tmp_path: Path, mode: str) -> None:
    marker, key, base = _hostile_partial_clone(repo, tmp_path)
    args = ["--history"] if mode == "--history" else ["--range", f"{base}..HEAD"]
    run = run_cli(["scan", *args], repo.path, secrets=[key])
    assert not marker.exists(), "a lazy fetch ran the repository's upload-pack command"
    assert run.code == 2, run.output
    assert "conf.py" in run.output
