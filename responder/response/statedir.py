"""The state directory: journals, the lock and the resume-token key live here.

Trusted the way ssh trusts ``~/.ssh`` (StrictModes): the directory (after following a
symlink) must be owned by us (or root) and not writable by group or others, and no
ancestor may be writable by others without the sticky bit. Directories we create are
0700 whatever the umask. Anyone who can write here could plant a journal that ``resume``
acts on, so a directory that fails these checks is refused, never used.

Location: ``$QP_RESPONDER_STATE_DIR``, else ``$XDG_STATE_HOME/qp-responder``, else
``~/.local/state/qp-responder``.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from responder.core.errors import UsageError

LOCK_NAME = "lock"
TOKEN_KEY_NAME = "token.key"  # noqa: S105 - a file name
TOKEN_KEY_BYTES = 32


class StateDirError(UsageError):
    """The state directory is unsafe or unusable; the message says why and what to do."""


def state_dir() -> Path:
    if os.environ.get("QP_RESPONDER_STATE_DIR"):
        return Path(os.environ["QP_RESPONDER_STATE_DIR"])
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "qp-responder"


def _trusted_owner(uid: int) -> bool:
    return uid in (os.geteuid(), 0)


def check(path: Path) -> None:
    """Raise StateDirError unless ``path`` is a directory only we can write."""
    try:
        link = os.lstat(path)
        info = os.stat(path)
    except OSError as exc:
        raise StateDirError(f"state directory {path}: {exc.strerror}") from None
    if stat.S_ISLNK(link.st_mode) and not _trusted_owner(link.st_uid):
        raise StateDirError(f"state directory {path} is a symlink owned by uid {link.st_uid}: refused")
    if not stat.S_ISDIR(info.st_mode):
        raise StateDirError(f"state directory {path} is not a directory")
    if not _trusted_owner(info.st_uid):
        raise StateDirError(
            f"state directory {path} is owned by uid {info.st_uid}, not by you: refused "
            "(set QP_RESPONDER_STATE_DIR to a directory of your own)"
        )
    if info.st_mode & 0o022:
        raise StateDirError(
            f"state directory {path} is writable by group or others (mode {stat.S_IMODE(info.st_mode):o}): "
            f"refused; fix it with: chmod 700 {path}"
        )
    for parent in Path(os.path.realpath(path)).parents:
        mode = os.stat(parent).st_mode
        if mode & 0o002 and not mode & stat.S_ISVTX:
            raise StateDirError(f"{parent}, above the state directory, is world-writable without the sticky bit")


def ensure(path: Path) -> Path:
    """Create ``path`` (and missing parents) 0700 regardless of the umask, then check it."""
    missing: list[Path] = []
    here = path
    while not os.path.lexists(here) and here != here.parent:
        missing.append(here)
        here = here.parent
    for directory in reversed(missing):
        try:
            os.mkdir(directory, 0o700)
        except FileExistsError:
            continue  # made meanwhile by someone else: checked below like any existing one
        except OSError as exc:
            raise StateDirError(f"cannot create the state directory {directory} ({exc.strerror})") from None
        os.chmod(directory, 0o700)
    check(path)
    return path


def open_private(path: Path, flags: int) -> int:
    """Open a file in the state directory without following a symlink, refusing one that
    another user owns or that group/others can write. Returns the descriptor."""
    fd = os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or not _trusted_owner(info.st_uid) or info.st_mode & 0o022:
        os.close(fd)
        raise StateDirError(f"{path} is not a private regular file of yours: refused")
    return fd


@contextmanager
def locked(directory: Path, note: Callable[[str], None] = lambda _line: None) -> Iterator[None]:
    """Hold the state directory's lock: one response or resume at a time acts on its
    journals. Waits (saying so) while another holds it; the kernel drops it on exit."""
    import fcntl

    fd = open_private(directory / LOCK_NAME, os.O_RDWR | os.O_CREAT)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            note(f"another qp-responder is responding or resuming with {directory}: waiting for it to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def token_key(directory: Path, *, create: bool) -> bytes | None:
    """This state directory's secret for resume-token MACs (created on first use), or
    None when there is none (another machine) or it cannot be read safely."""
    path = directory / TOKEN_KEY_NAME
    try:
        if create:
            try:
                fd = open_private(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
            except FileExistsError:
                pass
            else:
                try:
                    os.write(fd, os.urandom(TOKEN_KEY_BYTES))
                    os.fsync(fd)
                finally:
                    os.close(fd)
        fd = open_private(path, os.O_RDONLY)
    except (OSError, StateDirError):
        return None
    try:
        if os.fstat(fd).st_mode & 0o077:
            return None  # readable by others: anyone could mint "verified" tokens
        data = os.read(fd, TOKEN_KEY_BYTES + 1)
    finally:
        os.close(fd)
    return data if len(data) == TOKEN_KEY_BYTES else None
