"""`qp-responder scan`: pick the source, scan, filter by baseline, render, exit code."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from responder.core import console
from responder.core.errors import UsageError
from responder.core.exitcodes import ExitCode
from responder.report.formats import render
from responder.scanning import gitio, scanner
from responder.scanning.baseline import load_baseline
from responder.scanning.findings import ScanReport

ProgressFactory = Callable[[int], Callable[[int], None] | None]


@dataclass(frozen=True)
class ScanRequest:
    paths: tuple[Path, ...] = ()
    staged: bool = False
    rev_range: str | None = None
    history: bool = False
    fmt: str = "text"
    output: Path | None = None
    baseline: Path | None = None
    exclude: tuple[str, ...] = ()


def collect(request: ScanRequest, cwd: Path | None = None, progress: ProgressFactory | None = None) -> ScanReport:
    """Run the scan the request names (in ``cwd``, default the current directory; a
    progress bar when stderr is a terminal). Raises GitError / BaselineError for bad input."""
    cwd = Path.cwd() if cwd is None else cwd
    if progress is None and sys.stderr.isatty():
        progress = console.progress_bar
    exclude = scanner.Excluder(request.exclude)
    if request.staged:
        report = scanner.scan_staged(cwd, exclude)
    elif request.rev_range is not None or request.history:
        root = gitio.require_history_root(cwd)
        if request.history:
            revs = ["--all"]
        else:
            assert request.rev_range is not None
            gitio.check_range(root, request.rev_range)
            revs = [request.rev_range]
        show = progress(gitio.count_commits(root, revs)) if progress else None
        report = scanner.scan_revisions(root, revs, cwd, exclude, include_removed=not request.history, progress=show)
        if show is not None:
            sys.stderr.write("\n")
    else:
        report = scanner.scan_paths(list(request.paths) or [cwd], cwd, exclude)
    if request.baseline is not None:
        known = load_baseline(request.baseline, cwd)
        report.findings = [f for f in report.findings if not known.is_known(f)]
    return report


def run_scan(request: ScanRequest) -> ExitCode:
    return report(request, collect(request))


def report(request: ScanRequest, found: ScanReport) -> ExitCode:
    """Print warnings and the report; the exit code the findings call for."""
    for message in found.warnings:
        console.warn(message)
    text = render(request.fmt, found.findings)
    if request.output is not None:
        try:
            request.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {request.output}: {exc.strerror}") from None
        if found.findings:
            console.note(f"{len(found.blocking)} finding(s) written to {request.output}")
    elif text:
        console.out(text)
    return ExitCode.LEAK_FOUND if found.blocking else ExitCode.CLEAN
