"""The detection core over the labelled corpus, and its behaviour on hostile input."""

from __future__ import annotations

import base64
import random
import signal
from collections.abc import Iterator

import pytest

from responder.scanning import detect, judge, names
from responder.scanning.names import Kind, Owner
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


@pytest.mark.parametrize(
    ("name", "owner", "kind"),
    [
        ("QUESTIONPRO_API_KEY_PROD", Owner.QUESTIONPRO, Kind.KEY),
        ("QP_KEY_EU", Owner.QUESTIONPRO, Kind.KEYWORD),
        ("questionproKeyStaging", Owner.QUESTIONPRO, Kind.KEYWORD),
        ("QUESTIONPROAPIKEY", Owner.QUESTIONPRO, Kind.KEY),
        ("QuestionProClient", Owner.QUESTIONPRO, Kind.CONSTRUCTOR),
        ("questionProperties", Owner.NONE, Kind.ID),
        ("SecurityQuestionProfile", Owner.OTHER, Kind.ID),
        ("questionprofiles", Owner.OTHER, Kind.NEUTRAL),
        ("hapikey", Owner.OTHER, Kind.KEY),
        ("ACMEPAY_API_KEY", Owner.OTHER, Kind.KEY),
        ("zendeskSecret", Owner.OTHER, Kind.KEYWORD),
        ("x-api-key", Owner.NONE, Kind.KEY),
        ("settings.API_KEY", Owner.NONE, Kind.KEY),
        ("api_key_id", Owner.NONE, Kind.ID),
        ("key_file", Owner.NONE, Kind.REFERENCE),
        ("QUESTIONPRO_BASE_URL", Owner.QUESTIONPRO, Kind.REFERENCE),
        ("example_api_key", Owner.NONE, Kind.PLACEHOLDER),
        ("YOUR_QUESTIONPRO_TOKEN", Owner.QUESTIONPRO, Kind.PLACEHOLDER),
        ("android:value", Owner.NONE, Kind.WEAK),
        ("DataCenter.EU", Owner.NONE, Kind.NEUTRAL),
    ],
)
def test_names_owner_and_kind(name: str, owner: Owner, kind: Kind) -> None:
    assert names.judge(name) == names.Verdict(owner, kind)


@pytest.mark.parametrize(
    ("text", "kind_from", "owner_from"),
    [
        ('QP_KEY = "{K}"', "line", "line"),
        ('client = QuestionProClient("{K}")', "callee", "callee"),
        ('h.header("api-key", "{K}")', "sibling", "file name"),
        ("- name: QUESTIONPRO_API_KEY\n  value: {K}", "line above", "line above"),
        ("questionpro:\n  auth:\n    token: {K}", "line", "parent"),
        ("[questionpro]\nkey = {K}", "line", "section"),
        ("customer,api_key\nbeta,none\nacme,{K}", "column", "file name"),
        ("vendor,api_key\nstripe,none\nquestionpro,{K}", "column", "sibling"),
        ("INSERT INTO creds (qp_key, survey_id) VALUES ('{K}', 12);", "column", "column"),
        ("| name | QuestionPro key |\n|--|--|\n| prod | {K} |", "column", "column"),
    ],
    ids=["line", "callee", "sibling", "above", "parent", "section", "csv", "csv-provider", "sql", "markdown"],
)
def test_key_path_levels_say_what_and_whose(text: str, kind_from: str, owner_from: str) -> None:
    """The nearest level with a kind and the nearest with an owner come from where the
    names are (the path ``x/questionpro.txt`` owns what nothing nearer owns)."""
    key = new_key()
    rendered = text.replace("{K}", key)
    start = rendered.index(key)
    line_start = rendered.rfind("\n", 0, start) + 1
    line_end = rendered.find("\n", start) % (len(rendered) + 1)
    path = "x/questionpro.txt"
    batches = judge._key_path(judge.Context(rendered, path), start, line_start, line_end)
    levels = [lv for batch in batches for lv in batch]
    kind = next(lv for lv in levels if lv.verdict.kind not in (Kind.NEUTRAL, Kind.WEAK))
    owner = next(lv for lv in levels if lv.verdict.owner is not Owner.NONE)
    assert (kind.source.value, owner.source.value) == (kind_from, owner_from)
    assert [m.secret for m in detect.find_keys(rendered, path=path)] == [key]


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("# pragma: allowlist nextline secret\nQP_KEY={K}\nQP_KEY={K}\n", [3]),
        ("# pragma: allowlist nextline secret\n\nQP_KEY={K}\n", [3]),
        ("QP_KEY={K}  # pragma: allowlist secret\nQP_KEY={K}\n", [2]),
        ("# pragma: allowlist secret\nQP_KEY={K}\n", [2]),
        ("# pragma: allowlist nextline secret\nA=1\nB=2\nC='" + "y" * 900 + "' QP_KEY={K}\n", [4]),
        ("QP_KEY={K} " + "y" * 900 + " # pragma: allowlist secret\n", []),
    ],
    ids=["nextline-one", "nextline-blank", "inline-own", "inline-not-next", "far-line-4", "inline-far"],
)
def test_pragma_covers_exactly_its_line_or_the_next(text: str, lines: list[int]) -> None:
    found = detect.find_keys(text.replace("{K}", new_key()))
    assert [m.line_number for m in found] == lines


def test_base64_key_in_a_kubernetes_secret_reports_the_decoded_key() -> None:
    key = new_key()
    encoded = base64.b64encode(key.encode()).decode()
    text = f"kind: Secret\ndata:\n  QUESTIONPRO_API_KEY: {encoded}\n  REQUEST_ID: {encoded}\n"
    found = detect.find_keys(text)
    assert [(m.line_number, m.secret, m.encoding) for m in found] == [(3, key, "base64")]
    assert detect.find_keys(text.replace("kind: Secret", "kind: ConfigMap")) == []


def test_one_line_of_thousands_of_entries_is_linear_enough(hang_guard: None) -> None:
    """Not a speed assertion (that is benchmarks/linear_detect.py): each candidate looks
    at a bounded window, so this finishes at all and finds every key."""
    keys = [new_key() for _ in range(5000)]
    line = '{"questionpro": {' + ", ".join(f'"k{i}": {{"api_key": "{k}"}}' for i, k in enumerate(keys)) + "}}"
    assert [m.secret for m in detect.find_keys(line)] == keys


@pytest.mark.parametrize("case", POSITIVES, ids=lambda c: c.name)
def test_positive_with_crlf_line_endings(case: Case) -> None:
    key = new_key()
    found = detect.find_keys(case.render(key).replace("\n", "\r\n"), path=case.filename)
    assert [m.line_number for m in found] == [line for line, _ in case.expect]


@pytest.mark.parametrize("case", NEGATIVES, ids=lambda c: c.name)
def test_negative_with_crlf_line_endings(case: Case) -> None:
    assert detect.find_keys(case.render(new_key()).replace("\n", "\r\n"), path=case.filename) == []


def test_clean_text_loads_no_judgement_modules() -> None:
    """The hook's clean path pays for the UUID probe only: the key-path modules load at
    the first candidate."""
    import subprocess
    import sys

    probe = (
        "import sys\nfrom responder.scanning import detect\n"
        "assert detect.find_keys('x = 1\\n' * 1000) == []\n"
        "print(sorted(m for m in sys.modules if m.startswith('responder.scanning.')))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['responder.scanning.detect']"


@pytest.mark.parametrize(
    "text",
    ["\n{K}\n", "value:\n\nvalue: {K}\n", ",\n{K}", "  \n  - {K}\n", ";;\n= {K}"],
    ids=["blank-above", "blank-between", "comma-above", "list-item", "separators"],
)
def test_bare_values_after_empty_lines_do_not_crash(text: str) -> None:
    assert detect.find_keys(text.replace("{K}", new_key())) == []


_ATOMS = [
    "\n", "\r\n", " ", "\t", ",", ";", "|", "(", ")", "[", "]", "{", "}", ":", "=", '"', "'", "`", "<", ">",
    "</x>", "- ", "name", "value", "api_key", "QUESTIONPRO_API_KEY", "questionpro", "VALUES", "kind: Secret",
    "INSERT INTO t (a, api_key) VALUES", "[questionpro]", "# pragma: allowlist nextline secret", "key", "hapikey",
    "class X", "def f():", "=>", "::", ".", "/", "\\", "\x00", "\xff", "qp", "token", "id", "--body", "|--|--|\n",
]  # fmt: skip


def test_arbitrary_structure_never_crashes() -> None:
    """Seeded mixes of the characters and words the key path reads, with plain and
    base64-encoded UUIDs in between: every judgement finishes without an exception."""
    rng = random.Random(9)
    for _ in range(3000):
        parts = [rng.choice(_ATOMS) for _ in range(rng.randint(0, 25))]
        for _ in range(rng.randint(1, 3)):
            key = new_key()
            parts.insert(rng.randint(0, len(parts)), rng.choice([key, base64.b64encode(key.encode()).decode()]))
        text = "".join(parts)
        detect.find_keys(text, path=rng.choice([None, "a/questionpro/key", "x.csv"]))
        detect.line_naming(text.split("\n")[0])
