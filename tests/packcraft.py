"""Hand-made git objects and packs for the tests of the in-process pack reader (pack-format(5),
gitformat-pack): loose objects, whole and delta pack entries, and a version-2 index that
may say what the attacker wants it to say."""

from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

TYPES = {"commit": 1, "tree": 2, "blob": 3, "tag": 4}


def object_id(kind: str, data: bytes) -> bytes:
    return hashlib.sha1(f"{kind} {len(data)}\0".encode() + data, usedforsecurity=False).digest()


def write_loose(objects: Path, oid: bytes, kind: str, data: bytes) -> Path:
    """A loose object under ``oid`` (which need not be its id: a forged copy)."""
    path = objects / oid.hex()[:2] / oid.hex()[2:]
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.chmod(0o644)
        path.unlink()
    path.write_bytes(zlib.compress(f"{kind} {len(data)}\0".encode() + data))
    return path


def header(kind: int, size: int) -> bytes:
    """An entry's type and size: 4 bits, then base 128."""
    first, size = (kind << 4) | (size & 15), size >> 4
    out = bytearray()
    while size:
        out.append(first | 0x80)
        first, size = size & 0x7F, size >> 7
    out.append(first)
    return bytes(out)


def ofs(back: int) -> bytes:
    """An OFS_DELTA's distance back to its base (git's offset encoding)."""
    out = bytearray([back & 0x7F])
    back >>= 7
    while back:
        back -= 1
        out.insert(0, 0x80 | (back & 0x7F))
        back >>= 7
    return bytes(out)


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        if not n:
            out.append(byte)
            return bytes(out)
        out.append(byte | 0x80)


def copy_delta(base_size: int, size: int, offset: int = 0) -> bytes:
    """A delta rebuilding ``size`` bytes copied from ``offset`` of its base (at most 0xFFFFFF)."""
    op, args = 0x80, bytearray()
    for i in range(4):
        if (offset >> (8 * i)) & 0xFF:
            op |= 1 << i
            args.append((offset >> (8 * i)) & 0xFF)
    for i in range(3):
        if (size >> (8 * i)) & 0xFF:
            op |= 1 << (4 + i)
            args.append((size >> (8 * i)) & 0xFF)
    return varint(base_size) + varint(size) + bytes([op]) + bytes(args)


def insert_delta(base_size: int, target: bytes) -> bytes:
    """A delta that writes ``target`` literally."""
    out = bytearray(varint(base_size) + varint(len(target)))
    for i in range(0, len(target), 127):
        piece = target[i : i + 127]
        out.append(len(piece))
        out += piece
    return bytes(out)


@dataclass(frozen=True)
class Entry:
    """One pack entry: ``raw`` bytes as stored, and the id the index gives them."""

    raw: bytes
    oid: bytes


def whole(kind: str, data: bytes, oid: bytes | None = None) -> Entry:
    return Entry(header(TYPES[kind], len(data)) + zlib.compress(data), oid or object_id(kind, data))


def ref_delta(base: bytes, delta: bytes, oid: bytes) -> Entry:
    return Entry(header(7, len(delta)) + base + zlib.compress(delta), oid)


def write_pack(
    directory: Path,
    entries: list[Entry],
    *,
    ofs_deltas: dict[int, tuple[int, bytes]] | None = None,
    reverse_ties: bool = False,
) -> Path:
    """A pack and its index in ``directory``. ``ofs_deltas``: entry number -> (the number
    of its base, its delta), written as OFS_DELTA entries in place of those entries' raw.
    ``reverse_ties``: an id listed twice is indexed in the reverse of the pack's order."""
    body = bytearray(b"PACK" + struct.pack(">2I", 2, len(entries)))
    offsets = []
    for n, entry in enumerate(entries):
        offsets.append(len(body))
        if ofs_deltas and n in ofs_deltas:
            base, delta = ofs_deltas[n]
            body += header(6, len(delta)) + ofs(offsets[-1] - offsets[base]) + zlib.compress(delta)
        else:
            body += entry.raw
    body += hashlib.sha1(body, usedforsecurity=False).digest()
    order = sorted(range(len(entries)), key=lambda i: (entries[i].oid, -i if reverse_ties else i))
    fan = [0] * 256
    for entry in entries:
        fan[entry.oid[0]] += 1
    fanout = [sum(fan[: i + 1]) for i in range(256)]
    index = bytearray(b"\377tOc\0\0\0\2" + struct.pack(">256I", *fanout))
    index += b"".join(entries[i].oid for i in order)
    index += b"".join(struct.pack(">I", zlib.crc32(entries[i].raw)) for i in order)
    index += b"".join(struct.pack(">I", offsets[i]) for i in order)
    index += body[-20:]
    index += hashlib.sha1(index, usedforsecurity=False).digest()
    directory.mkdir(parents=True, exist_ok=True)
    name = body[-20:].hex()
    (directory / f"pack-{name}.pack").write_bytes(bytes(body))
    (directory / f"pack-{name}.idx").write_bytes(bytes(index))
    return directory / f"pack-{name}.pack"
