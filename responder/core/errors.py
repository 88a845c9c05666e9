"""Errors a user can act on. Each carries its exit code; ``responder.entry.main`` is the
one place that turns an error into an exit status and a message.

A message is shown as it is: build it from redacted fields only, never from a key, a
request or a response body.
"""

from __future__ import annotations

from responder.core import console
from responder.core.exitcodes import ExitCode


class QprError(Exception):
    """Nothing more can be done; the message says why and what to do."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str, *, exit_code: ExitCode | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    def show(self) -> None:
        console.error(str(self))


class UsageError(QprError):
    """Bad flags, input or environment; nothing was done."""


class Interrupted(QprError):
    """Ctrl-C; the message says what state it left (exit 130, never 1 "key found")."""

    exit_code = ExitCode.INTERRUPTED

    def show(self) -> None:
        console.note(str(self))
