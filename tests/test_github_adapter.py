"""The GitHub adapter against the fake that follows GitHub's REST description: organization
secret visibility, the protected-branch gate, rate limits, issue search, web links."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pytest

from responder.response.github_adapter import GitHubAdapter, GitHubError, SecretTarget, web_url
from responder.response.sealing import seal
from tests.fake_github import FakeGitHub, Fault, primary_limit, secondary_limit

REPO_ID = 4242


@dataclass
class Clock:
    slept: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


@pytest.fixture
def gh() -> Iterator[FakeGitHub]:
    fake = FakeGitHub(
        repo="octo/app",
        repo_id=REPO_ID,
        tokens={"all": {"issues", "secrets", "org", "admin"}, "plain": {"issues", "secrets"}, "ro": {"no-push"}},
    )
    fake.start()
    yield fake
    fake.stop()
    assert fake.violations == []


@pytest.fixture
def clock() -> Clock:
    return Clock()


def adapter(gh: FakeGitHub, clock: Clock, token: str = "all", **kw: float) -> GitHubAdapter:  # noqa: S107
    return GitHubAdapter(token, gh.url, 10, sleep=clock.sleep, notify=clock.notes.append, **kw)  # type: ignore[arg-type]


def store(api: GitHubAdapter, target: SecretTarget, value: str = "v") -> None:
    key = api.public_key(target)
    api.put_sealed(target, key.key_id, seal(key.key, value), REPO_ID)


def puts(gh: FakeGitHub) -> list[dict[str, object]]:
    return [json.loads(body) for method, _, body in gh.log if method == "PUT"]


# -- 11.1: organization secrets keep who may use them -----------------------------------------
@pytest.mark.parametrize("app", ["actions", "dependabot"])
@pytest.mark.parametrize(
    ("include", "expected_extra", "noted"),
    [(False, [], True), (True, [REPO_ID], False)],
)
def test_selected_org_secret_keeps_its_repositories(
    gh: FakeGitHub, clock: Clock, app: str, include: bool, expected_extra: list[int], noted: bool
) -> None:
    others = list(range(1, 151))  # more than one page of 100
    gh.secrets[(f"org:octo:{app}", "K")] = "old"
    gh.org_visibility["K"] = {"visibility": "selected", "selected_repository_ids": others}
    store(adapter(gh, clock), SecretTarget("octo/app", "K", app, None, "octo", include))
    assert gh.org_visibility["K"] == {"visibility": "selected", "selected_repository_ids": others + expected_extra}
    assert gh.secrets[(f"org:octo:{app}", "K")] == "v"
    sent = puts(gh)[-1]["selected_repository_ids"]
    assert isinstance(sent, list) and all(isinstance(i, str if app == "dependabot" else int) for i in sent)
    assert any("--org-include-repo" in n for n in clock.notes) == noted
    pages = [p for m, p, _ in gh.log if m == "GET" and p.endswith("/repositories")]
    assert len(pages) == 2


@pytest.mark.parametrize("visibility", ["all", "private"])
def test_org_secret_visibility_all_or_private_is_kept(gh: FakeGitHub, clock: Clock, visibility: str) -> None:
    gh.secrets[("org:octo:actions", "K")] = "old"
    gh.org_visibility["K"] = {"visibility": visibility}
    store(adapter(gh, clock), SecretTarget("octo/app", "K", "actions", None, "octo", True))
    assert puts(gh)[-1]["visibility"] == visibility and "selected_repository_ids" not in puts(gh)[-1]


def test_new_org_secret_is_visible_to_the_leaking_repository_only(gh: FakeGitHub, clock: Clock) -> None:
    store(adapter(gh, clock), SecretTarget("octo/app", "K", "actions", None, "octo"))
    assert gh.org_visibility["K"] == {"visibility": "selected", "selected_repository_ids": [REPO_ID]}


def test_unreadable_repository_list_never_writes(gh: FakeGitHub, clock: Clock) -> None:
    gh.secrets[("org:octo:actions", "K")] = "old"
    gh.org_visibility["K"] = {"visibility": "selected", "selected_repository_ids": [1, 2]}
    gh.faults[("GET", "selected_repos")] = [Fault(403, "Resource not accessible by integration")]
    with pytest.raises(GitHubError) as caught:
        store(adapter(gh, clock), SecretTarget("octo/app", "K", "actions", None, "octo"))
    assert caught.value.kind == "forbidden" and puts(gh) == []
    assert gh.org_visibility["K"]["selected_repository_ids"] == [1, 2]


# -- 11.2: the protected-branch gate ----------------------------------------------------------
def rule(kind: str) -> dict[str, object]:
    return {"type": kind, "ruleset_source_type": "Organization", "ruleset_source": "octo", "ruleset_id": 7}


@pytest.mark.parametrize(
    ("branch", "rules", "classic", "token", "protected", "says"),
    [
        ("release/2.0", ["pull_request", "creation"], False, "all", True, "rulesets require pull_request"),
        ("main", ["non_fast_forward"], False, "all", True, "rulesets require non_fast_forward"),
        ("main", ["required_status_checks", "update"], False, "all", True, "required_status_checks, update"),
        ("topic/x", ["creation", "deletion", "branch_name_pattern"], False, "all", False, "apply only branch_name"),
        ("topic/x", [], False, "all", False, "no ruleset applies; no classic branch protection"),
        ("main", [], True, "all", True, "classic branch protection (read from the branch's protection)"),
        ("main", [], True, "plain", True, "classic branch protection (from the branch's summary)"),
        ("topic/x", ["deletion"], False, "plain", False, "no classic branch protection"),
    ],
)
def test_branch_protection(
    gh: FakeGitHub,
    clock: Clock,
    branch: str,
    rules: list[str],
    classic: bool,
    token: str,
    protected: bool,
    says: str,
) -> None:
    gh.protected_branches = {branch} if classic else set()
    gh.rules[branch] = [rule(r) for r in rules]
    found = adapter(gh, clock, token).branch_protection("octo/app", branch)
    assert (found.protected, says in found.found) == (protected, True), found
    assert all("%2F" in p for _, p, _ in gh.log if "/" in branch and "branches/" in p)


@pytest.mark.parametrize(
    ("fault", "protected"), [(Fault(404, "Not Found"), True), (Fault(404, "Branch not protected"), False)]
)
def test_a_hidden_protection_falls_back_to_the_branch_summary(
    gh: FakeGitHub, clock: Clock, fault: Fault, protected: bool
) -> None:
    """GitHub hides what a token may not read behind 404 "Not Found"; only "Branch not
    protected" says there is none."""
    gh.faults[("GET", "protection")] = [fault]
    found = adapter(gh, clock).branch_protection("octo/app", "main")
    assert found.protected is protected, found


def test_many_rules_are_read_across_pages(gh: FakeGitHub, clock: Clock) -> None:
    gh.protected_branches = set()
    gh.rules["main"] = [rule("creation")] * 100 + [rule("pull_request")]
    assert adapter(gh, clock).branch_protection("octo/app", "main").protected


# -- 8.12: rate limits --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("faults", "waits"),
    [
        ([secondary_limit("7")], [7.0]),
        ([secondary_limit(None)], [60.0]),  # at least a minute without Retry-After
        ([secondary_limit(None), secondary_limit(None)], [60.0, 120.0]),  # and longer each time
        ([Fault(429, "You have exceeded a secondary rate limit")], [60.0]),
        ([Fault(429, "Too Many Requests")], [60.0]),  # a bare 429 is a rate limit too
        ([Fault(500), Fault(502)], [1.0, 2.0]),
    ],
)
def test_waits_as_long_as_github_asks(gh: FakeGitHub, clock: Clock, faults: list[Fault], waits: list[float]) -> None:
    gh.faults[("GET", "repo")] = list(faults)
    assert adapter(gh, clock).repository("octo/app").id == REPO_ID
    assert clock.slept == waits
    assert len(clock.notes) == len(waits) and all("waiting" in n for n in clock.notes)


def test_primary_limit_waits_until_reset(gh: FakeGitHub, clock: Clock) -> None:
    gh.faults[("GET", "repo")] = [primary_limit(120)]
    adapter(gh, clock).repository("octo/app")
    [wait] = clock.slept
    assert 119 <= wait <= 122 and "x-ratelimit-reset" in clock.notes[0]


@pytest.mark.parametrize("fault", [primary_limit(3600), secondary_limit("900")])
def test_a_wait_beyond_the_cap_fails_at_once(gh: FakeGitHub, clock: Clock, fault: Fault) -> None:
    gh.faults[("GET", "repo")] = [fault]
    with pytest.raises(GitHubError) as caught:
        adapter(gh, clock).repository("octo/app")
    assert clock.slept == [] and caught.value.kind == "rate-limited"
    assert "longer than qp-responder waits" in str(caught.value)


def test_waiting_is_capped_in_all(gh: FakeGitHub, clock: Clock) -> None:
    gh.faults[("GET", "repo")] = [secondary_limit(None)] * 2
    with pytest.raises(GitHubError):
        adapter(gh, clock, max_total_wait=100).repository("octo/app")
    assert clock.slept == [60.0]


def test_issue_creation_is_never_blindly_retried(gh: FakeGitHub, clock: Clock) -> None:
    gh.faults[("POST", "issues")] = [Fault(502, then_apply=True), secondary_limit(None)]
    since = datetime.now(timezone.utc) - timedelta(minutes=10)
    url = adapter(gh, clock).open_issue("octo/app", "t", "body <!-- m1 -->", ["security"], "<!-- m1 -->", since)
    assert url.endswith("/issues/1") and len(gh.issues) == 1
    assert [m for m, p, _ in gh.log if p.endswith("/issues")].count("POST") == 1


# -- issues ---------------------------------------------------------------------------------------
def test_find_issue_skips_pull_requests_and_reads_every_page(gh: FakeGitHub, clock: Clock) -> None:
    gh.add_issue("pr", "<!-- m2 -->", pull=True)
    gh.add_issue("closed", "<!-- m2 -->", state="closed")
    for n in range(120):
        gh.add_issue(f"noise {n}", "x")
    since = datetime.now(timezone.utc) - timedelta(minutes=10)
    found = adapter(gh, clock).find_issue("octo/app", "<!-- m2 -->", since)
    assert found is not None and found.endswith("/issues/2")
    gh.issues[1]["updated_at"] = "2001-01-01T00:00:00Z"  # outside ``since``: not looked at
    assert adapter(gh, clock).find_issue("octo/app", "<!-- m2 -->", since) is None


def test_dropped_labels_are_reported(gh: FakeGitHub, clock: Clock) -> None:
    gh.tokens["ro"] = {"issues", "no-push"}
    url = adapter(gh, clock, "ro").create_issue("octo/app", "t", "b", ["security"])
    assert url.endswith("/issues/1") and gh.issues[0]["labels"] == []
    assert any("labels were not applied" in n for n in clock.notes)


# -- secrets --------------------------------------------------------------------------------------
def test_environment_names_are_encoded(gh: FakeGitHub, clock: Clock) -> None:
    gh.environments.add("prod/eu 1")
    store(adapter(gh, clock), SecretTarget("octo/app", "K", "actions", "prod/eu 1"))
    assert gh.secrets[("env:prod/eu 1", "K")] == "v"


def test_deleting_a_missing_secret_is_not_found(gh: FakeGitHub, clock: Clock) -> None:
    with pytest.raises(GitHubError) as caught:
        adapter(gh, clock).delete_secret(SecretTarget("octo/app", "NOPE"))
    assert caught.value.kind == "not-found"


# -- 11.3: links ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("api", "server", "web"),
    [
        ("https://api.github.com", None, "https://github.com"),
        ("https://api.octocorp.ghe.com", None, "https://octocorp.ghe.com"),
        ("https://api.octocorp.ghe.com/", None, "https://octocorp.ghe.com"),
        ("https://ghe.example/api/v3", None, "https://ghe.example"),
        ("https://ghe.example:8443/api/v3/", None, "https://ghe.example:8443"),
        ("https://api.octocorp.ghe.com", "https://octocorp.ghe.com/", "https://octocorp.ghe.com"),
        ("https://api.github.com", "https://github.com", "https://github.com"),
    ],
)
def test_web_url(monkeypatch: pytest.MonkeyPatch, api: str, server: str | None, web: str) -> None:
    if server is None:
        monkeypatch.delenv("GITHUB_SERVER_URL", raising=False)
    else:
        monkeypatch.setenv("GITHUB_SERVER_URL", server)
    assert web_url(api) == web
