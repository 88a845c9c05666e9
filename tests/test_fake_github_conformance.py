"""tests/fake_github.py against GitHub's REST description (tests/github_rest/operations.json):
every route is a documented operation, every answer follows it, and the behaviours the product
depends on are GitHub's."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from nacl.public import PublicKey, SealedBox

from tests import rest_description
from tests.fake_github import ROUTES, FakeGitHub, secondary_limit

TOKEN = "t"


@pytest.fixture
def gh() -> Iterator[FakeGitHub]:
    fake = FakeGitHub(repo="octo/app", tokens={TOKEN: {"issues", "secrets", "org", "admin"}, "ro": {"no-push"}})
    fake.environments.add("prod/eu 1")
    fake.start()
    yield fake
    fake.stop()
    assert fake.violations == []


def call(gh: FakeGitHub, method: str, path: str, body: Any = None, token: str = TOKEN) -> requests.Response:
    return requests.request(method, gh.url + path, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def sealed(gh: FakeGitHub, key_path: str, value: str = "v") -> dict[str, str]:
    key = call(gh, "GET", key_path).json()
    box = SealedBox(PublicKey(base64.b64decode(key["key"])))
    return {"key_id": key["key_id"], "encrypted_value": base64.b64encode(box.encrypt(value.encode())).decode()}


def test_every_route_is_a_documented_operation_and_every_operation_is_served() -> None:
    templates = {template for _, template, _ in ROUTES}
    documented = {op.split(" ", 1)[1] for op in rest_description.operations()}
    assert templates == documented


SECRET_PATHS = [
    ("/repos/octo/app/actions/secrets", None),
    ("/repos/octo/app/dependabot/secrets", None),
    ("/repos/octo/app/environments/prod%2Feu%201/secrets", None),
    ("/orgs/octo/actions/secrets", "selected"),
    ("/orgs/octo/dependabot/secrets", "private"),
]


@pytest.mark.parametrize(("base", "visibility"), SECRET_PATHS)
def test_secret_lifecycle_follows_the_description(gh: FakeGitHub, base: str, visibility: str | None) -> None:
    body: dict[str, Any] = sealed(gh, base + "/public-key")
    if visibility:
        body["visibility"] = visibility
    assert call(gh, "DELETE", base + "/S").status_code == 404  # a missing secret
    assert call(gh, "GET", base + "/S").status_code == 404
    created = call(gh, "PUT", base + "/S", body)
    assert created.status_code == 201 and created.json() == {}
    assert call(gh, "PUT", base + "/S", body).status_code == 204
    got = call(gh, "GET", base + "/S").json()
    assert got["name"] == "S" and got["created_at"] <= got["updated_at"]
    assert got.get("visibility") == visibility
    assert ("selected_repositories_url" in got) == (visibility == "selected")
    assert call(gh, "DELETE", base + "/S").status_code == 204


def test_org_secret_put_without_ids_selects_no_repository(gh: FakeGitHub) -> None:
    base = "/orgs/octo/actions/secrets"
    ids = {**sealed(gh, base + "/public-key"), "visibility": "selected", "selected_repository_ids": [4242, 7]}
    assert call(gh, "PUT", base + "/S", ids).status_code == 201
    listed = call(gh, "GET", base + "/S/repositories?per_page=1")
    assert listed.json()["total_count"] == 2 and len(listed.json()["repositories"]) == 1
    assert 'rel="next"' in listed.headers["Link"]
    without = {k: v for k, v in ids.items() if k != "selected_repository_ids"}
    assert call(gh, "PUT", base + "/S", without).status_code == 204
    assert call(gh, "GET", base + "/S/repositories").json() == {"total_count": 0, "repositories": []}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"key_id": "kid-org-actions", "encrypted_value": "x"}, 422),  # visibility is required
        ({"visibility": "friends", "key_id": "kid-org-actions", "encrypted_value": "x"}, 422),
        ({"visibility": "all", "key_id": 5, "encrypted_value": "x"}, 422),
    ],
)
def test_requests_github_refuses_are_refused(gh: FakeGitHub, body: dict[str, Any], status: int) -> None:
    assert call(gh, "PUT", "/orgs/octo/actions/secrets/S", body).status_code == status


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/repos/octo/app/branches/feature%2Fx", 200),
        ("/repos/octo/app/branches/feature/x", 404),  # a slash must be encoded
        ("/repos/octo/app/rules/branches/feature%2Fx", 200),
        ("/repos/octo/app/branches/main/protection", 200),
        ("/repos/octo/app/branches/feature%2Fx/protection", 404),
        ("/repos/octo/app/environments/prod%2Feu%201/secrets/public-key", 200),
        ("/repos/octo/app/environments/prod/eu%201/secrets/public-key", 404),
        ("/repos/octo/app", 200),
        ("/repos/octo/other", 404),
    ],
)
def test_path_parameters_are_single_encoded_segments(gh: FakeGitHub, path: str, status: int) -> None:
    assert call(gh, "GET", path).status_code == status


def test_branch_protected_flag_is_true_for_rulesets_too(gh: FakeGitHub) -> None:
    gh.rules["release/1"] = [{"type": "creation", "ruleset_source_type": "Repository", "ruleset_id": 1}]
    branch = call(gh, "GET", "/repos/octo/app/branches/release%2F1").json()
    assert branch["protected"] is True and branch["protection"]["enabled"] is False
    assert call(gh, "GET", "/repos/octo/app/rules/branches/release%2F1").json()[0]["type"] == "creation"
    assert call(gh, "GET", "/repos/octo/app/branches/release%2F1/protection").status_code == 404


def test_issue_listing_honours_state_since_pages_and_includes_pull_requests(gh: FakeGitHub) -> None:
    gh.add_issue("closed one", "b", state="closed")
    gh.add_issue("a pull request", "b", pull=True)
    for n in range(3):
        gh.add_issue(f"open {n}", "b")
    default = call(gh, "GET", "/repos/octo/app/issues").json()
    assert [i["title"] for i in default] == ["open 2", "open 1", "open 0", "a pull request"]
    assert "pull_request" in default[-1] and "pull_request" not in default[0]
    everything = call(gh, "GET", "/repos/octo/app/issues?state=all&per_page=2")
    assert len(everything.json()) == 2 and 'rel="next"' in everything.headers["Link"]
    last = requests.get(everything.links["next"]["url"], headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert len(last.json()) == 2 and "next" in last.links
    gh.issues[0]["updated_at"] = "2000-01-01T00:00:00Z"
    recent = call(gh, "GET", "/repos/octo/app/issues?state=closed&since=2020-01-01T00:00:00%2B02:00").json()
    assert recent == []


def test_labels_are_dropped_without_push_access(gh: FakeGitHub) -> None:
    issue = {"title": "t", "body": "b", "labels": ["security"]}
    assert call(gh, "POST", "/repos/octo/app/issues", issue).json()["labels"][0]["name"] == "security"
    gh.tokens["ro"] = {"no-push", "issues"}
    assert call(gh, "POST", "/repos/octo/app/issues", issue, token="ro").json()["labels"] == []


@pytest.mark.parametrize(("retry_after", "headers"), [("7", {"Retry-After": "7"}), (None, {})])
def test_secondary_rate_limits_with_and_without_retry_after(
    gh: FakeGitHub, retry_after: str | None, headers: dict[str, str]
) -> None:
    gh.faults[("GET", "repo")] = [secondary_limit(retry_after)]
    limited = call(gh, "GET", "/repos/octo/app")
    assert limited.status_code == 403 and "secondary rate limit" in limited.json()["message"]
    assert limited.headers.get("Retry-After") == headers.get("Retry-After")
    assert call(gh, "GET", "/repos/octo/app").status_code == 200


def test_an_answer_off_the_description_is_caught(gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check is live: a fake answer GitHub would never give becomes a 500 and a violation."""
    monkeypatch.setattr(gh, "public_key_of", lambda scope: {"key_id": 1, "keyy": "x"})
    answer = call(gh, "GET", "/repos/octo/app/actions/secrets/public-key")
    assert answer.status_code == 500
    assert any("'key' missing" in v for v in gh.violations) and any("'keyy'" in v for v in gh.violations)
    assert any("'key_id' is int" in v for v in gh.violations)
    gh.violations.clear()


def test_vendored_description_is_current_shape() -> None:
    doc = json.loads(rest_description.OPERATIONS_FILE.read_text(encoding="utf-8"))
    assert doc["source"].startswith("@octokit/openapi ")
    rules = doc["operations"]["GET /repos/{owner}/{repo}/rules/branches/{branch}"]["responses"]["200"]
    assert {"pull_request", "update", "non_fast_forward", "creation"} <= set(rules["enums"]["type"])
