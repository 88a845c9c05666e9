"""A local GitHub REST API on 127.0.0.1 that follows GitHub's REST description.

Routes are the description's own path templates (tests/github_rest/operations.json), matched
on the still-encoded path, so a branch ``feature/x`` must arrive as ``feature%2Fx``. Every
request is checked against the operation (query parameters, request body: a body GitHub would
refuse gets its 422) and every answer too: an answer that does not follow the description is
recorded in ``violations`` and sent as a 500, so no test can pass on a reply GitHub never gives.

Behaviour modelled on GitHub's: a DELETE of a missing secret is 404; organization secrets carry
``visibility``, ``selected_repositories_url`` and timestamps, and a PUT with visibility
``selected`` and no ids leaves no repository selected; issue listing honours ``state`` (default
open), ``since``, ``per_page``/``page`` with ``Link`` headers, and includes pull requests;
labels are silently dropped for a token without push access; branch rules and classic branch
protection are separate (``rules``, ``protected_branches``).

Tokens carry permissions: "issues", "secrets", "org" (organization secrets), "admin" (may read
classic branch protection), "no-push" (labels dropped), "integration" (403 wording of the
workflow's default token). ``faults[(METHOD, route)]`` scripts answers, one per request; the
helpers ``secondary_limit`` and ``primary_limit`` build GitHub's rate-limit answers.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from nacl.public import PrivateKey, SealedBox

from tests import rest_description
from tests.loopback import LoopbackServer

INTEGRATION = "Resource not accessible by integration"
DOCS = "https://docs.github.com/rest"
SECONDARY_MESSAGE = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."

# (route name used by ``faults``, the description's path template, permission needed)
ROUTES: list[tuple[str, str, str | None]] = [
    ("repo", "/repos/{owner}/{repo}", None),
    ("branch", "/repos/{owner}/{repo}/branches/{branch}", None),
    ("protection", "/repos/{owner}/{repo}/branches/{branch}/protection", "admin"),
    ("rules", "/repos/{owner}/{repo}/rules/branches/{branch}", None),
    ("issues", "/repos/{owner}/{repo}/issues", "issues"),
    ("public_key", "/repos/{owner}/{repo}/actions/secrets/public-key", "secrets"),
    ("public_key", "/repos/{owner}/{repo}/dependabot/secrets/public-key", "secrets"),
    ("public_key", "/repos/{owner}/{repo}/environments/{environment_name}/secrets/public-key", "secrets"),
    ("public_key", "/orgs/{org}/actions/secrets/public-key", "org"),
    ("public_key", "/orgs/{org}/dependabot/secrets/public-key", "org"),
    ("secret", "/repos/{owner}/{repo}/actions/secrets/{secret_name}", "secrets"),
    ("secret", "/repos/{owner}/{repo}/dependabot/secrets/{secret_name}", "secrets"),
    ("secret", "/repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}", "secrets"),
    ("secret", "/orgs/{org}/actions/secrets/{secret_name}", "org"),
    ("secret", "/orgs/{org}/dependabot/secrets/{secret_name}", "org"),
    ("selected_repos", "/orgs/{org}/actions/secrets/{secret_name}/repositories", "org"),
    ("selected_repos", "/orgs/{org}/dependabot/secrets/{secret_name}/repositories", "org"),
    ("list_repos", "/orgs/{org}/repos", None),
    ("list_repos", "/users/{username}/repos", None),
]
_NAME_OF = {template: name for name, template, _ in ROUTES}
_NEED_OF = {template: need for _, template, need in ROUTES}


@dataclass
class Fault:
    status: int
    message: str = "fault"
    headers: dict[str, str] = field(default_factory=dict)
    then_apply: bool = False  # do the work, then answer with the fault (a lost answer); always for 2xx
    drop: bool = False  # close the connection instead of answering (a network fault)
    raw: bytes | None = None  # a body that is not GitHub's JSON (a proxy's truncated page)


def dropped(*, then_apply: bool = False) -> Fault:
    """The connection closes with no answer: before the work, or after it (a lost answer)."""
    return Fault(0, "connection dropped", then_apply=then_apply, drop=True)


def secondary_limit(retry_after: str | None = None) -> Fault:
    """GitHub's secondary rate limit: 403 (or 429), with or without Retry-After."""
    return Fault(403, SECONDARY_MESSAGE, {"Retry-After": retry_after} if retry_after is not None else {})


def primary_limit(reset_in: float) -> Fault:
    reset = int(time.time() + reset_in)
    return Fault(
        403,
        "API rate limit exceeded for installation.",
        {"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)},
    )


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class FakeGitHub:
    repo: str = "octo/app"
    repo_id: int = 4242
    tokens: dict[str, set[str]] = field(default_factory=dict)
    environments: set[str] = field(default_factory=lambda: {"production"})
    has_issues: bool = True
    protected_branches: set[str] = field(default_factory=lambda: {"main"})  # classic protection
    rules: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # branch -> rules that apply
    faults: dict[tuple[str, str], list[Fault]] = field(default_factory=dict)
    secrets: dict[tuple[str, str], str] = field(default_factory=dict)  # (where, name) -> plaintext
    secret_times: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # created, updated
    org_visibility: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> visibility, ids
    org_repos: dict[int, str] = field(default_factory=dict)  # other repositories of the organization
    issues: list[dict[str, Any]] = field(default_factory=list)  # issues and pull requests
    log: list[tuple[str, str, str]] = field(default_factory=list)  # (method, raw path, body)
    violations: list[str] = field(default_factory=list)
    # GET /orgs/{org}/repos, /users/{username}/repos: "orgs/NAME" or "users/NAME" -> listed repositories
    listings: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.keys = {
            scope: PrivateKey.generate()
            for scope in ("repo-actions", "repo-dependabot", "org-actions", "org-dependabot", "env")
        }
        self.url = ""

    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: Any) -> None:
                pass

            def _any(self) -> None:
                fake.handle(self)

            do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = _any

        self.server = LoopbackServer(Handler)
        self.url = self.server.url
        return self.url

    def stop(self) -> None:
        """Stop serving; a test whose exchanges broke GitHub's description fails here."""
        self.server.stop()
        assert not self.violations, "the fake answered off GitHub's REST description:\n" + "\n".join(self.violations)

    # -- the exchange -----------------------------------------------------------------------
    def _send(
        self, h: BaseHTTPRequestHandler, status: int, data: Any = None, headers: dict[str, str] | None = None
    ) -> None:
        body = data if isinstance(data, bytes) else b"" if data is None else json.dumps(data).encode()
        h.send_response(status)
        if data is not None and not isinstance(data, bytes):
            h.send_header("Content-Type", "application/json; charset=utf-8")
        h.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        h.end_headers()
        h.wfile.write(body)

    def _fault_body(self, fault: Fault) -> Any:
        return fault.raw if fault.raw is not None else self.error(fault.message)

    @staticmethod
    def error(message: str) -> dict[str, Any]:
        return {"message": message, "documentation_url": DOCS}

    def _fail(self, h: BaseHTTPRequestHandler, fault: Fault) -> None:
        if fault.drop:
            h.close_connection = True
            h.connection.shutdown(socket.SHUT_RDWR)
        else:
            self._send(h, fault.status, self._fault_body(fault), fault.headers)

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        query = parse_qs(parts.query)
        raw = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        method = h.command
        with self.lock:
            self.log.append((method, parts.path, raw.decode("utf-8", "replace")))
        token = ((h.headers.get("Authorization") or "").split() or [""])[-1]
        perms = self.tokens.get(token)
        if perms is None:
            self._send(h, 401, self.error("Bad credentials"))
            return
        found = rest_description.match(method, parts.path, [t for _, t, _ in ROUTES])
        if found is None:
            self._send(h, 404, self.error("Not Found"))
            return
        template = found.operation.split(" ", 1)[1]
        route = _NAME_OF[template]
        with self.lock:
            queue = self.faults.get((method, route))
            fault = queue.pop(0) if queue else None
        if fault is not None and not fault.then_apply and (fault.drop or fault.status >= 300):  # a 2xx is work done
            self._fail(h, fault)
            return
        status, data, headers = self._answer(method, found, template, perms, query, raw)
        if fault is not None:
            self._fail(h, fault)
            return
        wrong = rest_description.response_problems(found.operation, status, data)
        if wrong:
            with self.lock:
                self.violations += [f"{found.operation} -> {status}: {w}" for w in wrong]
            status, data, headers = 500, self.error("fake violates the REST description"), {}
        self._send(h, status, data, headers)

    def _answer(
        self, method: str, found: rest_description.Match, template: str, perms: set[str], query: Any, raw: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        need = _NEED_OF[template]
        if template.endswith("/issues") and method == "GET":
            need = None  # anyone who can read the repository lists its issues
        if need and need not in perms:
            message = INTEGRATION if "integration" in perms else "Resource not accessible by personal access token"
            return 403, self.error(message), {}
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            return 400, self.error("Problems parsing JSON"), {}
        wrong = rest_description.request_problems(found.operation, query, body)
        if wrong:
            return 422, self.error("Invalid request.\n\n" + "; ".join(wrong)), {}
        args = dict(found.params)
        args["app"] = "dependabot" if "/dependabot/" in template else "actions"
        if "repo" in args and f"{args['owner']}/{args['repo']}" != self.repo:
            return 404, self.error("Not Found"), {}
        if "environment_name" in args and args["environment_name"] not in self.environments:
            return 404, self.error("Not Found"), {}
        handler = getattr(self, f"_{_NAME_OF[template]}")
        answer: tuple[int, Any, dict[str, str]] = handler(method, args, body or {}, query, perms)
        return answer

    # -- shapes -------------------------------------------------------------------------------
    def _user(self, login: str) -> dict[str, Any]:
        api = f"{self.url}/users/{login}"
        fields = ["events", "followers", "following", "gists", "organizations", "received_events"]
        fields += ["repos", "starred", "subscriptions"]
        return {
            "login": login,
            "id": 1,
            "node_id": "U_1",
            "avatar_url": "https://avatars.example/u/1",
            "gravatar_id": "",
            "url": api,
            "html_url": f"https://github.example/{login}",
            "type": "Organization",
            "site_admin": False,
            **{f"{f}_url": f"{api}/{f}" for f in fields},
        }

    def repo_json(self, listed: dict[str, Any] | None = None) -> dict[str, Any]:
        """The repository under test, or one of ``listings`` (full_name, archived, fork, private)."""
        full_name = listed["full_name"] if listed else self.repo
        owner, name = full_name.split("/")
        api = f"{self.url}/repos/{full_name}"
        links = "archive assignees blobs branches collaborators comments commits compare contents contributors "
        links += "deployments downloads events forks git_commits git_refs git_tags hooks issue_comment "
        links += "issue_events issues keys labels languages merges milestones notifications pulls releases "
        links += "stargazers statuses subscribers subscription tags teams trees"
        counts = "forks forks_count open_issues open_issues_count size stargazers_count watchers watchers_count "
        counts += "network_count subscribers_count"
        return {
            **{f"{link}_url": f"{api}/{link}" for link in links.split()},
            **{count: 0 for count in counts.split()},
            "id": listed["id"] if listed else self.repo_id,
            "node_id": "R_1",
            "name": name,
            "full_name": full_name,
            "owner": self._user(owner),
            "private": listed["private"] if listed else True,
            "description": None,
            "fork": listed["fork"] if listed else False,
            "url": api,
            "html_url": f"https://github.example/{full_name}",
            "clone_url": f"https://github.example/{full_name}.git",
            "git_url": f"git://github.example/{full_name}.git",
            "ssh_url": f"git@github.example:{full_name}.git",
            "svn_url": f"https://github.example/{full_name}",
            "mirror_url": None,
            "homepage": None,
            "language": None,
            "license": None,
            "default_branch": "main",
            "has_issues": self.has_issues,
            "has_projects": False,
            "has_wiki": False,
            "has_pages": False,
            "has_discussions": False,
            "archived": listed["archived"] if listed else False,
            "disabled": False,
            "pushed_at": "2026-01-01T00:00:00Z",
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z",
        }

    def issue_json(self, issue: dict[str, Any]) -> dict[str, Any]:
        number = issue["number"]
        api = f"{self.url}/repos/{self.repo}/issues/{number}"
        kind = "pull" if issue.get("pull_request") else "issues"
        extra = {"pull_request": {"url": f"{self.url}/repos/{self.repo}/pulls/{number}"}} if kind == "pull" else {}
        return {
            "id": 9000 + number,
            "node_id": f"I_{number}",
            "number": number,
            "title": issue["title"],
            "body": issue.get("body", ""),
            "state": issue.get("state", "open"),
            "locked": False,
            "labels": [{"id": i, "name": n, "url": f"{api}/labels/{n}"} for i, n in enumerate(issue["labels"])],
            "user": self._user("octocat"),
            "assignee": None,
            "milestone": None,
            "comments": 0,
            "closed_at": None,
            "created_at": issue["created_at"],
            "updated_at": issue["updated_at"],
            "url": api,
            "html_url": f"https://github.example/{self.repo}/{kind}/{number}",
            "repository_url": f"{self.url}/repos/{self.repo}",
            "comments_url": f"{api}/comments",
            "events_url": f"{api}/events",
            "labels_url": f"{api}/labels{{/name}}",
            **extra,
        }

    def add_issue(
        self, title: str, body: str, *, labels: list[str] | None = None, state: str = "open", pull: bool = False
    ) -> dict[str, Any]:
        now = _now()
        issue = {
            "number": len(self.issues) + 1,
            "title": title,
            "body": body,
            "labels": labels or [],
            "state": state,
            "pull_request": pull,
            "created_at": now,
            "updated_at": now,
        }
        self.issues.append(issue)
        return issue

    def public_key_of(self, scope: str) -> dict[str, str]:
        key = self.keys[scope]
        return {"key_id": f"kid-{scope}", "key": base64.b64encode(bytes(key.public_key)).decode()}

    def _page(self, items: list[Any], query: Any, path: str) -> tuple[list[Any], dict[str, str]]:
        per_page = min(100, int(query.get("per_page", ["30"])[0]))
        page = int(query.get("page", ["1"])[0])
        chunk = items[(page - 1) * per_page : page * per_page]
        if page * per_page >= len(items):
            return chunk, {}
        rest = {k: v[0] for k, v in query.items() if k != "page"}
        args = "&".join(f"{k}={quote(v, safe='')}" for k, v in rest.items())
        return chunk, {"Link": f'<{self.url}{path}?{args}&page={page + 1}>; rel="next"'}

    # -- handlers -------------------------------------------------------------------------------
    def _repo(self, method: str, args: dict[str, str], body: Any, query: Any, perms: set[str]) -> Any:
        return 200, self.repo_json(), {}

    def _branch(self, method: str, args: dict[str, str], body: Any, query: Any, perms: set[str]) -> Any:
        name, api = args["branch"], f"{self.url}/repos/{self.repo}/branches/{quote(args['branch'], safe='')}"
        classic = name in self.protected_branches
        sha = "0" * 40
        commit_api = f"{self.url}/repos/{self.repo}/commits/{sha}"
        commit = {
            "sha": sha,
            "node_id": "C_1",
            "url": commit_api,
            "html_url": f"https://github.example/{self.repo}/commit/{sha}",
            "comments_url": f"{commit_api}/comments",
            "commit": {},
            "author": None,
            "committer": None,
            "parents": [],
        }
        return (
            200,
            {
                "name": name,
                "commit": commit,
                "_links": {"html": f"https://github.example/{self.repo}/tree/{name}", "self": api},
                "protected": classic or bool(self.rules.get(name)),  # true for any ruleset, too
                "protection": {
                    "enabled": classic,
                    "required_status_checks": {"enforcement_level": "off", "contexts": []},
                },
                "protection_url": f"{api}/protection",
            },
            {},
        )

    def _protection(self, method: str, args: dict[str, str], body: Any, query: Any, perms: set[str]) -> Any:
        if args["branch"] not in self.protected_branches:
            return 404, self.error("Branch not protected"), {}
        api = f"{self.url}/repos/{self.repo}/branches/{quote(args['branch'], safe='')}/protection"
        return 200, {"url": api, "enabled": True, "allow_force_pushes": {"enabled": False}}, {}

    def _rules(self, method: str, args: dict[str, str], body: Any, query: Any, perms: set[str]) -> Any:
        path = f"/repos/{self.repo}/rules/branches/{quote(args['branch'], safe='')}"
        chunk, headers = self._page(self.rules.get(args["branch"], []), query, path)
        return 200, chunk, headers

    def _public_key(self, method: str, args: dict[str, str], body: Any, query: Any, perms: set[str]) -> Any:
        return 200, self.public_key_of(self._scope(args)), {}

    def _scope(self, args: dict[str, str]) -> str:
        if "org" in args:
            return f"org-{self._app(args)}"
        return "env" if "environment_name" in args else f"repo-{self._app(args)}"

    @staticmethod
    def _app(args: dict[str, str]) -> str:
        return args.get("app", "actions")

    def _where(self, args: dict[str, str]) -> str:
        if "org" in args:
            return f"org:{args['org']}:{self._app(args)}"
        return f"env:{args['environment_name']}" if "environment_name" in args else f"repo:{self._app(args)}"

    def _secret(self, method: str, args: dict[str, str], body: Any, query: Any, perms: set[str]) -> Any:
        where, name = self._where(args), args["secret_name"]
        key = (where, name)
        if method in ("GET", "DELETE") and key not in self.secrets:
            return 404, self.error("Not Found"), {}
        if method == "DELETE":
            del self.secrets[key]
            self.secret_times.pop(key, None)
            return 204, None, {}
        if method == "GET":
            return 200, self.secret_json(key, args), {}
        if "encrypted_value" not in body or "key_id" not in body:
            return 422, self.error("Invalid request: encrypted_value and key_id are required"), {}
        if body["key_id"] != self.public_key_of(self._scope(args))["key_id"]:
            return 422, self.error("Bad key_id"), {}
        try:
            plaintext = SealedBox(self.keys[self._scope(args)]).decrypt(base64.b64decode(body["encrypted_value"]))
        except Exception:  # noqa: BLE001
            return 422, self.error("Bad encrypted_value"), {}
        created = key not in self.secrets
        self.secrets[key] = plaintext.decode()
        now = _now()
        self.secret_times[key] = (self.secret_times.get(key, (now, now))[0], now)
        if "org" in args:
            visibility: dict[str, Any] = {"visibility": body["visibility"]}
            if body["visibility"] == "selected":  # ids sent with another visibility are ignored
                visibility["selected_repository_ids"] = [int(i) for i in body.get("selected_repository_ids") or []]
            self.org_visibility[name] = visibility
        return (201, {}, {}) if created else (204, None, {})

    def secret_json(self, key: tuple[str, str], args: dict[str, str]) -> dict[str, Any]:
        created, updated = self.secret_times.setdefault(key, ("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"))
        data: dict[str, Any] = {"name": key[1], "created_at": created, "updated_at": updated}
        if "org" in args:
            data["visibility"] = self.org_visibility.get(key[1], {}).get("visibility", "private")
            if data["visibility"] == "selected":
                path = f"/orgs/{args['org']}/{self._app(args)}/secrets/{key[1]}/repositories"
                data["selected_repositories_url"] = self.url + path
        return data

    def _selected_repos(self, method: str, args: dict[str, str], body: Any, query: Any, perms: set[str]) -> Any:
        name = args["secret_name"]
        if (self._where(args), name) not in self.secrets:
            return 404, self.error("Not Found"), {}
        visibility = self.org_visibility.get(name, {})
        ids = visibility.get("selected_repository_ids", []) if visibility.get("visibility") == "selected" else []
        names = {self.repo_id: self.repo, **self.org_repos}
        repos = [{**self.repo_json(), "id": i, "full_name": names.get(i, f"octo/r{i}")} for i in ids]
        path = f"/orgs/{args['org']}/{self._app(args)}/secrets/{name}/repositories"
        chunk, headers = self._page(repos, query, path)
        return 200, {"total_count": len(ids), "repositories": chunk}, headers

    def _issues(self, method: str, args: dict[str, str], body: Any, query: Any, perms: set[str]) -> Any:
        if method == "GET":
            state = query.get("state", ["open"])[0]
            since = query.get("since", [""])[0]
            items = [
                i
                for i in reversed(self.issues)
                if (state == "all" or i["state"] == state) and (not since or i["updated_at"] >= _iso(since))
            ]
            chunk, headers = self._page(items, query, f"/repos/{self.repo}/issues")
            return 200, [self.issue_json(i) for i in chunk], headers
        if not self.has_issues:
            return 410, self.error("Issues are disabled for this repo"), {}
        labels = [] if "no-push" in perms else list(body.get("labels") or [])  # silently dropped
        issue = self.add_issue(str(body["title"]), str(body.get("body") or ""), labels=labels)
        return 201, self.issue_json(issue), {}

    def _list_repos(self, method: str, args: dict[str, str], body: Any, query: Any, perms: set[str]) -> Any:
        """``type`` (orgs: all, public, private, forks, sources, member; users: all, owner,
        member), ``per_page``/``page`` with ``Link`` headers, as GitHub lists them."""
        kind, owner = ("orgs", args["org"]) if "org" in args else ("users", args["username"])
        listed = self.listings.get(f"{kind}/{owner}")
        if listed is None:
            return 404, self.error("Not Found"), {}
        wanted = {
            "forks": lambda r: r["fork"],
            "sources": lambda r: not r["fork"],
            "public": lambda r: not r["private"],
            "private": lambda r: r["private"],
        }.get(query.get("type", ["all"])[0], lambda r: True)
        chunk, headers = self._page([r for r in listed if wanted(r)], query, f"/{kind}/{owner}/repos")
        return 200, [self.repo_json(r) for r in chunk], headers

    def add_repositories(self, owner: str, count: int, *, kind: str = "orgs", every: int = 0) -> list[str]:
        """``count`` repositories of ``owner``; with ``every``, each every-th is archived and
        the one after it a fork. Their full names, in order."""
        names = [f"{owner}/repo-{n:04d}" for n in range(count)]
        self.listings.setdefault(f"{kind}/{owner}", []).extend(
            {
                "id": 10_000 + n,
                "full_name": name,
                "private": n % 2 == 0,
                "fork": bool(every) and n % every == 1,
                "archived": bool(every) and n % every == 0,
            }
            for n, name in enumerate(names)
        )
        return names

    def secret_value(self, name: str = "QUESTIONPRO_API_KEY", where: str = "repo:actions") -> str | None:
        return self.secrets.get((where, name))


def _iso(value: str) -> str:
    """GitHub's ``since`` (ISO 8601, any offset) as the fake's own UTC form, for comparing."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
