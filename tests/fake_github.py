"""A local GitHub REST API on 127.0.0.1: repositories, Actions/Dependabot/environment/
organization secrets (sealed boxes opened with the server's private key) and issues.

Tokens carry permissions; ``faults`` scripts failures per route: each entry of
``faults[(METHOD, route)]`` answers one request, then the route works again.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar
from urllib.parse import parse_qs, unquote, urlsplit

from nacl.public import PrivateKey, SealedBox

from tests.loopback import LoopbackServer

INTEGRATION = "Resource not accessible by integration"


@dataclass
class Fault:
    status: int
    message: str = "fault"
    headers: dict[str, str] = field(default_factory=dict)
    then_apply: bool = False  # do the work, then answer with the fault (a lost answer)


@dataclass
class FakeGitHub:
    repo: str = "octo/app"
    tokens: dict[str, set[str]] = field(default_factory=dict)  # token -> {"issues", "secrets", "org", "integration"}
    environments: set[str] = field(default_factory=lambda: {"production"})
    has_issues: bool = True
    protected_branches: set[str] = field(default_factory=lambda: {"main"})
    faults: dict[tuple[str, str], list[Fault]] = field(default_factory=dict)
    secrets: dict[tuple[str, str], str] = field(default_factory=dict)  # (scope, name) -> plaintext
    org_visibility: dict[str, dict[str, Any]] = field(default_factory=dict)
    issues: list[dict[str, Any]] = field(default_factory=list)
    log: list[tuple[str, str, str]] = field(default_factory=list)  # (method, path, body)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.keys = {
            scope: PrivateKey.generate()
            for scope in ("repo-actions", "repo-dependabot", "org-actions", "org-dependabot", "env")
        }

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
        self.server.stop()

    # -- helpers --------------------------------------------------------------------------
    def _send(
        self, h: BaseHTTPRequestHandler, status: int, data: Any = None, headers: dict[str, str] | None = None
    ) -> None:
        body = b"" if data is None else json.dumps(data).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json; charset=utf-8")
        h.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        h.end_headers()
        h.wfile.write(body)

    def _repo_json(self) -> dict[str, Any]:
        owner, name = self.repo.split("/")
        return {
            "id": 4242,
            "name": name,
            "full_name": self.repo,
            "private": True,
            "owner": {"login": owner, "id": 1, "type": "Organization", "url": f"{self.url}/users/{owner}"},
            "url": f"{self.url}/repos/{self.repo}",
            "html_url": f"https://github.example/{self.repo}",
            "has_issues": self.has_issues,
        }

    def _issue_json(self, issue: dict[str, Any]) -> dict[str, Any]:
        return {
            **issue,
            "url": f"{self.url}/repos/{self.repo}/issues/{issue['number']}",
            "html_url": f"https://github.example/{self.repo}/issues/{issue['number']}",
            "labels": [{"name": n} for n in issue["labels"]],
            "state": "open",
        }

    def public_key_of(self, scope: str) -> dict[str, str]:
        key = self.keys[scope]
        return {"key_id": f"kid-{scope}", "key": base64.b64encode(bytes(key.public_key)).decode()}

    # -- dispatch -------------------------------------------------------------------------
    def handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        path, query = unquote(parts.path), parse_qs(parts.query)
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        method = h.command
        with self.lock:
            self.log.append((method, path, raw.decode("utf-8", "replace")))
        auth = (h.headers.get("Authorization") or "").split()
        token = auth[-1] if auth else ""
        perms = self.tokens.get(token)
        if perms is None:
            self._send(h, 401, {"message": "Bad credentials"})
            return
        route, args, need = self._route(method, path)
        if route is None:
            self._send(h, 404, {"message": "Not Found"})
            return
        fault = None
        with self.lock:
            queue = self.faults.get((method, route))
            if queue:
                fault = queue.pop(0)
        if fault is not None and not fault.then_apply:
            self._send(h, fault.status, {"message": fault.message}, fault.headers)
            return
        if need and need not in perms:
            message = INTEGRATION if "integration" in perms else "Resource not accessible by personal access token"
            self._send(h, 403, {"message": message})
            return
        body = json.loads(raw) if raw else {}
        status, data = getattr(self, f"_{route}")(method, args, body, query)
        if fault is not None:
            self._send(h, fault.status, {"message": fault.message}, fault.headers)
            return
        self._send(h, status, data)

    _ROUTES: ClassVar[list[tuple[str, str, str, str | None]]] = [
        ("GET", r"/repos/(?P<repo>[^/]+/[^/]+)", "repo", None),
        (
            "GET",
            r"/repos/(?P<repo>[^/]+/[^/]+)/(?P<app>actions|dependabot)/secrets/public-key",
            "public_key",
            "secrets",
        ),
        (
            "PUT|DELETE|GET",
            r"/repos/(?P<repo>[^/]+/[^/]+)/(?P<app>actions|dependabot)/secrets/(?P<name>[^/]+)",
            "secret",
            "secrets",
        ),
        (
            "GET",
            r"/repos/(?P<repo>[^/]+/[^/]+)/environments/(?P<env>[^/]+)/secrets/public-key",
            "public_key",
            "secrets",
        ),
        (
            "PUT|DELETE|GET",
            r"/repos/(?P<repo>[^/]+/[^/]+)/environments/(?P<env>[^/]+)/secrets/(?P<name>[^/]+)",
            "secret",
            "secrets",
        ),
        ("GET", r"/orgs/(?P<org>[^/]+)/(?P<app>actions|dependabot)/secrets/public-key", "public_key", "org"),
        (
            "PUT|DELETE|GET",
            r"/orgs/(?P<org>[^/]+)/(?P<app>actions|dependabot)/secrets/(?P<name>[^/]+)",
            "secret",
            "org",
        ),
        ("POST|GET", r"/repos/(?P<repo>[^/]+/[^/]+)/issues", "issues", "issues"),
        ("GET", r"/repos/(?P<repo>[^/]+/[^/]+)/branches/(?P<branch>[^/]+)", "branch", None),
    ]

    def _route(self, method: str, path: str) -> tuple[str | None, dict[str, str], str | None]:
        for methods, pattern, name, need in self._ROUTES:
            found = re.fullmatch(pattern, path)
            if found and method in methods.split("|"):
                if name == "issues" and method == "GET":
                    need = None
                return name, found.groupdict(), need
        return None, {}, None

    def _scope(self, args: dict[str, str]) -> str:
        if "org" in args:
            return f"org-{args['app']}"
        if "env" in args:
            return "env"
        return f"repo-{args['app']}"

    def _where(self, args: dict[str, str]) -> str:
        if "org" in args:
            return f"org:{args['org']}:{args['app']}"
        if "env" in args:
            return f"env:{args['env']}"
        return f"repo:{args['app']}"

    # -- handlers -------------------------------------------------------------------------
    def _repo(self, method: str, args: dict[str, str], body: Any, query: Any) -> tuple[int, Any]:
        if args["repo"] != self.repo:
            return 404, {"message": "Not Found"}
        return 200, self._repo_json()

    def _public_key(self, method: str, args: dict[str, str], body: Any, query: Any) -> tuple[int, Any]:
        if args.get("repo", self.repo) != self.repo or args.get("env", "production") not in self.environments:
            return 404, {"message": "Not Found"}
        return 200, self.public_key_of(self._scope(args))

    def _secret(self, method: str, args: dict[str, str], body: Any, query: Any) -> tuple[int, Any]:
        where = (self._where(args), args["name"])
        if method == "GET":
            if where not in self.secrets:
                return 404, {"message": "Not Found"}
            return 200, {"name": args["name"], **self.org_visibility.get(args["name"], {"visibility": "private"})}
        if method == "DELETE":
            self.secrets.pop(where, None)
            return 204, None
        scope = self._scope(args)
        if body.get("key_id") != self.public_key_of(scope)["key_id"]:
            return 422, {"message": "Bad key_id"}
        if "org" in args and body.get("visibility") not in ("all", "private", "selected"):
            return 422, {"message": "visibility is required"}
        try:
            plaintext = SealedBox(self.keys[scope]).decrypt(base64.b64decode(body["encrypted_value"])).decode()
        except Exception:  # noqa: BLE001
            return 422, {"message": "Bad encrypted_value"}
        created = where not in self.secrets
        self.secrets[where] = plaintext
        if "org" in args:
            self.org_visibility[args["name"]] = {
                k: body[k] for k in ("visibility", "selected_repository_ids") if k in body
            }
        return (201 if created else 204), None

    def _issues(self, method: str, args: dict[str, str], body: Any, query: Any) -> tuple[int, Any]:
        if args["repo"] != self.repo:
            return 404, {"message": "Not Found"}
        if method == "GET":
            return 200, [self._issue_json(i) for i in reversed(self.issues)]
        if not self.has_issues:
            return 410, {"message": "Issues are disabled for this repo"}
        issue = {
            "id": 9000 + len(self.issues),
            "number": len(self.issues) + 1,
            "title": body["title"],
            "body": body.get("body", ""),
            "labels": body.get("labels", []),
        }
        self.issues.append(issue)
        return 201, self._issue_json(issue)

    def _branch(self, method: str, args: dict[str, str], body: Any, query: Any) -> tuple[int, Any]:
        name = args["branch"]
        return 200, {
            "name": name,
            "protected": name in self.protected_branches,
            "commit": {"sha": "0" * 40, "url": f"{self.url}/repos/{self.repo}/commits/{'0' * 40}"},
        }

    def secret_value(self, name: str = "QUESTIONPRO_API_KEY", where: str = "repo:actions") -> str | None:
        return self.secrets.get((where, name))
