"""History and ranges are streamed from ``git log -p`` in pieces (responder.scanning.gitio):
cut between commits, and a commit too big for one piece cut between its files. Where the
cuts fall must never change what is found."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import pytest

from responder.scanning import gitio
from tests.conftest import Repo, Run, run_main
from tests.corpus import new_key

FILLER = "".join(f"line {n}: nothing to see here\n" for n in range(12))


def _history(repo: Repo) -> tuple[list[str], str]:
    """Twenty small commits (every fifth adds a key) and one commit of twelve files, the
    keys in its later files; returns the keys and the first commit."""
    keys: list[str] = []
    first = ""
    for n in range(20):
        body = FILLER
        if n % 5 == 4:
            keys.append(new_key())
            body += f"QUESTIONPRO_API_KEY={keys[-1]}\n"
        repo.write(f"c{n}/settings.env", body)
        sha = repo.commit(f"commit {n}")
        first = first or sha
    for n in range(12):
        body = FILLER
        if n in (7, 11):
            keys.append(new_key())
            body += f"QP_API_KEY={keys[-1]}\n"
        repo.write(f"big/f{n:02}.env", body)
    repo.commit("one big commit")
    return keys, first


def _scan(repo: Repo, argv: list[str], keys: list[str]) -> Run:
    return run_main(["scan", "--format", "json", *argv], repo.path, secrets=keys)


@pytest.mark.parametrize("argv", [["--history"], ["--range", "FIRST..HEAD"]], ids=["history", "range"])
def test_where_the_pieces_are_cut_changes_nothing(repo: Repo, monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> None:
    keys, first = _history(repo)
    argv = [arg.replace("FIRST", first) for arg in argv]
    whole = _scan(repo, argv, keys)
    assert whole.code == 1, whole.output
    assert whole.stdout.count('"hashed_secret"') == len(keys)  # (the first commit holds none)

    pieces: list[bytes] = []
    cut = gitio._pieces

    def recorded(read: Callable[[int], bytes]) -> Iterator[bytes]:
        for piece in cut(read):
            pieces.append(piece)
            yield piece

    monkeypatch.setattr(gitio, "_CHUNK", 256)
    monkeypatch.setattr(gitio, "_MAX_PIECE", 1024)
    monkeypatch.setattr(gitio, "_pieces", recorded)
    small = _scan(repo, argv, keys)
    assert (small.code, small.stdout, small.stderr) == (whole.code, whole.stdout, whole.stderr)
    assert len(pieces) > 5  # many cuts between commits
    headers = [piece.split(b"\n", 1)[0] for piece in pieces]
    assert any(a == b for a, b in itertools.pairwise(headers)), "no commit was cut between its files"
