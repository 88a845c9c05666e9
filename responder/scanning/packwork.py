"""Judging a repository's packs and loose objects on every core (``packs`` reads them).

The delta trees and loose objects are cut into chunks that this process and a forked
worker per other core take from one queue, a pipe of chunk numbers written before the
fork, biggest chunk first: a core that ``git log`` or another process slows simply takes
fewer. Each worker writes its verdicts to a file of its own, read once it has exited; a
worker that dies makes the whole judgement void (PackError), never a partial one.
"""

from __future__ import annotations

import io
import itertools
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from responder.scanning import forked as forked_work
from responder.scanning import packs

_CHUNKS = 256  # about this many chunks of delta trees: enough to even out the cores
_LOOSE_CHUNK = 256  # loose objects per chunk
_COMMIT_CHUNK = 512  # commits per chunk, at least
_MAX_CHUNKS = 2048  # the queue's numbers (4 bytes each) must fit a pipe before anyone reads it
_RECORD = 1 + 20  # a verdict and a blob id
CONTENT_BYTES = 32 * 1024 * 1024  # suspect blobs each process hands back whole (the rest git reads again)
# What a process may rebuild (``packs.Allowance``): real histories rebuild 10-20 times their
# packs' size (ggshield: 122 MB of blobs from an 11 MB pack); past this, git reads the rest.
_REBUILT_FLOOR, _REBUILT_RATIO = 256 << 20, 32


@dataclass(frozen=True)
class Verdicts:
    """What the packs say about blobs (binary ids): ``covered`` are the blobs read here
    (rebuilt from a pack, or loose), ``suspects`` hold a suspect line (in any copy),
    ``failed`` were found but not judged (in any copy: a delta that does not apply, a base
    that could not be placed). Anything else is git's to read. And about commits: the ones
    read here, and of those the ones whose messages git must read."""

    covered: set[bytes]
    suspects: set[bytes]
    failed: set[bytes]
    commits: set[bytes] = field(default_factory=set)  # the commits read here
    messages: set[bytes] = field(default_factory=set)  # of those, the ones git must read: worth judging
    contents: dict[bytes, bytes] = field(default_factory=dict)  # suspect blobs, as far as CONTENT_BYTES allows

    def suspect(self, blob: bytes) -> bool | None:
        """True or False, or None when git must read the blob."""
        if blob in self.suspects:
            return True
        return None if blob in self.failed or blob not in self.covered else False

    def message(self, commit: bytes) -> bool:
        """Must git read this commit for its message to be judged?"""
        return commit in self.messages or commit in self.failed or commit not in self.commits


@dataclass(frozen=True)
class _Chunk:
    trees: list[tuple[int, int]] = field(default_factory=list)  # (pack number, root offset)
    loose: list[bytes] = field(default_factory=list)
    commits: list[tuple[int, list[int]]] = field(default_factory=list)  # (pack number, commit offsets)


def _weight(pack: packs.Pack, root: int) -> int:
    """About what judging a delta tree costs: each version is inflated and probed whole,
    and a version's size is near its root's."""
    return sum(1 for _ in packs.tree_offsets(pack, [root])) * max(pack.where[root][2], 1)


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
            chunks.append(_Chunk(current))
            current, load = [], 0
    if current:
        chunks.append(_Chunk(current))
    for n, pack in enumerate(found):  # a few commits cost what a small blob does
        step = max(_COMMIT_CHUNK, len(pack.commits) // _CHUNKS)
        chunks += [_Chunk(commits=[(n, pack.commits[i : i + step])]) for i in range(0, len(pack.commits), step)]
    step = max(_LOOSE_CHUNK, -(-len(loose) // max(1, _MAX_CHUNKS - len(chunks))))
    chunks += [_Chunk(loose=loose[i : i + step]) for i in range(0, len(loose), step)]
    while len(chunks) > _MAX_CHUNKS:  # thousands of packs: pairs merged until the numbers fit the pipe
        pairs = zip(chunks[::2], chunks[1::2], strict=False)
        merged = [_Chunk(a.trees + b.trees, a.loose + b.loose, a.commits + b.commits) for a, b in pairs]
        chunks = merged + chunks[len(merged) * 2 :]
    return chunks


@dataclass(frozen=True)
class _Judges:
    is_suspect: Callable[[bytes], bool]  # a blob
    is_message: Callable[[bytes], bool]  # a commit object: is its message worth judging?


class _Reach:
    """The blobs the history writes, once the walk's log is in and the packs hold much more
    than it reaches (a local clone of a mirror, garbage before a prune): published by this
    process in a file every worker reads between chunks; a delta tree none of whose blobs
    are among them is not rebuilt. Its blobs are FAILED, not dropped: were one asked for
    after all, git would read it."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile()
        self.ids: set[bytes] | None = None

    def publish(self, ids: set[bytes]) -> None:
        fd = self.file.fileno()
        os.pwrite(fd, b"".join(ids), 8)
        os.pwrite(fd, (len(ids) + 1).to_bytes(8, "big"), 0)  # last, and never 0: a reader sees all or nothing
        self.ids = ids

    def current(self) -> set[bytes] | None:
        if self.ids is None:
            fd = self.file.fileno()
            count = int.from_bytes(os.pread(fd, 8, 0) or b"\0", "big") - 1
            if count >= 0:
                data = os.pread(fd, count * 20, 8)
                self.ids = {data[at : at + 20] for at in range(0, len(data), 20)}
        return self.ids


def _tree(
    pack: packs.Pack,
    root: int,
    judges: _Judges,
    apply: Callable[[bytes, bytes], list[bytes]],
    allowance: packs.Allowance,
    ids: set[bytes] | None,
) -> Iterator[tuple[bytes, bytes, bytes]]:
    """A delta tree judged, or FAILED whole when ``ids`` (the blobs the history writes) has none of it."""
    if ids is not None and ids.isdisjoint(packs.tree_ids(pack, [root])):
        return ((packs.FAILED, unreached, b"") for unreached in packs.tree_ids(pack, [root]))
    return packs.judge_tree(pack, root, judges.is_suspect, apply, allowance)


def _work(
    objects: Path,
    found: list[packs.Pack],
    chunks: list[_Chunk],
    queue: int,
    judges: _Judges,
    out: IO[bytes],
    reach: _Reach,
    tick: Callable[[], None] = lambda: None,
) -> None:
    """Take chunk numbers from the queue until it is empty; write a record per verdict,
    and a suspect blob's content after its record while CONTENT_BYTES last (only a
    content that hashes to its id: a forged copy's is never the one judged whole)."""
    apply = packs.native_delta()
    assert apply is not None
    budget = CONTENT_BYTES
    allowance = packs.Allowance(max(_REBUILT_FLOOR, _REBUILT_RATIO * sum(len(pack.data) for pack in found)))
    tick()  # before the first chunk too: the workers may take them all
    while len(taken := os.read(queue, 4)) == 4:
        chunk = chunks[int.from_bytes(taken, "big")]
        ids = reach.current()  # once a chunk
        found_here = itertools.chain(
            *(_tree(found[n], root, judges, apply, allowance, ids) for n, root in chunk.trees),
            *(packs.judge_commits(found[n], offsets, judges.is_message) for n, offsets in chunk.commits),
            packs.judge_loose(objects, chunk.loose, judges.is_suspect, judges.is_message),
        )
        for verdict, object_id, content in found_here:
            out.write(verdict + object_id)
            if content and len(content) <= budget and packs.hashes_to(b"blob", content, object_id):
                budget -= len(content)
                out.write(packs.CONTENT + len(content).to_bytes(8, "big") + content)
        tick()


def judge(
    objects: Path,
    is_suspect: Callable[[bytes], bool],
    workers: int,
    is_message: Callable[[bytes], bool],
    reachable: Callable[[int], set[bytes] | None] = lambda commits: None,
) -> Verdicts:
    """Judge every blob in the packs and loose objects under ``objects`` (``packs.usable``
    first), and which commits' messages are worth judging (``is_message`` on the commit
    object), on ``workers`` processes (this one and forked ones). ``reachable`` is asked
    in this process after each of its chunks, given how many commits the packs hold: the
    blobs the history writes, once known and worth the filter (see ``_Reach``), else None.
    PackError when a pack is not to be trusted or a worker failed: then nothing is known."""
    found = packs.open_packs(objects)
    loose = packs.loose_ids(objects)
    judges = _Judges(is_suspect, is_message)
    chunks = _chunks(found, loose)
    reach = _Reach()
    commits_held = sum(len(pack.commits) for pack in found)

    def tick() -> None:
        if reach.ids is None and (ids := reachable(commits_held)) is not None:
            reach.publish(ids)

    queue, feed = os.pipe()
    try:
        with open(feed, "wb") as numbers:  # before any reader: the pipe holds them all
            numbers.write(b"".join(i.to_bytes(4, "big") for i in range(len(chunks))))
        forks = workers - 1 if hasattr(os, "fork") else 0
        forked = [
            forked_work.start(lambda out: _work(objects, found, chunks, queue, judges, out, reach))
            for _ in range(forks)
        ]
        own = io.BytesIO()
        failures = 0
        try:
            _work(objects, found, chunks, queue, judges, own, reach, tick)
            verdicts = Verdicts(
                _ids(found, packs.blob_ids), set(), _ids(found, packs.doubtful_ids), _ids(found, packs.commit_ids)
            )
        finally:
            records = [own.getvalue()]
            for pid, results in forked:
                answer = forked_work.finish(pid, results)
                failures += answer is None
                records.append(answer or b"")
    finally:
        os.close(queue)
        reach.file.close()
        for pack in found:
            pack.data.close()
    if failures:
        raise packs.PackError("a pack worker failed")
    for answer in records:
        _read_records(answer, verdicts)
    return verdicts


def _ids(found: list[packs.Pack], ids: Callable[[packs.Pack], Iterator[bytes]]) -> set[bytes]:
    """Ids from the packs' tables (worked out while the workers finish their chunks)."""
    return {object_id for pack in found for object_id in ids(pack)}


def _read_records(answer: bytes, verdicts: Verdicts) -> None:
    sets = {
        packs.SUSPECT: verdicts.suspects,
        packs.FAILED: verdicts.failed,
        packs.MESSAGE: verdicts.messages,
        packs.LOOSE_BLOB: verdicts.covered,
        packs.LOOSE_COMMIT: verdicts.commits,
    }
    at, last = 0, b""
    while at < len(answer):
        kind = answer[at : at + 1]
        if kind == packs.CONTENT:  # the content of the suspect blob just named
            size = int.from_bytes(answer[at + 1 : at + 9], "big")
            verdicts.contents[last] = answer[at + 9 : at + 9 + size]
            at += 9 + size
            continue
        last = answer[at + 1 : at + _RECORD]
        sets[kind].add(last)
        at += _RECORD
