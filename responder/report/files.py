"""Writing a report file where a scanned repository may have planted a symlink.

A checked-out repository can commit ``results.sarif`` as a symlink to any path the user
can write (``~/.bashrc``, ``.git/config``); ``Path.write_text`` would follow it and
overwrite that file with the report. The report is written only to a regular file, or
a new one, at the path itself (``O_NOFOLLOW``).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


def write_report(path: Path, text: str) -> None:
    """Write ``text`` to ``path``; OSError (strerror set) when it cannot, or when ``path``
    is a symbolic link or not a regular file."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o666)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        os.ftruncate(fd, 0)
        data = text.encode("utf-8")
        while data:
            data = data[os.write(fd, data) :]
    except BaseException:
        os.close(fd)
        raise
    os.close(fd)


def reason(exc: OSError) -> str:
    """What to say about a failed ``write_report``."""
    if exc.errno == errno.ELOOP:
        return "it is a symbolic link (refusing to write through it)"
    if exc.errno == errno.ENXIO:  # O_NONBLOCK on a FIFO nobody reads (or a socket)
        return "not a regular file (a named pipe or socket: refusing to wait on it)"
    return exc.strerror or type(exc).__name__
