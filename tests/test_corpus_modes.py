"""Every mode judges the labelled corpus the same: ``scan PATH``, ``--staged``,
``--range``, ``--history`` and the detect-secrets plugin, in one real repository."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import Repo, run_cli
from tests.corpus import NEGATIVES, POSITIVES, new_key

Place = tuple[str, int]


def _plant(repo: Repo, key: str) -> set[Place]:
    expected: set[Place] = set()
    for i, case in enumerate(POSITIVES + NEGATIVES):
        name = f"k{i:03d}/{case.filename}"
        repo.write(name, case.render(key))
        expected |= {(name, line) for line, _ in case.expect}
    return expected


def _scan(repo: Repo, key: str, *args: str) -> set[Place]:
    run = run_cli(["scan", "--format", "json", *args], repo.path, secrets=[key])
    assert run.code in (0, 1), run.stderr
    return {(f["filename"], f["line_number"]) for f in json.loads(run.stdout) if not f["previously_committed"]}


def _plugin(repo: Repo) -> set[Place]:
    plugin = run_cli(["plugin-path"], repo.path).stdout.strip()
    tool = shutil.which("detect-secrets", path=str(Path(sys.executable).parent)) or "detect-secrets"
    done = subprocess.run(
        [tool, "scan", "--plugin", plugin, "--disable-plugin", "KeywordDetector"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)["results"]
    return {
        (r["filename"], r["line_number"]) for rs in results.values() for r in rs if r["type"] == "QuestionPro API Key"
    }


def test_every_mode_agrees_on_the_corpus(repo: Repo) -> None:
    key = new_key()
    repo.write("README", "base\n")
    base = repo.commit("base")
    expected = _plant(repo, key)
    repo.git("add", "-A")
    staged = _scan(repo, key, "--staged")
    plugin = _plugin(repo)
    repo.commit("corpus")
    by_mode = {
        "path": _scan(repo, key, "."),
        "staged": staged,
        "range": _scan(repo, key, "--range", f"{base}..HEAD"),
        "history": _scan(repo, key, "--history"),
        "plugin": plugin,
    }
    for mode, found in by_mode.items():
        assert found == expected, (mode, sorted(found ^ expected))
