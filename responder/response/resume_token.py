"""Resume tokens: everything ``resume --sealed`` needs, with the new key sealed.

``qpr1.<base64url(JSON)>``: the repository, the secret, GitHub's key id, the new key sealed
to GitHub's public key (only GitHub can open it), QuestionPro's requestID and where the
old key leaked (redacted). Safe to print in a job summary: that is the point, so nothing
is lost when a runner disappears between rotation and storage.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from responder.core.errors import UsageError

PREFIX = "qpr1."


class TokenError(UsageError):
    """Not a resume token."""


@dataclass(frozen=True)
class ResumeToken:
    target: dict[str, Any]
    key_id: str
    encrypted_value: str
    request_id: str
    datacenter: str | None
    leak: dict[str, Any]
    planned_at: float

    def encode(self) -> str:
        raw = json.dumps(self.__dict__, sort_keys=True, separators=(",", ":")).encode()
        return PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> ResumeToken:
        text = text.strip()
        if not text.startswith(PREFIX):
            raise TokenError(f"a resume token starts with {PREFIX}")
        body = text[len(PREFIX) :]
        try:
            data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            return cls(**{k: data[k] for k in cls.__dataclass_fields__})
        except (ValueError, KeyError, TypeError) as exc:
            raise TokenError("the resume token is damaged (copy it whole)") from exc
