"""The pre-commit hook's commonest cases in milliseconds: no staged line could hold a key.

Imports nothing beyond ``os`` and ``re`` (already loaded) until a changed line holds a
UUID. ``git diff-index --cached --raw`` names each changed file's blob before and after;
a ``git cat-file --batch`` reads the blobs before (into a memory file, so it cannot
block) while the staged blobs are taken from the work tree wherever a file there hashes
to its staged blob id (the rest go to a second reader), and a byte search probes them for
the UUID probe or the word ``Secret`` (a base64 key in a Kubernetes Secret;
``detect.may_hold_key``). A diff line is a line of one of those blobs, so a file whose
blobs and path have no hit has no suspect changed line: when no file has one, the change
is clean without any diff. Otherwise only the suspect files are diffed (``git diff
--cached -- <paths>``); when that diff has a hit on a changed line, the scanner's own line
gate (``triage``) judges it, and only a suspect line loads the full scan, which takes the
diff. Anything unusual (a git error, no HEAD yet, no memory files, a very long path list)
goes to the full scan of the whole change.
"""

from __future__ import annotations

import os
import re

from responder.core.redact import PROBE
from responder.scanning.gitargs import CONFIG, DIFF_OPTS, clean_env

# The UUID probe (redact.PROBE: ``-hhhh-hhhh-hhhh-`` with h a hex digit). ``re`` is loaded
# before the hook gets here (the console uses it); UTF-16 text's probe is found by mapping
# hex digits to "h" ("h" itself to "g") and one substring search.
_PROBE_RE = re.compile(PROBE.encode())
_HEX_TO_H = bytes.maketrans(b"0123456789abcdefABCDEFh", b"h" * 22 + b"g")
_SMALL = 256 * 1024  # a cat-file output up to this size is probed blob by blob
_HINT = b"Secret"  # the word a Kubernetes Secret (base64 keys) holds, not a password
_NO_BLOB = b"0" * 40
_SUBMODULE = b"160000"
_REGULAR = (b"100644", b"100755")
_HASHES = {40: "sha1", 64: "sha256"}  # an object id's length names the repository's hash
_WORK_TREE_MAX = 16 * 1024 * 1024  # larger staged files are read by git
_BASE64_CHARS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_FEW = 32  # files changed: up to this many, the whole diff (already started) is read instead
_MAX_PATHSPEC = 64 * 1024  # bytes of suspect paths passed in argv; more diffs the whole change
_handoff: list[tuple[str, bytes]] = []  # the diff just read, for the full scan in this process


def has_probe(data: bytes) -> bool:
    """Whether ``data`` holds the dashed middle of a UUID (``redact.PROBE``)."""
    return _PROBE_RE.search(data) is not None


_PROBE16 = b"-\0h\0h\0h\0h\0-\0h\0h\0h\0h\0-\0h\0h\0h\0h\0-"  # the probe in UTF-16 (LE, or BE one byte on)
_BOMS = (b"\xff\xfe", b"\xfe\xff")


def is_wide_suspect(blob: bytes) -> bool:
    """A UTF-16 text (BOM) holding the probe: its diff is NUL-filled bytes without a hit
    of its own, so the full scan must judge it (see ``scanning.wide``)."""
    return blob.startswith(_BOMS) and _PROBE16 in blob.translate(_HEX_TO_H)


def may_hold_key(data: bytes) -> bool:
    """Could these bytes (a blob, a path, a diff) hold a key or send one to the judge?"""
    return _HINT in data or has_probe(data)


def _spawn(argv: list[str | bytes], stdin: int | None, stdout: int) -> int | None:
    """Start git with ``stdout`` (and ``stdin``) as given, stderr discarded; its pid."""
    actions: list[tuple[int, ...] | tuple[int, int, str, int, int]] = [
        (os.POSIX_SPAWN_DUP2, stdout, 1),
        (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
    ]
    if stdin is not None:
        actions.append((os.POSIX_SPAWN_DUP2, stdin, 0))
    try:
        return os.posix_spawnp("git", ["git", "--no-pager", *CONFIG, *argv], clean_env(), file_actions=actions)
    except OSError:
        return None


def _succeeded(pid: int) -> bool:
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def _start_output(argv: list[str | bytes]) -> tuple[int | None, int]:
    """Start git printing into a pipe: (its pid, None if it could not start; the pipe)."""
    read, write = os.pipe()
    pid = _spawn(argv, None, write)
    os.close(write)
    return pid, read


def _finish_output(started: tuple[int | None, int]) -> bytes | None:
    """What a started git prints on stdout; None when it fails."""
    pid, read = started
    with open(read, "rb") as pipe:
        data = pipe.read()
    return data if pid is not None and _succeeded(pid) else None


def _abandon(started: tuple[int | None, int]) -> None:
    pid, read = started
    os.close(read)
    if pid is not None:
        os.kill(pid, 9)  # SIGKILL; it only reads the repository
        os.waitpid(pid, 0)


def _git_output(argv: list[str | bytes]) -> bytes | None:
    """What git prints on stdout; None when it fails."""
    return _finish_output(_start_output(argv))


def _changes(raw: bytes) -> list[tuple[bytes, bytes, bytes, bool]] | None:
    """(blob before, blob after, path, whether after is a regular file) of each file in
    ``diff-index --raw -z`` output, a side with no blob (added, deleted, a submodule) as
    ``_NO_BLOB``; None if unparsable."""
    fields = raw.split(b"\0")
    if fields[-1] != b"" or len(fields) % 2 == 0:
        return None
    changes = []
    for meta, path in zip(fields[0:-1:2], fields[1:-1:2], strict=True):
        parts = meta.split(b" ")
        if len(parts) != 5 or not parts[0].startswith(b":"):
            return None
        old = parts[2] if parts[0][1:] != _SUBMODULE else _NO_BLOB
        new = parts[3] if parts[1] != _SUBMODULE else _NO_BLOB
        changes.append((old, new, path, parts[1] in _REGULAR))
    return changes


def _from_work_tree(path: bytes, oid: bytes) -> bytes | None:
    """The staged blob ``oid`` of ``path`` read from the work tree when the file there
    hashes to it (git's own object hash; no filter, no racy stat trusted), else None:
    reading a file costs far less than git inflating its object."""
    import hashlib

    algorithm = _HASHES.get(len(oid))
    if algorithm is None:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except (OSError, ValueError):
        return None
    try:
        info = os.fstat(fd)
        if (info.st_mode & 0o170000) != 0o100000 or info.st_size > _WORK_TREE_MAX:
            return None
        # one read (no buffered file object: 500 of them cost milliseconds); a short read
        # or a file that grew no longer hashes to its blob, which git then reads
        data = os.read(fd, info.st_size + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    digest = hashlib.new(algorithm, b"blob %d\0" % len(data))
    digest.update(data)
    return data if digest.hexdigest().encode() == oid else None


def _work_tree_top() -> bytes | None:
    """The way from here to the top of the work tree (b"" at the top, where hooks run),
    which ``diff-index`` paths start from; None when git cannot tell (the staged blobs
    are then all read by git)."""
    if os.path.lexists(".git"):
        return b""
    up = _git_output(["rev-parse", "--show-cdup"])
    return None if up is None else up.rstrip(b"\n")


def _start_batch(oids: list[bytes]) -> tuple[int, int] | None:
    """Start ``git cat-file --batch`` reading ``oids`` from one memory file and writing
    to another (neither can fill and block); (pid, output fd), None when not possible."""
    memfd_create = getattr(os, "memfd_create", None)
    if memfd_create is None:
        return None
    source, sink = memfd_create("qp-oids"), memfd_create("qp-blobs")
    os.write(source, b"".join(oid + b"\n" for oid in oids))
    os.lseek(source, 0, os.SEEK_SET)
    pid = _spawn(["cat-file", "--batch"], source, sink)
    os.close(source)
    if pid is None:
        os.close(sink)
        return None
    return pid, sink


def _finish_batch(started: tuple[int, int]) -> bytes | None:
    pid, sink = started
    ok = _succeeded(pid)
    size = os.lseek(sink, 0, os.SEEK_END)
    os.lseek(sink, 0, os.SEEK_SET)
    with open(sink, "rb") as out:
        data = out.read(size)
    return data if ok and len(data) == size else None


def _blob_spans(batch: bytes, oids: list[bytes]) -> list[tuple[int, int]] | None:
    """Where each blob's content is in ``cat-file --batch`` output ``batch`` of ``oids``;
    None when the output is not what was asked for (a missing object, say)."""
    spans = []
    at = 0
    for oid in oids:
        eol = batch.find(b"\n", at)
        header = batch[at:eol].split(b" ")
        if eol < 0 or len(header) != 3 or header[0] != oid or not header[2].isdigit():
            return None
        at = eol + 1 + int(header[2]) + 1
        spans.append((eol + 1, at - 1))
    return spans if at == len(batch) else None


def _hit_blobs(batch: bytes, oids: list[bytes]) -> tuple[set[bytes], set[bytes]] | None:
    """The oids whose content in ``cat-file --batch`` output ``batch`` holds the UUID
    probe, and those that hold the hint (None as ``_blob_spans``). Small outputs are probed
    blob by blob; large ones with one search per kind that skips to the next blob after a
    hit (no match spans blobs: the headers between them hold neither a dash nor the hint)."""
    spans = _blob_spans(batch, oids)
    if spans is None:
        return None
    if len(batch) <= _SMALL:
        blobs = [(oid, batch[start:end]) for oid, (start, end) in zip(oids, spans, strict=True)]
        hinted = {oid for oid, blob in blobs if _HINT in blob or is_wide_suspect(blob)}
        return {oid for oid, blob in blobs if has_probe(blob)}, hinted
    from bisect import bisect_right

    def next_probe(at: int) -> int:
        found = _PROBE_RE.search(batch, at)
        return -1 if found is None else found.start()

    def next_hint(at: int) -> int:
        return batch.find(_HINT, at)

    starts = [start for start, _ in spans]
    hits: tuple[set[bytes], set[bytes]] = (set(), set())
    for find, found in zip((next_probe, next_hint), hits, strict=True):
        at = find(0)  # two searches: an alternation of the two is far slower
        while at >= 0:
            blob = bisect_right(starts, at) - 1
            found.add(oids[blob])
            at = find(spans[blob][1])
    for oid, (start, end) in zip(oids, spans, strict=True):
        if batch.startswith(_BOMS, start) and is_wide_suspect(batch[start:end]):
            hits[1].add(oid)
    return hits


def _suspect_paths(changes: list[tuple[bytes, bytes, bytes, bool]]) -> tuple[list[bytes], bool] | None:
    """The paths whose blob before or after, or whose name, may hold a key, and whether
    one of them says ``Secret`` (its key may be on a changed line while the word is not)
    or is UTF-16 text with a UUID (its diff shows none);
    None when the blobs cannot be read this way. git reads the blobs before (one reader)
    while the staged blobs are taken from the work tree where it holds them unchanged;
    the rest are read by a second reader."""
    olds = sorted({old for old, _, _, _ in changes} - {_NO_BLOB})
    started = _start_batch(olds) if olds else (0, -1)
    probed: set[bytes] = set()
    hinted: set[bytes] = set()
    unread: set[bytes] = set()
    top = _work_tree_top()
    for _, new, path, regular in changes:
        blob = _from_work_tree(top + path, new) if top is not None and regular and new != _NO_BLOB else None
        if blob is None:
            unread.add(new)
            continue
        if has_probe(blob):
            probed.add(new)
        if _HINT in blob or is_wide_suspect(blob):
            hinted.add(new)
    news = sorted(unread - {_NO_BLOB})
    for oids, run in ((olds, started), (news, _start_batch(news) if news else (0, -1))):
        output = b"" if run == (0, -1) else _finish_batch(run) if run is not None else None
        found = _hit_blobs(output, oids) if output is not None else None
        if found is None:
            return None
        probed |= found[0]
        hinted |= found[1]
    hits = probed | hinted
    paths = [path for old, new, path, _ in changes if old in hits or new in hits or may_hold_key(path)]
    return paths, any(_HINT in path or new in hinted or old in hinted for old, new, path, _ in changes)


def _diff_args(paths: list[bytes] | None = None) -> list[str | bytes]:
    """``git diff --cached`` against HEAD as the full scan runs it (of ``paths`` only, if
    given: paths from the top of the work tree, as ``diff-index`` names them, whatever
    directory the hook runs in; taken literally, never as globs)."""
    argv: list[str | bytes] = ["diff", "--cached", "--no-renames", *DIFF_OPTS, "HEAD", "--"]
    return argv if paths is None else [*argv, *(b":(top,literal)" + path for path in paths)]


def _whole_diff(started: tuple[int | None, int]) -> tuple[bytes, bool] | None:
    data = _finish_output(started)
    return None if data is None else (data, False)


def _suspect_diff() -> tuple[bytes, bool] | None:
    """The staged diff of the files that may hold a key (b"" when none may), or of the
    whole change when it is small or that cannot be told cheaply, and whether it must be
    judged even if it has no hit of its own; None when git fails."""
    whole = _start_output(_diff_args())  # a small change's whole diff costs less than reading its blobs
    raw = _git_output(["diff-index", "--cached", "--raw", "-z", "--no-renames", "--diff-filter=ACDMRT", "HEAD", "--"])
    changes = _changes(raw) if raw is not None else None
    if changes is None or len(changes) <= _FEW:
        return _whole_diff(whole)
    _abandon(whole)  # now, not after the blobs are read: it would take a core from their readers
    suspects = _suspect_paths(changes)
    if suspects is None or sum(len(path) + 1 for path in suspects[0]) > _MAX_PATHSPEC:
        return _whole_diff(_start_output(_diff_args()))
    paths, hinted = suspects
    diff = _git_output(_diff_args(paths)) if paths else b""
    return None if diff is None else (diff, hinted)


def _diff_is_suspect(diff: bytes) -> bool:
    """Could the full scan find anything in this diff: the gates it applies to a patch
    (``scanner._suspect_offsets``), the UUID probe, the base64 hint (a Secret's key whose
    ``kind`` line is outside the hunk) or the probe in UTF-16, or the word ``Secret``."""
    if may_hold_key(diff) or _has_base64_uuid_shape(diff):
        return True
    return b"\0" in diff and _PROBE16 in diff.translate(_HEX_TO_H)


def _has_base64_uuid_shape(data: bytes) -> bool:
    """What every base64-encoded UUID holds (``detect._b64_candidates``): 24 base64
    characters, then ``L`` + T/U/W, 5 more, ``t`` and 16 more. The hint alone
    (``L......t``) is common in code (``_ArrayLikeUInt``); this shape is not."""
    for tail in re.finditer(rb"L[TUW][A-Za-z0-9+/]{5}t[A-Za-z0-9+/]{16}", data):
        start = tail.start() - 24
        if start >= 0 and not data[start : tail.start()].translate(None, _BASE64_CHARS):
            return True
    return False


def staged_is_clean() -> bool:
    """True only when the staged changes surely hold no key; False means "run the scan",
    which then takes the diff read here (``take_staged_diff``) instead of reading it again."""
    found = _suspect_diff()
    if found is None:
        return False
    diff, hinted = found
    if not hinted and not _diff_is_suspect(diff):
        return True
    if not _has_suspect_line(diff):
        return True
    _handoff[:] = [(os.getcwd(), diff)]
    return False


def _has_suspect_line(diff: bytes) -> bool:
    """The full scan's own gate on this diff (``triage.suspect_offsets``, added and removed
    lines, as against HEAD): where it finds no suspect line the full scan finds no key, so
    a UUID its line refutes (a request id, a GUID, a placeholder) costs the line judge
    (about 13 ms to load) instead of the scanner, git plumbing and report formats."""
    from responder.scanning import triage

    return bool(triage.suspect_offsets(diff, (b"+", b"-")))


def take_staged_diff(cwd: str) -> bytes | None:
    """The staged diff ``staged_is_clean`` read from ``cwd`` in this process, once."""
    found = [data for where, data in _handoff if where == cwd]
    _handoff.clear()
    return found[0] if found else None
