"""Which commits of a history could add a key, and in which files: each new blob read once.

``git log --raw`` names the blob each commit writes at each path (tree diffs only, no
file contents); ``git cat-file --batch`` reads every blob not seen before, once. A
commit is worth a patch only when one of its new blobs holds a suspect line (a UUID under
a key-like name): the scanner then reads just those commits' patches of those files
(and of the files they delete, so that renames are still recognised). A thread feeds blob
ids from the walk to one cat-file per core but one (each blob to one of them, by its id)
while this thread reads the blobs, so git's processes and Python overlap on every core.

Memory: the ids of the blobs seen so far and one blob at a time (a blob over
MAX_BLOB_BYTES is probed in pieces), never the history.
"""

from __future__ import annotations

import enum
import os
import queue
import re
import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, NoReturn

from responder.core.redact import PROBE
from responder.scanning import gitio, packs, packwork
from responder.scanning.patch import COMMIT_MARK, unquote_path

MAX_BLOB_BYTES = 64 * 1024 * 1024
_PIECE = 8 * 1024 * 1024
_PROBE_BYTES = re.compile(PROBE.encode())
_NO_BLOB = b"0" * 40
_GITLINK = b"160000"
_GROUP_COMMITS, _GROUP_BLOBS = 32, 1024  # a group of commits ends at either count (blobs: new ones)


@dataclass(frozen=True)
class _Entry:
    commit: bytes
    blobs: list[tuple[bytes, bytes]]  # (blob id, path) for each blob the commit writes
    fresh: list[bytes]  # the ones first seen here, sent to cat-file (shard: ``_shard``)
    deleted: list[bytes]  # paths it deletes: a rename's other half


@dataclass
class Walk:
    commits: int = 0
    suspects: list[str] = field(default_factory=list)  # commits to patch, in walk order
    paths: set[bytes] = field(default_factory=set)  # the files worth a patch in them
    missing: list[tuple[str, bytes]] = field(default_factory=list)  # (commit, path) of blobs git could not read
    written: dict[str, list[tuple[bytes, bytes]]] = field(default_factory=dict)  # a suspect's (blob id, path) pairs
    messages: list[str] = field(default_factory=list)  # from the packs: the commits whose messages git must read
    contents: dict[bytes, bytes] = field(default_factory=dict)  # from the packs: suspect blobs (binary ids), some

    def note(self, commit: bytes, pairs: list[tuple[bytes, bytes]], deleted: list[bytes]) -> None:
        """A commit that writes suspect blobs (``pairs``) and deletes ``deleted``."""
        name = commit.decode("ascii")
        self.suspects.append(name)
        self.written[name] = pairs
        self.paths.update((path for _, path in pairs), deleted)


def _raw_args(revs: Sequence[str], no_walk: bool) -> list[str]:
    return [
        "log",
        "--raw",
        "--no-abbrev",
        "--no-renames",
        "--root",
        "--diff-merges=combined",  # a merge lists the files that differ from every parent
        "--no-notes",
        *(["--no-walk=unsorted"] if no_walk else []),
        f"--format={COMMIT_MARK.decode()}%H",
        *revs,
        "--",
    ]


def _parse_raw(line: bytes) -> tuple[bytes | None, bytes]:
    """(the blob a ``--raw`` line writes, its path) from ``:old new sha sha M\tpath`` or,
    for a merge, ``::p1 p2 new sha sha sha MM\tpath``; no blob for a deletion or a
    submodule."""
    return _written(line), unquote_path(line.rstrip(b"\n").partition(b"\t")[2].split(b"\t")[-1])


def _written(line: bytes) -> bytes | None:
    """``_parse_raw``'s blob alone (the walk of a spooled log parses a path only when used)."""
    fields = line.partition(b"\t")[0].split()
    parents = len(fields[0]) - len(fields[0].lstrip(b":"))
    if len(fields) < 2 * parents + 3 or fields[-2] == _NO_BLOB or fields[parents] == _GITLINK:
        return None
    return fields[-2]


def _shard(sha: bytes, shards: int) -> int:
    return sha[0] % shards  # the id's first hex digit, as a byte: an even split


def _feed(
    log: IO[bytes], batches: list[IO[bytes]], entries: queue.Queue[list[_Entry] | None], failed: list[BaseException]
) -> None:
    """Walk the raw log; queue a few commits at a time, then ask the cat-files for their
    unseen blobs (fewer queue hand-offs, writes and wake-ups than one commit at a time).

    Deadlock-free: a group is queued before its requests are written, and each shard's
    requests are written (and answered, unbuffered) in the order the reader reads them."""
    seen: set[bytes] = set()
    entry = _Entry(b"", [], [], [])
    group: list[_Entry] = []
    asked: list[list[bytes]] = [[] for _ in batches]

    def flush() -> None:
        entries.put(group.copy())
        group.clear()
        for shard, batch in enumerate(batches):
            if asked[shard]:
                batch.write(b"".join(asked[shard]))
                batch.flush()
                asked[shard].clear()

    def close(done: _Entry) -> None:
        group.append(done)
        for sha in done.fresh:
            asked[_shard(sha, len(batches))].append(sha + b"\n")
        if len(group) >= _GROUP_COMMITS or sum(map(len, asked)) >= _GROUP_BLOBS:
            flush()

    try:
        for line in log:
            if line.startswith(COMMIT_MARK):
                if entry.commit:
                    close(entry)
                entry = _Entry(line[1:].strip(), [], [], [])
            elif line.startswith(b":"):
                sha, path = _parse_raw(line)
                if sha is None:
                    entry.deleted.append(path)
                    continue
                entry.blobs.append((sha, path))
                if sha not in seen:
                    seen.add(sha)
                    entry.fresh.append(sha)
        if entry.commit:
            close(entry)
        if group:
            flush()
    except BaseException as exc:  # noqa: BLE001 - handed to the reading thread
        failed.append(exc)
    finally:
        entries.put(None)
        for batch in batches:
            try:
                batch.close()
            except OSError:
                pass


def _blob_is_suspect(out: IO[bytes], size: int, is_suspect: Callable[[bytes], bool]) -> bool:
    if size <= MAX_BLOB_BYTES:
        data = out.read(size)
        out.read(1)
        return is_suspect(data)
    hit = False  # too big to hold: any UUID makes its commits worth a patch
    left, tail = size, b""
    while left:
        piece = out.read(min(_PIECE, left))
        left -= len(piece)
        hit = hit or _PROBE_BYTES.search(tail + piece[:64]) is not None or _PROBE_BYTES.search(piece) is not None
        tail = piece[-64:]
    out.read(1)
    return hit


class _Verdict(enum.Enum):
    CLEAN = b"0"
    SUSPECT = b"1"
    MISSING = b"m"  # "<id> missing": a damaged repository or a partial clone


def _next_verdict(out: IO[bytes], is_suspect: Callable[[bytes], bool]) -> _Verdict | None:
    """Read cat-file's next answer and judge it; None at the end."""
    header = out.readline()
    if not header:
        return None
    fields = header.split()
    if len(fields) != 3:
        return _Verdict.MISSING
    _, kind, size = fields
    suspect = _blob_is_suspect(out, int(size), is_suspect) and kind == b"blob"
    return _Verdict.SUSPECT if suspect else _Verdict.CLEAN


class _Judge:
    """One shard's verdicts, in request order: judged here, or by a forked worker that
    reads the shard's cat-file and sends one byte (a ``_Verdict``) per blob (so the shards' reading and
    probing run on every core while this process only maps blobs to commits)."""

    def __init__(self, out: IO[bytes], is_suspect: Callable[[bytes], bool], inherited: list[IO[bytes]]) -> None:
        self.out, self.is_suspect, self.pid = out, is_suspect, 0
        self.verdicts: IO[bytes] | None = None
        if hasattr(os, "fork") and (os.cpu_count() or 1) > 1:
            self._fork(inherited)

    def _fork(self, inherited: list[IO[bytes]]) -> None:
        read, write = os.pipe()
        self.pid = os.fork()
        if self.pid:
            os.close(write)
            self.out.close()
            self.verdicts = open(read, "rb")
            return
        code = 1
        try:  # the worker: never returns into the caller
            os.close(read)
            for stream in inherited:  # else cat-file would never see the end of its input
                stream.close()
            while (verdict := _next_verdict(self.out, self.is_suspect)) is not None:
                os.write(write, verdict.value)
            code = 0
        finally:
            os._exit(code)

    def next(self) -> _Verdict:
        if self.verdicts is None:
            verdict = _next_verdict(self.out, self.is_suspect)
        else:
            answer = self.verdicts.read(1)
            verdict = _Verdict(answer) if answer else None
        if verdict is None:
            raise ReaderStopped
        return verdict

    def close(self) -> None:
        if self.verdicts is not None:
            self.verdicts.close()
        if self.pid:
            os.waitpid(self.pid, 0)
            self.pid = 0


def _take(entry: _Entry, judges: list[_Judge], suspect_blobs: set[bytes], walk: Walk) -> None:
    """Read the verdicts on a commit's new blobs; note the commit if one of its blobs is suspect."""
    for fresh in entry.fresh:
        verdict = judges[_shard(fresh, len(judges))].next()
        if verdict is _Verdict.SUSPECT:
            suspect_blobs.add(fresh)
        elif verdict is _Verdict.MISSING:  # never silently: the caller warns that this file was not scanned
            walk.missing += [(entry.commit.decode("ascii"), path) for sha, path in entry.blobs if sha == fresh]
    walk.commits += 1
    pairs = [(sha, path) for sha, path in entry.blobs if sha in suspect_blobs]
    if pairs:
        walk.note(entry.commit, pairs, entry.deleted)


def _read_blobs(
    judges: list[_Judge],
    entries: queue.Queue[list[_Entry] | None],
    progress: Callable[[int], None] | None,
) -> Walk:
    walk = Walk()
    suspect_blobs: set[bytes] = set()
    while (group := entries.get()) is not None:
        for entry in group:
            _take(entry, judges, suspect_blobs, walk)
            if progress is not None and walk.commits % 256 == 0:
                progress(walk.commits)
    if progress is not None:
        progress(walk.commits)
    return walk


def _readers() -> int:
    """How many cat-files (each with its forked reader): one core goes to ``git log`` and
    this process's walk, the others (at most 4) to reading blobs. On 2 cores a second
    reader measured slower (0.60 s against 0.54 s wall, 0.56 against 0.51 s of CPU, on a
    3,400-commit history): six processes contend for two cores."""
    return max(1, min((os.cpu_count() or 1) - 1, 4))


class ReaderStopped(Exception):
    """A blob reader ended before its answers did (``git cat-file`` died)."""


def _stopped(batches: list[subprocess.Popen[bytes]]) -> NoReturn:
    """git cat-file died before answering: fail with its own reason (a damaged object, as a
    flipped byte in a pack makes one), not as an internal error."""
    for batch in batches:
        gitio.finish(batch, "cat-file")  # raises git's own reason when it failed
    raise gitio.GitError("git cat-file stopped before it answered: the repository may be damaged (git fsck)")


class _Git:
    """One ``cat-file`` for the blobs the packs could not answer for, started on the first."""

    def __init__(self, root: Path, is_suspect: Callable[[bytes], bool]) -> None:
        self.root, self.is_suspect = root, is_suspect
        self.proc: subprocess.Popen[bytes] | None = None
        self.verdicts: dict[bytes, _Verdict] = {}

    def __call__(self, sha: bytes) -> _Verdict:
        verdict = self.verdicts.get(sha)
        if verdict is None:
            if self.proc is None:
                self.proc = gitio.popen(self.root, "cat-file", "--batch", stdin=True)
            assert self.proc.stdin is not None and self.proc.stdout is not None
            try:
                self.proc.stdin.write(sha + b"\n")
                self.proc.stdin.flush()
            except BrokenPipeError:
                pass  # cat-file stopped: the answer below is empty, and its exit says why
            verdict = _next_verdict(self.proc.stdout, self.is_suspect)
            if verdict is None:
                proc, self.proc = self.proc, None
                _stopped([proc])
            self.verdicts[sha] = verdict
        return verdict

    def close(self, *, check: bool = True) -> None:
        if self.proc is not None:
            proc, self.proc = self.proc, None
            gitio.finish(proc, "cat-file", check=check)


def _walk_spooled(
    log: IO[bytes], verdicts: packwork.Verdicts, git: _Git, progress: Callable[[int], None] | None
) -> Walk:
    """The raw log, each blob's verdict taken from the packs (or from git). A line's path
    is parsed only when its commit needs it: most lines cost a split and a set lookup."""
    walk = Walk()
    commit, changes = b"", []  # type: bytes, list[tuple[bytes | None, bytes]]  # (blob or None, raw line)

    def close() -> None:
        walk.commits += 1
        pairs = []
        for sha, line in changes:
            if sha is None:
                continue
            known = verdicts.suspect(bytes.fromhex(sha.decode("ascii")))
            if known is None:
                fresh = sha not in git.verdicts
                verdict = git(sha)
                if verdict is _Verdict.MISSING and fresh:
                    walk.missing.append((commit.decode("ascii"), _parse_raw(line)[1]))
                known = verdict is _Verdict.SUSPECT
            if known:
                pairs.append((sha, _parse_raw(line)[1]))
        if pairs:
            walk.note(commit, pairs, [_parse_raw(line)[1] for sha, line in changes if sha is None])
        if verdicts.message(bytes.fromhex(commit.decode("ascii"))):
            walk.messages.append(commit.decode("ascii"))
        if progress is not None and walk.commits % 256 == 0:
            progress(walk.commits)

    for line in log:
        if line.startswith(COMMIT_MARK):
            if commit:
                close()
            commit, changes = line[1:].strip(), []
        elif line.startswith(b":"):
            changes.append((_written(line), line))
    if commit:
        close()
    if progress is not None:
        progress(walk.commits)
    return walk


def packed(root: Path, revs: Sequence[str], *, no_walk: bool) -> Path | None:
    """The object directory whose packs ``suspect_commits`` reads, when ``revs`` are the
    whole history (every blob in them is worth judging) and the packs can be read here."""
    if no_walk or list(revs) != ["--all"]:
        return None
    objects = _objects(root)
    return objects if objects is not None and packs.usable(objects) else None


def _objects(root: Path) -> Path | None:
    """The object directory git reads at ``root``, as git says (a bare repository holding
    a decoy ``.git``, a linked worktree, GIT_DIR: git's discovery, not a guess)."""
    done = gitio.git(root, "rev-parse", "--git-path", "objects", check=False)
    if done.returncode != 0 or not done.stdout.strip():
        return None
    return root / os.fsdecode(done.stdout.strip())


def _from_packs(
    root: Path,
    revs: Sequence[str],
    objects: Path,
    judges: tuple[Callable[[bytes], bool], Callable[[bytes], bool]],
    progress: Callable[[int], None] | None,
    prepare: Callable[[], None],
) -> Walk:
    """A whole history: the raw log is spooled to a file while the packs are judged on
    every core (``packs``), then walked with their verdicts. A log past SPOOL_BYTES (a
    hundred commits each rewriting 100,000 files) is stopped and read again, streamed,
    once the verdicts are in: the disk holds at most that much."""
    with tempfile.TemporaryFile() as spool:
        log = gitio.popen(root, *_raw_args(revs, False), stdout=spool)
        watch = _SpoolWatch(log, spool)
        try:
            prepare()  # while git starts its log
            try:
                verdicts = packwork.judge(objects, judges[0], min(os.cpu_count() or 1, 4), judges[1], watch)
            except packs.PackError:  # a pack not to be trusted, a worker died: git reads every blob
                verdicts = packwork.Verdicts(set(), set(), set())
            watch.until_done()
        except BaseException:
            log.kill()
            gitio.finish(log, "log", check=False)
            raise
        gitio.finish(log, "log", check=not watch.overflowed)
        if watch.overflowed:
            log = gitio.popen(root, *_raw_args(revs, False))
            assert log.stdout is not None
            source: IO[bytes] = log.stdout
        else:
            spool.seek(0)
            source = spool
        git = _Git(root, judges[0])
        try:
            walk = _walk_spooled(source, verdicts, git, progress)
            walk.contents = verdicts.contents
        except BaseException:
            git.close(check=False)
            if watch.overflowed:
                log.kill()
                gitio.finish(log, "log", check=False)
            raise
        git.close()
        if watch.overflowed:
            gitio.finish(log, "log")
    return walk


SPOOL_BYTES = 128 * 1024 * 1024
# Packs holding this many more commits than the walk (and a few): rebuild only what it writes.
_UNREACHED_RATIO, _UNREACHED_SLACK = 1.25, 64


def _walked(spool: IO[bytes]) -> int:
    """The commits in the (ended) spooled log."""
    with open(os.dup(spool.fileno()), "rb", closefd=True) as copy:
        copy.seek(0)
        return sum(block.count(COMMIT_MARK) for block in iter(lambda: copy.read(1 << 20), b""))


def _written_ids(spool: IO[bytes]) -> set[bytes]:
    """Every blob the (ended) spooled log writes, as binary ids."""
    ids: set[bytes] = set()
    with open(os.dup(spool.fileno()), "rb", closefd=True) as copy:
        copy.seek(0)
        for line in copy:
            if line.startswith(b":") and (sha := _written(line)) is not None:
                ids.add(bytes.fromhex(sha.decode("ascii")))
    return ids


class _SpoolWatch:
    """Between the pack chunks this process judges (then while waiting for git): stops the
    spooled ``git log`` once its file passes SPOOL_BYTES; once it has ended, tells the
    packs which blobs the history writes, when they hold far more commits than it walks."""

    def __init__(self, log: subprocess.Popen[bytes], spool: IO[bytes]) -> None:
        self.log, self.spool, self.overflowed, self.asked = log, spool, False, False

    def __call__(self, commits_held: int = 0) -> set[bytes] | None:
        if not self.overflowed and os.fstat(self.spool.fileno()).st_size > SPOOL_BYTES:
            self.log.kill()  # (git may have ended: then the spool is merely read again, streamed)
            self.overflowed = True
        if self.overflowed or self.asked or self.log.poll() is None:
            return None
        self.asked = True
        worth = commits_held > _UNREACHED_RATIO * _walked(self.spool) + _UNREACHED_SLACK
        return _written_ids(self.spool) if worth else None

    def until_done(self) -> None:
        while not self.overflowed:
            try:
                self.log.wait(timeout=0.05)
            except subprocess.TimeoutExpired:
                self()
            else:
                self()
                return


def suspect_commits(
    root: Path,
    revs: Sequence[str],
    *,
    no_walk: bool,
    is_suspect: Callable[[bytes], bool],
    progress: Callable[[int], None] | None = None,
    prepare: Callable[[], None] = lambda: None,
    packed: tuple[Path, Callable[[bytes], bool]] | None = None,
) -> Walk:
    """The commits of ``revs`` that write a blob holding a suspect line, and how many
    commits were walked. ``is_suspect`` judges a whole blob (it must be cheap on blobs
    without a candidate: it is called on every one); ``prepare`` readies it, called once
    git is started and before any worker forks. ``packed``: the object directory of
    ``packed()`` and a probe of commit objects; then every blob and commit in the packs
    is judged here, and ``Walk.messages`` lists the commits whose messages git must read."""
    if packed is not None:
        objects, is_message = packed
        return _from_packs(root, revs, objects, (is_suspect, is_message), progress, prepare)
    log = gitio.popen(root, *_raw_args(revs, no_walk))
    batches = [gitio.popen(root, "cat-file", "--batch", stdin=True) for _ in range(_readers())]
    assert log.stdout is not None
    ins = [batch.stdin for batch in batches if batch.stdin is not None]
    outs = [batch.stdout for batch in batches if batch.stdout is not None]
    for stream in (log.stdout, *outs):  # fewer wake-ups between git and its reader
        gitio.widen_pipe(stream.fileno())
    prepare()
    judges: list[_Judge] = []
    for out in outs:  # forked before the feeder thread starts
        inherited = [log.stdout, *ins, *(other for other in outs if other is not out)]
        judges.append(_Judge(out, is_suspect, inherited + [j.verdicts for j in judges if j.verdicts]))
    entries: queue.Queue[list[_Entry] | None] = queue.Queue()
    failed: list[BaseException] = []
    feeder = threading.Thread(target=_feed, args=(log.stdout, ins, entries, failed), daemon=True)
    feeder.start()
    try:
        walk = _read_blobs(judges, entries, progress)
    except ReaderStopped:
        log.kill()
        feeder.join()
        for judge in judges:
            judge.close()
        gitio.finish(log, "log", check=False)
        _stopped(batches)
    except BaseException:
        for proc in (log, *batches):
            proc.kill()
        feeder.join()
        for judge in judges:
            judge.close()
        for proc in (log, *batches):
            gitio.finish(proc, "log", check=False)
        raise
    feeder.join()
    for judge in judges:
        judge.close()
    if failed:
        raise failed[0]
    gitio.finish(log, "log")
    for batch in batches:
        gitio.finish(batch, "cat-file")
    return walk
