"""UTF-16 files in the diff modes. Git diffs their bytes (``--text``): the changed lines
are full of NULs and split where a ``\\n`` byte falls, so no line can be judged. A changed
line holding the UUID probe in UTF-16 marks the file; then both blobs are decoded and
judged whole, and the keys the new one holds that the old one (and a merge's other
parents) did not are the added ones; the old one's keys the new one lacks, the removed."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from responder.scanning.findings import Finding
from responder.scanning.patch import FileDiff
from responder.scanning.triage import hit_lines

_HEX16 = rb"(?:[0-9a-fA-F]\x00){4}"
# The probe (redact.PROBE) in UTF-16: LE, or BE seen one byte on.
PROBE16 = re.compile(rb"-\x00" + _HEX16 + rb"-\x00" + _HEX16 + rb"-\x00" + _HEX16 + rb"-")
BOMS = (b"\xff\xfe", b"\xfe\xff")


def has_probe(data: bytes) -> bool:
    return b"\0" in data and PROBE16.search(data) is not None


def offsets(patch: bytes, signs: tuple[bytes, ...]) -> list[int]:
    """Where the changed lines (starting with one of ``signs``) holding the UTF-16 probe start."""
    return [start for start, _ in hit_lines(PROBE16, patch) if patch.startswith(signs, start)]


def is_wide(diff: FileDiff) -> bool:
    """Changed lines with NULs: perhaps a UTF-16 file (the blobs' BOM decides)."""
    return any(b"\0" in body for _, body in itertools.chain(diff.added, diff.removed))


@dataclass(frozen=True)
class Blobs:
    new: bytes | None  # None: the file is deleted (or unreadable)
    old: bytes | None  # None: the file is added
    theirs: tuple[bytes, ...] = ()  # a merge's other parents' versions


def changed(blobs: Blobs, judge: Callable[[bytes, bool], list[Finding]], *, with_removed: bool) -> list[Finding] | None:
    """The keys added (and, ``with_removed``, removed) between the blobs, ``judge(data,
    removed)`` finding a blob's keys; None when neither blob is UTF-16 (judge the lines)."""
    if not any(blob is not None and blob.startswith(BOMS) for blob in (blobs.new, blobs.old)):
        return None
    new = judge(blobs.new, False) if blobs.new else []
    old = judge(blobs.old, True) if blobs.old else []
    known = {f.secret for f in old} | {f.secret for blob in blobs.theirs for f in judge(blob, False)}
    found = [f for f in new if f.secret not in known]
    if with_removed:
        kept = {f.secret for f in new}
        found += [f for f in old if f.secret not in kept]
    return found
