"""The response journal: every step is written (and fsynced) before the next starts.

One JSON-lines file per response, ``<response_id>.jsonl``, in the state directory (see
``statedir``), created 0600 with O_EXCL and opened with O_NOFOLLOW. It never holds a key
in plaintext: the old key appears as its redacted form and ``hashed_secret``, the new key
only sealed to GitHub's public key (which only GitHub can open).

Reading is strict: every line must be a record this module writes, with fields the CLI
would accept, and the records must tell one consistent story. A journal that does not is
refused as a whole (``JournalError``): ``resume`` never acts on it. The one exception is a
last line torn by a crash mid-write (no newline): that step did not complete; it is
ignored with a note.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from responder.core.errors import UsageError
from responder.response.github_adapter import PublicKey, SecretTarget
from responder.response.records import (
    FINAL,
    KEY_ID,
    RESPONSE_ID,
    URL,
    Delivery,
    Leak,
    RecordError,
    Step,
    repo_field,
    target_from_json,
)
from responder.response.statedir import StateDirError, open_private, state_dir

__all__ = ["FINAL", "Journal", "JournalError", "Step", "open_journals", "state_dir"]

MAX_BYTES = 1 << 20  # a journal is a few kB; anything bigger is not ours
_REASON = re.compile(r"[a-z][a-z-]{0,39}")
_PUBLIC_KEY = re.compile(r"[A-Za-z0-9+/]{40,100}={0,2}")


class JournalError(UsageError):
    """A journal that is not one we wrote (or is damaged beyond a torn last line)."""


@dataclass(frozen=True)
class Planned:
    response_id: str
    repo: str
    leak: Leak
    targets: tuple[SecretTarget, ...]
    planned_at: float
    repo_id: int | None
    step = Step.PLANNED


@dataclass(frozen=True)
class PreflightOk:
    keys: tuple[PublicKey, ...]
    step = Step.PREFLIGHT_OK


@dataclass(frozen=True)
class Regenerating:
    datacenter: str
    base_url: str
    step = Step.REGENERATING


@dataclass(frozen=True)
class Regenerated:
    delivery: Delivery
    step = Step.REGENERATED


@dataclass(frozen=True)
class RegenerateFailed:
    reason: str
    message: str
    step = Step.REGENERATE_FAILED


@dataclass(frozen=True)
class RegenerateUnknown:
    message: str
    step = Step.REGENERATE_UNKNOWN


@dataclass(frozen=True)
class Stored:
    target: SecretTarget
    step = Step.STORED


@dataclass(frozen=True)
class IssueOpened:
    url: str
    step = Step.ISSUE_OPENED


@dataclass(frozen=True)
class Done:
    step = Step.DONE


Record = (
    Planned
    | PreflightOk
    | Regenerating
    | Regenerated
    | RegenerateFailed
    | RegenerateUnknown
    | Stored
    | IssueOpened
    | Done
)
R = TypeVar(
    "R", Planned, PreflightOk, Regenerating, Regenerated, RegenerateFailed, RegenerateUnknown, Stored, IssueOpened, Done
)


@dataclass(frozen=True)
class Entry:
    at: float
    record: Record


def to_json(record: Record) -> dict[str, Any]:
    if isinstance(record, Planned):
        return {
            "response_id": record.response_id,
            "repo": record.repo,
            "leak": record.leak.to_json(),
            "targets": [t.to_json() for t in record.targets],
            "planned_at": record.planned_at,
            "repo_id": record.repo_id,
        }
    if isinstance(record, PreflightOk):
        return {"keys": [{"key_id": k.key_id, "key": k.key} for k in record.keys]}
    if isinstance(record, Regenerated):
        return record.delivery.to_json()
    if isinstance(record, Stored):
        return {"target": record.target.to_json()}
    return dict(record.__dict__)  # the flat ones: their fields are plain text


def _text(data: dict[str, Any], name: str, pattern: re.Pattern[str] | None = None, limit: int = 2000) -> str:
    value = data.get(name)
    if not isinstance(value, str) or len(value) > limit or (pattern is not None and not pattern.fullmatch(value)):
        raise RecordError(f"field {name!r} is missing or invalid")
    return value


def _planned(data: dict[str, Any]) -> Planned:
    targets = data.get("targets")
    if not isinstance(targets, list) or not 0 < len(targets) <= 8:
        raise RecordError("field 'targets' must hold one to eight targets")
    repo_id = data.get("repo_id")
    planned_at = data.get("planned_at")
    if repo_id is not None and (isinstance(repo_id, bool) or not isinstance(repo_id, int) or repo_id <= 0):
        raise RecordError("field 'repo_id' is invalid")
    if isinstance(planned_at, bool) or not isinstance(planned_at, (int, float)) or not 0 < planned_at < 32503680000:
        raise RecordError("field 'planned_at' is invalid")
    record = Planned(
        _text(data, "response_id", RESPONSE_ID),
        repo_field(data),
        Leak.from_json(data.get("leak")),
        tuple(target_from_json(t) for t in targets),
        float(planned_at),
        repo_id,
    )
    if any(t.repo != record.repo for t in record.targets):
        raise RecordError("a target names another repository than the plan")
    return record


def _preflight_ok(data: dict[str, Any]) -> PreflightOk:
    keys = data.get("keys")
    if not isinstance(keys, list) or not 0 < len(keys) <= 8 or not all(isinstance(k, dict) for k in keys):
        raise RecordError("field 'keys' is invalid")
    return PreflightOk(tuple(PublicKey(_text(k, "key_id", KEY_ID), _text(k, "key", _PUBLIC_KEY)) for k in keys))


_PARSERS: dict[Step, Callable[[dict[str, Any]], Record]] = {
    Step.PLANNED: _planned,
    Step.PREFLIGHT_OK: _preflight_ok,
    Step.REGENERATING: lambda d: Regenerating(_text(d, "datacenter", limit=20), _text(d, "base_url", URL)),
    Step.REGENERATED: lambda d: Regenerated(Delivery.from_json(d)),
    Step.REGENERATE_FAILED: lambda d: RegenerateFailed(_text(d, "reason", _REASON), _text(d, "message")),
    Step.REGENERATE_UNKNOWN: lambda d: RegenerateUnknown(_text(d, "message")),
    Step.STORED: lambda d: Stored(target_from_json(d.get("target"))),
    Step.ISSUE_OPENED: lambda d: IssueOpened(_text(d, "url", URL)),
    Step.DONE: lambda d: Done(),
}


def parse_line(line: str) -> Entry:
    """One journal line as a typed entry; RecordError for anything we would not write."""
    try:
        data = json.loads(line)
    except ValueError:
        raise RecordError("not JSON") from None
    if not isinstance(data, dict):
        raise RecordError("not an object")
    try:
        step = Step(data.get("step"))
    except ValueError:
        raise RecordError("unknown step") from None
    at = data.get("at")
    if isinstance(at, bool) or not isinstance(at, (int, float)) or not 0 < at < 32503680000:
        raise RecordError("field 'at' is invalid")
    return Entry(float(at), _PARSERS[step](data))


def _check_story(entries: list[Entry]) -> None:
    """The records must be one response's: a plan first, deliveries for its targets."""
    if not entries:
        return
    first = entries[0].record
    if not isinstance(first, Planned):
        raise RecordError("the first record is not the plan")
    for entry in entries[1:]:
        record = entry.record
        if isinstance(record, Planned):
            raise RecordError("a second plan")
        if isinstance(record, Regenerated) and (
            record.delivery.response_id != first.response_id
            or record.delivery.repo != first.repo
            or {s.target for s in record.delivery.sealed} != set(first.targets)
        ):
            raise RecordError("the delivery does not match the plan")
        if isinstance(record, Stored) and record.target not in first.targets:
            raise RecordError("a stored target that was not planned")


@dataclass
class Journal:
    path: Path
    clock: Callable[[], float] = time.time
    notes: tuple[str, ...] = ()

    @classmethod
    def create(cls, directory: Path, response_id: str, clock: Callable[[], float] = time.time) -> Journal:
        """A new, empty journal (0600, never an existing file or a symlink)."""
        path = directory / f"{response_id}.jsonl"
        os.close(open_private(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL))
        _fsync_dir(directory)
        return cls(path, clock)

    def write(self, record: Record) -> None:
        line = json.dumps({"step": record.step.value, "at": self.clock(), **to_json(record)}, sort_keys=True)
        try:
            fd = open_private(self.path, os.O_WRONLY | os.O_APPEND)
        except StateDirError as exc:
            raise OSError(1, str(exc)) from None
        try:
            os.write(fd, (line + "\n").encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def entries(self) -> list[Entry]:
        """Every record, strictly parsed; raises JournalError for a journal not ours."""
        try:
            fd = open_private(self.path, os.O_RDONLY)
        except (OSError, StateDirError) as exc:
            raise JournalError(f"{self.path}: cannot be read safely ({exc})") from None
        try:
            raw = os.read(fd, MAX_BYTES + 1)
        finally:
            os.close(fd)
        if len(raw) > MAX_BYTES:
            raise JournalError(f"{self.path}: too big to be a journal")
        lines = raw.split(b"\n")
        torn = lines.pop()  # after the last newline: empty, or a line a crash cut short
        out: list[Entry] = []
        try:
            try:
                texts = _upgraded([line.decode("utf-8") for line in lines], self.path.stem)
            except UnicodeDecodeError:
                raise RecordError("not UTF-8") from None
            for number, text in enumerate(texts, 1):
                try:
                    out.append(parse_line(text))
                except RecordError as exc:
                    raise RecordError(f"line {number}: {exc}") from None
            _check_story(out)
        except RecordError as exc:
            raise JournalError(f"{self.path}: not a journal qp-responder wrote ({exc}); not acted on") from None
        if torn:
            self.notes = (f"{self.path}: ignored a last line cut short by a crash (that step did not complete)",)
        return out

    def records(self) -> list[Record]:
        return [e.record for e in self.entries()]

    def steps(self) -> list[Step]:
        return [r.step for r in self.records()]

    def last(self, kind: type[R]) -> R | None:
        found = [r for r in self.records() if isinstance(r, kind)]
        return found[-1] if found else None

    @property
    def finished(self) -> bool:
        steps = self.steps()
        return bool(steps) and steps[-1] in FINAL


_LEGACY_NAME = re.compile(r"[0-9]{8}T[0-9]{6}-[0-9a-f]{12}")


def _upgraded(lines: list[str], stem: str) -> list[str]:
    """A journal written before response ids (named ``<time>-<hashed_secret[:12]>``) read
    as if written now: its id is its name plus ``-00000000``, and its REGENERATED record
    takes the plan's repository and leak. Everything is then parsed as strictly as ever,
    so a pending key from before an upgrade is still delivered, and nothing else is."""
    if not lines or not _LEGACY_NAME.fullmatch(stem):
        return lines
    try:
        docs = [json.loads(line) for line in lines]
    except ValueError:
        return lines
    first = docs[0]
    if not isinstance(first, dict) or first.get("step") != Step.PLANNED.value or "response_id" in first:
        return lines
    first["response_id"] = f"{stem}-00000000"
    for doc in docs[1:]:
        if isinstance(doc, dict) and doc.get("step") == Step.REGENERATED.value and "response_id" not in doc:
            doc.update(response_id=first["response_id"], repo=first.get("repo"), leak=first.get("leak"))
            doc["rotated_at"] = doc.get("at")
    return [json.dumps(doc) for doc in docs]


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


def all_journals(directory: Path) -> Iterator[Journal]:
    """Every journal file, oldest first (by name: the response id starts with its time)."""
    if not directory.is_dir():
        return
    for path in sorted(directory.glob("*.jsonl")):
        yield Journal(path)


def open_journals(directory: Path, note: Callable[[str], None] = lambda _line: None) -> Iterator[Journal]:
    """Every journal not yet finished, oldest first; one that is not ours is skipped with a note."""
    for journal in all_journals(directory):
        try:
            finished = journal.finished
        except JournalError as exc:
            note(str(exc))
            continue
        for line in journal.notes:
            note(line)
        if not finished:
            yield journal
