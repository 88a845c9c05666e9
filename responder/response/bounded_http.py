"""One HTTP GET with a total deadline and a cap on the body it reads.

A per-read timeout does not bound a call: a server (or anything on the path) that sends a
byte every second never trips it, and a huge body is read into memory whole. Here the
request runs in a worker thread that streams at most ``max_body`` bytes; the caller waits
at most ``deadline`` seconds for the whole exchange (connect, headers, body) and then
gives up, shutting the socket so the worker ends too.

Endpoints on this machine (``direct``: loopback, the only place plain http is allowed, see
``questionpro.validate_base_url``) are fetched with the environment ignored: no proxy
(``HTTP_PROXY`` would otherwise receive the key in cleartext) and no ``.netrc`` credentials.

Transport exceptions of ``requests`` reach the caller unchanged, so it can still tell "never
sent" from "sent, answer lost".
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

READ_CHUNK = 65536
GRACE = 1.0  # lets the worker's own connect/read timeouts (which say more) fire first


class DeadlineExceeded(Exception):
    """No complete answer within the deadline (the request may have been sent)."""


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]  # names in lower case
    body: bytes = field(repr=False)
    truncated: bool = False  # more than ``max_body`` bytes arrived (or would after decoding)


@dataclass
class _Box:
    done: threading.Event = field(default_factory=threading.Event)
    response: Any = None
    reply: Reply | None = None
    error: Exception | None = None


def get(
    session_factory: Callable[[], Any],
    url: str,
    headers: Mapping[str, str],
    *,
    deadline: float,
    max_body: int,
    direct: bool = False,
) -> Reply:
    """GET ``url`` (redirects not followed) and return the reply, or raise the transport
    exception, or ``DeadlineExceeded`` after ``deadline`` seconds."""
    box = _Box()
    worker = threading.Thread(
        target=_fetch,
        args=(session_factory, url, dict(headers), deadline, max_body, direct, box),
        name="qp-responder-http",
        daemon=True,
    )
    worker.start()
    if not box.done.wait(deadline + GRACE):
        _abort(box)
        raise DeadlineExceeded(f"no complete answer within {deadline:g}s")
    if box.error is not None:
        raise box.error
    assert box.reply is not None
    return box.reply


def _fetch(
    session_factory: Callable[[], Any],
    url: str,
    headers: dict[str, str],
    deadline: float,
    max_body: int,
    direct: bool,
    box: _Box,
) -> None:
    session = session_factory()
    try:
        if direct or url.startswith("http://"):
            session.trust_env = False  # no proxy, no .netrc: straight to this machine
            session.proxies = {}
        response = session.get(
            url,
            headers={**headers, "Accept-Encoding": "identity"},
            timeout=(min(10.0, deadline), deadline),
            allow_redirects=False,
            stream=True,
        )
        box.response = response
        try:
            body, truncated = _read_capped(response, max_body)
        finally:
            response.close()
        reply_headers = {str(k).lower(): str(v) for k, v in response.headers.items()}
        box.reply = Reply(int(response.status_code), reply_headers, body, truncated)
    except Exception as exc:  # noqa: BLE001 - handed to the caller's thread, which classifies it
        box.error = exc
    finally:
        session.close()
        box.done.set()


def _read_capped(response: Any, max_body: int) -> tuple[bytes, bool]:
    """At most ``max_body`` bytes of the (decoded) body, and whether there was more."""
    raw = bytearray()
    while len(raw) <= max_body:
        chunk = response.raw.read(READ_CHUNK, decode_content=False)
        if not chunk:
            break
        raw += chunk
    truncated = len(raw) > max_body
    encoding = str(response.headers.get("Content-Encoding", "")).strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate") and not truncated:
        wbits = 16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS
        try:
            inflater = zlib.decompressobj(wbits)
            decoded = inflater.decompress(bytes(raw), max_body + 1)
        except zlib.error:
            return b"", False  # an unreadable body: the caller sees an empty answer
        return decoded[:max_body], len(decoded) > max_body or bool(inflater.unconsumed_tail)
    return bytes(raw[:max_body]), truncated


def _abort(box: _Box) -> None:
    """Best effort: shut the socket under a blocked read so the worker thread ends."""
    import socket

    try:
        sock = box.response.raw.connection.sock
        sock.shutdown(socket.SHUT_RDWR)
    except Exception:  # noqa: BLE001, S110 - nothing to abort (no response yet) or already closed
        pass
