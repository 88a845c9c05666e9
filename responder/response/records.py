"""The response's typed records: journal steps, the leak, and the one delivery record that
the journal, the resume token and the workflow share.

Every record parses strictly (``from_json``) and raises ``RecordError`` for anything the
CLI itself would refuse: a journal line or a resume token is input from disk or from a
person, and a wrong field must never become a secret name, a repository or issue text.
Pure: no I/O, nothing at import beyond ``re``.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from responder.response import names
from responder.response.github_adapter import SecretTarget

# QuestionPro's requestID is opaque text (its own sample is not a UUID): anything that can
# never close a comment, a code span or a table cell.
REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
RESPONSE_ID = re.compile(r"[0-9]{8}T[0-9]{6}-[0-9a-f]{12}-[0-9a-f]{8}")
HASHED = re.compile(r"[0-9a-f]{40}")
REDACTED = re.compile(r"[A-Za-z0-9._-]{0,4}…[A-Za-z0-9._-]{0,4}")
COMMIT = re.compile(r"[0-9a-f]{7,64}")
DATACENTER = re.compile(r"[a-z]{2,8}")
SOURCE = re.compile(r"[A-Za-z0-9 ()._,:-]{1,100}")
KEY_ID = re.compile(r"[A-Za-z0-9_.=+/-]{1,100}")
SEALED_VALUE = re.compile(r"[A-Za-z0-9+/]{40,8192}={0,2}")
URL = re.compile(r"https?://[^\s<>()\[\]`\"']{1,500}")


class RecordError(ValueError):
    """A record that is not one we wrote; the message names the field, never its value."""


class Step(str, enum.Enum):
    """The journal's steps, in order. A journal whose last step is REGENERATING did send
    the request and never learned the answer: the old key may be dead; never retried."""

    PLANNED = "planned"
    PREFLIGHT_OK = "preflight-ok"
    REGENERATING = "regenerating"
    REGENERATED = "regenerated"
    REGENERATE_FAILED = "regenerate-failed"
    REGENERATE_UNKNOWN = "regenerate-unknown"
    STORED = "stored"
    ISSUE_OPENED = "issue-opened"
    DONE = "done"


FINAL = frozenset({Step.DONE, Step.REGENERATE_FAILED, Step.REGENERATE_UNKNOWN})


def _name(check: Callable[[str], str], data: dict[str, Any], field: str, *, optional: bool = False) -> Any:
    """A name checked by the CLI's own rule (``names``)."""
    value = _field(data, field, str, optional=optional)
    if value is None:
        return None
    try:
        return check(value)
    except names.InvalidName:
        raise RecordError(f"field {field!r} is not a valid name") from None


def _field(data: dict[str, Any], name: str, kind: type | tuple[type, ...], *, optional: bool = False) -> Any:
    value = data.get(name)
    if value is None and optional:
        return None
    if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
        raise RecordError(f"field {name!r} is missing or not a {getattr(kind, '__name__', 'value')}")
    return value


def _text(data: dict[str, Any], name: str, pattern: re.Pattern[str], *, optional: bool = False) -> Any:
    value = _field(data, name, str, optional=optional)
    if value is not None and not pattern.fullmatch(value):
        raise RecordError(f"field {name!r} has an invalid value")
    return value


def _time(data: dict[str, Any], name: str) -> float:
    value = _field(data, name, (int, float))
    if not math.isfinite(value) or not 0 < value < 32503680000:  # before year 3000
        raise RecordError(f"field {name!r} is not a time")
    return float(value)


def repo_field(data: dict[str, Any]) -> str:
    """``data["repo"]``, an OWNER/NAME the CLI would accept."""
    return str(_name(names.repository, data, "repo"))


def target_from_json(data: Any) -> SecretTarget:
    if not isinstance(data, dict):
        raise RecordError("a secret target is not an object")
    repo = _name(names.repository, data, "repo")
    name = _name(names.secret, data, "name")
    app = _field(data, "app", str)
    if app not in ("actions", "dependabot"):
        raise RecordError("field 'app' is neither actions nor dependabot")
    environment = _name(names.environment, data, "environment", optional=True)
    org = _name(names.owner, data, "org", optional=True)
    if environment and (org or app != "actions"):
        raise RecordError("an environment secret is an Actions repository secret")
    include_repo = data.get("include_repo", False)
    if include_repo not in (True, False) or (include_repo and not org):
        raise RecordError("field 'include_repo' is only true for an organization secret")
    return SecretTarget(repo, name, app, environment, org, include_repo)


@dataclass(frozen=True)
class Leak:
    """The leaked key as it may be shown: redacted, hashed, and where it was found."""

    hashed_secret: str
    redacted: str
    filename: str | None = None
    line_number: int | None = None
    commit: str | None = None
    datacenter: str | None = None
    source: str | None = None  # for a key not found in a file: typed at the prompt, or read from stdin

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: Any) -> Leak:
        if not isinstance(data, dict):
            raise RecordError("the leak is not an object")
        filename = _field(data, "filename", str, optional=True)
        if filename is not None and (not 0 < len(filename) <= 4096 or "\x00" in filename):
            raise RecordError("field 'filename' is not a file name")
        line = _field(data, "line_number", int, optional=True)
        if line is not None and not 0 < line < 1 << 31:
            raise RecordError("field 'line_number' is out of range")
        return cls(
            _text(data, "hashed_secret", HASHED),
            _text(data, "redacted", REDACTED),
            filename,
            line,
            _text(data, "commit", COMMIT, optional=True),
            _text(data, "datacenter", DATACENTER, optional=True),
            _text(data, "source", SOURCE, optional=True),
        )


@dataclass(frozen=True)
class Sealed:
    """The new key sealed to one target's public key: only GitHub can open it."""

    target: SecretTarget
    key_id: str
    encrypted_value: str

    def to_json(self) -> dict[str, Any]:
        return {"target": self.target.to_json(), "key_id": self.key_id, "encrypted_value": self.encrypted_value}

    @classmethod
    def from_json(cls, data: Any) -> Sealed:
        if not isinstance(data, dict):
            raise RecordError("a sealed value is not an object")
        return cls(
            target_from_json(data.get("target")),
            _text(data, "key_id", KEY_ID),
            _text(data, "encrypted_value", SEALED_VALUE),
        )


@dataclass(frozen=True)
class Delivery:
    """What is left to do once the key is rotated: the journal's REGENERATED record, the
    content of a resume token (one sealed target each), the workflow's delivery input.

    ``response_id`` is this response's own unique id: the issue marker uses it, so no
    other response ever finds "its" issue, whatever QuestionPro's requestID was.
    ``new_hashed_secret`` identifies the replacement key (sha1, like every key shown)."""

    response_id: str
    repo: str
    leak: Leak
    request_id: str | None
    datacenter: str | None
    rotated_at: float
    sealed: tuple[Sealed, ...]
    new_hashed_secret: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "response_id": self.response_id,
            "repo": self.repo,
            "leak": self.leak.to_json(),
            "request_id": self.request_id,
            "datacenter": self.datacenter,
            "rotated_at": self.rotated_at,
            "sealed": [s.to_json() for s in self.sealed],
            "new_hashed_secret": self.new_hashed_secret,
        }

    @classmethod
    def from_json(cls, data: Any) -> Delivery:
        if not isinstance(data, dict):
            raise RecordError("the delivery is not an object")
        sealed = _field(data, "sealed", list)
        if not 0 < len(sealed) <= 8:
            raise RecordError("field 'sealed' must hold one to eight values")
        delivery = cls(
            _text(data, "response_id", RESPONSE_ID),
            _name(names.repository, data, "repo"),
            Leak.from_json(data.get("leak")),
            _text(data, "request_id", REQUEST_ID, optional=True),
            _text(data, "datacenter", DATACENTER, optional=True),
            _time(data, "rotated_at"),
            tuple(Sealed.from_json(s) for s in sealed),
            _text(data, "new_hashed_secret", HASHED, optional=True),
        )
        if any(s.target.repo != delivery.repo for s in delivery.sealed):
            raise RecordError("a sealed value names another repository than the response")
        if len({s.target for s in delivery.sealed}) != len(delivery.sealed):
            raise RecordError("a target appears twice")
        return delivery


def clean_request_id(value: str | None) -> str | None:
    """QuestionPro's requestID if it is safe to show and to match on, else None."""
    return value if value is not None and REQUEST_ID.fullmatch(value) else None
