"""Turn files, the index and commit ranges into findings.

Diffs are triaged line by line; only a changed line that holds a UUID assigned to a
key-like name makes the scanner read the whole file at that revision, so context is
judged from the whole file (a key added at line 200 of a file that names QuestionPro at
line 1 is a leak) while clean changes cost one regex pass.
"""

from __future__ import annotations

import bisect
import fnmatch
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from responder.core import console
from responder.core.redact import PROBE
from responder.scanning import detect, gitio
from responder.scanning.findings import MAX_PER_FILE, Encoding, Finding, ScanReport
from responder.scanning.patch import COMMIT_MARK, FileDiff, parse_diff, split_commits

MAX_FILE_BYTES = 256 * 1024 * 1024
_WINDOWED_FROM = 1 << 20  # characters: a smaller text is judged in one pass
_FIRST_WINDOW = 4096  # lines
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_PROBE_BYTES = re.compile(PROBE.encode())


def decode(data: bytes) -> str:
    """Text for scanning, whatever the bytes.

    UTF-16 (BOM) is decoded; everything else as latin-1, which never fails and keeps one
    character per byte: keys and names are ASCII, and invalid UTF-8 costs nothing. NUL
    bytes do not make a file "binary" here: that would let one NUL hide a key. Binary
    files cost only the probe unless a UUID is in them; then its surroundings judge it.
    """
    if data.startswith(_UTF16_BOMS) and b"\0" in data[:8192]:  # UTF-16 text is full of NULs
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1")


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


def _judge_line(line: bytes) -> bool:
    if _PROBE_BYTES.search(line) is not None:
        return detect.line_naming(line.decode("latin-1")) is not detect.Naming.NONE
    return next(detect.encoded_hits(line), None) is not None


def _warm_judge() -> None:
    """Load the line judge and compile its patterns once, before a history's blob readers
    fork: each would else load them itself (about 30 ms of CPU per reader, on the way to
    its first verdict)."""
    sample = "-".join(("3f2a9c1e", "5b7d", "4e8f", "9a6c", "1d2e3f4a5b6c"))  # not a placeholder
    _judge_line(f"api_key = {sample}".encode())


# A line's verdict depends on the line alone, and a history shows the same lines again and
# again (each version of a file): short lines are judged once. Bounded: cleared when full.
_VERDICTS: dict[bytes, bool] = {}
_VERDICTS_MAX, _VERDICT_LINE_MAX = 1 << 16, 512


def _is_suspect(line: bytes) -> bool:
    """Does a changed line hold a UUID under a key-like (or weak) name, or a base64-encoded
    UUID (a Kubernetes Secret's ``data``: the whole file decides)?"""
    if len(line) > _VERDICT_LINE_MAX:
        return _judge_line(line)
    verdict = _VERDICTS.get(line)
    if verdict is None:
        if len(_VERDICTS) >= _VERDICTS_MAX:
            _VERDICTS.clear()
        verdict = _VERDICTS[line] = _judge_line(line)
    return verdict


def has_suspect_line(data: bytes, signs: tuple[bytes, ...] = ()) -> bool:
    """Whether a line of ``data`` (starting with one of ``signs``, when given: the changed
    lines of a patch) holds a UUID assigned to a key-like name.

    Looks only at the lines around probe hits, so text full of request ids or GUIDs costs
    a few regex calls instead of a full parse; each line is judged once, however many
    UUIDs it holds (linear on one-line files).
    """
    if not signs and data.startswith(_UTF16_BOMS):  # a whole UTF-16 blob (history): judge its text
        data = decode(data).encode("utf-8", "replace")
    pos = 0
    while (hit := _PROBE_BYTES.search(data, pos)) is not None:
        start = data.rfind(b"\n", 0, hit.start()) + 1
        end = data.find(b"\n", hit.end())
        end = len(data) if end < 0 else end
        if (not signs or data.startswith(signs, start)) and _is_suspect(data[start:end]):
            return True
        pos = end
    return _may_hold_encoded(data) and bool(_encoded_offsets(data, signs, first=True))


# Every base64-encoded UUID, whatever bytes surround the UUID, holds an "L" (a 3-byte group
# starting with a dash) and 7 characters later a "t" (one ending with the dash 5 bytes on):
# a literal-led search at memory speed, so only lines with this hint meet the slow
# base64 shape regex (about 60 MB/s).
_B64_HINT = re.compile(rb"L[A-Za-z0-9+/]{6}t")


def _encoded_offsets(data: bytes, signs: tuple[bytes, ...], *, first: bool = False) -> list[int]:
    """Where the lines (starting with one of ``signs``, when given) holding a base64-encoded
    UUID start. Each line is searched once."""
    found: list[int] = []
    pos = 0
    while (hint := _B64_HINT.search(data, pos)) is not None:
        start = data.rfind(b"\n", 0, hint.start()) + 1
        end = data.find(b"\n", hint.end())
        pos = len(data) if end < 0 else end
        if (not signs or data.startswith(signs, start)) and next(detect.encoded_hits(data[start:pos]), None):
            found.append(start)
            if first:
                break
    return found


def may_hold_key(data: bytes) -> bool:
    """``detect.may_hold_key`` with the base64 path behind the hint: the UUID probe, or in
    text that says ``Secret``, a base64-encoded UUID."""
    return _PROBE_BYTES.search(data) is not None or (
        _may_hold_encoded(data) and bool(_encoded_offsets(data, (), first=True))
    )


def _may_hold_encoded(data: bytes) -> bool:
    """The cheap half of the base64 gate: the hint (rare, found at memory speed), then the
    word ``Secret`` the detector requires."""
    return _B64_HINT.search(data) is not None and b"Secret" in data


class _Suspects:
    """Which changed lines of a side are suspect, judged when asked (a file of a million
    changed lines is judged only as far as its findings are wanted)."""

    def __init__(self, side: _DiffSide, root: Path) -> None:
        self.side, self.root = side, root
        self.numbers = [number for number, _ in side.lines]
        self.theirs: set[bytes] | None = None

    def any(self) -> bool:
        return any(self(number) for number in self.numbers)

    def __call__(self, number: int) -> bool:
        i = bisect.bisect_left(self.numbers, number)
        if i == len(self.numbers) or self.numbers[i] != number:
            return False
        body = self.side.lines[i][1]
        return _is_suspect(body) and not (self.side.other_parents and body in self._theirs())

    def _theirs(self) -> set[bytes]:
        """A merge: a line another parent already had was added by that parent's commits."""
        if self.theirs is None:
            self.theirs = set()
            path = os.fsdecode(self.side.path or b"")
            for parent in self.side.other_parents if path else ():
                blob = gitio.read_blob(self.root, f"{parent}:{path}")
                self.theirs.update(blob.split(b"\n") if blob else ())
        return self.theirs


def _scan_side(root: Path, side: _DiffSide, filename: str, commit: str | None) -> list[Finding]:
    suspects = _Suspects(side, root)
    if side.path is None or not suspects.any():
        return []
    blob = gitio.read_blob(root, f"{side.rev}:{os.fsdecode(side.path)}")
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


def _scan_wide(root: Path, diff: FileDiff, rev: _Revision, cwd: Path, filename: str) -> list[Finding] | None:
    """A UTF-16 file: its decoded blobs are compared (see ``wide``); None if it is not one."""
    from responder.scanning import wide

    def blob(revision: str | None, path: bytes | None) -> bytes | None:
        return gitio.read_blob(root, f"{revision}:{os.fsdecode(path)}") if revision is not None and path else None

    old_name = display_path(root / os.fsdecode(diff.old_path or diff.path), cwd)
    theirs = (blob(parent, diff.new_path) for parent in rev.other_parents)
    blobs = wide.Blobs(blob(rev.new_rev, diff.new_path), blob(rev.base, diff.old_path), tuple(b for b in theirs if b))

    def judge(data: bytes, removed: bool) -> list[Finding]:
        return findings_in_text(decode(data), old_name if removed else filename, commit=rev.commit, removed=removed)

    return wide.changed(blobs, judge, with_removed=rev.old_rev is not None)


def _scan_file_diff(root: Path, diff: FileDiff, rev: _Revision, cwd: Path, exclude: Excluder) -> list[Finding]:
    filename = display_path(root / os.fsdecode(diff.path), cwd)
    if exclude(os.fsdecode(diff.path)) or exclude(filename):
        return []
    if _is_wide(diff):
        wide_found = _scan_wide(root, diff, rev, cwd, filename)
        if wide_found is not None:
            return wide_found
    side = _DiffSide(diff.added, diff.new_path, rev.new_rev, False, rev.other_parents)
    found = _scan_side(root, side, filename, rev.commit)
    if rev.old_rev is not None and diff.removed:
        old_name = display_path(root / os.fsdecode(diff.old_path or diff.path), cwd)
        old_side = _DiffSide(diff.removed, diff.old_path, rev.old_rev, True)
        found += _scan_side(root, old_side, old_name, rev.commit)
    return found


def _suspect_offsets(patch: bytes, signs: tuple[bytes, ...]) -> list[int]:
    """Where the first suspect changed line of each file section starts: a UUID under a
    name that could be a key's, or a base64-encoded UUID (the whole file then says whether
    it is a Kubernetes Secret: its ``kind`` line is rarely in the hunk).
    Each line is judged at most once; the rest of a suspect section is not."""
    found, pos = [], 0
    while (hit := _PROBE_BYTES.search(patch, pos)) is not None:
        start = patch.rfind(b"\n", 0, hit.start()) + 1
        end = patch.find(b"\n", hit.end())
        pos = len(patch) if end < 0 else end
        if patch.startswith(signs, start) and _is_suspect(patch[start:pos]):
            found.append(start)
            section_end = patch.find(b"\ndiff --git ", pos)
            pos = len(patch) if section_end < 0 else section_end
    if _B64_HINT.search(patch) is not None:  # "Secret" may be far from the hunk: the blob decides
        found += _encoded_offsets(patch, signs)
    if b"\0" in patch:  # perhaps UTF-16 text, which git diffs as bytes
        from responder.scanning import wide

        found += wide.offsets(patch, signs)
    return sorted(found)


def _suspect_sections(patch: bytes, signs: tuple[bytes, ...]) -> Iterator[bytes]:
    """The per-file sections of ``patch`` with a suspect changed line; nothing else is
    parsed (an initial import of thousands of files costs one probe search). Linear: each
    section boundary is searched for once."""
    end = 0
    for offset in _suspect_offsets(patch, signs):
        if offset < end:
            continue  # in the section just yielded
        start = patch.rfind(b"\ndiff --git ", end, offset) + 1 or end
        end = patch.find(b"\ndiff --git ", offset)
        end = len(patch) if end < 0 else end + 1
        yield patch[start:end]


def _scan_patch(root: Path, patch: bytes, rev: _Revision, cwd: Path, exclude: Excluder, report: ScanReport) -> None:
    signs = (b"+", b"-") if rev.old_rev is not None else (b"+",)
    for section in _suspect_sections(patch, signs):
        for diff in parse_diff(section.split(b"\n")):
            where = display_path(root / os.fsdecode(diff.path), cwd)
            found = _scan_file_diff(root, diff, rev, cwd, exclude)
            report.add(found, f"{where} ({rev.commit})" if rev.commit else where)


def scan_staged(cwd: Path, exclude: Excluder) -> ScanReport:
    """The added lines of the index against HEAD; removed lines as previously committed."""
    report = ScanReport()
    root, patch, has_head = gitio.staged_patch(cwd)
    head = "HEAD" if has_head else None
    _scan_patch(root, patch, _Revision("", head, base=head), cwd, exclude, report)
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
    """Every commit in ``revs``, merges included (what a merge adds that no parent had).

    A history (``include_removed`` false) first reads each new blob once and patches only
    the commits whose blobs could hold a key (see ``blobwalk``); a range reads its patches.
    Streamed either way: memory does not grow with history.
    """
    report = ScanReport()
    stdin_revs: list[str] = []
    paths: set[bytes] = set()
    if not include_removed:
        from responder.scanning import blobwalk

        _warm_judge()
        walk = blobwalk.suspect_commits(root, revs, no_walk=no_walk, is_suspect=has_suspect_line, progress=progress)
        report.commits_scanned = walk.commits
        report.unreadable = len(walk.missing)
        report.warnings += [
            f"cannot read {display_path(root / os.fsdecode(path), cwd)} in commit {commit[:12]}: git does not "
            "have its content (a damaged repository or a partial clone; git fsck), so it was not scanned"
            for commit, path in walk.missing
        ]
        if not walk.suspects:
            return report
        revs, stdin_revs, no_walk, progress, paths = [], walk.suspects, True, None, walk.paths
    last = ""
    patches = gitio.log_patches(
        root, revs, renames=not include_removed, no_walk=no_walk, stdin_revs=stdin_revs, paths=paths
    )
    for chunk in patches:
        for commit in split_commits(chunk) if _may_hold_change(chunk) else ():
            old = f"{commit.sha}^" if include_removed else None
            rev = _Revision(commit.sha, old, commit.sha, commit.parents[1:], base=f"{commit.sha}^")
            _scan_patch(root, commit.body, rev, cwd, exclude, report)
        if not stdin_revs:
            first = chunk[1 : chunk.find(b" ")].decode("ascii", "replace")
            report.commits_scanned += chunk.count(b"\n" + COMMIT_MARK) + 1 - (first == last)
            last = chunk[chunk.rfind(COMMIT_MARK) + 1 :].split(b" ", 1)[0].decode("ascii", "replace")
        if progress is not None:
            progress(report.commits_scanned)
    return _dedupe_removed(report)


def _may_hold_change(patch: bytes) -> bool:
    """Could a patch add or remove a key: the UUID probe, the base64 hint, or the probe in UTF-16."""
    if _PROBE_BYTES.search(patch) is not None or _B64_HINT.search(patch) is not None:
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
