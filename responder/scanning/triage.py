"""Which lines could hold a key: the line gate every mode applies before the full judge.

A changed line (or a blob's line, in a history) is suspect when it holds a UUID that its
own line does not refute (``detect.line_naming``), or a base64-encoded UUID; only then is
the whole file read and judged. Kept apart from the scanner so that the pre-commit hook
can settle a change with a UUID on a changed line without loading the scanner, git
plumbing or report formats (``quick``): the scanner applies this same gate, so when it
finds nothing suspect the full scan finds nothing either.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from responder.core.redact import PROBE
from responder.scanning import detect

UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
PROBE_BYTES = re.compile(PROBE.encode())


def decode(data: bytes) -> str:
    """Text for scanning, whatever the bytes.

    UTF-16 (BOM) is decoded; everything else as latin-1, which never fails and keeps one
    character per byte: keys and names are ASCII, and invalid UTF-8 costs nothing. NUL
    bytes do not make a file "binary" here: that would let one NUL hide a key. Binary
    files cost only the probe unless a UUID is in them; then its surroundings judge it.
    """
    if data.startswith(UTF16_BOMS) and b"\0" in data[:8192]:  # UTF-16 text is full of NULs
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1")


def judge_line(line: bytes) -> bool:
    if PROBE_BYTES.search(line) is not None:
        return detect.line_naming(line.decode("latin-1")) is not detect.Naming.NONE
    return next(detect.encoded_hits(line), None) is not None


def warm() -> None:
    """Load the line judge and compile its patterns once, before a history's blob readers
    fork: each would else load them itself (about 30 ms of CPU per reader, on the way to
    its first verdict)."""
    sample = "-".join(("3f2a9c1e", "5b7d", "4e8f", "9a6c", "1d2e3f4a5b6c"))  # not a placeholder
    judge_line(f"api_key = {sample}".encode())


# A line's verdict depends on the line alone, and a history shows the same lines again and
# again (each version of a file): short lines are judged once. Bounded: cleared when full.
_VERDICTS: dict[bytes, bool] = {}
_VERDICTS_MAX, _VERDICT_LINE_MAX = 1 << 16, 512


def is_suspect(line: bytes) -> bool:
    """Does a changed line hold a UUID under a key-like (or weak) name, or a base64-encoded
    UUID (a Kubernetes Secret's ``data``: the whole file decides)?"""
    if len(line) > _VERDICT_LINE_MAX:
        return judge_line(line)
    verdict = _VERDICTS.get(line)
    if verdict is None:
        if len(_VERDICTS) >= _VERDICTS_MAX:
            _VERDICTS.clear()
        verdict = _VERDICTS[line] = judge_line(line)
    return verdict


def hit_lines(pattern: re.Pattern[bytes], data: bytes) -> Iterator[tuple[int, int]]:
    """(start, end) of each line of ``data`` holding a match of ``pattern``, in order, each
    line once however many matches it holds (linear on a one-line file)."""
    pos = 0
    while (hit := pattern.search(data, pos)) is not None:
        start = data.rfind(b"\n", 0, hit.start()) + 1
        end = data.find(b"\n", hit.end())
        pos = len(data) if end < 0 else end
        yield start, pos


def has_suspect_line(data: bytes, signs: tuple[bytes, ...] = ()) -> bool:
    """Whether a line of ``data`` (starting with one of ``signs``, when given: the changed
    lines of a patch) holds a UUID assigned to a key-like name.

    Looks only at the lines around probe hits, so text full of request ids or GUIDs costs
    a few regex calls instead of a full parse; each line is judged once, however many
    UUIDs it holds (linear on one-line files).
    """
    if not signs and data.startswith(UTF16_BOMS):  # a whole UTF-16 blob (history): judge its text
        data = decode(data).encode("utf-8", "replace")
    for start, end in hit_lines(PROBE_BYTES, data):
        if (not signs or data.startswith(signs, start)) and is_suspect(data[start:end]):
            return True
    return may_hold_encoded(data) and bool(encoded_offsets(data, signs, first=True))


# Every base64-encoded UUID, whatever bytes surround the UUID, holds an "L" (a 3-byte group
# starting with a dash) and 7 characters later a "t" (one ending with the dash 5 bytes on):
# a literal-led search at memory speed, so only lines with this hint meet the slow
# base64 shape regex (about 60 MB/s).
B64_HINT = re.compile(rb"L[A-Za-z0-9+/]{6}t")


def encoded_offsets(data: bytes, signs: tuple[bytes, ...], *, first: bool = False) -> list[int]:
    """Where the lines (starting with one of ``signs``, when given) holding a base64-encoded
    UUID start. Each line is searched once."""
    found: list[int] = []
    for start, end in hit_lines(B64_HINT, data):
        if (not signs or data.startswith(signs, start)) and next(detect.encoded_hits(data[start:end]), None):
            found.append(start)
            if first:
                break
    return found


def may_hold_key(data: bytes) -> bool:
    """``detect.may_hold_key`` with the base64 path behind the hint: the UUID probe, or in
    text that says ``Secret``, a base64-encoded UUID."""
    return PROBE_BYTES.search(data) is not None or (
        may_hold_encoded(data) and bool(encoded_offsets(data, (), first=True))
    )


def may_hold_encoded(data: bytes) -> bool:
    """The cheap half of the base64 gate: the hint (rare, found at memory speed), then the
    word ``Secret`` the detector requires."""
    return B64_HINT.search(data) is not None and b"Secret" in data


def suspect_offsets(patch: bytes, signs: tuple[bytes, ...]) -> list[int]:
    """Where the first suspect changed line of each file section starts: a UUID under a
    name that could be a key's, or a base64-encoded UUID (the whole file then says whether
    it is a Kubernetes Secret: its ``kind`` line is rarely in the hunk).
    Each line is judged at most once; the rest of a suspect section is not."""
    found, pos = [], 0
    while (hit := PROBE_BYTES.search(patch, pos)) is not None:
        start = patch.rfind(b"\n", 0, hit.start()) + 1
        end = patch.find(b"\n", hit.end())
        pos = len(patch) if end < 0 else end
        if patch.startswith(signs, start) and is_suspect(patch[start:pos]):
            found.append(start)
            section_end = patch.find(b"\ndiff --git ", pos)
            pos = len(patch) if section_end < 0 else section_end
    if B64_HINT.search(patch) is not None:  # "Secret" may be far from the hunk: the blob decides
        found += encoded_offsets(patch, signs)
    if b"\0" in patch:  # perhaps UTF-16 text, which git diffs as bytes
        from responder.scanning import wide

        found += wide.offsets(patch, signs)
    return sorted(found)
