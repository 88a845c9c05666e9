"""GitHub's failures in the project's terms, and how long GitHub asks a client to wait.

GitHub's REST guidance: after a primary rate limit (``x-ratelimit-remaining: 0``) wait until
``x-ratelimit-reset``; after a secondary limit wait ``Retry-After`` seconds, or at least a
minute when it is absent, and longer each time; a client that keeps retrying sooner may be
banned. This matches PyGithub's ``GithubRetry`` (reset + 1 s, 60 s for secondary limits, a cap
that raises instead of waiting), but with the clock and sleep injected and per-call control:
an issue is never created twice by a blind retry.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

SECONDARY_WAIT = 60.0  # GitHub: "wait at least one minute" without Retry-After
MAX_TOTAL_WAIT = 300.0  # all waiting of one call; longer asks fail at once, saying when to retry


class ErrorKind(str, enum.Enum):
    """How a GitHub call failed."""

    AUTH = "auth"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not-found"
    RATE_LIMITED = "rate-limited"
    SERVER = "server"
    NETWORK = "network"
    INVALID = "invalid"


class GitHubError(Exception):
    """A GitHub call failed; ``kind`` says how, the message is safe to show."""

    def __init__(
        self,
        kind: ErrorKind | str,
        message: str,
        status: int | None = None,
        retry_after: float | None = None,
        reset_at: float | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = ErrorKind(kind)
        self.status = status
        self.retry_after = retry_after  # seconds GitHub asked us to wait (Retry-After), when it said
        self.reset_at = reset_at  # epoch seconds of x-ratelimit-reset, for a primary rate limit

    @property
    def retryable(self) -> bool:
        return self.kind in (ErrorKind.SERVER, ErrorKind.NETWORK, ErrorKind.RATE_LIMITED)


@dataclass(frozen=True)
class Wait:
    seconds: float
    reason: str


def wait_for(error: GitHubError, attempt: int, now: float) -> Wait:
    """How long to wait before attempt ``attempt + 1`` after ``error`` (a retryable one)."""
    if error.kind is ErrorKind.RATE_LIMITED:
        if error.retry_after is not None:
            return Wait(max(0.0, error.retry_after), f"rate limited (HTTP {error.status}, Retry-After)")
        if error.reset_at is not None:
            return Wait(max(0.0, error.reset_at - now) + 1.0, "primary rate limit: waiting for x-ratelimit-reset")
        return Wait(SECONDARY_WAIT * 2 ** (attempt - 1), "secondary rate limit without Retry-After")
    return Wait(float(2 ** (attempt - 1)), f"{error.kind.value} error")


def translate(exc: Exception, what: str) -> GitHubError:
    """A PyGithub/requests failure as a GitHubError whose message holds no request data."""
    from github import GithubException
    from github.Requester import Requester

    if not isinstance(exc, GithubException):
        if isinstance(exc, (ValueError, RuntimeError)):  # a truncated JSON body, a redirect loop
            return GitHubError(ErrorKind.INVALID, f"{what}: an unexpected reply from GitHub ({type(exc).__name__})")
        return GitHubError(ErrorKind.NETWORK, f"{what}: {type(exc).__name__} (network)")
    status = exc.status
    data = exc.data if isinstance(exc.data, dict) else {}
    message = str(data.get("message") or "")[:200]
    headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
    detail = f"{what}: HTTP {status}" + (f" ({message})" if message else "")
    if status == 401:
        return GitHubError(ErrorKind.AUTH, f"{detail}: the token is invalid or expired", status)
    primary = headers.get("x-ratelimit-remaining") == "0" or Requester.isPrimaryRateLimitError(message)
    limited = "retry-after" in headers or primary or Requester.isRateLimitError(message)
    if status == 429 or (status == 403 and limited):  # 429 is always "too many requests"
        retry_after = _number(headers.get("retry-after"))
        reset = _number(headers.get("x-ratelimit-reset")) if primary else None
        return GitHubError(ErrorKind.RATE_LIMITED, detail, status, retry_after=retry_after, reset_at=reset)
    if status == 403:
        return GitHubError(ErrorKind.FORBIDDEN, detail, status)
    if status == 404:
        return GitHubError(ErrorKind.NOT_FOUND, f"{detail}: not found, or the token cannot see it", status)
    if status >= 500:
        return GitHubError(ErrorKind.SERVER, detail, status)
    return GitHubError(ErrorKind.INVALID, detail, status)


def _number(value: str | None) -> float | None:
    try:
        return None if value is None else float(value)
    except ValueError:
        return None
