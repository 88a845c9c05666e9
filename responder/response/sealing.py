"""libsodium sealed boxes: the encryption GitHub's secrets API takes.

A value sealed to a repository's (or environment's, organization's) Actions public key
can be opened only by GitHub, so a sealed new key may be journaled, logged and shown in a
job summary without exposing it.
"""

from __future__ import annotations

import base64


def seal(public_key_b64: str, plaintext: str) -> str:
    from nacl.public import PublicKey, SealedBox

    box = SealedBox(PublicKey(base64.b64decode(public_key_b64)))
    return base64.b64encode(box.encrypt(plaintext.encode("utf-8"))).decode("ascii")
