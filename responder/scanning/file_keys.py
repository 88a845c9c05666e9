"""A file judged whole, for callers fed one line at a time (the detect-secrets plugin).

detect-secrets hands its plugins one line at a time, some of them rewritten by its
transformers; judging each against the whole file keeps the plugin's answer the same as
every other mode's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from responder.scanning import detect
from responder.scanning.scanner import MAX_FILE_BYTES
from responder.scanning.triage import decode


@dataclass(frozen=True)
class FileKeys:
    """The keys of one file by line, and its lines to place what a transformer moved."""

    keys: frozenset[tuple[int, str]]
    lines: tuple[str, ...]

    def places(self, line: str, line_number: int) -> set[tuple[int, str]]:
        """Where the keys in ``line`` (line ``line_number`` as detect-secrets shows it) are.

        detect-secrets' transformers show a value on its name's line (a YAML block scalar,
        ``apiKey: >-`` with the key below, as ``apiKey: "<key>"``): such a key is placed
        on the file's next line that holds it, where every other mode reports it. Without
        a line number, a key is placed wherever the file holds it.
        """
        if not line_number:
            return {(number, key) for number, key in self.keys if key in line}
        here = {(number, key) for number, key in self.keys if number == line_number}
        shown = self.lines[line_number - 1] if line_number <= len(self.lines) else ""
        for number, key in self.keys:
            moved_here = number > line_number and key in line and key not in shown
            if moved_here and not any(key in text for text in self.lines[line_number : number - 1]):
                here.add((number, key))
        return here


def judge(filename: str) -> FileKeys | None:
    """The file's keys, or None when it cannot be read whole (gone, too big, unreadable)."""
    try:
        path = Path(filename)
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            return None
        text = decode(path.read_bytes())
    except OSError:
        return None
    keys = frozenset((m.line_number, m.secret) for m in detect.find_keys(text, path=filename))
    return FileKeys(keys, tuple(text.splitlines()) if keys else ())
