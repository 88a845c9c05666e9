"""Where a finding is in the version a report describes (for SARIF): code scanning shows a
result at a path and line of the analyzed commit, so a finding from an older commit (a key
removed since, a file deleted since) must not pose as a line of the analyzed version."""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from responder.scanning import gitio
from responder.scanning.findings import Finding

MAX_FILE_BYTES = 256 * 1024 * 1024  # the scanner's own limit


@dataclass(frozen=True)
class Region:
    """1-based line; columns in UTF-16 code units (SARIF's default columnKind), end exclusive."""

    line: int
    start_column: int
    end_column: int


@dataclass(frozen=True)
class Analyzed:
    """The version a report describes: ``revision`` (a commit), the index (``index``) or the
    work tree (neither); ``prefix``: the scan's working directory relative to the
    repository root ("" at the root, or outside any repository)."""

    root: Path | None
    prefix: str = ""
    revision: str | None = None
    index: bool = False

    def repo_path(self, filename: str) -> str:
        """A finding's name (relative to the scan's directory) relative to the repository."""
        if not self.prefix:
            return filename
        return posixpath.normpath(posixpath.join(self.prefix, filename))


def analyzed(cwd: Path, *, revision: str | None = None, index: bool = False) -> Analyzed:
    """The repository around ``cwd`` and ``revision`` resolved to a commit id (None when
    ``cwd`` is in no repository, or the revision does not resolve)."""
    root = gitio.repo_root(cwd)
    if root is None:
        return Analyzed(None)
    prefix = Path(os.path.relpath(cwd.resolve(), root.resolve())).as_posix()
    commit = None
    if revision is not None:
        done = gitio.git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}", check=False)
        commit = done.stdout.decode("ascii", "replace").strip() or None if done.returncode == 0 else None
    return Analyzed(root, "" if prefix == "." else prefix, commit, index)


def _column(line: str, secret: str) -> tuple[int, int] | None:
    at = line.find(secret)
    if at < 0:
        return None
    start = len(line[:at].encode("utf-16-le")) // 2 + 1
    return start, start + len(secret.encode("utf-16-le")) // 2


def locator(version: Analyzed) -> Callable[[Sequence[Finding]], list[Region | None]]:
    """A function: findings -> the region of each in ``version``, None where that version
    does not hold the key. Every file named is read once (one ``git cat-file --batch``)."""

    def locate_all(findings: Sequence[Finding]) -> list[Region | None]:
        if version.root is None:
            return [None] * len(findings)
        paths = {version.repo_path(f.filename) for f in findings}
        files = _read_all(version, sorted(paths))
        return [_region(files.get(version.repo_path(f.filename)), f) for f in findings]

    return locate_all


def _region(lines: list[str] | None, finding: Finding) -> Region | None:
    if lines is None:
        return None
    # where the finding's commit had it, else the nearest line holding it now (lines added
    # above it since move it down)
    forms = finding.forms()
    holding = [(n, form) for n, line in enumerate(lines, 1) for form in forms if form in line]
    if not holding:
        return None
    line, form = min(holding, key=lambda hold: (abs(hold[0] - finding.line_number), hold[0]))
    columns = _column(lines[line - 1], form)
    return None if columns is None else Region(line, *columns)


def _lines(data: bytes) -> list[str]:
    return data.decode("utf-8", "replace").split("\n")


def _read_all(version: Analyzed, paths: list[str]) -> dict[str, list[str]]:
    assert version.root is not None
    inside = [p for p in paths if not (p == ".." or p.startswith("../")) and "\n" not in p]
    found: dict[str, list[str]] = {}
    if version.revision is None and not version.index:
        for path in inside:
            try:
                file = version.root / path
                if file.stat().st_size <= MAX_FILE_BYTES:
                    found[path] = _lines(file.read_bytes())
            except OSError:
                continue
        return found
    batch = gitio.popen(version.root, "cat-file", "--batch", stdin=True)
    assert batch.stdin is not None and batch.stdout is not None
    try:
        for path in inside:
            batch.stdin.write(f"{version.revision or ''}:{path}\n".encode("utf-8", "surrogateescape"))
            batch.stdin.flush()
            header = batch.stdout.readline().split()
            if len(header) != 3 or header[1] != b"blob":
                continue  # "<spec> missing", or not a file
            size = int(header[2])
            if size > MAX_FILE_BYTES:  # as the scanner skips it: never hold it in memory
                _discard(batch.stdout, size + 1)
                continue
            found[path] = _lines(batch.stdout.read(size + 1)[:-1])
    finally:
        gitio.finish(batch, "cat-file", check=False)
    return found


def _discard(stream: IO[bytes], size: int) -> None:
    while size > 0:
        chunk = stream.read(min(size, 1 << 20))
        if not chunk:
            return
        size -= len(chunk)
