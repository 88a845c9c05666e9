"""Judging a repository's packs and loose objects on every core (``packs`` reads them).

The delta trees and loose objects are cut into chunks that this process and a forked
worker per other core take from one queue, a pipe of chunk numbers written before the
fork, biggest chunk first: a core that ``git log`` or another process slows simply takes
fewer. Each worker writes its verdicts to a file of its own, read once it has exited; a
worker that dies makes the whole judgement void (PackError), never a partial one.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from responder.scanning import packs

_CHUNKS = 256  # about this many chunks of delta trees: enough to even out the cores
_LOOSE_CHUNK = 256  # loose objects per chunk
_MAX_CHUNKS = 2048  # the queue's numbers (4 bytes each) must fit a pipe before anyone reads it
_RECORD = 1 + 20  # a verdict and a blob id


@dataclass(frozen=True)
class Verdicts:
    """What the packs say about blobs (binary ids): ``covered`` are the blobs they can
    rebuild and every loose object (one that is no blob is no suspect, as with cat-file),
    ``suspects`` hold a suspect line, ``failed`` were found but not judged. Anything else
    is git's to read."""

    covered: set[bytes]
    suspects: set[bytes]
    failed: set[bytes]

    def suspect(self, blob: bytes) -> bool | None:
        """True or False, or None when git must read the blob."""
        if blob in self.suspects:
            return True
        return None if blob in self.failed or blob not in self.covered else False


@dataclass(frozen=True)
class _Chunk:
    trees: list[tuple[int, int]]  # (pack number, root offset)
    loose: list[bytes]


def _weight(pack: packs.Pack, root: int) -> int:
    """About what judging a delta tree costs: each version is inflated and probed whole,
    and a version's size is near its root's."""
    nodes, stack = 0, [root]
    while stack:
        nodes += 1
        stack.extend(pack.children.get(stack.pop(), ()))
    return nodes * max(pack.where[root][2], 1)


def _chunks(found: list[packs.Pack], loose: list[bytes]) -> list[_Chunk]:
    """Chunks of about equal cost, biggest first (a big tree is a chunk of its own)."""
    trees = sorted(
        ((_weight(pack, root), n, root) for n, pack in enumerate(found) for root in pack.roots), reverse=True
    )
    target = max(1, sum(weight for weight, _, _ in trees) // _CHUNKS)
    chunks: list[_Chunk] = []
    current: list[tuple[int, int]] = []
    load = 0
    for weight, n, root in trees:
        current.append((n, root))
        load += weight
        if load >= target:
            chunks.append(_Chunk(current, []))
            current, load = [], 0
    if current:
        chunks.append(_Chunk(current, []))
    step = max(_LOOSE_CHUNK, -(-len(loose) // (_MAX_CHUNKS - len(chunks))))
    chunks += [_Chunk([], loose[i : i + step]) for i in range(0, len(loose), step)]
    return chunks


def _work(
    objects: Path,
    found: list[packs.Pack],
    chunks: list[_Chunk],
    queue: int,
    is_suspect: Callable[[bytes], bool],
    out: IO[bytes],
) -> None:
    """Take chunk numbers from the queue until it is empty; write a record per verdict."""
    apply = packs.native_delta()
    assert apply is not None
    while len(taken := os.read(queue, 4)) == 4:
        chunk = chunks[int.from_bytes(taken, "big")]
        for n, root in chunk.trees:
            for verdict, blob_id in packs.judge_tree(found[n], root, is_suspect, apply):
                out.write(verdict + blob_id)
        for verdict, blob_id in packs.judge_loose(objects, chunk.loose, is_suspect):
            out.write(verdict + blob_id)


def _fork(work: Callable[[IO[bytes]], None]) -> tuple[int, IO[bytes]]:
    """A forked worker running ``work`` into a file of its own: (pid, the file)."""
    results = tempfile.TemporaryFile()
    pid = os.fork()
    if pid:
        return pid, results
    code = 1
    try:  # the worker: never returns into the caller
        with results:
            work(results)
        code = 0
    finally:
        os._exit(code)


def judge(objects: Path, is_suspect: Callable[[bytes], bool], workers: int) -> Verdicts:
    """Judge every blob in the packs and loose objects under ``objects`` (``packs.usable``
    first), on ``workers`` processes (this one and forked ones). PackError when a pack is
    not to be trusted or a worker failed: then nothing is known."""
    found = packs.open_packs(objects)
    loose = packs.loose_ids(objects)
    covered = {blob_id for pack in found for blob_id in packs.blob_ids(pack)}
    covered.update(loose)
    chunks = _chunks(found, loose)
    queue, feed = os.pipe()
    try:
        with open(feed, "wb") as numbers:  # before any reader: the pipe holds them all
            numbers.write(b"".join(i.to_bytes(4, "big") for i in range(len(chunks))))
        forks = workers - 1 if hasattr(os, "fork") else 0
        forked = [_fork(lambda out: _work(objects, found, chunks, queue, is_suspect, out)) for _ in range(forks)]
        own = io.BytesIO()
        failures = 0
        try:
            _work(objects, found, chunks, queue, is_suspect, own)
        finally:
            records = [own.getvalue()]
            for pid, results in forked:
                failures += os.waitpid(pid, 0)[1] != 0
                with results:
                    results.seek(0)
                    records.append(results.read())
    finally:
        os.close(queue)
        for pack in found:
            pack.data.close()
    if failures:
        raise packs.PackError("a pack worker failed")
    answer = b"".join(records)
    verdicts = [answer[at : at + _RECORD] for at in range(0, len(answer), _RECORD)]
    suspects = {record[1:] for record in verdicts if record[:1] == packs.SUSPECT}
    failed = {record[1:] for record in verdicts if record[:1] == packs.FAILED}
    return Verdicts(covered, suspects, failed)
