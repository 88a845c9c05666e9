"""Every blob and commit of a repository's packs and loose objects, read in this process:
each object inflated once, each delta applied once in memory (``blobwalk`` for a whole
history; ``packwork`` shares the work between cores).

``git cat-file --batch`` inflates each blob, writes it into a pipe and a reader copies it
out again; on two cores that, not the judging, set the pace of ``--history``. Here the
packs (gitformat-pack(5)) are read as git stores them: the ``.idx`` names each object's
offset, objects are inflated with ISA-L (python-isal) or zlib, and each delta is applied
to its base with dulwich's compiled ``apply_delta`` while each delta tree is walked depth
first, so a base stays in memory only while its deltas are judged (at most ``_PATH_BYTES``
along a chain).

Whatever this reader is not sure of is left to git (``cat-file``, as for a range): a
pack whose index or headers do not check out (then every blob), an object that does not
inflate to its size with a valid checksum, a delta that does not apply, a blob over
``MAX_BLOB_BYTES``, a chain deeper than the memory budget, a delta whose base it cannot
place (named twice, in another pack, at no listed offset, in a loop), anything past the
``Allowance``. Such blobs are FAILED; a blob that is not here at all (a partial clone) is
not covered. A repository with alternates, or dulwich without its compiled code, is not
read here at all. The reader runs nothing from the repository and reads only its object
directory: a hostile pack can make it give up, not change a verdict git would give (every
copy of an object is judged, and any suspect or failed copy decides).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import mmap
import os
import re
import stat
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_BLOB_BYTES = 64 * 1024 * 1024  # as ``blobwalk``: a larger blob is read in pieces by cat-file
MAX_OBJECTS = 500_000  # objects in the tables below (about 500 bytes each); more: cat-file reads them
_PATH_BYTES = 256 * 1024 * 1024  # bases held along one delta chain
_IDX_MAGIC = b"\377tOc\0\0\0\2"
_COMMIT, _BLOB, _OFS_DELTA, _REF_DELTA = 1, 3, 6, 7
_NO_BLOB, _DOUBTFUL = -1, -2  # a delta resolved to a tree, commit or tag; one that could not be placed
_ID = 20  # SHA-1 only
# Verdict records: a suspect blob, one not judged (git reads it), a commit whose message git
# must read, a suspect blob's content; a loose blob read and clean, a loose commit read and clear.
SUSPECT, FAILED, MESSAGE, CONTENT, LOOSE_BLOB, LOOSE_COMMIT = b"s", b"f", b"m", b"c", b"b", b"k"
_HEX_ID = re.compile(f"[0-9a-f]{{{2 * _ID}}}")


class PackError(Exception):
    """A pack or index this reader will not trust; its blobs are left to git."""


@dataclass
class Pack:
    """One pack's blob delta trees: ``roots`` are whole blobs, ``children`` a base's
    deltas (by offset), ``where`` an object's data offset, end, size and index position;
    and its whole ``commits`` (a commit stored as a delta is left to git)."""

    data: mmap.mmap
    idx: bytes
    roots: list[int] = field(default_factory=list)
    commits: list[int] = field(default_factory=list)
    doubtful: list[int] = field(default_factory=list)  # deltas whose base could not be placed: git reads them
    children: dict[int, list[int]] = field(default_factory=dict)
    where: dict[int, tuple[int, int, int, int]] = field(default_factory=dict)

    def object_id(self, position: int) -> bytes:
        start = 8 + 1024 + _ID * position
        return self.idx[start : start + _ID]


def native_delta() -> Callable[[bytes, bytes], list[bytes]] | None:
    try:
        from dulwich._pack import apply_delta  # type: ignore[import-not-found]  # compiled: no pure-Python fallback
    except ImportError:
        return None
    return apply_delta  # type: ignore[no-any-return]


def usable(objects: Path) -> bool:
    """Whether the packs under ``objects`` are all git reads (no alternates) and the
    native delta code is there."""
    if os.environ.get("GIT_ALTERNATE_OBJECT_DIRECTORIES") or (objects / "info" / "alternates").exists():
        return False
    return native_delta() is not None


def _varint(data: mmap.mmap | bytes, pos: int) -> tuple[int, int]:
    """A delta header's size (little-endian base 128) and the position after it."""
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos
        if shift > 63:
            raise PackError("size too long")


def _open_regular(path: Path, most: int) -> int:
    """A descriptor on a regular file of at most ``most`` bytes (a FIFO, a device or a huge
    file planted under the name of a pack is refused, never waited on or read whole)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    status = os.fstat(fd)
    if not stat.S_ISREG(status.st_mode) or status.st_size > most:
        os.close(fd)
        raise PackError("not a regular file of a size this reader holds")
    return fd


def _open_index(path: Path) -> tuple[bytes, list[int]]:
    """A version-2 SHA-1 index and each object's offset, by index position."""
    with open(_open_regular(path, 8 + 1024 + 40 + 36 * MAX_OBJECTS), "rb") as file:
        idx = file.read()
    if len(idx) < 8 + 1024 + 40 or not idx.startswith(_IDX_MAGIC):
        raise PackError("not a version-2 index")
    fanout = struct.unpack(">256I", idx[8 : 8 + 1024])
    if any(a > b for a, b in itertools.pairwise(fanout)):
        raise PackError("index fan-out not sorted")
    count = fanout[-1]
    if count > MAX_OBJECTS:
        raise PackError("too many objects to hold their tables")
    small = 8 + 1024 + count * (_ID + 4)
    large_at = small + 4 * count
    offsets = list(struct.unpack(f">{count}I", idx[small:large_at]))
    larges = sum(1 for offset in offsets if offset & 0x80000000)
    if len(idx) != large_at + 8 * larges + 2 * _ID:
        raise PackError("index size does not match its object count (another object format?)")
    for i, offset in enumerate(offsets):
        if offset & 0x80000000:
            at = large_at + 8 * (offset & 0x7FFFFFFF)
            offsets[i] = struct.unpack(">Q", idx[at : at + 8])[0]
    return idx, offsets


def _read_pack(index: Path) -> Pack:
    idx, offsets = _open_index(index)
    count = len(offsets)
    with open(_open_regular(index.with_suffix(".pack"), 1 << 62), "rb") as file:
        data = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    if len(data) < 32 or data[:4] != b"PACK" or struct.unpack(">2I", data[4:12]) not in ((2, count), (3, count)):
        raise PackError("pack header does not match its index")
    if data[-_ID:] != idx[-2 * _ID : -_ID]:  # git refuses such a pair ("does not match index"): so do we
        raise PackError("pack checksum does not match its index")
    pack = Pack(data, idx)
    order = sorted(range(len(offsets)), key=offsets.__getitem__)
    starts = [offsets[i] for i in order]
    ends = [*starts[1:], len(data) - _ID]
    if starts and (starts[0] < 12 or ends[-1] <= starts[-1]):
        raise PackError("object offsets outside the pack")
    _headers(pack, starts, ends, order)
    return pack


def _headers(pack: Pack, starts: list[int], ends: list[int], positions: list[int]) -> None:
    """One pass over every object's header, in pack order: the blob delta trees (the
    loop is written for speed: it is the one serial part, 20 ms for 31,000 objects)."""
    data = pack.data
    kinds: dict[int, int] = {}  # offset -> type (0: a delta on a base not resolved yet)
    kind_at = kinds.get
    unresolved: dict[int, int | bytes] = {}  # such a delta -> its base's offset or id
    for offset, end, position in zip(starts, ends, positions, strict=True):
        if offset >= end:
            raise PackError("two objects at one offset")
        byte = data[offset]
        kind = (byte >> 4) & 7
        if kind == 2 or kind == 4:  # a tree or tag: only its type matters
            kinds[offset] = kind
            continue
        size, shift, pos = byte & 15, 4, offset + 1
        while byte & 0x80:
            byte = data[pos]
            pos += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if shift > 70:  # git's own sizes fit 64 bits; a longer run only costs time
                raise PackError("object size too long")
        if kind == _OFS_DELTA:
            byte = data[pos]
            pos += 1
            back = byte & 0x7F
            while byte & 0x80:
                byte = data[pos]
                pos += 1
                back = ((back + 1) << 7) | (byte & 0x7F)
                if back > offset:
                    raise PackError("delta base before the pack")
            base = offset - back
            kind = kind_at(base, 0)
            kinds[offset] = kind
            if kind == _BLOB:
                pack.children.setdefault(base, []).append(offset)
            elif kind:
                continue
            else:
                unresolved[offset] = base
        elif kind == _BLOB:
            kinds[offset] = kind
            pack.roots.append(offset)
        elif kind == _COMMIT:
            kinds[offset] = kind
            pack.commits.append(offset)
        elif kind == _REF_DELTA:
            unresolved[offset] = bytes(data[pos : pos + _ID])
            pos += _ID
            kinds[offset] = 0
        else:
            raise PackError("unknown object type")
        if pos > end:
            raise PackError("object header runs past the object")
        pack.where[offset] = (pos, end, size, position)
    if unresolved:
        _resolve(pack, kinds, unresolved)


def _resolve(pack: Pack, kinds: dict[int, int], unresolved: dict[int, int | bytes]) -> None:
    """Deltas on a base named by id (a thin pack fixed by ``index-pack``), and deltas on
    those: each joins its base's tree once the chain reaches a blob, and is no blob when
    it reaches a tree, commit or tag. A chain that ends anywhere else (a base in another
    pack, an offset that is no listed object, an id the index lists twice, a loop) is
    ``doubtful``: git, which may read it, reads it."""
    by_id: dict[bytes, int] = {}
    for offset, (_, _, _, position) in pack.where.items():
        object_id = pack.object_id(position)
        by_id[object_id] = -1 if object_id in by_id else offset  # -1: which copy git takes is git's to say
    for start in list(unresolved):
        chain: list[int] = []
        offset = start
        while kinds.get(offset) == 0 and offset in unresolved:  # each delta is taken once: no loop
            chain.append(offset)
            base = unresolved.pop(offset)
            offset = by_id.get(base, -1) if isinstance(base, bytes) else base
            chain.append(offset)
        kind = kinds.get(offset, _DOUBTFUL) if chain else None
        if kind == 0:  # back at a delta of this very chain
            kind = _DOUBTFUL
        for delta, base_offset in zip(chain[::2], chain[1::2], strict=True):
            kinds[delta] = kind if kind in (_BLOB, _DOUBTFUL) else _NO_BLOB
            if kind == _BLOB:
                pack.children.setdefault(base_offset, []).append(delta)
            elif kind == _DOUBTFUL:
                pack.doubtful.append(delta)


def tree_offsets(pack: Pack, roots: list[int]) -> Iterator[int]:
    """The objects in the delta trees from ``roots``, by offset."""
    stack = list(roots)
    while stack:
        offset = stack.pop()
        yield offset
        stack.extend(pack.children.get(offset, ()))


def tree_ids(pack: Pack, roots: list[int]) -> Iterator[bytes]:
    """The ids of the objects in the delta trees from ``roots``."""
    return (pack.object_id(pack.where[offset][3]) for offset in tree_offsets(pack, roots))


def doubtful_ids(pack: Pack) -> Iterator[bytes]:
    """Objects this reader could not place (FAILED, with every delta on them)."""
    return tree_ids(pack, pack.doubtful)


def hashes_to(kind: bytes, data: bytes, object_id: bytes) -> bool:
    """Is ``data`` the object git names ``object_id`` (the SHA-1 of its header and content)?"""
    digest = hashlib.sha1(b"%s %d\0" % (kind, len(data)), usedforsecurity=False)
    digest.update(data)
    return digest.digest() == object_id


def commit_ids(pack: Pack) -> Iterator[bytes]:
    return (pack.object_id(pack.where[offset][3]) for offset in pack.commits)


def blob_ids(pack: Pack) -> Iterator[bytes]:
    """The ids of the blobs this pack can rebuild (every tree from a whole blob)."""
    return tree_ids(pack, pack.roots)


@functools.cache
def _inflater() -> Callable[[], Any]:
    """How a decompressor is made: ISA-L's (python-isal) where installed, 1.5x zlib's on
    git's many small streams (each rebuilds its Huffman tables), else zlib's. Both stop at
    ``max_length``: an object that inflates past its size costs no more than its size."""
    try:
        from isal.isal_zlib import decompressobj
    except ImportError:
        return zlib.decompressobj
    return decompressobj


def _inflate(pack: Pack, offset: int) -> bytes:
    start, end, size, _ = pack.where[offset]
    if size > MAX_BLOB_BYTES:
        raise PackError("too big to hold")
    inflater = _inflater()()
    out: bytes = inflater.decompress(pack.data[start:end], size + 1)
    if len(out) != size or not inflater.eof:  # eof: the stream ended and its checksum held, as git requires
        raise PackError("object does not inflate to its size")
    return out


def _target_size(delta: bytes) -> int:
    """The size a delta says it rebuilds (after the base's size, both base-128)."""
    return _varint(delta, _varint(delta, 0)[1])[0]


def _rebuild(pack: Pack, offset: int, base: bytes | None, apply: Callable[[bytes, bytes], list[bytes]]) -> bytes:
    raw = _inflate(pack, offset)
    if base is None:
        return raw
    if _target_size(raw) > MAX_BLOB_BYTES:  # before anything is allocated for it
        raise PackError("too big to hold")
    pieces = apply(base, raw)
    return pieces[0] if len(pieces) == 1 else b"".join(pieces)


@dataclass
class Allowance:
    """Bytes a process may still rebuild. The packs may hold objects git never reads
    (unreachable, planted: a 64 MB base and a thousand 37-byte deltas copying it); past
    the allowance every blob is FAILED, which costs nothing for those git never reads
    and, for the rest, is what reading through git costs."""

    left: int


def judge_tree(
    pack: Pack,
    root: int,
    is_suspect: Callable[[bytes], bool],
    apply: Callable[[bytes, bytes], list[bytes]],
    allowance: Allowance,
) -> Iterator[tuple[bytes, bytes, bytes]]:
    """(verdict, id, content) for each blob of one delta tree, depth first (the content of a
    suspect one, which is judged again whole); a blob that cannot be rebuilt fails with
    every delta on it. Written for speed: every blob of a history goes through it."""
    children, where = pack.children, pack.where
    stack: list[tuple[int, bytes | None, int]] = [(root, None, 0)]
    while stack:
        offset, base, held = stack.pop()
        try:
            if allowance.left < 0:
                raise PackError("over the allowance of bytes to rebuild")
            raw = _rebuild(pack, offset, base, apply)
            held += len(raw)
            allowance.left -= len(raw)
            if held > _PATH_BYTES:
                raise PackError("delta chain too long to hold")
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # noqa: BLE001 - zlib, dulwich (a Rust panic too) and index errors: git reads it
            yield from ((FAILED, failed, b"") for failed in tree_ids(pack, [offset]))
            continue
        if is_suspect(raw):
            yield SUSPECT, pack.object_id(where[offset][3]), raw
        kids = children.get(offset)
        if kids:
            stack.extend([(child, raw, held) for child in kids])


def loose_ids(objects: Path) -> list[bytes]:
    """The ids of the loose objects (``objects/xx/<38 hex>``)."""
    found = []
    for high in range(256):
        try:
            with os.scandir(objects / f"{high:02x}") as entries:
                found += [f"{high:02x}{entry.name}" for entry in entries if len(entry.name) == 2 * _ID - 2]
        except OSError:
            continue
    return [bytes.fromhex(name) for name in found if _HEX_ID.fullmatch(name)]


def _read_loose(path: Path) -> tuple[bytes, bytes | None]:
    """A loose object's type and, for a blob or a commit, its content; PackError for what
    this reader will not read (a link, a FIFO, a wrong size, an object too big to hold)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with open(fd, "rb") as file:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_BLOB_BYTES + MAX_BLOB_BYTES // 64:
            raise PackError("not a regular file of a size this reader holds")
        inflater = zlib.decompressobj()
        head = inflater.decompress(file.read(64 * 1024), 64)
        kind, _, rest = head.partition(b" ")
        size_text, nul, _ = rest.partition(b"\0")
        if not nul or not size_text.isdigit() or kind not in (b"blob", b"tree", b"commit", b"tag"):
            raise PackError("not an object header")
        if kind not in (b"blob", b"commit"):
            return kind, None
        if int(size_text) > MAX_BLOB_BYTES:
            raise PackError("too big to hold")
        size = int(size_text)
        out = head[len(kind) + len(size_text) + 2 :] + inflater.decompress(
            inflater.unconsumed_tail + file.read(), size + 1
        )
    if len(out) != size or not inflater.eof:
        raise PackError("object does not inflate to its size")
    return kind, out


def judge_loose(
    objects: Path, ids: list[bytes], is_suspect: Callable[[bytes], bool], is_message: Callable[[bytes], bool]
) -> Iterator[tuple[bytes, bytes, bytes]]:
    """(verdict, id, content) for the loose objects: a blob (suspect, with its content, or
    clean), a commit (its message worth judging, or clear), or one not read (FAILED: git
    reads it, whatever it is). A tree or tag gives none: it answers for no blob or commit."""
    for object_id in ids:
        name = object_id.hex()
        try:
            kind, data = _read_loose(objects / name[:2] / name[2:])
        except (PackError, OSError, zlib.error, ValueError):
            yield FAILED, object_id, b""
            continue
        if data is None:
            continue
        if kind == b"blob":
            yield (SUSPECT, object_id, data) if is_suspect(data) else (LOOSE_BLOB, object_id, b"")
        elif not hashes_to(b"commit", data, object_id):  # a forged copy: the real one may be a delta
            yield FAILED, object_id, b""
        else:
            yield (MESSAGE if is_message(data) else LOOSE_COMMIT), object_id, b""


def judge_commits(
    pack: Pack, offsets: list[int], is_message: Callable[[bytes], bool]
) -> Iterator[tuple[bytes, bytes, bytes]]:
    """(MESSAGE, id) for each commit whose message is worth judging; (FAILED, id) for one
    this reader could not read or that does not hash to its id (a forged copy beside a real
    one stored as a delta, which this reader leaves to git): either way git reads it."""
    for offset in offsets:
        object_id = pack.object_id(pack.where[offset][3])
        try:
            body = _inflate(pack, offset)
        except Exception:  # noqa: BLE001 - zlib and size errors alike: git reads it
            yield FAILED, object_id, b""
            continue
        if not hashes_to(b"commit", body, object_id):
            yield FAILED, object_id, b""
        elif is_message(body):
            yield MESSAGE, object_id, b""


def open_packs(objects: Path) -> list[Pack]:
    """Every pack, or PackError when one is not to be trusted: then git reads every blob
    (a blob in a pack skipped here could be another copy of one judged in a pack read)."""
    found: list[Pack] = []
    try:
        for index in sorted((objects / "pack").glob("*.idx")):
            found.append(_read_pack(index))
            if sum(len(pack.where) for pack in found) > MAX_OBJECTS:
                raise PackError("too many objects to hold their tables")
    except (PackError, OSError, ValueError, IndexError, struct.error) as exc:
        for pack in found:
            pack.data.close()
        raise PackError(str(exc)) from None
    return found
