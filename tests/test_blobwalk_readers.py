"""The blob readers of ``--history``: what one answer of ``git cat-file --batch`` becomes
(a verdict), blobs too big to hold probed in pieces, and a one-core machine judging in
the process instead of in a forked reader."""

from __future__ import annotations

import io
import json
import os

import pytest

from responder.core.redact import hashed_secret
from responder.scanning import blobwalk, triage
from tests.conftest import Repo, run_main
from tests.corpus import new_key, new_uuid

SHA = b"0" * 39 + b"1"


def _answer(kind: bytes, body: bytes) -> bytes:
    return SHA + b" " + kind + b" %d\n" % len(body) + body + b"\n"


def _verdicts(stream: bytes) -> list[blobwalk._Verdict | None]:
    out = io.BytesIO(stream)
    found = []
    while (verdict := blobwalk._next_verdict(out, triage.has_suspect_line)) is not None:
        found.append(verdict)
    return [*found, None]


KEY_LINE = f"QUESTIONPRO_API_KEY={new_key()}\n".encode()
# (cat-file's output, the verdicts read from it in turn)
ANSWERS = {
    "nothing": (b"", []),
    "a clean blob": (_answer(b"blob", b"x = 1\n"), [blobwalk._Verdict.CLEAN]),
    "a key": (_answer(b"blob", b"x = 1\n" + KEY_LINE), [blobwalk._Verdict.SUSPECT]),
    "a request id": (_answer(b"blob", f'request_id = "{new_uuid()}"\n'.encode()), [blobwalk._Verdict.CLEAN]),
    "a missing object": (SHA + b" missing\n", [blobwalk._Verdict.MISSING]),
    "a tree is never a suspect blob": (_answer(b"tree", KEY_LINE), [blobwalk._Verdict.CLEAN]),
    "each answer in turn": (
        _answer(b"blob", KEY_LINE) + SHA + b" missing\n" + _answer(b"blob", b"\n"),
        [blobwalk._Verdict.SUSPECT, blobwalk._Verdict.MISSING, blobwalk._Verdict.CLEAN],
    ),
}


@pytest.mark.parametrize("case", ANSWERS)
def test_each_answer_becomes_one_verdict(case: str) -> None:
    stream, verdicts = ANSWERS[case]
    assert _verdicts(stream) == [*verdicts, None]


@pytest.mark.parametrize("offset", [0, 12, 20, 23, 30, 45, 55, 90])  # 12-23, 45-55: the probe spans a cut
def test_a_blob_too_big_to_hold_is_probed_in_pieces(monkeypatch: pytest.MonkeyPatch, offset: int) -> None:
    """Any UUID makes a blob over MAX_BLOB_BYTES suspect, wherever the pieces cut it; the
    answer after it is read from where it starts."""
    monkeypatch.setattr(blobwalk, "MAX_BLOB_BYTES", 64)
    monkeypatch.setattr(blobwalk, "_PIECE", 32)
    body = b"." * offset + new_uuid().encode() + b"." * 50
    clean = b"." * len(body)
    stream = _answer(b"blob", body) + _answer(b"blob", clean) + _answer(b"blob", b"small\n")
    expected = [blobwalk._Verdict.SUSPECT, blobwalk._Verdict.CLEAN, blobwalk._Verdict.CLEAN, None]
    assert _verdicts(stream) == expected


def test_one_core_judges_in_this_process(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """No forked reader on one core (or without fork): the same keys in the same commits."""
    where = {}
    for n in range(12):
        key = new_key() if n % 5 == 2 else None
        repo.write(f"c{n}.env", f"n = {n}\n" + (f"QUESTIONPRO_API_KEY={key}\n" if key else ""))
        sha = repo.commit(f"commit {n}")
        if key:
            where[key] = sha
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    forks: list[int] = []
    monkeypatch.setattr(blobwalk._Judge, "_fork", lambda self, inherited: forks.append(1))
    done = run_main(["scan", "--history", "--format", "json"], repo.path, secrets=list(where))
    assert done.code == 1
    assert forks == []
    found = {(f["hashed_secret"], f["commit"]) for f in json.loads(done.stdout)}
    assert found == {(hashed_secret(key), sha) for key, sha in where.items()}
