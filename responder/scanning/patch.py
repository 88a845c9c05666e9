"""Parse ``git diff -U0`` / ``git log -p -U0`` output. Pure: bytes in, records out.

Hunk line counts are honoured, so an added line whose text starts with ``++ `` (shown
as ``+++ …``) is never mistaken for a file header.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

COMMIT_MARK = b"\x1e"  # ``--format=%x1e%H %P``: a record separator no source line starts with

_HUNK = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {b"a": 7, b"b": 8, b"t": 9, b"n": 10, b"v": 11, b"f": 12, b"r": 13, b'"': 34, b"\\": 92}


@dataclass
class FileDiff:
    """The changed lines of one file in one commit (or in the index)."""

    new_path: bytes | None  # None when the file was deleted
    old_path: bytes | None  # None when the file was added
    added: list[tuple[int, bytes]] = field(default_factory=list)
    removed: list[tuple[int, bytes]] = field(default_factory=list)

    @property
    def path(self) -> bytes:
        return self.new_path if self.new_path is not None else (self.old_path or b"")


def unquote_path(raw: bytes) -> bytes:
    """Undo git's C-style quoting of a path (``"b/a\\tb\\303\\251"``)."""
    if not (raw.startswith(b'"') and raw.endswith(b'"') and len(raw) >= 2):
        return raw
    body, out, i = raw[1:-1], bytearray(), 0
    while i < len(body):
        char = body[i : i + 1]
        if char != b"\\" or i + 1 >= len(body):
            out += char
            i += 1
            continue
        nxt = body[i + 1 : i + 2]
        if nxt.isdigit():
            out.append(int(body[i + 1 : i + 4], 8) & 0xFF)
            i += 4
        else:
            out.append(_ESCAPES.get(nxt, nxt[0]))
            i += 2
    return bytes(out)


def _header_path(line: bytes, prefix: bytes) -> bytes | None:
    raw = line[4:].rstrip(b"\n")
    if raw.endswith(b"\t"):  # git appends a tab after paths with spaces in some versions
        raw = raw[:-1]
    if raw == b"/dev/null":
        return None
    path = unquote_path(raw)
    return path[len(prefix) :] if path.startswith(prefix) else path


def parse_diff(lines: list[bytes]) -> Iterator[FileDiff]:
    """Split a patch into per-file changes. ``lines`` come from ``patch.split(b"\\n")``:
    never ``splitlines``, which would also cut at a carriage return inside a line."""
    current: FileDiff | None = None
    old_left = new_left = 0
    old_no = new_no = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if old_left > 0 or new_left > 0:
            if line.startswith(b"\\"):  # "\ No newline at end of file"
                continue
            assert current is not None
            body = line[1:].rstrip(b"\n")
            if line.startswith(b"-") and old_left > 0:
                current.removed.append((old_no, body))
                old_no, old_left = old_no + 1, old_left - 1
            elif line.startswith(b"+") and new_left > 0:
                current.added.append((new_no, body))
                new_no, new_left = new_no + 1, new_left - 1
            else:  # a context line (only with -U>0)
                old_no, new_no = old_no + 1, new_no + 1
                old_left, new_left = old_left - 1, new_left - 1
            continue
        if line.startswith(b"diff --git "):
            if current is not None:
                yield current
            current = FileDiff(new_path=None, old_path=None)
        elif current is None:
            continue
        elif line.startswith(b"--- "):
            current.old_path = _header_path(line, b"a/")
        elif line.startswith(b"+++ "):
            current.new_path = _header_path(line, b"b/")
        elif line.startswith(b"@@ "):
            hunk = _HUNK.match(line)
            if hunk is None:
                continue
            old_no, new_no = int(hunk.group(1)), int(hunk.group(3))
            old_left = int(hunk.group(2)) if hunk.group(2) is not None else 1
            new_left = int(hunk.group(4)) if hunk.group(4) is not None else 1
    if current is not None:
        yield current


@dataclass(frozen=True)
class CommitPatch:
    sha: str
    parents: tuple[str, ...]  # a merge has two or more; its patch is against the first
    body: bytes


def split_commits(chunk: bytes) -> Iterator[CommitPatch]:
    """Split ``git log --format='%x1e%H %P' -p`` output made of whole commits (or of
    pieces of one, each led by the commit's header)."""
    for record in chunk.split(b"\n" + COMMIT_MARK):
        record = record.lstrip(COMMIT_MARK)
        if not record.strip():
            continue
        head, _, body = record.partition(b"\n")
        fields = head.decode("ascii", "replace").split()
        if not fields:
            continue
        sha, *parents = fields
        yield CommitPatch(sha, tuple(parents), body)
