"""The response journal: every step is written (and fsynced) before the next starts.

One JSON-lines file per response under the state directory. It never holds a key in
plaintext: the old key appears as its redacted form and ``hashed_secret``, the new key
only sealed to GitHub's public key (which only GitHub can open).

State directory: ``$QP_RESPONDER_STATE_DIR``, else ``$XDG_STATE_HOME/qp-responder``, else
``~/.local/state/qp-responder``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The steps, in order. A journal whose last step is REGENERATING did send the request and
# never learned the answer: the old key may be dead; it is never retried.
PLANNED = "planned"
PREFLIGHT_OK = "preflight-ok"
REGENERATING = "regenerating"
REGENERATED = "regenerated"
REGENERATE_FAILED = "regenerate-failed"
REGENERATE_UNKNOWN = "regenerate-unknown"
STORED = "stored"
ISSUE_OPENED = "issue-opened"
DONE = "done"
FINAL = {DONE, REGENERATE_FAILED, REGENERATE_UNKNOWN}


def state_dir() -> Path:
    if os.environ.get("QP_RESPONDER_STATE_DIR"):
        return Path(os.environ["QP_RESPONDER_STATE_DIR"])
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "qp-responder"


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@dataclass
class Journal:
    path: Path

    @classmethod
    def create(cls, directory: Path, response_id: str) -> Journal:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = directory / f"{response_id}.jsonl"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        _fsync_dir(directory)
        return cls(path)

    def write(self, step: str, **data: Any) -> None:
        record = {"step": step, "at": time.time(), **data}
        line = json.dumps(record, sort_keys=True) + "\n"
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())

    def records(self) -> list[dict[str, Any]]:
        out = []
        with open(self.path, encoding="utf-8") as handle:
            for line in handle:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue  # a line torn by a crash mid-write: the step did not complete
                if isinstance(record, dict) and "step" in record:
                    out.append(record)
        return out

    def steps(self) -> list[str]:
        return [r["step"] for r in self.records()]

    def last(self, step: str) -> dict[str, Any] | None:
        found = [r for r in self.records() if r["step"] == step]
        return found[-1] if found else None

    @property
    def finished(self) -> bool:
        steps = self.steps()
        return bool(steps) and steps[-1] in FINAL


def open_journals(directory: Path) -> Iterator[Journal]:
    """Every journal not yet finished, oldest first."""
    if not directory.is_dir():
        return
    for path in sorted(directory.glob("*.jsonl"), key=lambda p: p.stat().st_mtime):
        journal = Journal(path)
        if not journal.finished:
            yield journal
