"""Work in a forked process on another core, its output in a file of its own (read once it
has exited: no pipe to fill, no deadlock however much it writes)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from typing import IO


def available() -> bool:
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1


def start(work: Callable[[IO[bytes]], None]) -> tuple[int, IO[bytes]]:
    """Fork a worker running ``work`` into a temporary file: (pid, the file)."""
    results = tempfile.TemporaryFile()
    pid = os.fork()
    if pid:
        return pid, results
    code = 1
    try:  # the worker: never returns into the caller
        with results:
            work(results)
        code = 0
    finally:
        os._exit(code)


def finish(pid: int, results: IO[bytes]) -> bytes | None:
    """What the worker wrote, or None when it failed."""
    failed = os.waitpid(pid, 0)[1] != 0
    with results:
        results.seek(0)
        return None if failed else results.read()
