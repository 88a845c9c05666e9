"""The GitHub adapter (PyGithub): repository checks, Actions secrets, issues.

PyGithub's own retries are off: it retries POSTs on 5xx, which can open an issue twice.
Here GET, PUT and DELETE (idempotent) are retried on 5xx, network faults and rate limits,
waiting as long as GitHub asks (see ``github_errors``) within a total cap, saying so on
stderr; creating an issue is never blindly retried: the caller looks for it first (see
``open_issue``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

from responder.core import console
from responder.core.urls import is_loopback_url
from responder.response.github_errors import MAX_TOTAL_WAIT, ErrorKind, GitHubError, translate, wait_for

__all__ = ["DEFAULT_SECRET_NAME", "DEFAULT_TOKEN_HELP", "GitHubAdapter", "GitHubError", "SecretTarget", "web_url"]

T = TypeVar("T")
DEFAULT_SECRET_NAME = "QUESTIONPRO_API_KEY"  # noqa: S105 - the secret's name
MAX_ATTEMPTS = 3

DEFAULT_TOKEN_HELP = (  # advice about tokens, not a token
    "the workflow's default GITHUB_TOKEN cannot read or write Actions secrets (nor Dependabot secrets). Create a "  # noqa: S105
    "fine-grained personal access token with 'Secrets: read and write' on this repository "
    "(Dependabot secrets: 'Dependabot secrets: read and write'; organization secrets: "
    "'Organization secrets: read and write'), or a GitHub App token with the secrets permission "
    "(Dependabot secrets: the dependabot_secrets permission; organization secrets: "
    "organization_secrets), and pass it as QP_RESPONDER_SECRETS_TOKEN (the action's secrets-token input)"
)

# Rules that decide what reaches a branch (review, checks, deployments, the merge queue,
# bypass-only pushes) or keep what was pushed from being rewritten (no force pushes: what
# classic protection does by default). Rules about names, creation, deletion, commit metadata
# or file contents do not make pushing to the branch a controlled act.
PROTECTING_RULES = frozenset(
    {"pull_request", "required_status_checks", "update", "merge_queue", "non_fast_forward", "required_deployments"}
)


@dataclass(frozen=True)
class SecretTarget:
    """Where the new key goes: a repository, environment or organization secret, for
    Actions or Dependabot. ``include_repo``: an existing organization secret with visibility
    ``selected`` is also made available to ``repo`` (otherwise its repositories are kept)."""

    repo: str
    name: str = DEFAULT_SECRET_NAME
    app: str = "actions"  # or "dependabot"
    environment: str | None = None
    org: str | None = None
    include_repo: bool = False

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
            data.get("include_repo") is True,
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


@dataclass(frozen=True)
class BranchProtection:
    """Whether pushes to a branch are controlled, and what GitHub said (for the summary)."""

    protected: bool
    found: str


def web_url(api_url: str) -> str:
    """The web address for links: GITHUB_SERVER_URL when the runner sets it, else derived from
    the API: https://api.github.com -> https://github.com, data residency
    https://api.X.ghe.com -> https://X.ghe.com, GHES https://h/api/v3 -> https://h."""
    server = os.environ.get("GITHUB_SERVER_URL", "").rstrip("/")
    if server:
        return server
    api_url = api_url.rstrip("/")
    parts = urlsplit(api_url)
    host = parts.hostname or ""
    if host == "api.github.com" or (host.startswith("api.") and host.endswith(".ghe.com")):
        return f"{parts.scheme}://{parts.netloc[len('api.') :]}"
    if api_url.endswith("/api/v3"):
        return api_url[: -len("/api/v3")]
    return api_url


@dataclass
class GitHubAdapter:
    token: str
    api_url: str = "https://api.github.com"
    timeout: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    notify: Callable[[str], None] = console.note
    max_total_wait: float = MAX_TOTAL_WAIT
    _gh: Any = field(init=False, repr=False)

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

        waited = 0.0
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return fn()
            except (GithubException, RequestException, ValueError, RuntimeError) as exc:
                error = translate(exc, what)
                if not (idempotent and error.retryable) or attempt == MAX_ATTEMPTS:
                    raise error from None
                waited += self._wait(error, attempt, waited, what)
        raise AssertionError("unreachable")

    def _wait(self, error: GitHubError, attempt: int, waited: float, what: str) -> float:
        """Sleep as long as GitHub asks, within the cap; beyond it, fail now and say when."""
        wait = wait_for(error, attempt, self.clock())
        if waited + wait.seconds > self.max_total_wait:
            raise GitHubError(
                error.kind,
                f"{error}: GitHub asks to wait {wait.seconds:.0f} s ({wait.reason}), longer than "
                f"qp-responder waits ({self.max_total_wait:.0f} s in all); try again after that",
                error.status,
                error.retry_after,
                error.reset_at,
            ) from None
        self.notify(f"GitHub: {what}: {wait.reason}; waiting {wait.seconds:.0f} s before trying again")
        self.sleep(wait.seconds)
        return wait.seconds

    def _request(self, verb: str, path: str, body: dict[str, Any] | None = None) -> Any:
        url = path if path.startswith(("http://", "https://")) else self.api_url.rstrip("/") + path
        _headers, data = self._gh.requester.requestJsonAndCheck(verb, url, input=body)
        return data

    def _pages(self, what: str, path: str, key: str | None = None) -> Iterator[Any]:
        """Every item of a paginated GET, page by page (``Link: rel="next"``)."""
        url: str | None = self.api_url.rstrip("/") + path + ("&" if "?" in path else "?") + "per_page=100"
        while url:
            page_url = url

            def get(page_url: str = page_url) -> tuple[dict[str, Any], Any]:
                headers, data = self._gh.requester.requestJsonAndCheck("GET", page_url)
                return headers, data

            headers, data = self._call(what, get)
            items = data.get(key) if key and isinstance(data, dict) else data
            if not isinstance(items, list):
                raise GitHubError(ErrorKind.INVALID, f"{what}: GitHub's reply is not a list")
            yield from items
            url = _next_link(str({k.lower(): v for k, v in headers.items()}.get("link") or ""))

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

    def branch_protection(self, repo: str, branch: str) -> BranchProtection:
        """The rules that apply to ``branch`` (rulesets), then classic branch protection.
        ``protected`` on "get a branch" alone is also true for rulesets that only restrict
        names, so it is never the answer by itself."""
        encoded = quote(branch, safe="")
        rules: list[str] = []
        try:
            for rule in self._pages(f"read the rules of branch {branch}", f"/repos/{repo}/rules/branches/{encoded}"):
                if isinstance(rule, dict) and isinstance(rule.get("type"), str):
                    rules.append(rule["type"])
        except GitHubError as exc:
            if exc.kind is not ErrorKind.NOT_FOUND:  # (a GitHub Enterprise Server without rulesets)
                raise
        gating = sorted(set(rules) & PROTECTING_RULES)
        if gating:
            return BranchProtection(True, f"rulesets require {', '.join(gating)}")
        others = f"rulesets apply only {', '.join(sorted(set(rules)))}" if rules else "no ruleset applies"
        classic = self._classic_protection(repo, branch, encoded)
        if classic is None:
            return BranchProtection(False, f"{others}; no classic branch protection")
        return BranchProtection(True, f"classic branch protection ({classic}); {others}")

    def _classic_protection(self, repo: str, branch: str, encoded: str) -> str | None:
        path = f"/repos/{repo}/branches/{encoded}"
        try:
            self._call(f"read the protection of branch {branch}", lambda: self._request("GET", path + "/protection"))
            return "read from the branch's protection"
        except GitHubError as exc:
            if exc.kind is ErrorKind.NOT_FOUND and "not protected" in str(exc).lower():  # "Branch not protected"
                return None
            if exc.kind not in (ErrorKind.FORBIDDEN, ErrorKind.NOT_FOUND):
                raise
        # Reading protection needs administration access (without it GitHub answers 403, or
        # 404 "Not Found" where it hides the resource); the branch's summary says whether
        # classic protection is on.
        data = self._call(f"read branch {branch} of {repo}", lambda: self._request("GET", path))
        protection = data.get("protection") if isinstance(data, dict) else None
        enabled = isinstance(protection, dict) and protection.get("enabled") is True
        return "from the branch's summary" if enabled else None

    # -- secrets --------------------------------------------------------------------------
    def public_key(self, target: SecretTarget) -> PublicKey:
        data = self._call(
            f"read the public key for the {target.describe()}",
            lambda: self._request("GET", self._secrets_path(target) + "/public-key"),
        )
        if not isinstance(data, dict) or not data.get("key_id") or not data.get("key"):
            raise GitHubError(ErrorKind.INVALID, "GitHub returned a public key without key_id/key")
        return PublicKey(str(data["key_id"]), str(data["key"]))

    def put_sealed(self, target: SecretTarget, key_id: str, encrypted_value: str, repo_id: int | None = None) -> None:
        body: dict[str, Any] = {"encrypted_value": encrypted_value, "key_id": key_id}
        path = f"{self._secrets_path(target)}/{quote(target.name, safe='')}"
        if target.org:
            body.update(self._org_visibility(target, path, repo_id))
        self._call(f"write the {target.describe()}", lambda: self._request("PUT", path, body))

    def _org_visibility(self, target: SecretTarget, path: str, repo_id: int | None) -> dict[str, Any]:
        """An existing organization secret keeps its visibility and, when ``selected``, its
        repositories (a PUT without ids would leave it visible to none); ``include_repo`` adds
        the leaking repository. A new one is visible to the leaking repository only."""
        try:
            current = self._call(f"read the {target.describe()}", lambda: self._request("GET", path))
        except GitHubError as exc:
            if exc.kind is not ErrorKind.NOT_FOUND:
                raise
            current = None
        if not isinstance(current, dict):
            return self._selected(target, [repo_id] if repo_id is not None else [])
        visibility = current.get("visibility")
        if visibility not in ("all", "private", "selected"):
            raise GitHubError(ErrorKind.INVALID, f"GitHub returned the {target.describe()} without a visibility")
        if visibility != "selected":
            return {"visibility": visibility}
        ids = [
            int(repo["id"])
            for repo in self._pages(
                f"list the repositories of the {target.describe()}", path + "/repositories", "repositories"
            )
            if isinstance(repo, dict) and isinstance(repo.get("id"), int)
        ]
        if repo_id is not None and repo_id not in ids:
            if target.include_repo:
                ids.append(repo_id)
            else:
                self.notify(
                    f"the {target.describe()} is visible to {len(ids)} selected repositories, not to "
                    f"{target.repo}; kept as it is (--org-include-repo adds {target.repo})"
                )
        return self._selected(target, ids)

    @staticmethod
    def _selected(target: SecretTarget, ids: list[int]) -> dict[str, Any]:
        if target.app == "dependabot":  # the Dependabot API takes the ids as strings too
            return {"visibility": "selected", "selected_repository_ids": [str(i) for i in ids]}
        return {"visibility": "selected", "selected_repository_ids": ids}

    def secret_updated_at(self, target: SecretTarget) -> float | None:
        """When the secret was last written (GitHub's ``updated_at``, as epoch seconds), or
        None when it does not exist."""
        path = f"{self._secrets_path(target)}/{quote(target.name, safe='')}"
        try:
            data = self._call(f"read the {target.describe()}", lambda: self._request("GET", path))
        except GitHubError as exc:
            if exc.kind is ErrorKind.NOT_FOUND:
                return None
            raise
        value = data.get("updated_at") if isinstance(data, dict) else None
        try:
            return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
        except ValueError:
            raise GitHubError(
                ErrorKind.INVALID, f"GitHub described the {target.describe()} without a valid updated_at"
            ) from None

    def delete_secret(self, target: SecretTarget) -> None:
        path = f"{self._secrets_path(target)}/{quote(target.name, safe='')}"
        self._call(f"delete the {target.describe()}", lambda: self._request("DELETE", path))

    # -- issues ---------------------------------------------------------------------------
    def find_issue(self, repo: str, marker: str, since: datetime) -> str | None:
        """An issue (never a pull request: anyone may open one) carrying ``marker``."""
        stamp = since.strftime("%Y-%m-%dT%H:%M:%SZ") if since.tzinfo is None else since.isoformat()
        path = f"/repos/{repo}/issues?state=all&since={quote(stamp, safe='')}"
        for issue in self._pages(f"list issues of {repo}", path):
            if not isinstance(issue, dict) or "pull_request" in issue:
                continue
            if marker in str(issue.get("body") or ""):
                return str(issue.get("html_url"))
        return None

    def create_issue(self, repo: str, title: str, body: str, labels: list[str]) -> str:
        data = self._call(
            f"open an issue in {repo}",
            lambda: self._request("POST", f"/repos/{repo}/issues", {"title": title, "body": body, "labels": labels}),
            idempotent=False,
        )
        if not isinstance(data, dict) or not data.get("html_url"):
            raise GitHubError(ErrorKind.INVALID, f"open an issue in {repo}: GitHub's reply has no html_url")
        applied = {str(label.get("name")) for label in data.get("labels") or [] if isinstance(label, dict)}
        if labels and not set(labels) <= applied:
            self.notify(
                f"the issue's labels were not applied (GitHub drops them for a token without push access to {repo})"
            )
        return str(data["html_url"])

    def open_issue(self, repo: str, title: str, body: str, labels: list[str], marker: str, since: datetime) -> str:
        """Create the issue unless one carrying ``marker`` exists. After an ambiguous
        failure (5xx, network) look again before trying again: never a duplicate."""
        waited = 0.0
        for attempt in range(1, MAX_ATTEMPTS + 1):
            existing = self.find_issue(repo, marker, since)
            if existing:
                return existing
            try:
                return self.create_issue(repo, title, body, labels)
            except GitHubError as exc:
                if not exc.retryable or attempt == MAX_ATTEMPTS:
                    raise
                waited += self._wait(exc, attempt, waited, f"open an issue in {repo}")
        raise AssertionError("unreachable")


def _next_link(link: str) -> str | None:
    for part in link.split(","):
        url, _, params = part.partition(";")
        if 'rel="next"' in params.replace(" ", ""):
            return url.strip().strip("<>")
    return None
