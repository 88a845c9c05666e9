"""SIGTERM handled as Ctrl-C is, and the few steps no signal may cut.

GitHub Actions cancels a job with SIGINT, then SIGTERM 7.5 s later; ``kill``, systemd and
CI timeouts send SIGTERM alone. Python's default for SIGTERM ends the process at once, with
no line saying what state it left. ``terminate_as_interrupt`` turns it into ``Terminated``
(a ``KeyboardInterrupt``), so every place that says what Ctrl-C left says it for SIGTERM
too; the exit status is then 143 (128 + SIGTERM), as shells report it.

``deferred`` holds SIGINT and SIGTERM for a few lines that must finish once started
(between QuestionPro's reply and the journaled, published sealed key): a signal there
would lose the new key. It is raised as soon as the block ends.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (the hook's start)
if TYPE_CHECKING:
    from types import FrameType
    from typing import Any

_HELD = (signal.SIGINT, signal.SIGTERM)


class Terminated(KeyboardInterrupt):
    """SIGTERM: handled wherever Ctrl-C is."""


class Received:
    """Whether SIGTERM came (a plain class: the hook's path imports this module)."""

    __slots__ = ("terminated",)

    def __init__(self) -> None:
        self.terminated = False


def _install(signum: int, handler: Any) -> Any:
    """``signal.signal``, or None outside the main thread (where handlers cannot be set)."""
    try:
        return signal.signal(signum, handler)
    except ValueError:
        return None


@contextmanager
def terminate_as_interrupt() -> Iterator[Received]:
    """SIGTERM raises ``Terminated`` inside the block; ``Received`` says whether it came."""
    received = Received()

    def on_term(_signum: int, _frame: FrameType | None) -> None:
        received.terminated = True
        raise Terminated

    previous = _install(signal.SIGTERM, on_term)
    try:
        yield received
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


@contextmanager
def deferred() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block has ended, then take effect."""
    pending: list[int] = []
    previous = {signum: _install(signum, lambda signum, _frame: pending.append(signum)) for signum in _HELD}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            if handler is not None:
                signal.signal(signum, handler)
        if pending:
            signal.raise_signal(pending[0])
