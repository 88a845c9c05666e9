"""Turn files, the index and commit ranges into findings.

Diffs are triaged line by line; only a changed line that holds a UUID assigned to a
key-like name makes the scanner read the whole file at that revision, so context is
judged from the whole file (a key added at line 200 of a file that names QuestionPro at
line 1 is a leak) while clean changes cost one regex pass.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from responder.core.redact import PROBE
from responder.scanning import detect, gitio
from responder.scanning.findings import Finding, ScanReport
from responder.scanning.patch import COMMIT_MARK, FileDiff, parse_diff, split_commits

MAX_FILE_BYTES = 256 * 1024 * 1024
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_PROBE_BYTES = re.compile(PROBE.encode())


def decode(data: bytes) -> str | None:
    """Text for scanning, or None for binary data.

    UTF-16 (BOM) is decoded; everything else as latin-1, which never fails and keeps one
    character per byte: keys and names are ASCII, and invalid UTF-8 costs nothing.
    """
    if data.startswith(_UTF16_BOMS) and b"\0" in data[:8192]:  # UTF-16 text is full of NULs
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\0" in data[:8192]:
        return None
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


_CONTROL = {i: f"\\x{i:02x}" for i in range(32)} | {10: "\\n", 9: "\\t", 13: "\\r"}


def display_path(path: Path, cwd: Path) -> str:
    """A printable, one-line name: cwd-relative, '/'-separated, control bytes escaped."""
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:
        rel = str(path)
    rel = rel.replace(os.sep, "/").encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return rel.translate(_CONTROL)


def findings_in_text(
    text: str,
    filename: str,
    *,
    commit: str | None = None,
    removed: bool = False,
    wanted: Callable[[int], bool] | None = None,
) -> list[Finding]:
    return [
        Finding(filename, m.line_number, m.secret, m.datacenter, commit, removed)
        for m in detect.find_keys(text, wanted)
    ]


def _walk(path: Path) -> Iterable[Path]:
    for dirpath, dirnames, filenames in os.walk(path):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for name in filenames:
            yield Path(dirpath, name)


def scan_paths(paths: Sequence[Path], cwd: Path, exclude: Excluder) -> ScanReport:
    """Files and directories; inside a repository, directories respect .gitignore."""
    report = ScanReport()
    files: list[Path] = []
    for path in paths:
        if path.is_symlink():
            report.warnings.append(f"skipped symlink: {display_path(path, cwd)}")
        elif path.is_dir():
            root = gitio.repo_root(path)
            files.extend(gitio.list_files(root, [path]) if root else _walk(path))
        elif path.exists():
            files.append(path)
        else:
            report.warnings.append(f"no such file: {display_path(path, cwd)}")
    for file in dict.fromkeys(files):
        name = display_path(file, cwd)
        if exclude(name) or file.is_symlink() or not file.is_file():
            continue
        try:
            if file.stat().st_size > MAX_FILE_BYTES:
                report.warnings.append(f"skipped {name}: larger than {MAX_FILE_BYTES >> 20} MiB")
                continue
            data = file.read_bytes()
        except OSError as exc:
            report.warnings.append(f"cannot read {name}: {exc.strerror or type(exc).__name__}")
            continue
        if _PROBE_BYTES.search(data) is None and not data.startswith(_UTF16_BOMS):
            continue
        text = decode(data)
        if text is not None:
            report.findings.extend(findings_in_text(text, name))
    return report


@dataclass(frozen=True)
class _DiffSide:
    lines: list[tuple[int, bytes]]
    path: bytes | None
    rev: str  # "" for the index
    removed: bool


def _is_suspect(line: bytes) -> bool:
    """Does a changed line hold a UUID under a key-like (or weak) name?"""
    return _PROBE_BYTES.search(line) is not None and (
        detect.line_naming(line.decode("latin-1")) is not detect.Naming.NONE
    )


def _suspect_lines(lines: list[tuple[int, bytes]]) -> set[int]:
    return {number for number, body in lines if _is_suspect(body)}


def _has_suspect_line(patch: bytes, include_removed: bool) -> bool:
    """Whether any changed line of ``patch`` holds a UUID assigned to a key-like name.

    Looks only at the lines around probe hits, so a commit full of request ids or GUIDs
    costs a few regex calls instead of a full parse.
    """
    signs = (b"+", b"-") if include_removed else (b"+",)
    for hit in _PROBE_BYTES.finditer(patch):
        start = patch.rfind(b"\n", 0, hit.start()) + 1
        if not patch.startswith(signs, start):
            continue
        end = patch.find(b"\n", hit.end())
        if _is_suspect(patch[start : end if end >= 0 else len(patch)]):
            return True
    return False


def _scan_side(root: Path, side: _DiffSide, filename: str, commit: str | None) -> list[Finding]:
    suspects = _suspect_lines(side.lines)
    if not suspects or side.path is None:
        return []
    blob = gitio.read_blob(root, f"{side.rev}:{os.fsdecode(side.path)}")
    text = decode(blob) if blob is not None else None
    if text is not None:
        return findings_in_text(text, filename, commit=commit, removed=side.removed, wanted=suspects.__contains__)
    # No whole file (a submodule, a race): judge from the changed lines alone.
    numbers = [n for n, _ in side.lines]
    joined = "\n".join(body.decode("latin-1") for _, body in side.lines)
    return [
        Finding(filename, numbers[m.line_number - 1], m.secret, m.datacenter, commit, side.removed)
        for m in detect.find_keys(joined)
        if numbers[m.line_number - 1] in suspects
    ]


def _scan_file_diff(
    root: Path,
    diff: FileDiff,
    *,
    new_rev: str,
    old_rev: str | None,
    commit: str | None,
    cwd: Path,
    exclude: Excluder,
) -> list[Finding]:
    filename = display_path(root / os.fsdecode(diff.path), cwd)
    if exclude(os.fsdecode(diff.path)) or exclude(filename):
        return []
    found = _scan_side(root, _DiffSide(diff.added, diff.new_path, new_rev, False), filename, commit)
    if old_rev is not None and diff.removed:
        old_name = display_path(root / os.fsdecode(diff.old_path or diff.path), cwd)
        side = _DiffSide(diff.removed, diff.old_path, old_rev, True)
        found += _scan_side(root, side, old_name, commit)
    return found


def scan_staged(cwd: Path, exclude: Excluder) -> ScanReport:
    """The added lines of the index against HEAD; removed lines as previously committed."""
    report = ScanReport()
    root, patch, has_head = gitio.staged_patch(cwd)
    old_rev = "HEAD" if has_head else None
    for diff in parse_diff(patch.splitlines(keepends=True)):
        report.findings += _scan_file_diff(
            root, diff, new_rev="", old_rev=old_rev, commit=None, cwd=cwd, exclude=exclude
        )
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
    """Every commit in ``revs`` (streamed: memory does not grow with history)."""
    report = ScanReport()
    for chunk in gitio.log_patches(root, revs, renames=not include_removed, no_walk=no_walk):
        if _PROBE_BYTES.search(chunk) is None:
            report.commits_scanned += chunk.count(b"\n" + COMMIT_MARK) + chunk.startswith(COMMIT_MARK)
        else:
            for commit, body in split_commits(chunk):
                report.commits_scanned += 1
                if not _has_suspect_line(body, include_removed):
                    continue
                for diff in parse_diff(body.splitlines(keepends=True)):
                    report.findings += _scan_file_diff(
                        root,
                        diff,
                        new_rev=commit,
                        old_rev=f"{commit}^" if include_removed else None,
                        commit=commit,
                        cwd=cwd,
                        exclude=exclude,
                    )
        if progress is not None:
            progress(report.commits_scanned)
    return _dedupe_removed(report)


def _dedupe_removed(report: ScanReport) -> ScanReport:
    """A key moved within the change is added, not 'previously committed'."""
    added = {f.hashed_secret for f in report.findings if not f.previously_committed}
    report.findings = [f for f in report.findings if not (f.previously_committed and f.hashed_secret in added)]
    return report
