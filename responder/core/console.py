"""Writing to the terminal without importing click (the hook's clean path)."""

from __future__ import annotations

import sys
from collections.abc import Callable


def out(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def error(message: str) -> None:
    sys.stderr.write(f"qp-responder: error: {message}\n")


def warn(message: str) -> None:
    sys.stderr.write(f"qp-responder: warning: {message}\n")


def note(message: str) -> None:
    sys.stderr.write(f"qp-responder: {message}\n")


def progress_bar(total: int) -> Callable[[int], None] | None:
    """A one-line progress bar on stderr, only when stderr is a terminal."""
    if total <= 0 or not sys.stderr.isatty():
        return None

    def show(done: int) -> None:
        width = 30
        filled = min(width, width * done // total)
        sys.stderr.write(f"\rscanning history [{'#' * filled}{'.' * (width - filled)}] {done}/{total} commits")
        sys.stderr.flush()

    return show
