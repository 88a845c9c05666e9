"""``scan PATH...``: files and directories, on every core.

A file costs one read and one byte search (the UUID probe, or a base64 UUID in text that
says ``Secret``); only a file with a hit is decoded and judged, and only then is its
display name built. Big trees are split between this process and forked workers, one per
extra core, each returning its findings (pickled through a pipe) in the files' order.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path

from responder.scanning import gitio
from responder.scanning.findings import Finding, ScanReport
from responder.scanning.scanner import MAX_FILE_BYTES, Excluder, display_path, findings_in_text
from responder.scanning.triage import decode, may_hold_key

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_PARALLEL_FROM = 512  # files: below this, forking costs more than it saves
# (index in the file list, findings, warnings) for each file with something to say
_Result = list[tuple[int, list[Finding], list[str]]]


class _TooBig(Exception):
    pass


def read_file(path: str) -> bytes | None:
    """The bytes of a regular file; None for a symlink (never followed), a FIFO or a
    device; _TooBig over MAX_FILE_BYTES; OSError when it cannot be read."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC  # a FIFO must not block the open
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None
        raise
    with open(fd, "rb", buffering=0) as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None
        if info.st_size > MAX_FILE_BYTES:
            raise _TooBig
        return handle.readall()


def _walk(top: str) -> Iterator[str]:
    """Regular files under ``top``: no symlinks followed, no ``.git``."""
    stack = [top]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name != ".git":
                    stack.append(entry.path)
            elif entry.is_file(follow_symlinks=False):
                yield entry.path


def _scan_one(path: str, cwd: Path, exclude: Excluder) -> tuple[list[Finding], list[str]]:
    name = display_path(Path(path), cwd) if exclude.globs else ""
    if name and exclude(name):
        return [], []
    try:
        data = read_file(path)
    except _TooBig:
        return [], [f"skipped {name or display_path(Path(path), cwd)}: larger than {MAX_FILE_BYTES >> 20} MiB"]
    except OSError as exc:
        shown = name or display_path(Path(path), cwd)
        return [], [f"cannot read {shown}: {exc.strerror or type(exc).__name__}"]
    if data is None or not (may_hold_key(data) or data.startswith(_UTF16_BOMS)):
        return [], []
    name = name or display_path(Path(path), cwd)
    report = ScanReport()
    report.add(findings_in_text(decode(data), name), name)
    return report.findings, report.warnings


def _scan_slice(files: Sequence[str], indexes: range, cwd: Path, exclude: Excluder) -> _Result:
    results: _Result = []
    for index in indexes:
        found, warnings = _scan_one(files[index], cwd, exclude)
        if found or warnings:
            results.append((index, found, warnings))
    return results


def _in_child(files: Sequence[str], indexes: range, cwd: Path, exclude: Excluder) -> tuple[int, int]:
    """Fork a worker for ``indexes``; (its pid, the pipe its pickled result comes on)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write)
        return pid, read
    code = 0
    try:  # the child: never returns into the parent's code
        import pickle

        os.close(read)
        payload = pickle.dumps(_scan_slice(files, indexes, cwd, exclude), protocol=pickle.HIGHEST_PROTOCOL)
        with open(write, "wb") as out:
            out.write(payload)
    except BaseException:  # noqa: BLE001 - reported by the parent as a failed worker
        code = 1
    finally:
        os._exit(code)


def _scan_files(files: Sequence[str], cwd: Path, exclude: Excluder) -> _Result:
    workers = min(os.cpu_count() or 1, 4) if len(files) >= _PARALLEL_FROM and hasattr(os, "fork") else 1
    if workers == 1:
        return _scan_slice(files, range(len(files)), cwd, exclude)
    import pickle

    children = [_in_child(files, range(i, len(files), workers), cwd, exclude) for i in range(1, workers)]
    results = _scan_slice(files, range(0, len(files), workers), cwd, exclude)
    for pid, pipe in children:
        with open(pipe, "rb") as stream:
            payload = stream.read()
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0 or not payload:
            raise RuntimeError("a scanning worker failed")
        results += pickle.loads(payload)  # noqa: S301 - our own child's output, through our own pipe
    return sorted(results, key=lambda result: result[0])


def scan_paths(paths: Sequence[Path], cwd: Path, exclude: Excluder) -> ScanReport:
    """Files and directories; inside a repository, directories respect .gitignore."""
    report = ScanReport()
    files: list[str] = []
    for path in paths:
        if path.is_symlink():
            report.warnings.append(f"skipped symlink: {display_path(path, cwd)}")
        elif path.is_dir():
            root = gitio.repo_root(path)
            if root:
                files += map(os.fspath, gitio.list_files(root, [path]))
            else:
                files += sorted(_walk(os.fspath(path)))
        elif path.exists():
            files.append(os.fspath(path))
        else:
            report.warnings.append(f"no such file: {display_path(path, cwd)}")
    files = list(dict.fromkeys(files))
    for _, found, warnings in _scan_files(files, cwd, exclude):
        report.warnings += warnings
        report.add(found, found[0].filename if found else "")
    return report
