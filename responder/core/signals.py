"""SIGTERM handled as Ctrl-C is, and the few steps no signal may cut.

GitHub Actions cancels a job with SIGINT, then SIGTERM 7.5 s later; ``kill``, systemd and
CI timeouts send SIGTERM alone. Python's default for SIGTERM ends the process at once, with
no line saying what state it left. ``terminate_as_interrupt`` turns it into ``Terminated``
(a ``KeyboardInterrupt``), so every place that says what Ctrl-C left says it for SIGTERM
too; the exit status is then 143 (128 + SIGTERM), as shells report it.

``deferred`` holds SIGINT and SIGTERM for what must finish once started: from sending the
regenerate request to the journaled, published sealed key, a signal would lose the new
key (QuestionPro has made it; only its reply carries it). It is raised as soon as the
block ends. While the reply is awaited (bounded by ``--timeout``) a second signal breaks
in: the outcome is then unknown, as before.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
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


class Held:
    """The signals a ``deferred`` block holds; while ``patient``, a second one breaks in."""

    __slots__ = ("patient", "pending")

    def __init__(self, *, patient: bool) -> None:
        self.patient = patient
        self.pending: list[int] = []


@contextmanager
def deferred(*, patient: bool = False, on_hold: Callable[[], None] | None = None) -> Iterator[Held]:
    """SIGINT and SIGTERM wait until the block has ended, then take effect. While
    ``held.patient`` (waiting on something slow, like a reply that carries a new key), the
    first signal is held and ``on_hold`` says so; a second one takes effect at once."""
    held = Held(patient=patient)
    previous: dict[int, Any] = {}

    def restore() -> None:
        for signum, handler in previous.items():
            if handler is not None:
                signal.signal(signum, handler)
        previous.clear()

    def hold(signum: int, _frame: FrameType | None) -> None:
        if held.pending and held.patient:  # interrupted again: stop waiting
            held.pending.clear()
            restore()
            signal.raise_signal(signum)
            return
        held.pending.append(signum)
        if held.patient and on_hold is not None:
            on_hold()

    previous.update({signum: _install(signum, hold) for signum in _HELD})
    try:
        yield held
    finally:
        restore()
        if held.pending:
            signal.raise_signal(held.pending[0])
