"""The QuestionPro client: regenerate a key, and say exactly what happened when it fails.

Regeneration is destructive and not idempotent: one successful call expires the old key
everywhere. So the outcome of every attempt is one of

* ``Regenerated``          - we hold the new key;
* ``RegenerateRefused``    - the server surely did not rotate (it answered with an error, or
                             the request never left this machine): the old key still works;
* ``RegenerateUnknown``    - the request may have been processed and the answer was lost
                             (timeout, dropped connection, 5xx from a proxy, a 2xx without
                             a key, a reply over 1 MiB or not complete within ``timeout``):
                             the old key may be dead and the new one unknown.

Only requests that surely never reached the server (connection refused, DNS failure,
connect timeout) and 429s with a ``Retry-After`` are retried, a bounded number of times.
Redirects are never followed: the ``api-key`` header must not travel to another host.
Messages are built from status codes and QuestionPro's error fields, never from a body.
Each attempt is one ``bounded_http.get``: a total deadline, a capped body, and no proxy
for a loopback endpoint. Endpoints are checked before anything is sent: a malformed
``host:port`` is a ``ConfigError`` (a usage error), never an "unknown" outcome.
"""

from __future__ import annotations

import enum
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from responder.core.datacenters import ALIASES, HOSTS
from responder.core.redact import scrub
from responder.core.urls import BadURL, is_loopback_host, is_loopback_url, parse_origin
from responder.response import bounded_http

REGENERATE_PATH = "/a/api/v2/apikey/regenerate"
MAX_CONNECT_ATTEMPTS = 3
MAX_RATE_LIMIT_WAITS = 3
MAX_RETRY_AFTER = 120.0
MAX_BODY = 1024 * 1024  # QuestionPro's replies are a few hundred bytes
ALLOWANCE_EXHAUSTED = (
    ". The account's API call allowance is used up (QuestionPro answers 429 with error 1013 and no "
    "Retry-After): retrying will not help. Regenerate the key in QuestionPro's web application "
    "(sign in, open Integrations > API), then store the new key with: qp-responder store --repo OWNER/NAME"
)
RATE_LIMITED = ". QuestionPro allows 300 calls per key (2,400 per organization) per 60 s: wait a minute, then run again"


class ConfigError(Exception):
    """A datacenter or endpoint that must not be used; nothing was sent."""


def normalise_datacenter(name: str) -> str:
    dc = ALIASES.get(name.strip().lower(), name.strip().lower())
    if dc not in HOSTS:
        raise ConfigError(f"unknown datacenter {name!r}: use one of {', '.join(HOSTS)}")
    return dc


def validate_base_url(url: str) -> str:
    """Accept only QuestionPro's https hosts, or a loopback address (tests, local proxies),
    so a hostile configuration can never make us send a key anywhere else. Malformed
    hosts and ports are refused here, before anything is sent."""
    try:
        origin = parse_origin(url)
    except BadURL as exc:
        raise ConfigError(f"QUESTIONPRO_BASE_URL: {exc}") from None
    if origin.path not in ("", "/"):
        raise ConfigError("QUESTIONPRO_BASE_URL must be a bare scheme://host[:port]")
    if origin.scheme == "https" and origin.host in HOSTS.values() and origin.port in (None, 443):
        return f"https://{origin.host}"
    if is_loopback_host(origin.host):
        return origin.base
    raise ConfigError(
        f"QUESTIONPRO_BASE_URL {origin.scheme}://{origin.host} is not a QuestionPro datacenter host "
        f"({', '.join(f'https://{h}' for h in HOSTS.values())}) nor a loopback address"
    )


@dataclass(frozen=True)
class Endpoint:
    datacenter: str
    base_url: str

    @property
    def url(self) -> str:
        return self.base_url + REGENERATE_PATH


CUSTOM = "custom"  # an endpoint from QUESTIONPRO_BASE_URL that is no datacenter's host


def endpoints(datacenter: str | None, base_url_override: str | None) -> list[Endpoint]:
    """Where to try, in order: the override, or one datacenter, or all of them."""
    if base_url_override:
        base = validate_base_url(base_url_override)
        by_host = {f"https://{host}": dc for dc, host in HOSTS.items()}
        if datacenter:
            normalise_datacenter(datacenter)  # still refuse a datacenter that does not exist
        return [Endpoint(by_host.get(base) or CUSTOM, base)]
    if datacenter:
        dc = normalise_datacenter(datacenter)
        return [Endpoint(dc, f"https://{HOSTS[dc]}")]
    return [Endpoint(dc, f"https://{host}") for dc, host in HOSTS.items()]


@dataclass(frozen=True)
class ApiError:
    """QuestionPro's error fields (``id`` may arrive as a string or a number)."""

    status: int
    error_id: str | None = None
    name: str | None = None
    message: str | None = None

    def describe(self) -> str:
        parts = [f"HTTP {self.status}"]
        if self.error_id:
            parts.append(f"error {self.error_id}")
        if self.name:
            parts.append(self.name)
        text = " ".join(parts)
        return f"{text}: {self.message}" if self.message else text


NO_REQUEST_ID = "no-request-id-"  # QuestionPro's reply had none: a local reference, unique per rotation


def local_request_id() -> str:
    """A stand-in for a missing requestID: unique, so the issue marker built from it never
    matches another response's issue (a shared "unknown" made a second response find the
    first one's issue and open none)."""
    import uuid

    return f"{NO_REQUEST_ID}{uuid.uuid4()}"


@dataclass(frozen=True)
class Regenerated:
    datacenter: str
    request_id: str | None  # None when QuestionPro's reply did not say
    new_key: str = field(repr=False)


class RefusalReason(str, enum.Enum):
    """Why QuestionPro did not rotate (or why the request never left)."""

    WRONG_KEY = "wrong-key"
    BAD_REQUEST = "bad-request"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not-found"
    RATE_LIMITED = "rate-limited"
    SERVER_ERROR = "server-error"
    UNREACHABLE = "unreachable"
    REDIRECT = "redirect"


class RegenerateRefused(Exception):
    """The server did not rotate the key (or was never reached): the old key still works."""

    def __init__(
        self, reason: RefusalReason | str, message: str, *, datacenter: str | None = None, error: ApiError | None = None
    ) -> None:
        super().__init__(message)
        self.reason = RefusalReason(reason)
        self.datacenter = datacenter
        self.error = error


class RegenerateUnknown(Exception):
    """The request may have rotated the key, and the answer was lost."""

    def __init__(self, message: str, *, datacenter: str | None = None) -> None:
        super().__init__(message)
        self.datacenter = datacenter


_FIELD = {
    name: re.compile(rf'"{name}"\s*:\s*"?([^",}}\n]*)"?', re.IGNORECASE)
    for name in ("apiKey", "requestID", "httpStatusCode", "id", "name", "message")
}


def parse_body(text: str) -> dict[str, Any]:
    """QuestionPro's JSON, or its published not-quite-JSON (unquoted values), as a dict of
    the fields we use. Returns {} for anything else (an HTML page, garbage)."""
    stripped = text.lstrip()
    if not stripped.startswith("{"):
        return {}
    try:
        doc = json.loads(stripped)
    except ValueError:
        doc = None
    if isinstance(doc, dict):
        response: dict[str, Any] = doc["response"] if isinstance(doc.get("response"), dict) else {}
        error: dict[str, Any] = response["error"] if isinstance(response.get("error"), dict) else {}
        found: dict[str, Any] = {}
        if isinstance(response.get("apiKey"), str):
            found["apiKey"] = response["apiKey"]
        if doc.get("requestID") is not None:
            found["requestID"] = str(doc["requestID"])
        for key in ("httpStatusCode", "id", "name", "message"):
            if error.get(key) is not None:
                found[key] = str(error[key])
        return found
    return {k: m.group(1).strip() for k, p in _FIELD.items() if (m := p.search(stripped)) and m.group(1).strip()}


_REASONS = {
    400: RefusalReason.BAD_REQUEST,
    401: RefusalReason.WRONG_KEY,
    403: RefusalReason.FORBIDDEN,
    404: RefusalReason.NOT_FOUND,
    429: RefusalReason.RATE_LIMITED,
}
KEY_SHAPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{7,127}")  # a UUID in practice; "alphanumeric" per the docs


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if 0 <= seconds <= MAX_RETRY_AFTER else None


@dataclass
class QuestionProClient:
    """One regenerate call per attempt, each on a new ``requests.Session`` (a fresh
    connection: a stale pooled one fails *after* sending, which would read as "unknown")."""

    session_factory: Callable[[], Any]
    timeout: float = 30.0
    sleep: Callable[[float], None] = time.sleep

    def regenerate(
        self, key: str, targets: Sequence[Endpoint], on_attempt: Callable[[Endpoint], None] | None = None
    ) -> Regenerated:
        """Try ``targets`` in turn; a 401 (wrong datacenter) or an unreachable host moves
        on to the next. Anything else is final. ``on_attempt`` (the journal) is called just
        before each request is sent; what it raises propagates, and nothing is sent."""
        last: RegenerateRefused | None = None
        for endpoint in targets:
            try:
                return self._regenerate_at(key, endpoint, on_attempt)
            except RegenerateRefused as exc:
                if exc.reason not in (RefusalReason.WRONG_KEY, RefusalReason.UNREACHABLE):
                    raise
                last = exc
        if last is not None and len(targets) > 1:
            raise RegenerateRefused(
                last.reason,
                f"no datacenter accepted the key ({', '.join(t.datacenter for t in targets)}); last: {last}",
                error=last.error,
            )
        assert last is not None
        raise last

    def _regenerate_at(
        self, key: str, endpoint: Endpoint, on_attempt: Callable[[Endpoint], None] | None
    ) -> Regenerated:
        connect_failures = rate_waits = 0
        while True:
            if on_attempt is not None:
                on_attempt(endpoint)
            try:
                reply = self._send(key, endpoint)
            except _NeverSent as exc:
                connect_failures += 1
                if connect_failures < MAX_CONNECT_ATTEMPTS and exc.retryable:
                    self.sleep(0.5 * connect_failures)
                    continue
                raise RegenerateRefused(
                    RefusalReason.UNREACHABLE,
                    f"could not connect to {endpoint.base_url} ({exc}); nothing was sent",
                    datacenter=endpoint.datacenter,
                ) from None
            try:
                return self._interpret(reply, endpoint, key)
            except RegenerateRefused as exc:
                wait = _retry_after(reply.headers.get("retry-after"))
                if exc.reason is RefusalReason.RATE_LIMITED and wait is not None and rate_waits < MAX_RATE_LIMIT_WAITS:
                    rate_waits += 1
                    self.sleep(wait)
                    continue
                raise

    def _send(self, key: str, endpoint: Endpoint) -> bounded_http.Reply:
        """One GET with a total deadline and a capped body. Raises ``_NeverSent`` when the
        request surely did not leave, RegenerateRefused when it was never built,
        RegenerateUnknown when it may have reached the server."""
        import requests

        dc = endpoint.datacenter
        try:
            return bounded_http.get(
                self.session_factory,
                endpoint.url,
                {"api-key": key, "Accept": "application/json", "Connection": "close"},
                deadline=self.timeout,
                max_body=MAX_BODY,
                direct=is_loopback_url(endpoint.base_url),
            )
        except (
            requests.exceptions.ConnectTimeout,
            requests.exceptions.SSLError,
            requests.exceptions.ConnectionError,
        ) as exc:
            if not _never_sent(exc):
                raise RegenerateUnknown(
                    f"the connection to {endpoint.base_url} broke after the request was sent",
                    datacenter=dc,
                ) from None
            raise _NeverSent(type(exc).__name__, retryable=not isinstance(exc, requests.exceptions.SSLError)) from None
        except (
            requests.exceptions.InvalidURL,
            requests.exceptions.InvalidSchema,
            requests.exceptions.MissingSchema,
            requests.exceptions.InvalidHeader,
        ) as exc:
            raise RegenerateRefused(
                "invalid-request", f"the request to {endpoint.base_url} could not be built ({type(exc).__name__})"
            ) from None
        except (requests.exceptions.Timeout, bounded_http.DeadlineExceeded):
            raise RegenerateUnknown(
                f"{endpoint.base_url} did not answer completely within {self.timeout:g}s after the request was sent",
                datacenter=dc,
            ) from None
        except Exception as exc:  # noqa: BLE001 - anything else happened with the request possibly sent
            raise RegenerateUnknown(
                f"the request to {endpoint.base_url} failed midway ({type(exc).__name__})", datacenter=dc
            ) from None

    def _interpret(self, reply: bounded_http.Reply, endpoint: Endpoint, key: str) -> Regenerated:
        status, dc = reply.status, endpoint.datacenter
        if reply.truncated:
            raise RegenerateUnknown(
                f"{endpoint.base_url} answered HTTP {status} with more than {MAX_BODY // 1024} KiB (not QuestionPro's "
                "reply; read no further): the request may have reached QuestionPro",
                datacenter=dc,
            )
        text = reply.body.decode("utf-8", "replace")
        fields = parse_body(text)
        if 200 <= status < 300:
            new_key = fields.get("apiKey", "")
            if KEY_SHAPE.fullmatch(new_key) and new_key != key:
                return Regenerated(dc, fields.get("requestID") or local_request_id(), new_key)
            raise RegenerateUnknown(
                f"{endpoint.base_url} answered HTTP {status} without a usable new key: the old key may "
                "already be expired",
                datacenter=dc,
            )
        error = ApiError(
            status=status,
            error_id=fields.get("id"),
            name=fields.get("name"),
            message=scrub(fields["message"][:200], key) if fields.get("message") else None,
        )
        if 300 <= status < 400:
            raise RegenerateRefused(
                RefusalReason.REDIRECT,
                f"{endpoint.base_url} answered a redirect (HTTP {status}); not followed, so the key was not sent on",
                datacenter=dc,
                error=error,
            )
        if status >= 500:
            if fields.get("id") or fields.get("httpStatusCode"):  # QuestionPro's own error: not processed
                raise RegenerateRefused(
                    RefusalReason.SERVER_ERROR, f"QuestionPro {dc}: {error.describe()}", datacenter=dc, error=error
                )
            kind = "an HTML page" if text.lstrip().startswith("<") else "a non-QuestionPro body"
            raise RegenerateUnknown(
                f"{endpoint.base_url} answered HTTP {status} with {kind} (a proxy or gateway): the request "
                "may have reached QuestionPro",
                datacenter=dc,
            )
        reason = _REASONS.get(status, RefusalReason.BAD_REQUEST)
        if not fields and text.lstrip().startswith("<"):
            error = ApiError(status=status, message="an HTML error page (proxy or firewall?)")
        message = f"QuestionPro {dc}: {error.describe()}"
        if status == 429 and _retry_after(reply.headers.get("retry-after")) is None:
            message += ALLOWANCE_EXHAUSTED if error.error_id == "1013" else RATE_LIMITED
        raise RegenerateRefused(reason, message, datacenter=dc, error=error)


class _NeverSent(Exception):
    """The request surely did not leave this machine (the message is the error's type name)."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


def _never_sent(exc: Exception) -> bool:
    """Did this transport error happen before any byte of the request was sent?"""
    import requests
    from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError, ProxyError

    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.SSLError):  # certificate and handshake failures come first
        text = str(exc).lower()
        return "certificate" in text or "handshake" in text or "wrong version number" in text
    reason: Any = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)  # MaxRetryError wraps the cause
    if isinstance(reason, ProxyError):  # the proxy itself could not be reached
        reason = reason.original_error
    return isinstance(reason, (NewConnectionError, NameResolutionError, ConnectTimeoutError))


def new_session() -> Any:
    """A session with urllib3's own retries off: we decide what may be retried."""
    import requests
    from requests.adapters import HTTPAdapter

    session = requests.Session()
    adapter = HTTPAdapter(max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
