"""A scanned repository cannot show git another commit in place of the one holding a key:
replace refs (``refs/replace/*``, which ``clone --mirror`` fetches) and ``info/grafts``
are ignored by every mode that reads history (issue 8: the scanned repository is hostile)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Repo, run_cli
from tests.corpus import new_key


def _leak_then_hide(repo: Repo, how: str) -> tuple[str, str, str]:
    """base, leak, tip; then the leak commit hidden behind a replace ref or a graft."""
    repo.write("conf.py", "x = 0\n")
    base = repo.commit("base")
    key = new_key()
    repo.write("conf.py", f'questionpro_api_key = "{key}"\n')
    leak = repo.commit("leak")
    repo.write("conf.py", "x = 1\n")
    tip = repo.commit("tip")
    if how == "replace":
        innocent = repo.git("commit-tree", f"{base}^{{tree}}", "-p", base, "-m", "innocent")
        repo.git("replace", leak, innocent)
    else:
        repo.write(".git/info/grafts", f"{tip} {base}\n")
    return key, base, leak


@pytest.mark.parametrize("how", ["replace", "grafts"])
@pytest.mark.parametrize("mode", ["--history", "--range"])
def test_replace_refs_and_grafts_do_not_hide_a_commit(repo: Repo, how: str, mode: str) -> None:
    key, base, leak = _leak_then_hide(repo, how)
    args = ["--history"] if mode == "--history" else ["--range", f"{base}..HEAD"]
    run = run_cli(["scan", "--format", "json", *args], repo.path, secrets=[key])
    assert run.code == 1, run.stderr
    assert [(f["filename"], f["commit"]) for f in json.loads(run.stdout)] == [("conf.py", leak)]
