"""The git adapter: every ``git`` the scanner runs (the hook's quick path, ``quick``, runs
its one diff itself with the same pinned ``gitargs``).

Every call pins what a user's or the scanned repository's config and attributes could
change about what git shows (colour, prefixes, external diff, textconv, binary
attributes, the root commit, merges, renames, pager, quoting), so the output has one
shape on every machine and a pushed ``.gitattributes`` cannot hide content.
"""

from __future__ import annotations

import io
import os
import subprocess
from collections.abc import Callable, Collection, Iterator, Sequence
from pathlib import Path
from typing import IO

from responder.core.errors import UsageError
from responder.scanning import gitargs
from responder.scanning.gitargs import CONFIG as _CONFIG
from responder.scanning.gitargs import DIFF_OPTS as _DIFF_OPTS
from responder.scanning.patch import COMMIT_MARK

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
_CHUNK = 1 << 20  # history is handed on in pieces of about this size, cut between commits
_MAX_PIECE = 16 * _CHUNK  # a commit bigger than this is handed on in pieces cut between files


class GitError(UsageError):
    """git failed or this is not a repository; the message is safe to show."""


def _env() -> dict[str, str]:
    return gitargs.clean_env()


def command(*args: str) -> list[str]:
    """``git`` with every pinned setting, for callers that stream (``blobwalk``)."""
    return ["git", "--no-pager", *_CONFIG, *args]


def popen(
    root: Path,
    *args: str,
    stdin: bool | IO[bytes] = False,
    stderr: int = subprocess.PIPE,
    stdout: int | IO[bytes] = subprocess.PIPE,
) -> subprocess.Popen[bytes]:
    """A streaming ``git`` with pinned settings; the caller reads stdout, then ``finish``.
    ``stdin``: a pipe to write to (True), another process's output, or nothing. ``stderr``
    is read at the end: a process that may warn on every request (and would block once
    the pipe is full) is given DEVNULL; ``stdout`` a file, for output read after git ends."""
    return subprocess.Popen(
        command(*args),
        cwd=root,
        stdin=(subprocess.PIPE if stdin else subprocess.DEVNULL) if isinstance(stdin, bool) else stdin,
        stdout=stdout,
        stderr=stderr,
        env=_env(),
    )


def finish(proc: subprocess.Popen[bytes], what: str, *, check: bool = True) -> None:
    """Close a ``popen`` process's pipes and wait; GitError when it failed."""
    for pipe in (proc.stdin, proc.stdout):
        if pipe is not None:
            try:
                pipe.close()
            except BrokenPipeError:
                pass  # what was left to write to a git that stopped: its exit status says why
    stderr = proc.stderr.read() if proc.stderr else b""
    if proc.stderr:
        proc.stderr.close()
    if proc.wait() != 0 and check:
        message = stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {what} failed")


def git(root: Path | None, *args: str, check: bool = True, network: bool = False) -> subprocess.CompletedProcess[bytes]:
    """``git`` with every pinned setting; credentials in its environment only for ``network``."""
    cmd = ["git", "--no-pager", *_CONFIG, *args]
    try:
        done = subprocess.run(cmd, cwd=root, capture_output=True, env=gitargs.clean_env(network=network), check=False)
    except FileNotFoundError as exc:
        raise GitError("git is not installed or not on PATH") from exc
    if check and done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {args[0]} failed")
    return done


def _repo_state(start: Path) -> tuple[Path | None, bool]:
    """(work tree root or None, whether HEAD exists), in one git call."""
    done = git(start, "rev-parse", "--show-toplevel", "--verify", "--quiet", "HEAD", check=False)
    lines = done.stdout.splitlines()
    if not lines:
        return None, False
    return Path(os.fsdecode(lines[0])), done.returncode == 0


def not_a_repository(start: Path) -> GitError:
    """Why ``start`` is not a repository git works in: none, or one git refuses because
    another user owns it (``safe.directory``; never switched off here: that check keeps
    that user's config and hooks from running as you)."""
    done = git(start, "rev-parse", "--git-dir", check=False)
    if b"dubious ownership" in done.stderr:
        return GitError(
            f"git refuses the repository at {start}: it is owned by another user (git's safe.directory "
            "check). Run as its owner, or, only if you trust that user, add it with "
            "`git config --global --add safe.directory PATH`"
        )
    return GitError(f"not a git repository: {start}")


def repo_root(start: Path) -> Path | None:
    return _repo_state(start)[0]


def require_root(start: Path) -> Path:
    root = repo_root(start)
    if root is None:
        raise not_a_repository(start)
    return root


def require_history_root(start: Path) -> Path:
    """A work tree's root, or a bare repository's directory (``git clone --mirror``, the
    usual way to audit many repositories): history needs no work tree."""
    root = repo_root(start)
    if root is not None:
        return root
    done = git(start, "rev-parse", "--is-bare-repository", "--absolute-git-dir", check=False)
    lines = done.stdout.splitlines()
    if done.returncode == 0 and len(lines) == 2 and lines[0] == b"true":
        return Path(os.fsdecode(lines[1]))
    raise not_a_repository(start)


def staged_patch(start: Path) -> tuple[Path, bytes, bool]:
    """(root, the index against HEAD, whether HEAD exists). Against the empty tree in a
    repository with no commits yet."""
    root, head = _repo_state(start)
    if root is None:
        raise not_a_repository(start)
    from responder.scanning.quick import take_staged_diff

    handed = take_staged_diff(os.fspath(start)) if head else None  # the hook's quick path read it already
    if handed is not None:
        return root, handed, head
    base = "HEAD" if head else EMPTY_TREE
    return root, git(root, "diff", "--cached", "--no-renames", *_DIFF_OPTS, base, "--").stdout, head


def check_range(root: Path, rev_range: str) -> None:
    if rev_range.startswith("-"):
        raise GitError(f"bad range: {rev_range!r}")
    done = git(root, "rev-list", "--count", rev_range, "--", check=False)
    if done.returncode != 0:
        raise GitError(f"bad range {rev_range!r}: not a revision range in this repository")


def count_commits(root: Path, revs: Sequence[str]) -> int:
    done = git(root, "rev-list", "--count", *revs, "--", check=False)
    return int(done.stdout or b"0") if done.returncode == 0 else 0


def widen_pipe(fd: int) -> None:
    """Let git run up to a chunk ahead while we scan the previous one (Linux only)."""
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), _CHUNK)
    except (ImportError, OSError):
        pass


def _log_args(revs: Sequence[str], *, renames: bool, no_walk: bool, stdin: bool) -> list[str]:
    return [
        "log",
        "-p",
        *_DIFF_OPTS,
        "--root",
        "--diff-merges=first-parent",  # a merge against its first parent; the scanner keeps what no parent had
        "--no-notes",
        "--find-renames" if renames else "--no-renames",
        *(["--no-walk=unsorted"] if no_walk else []),
        *(["--stdin"] if stdin else []),
        f"--format={COMMIT_MARK.decode()}%H %P",
        *revs,
        "--",
    ]


def _pieces(read: Callable[[int], bytes]) -> Iterator[bytes]:
    """Cut a ``git log -p`` stream into pieces of about _CHUNK bytes that end on a commit
    boundary; a commit bigger than _MAX_PIECE is cut between files, each later piece led
    by the commit's header again. Each byte is searched once: linear in the stream."""
    buffer = bytearray()
    commit_mark, file_mark = b"\n" + COMMIT_MARK, b"\ndiff --git "
    searched, last_file = 0, -1  # marks before ``searched`` are known; the last file mark
    while block := read(_CHUNK):
        buffer += block
        lo = max(0, searched - len(file_mark))
        searched = len(buffer)
        found = buffer.rfind(file_mark, lo)
        last_file = found if found > 0 else last_file
        if len(buffer) < _CHUNK:
            continue
        cut = buffer.rfind(commit_mark, lo)
        if cut > 0:
            yield bytes(buffer[: cut + 1])
            del buffer[: cut + 1]
            last_file = last_file - cut - 1 if last_file > cut else -1
        elif len(buffer) >= _MAX_PIECE and last_file > 0:
            header = bytes(buffer[: buffer.find(b"\n") + 1])
            yield bytes(buffer[: last_file + 1])
            buffer[: last_file + 1] = header
            last_file = -1
        searched = len(buffer)
    if buffer:
        yield bytes(buffer)


def log_patches(
    root: Path,
    revs: Sequence[str],
    *,
    renames: bool,
    no_walk: bool = False,
    stdin_revs: Sequence[str] = (),
    paths: Collection[bytes] = (),
) -> Iterator[bytes]:
    """Stream ``git log -p`` for ``revs`` (and commits fed on stdin, limited to ``paths``
    when given) in pieces that end on a commit boundary (see ``_pieces``). Merges come as
    a diff against their first parent.

    Without rename detection a moved file's lines count as added: right for a range (the
    key is in what is pushed) and for the index; a full history already saw them added.
    """
    args = _log_args(revs, renames=renames, no_walk=no_walk, stdin=bool(stdin_revs))
    if paths and stdin_revs and not any(b"\n" in path or b"\r" in path for path in paths):  # git drops a final CR
        stdin_revs = [*stdin_revs, "--", *sorted(os.fsdecode(path) for path in paths)]
        args = ["--literal-pathspecs", *args]
    proc = popen(root, *args, stdin=bool(stdin_revs))
    assert isinstance(proc.stdout, io.BufferedReader)
    if proc.stdin is not None:  # git reads all of stdin before it writes anything
        try:
            proc.stdin.write(os.fsencode("".join(f"{rev}\n" for rev in stdin_revs)))
            proc.stdin.close()
        except BrokenPipeError:
            pass  # git stopped early: its exit status says why
    widen_pipe(proc.stdout.fileno())
    try:
        yield from _pieces(proc.stdout.read1)
    except BaseException:  # the consumer stopped early or failed: stop git too
        proc.kill()
        finish(proc, "log", check=False)
        raise
    finish(proc, "log")


def read_blob(root: Path, spec: str) -> bytes | None:
    """``<rev>:<path>`` or ``:<path>`` (the index); None when there is no such blob."""
    done = git(root, "cat-file", "blob", spec, check=False)
    return done.stdout if done.returncode == 0 else None


class BlobReader:
    """``read_blob`` for many blobs: one ``git cat-file --batch``, started on the first
    read, instead of a git process per blob (a real history can have hundreds of suspect
    files, each costing a process start: 2 ms). A path with a line break cannot be asked
    for on a line, and cat-file drops a carriage return that ends one (``f\\r`` would be
    read as ``f``): such a path gets its own process. git's warnings (one per request for
    ``HEAD:…`` when a tag is named ``HEAD``) go nowhere: unread, they would fill the pipe
    and stop git."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def __call__(self, spec: str) -> bytes | None:
        name = os.fsencode(spec)
        if b"\n" in name or b"\r" in name:
            return read_blob(self.root, spec)
        if self._proc is None:
            self._proc = popen(self.root, "cat-file", "--batch", stdin=True, stderr=subprocess.DEVNULL)
        proc = self._proc
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(name + b"\n")
            proc.stdin.flush()
        except BrokenPipeError:
            pass  # the header read below says it stopped
        header = proc.stdout.readline()
        if not header:
            self.close()
            raise GitError("git cat-file stopped before it answered")
        fields = header.split()
        if len(fields) != 3 or not fields[2].isdigit():  # "<name> missing", "ambiguous"
            return None
        data = proc.stdout.read(int(fields[2]))
        proc.stdout.read(1)
        return data if fields[1] == b"blob" else None

    def close(self) -> None:
        """Every answer asked for was read: how git exits adds nothing."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.stdin is not None:
            try:
                proc.stdin.close()
            except OSError:  # git is gone; what it left unread does not matter
                pass
        if proc is not None:
            finish(proc, "cat-file", check=False)


def list_files(root: Path, paths: Sequence[Path]) -> list[Path]:
    """Tracked and untracked-but-not-ignored files under ``paths`` (absolute)."""
    rel = [":(literal)" + os.path.relpath(p, root) for p in paths] or ["."]
    done = git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *rel)
    names = {os.fsdecode(n) for n in done.stdout.split(b"\0") if n}
    return [root / n for n in sorted(names)]


def is_shallow(root: Path) -> bool:
    done = git(root, "rev-parse", "--is-shallow-repository", check=False)
    return done.stdout.strip() == b"true"


def has_commit(root: Path, sha: str) -> bool:
    if sha.startswith("-"):
        return False
    return git(root, "cat-file", "-e", f"{sha}^{{commit}}", check=False).returncode == 0


def fetch(root: Path, *refspecs: str, unshallow: bool = False) -> bool:
    """``git fetch origin`` (credentials as actions/checkout left them); True on success."""
    args = ["fetch", "--no-tags", "--quiet", "--no-recurse-submodules"]
    if unshallow:
        args.append("--unshallow")
    transports = [
        arg for name in gitargs.TRANSPORTS if name != "ext" for arg in ("-c", f"protocol.{name}.allow=always")
    ]
    refs = [r for r in refspecs if not r.startswith("-")]
    done = git(root, *transports, *args, "origin", *refs, check=False, network=True)
    return done.returncode == 0
