"""Writing to the terminal without importing click (the hook's clean path)."""

from __future__ import annotations

import sys


def out(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def error(message: str) -> None:
    sys.stderr.write(f"qp-responder: error: {message}\n")


def warn(message: str) -> None:
    sys.stderr.write(f"qp-responder: warning: {message}\n")


def note(message: str) -> None:
    sys.stderr.write(f"qp-responder: {message}\n")
