"""The one exit-code table. Scripts depend on these numbers: never renumber."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    CLEAN = 0  # nothing found / response completed (rotated and stored)
    LEAK_FOUND = 1  # a key was found (scan) and nothing was rotated
    USAGE = 2  # usage or environment error: bad flag, not a git repo, bad range
    NOT_CONFIRMED = 3  # respond: the user did not confirm; nothing changed
    ROTATION_FAILED = 4  # respond: regeneration refused; the old key is still valid
    ROTATION_UNKNOWN = 5  # respond: the request may have rotated the key; outcome unknown
    NOT_STORED = 6  # respond: rotated, new key sealed in the journal; `resume` needed
    PREFLIGHT_FAILED = 7  # respond: GitHub token/repo/permissions not usable; nothing changed
    ISSUE_FAILED = 8  # respond: rotated and stored, but the GitHub issue could not be opened
    INTERNAL = 9  # a bug: never reported as 1 ("leak found")
    SECRET_NEWER = 10  # resume: the secret changed after this key was rotated; nothing written, the issue done
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, the shell's convention); a line says what state it left
    TERMINATED = 143  # SIGTERM (128 + SIGTERM: a CI cancel or timeout, kill); the same line as Ctrl-C
