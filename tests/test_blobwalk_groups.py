"""``--history`` hands commits from the raw log to the blob readers in groups (a few dozen
commits, or a thousand new blobs): where a group ends must never change what is found,
nor which commit a key is reported in."""

from __future__ import annotations

import json

import pytest

from responder.core.redact import hashed_secret
from responder.scanning import blobwalk
from tests.conftest import Repo, run_main
from tests.corpus import new_key


def _history(repo: Repo, commits: int, wide: int) -> dict[str, str]:
    """``commits`` small commits, a key in every seventh; then one commit of ``wide`` new
    files with a key in its last. Returns each key's commit."""
    where: dict[str, str] = {}
    for n in range(commits):
        key = new_key() if n % 7 == 3 else None
        repo.write(f"c{n}/settings.env", f"n = {n}\n" + (f"QUESTIONPRO_API_KEY={key}\n" if key else ""))
        sha = repo.commit(f"commit {n}")
        if key:
            where[key] = sha
    key = new_key()
    for n in range(wide):
        repo.write(f"wide/f{n:04}.env", f"n = {n}\n" + (f"QP_API_KEY={key}\n" if n == wide - 1 else ""))
    where[key] = repo.commit("one wide commit")
    return where


# (commits per group, new blobs per group): one commit at a time, the default, small groups
# and groups the wide commit's blob count ends
GROUPS = [(1, 1), (blobwalk._GROUP_COMMITS, blobwalk._GROUP_BLOBS), (5, 3), (64, 40)]


@pytest.mark.parametrize(("commits", "blobs"), GROUPS, ids=[f"{c}x{b}" for c, b in GROUPS])
def test_where_a_group_ends_changes_nothing(
    repo: Repo, monkeypatch: pytest.MonkeyPatch, commits: int, blobs: int
) -> None:
    where = _history(repo, 45, 60)
    monkeypatch.setattr(blobwalk, "_GROUP_COMMITS", commits)
    monkeypatch.setattr(blobwalk, "_GROUP_BLOBS", blobs)
    done = run_main(["scan", "--history", "--format", "json"], repo.path, secrets=list(where))
    found = json.loads(done.stdout)
    assert done.code == 1
    assert {(f["hashed_secret"], f["commit"]) for f in found} == {
        (hashed_secret(key), sha) for key, sha in where.items()
    }
