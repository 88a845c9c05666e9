"""The pre-commit hook's commonest case in a few milliseconds: nothing staged is UUID-shaped.

One ``git diff --cached`` and one byte search, importing nothing beyond ``os``: when the
staged changes hold no UUID-shaped text at all, none of it can be a key and the full
scanner (which loads far more) is not needed. Anything else (a UUID, a git error, a
repository without commits) goes to the full scan, which decides and reports.
"""

from __future__ import annotations

import os

from responder.scanning.gitargs import CONFIG, DIFF_OPTS, clean_env

# The UUID probe (redact.PROBE: ``-hhhh-hhhh-hhhh-`` with h a hex digit) without ``re``
# for small diffs: hex digits become "h" ("h" itself becomes "g"), then one substring
# search. Over _SMALL bytes ``re`` (a few ms to import) searches faster.
_HEX_TO_H = bytes.maketrans(b"0123456789abcdefABCDEFh", b"h" * 22 + b"g")
_PROBE = b"-hhhh-hhhh-hhhh-"
_SMALL = 256 * 1024
_handoff: list[tuple[str, bytes]] = []  # the diff just read, for the full scan in this process


def has_probe(data: bytes) -> bool:
    """Whether ``data`` holds the dashed middle of a UUID (same as ``redact.PROBE``)."""
    if len(data) > _SMALL:
        import re

        from responder.core.redact import PROBE

        return re.search(PROBE.encode(), data) is not None
    return _PROBE in data.translate(_HEX_TO_H)


def _staged_diff() -> bytes | None:
    """``git diff --cached`` against HEAD as the full scan runs it; None when git fails."""
    argv = ["git", "--no-pager", *CONFIG, "diff", "--cached", "--no-renames", *DIFF_OPTS, "HEAD", "--"]
    read, write = os.pipe()
    try:
        pid = os.posix_spawnp(
            "git",
            argv,
            clean_env(),
            file_actions=[
                (os.POSIX_SPAWN_DUP2, write, 1),
                (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
                (os.POSIX_SPAWN_CLOSE, read),
            ],
        )
    except OSError:
        os.close(read)
        os.close(write)
        return None
    os.close(write)
    with open(read, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    return data if os.waitstatus_to_exitcode(status) == 0 else None


def staged_is_clean() -> bool:
    """True only when the staged changes surely hold no key; False means "run the scan",
    which then takes the diff read here (``take_staged_diff``) instead of reading it again."""
    data = _staged_diff()
    if data is None:
        return False
    if not has_probe(data) and b"Secret" not in data:  # no UUID, plain or base64 (detect.may_hold_key)
        return True
    _handoff[:] = [(os.getcwd(), data)]
    return False


def take_staged_diff(cwd: str) -> bytes | None:
    """The staged diff ``staged_is_clean`` read from ``cwd`` in this process, once."""
    found = [data for where, data in _handoff if where == cwd]
    _handoff.clear()
    return found[0] if found else None
