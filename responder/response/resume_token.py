"""Resume tokens: one sealed delivery, portable, for ``resume --sealed`` anywhere.

``qpr2.<base64url(JSON of a Delivery with one sealed target)>.<base64url(HMAC-SHA256)>``.
The new key is sealed to GitHub's public key (only GitHub can open it), so the token is
safe to print in a job summary: that is the point, so nothing is lost when a runner
disappears between rotation and storage.

What a token can be trusted for. Anyone who can read a repository's Actions public key
can seal a value of their choosing and write a token around it, so a token by itself
proves nothing about who made it. Hence:

* **Verified** tokens carry an HMAC made with a 32-byte key kept in the state directory
  (``token.key``, 0600) of the machine that rotated: only that machine (that user) can
  make them. ``resume --sealed`` on that machine may write after the usual confirmation
  (a terminal, or ``--yes``).
* **Unverified** tokens (made elsewhere, e.g. on a GitHub runner that is gone, or forged)
  are shown in full (repository, secret, requestID, response id, rotation time, the
  leaked key's redacted form and hashed_secret) and need a confirmation on the terminal,
  or ``--yes --accept-unverified``: the operator vouches for the token, not the tool.
* Either way every field is validated as strictly as the CLI's own options (repository
  shape, secret-name rules, requestID charset, ...), a token names exactly one target in
  the repository of its response, and a token older than the secret's last update is
  refused unless ``--force``: replaying it would put a dead key back.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass

from responder.core.errors import UsageError
from responder.response.records import Delivery, RecordError

PREFIX = "qpr2."
MAX_LENGTH = 16384
_B64URL = re.compile(r"[A-Za-z0-9_-]*")


class TokenError(UsageError):
    """Not a resume token (or a damaged one); the message never repeats its content."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    if not _B64URL.fullmatch(text):
        raise TokenError("the resume token is damaged (copy it whole)")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise TokenError("the resume token is damaged (copy it whole)") from None


def _mac(key: bytes, payload: str) -> str:
    return _b64(hmac.new(key, (PREFIX + payload).encode("ascii"), hashlib.sha256).digest())


@dataclass(frozen=True)
class ResumeToken:
    delivery: Delivery
    verified: bool = False
    stored: bool = False  # the secret was written; only the issue is left to do

    def __post_init__(self) -> None:
        if len(self.delivery.sealed) != 1:
            raise TokenError("a resume token carries exactly one sealed value")

    def encode(self, key: bytes | None) -> str:
        """The token text; with ``key`` (this state directory's) it verifies here."""
        raw = json.dumps(
            {**self.delivery.to_json(), "stored": self.stored}, sort_keys=True, separators=(",", ":"), ensure_ascii=True
        )
        payload = _b64(raw.encode("ascii"))
        return f"{PREFIX}{payload}.{_mac(key, payload) if key else ''}"

    @classmethod
    def decode(cls, text: str, key: bytes | None) -> ResumeToken:
        text = text.strip()
        if len(text) > MAX_LENGTH:
            raise TokenError("that is too long to be a resume token")
        if text.startswith("qpr1."):
            raise TokenError(
                "a qpr1 resume token (from an older qp-responder) is not bound to what it may write and is no "
                "longer accepted; finish with the journal on the machine that rotated (`qp-responder resume`)"
            )
        if not text.startswith(PREFIX) or text.count(".") != 2:
            raise TokenError(f"a resume token looks like {PREFIX}<data>.<signature>")
        payload, mac = text[len(PREFIX) :].split(".")
        raw = _unb64(payload)
        _unb64(mac)
        try:
            data = json.loads(raw.decode("ascii"))
            delivery = Delivery.from_json(data)
        except (ValueError, RecordError) as exc:  # (UnicodeDecodeError and JSONDecodeError are ValueErrors)
            raise TokenError(f"the resume token is not valid: {exc}") from None
        if data.get("stored") not in (True, False):
            raise TokenError("the resume token is not valid: field 'stored' is not true or false")
        verified = bool(key and mac and hmac.compare_digest(mac, _mac(key, payload)))
        return cls(delivery, verified, data["stored"])

    def describe(self) -> str:
        d = self.delivery
        [sealed] = d.sealed
        leak = d.leak
        where = "".join(
            c if c.isprintable() else f"\\x{ord(c):02x}"
            for c in leak.filename or leak.source or "(key read from stdin)"
        )
        trust = (
            "VERIFIED: made by a response in this state directory"
            if self.verified
            else "UNVERIFIED: not made in this state directory (another machine, or forged: anyone who can "
            "read the repository's public key can make one). Write it only if you know where it came from."
        )
        rotated = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(d.rotated_at))
        return "\n".join(
            [
                f"Resume token, {trust}",
                (
                    f"  will find or open the issue only: the {sealed.target.describe()} was already written"
                    if self.stored
                    else f"  will write: the {sealed.target.describe()}"
                ),
                f"  with the key that replaced {leak.redacted} (hashed_secret {leak.hashed_secret}), leaked at {where}",
                f"  rotated at {rotated}, QuestionPro requestID {d.request_id or '(none given)'}, "
                f"response {d.response_id}",
                f"  and find or open the issue for it in {d.repo}." if not self.stored else f"  in {d.repo}.",
            ]
        )
