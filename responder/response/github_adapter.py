"""The GitHub adapter (PyGithub): repository checks, Actions secrets, issues.

PyGithub's own retries are off: it retries POSTs on 5xx, which can open an issue twice.
Here GET, PUT and DELETE (idempotent) are retried on 5xx, network faults and secondary
rate limits, a bounded number of times; creating an issue is never blindly retried; the
caller looks for it first (see ``open_issue``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote

from responder.core.urls import is_loopback_url

T = TypeVar("T")
DEFAULT_SECRET_NAME = "QUESTIONPRO_API_KEY"  # noqa: S105 - the secret's name
MAX_ATTEMPTS = 3
MAX_WAIT = 60.0

DEFAULT_TOKEN_HELP = (  # advice about tokens, not a token
    "the workflow's default GITHUB_TOKEN cannot read or write Actions secrets. Create a "  # noqa: S105
    "fine-grained personal access token (or a GitHub App token) with 'Secrets: read and write' "
    "on this repository (organization secrets: 'Organization secrets: write') and pass it as "
    "QP_RESPONDER_SECRETS_TOKEN (the action's secrets-token input)"
)


class GitHubError(Exception):
    """A GitHub call failed; ``kind`` says how, the message is safe to show."""

    def __init__(self, kind: str, message: str, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.kind = kind  # auth, forbidden, not-found, rate-limited, server, network, invalid
        self.status = status
        self.retry_after = retry_after  # seconds GitHub asked us to wait, when it said

    @property
    def retryable(self) -> bool:
        return self.kind in ("server", "network", "rate-limited")


@dataclass(frozen=True)
class SecretTarget:
    """Where the new key goes: a repository, environment or organization secret, for
    Actions or Dependabot."""

    repo: str
    name: str = DEFAULT_SECRET_NAME
    app: str = "actions"  # or "dependabot"
    environment: str | None = None
    org: str | None = None

    @property
    def scope(self) -> str:
        return "organization" if self.org else "environment" if self.environment else "repository"

    def describe(self) -> str:
        where = {
            "organization": f"organization {self.org}",
            "environment": f"environment {self.environment} of {self.repo}",
            "repository": f"repository {self.repo}",
        }[self.scope]
        return f"{self.app.capitalize()} secret {self.name} ({where})"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SecretTarget:
        return cls(
            str(data["repo"]),
            str(data["name"]),
            str(data.get("app") or "actions"),
            data.get("environment"),
            data.get("org"),
        )


@dataclass(frozen=True)
class PublicKey:
    key_id: str
    key: str


@dataclass(frozen=True)
class RepoInfo:
    id: int
    full_name: str
    html_url: str
    has_issues: bool


def web_url(api_url: str) -> str:
    """https://api.github.com -> https://github.com; GHES https://h/api/v3 -> https://h."""
    api_url = api_url.rstrip("/")
    if api_url == "https://api.github.com":
        return "https://github.com"
    if api_url.endswith("/api/v3"):
        return api_url[: -len("/api/v3")]
    return os.environ.get("GITHUB_SERVER_URL", api_url)


def _translate(exc: Exception, what: str) -> GitHubError:
    from github import GithubException

    if isinstance(exc, GithubException):
        status = exc.status
        data = exc.data if isinstance(exc.data, dict) else {}
        message = str(data.get("message") or "")[:200]
        headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
        detail = f"{what}: HTTP {status}" + (f" ({message})" if message else "")
        if status == 401:
            return GitHubError("auth", f"{detail}: the token is invalid or expired", status)
        if status in (403, 429) and (
            "retry-after" in headers or "rate limit" in message.lower() or headers.get("x-ratelimit-remaining") == "0"
        ):
            try:
                wait: float | None = float(headers["retry-after"])
            except (KeyError, ValueError):
                wait = None
            return GitHubError("rate-limited", detail, status, retry_after=wait)
        if status == 403:
            return GitHubError("forbidden", detail, status)
        if status == 404:
            return GitHubError("not-found", f"{detail}: not found, or the token cannot see it", status)
        if status >= 500:
            return GitHubError("server", detail, status)
        return GitHubError("invalid", detail, status)
    return GitHubError("network", f"{what}: {type(exc).__name__} (network)")


@dataclass
class GitHubAdapter:
    token: str
    api_url: str = "https://api.github.com"
    timeout: float = 30.0
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        from github import Auth, Github

        # PyGithub spaces requests out (0.25 s, 1 s between writes) to stay clear of GitHub's
        # secondary rate limits; a loopback endpoint (tests, a local proxy) is not GitHub.
        polite = not is_loopback_url(self.api_url)
        self._gh = Github(
            auth=Auth.Token(self.token),
            base_url=self.api_url.rstrip("/"),
            timeout=int(self.timeout),
            retry=None,
            per_page=100,
            seconds_between_requests=0.25 if polite else 0.0,
            seconds_between_writes=1.0 if polite else 0.0,
        )

    # -- plumbing -------------------------------------------------------------------------
    def _call(self, what: str, fn: Callable[[], T], *, idempotent: bool = True) -> T:
        from github import GithubException
        from requests.exceptions import RequestException

        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return fn()
            except (GithubException, RequestException) as exc:
                error = _translate(exc, what)
                if not (idempotent and error.retryable) or attempt == MAX_ATTEMPTS:
                    raise error from None
                wait = error.retry_after
                self.sleep(min(MAX_WAIT, max(0.0, wait)) if wait is not None else float(attempt))
        raise AssertionError("unreachable")

    def _request(self, verb: str, path: str, body: dict[str, Any] | None = None) -> Any:
        url = self.api_url.rstrip("/") + path
        _headers, data = self._gh.requester.requestJsonAndCheck(verb, url, input=body)
        return data

    @staticmethod
    def _secrets_path(target: SecretTarget) -> str:
        if target.org:
            return f"/orgs/{quote(target.org, safe='')}/{target.app}/secrets"
        if target.environment:
            return f"/repos/{target.repo}/environments/{quote(target.environment, safe='')}/secrets"
        return f"/repos/{target.repo}/{target.app}/secrets"

    # -- repository -----------------------------------------------------------------------
    def repository(self, full_name: str) -> RepoInfo:
        repo = self._call(f"read repository {full_name}", lambda: self._gh.get_repo(full_name))
        return RepoInfo(int(repo.id), repo.full_name, repo.html_url, bool(repo.has_issues))

    def branch_protected(self, repo: str, branch: str) -> bool:
        return bool(
            self._call(
                f"read branch {branch} of {repo}",
                lambda: self._gh.withLazy(True).get_repo(repo).get_branch(branch).protected,
            )
        )

    # -- secrets --------------------------------------------------------------------------
    def public_key(self, target: SecretTarget) -> PublicKey:
        data = self._call(
            f"read the public key for the {target.describe()}",
            lambda: self._request("GET", self._secrets_path(target) + "/public-key"),
        )
        if not isinstance(data, dict) or not data.get("key_id") or not data.get("key"):
            raise GitHubError("invalid", "GitHub returned a public key without key_id/key")
        return PublicKey(str(data["key_id"]), str(data["key"]))

    def put_sealed(self, target: SecretTarget, key_id: str, encrypted_value: str, repo_id: int | None = None) -> None:
        body: dict[str, Any] = {"encrypted_value": encrypted_value, "key_id": key_id}
        path = f"{self._secrets_path(target)}/{quote(target.name, safe='')}"
        if target.org:
            body.update(self._org_visibility(target, path, repo_id))
        self._call(f"write the {target.describe()}", lambda: self._request("PUT", path, body))

    def _org_visibility(self, target: SecretTarget, path: str, repo_id: int | None) -> dict[str, Any]:
        """Keep an existing organization secret's visibility; a new one is visible to the
        leaking repository only."""
        try:
            current = self._call(f"read the {target.describe()}", lambda: self._request("GET", path))
            return {"visibility": current.get("visibility", "private")} if isinstance(current, dict) else {}
        except GitHubError as exc:
            if exc.kind != "not-found":
                raise
        ids = [repo_id] if repo_id is not None else []
        if target.app == "dependabot":
            return {"visibility": "selected", "selected_repository_ids": [str(i) for i in ids]}
        return {"visibility": "selected", "selected_repository_ids": ids}

    def delete_secret(self, target: SecretTarget) -> None:
        path = f"{self._secrets_path(target)}/{quote(target.name, safe='')}"
        self._call(f"delete the {target.describe()}", lambda: self._request("DELETE", path))

    # -- issues ---------------------------------------------------------------------------
    def find_issue(self, repo: str, marker: str, since: datetime) -> str | None:
        def search() -> str | None:
            for issue in self._gh.withLazy(True).get_repo(repo).get_issues(state="all", since=since):
                if marker in (issue.body or ""):
                    return str(issue.html_url)
            return None

        return self._call(f"list issues of {repo}", search)

    def create_issue(self, repo: str, title: str, body: str, labels: list[str]) -> str:
        issue = self._call(
            f"open an issue in {repo}",
            lambda: self._gh.withLazy(True).get_repo(repo).create_issue(title=title, body=body, labels=labels),
            idempotent=False,
        )
        return str(issue.html_url)

    def open_issue(self, repo: str, title: str, body: str, labels: list[str], marker: str, since: datetime) -> str:
        """Create the issue unless one carrying ``marker`` exists. After an ambiguous
        failure (5xx, network) look again before trying again: never a duplicate."""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            existing = self.find_issue(repo, marker, since)
            if existing:
                return existing
            try:
                return self.create_issue(repo, title, body, labels)
            except GitHubError as exc:
                if not exc.retryable or attempt == MAX_ATTEMPTS:
                    raise
                self.sleep(float(attempt))
        raise AssertionError("unreachable")
