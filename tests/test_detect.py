"""The detection core over the labelled corpus, and its behaviour on hostile input."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from responder.scanning import detect
from tests.corpus import NEGATIVES, POSITIVES, Case, new_key


@pytest.fixture
def hang_guard() -> Iterator[None]:
    """Fail (not hang) if a regex backtracks catastrophically. Not a speed assertion."""

    def boom(*_: object) -> None:
        raise TimeoutError("regex did not finish: catastrophic backtracking?")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize("case", POSITIVES, ids=lambda c: c.name)
def test_positive(case: Case) -> None:
    key = new_key()
    found = detect.find_keys(case.render(key), path=case.filename)
    assert [(m.line_number, m.datacenter) for m in found] == list(case.expect)
    assert all(m.secret.lower() == key for m in found)


@pytest.mark.parametrize("case", NEGATIVES, ids=lambda c: c.name)
def test_negative(case: Case) -> None:
    assert detect.find_keys(case.render(new_key()), path=case.filename) == []


@pytest.mark.parametrize(
    ("name", "naming"),
    [
        ("QUESTIONPRO_API_KEY", detect.Naming.NAMED),
        ("QP_API_KEY", detect.Naming.NAMED),
        ("questionproApiKey", detect.Naming.NAMED),
        ("questionpro.api.key", detect.Naming.NAMED),
        ("PROD_QP_ACCESS_KEY", detect.Naming.NAMED),
        ("api-key", detect.Naming.CONTEXTUAL),
        ("apiKey", detect.Naming.CONTEXTUAL),
        ("api_key", detect.Naming.CONTEXTUAL),
        ("accessKey", detect.Naming.CONTEXTUAL),
        ("setAccessKey", detect.Naming.CONTEXTUAL),
        ("AZURE_OPENAI_API_KEY", detect.Naming.NONE),
        ("requestID", detect.Naming.NONE),
        ("questionpro_survey_id", detect.Naming.NONE),
        ("uid", detect.Naming.NONE),
        ("sessionKey", detect.Naming.NONE),
        ("QP_KEY", detect.Naming.NAMED),
        ("QuestionProClient", detect.Naming.NAMED),
        ("config.questionpro.apiKey", detect.Naming.NAMED),
        ("QUESTIONPRO_API_SURVEY_ID", detect.Naming.NONE),
        ("questionpro_client_id", detect.Naming.NONE),
        ("QUESTIONPRO_API_KEY_ID", detect.Naming.NONE),
        ("questionproApi.getResponse", detect.Naming.NONE),
        ("QUESTIONPRO_BASE_URL", detect.Naming.NONE),
    ],
)
def test_classify_name(name: str, naming: detect.Naming) -> None:
    assert detect.classify_name(name) is naming


@pytest.mark.parametrize(
    "uuid",
    [
        "00000000-0000-0000-0000-000000000000",
        "ffffffff-ffff-ffff-ffff-ffffffffffff",
        "12345678-1234-5678-1234-567812345678",
        "123e4567-e89b-12d3-a456-426614174000",
        "deadbeef-0000-4000-8000-000000000001",
    ],
)
def test_placeholders(uuid: str) -> None:
    assert detect.is_placeholder(uuid)


def test_random_keys_are_not_placeholders() -> None:
    assert not any(detect.is_placeholder(new_key()) for _ in range(2000))


def test_wanted_lines_keep_whole_file_context() -> None:
    key = new_key()
    text = "# questionpro\n" + "pass\n" * 50 + f'api_key = "{key}"\n'
    assert [m.line_number for m in detect.find_keys(text, wanted_lines={52}.__contains__)] == [52]
    assert detect.find_keys(text, wanted_lines={51}.__contains__) == []


@pytest.mark.parametrize(
    "hostile",
    [
        "-" * 5_000_000,
        "a-" * 2_000_000,
        "0000-" * 1_000_000,
        ("aaaaaaaa-aaaa-aaaa-aaaa-" * 200_000),
        "QUESTIONPRO_API_KEY" + "=" * 3_000_000 + "x",
        "api_key" + " " * 2_000_000 + "questionpro",
        "x" * 50_000_000,
    ],
    ids=["dashes", "hex-dash", "groups", "near-uuids", "equals", "spaces", "50MB-line"],
)
def test_adversarial_input_finishes(hostile: str, hang_guard: None) -> None:
    assert detect.find_keys(hostile) == []


def test_many_keys_on_one_huge_line(hang_guard: None) -> None:
    keys = [new_key() for _ in range(2000)]
    line = "questionpro " + " ".join(f'"api-key": "{k}",' for k in keys) + "x" * 1_000_000
    found = detect.find_keys(line)
    assert [m.secret for m in found] == keys
