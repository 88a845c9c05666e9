"""Property-based tests (hypothesis) of what parses untrusted input on the response path:
QuestionPro's reply, the endpoint and name validators, resume tokens.

Two properties each: no exception other than the contract's own escapes (so nothing ends
as exit 9), and nothing is accepted that the contract refuses.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from urllib3.util import parse_url

from responder.core.errors import QprError
from responder.core.urls import BadURL, is_loopback_host, parse_origin
from responder.response import bounded_http, names, questionpro
from responder.response.resume_token import ResumeToken

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
OLD_KEY = "5d0e8c1a-7f3b-4e2d-9a6c-1b8f4d7e2a90"
ENDPOINT = questionpro.Endpoint("com", "https://api.questionpro.com")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
field_names = st.sampled_from(["response", "error", "apiKey", "requestID", "id", "name", "message", "httpStatusCode"])
reply_docs = st.dictionaries(
    field_names,
    json_values | st.dictionaries(field_names, json_values, max_size=6),
    max_size=4,
)
bodies = (
    st.binary(max_size=400)
    | reply_docs.map(lambda d: json.dumps(d).encode())
    | st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass"))
    | st.sampled_from(
        [
            b'{\n"response": {\n"apiKey": 12345678-90ab-4cde-8f01-234567890abc\n},\n"requestID": "x"\n}',
            b'{"response": {"error": {"id": 1013, "message": "API call limit exceeded"}}}',
            b"<html><body>502</body></html>",
            b"\xff\xfe{",
        ]
    )
)


@SETTINGS
@given(st.text(max_size=400))
@example('{"response": {"apiKey": ["x"]}, "requestID": {"a": 1}}')
@example('{"response": []}')
@example('{"response": {"error": "x"}}')
def test_parse_body_never_raises_and_returns_only_known_text_fields(text: str) -> None:
    fields = questionpro.parse_body(text)
    assert set(fields) <= {"apiKey", "requestID", "httpStatusCode", "id", "name", "message"}
    assert all(isinstance(v, str) for v in fields.values())


@SETTINGS
@given(
    status=st.integers(100, 599),
    body=bodies,
    retry_after=st.none() | st.text(max_size=8),
    truncated=st.booleans(),
)
def test_any_reply_is_one_of_the_three_outcomes(
    status: int, body: bytes, retry_after: str | None, truncated: bool
) -> None:
    headers = {} if retry_after is None else {"retry-after": retry_after}
    reply = bounded_http.Reply(status, headers, body, truncated)
    client = questionpro.QuestionProClient(lambda: None)
    try:
        result = client._interpret(reply, ENDPOINT, OLD_KEY)
    except (questionpro.RegenerateRefused, questionpro.RegenerateUnknown) as exc:
        assert OLD_KEY not in str(exc)
        if truncated:  # more than the cap: not QuestionPro's answer, and it may have acted
            assert isinstance(exc, questionpro.RegenerateUnknown)
        return
    # Accepted: only a complete 2xx with a new, key-shaped value different from the old key.
    assert 200 <= status < 300 and not truncated
    assert questionpro.KEY_SHAPE.fullmatch(result.new_key) and result.new_key != OLD_KEY
    assert OLD_KEY not in repr(result)


@SETTINGS
@given(
    st.text(max_size=60)
    | st.builds(
        "{}://{}{}{}".format,
        st.sampled_from(["http", "https", "HTTP", "ftp", ""]),
        st.sampled_from(["127.0.0.1", "localhost", "[::1]", "api.questionpro.eu", "10.0.0.1", "", "[::zz]"]),
        st.sampled_from(["", ":", ":80", ":0", ":65536", ":8080:8080", ":-1", ": 80", ":99999999999"]),
        st.sampled_from(["", "/", "/x", "?q", "#f", "@evil", "\t", "\n"]),
    )
)
@example("http://127.0.0.1:8080:8080")
@example("http://[::1")
def test_base_url_validation_refuses_or_yields_a_url_that_is_sent_as_checked(url: str) -> None:
    try:
        base = questionpro.validate_base_url(url)
    except questionpro.ConfigError:
        return
    origin = parse_origin(base)
    assert origin.path == ""
    parsed = parse_url(base)  # what urllib3 will actually connect to
    assert (parsed.host or "").strip("[]").lower() == origin.host
    assert parsed.port == origin.port
    if origin.scheme == "http":
        assert is_loopback_host(origin.host)  # cleartext only on this machine
    else:
        assert origin.host in questionpro.HOSTS.values() or is_loopback_host(origin.host)


@SETTINGS
@given(st.text(max_size=80))
def test_parse_origin_raises_only_bad_url(url: str) -> None:
    try:
        origin = parse_origin(url)
    except BadURL:
        return
    assert origin.scheme in ("http", "https") and origin.port in (None, *range(1, 65536))


@SETTINGS
@given(st.none() | st.text(max_size=12), st.none() | st.text(max_size=40))
def test_endpoints_raise_only_config_errors(datacenter: str | None, base: str | None) -> None:
    try:
        found = questionpro.endpoints(datacenter, base)
    except questionpro.ConfigError:
        return
    assert found and all(e.url.endswith(questionpro.REGENERATE_PATH) for e in found)


path_text = st.lists(st.sampled_from([*"aZ09._-/ %@`\\\n\x00\u202e", "..", "%2e"]), max_size=12).map("".join)


@SETTINGS
@given(path_text, path_text)
@example("o", "..")
@example("..", "x")
def test_an_accepted_repository_never_collapses_into_another_api_path(owner: str, name: str) -> None:
    full = f"{owner}/{name}"
    try:
        names.repository(full)
    except names.InvalidName:
        return
    path = f"/repos/{full}/actions/secrets"
    assert posixpath.normpath(path) == path and full.count("/") == 1


@SETTINGS
@given(path_text | st.text(max_size=30))
@example("..")
@example(".")
def test_an_accepted_environment_is_one_path_segment(env: str) -> None:
    try:
        names.environment(env)
    except names.InvalidName:
        return
    segment = quote(env, safe="")
    path = f"/repos/o/r/environments/{segment}/secrets"
    assert posixpath.normpath(path) == path and "/" not in segment and env.isprintable()


@SETTINGS
@given(st.text(max_size=50))
def test_secret_and_owner_names_raise_only_invalid_name(text: str) -> None:
    for check in (names.secret, names.owner):
        try:
            accepted = check(text)
        except names.InvalidName:
            continue
        assert accepted == text and text.isascii() and "/" not in text and "." not in text


@SETTINGS
@given(st.text(max_size=200) | st.binary(max_size=150).map(lambda b: "qpr2." + b.decode("latin-1") + "."))
@example("qpr2.")
@example("qpr2.bnVsbA.")  # base64 of "null"
@example("qpr2.W10.")  # base64 of "[]"
@example("qpr1.e30")  # the old, unbound format
def test_resume_token_decoding_raises_only_usage_errors(text: str) -> None:
    try:
        ResumeToken.decode(text, None)
    except QprError:
        pass


@pytest.mark.parametrize(
    ("url", "refused"),
    [("http://127.0.0.1:8080:8080", True), ("http://127.0.0.1:8080", False), ("https://api.questionpro.ca", False)],
)
def test_property_anchors(url: str, refused: bool) -> None:
    """The properties above hold trivially if everything is refused: a few must pass."""
    if refused:
        with pytest.raises(questionpro.ConfigError):
            questionpro.validate_base_url(url)
    else:
        assert questionpro.validate_base_url(url)


@SETTINGS
@given(
    filename=st.text(min_size=1, max_size=60),
    request_id=st.text(max_size=60),
    secret=st.text(max_size=40),
)
@example(filename="a` @octocat [x](https://evil.example) `", request_id="-->", secret="@octocat")
def test_no_outside_text_becomes_markup_in_the_issue_body(filename: str, request_id: str, secret: str) -> None:
    """Whatever the file name, request id or secret description: one link (ours), no
    image, no HTML, no heading but the checklist's, and the marker is the first line."""
    from responder.response import issue_text
    from tests.test_text_to_people import render_tokens

    body = issue_text.body(
        request_id=request_id,
        response_id="20261130T100000-0123456789ab-0badc0de",
        datacenter="com",
        leak={"filename": filename, "line_number": 1, "commit": "0" * 40, "redacted": "…", "hashed_secret": "0" * 40},
        secrets=[secret],
        web_url="https://github.com",
        repo="octo/app",
    )
    assert body.splitlines()[0] == issue_text.marker("20261130T100000-0123456789ab-0badc0de")
    tokens = render_tokens(body)
    kinds = [t.type for t in tokens]
    assert kinds.count("link_open") == 1 and "image" not in kinds and "html_inline" not in kinds
    assert kinds.count("html_block") == 1  # the marker comment
    assert kinds.count("heading_open") == 1
    prose = " ".join(t.content for t in tokens if t.type == "text")
    assert "@" not in prose and "http" not in prose  # no mention, no autolink outside code


@pytest.fixture(scope="module")
def github_url() -> Iterator[str]:
    from tests.fake_github import FakeGitHub

    fake = FakeGitHub(repo="octo/app", tokens={"tok": {"secrets", "issues"}})
    yield fake.start()
    fake.stop()


hostile = st.text(max_size=30) | st.sampled_from(["..", ".", "o/..", "../x", "a b", "x\x9b", "127.0.0.1:1:1", ""])


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    base_url=hostile
    | st.builds("http://127.0.0.1:{}".format, st.text(max_size=8))
    | st.builds("https://{}".format, st.text(max_size=20)),
    repo=hostile,
    environment=st.none() | hostile,
    secret_name=hostile,
)
@example(base_url="http://127.0.0.1:9", repo="octo/app", environment=None, secret_name="QP_KEY")  # a dry run: 0
@example(base_url="http://127.0.0.1:8:8", repo="octo/app", environment=None, secret_name="X")
@example(base_url="http://[::1", repo="octo/app", environment="..", secret_name="X")
def test_hostile_options_and_environment_never_end_as_an_internal_error(
    github_url: str,
    tmp_path_factory: pytest.TempPathFactory,
    base_url: str,
    repo: str,
    environment: str | None,
    secret_name: str,
) -> None:
    """respond --dry-run through entry.main with hostile endpoint, repository, environment
    and secret names: a usage error (2), a dry run (0) or a failed preflight (7), never 9."""
    from tests.conftest import run_main

    argv = ["respond", "--yes", "--dry-run", "--repo", repo, "--secret-name", secret_name, "--timeout", "2"]
    if environment is not None:
        argv += ["--environment", environment]
    run = run_main(
        argv,
        tmp_path_factory.getbasetemp(),
        stdin=OLD_KEY + "\n",
        env={
            "QUESTIONPRO_BASE_URL": base_url,
            "GITHUB_API_URL": github_url,
            "GITHUB_TOKEN": "tok",
            "QP_RESPONDER_STATE_DIR": str(tmp_path_factory.getbasetemp() / "state"),
        },
        secrets=[OLD_KEY],
    )
    assert run.code in (0, 2, 7), run.output
    assert "internal error" not in run.output
