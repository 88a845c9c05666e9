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


# GitHub's token formats (classic, OAuth, user-to-server, server-to-server, refresh,
# fine-grained): github.blog/2021-04-05-behind-githubs-new-authentication-token-formats
GITHUB_TOKEN_PATTERN = r"(?:gh[pousr]_[A-Za-z0-9_]{20,}|github_pat_[A-Za-z0-9_]{20,})"  # noqa: S105 - a pattern
TOKEN_VARIABLES = ("GITHUB_TOKEN", "QP_RESPONDER_SECRETS_TOKEN", "INPUT_GITHUB_TOKEN", "INPUT_SECRETS_TOKEN")


def redact_unknown(text: str) -> str:
    """Text of unknown origin (a crash's message): UUIDs, anything shaped like a GitHub
    token, and the tokens this process was given in its environment, all redacted."""
    import os
    import re

    known = [os.environ.get(name, "") for name in TOKEN_VARIABLES]
    text = scrub(text, *(value for value in known if len(value) >= 8))
    text = re.sub(GITHUB_TOKEN_PATTERN, lambda m: redact(m.group()), text)
    return redact_uuids(text)


def scrub(text: str, *secrets: str) -> str:
    """Replace every occurrence of each secret in ``text`` by its redacted form."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, redact(secret))
            text = text.replace(secret.upper(), redact(secret))
            text = text.replace(secret.lower(), redact(secret))
    return text
