"""A key the file holds base64-encoded (a Kubernetes Secret's ``data``) is reported as
encoded in every output, with the redacted form and hashed_secret of the decoded key (the
one ``respond`` takes), located where the encoded text is, and never shown encoded."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from responder.actions import summary
from responder.core.redact import hashed_secret, redact
from tests.conftest import Repo, run_main
from tests.corpus import new_key

SECRET_YAML = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: questionpro\ndata:\n  QUESTIONPRO_API_KEY: {B64}\n"
PLAIN_ENV = "QUESTIONPRO_API_KEY={K}\n"

MODES = [["."], ["--staged"], ["--range", "HEAD~1..HEAD"], ["--history"]]


def _encoded(key: str, newline: bool) -> str:
    return base64.b64encode((key + ("\n" if newline else "")).encode()).decode()


def _planted(repo: Repo, key: str, mode: list[str], newline: bool = False) -> None:
    repo.write("README", "base\n")
    repo.commit("base")
    repo.write("k8s/secret.yaml", SECRET_YAML.replace("{B64}", _encoded(key, newline)))
    repo.write(".env", PLAIN_ENV.replace("{K}", key))
    if mode == ["--staged"]:
        repo.git("add", "-A")
    else:
        repo.commit("leak")


def _scan(repo: Repo, key: str, fmt: str, mode: list[str], newline: bool = False) -> str:
    run = run_main(["scan", "--format", fmt, *mode], repo.path, secrets=[key])
    assert run.code == 1, run.output
    for form in (_encoded(key, newline), _encoded(key, not newline)):
        assert form not in run.output
    return run.stdout


@pytest.mark.parametrize("mode", MODES, ids=lambda m: m[0])
@pytest.mark.parametrize("newline", [False, True], ids=["bare", "with-newline"])
def test_json_says_which_finding_is_encoded_and_hashes_the_decoded_key(
    repo: Repo, mode: list[str], newline: bool
) -> None:
    key = new_key()
    _planted(repo, key, mode, newline)
    found = {f["filename"]: f for f in json.loads(_scan(repo, key, "json", mode, newline))}
    assert set(found) == {"k8s/secret.yaml", ".env"}
    encoded, plain = found["k8s/secret.yaml"], found[".env"]
    assert (encoded["encoding"], plain["encoding"]) == ("base64", None)
    assert encoded["line_number"] == 6
    assert encoded["hashed_secret"] == plain["hashed_secret"] == hashed_secret(key)
    assert encoded["redacted"] == redact(key)


def test_text_tells_the_encoding_and_what_the_hash_is_of(repo: Repo) -> None:
    key = new_key()
    _planted(repo, key, ["."])
    lines = _scan(repo, key, "text", ["."]).splitlines()
    [encoded] = [line for line in lines if line.startswith("k8s/secret.yaml:6:")]
    [plain] = [line for line in lines if line.startswith(".env:1:")]
    assert "base64-encoded in the file" in encoded and "of the decoded key" in encoded
    assert hashed_secret(key) in encoded
    assert "base64" not in plain


@pytest.mark.parametrize("mode", [["."], ["--history"]], ids=lambda m: m[0])
def test_sarif_locates_the_encoded_text_and_carries_the_encoding(repo: Repo, mode: list[str]) -> None:
    key = new_key()
    _planted(repo, key, mode)
    doc: dict[str, Any] = json.loads(_scan(repo, key, "sarif", mode))
    by_uri = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r for r in doc["runs"][0]["results"]}
    encoded, plain = by_uri["k8s/secret.yaml"], by_uri[".env"]
    assert encoded["properties"]["encoding"] == "base64" and plain["properties"]["encoding"] is None
    assert encoded["properties"]["inAnalyzedVersion"] is True
    column = len("  QUESTIONPRO_API_KEY: ") + 1
    region = encoded["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endColumn"]) == (6, column, column + 48)
    assert "base64-encoded" in encoded["message"]["text"] and "base64" not in plain["message"]["text"]
    assert encoded["partialFingerprints"]["hashedSecret/v1"] == hashed_secret(key)


def test_job_summary_marks_encoded_keys(repo: Repo) -> None:
    from responder.scanning.scanner import findings_in_text

    key = new_key()
    found = findings_in_text(SECRET_YAML.replace("{B64}", _encoded(key, False)), "secret.yaml")
    found += findings_in_text(PLAIN_ENV.replace("{K}", key), ".env")
    text = summary.render([], found, [])
    assert f"{redact(key)} (base64)" in text and "are of the decoded key" in text
    assert text.count("(base64)") == 2  # the marked row and the note
    assert key not in text and _encoded(key, False) not in text
