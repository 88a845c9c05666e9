"""Writing to the terminal without importing click (the hook's clean path).

Text that reaches a person may come from a scanned repository (file names) or a server
(error messages). Nothing in it may drive the terminal: C0 controls, DEL, C1 controls
(U+0080-U+009F: U+009B is a one-character CSI on many terminals) and the bidirectional
overrides that reorder what is shown are written as ``\\xNN`` / ``\\uNNNN`` escapes.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable

_BIDI = (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C, 0x2028, 0x2029)
ESCAPES: dict[int, str] = (
    {i: f"\\x{i:02x}" for i in (*range(0x20), *range(0x7F, 0xA0))}
    | {i: f"\\u{i:04x}" for i in _BIDI}
    | {0x0A: "\\n", 0x09: "\\t", 0x0D: "\\r"}
)
_LINES = {i: e for i, e in ESCAPES.items() if i not in (0x0A, 0x09)}  # text whose lines and tabs stay


_CONTROL = re.compile("[" + "".join(chr(i) for i in sorted(_LINES)) + "]")
_CONTROL_OR_BREAK = re.compile("[" + "".join(chr(i) for i in sorted(ESCAPES)) + "]")


def printable(text: str, *, one_line: bool = True) -> str:
    """``text`` with every terminal control escaped (newlines and tabs kept unless one_line).
    Text with none (nearly all) is returned as it is, found by one scan at C speed."""
    if one_line:
        return text.translate(ESCAPES) if _CONTROL_OR_BREAK.search(text) else text
    return text.translate(_LINES) if _CONTROL.search(text) else text


def out(text: str) -> None:
    sys.stdout.write(printable(text, one_line=False))
    sys.stdout.flush()


def say(text: str) -> None:
    """Human output (outcomes, advice): stderr, so stdout stays for reports and JSON."""
    sys.stderr.write(printable(text, one_line=False))
    sys.stderr.flush()


def wrap(text: str, width: int = 88, longest: int = 100) -> str:
    """Lines longer than ``longest`` wrapped at ``width``, continuations indented; existing
    breaks kept."""
    if all(len(line) <= longest for line in text.splitlines()):
        return text
    import textwrap

    lines: list[str] = []
    for line in text.splitlines():
        if len(line) <= longest:
            lines.append(line)
            continue
        indent = "  " if not line.startswith(" ") else line[: len(line) - len(line.lstrip())] + "  "
        lines += textwrap.wrap(
            line, width=width, subsequent_indent=indent, break_on_hyphens=False, break_long_words=False
        ) or [""]
    return "\n".join(lines)


def error(message: str) -> None:
    sys.stderr.write(f"qp-responder: error: {printable(message, one_line=False)}\n")


def warn(message: str) -> None:
    sys.stderr.write(f"qp-responder: warning: {printable(message, one_line=False)}\n")


def note(message: str) -> None:
    sys.stderr.write(f"qp-responder: {printable(message, one_line=False)}\n")


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
