"""Where a finding is in the version a report describes (for SARIF): code scanning shows a
result at a path and line of the analyzed commit, so a finding from an older commit (a key
removed since, a file deleted since) must not pose as a line of the analyzed version."""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from responder.scanning import gitio
from responder.scanning.findings import Finding


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


def locator(version: Analyzed) -> Callable[[Finding], Region | None]:
    """A function: a finding -> its region in ``version``, or None when that version does not
    hold the key at that path and line. Each file is read once."""
    cache: dict[str, list[str] | None] = {}

    def lines_of(path: str) -> list[str] | None:
        if path not in cache:
            cache[path] = _read(version, path)
        return cache[path]

    def locate(finding: Finding) -> Region | None:
        if version.root is None:
            return None
        lines = lines_of(version.repo_path(finding.filename))
        if lines is None:
            return None
        # where the finding's commit had it, else the nearest line holding it now (lines
        # added above it since move it down)
        holding = [n for n, line in enumerate(lines, 1) if finding.secret in line]
        if not holding:
            return None
        line = min(holding, key=lambda n: (abs(n - finding.line_number), n))
        columns = _column(lines[line - 1], finding.secret)
        return None if columns is None else Region(line, *columns)

    return locate


def _read(version: Analyzed, path: str) -> list[str] | None:
    assert version.root is not None
    if path.startswith("../") or path == "..":
        return None
    if version.revision is not None or version.index:
        data = gitio.read_blob(version.root, f"{version.revision or ''}:{path}")
    else:
        try:
            data = (version.root / path).read_bytes()
        except OSError:
            return None
    if data is None:
        return None
    return data.decode("utf-8", "replace").split("\n")
