"""The only two ways a key may be shown: a redacted form and detect-secrets' sha1."""

from __future__ import annotations

# The dashed middle of a UUID: a literal-led pattern that ``re`` finds at about 1 GB/s.
# The scanner gates everything on it; redaction of unknown text uses it too.
PROBE = r"-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"


def hashed_secret(secret: str) -> str:
    """The sha1 hex digest detect-secrets stores as ``hashed_secret``."""
    import hashlib

    return hashlib.sha1(secret.encode("utf-8"), usedforsecurity=False).hexdigest()


def redact(secret: str) -> str:
    """``12345678-…-234567890abc`` -> ``1234…0abc``; short values show nothing."""
    if len(secret) < 16:
        return "…"
    return f"{secret[:4]}…{secret[-4:]}"


def redact_uuids(text: str) -> str:
    """Redact anything UUID-shaped (for messages of unknown origin, such as a crash's)."""
    import re

    return re.sub(f"[0-9a-fA-F]{{8}}{PROBE}[0-9a-fA-F]{{12}}", lambda m: redact(m.group()), text)


def scrub(text: str, *secrets: str) -> str:
    """Replace every occurrence of each secret in ``text`` by its redacted form."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, redact(secret))
            text = text.replace(secret.upper(), redact(secret))
            text = text.replace(secret.lower(), redact(secret))
    return text
