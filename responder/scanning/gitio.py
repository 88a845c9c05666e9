"""The only module that runs ``git``.

Every call pins the options a user's config could change (colour, prefixes, external
diff, textconv, pager, quoting) so the output has one shape on every machine.
"""

from __future__ import annotations

import io
import os
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

from responder.core.errors import UsageError
from responder.scanning.patch import COMMIT_MARK

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
_CHUNK = 1 << 20  # history is handed on in pieces of about this size, cut between commits
_CONFIG = ("-c", "core.quotepath=off", "-c", "log.showSignature=false", "-c", "diff.noprefix=false")
_DIFF_OPTS = (
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--no-relative",
    "-U0",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "--diff-filter=ACDMRT",
)


class GitError(UsageError):
    """git failed or this is not a repository; the message is safe to show."""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"GIT_PAGER": "cat", "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"})
    env.pop("GIT_EXTERNAL_DIFF", None)
    return env


def git(root: Path | None, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    cmd = ["git", "--no-pager", *_CONFIG, *args]
    try:
        done = subprocess.run(cmd, cwd=root, capture_output=True, env=_env(), check=False)
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


def repo_root(start: Path) -> Path | None:
    return _repo_state(start)[0]


def require_root(start: Path) -> Path:
    root = repo_root(start)
    if root is None:
        raise GitError(f"not a git repository: {start}")
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
    raise GitError(f"not a git repository: {start}")


def staged_patch(start: Path) -> tuple[Path, bytes, bool]:
    """(root, the index against HEAD, whether HEAD exists). Against the empty tree in a
    repository with no commits yet."""
    root, head = _repo_state(start)
    if root is None:
        raise GitError(f"not a git repository: {start}")
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


def _widen_pipe(fd: int) -> None:
    """Let git run up to a chunk ahead while we scan the previous one (Linux only)."""
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), _CHUNK)
    except (ImportError, OSError):
        pass


def log_patches(root: Path, revs: Sequence[str], *, renames: bool, no_walk: bool = False) -> Iterator[bytes]:
    """Stream ``git log -p`` for ``revs`` in chunks that end on a commit boundary.

    Without rename detection a moved file's lines count as added: right for a range (the
    key is in what is pushed) and for the index; a full history already saw them added.
    """
    cmd = [
        "git",
        "--no-pager",
        *_CONFIG,
        "log",
        "-p",
        *_DIFF_OPTS,
        "--no-merges",
        "--find-renames" if renames else "--no-renames",
        *(["--no-walk=unsorted"] if no_walk else []),
        f"--format={COMMIT_MARK.decode()}%H",
        *revs,
        "--",
    ]
    proc = subprocess.Popen(cmd, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())
    assert isinstance(proc.stdout, io.BufferedReader)
    _widen_pipe(proc.stdout.fileno())
    buffer = bytearray()
    boundary = b"\n" + COMMIT_MARK
    try:
        while True:
            block = proc.stdout.read1(_CHUNK)
            if not block:
                break
            buffer += block
            if len(buffer) < _CHUNK:
                continue
            cut = buffer.rfind(boundary)
            if cut > 0:
                yield bytes(buffer[: cut + 1])
                del buffer[: cut + 1]
        if buffer:
            yield bytes(buffer)
    finally:
        proc.stdout.close()
        stderr = proc.stderr.read() if proc.stderr else b""
        code = proc.wait()
        if proc.stderr:
            proc.stderr.close()
    if code != 0:
        message = stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else "git log failed")


def read_blob(root: Path, spec: str) -> bytes | None:
    """``<rev>:<path>`` or ``:<path>`` (the index); None when there is no such blob."""
    done = git(root, "cat-file", "blob", spec, check=False)
    return done.stdout if done.returncode == 0 else None


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
    done = git(root, *args, "origin", *[r for r in refspecs if not r.startswith("-")], check=False)
    return done.returncode == 0
