"""Turn files, the index and commit ranges into findings.

Diffs are triaged line by line; only a changed line that holds a UUID assigned to a
key-like name makes the scanner read the whole file at that revision, so context is
judged from the whole file (a key added at line 200 of a file that names QuestionPro at
line 1 is a leak) while clean changes cost one regex pass.
"""

from __future__ import annotations

import bisect
import fnmatch
import itertools
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from responder.core import console
from responder.scanning import detect, forked, gitio, triage
from responder.scanning.findings import MAX_PER_FILE, Encoding, Finding, ScanReport
from responder.scanning.patch import COMMIT_MARK, FileDiff, parse_diff, split_commits
from responder.scanning.triage import decode

MAX_FILE_BYTES = 256 * 1024 * 1024
_WINDOWED_FROM = 1 << 20  # characters: a smaller text is judged in one pass
_FIRST_WINDOW = 4096  # lines
_Read = Callable[[str], "bytes | None"]  # a blob by ``<rev>:<path>``; None if there is none


@dataclass(frozen=True)
class Excluder:
    globs: tuple[str, ...] = ()

    def __call__(self, relpath: str) -> bool:
        base = relpath.rsplit("/", 1)[-1]
        return any(
            fnmatch.fnmatch(relpath, g) or fnmatch.fnmatch(base, g) or relpath.startswith(g.rstrip("/") + "/")
            for g in self.globs
        )


def display_path(path: Path, cwd: Path) -> str:
    """A printable, one-line name: cwd-relative, '/'-separated, control bytes escaped."""
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:
        rel = str(path)
    rel = rel.replace(os.sep, "/").encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return console.printable(rel)


def _finding(
    filename: str, match: detect.Match, commit: str | None, removed: bool, *, line_number: int | None = None
) -> Finding:
    encoding = Encoding(match.encoding) if match.encoding else None
    line = match.line_number if line_number is None else line_number
    return Finding(filename, line, match.secret, match.datacenter, commit, removed, encoding)


def findings_in_text(
    text: str,
    filename: str,
    *,
    commit: str | None = None,
    removed: bool = False,
    wanted: Callable[[int], bool] | None = None,
) -> list[Finding]:
    """The keys in ``text`` (restricted to ``wanted`` lines), judged with all of it as context.

    A big text is judged in windows of lines that double in size, stopping once it holds
    more findings than are reported (MAX_PER_FILE): a file of a million keys costs a few
    windows, not a million findings in memory."""
    if len(text) < _WINDOWED_FROM:
        return [_finding(filename, m, commit, removed) for m in detect.find_keys(text, wanted, path=filename)]
    found: list[Finding] = []
    low, size, last = 1, _FIRST_WINDOW, text.count("\n") + 1
    while low <= last and len(found) <= MAX_PER_FILE:
        high = low + size

        def window(line: int, low: int = low, high: int = high) -> bool:
            return low <= line < high and (wanted is None or wanted(line))

        found += [_finding(filename, m, commit, removed) for m in detect.find_keys(text, window, path=filename)]
        low, size = high, size * 2
    return found


def scan_paths(paths: Sequence[Path], cwd: Path, exclude: Excluder) -> ScanReport:
    """Files and directories (see ``tree``); inside a repository, directories respect
    .gitignore."""
    from responder.scanning import tree

    return tree.scan_paths(paths, cwd, exclude)


@dataclass(frozen=True)
class _DiffSide:
    lines: list[tuple[int, bytes]]
    path: bytes | None
    rev: str  # "" for the index
    removed: bool
    other_parents: tuple[str, ...] = ()  # a merge's parents after the first


@dataclass(frozen=True)
class _Place:
    """Where a diff is scanned: the repository, how its paths are shown and excluded, and
    how its blobs are read (one ``cat-file`` for the whole scan)."""

    root: Path
    cwd: Path
    exclude: Excluder
    read: _Read

    def name(self, path: bytes) -> str:
        return display_path(self.root / os.fsdecode(path), self.cwd)

    def shown(self, path: bytes) -> str | None:
        """The name a finding in ``path`` is shown under, or None when it is excluded."""
        name = self.name(path)
        return None if self.exclude(os.fsdecode(path)) or self.exclude(name) else name


class _Suspects:
    """Which changed lines of a side are suspect, judged when asked (a file of a million
    changed lines is judged only as far as its findings are wanted)."""

    def __init__(self, side: _DiffSide, read: _Read) -> None:
        self.side, self.read = side, read
        self.numbers = [number for number, _ in side.lines]
        self.theirs: set[bytes] | None = None

    def any(self) -> bool:
        return any(self(number) for number in self.numbers)

    def __call__(self, number: int) -> bool:
        i = bisect.bisect_left(self.numbers, number)
        if i == len(self.numbers) or self.numbers[i] != number:
            return False
        body = self.side.lines[i][1]
        return triage.is_suspect(body) and not (self.side.other_parents and body in self._theirs())

    def _theirs(self) -> set[bytes]:
        """A merge: a line another parent already had was added by that parent's commits."""
        if self.theirs is None:
            self.theirs = set()
            path = os.fsdecode(self.side.path or b"")
            for parent in self.side.other_parents if path else ():
                blob = self.read(f"{parent}:{path}")
                self.theirs.update(blob.split(b"\n") if blob else ())
        return self.theirs


def _scan_side(read: _Read, side: _DiffSide, filename: str, commit: str | None) -> list[Finding]:
    suspects = _Suspects(side, read)
    if side.path is None or not suspects.any():
        return []
    blob = read(f"{side.rev}:{os.fsdecode(side.path)}")
    if blob is not None:
        return findings_in_text(decode(blob), filename, commit=commit, removed=side.removed, wanted=suspects)
    # No whole file (a submodule, a race): judge from the changed lines alone.
    joined = "\n".join(body.decode("latin-1") for _, body in side.lines)
    return [
        _finding(filename, m, commit, side.removed, line_number=suspects.numbers[m.line_number - 1])
        for m in detect.find_keys(joined, path=filename)
        if suspects(suspects.numbers[m.line_number - 1])
    ]


@dataclass(frozen=True)
class _Revision:
    """Where a file diff comes from: the index (``new_rev`` "") or a commit."""

    new_rev: str
    old_rev: str | None  # None: removed lines are not reported
    commit: str | None = None
    other_parents: tuple[str, ...] = ()
    base: str | None = None  # the version added keys are new against (UTF-16 files: see ``wide``)


def _scan_wide(place: _Place, diff: FileDiff, rev: _Revision, filename: str) -> list[Finding] | None:
    """A UTF-16 file: its decoded blobs are compared (see ``wide``); None if it is not one."""
    from responder.scanning import wide

    def blob(revision: str | None, path: bytes | None) -> bytes | None:
        return place.read(f"{revision}:{os.fsdecode(path)}") if revision is not None and path else None

    old_name = place.name(diff.old_path or diff.path)
    theirs = (blob(parent, diff.new_path) for parent in rev.other_parents)
    blobs = wide.Blobs(blob(rev.new_rev, diff.new_path), blob(rev.base, diff.old_path), tuple(b for b in theirs if b))

    def judge(data: bytes, removed: bool) -> list[Finding]:
        return findings_in_text(decode(data), old_name if removed else filename, commit=rev.commit, removed=removed)

    return wide.changed(blobs, judge, with_removed=rev.old_rev is not None)


def _scan_file_diff(place: _Place, diff: FileDiff, rev: _Revision) -> list[Finding]:
    filename = place.shown(diff.path)
    if filename is None:
        return []
    if _is_wide(diff):
        wide_found = _scan_wide(place, diff, rev, filename)
        if wide_found is not None:
            return wide_found
    side = _DiffSide(diff.added, diff.new_path, rev.new_rev, False, rev.other_parents)
    found = _scan_side(place.read, side, filename, rev.commit)
    if rev.old_rev is not None and diff.removed:
        old_name = place.name(diff.old_path or diff.path)
        old_side = _DiffSide(diff.removed, diff.old_path, rev.old_rev, True)
        found += _scan_side(place.read, old_side, old_name, rev.commit)
    return found


def _suspect_sections(patch: bytes, signs: tuple[bytes, ...]) -> Iterator[bytes]:
    """The per-file sections of ``patch`` with a suspect changed line; nothing else is
    parsed (an initial import of thousands of files costs one probe search). Linear: each
    section boundary is searched for once."""
    end = 0
    for offset in triage.suspect_offsets(patch, signs):
        if offset < end:
            continue  # in the section just yielded
        start = patch.rfind(b"\ndiff --git ", end, offset) + 1 or end
        end = patch.find(b"\ndiff --git ", offset)
        end = len(patch) if end < 0 else end + 1
        yield patch[start:end]


def _scan_patch(place: _Place, patch: bytes, rev: _Revision, report: ScanReport) -> None:
    signs = (b"+", b"-") if rev.old_rev is not None else (b"+",)
    for section in _suspect_sections(patch, signs):
        for diff in parse_diff(section.split(b"\n")):
            where = place.name(diff.path)
            found = _scan_file_diff(place, diff, rev)
            report.add(found, f"{where} ({rev.commit})" if rev.commit else where)


def scan_staged(cwd: Path, exclude: Excluder) -> ScanReport:
    """The added lines of the index against HEAD; removed lines as previously committed."""
    report = ScanReport()
    root, patch, has_head = gitio.staged_patch(cwd)
    head = "HEAD" if has_head else None
    with gitio.BlobReader(root) as read:
        _scan_patch(_Place(root, cwd, exclude, read), patch, _Revision("", head, base=head), report)
    return _dedupe_removed(report)


def scan_revisions(
    root: Path,
    revs: Sequence[str],
    cwd: Path,
    exclude: Excluder,
    *,
    include_removed: bool,
    progress: Callable[[int], None] | None = None,
    no_walk: bool = False,
) -> ScanReport:
    """Every commit in ``revs``, merges included (what a merge adds that no parent had),
    and their messages (see ``messages``)."""
    from responder.scanning import blobwalk, messages

    objects = None if include_removed else blobwalk.packed(root, revs, no_walk=no_walk)
    reading = None if objects else messages.Messages(root, revs, no_walk=no_walk)
    try:
        report, later = _scan_changes(
            root,
            revs,
            cwd,
            exclude,
            include_removed=include_removed,
            progress=progress,
            no_walk=no_walk,
            objects=objects,
        )
    except BaseException:
        if reading is not None:
            reading.stop()
        raise
    if reading is None:  # the packs cleared every message but these
        if not later:
            return report
        reading = messages.Messages(root, (), no_walk=True, commits=later)
    for commit, found in itertools.groupby(reading.findings(report.warnings), key=lambda f: f.commit):
        report.add(list(found), f"the message of commit {(commit or '')[:12]}")
    return report


def _scan_changes(
    root: Path,
    revs: Sequence[str],
    cwd: Path,
    exclude: Excluder,
    *,
    include_removed: bool,
    progress: Callable[[int], None] | None,
    no_walk: bool,
    objects: Path | None = None,
) -> tuple[ScanReport, list[str]]:
    """Every commit's changes. A history (``include_removed`` false) first reads each new
    blob once and patches only the commits whose blobs hold a key (see ``blobwalk`` and
    ``_may_add_keys``); a range reads its patches. Streamed either way: memory does not
    grow with history. With ``objects`` (see ``blobwalk.packed``), also the commits
    whose messages the packs did not clear."""
    report = ScanReport()
    with gitio.BlobReader(root) as read:
        place = _Place(root, cwd, exclude, read)
        if include_removed:
            _scan_patches(place, gitio.log_patches(root, revs, renames=False, no_walk=no_walk), report, progress)
            return _dedupe_removed(report), []
        from responder.scanning import blobwalk, messages

        walk = blobwalk.suspect_commits(
            root,
            revs,
            no_walk=no_walk,
            is_suspect=triage.has_suspect_line,
            progress=progress,
            prepare=triage.warm,
            packed=None if objects is None else (objects, messages.may_hold_key),
        )
        report.commits_scanned = walk.commits
        report.unreadable = len(walk.missing)
        report.warnings += [
            f"cannot read {display_path(root / os.fsdecode(path), cwd)} in commit {commit[:12]}: git does not "
            "have its content (a damaged repository or a partial clone; git fsck), so it was not scanned"
            for commit, path in walk.missing
        ]
        commits = _may_add_keys(place, walk.suspects, walk.written, walk.contents)
        walk.contents.clear()
        if commits:
            patches = gitio.log_patches(root, [], renames=True, no_walk=True, stdin_revs=commits, paths=walk.paths)
            _scan_patches(place, patches, report, None, history=True)
    return _dedupe_removed(report), walk.messages


def _may_add_keys(
    place: _Place, commits: list[str], written: dict[str, list[tuple[bytes, bytes]]], contents: dict[bytes, bytes]
) -> list[str]:
    """The suspect commits worth a patch: those writing a blob whose suspect lines hold a
    key when the whole blob (at that path) is judged. A key a commit adds is on a suspect
    line of the blob it writes (the line gate, ``triage``, lets through every line the
    judge could call a key), so a blob without one adds none, whatever its diff: a history
    of request ids under key-like names (test cassettes) costs no ``git log -p`` at all.
    ``contents``: blobs the walk already holds (by binary id), the rest read from git."""
    pairs = [pair for commit in commits for pair in written.get(commit, ())]
    names = {path: place.shown(path) for _, path in pairs}  # None: excluded
    jobs = list(dict.fromkeys((sha, name) for sha, path in pairs if (name := names[path]) is not None))
    holds = dict(zip(jobs, _judge_whole(place, jobs, contents), strict=True))
    return [
        commit
        for commit in commits
        if any((name := names[path]) is not None and holds[sha, name] for sha, path in written.get(commit, ()))
    ]


_FORK_FROM = 32  # whole blobs to judge before a second core is worth a fork


def _judge_whole(place: _Place, jobs: list[tuple[bytes, str]], contents: dict[bytes, bytes]) -> list[bool]:
    """``_holds_key`` for each (blob id, display name); many are split with a forked worker
    (which reads what ``contents`` lacks with its own cat-file)."""

    def judge(share: list[tuple[bytes, str]], read: Callable[[str], bytes | None]) -> list[bool]:
        found = []
        for sha, name in share:
            blob = contents.get(bytes.fromhex(sha.decode("ascii"))) or read(sha.decode("ascii"))
            found.append(blob is None or _holds_key(blob, name))
        return found

    if len(jobs) < _FORK_FROM or not forked.available():
        return judge(jobs, place.read)

    def theirs(out: IO[bytes]) -> None:
        with gitio.BlobReader(place.root) as read:
            out.write(bytes(judge(jobs[1::2], read)))

    pid, results = forked.start(theirs)
    mine = judge(jobs[0::2], place.read)
    answer = forked.finish(pid, results)
    other = [bool(b) for b in answer] if answer is not None else judge(jobs[1::2], place.read)
    merged = [verdict for pair in itertools.zip_longest(mine, other) for verdict in pair if verdict is not None]
    return merged


def _holds_key(blob: bytes, name: str) -> bool:
    """Does the judge find a key on a suspect line of ``blob`` (of a UTF-16 one, or one
    with the base64 hint: on any line)? The first key settles it, and a line is put
    through the line gate only when a candidate is on it (once)."""
    text = decode(blob)
    if blob.startswith(triage.UTF16_BOMS) or triage.may_hold_encoded(blob):
        return bool(detect.find_keys(text, path=name, first_only=True))
    lines = blob.split(b"\n")  # latin-1: the text's lines are these bytes
    gate: dict[int, bool] = {}

    def suspect(number: int) -> bool:
        if number not in gate:
            gate[number] = triage.is_suspect(lines[number - 1])
        return gate[number]

    return bool(detect.find_keys(text, suspect, path=name, first_only=True))


def _scan_patches(
    place: _Place,
    patches: Iterator[bytes],
    report: ScanReport,
    progress: Callable[[int], None] | None,
    *,
    history: bool = False,
) -> None:
    """Scan ``git log -p`` pieces: a range's, counting their commits, or a history's
    suspect commits (the walk counted every commit; removed lines are not reported)."""
    last = ""
    for chunk in patches:
        for commit in split_commits(chunk) if _may_hold_change(chunk) else ():
            old = None if history else f"{commit.sha}^"
            rev = _Revision(commit.sha, old, commit.sha, commit.parents[1:], base=f"{commit.sha}^")
            _scan_patch(place, commit.body, rev, report)
        if not history:
            first = chunk[1 : chunk.find(b" ")].decode("ascii", "replace")
            report.commits_scanned += chunk.count(b"\n" + COMMIT_MARK) + 1 - (first == last)
            last = chunk[chunk.rfind(COMMIT_MARK) + 1 :].split(b" ", 1)[0].decode("ascii", "replace")
        if progress is not None:
            progress(report.commits_scanned)


def _may_hold_change(patch: bytes) -> bool:
    """Could a patch add or remove a key: the UUID probe, the base64 hint, or the probe in UTF-16."""
    if triage.PROBE_BYTES.search(patch) is not None or triage.B64_HINT.search(patch) is not None:
        return True
    if b"\0" not in patch:
        return False
    from responder.scanning import wide

    return wide.has_probe(patch)


def _is_wide(diff: FileDiff) -> bool:
    from responder.scanning import wide

    return wide.is_wide(diff)


def _dedupe_removed(report: ScanReport) -> ScanReport:
    """A key moved within the change is added, not 'previously committed'."""
    added = {f.hashed_secret for f in report.findings if not f.previously_committed}
    report.findings = [f for f in report.findings if not (f.previously_committed and f.hashed_secret in added)]
    return report
