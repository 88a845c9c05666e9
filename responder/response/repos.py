"""An organization's or a user's repositories (GitHub REST, paginated by Link headers) and
the GitHub Actions matrix that sweeps them, sharded to stay inside a matrix's job limit.

``GET /orgs/{org}/repos`` lists every repository the token can see in the organization;
``GET /users/{username}/repos`` lists a user's public repositories (GitHub's documented
behaviour). Archived repositories and forks are left out unless asked for.
"""

from __future__ import annotations

import enum
import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from responder.response.github_adapter import GitHubAdapter, GitHubError

MATRIX_LIMIT = 256  # jobs one matrix may generate (GitHub Actions)
MAX_PAGES = 2000  # 200,000 repositories at 100 a page: a server that never stops is a fault
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


class OwnerKind(enum.Enum):
    ORG = "orgs"
    USER = "users"


@dataclass(frozen=True)
class Listed:
    full_name: str
    archived: bool
    fork: bool


class ShardError(ValueError):
    """The repositories do not fit the matrix as asked; the message says what would."""


def next_link(link_header: str | None) -> str | None:
    """The ``rel="next"`` URL of a Link header, if any."""
    found = _NEXT.search(link_header or "")
    return found.group(1) if found else None


def _page(github: GitHubAdapter, url: str, params: dict[str, Any] | None) -> tuple[list[Any], str | None]:
    requester = github._gh.requester  # the adapter's transport: its auth, timeout and errors
    headers, data = requester.requestJsonAndCheck("GET", url, parameters=params)
    if not isinstance(data, list):
        raise GitHubError("invalid", f"listing repositories: expected a JSON array from {url.split('?')[0]}")
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    return data, next_link(lowered.get("link"))


def list_repositories(
    github: GitHubAdapter, kind: OwnerKind, owner: str, *, include_archived: bool, include_forks: bool
) -> list[Listed]:
    """Every repository of ``owner``, following pagination; raises GitHubError."""
    if not re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})", owner):
        raise GitHubError("invalid", f"not a GitHub {kind.name.lower()} name: {owner[:60]!r}")
    base = github.api_url.rstrip("/")
    url: str | None = f"{base}/{kind.value}/{quote(owner, safe='')}/repos"
    params: dict[str, Any] | None = {"type": "all" if kind is OwnerKind.ORG else "owner", "per_page": 100}
    found: list[Listed] = []
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        if url is None:
            break
        if url in seen or not url.startswith(base + "/"):
            raise GitHubError(
                "invalid", "listing repositories: the server's next page link is not a new page of this API"
            )
        seen.add(url)
        data, url = github._call(f"list repositories of {owner}", functools.partial(_page, github, url, params))
        params = None  # the next link carries its own query
        for item in data:
            if isinstance(item, dict) and isinstance(item.get("full_name"), str):
                found.append(Listed(item["full_name"], bool(item.get("archived")), bool(item.get("fork"))))
    else:
        raise GitHubError("invalid", f"listing repositories: more than {MAX_PAGES} pages")
    return sorted(
        (r for r in dict.fromkeys(found) if (include_archived or not r.archived) and (include_forks or not r.fork)),
        key=lambda r: r.full_name.lower(),
    )


def shard(names: Sequence[str], shard_size: int | None = None, limit: int = MATRIX_LIMIT) -> list[list[str]]:
    """Split ``names`` into at most ``limit`` groups: of ``shard_size`` each when given,
    else as small as the limit allows (one repository a job up to ``limit`` of them)."""
    if not names:
        return []
    size = shard_size or math.ceil(len(names) / limit)
    if size < 1:
        raise ShardError("--shard-size must be at least 1")
    jobs = math.ceil(len(names) / size)
    if jobs > limit:
        need = math.ceil(len(names) / limit)
        raise ShardError(
            f"{len(names)} repositories at {size} per job make {jobs} jobs; a matrix allows {limit}: "
            f"use --shard-size {need} or more"
        )
    return [list(names[i : i + size]) for i in range(0, len(names), size)]


def matrix(shards: Sequence[Sequence[str]]) -> dict[str, Any]:
    """The value for ``strategy.matrix: ${{ fromJSON(...) }}``."""
    total = len(shards)
    return {"include": [{"shard": f"{n}-of-{total}", "repositories": list(group)} for n, group in enumerate(shards, 1)]}
