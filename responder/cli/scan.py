"""`qp-responder scan`: pick the source, scan, filter by baseline, render, exit code.

The report (text, JSON, SARIF) goes to stdout or ``--output``; everything said to a person
(warnings, "nothing found", what to do next) goes to stderr, as gitleaks and ggshield do.
"""

from __future__ import annotations

import enum
import os
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from responder.cli import advice
from responder.core import console
from responder.core.errors import UsageError
from responder.core.exitcodes import ExitCode
from responder.report.formats import render
from responder.scanning import gitio, pushes, scanner
from responder.scanning.baseline import load_baseline
from responder.scanning.findings import ScanReport

if TYPE_CHECKING:
    from responder.report.formats import SarifContext

ProgressFactory = Callable[[int], Callable[[int], None] | None]


class Mode(enum.Enum):
    PATHS = "paths"
    STAGED = "staged"
    RANGE = "range"
    HISTORY = "history"
    PRE_PUSH = "pre-push"
    PRE_RECEIVE = "pre-receive"


class ScanInputError(UsageError):
    """A path or hook input that cannot be scanned; the message is safe to show."""


@dataclass(frozen=True)
class ScanRequest:
    paths: tuple[Path, ...] = ()
    staged: bool = False
    rev_range: str | None = None
    history: bool = False
    pre_push: bool = False
    remote: str | None = None
    pre_receive: bool = False
    fmt: str = "text"
    output: Path | None = None
    baseline: Path | None = None
    exclude: tuple[str, ...] = ()
    quiet: bool = False
    verbose: bool = False
    exit_zero: bool = False
    respond: bool = False

    @property
    def mode(self) -> Mode:
        if self.staged:
            return Mode.STAGED
        if self.rev_range is not None:
            return Mode.RANGE
        if self.history:
            return Mode.HISTORY
        if self.pre_push:
            return Mode.PRE_PUSH
        if self.pre_receive:
            return Mode.PRE_RECEIVE
        return Mode.PATHS


def _hook_lines(request: ScanRequest, stdin: Iterable[str] | None) -> Iterable[str]:
    if stdin is not None:
        return stdin
    if sys.stdin is None or sys.stdin.isatty():
        hook = "pre-receive" if request.pre_receive else "pre-push"
        raise ScanInputError(
            f"--{hook} reads git's {hook} lines on stdin: run it from a {hook} hook"
            + ("" if request.pre_receive else " (or the pre-commit framework's qp-responder-push hook)")
        )
    return sys.stdin


def _push_revisions(request: ScanRequest, root: Path, stdin: Iterable[str] | None) -> list[str]:
    try:
        if request.pre_receive:
            return pushes.pre_receive(_hook_lines(request, stdin)).revs()
        framework = pushes.pre_commit_pre_push(os.environ)
        if framework is not None:
            return framework.revs()
        lines = _hook_lines(request, stdin)
        return pushes.pre_push(lines, request.remote, lambda sha: gitio.has_commit(root, sha)).revs()
    except pushes.PushInputError as exc:
        raise ScanInputError(str(exc)) from None


def _git_dir(cwd: Path) -> Path:
    """The repository a server-side hook runs in (bare, or a work tree's .git)."""
    done = gitio.git(cwd, "rev-parse", "--absolute-git-dir", check=False)
    if done.returncode != 0 or not done.stdout.strip():
        raise gitio.not_a_repository(cwd)
    return Path(os.fsdecode(done.stdout.strip()))


def _scan_history(
    request: ScanRequest,
    cwd: Path,
    exclude: scanner.Excluder,
    progress: ProgressFactory | None,
    stdin: Iterable[str] | None,
) -> ScanReport:
    root = _git_dir(cwd) if request.pre_receive else gitio.require_history_root(cwd)
    try:
        return _scan_revisions(request, root, cwd, exclude, progress, stdin)
    except gitio.GitError as exc:
        raise gitio.GitError(explain_git_failure(root, str(exc))) from None


def _scan_revisions(
    request: ScanRequest,
    root: Path,
    cwd: Path,
    exclude: scanner.Excluder,
    progress: ProgressFactory | None,
    stdin: Iterable[str] | None,
) -> ScanReport:
    shallow = _shallow_boundary(root)
    if request.pre_push or request.pre_receive:
        revs = _push_revisions(request, root, stdin)
        if not revs:
            return ScanReport()
    elif request.history:
        revs = ["--all"]
    else:
        assert request.rev_range is not None
        gitio.check_range(root, request.rev_range)
        revs = [request.rev_range]
    show = progress(gitio.count_commits(root, revs)) if progress else None
    report = scanner.scan_revisions(root, revs, cwd, exclude, include_removed=request.mode is Mode.RANGE, progress=show)
    if show is not None:
        sys.stderr.write("\n")
    if shallow and request.history:
        report.warnings.append(
            f"shallow clone: the history behind {len(shallow)} commit(s) ({', '.join(s[:12] for s in shallow[:3])}) "
            "is not in this clone and was not scanned; `git fetch --unshallow` first to scan it all"
        )
    return report


def _shallow_boundary(root: Path) -> list[str]:
    """The commits git treats as having no parents (``shallow``). A shallow file that
    names a commit whose parents *are* here hides history that could be scanned (a
    planted file in a repository handed over): refused, never scanned around."""
    if not gitio.is_shallow(root):
        return []
    done = gitio.git(root, "rev-parse", "--git-path", "shallow", check=False)
    path = Path(os.fsdecode(done.stdout.strip()))
    try:
        text = (root / path).read_text("ascii", "replace")
    except OSError:
        return []
    listed = [line.strip() for line in text.splitlines() if _SHA.fullmatch(line.strip())]
    parents = _parents(root, listed)
    present = _batch(root, "--batch-check", parents).split(b"\n")
    hidden = [parent for parent, answer in zip(parents, present, strict=False) if answer.split()[1:2] == [b"commit"]]
    if hidden:
        raise gitio.GitError(
            f"{path} marks commits as having no parents, but parents of them are in this repository "
            f"({hidden[0][:12]}…): the history behind them would not be scanned. Remove that file "
            "(or `git fetch --unshallow`) and run again"
        )
    return listed


_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


def _batch(root: Path, mode: str, objects: list[str]) -> bytes:
    """``git cat-file --batch`` or ``--batch-check`` over ``objects``: one process."""
    proc = gitio.popen(root, "cat-file", mode, stdin=True)
    out, _err = proc.communicate("".join(f"{sha}\n" for sha in objects).encode())
    return out


def _parents(root: Path, commits: list[str]) -> list[str]:
    """The parents the commit objects themselves name (a shallow file does not change them)."""
    data, parents, at = _batch(root, "--batch", commits), [], 0
    while at < len(data):
        end = data.index(b"\n", at)
        header = data[at:end].split()
        at = end + 1
        if len(header) != 3:
            continue  # "<sha> missing"
        size = int(header[2])
        head = data[at : at + size].split(b"\n\n", 1)[0]
        parents += [line[7:].decode("ascii") for line in head.split(b"\n") if line.startswith(b"parent ")]
        at += size + 1
    return parents


_UNREADABLE = re.compile(r"(?:unable to read|bad object|missing blob|cannot read object) ([0-9a-f]{40,64})")


def explain_git_failure(root: Path, message: str) -> str:
    """git names only the object it could not read: add the commit and path that hold it."""
    found = _UNREADABLE.search(message)
    if found is None:
        return message
    done = gitio.git(
        root, "log", "--all", "--format=%H", "--name-only", f"--find-object={found.group(1)}", "-1", check=False
    )
    lines = [line for line in done.stdout.decode("utf-8", "replace").splitlines() if line.strip()]
    if done.returncode != 0 or len(lines) < 2:
        return f"{message} (an object of this repository is missing or corrupt: git fsck says which)"
    return f"cannot read {lines[1]} in commit {lines[0][:12]} ({message}): the repository is damaged; run git fsck"


def collect(
    request: ScanRequest,
    cwd: Path | None = None,
    progress: ProgressFactory | None = None,
    stdin: Iterable[str] | None = None,
) -> ScanReport:
    """Run the scan the request names (in ``cwd``, default the current directory; a
    progress bar over history when stderr is a terminal). Raises GitError /
    BaselineError / ScanInputError for bad input."""
    cwd = Path.cwd() if cwd is None else cwd
    wants_bar = not request.quiet and request.mode in (Mode.RANGE, Mode.HISTORY)
    if progress is None and wants_bar and sys.stderr.isatty():
        progress = console.progress_bar
    exclude = scanner.Excluder(request.exclude)
    if request.mode is Mode.STAGED:
        report = scanner.scan_staged(cwd, exclude)
    elif request.mode is not Mode.PATHS:
        report = _scan_history(request, cwd, exclude, progress, stdin)
    else:
        missing = [p for p in request.paths if not p.exists() and not p.is_symlink()]
        if missing:
            raise ScanInputError(f"no such file or directory: {scanner.display_path(missing[0], cwd)}")
        report = scanner.scan_paths(list(request.paths) or [cwd], cwd, exclude)
    if request.baseline is not None:
        known = load_baseline(request.baseline, cwd)
        report.findings = [f for f in report.findings if not known.is_known(f)]
    return report


def run_scan(request: ScanRequest) -> ExitCode:
    return report(request, collect(request))


def _scope(request: ScanRequest, found: ScanReport) -> str:
    if request.mode is Mode.STAGED:
        return "in the staged changes"
    if request.mode is Mode.PATHS:
        return "in " + (", ".join(str(p) for p in request.paths[:3]) or ".") + (" …" if len(request.paths) > 3 else "")
    return f"in {found.commits_scanned} commit(s)"


def _sarif_context(request: ScanRequest) -> SarifContext:
    """Paths relative to the repository root; results placed in the version a code scanning
    upload describes: the work tree for paths, the index for --staged, HEAD for git history."""
    from responder.report.formats import SarifContext
    from responder.scanning import locate

    mode = request.mode
    if mode is Mode.PRE_RECEIVE:
        return SarifContext(automation_id=f"qp-responder/{mode.value}/")
    revision = None if mode in (Mode.PATHS, Mode.STAGED) else "HEAD"
    version = locate.analyzed(Path.cwd(), revision=revision, index=mode is Mode.STAGED)
    return SarifContext(
        prefix=version.prefix,
        locate=locate.locator(version),
        revision=version.revision,
        automation_id=f"qp-responder/{mode.value}/",
    )


# Modes that gate on git's objects: a file git cannot read (a damaged repository, a
# partial clone) was not scanned, so "no key found" cannot be said. A push is refused (a
# security gate fails closed) and a history audit is incomplete: exit 2 either way, as
# --range and --staged already do when git itself fails on the missing object.
_FAIL_CLOSED = {
    Mode.PRE_PUSH: "push refused",
    Mode.PRE_RECEIVE: "push refused",
    Mode.HISTORY: "history scan incomplete",
}


def _incomplete(request: ScanRequest, found: ScanReport) -> bool:
    """Say so and return True when files were left unscanned in a mode that fails closed."""
    what = _FAIL_CLOSED.get(request.mode)
    if what is None or not found.unreadable:
        return False
    console.error(
        advice.wrap(
            f"{what}: {found.unreadable} file(s) could not be read (listed above), so they were not "
            "scanned and no key can be ruled out. Repair the repository (git fsck; in a partial clone, "
            "fetch the missing objects) and run again"
        )
    )
    return True


def report(request: ScanRequest, found: ScanReport) -> ExitCode:
    """Print warnings, the report and what to do; the exit code the findings call for."""
    for message in found.warnings:
        console.warn(message)
    text = render(request.fmt, found.findings, _sarif_context(request) if request.fmt == "sarif" else None)
    if request.output is not None:
        from responder.report.files import reason, write_report

        try:
            write_report(request.output, text)
        except OSError as exc:
            raise UsageError(f"cannot write {request.output}: {reason(exc)}") from None
        if found.findings:
            console.note(f"{len(found.blocking)} finding(s) written to {request.output}")
    elif text and (found.findings or request.fmt != "text"):
        console.out(text)
    if request.verbose:
        console.note(f"scanned {_scope(request, found)}")
    if not found.blocking and _incomplete(request, found):
        return ExitCode.USAGE
    if not request.quiet:
        if found.blocking:
            root = gitio.repo_root(Path.cwd()) if request.mode is not Mode.PRE_RECEIVE else None
            text = advice.closing(request.mode.value, respond=request.respond, repo=advice.repository(root))
            console.note(advice.wrap(text))
        elif not found.findings:
            caveat = f" (with {len(found.warnings)} warning(s) above)" if found.warnings else ""
            console.note(f"no QuestionPro API key found {_scope(request, found)}{caveat}")
    if found.blocking and not request.exit_zero:
        return ExitCode.LEAK_FOUND
    return ExitCode.CLEAN
