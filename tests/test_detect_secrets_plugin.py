"""The plugin under the real detect-secrets, run as a subprocess the way users run it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from responder.scanning import file_keys
from tests.conftest import Repo, assert_no_secret, run_cli
from tests.corpus import NEGATIVES, POSITIVES, new_key

BIN = Path(sys.executable).parent


def _ds(tool: str, *args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    exe = shutil.which(tool, path=str(BIN)) or tool
    return subprocess.run(
        [exe, *args], cwd=cwd, capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})}
    )


def _results(baseline: dict[str, object]) -> set[tuple[str, str, int]]:
    results = baseline["results"]
    assert isinstance(results, dict)
    return {(r["filename"], r["type"], r["line_number"]) for items in results.values() for r in items}


def _plant(repo: Repo, key: str) -> set[tuple[str, str, int]]:
    expected = set()
    for i, case in enumerate(POSITIVES + NEGATIVES):
        name = f"c{i:02d}/{case.filename}"
        repo.write(name, case.render(key))
        expected |= {(name, "QuestionPro API Key", line) for line, _ in case.expect}
    # other secrets the built-in plugins must keep reporting (or keep filtering) exactly as before
    repo.write("other/aws.py", 'aws_key = "AKIAZZZZZZZZZZZZZZZZ"\n')
    repo.write("other/indirect.py", 'password = get_secret("zzzzzzzzzzzzzzzzzzzzzzzzzzzz1234")\n')
    repo.write("other/uuid_pw.py", f'password = "{new_key()}"\n')
    repo.write("other/basic.txt", "url = https://user:hunter2hunter@example.com\n")
    repo.git("add", "-A")
    return expected


def test_scan_with_plugin_reports_keys_and_keeps_builtins(repo: Repo) -> None:
    key = new_key()
    expected = _plant(repo, key)
    plugin = run_cli(["plugin-path"], repo.path).stdout.strip()
    without = _ds("detect-secrets", "scan", cwd=repo.path)
    with_plugin = _ds("detect-secrets", "scan", "--plugin", plugin, cwd=repo.path)
    assert without.returncode == 0 and with_plugin.returncode == 0, with_plugin.stderr
    before, after = json.loads(without.stdout), json.loads(with_plugin.stdout)
    ours = {r for r in _results(after) if r[1] == "QuestionPro API Key"}
    assert ours == expected
    # Built-ins report exactly what they did. (detect-secrets re-reads a file with its eager
    # transformers only when the first pass found nothing, for any plugin's finding: files
    # where ours found a key are compared without that second pass.)
    ours_files = {name for name, _, _ in ours}
    builtins_after = _results(after) - ours
    assert {r for r in builtins_after if r[0] not in ours_files} == {
        r for r in _results(before) if r[0] not in ours_files
    }
    assert builtins_after <= _results(before)  # never a built-in finding the plugin made up
    assert {r for r in _results(after) if r[0].startswith("other/")} == {
        r for r in _results(before) if r[0].startswith("other/")
    }
    assert ("other/aws.py", "AWS Access Key", 1) in _results(before)


def test_hook_with_committed_shim_and_relative_baseline(repo: Repo) -> None:
    key, new = new_key(), new_key()
    repo.write("a.env", f"QUESTIONPRO_API_KEY={key}\n")
    repo.git("add", "-A")
    assert run_cli(["init-plugin"], repo.path).code == 0
    shim = ".secrets-plugins/questionpro.py"
    made = _ds("detect-secrets", "scan", "--plugin", shim, cwd=repo.path)
    (repo.path / ".secrets.baseline").write_text(made.stdout)
    assert run_cli(["init-plugin", "--baseline", ".secrets.baseline"], repo.path).code == 0
    baseline = json.loads((repo.path / ".secrets.baseline").read_text())
    paths = [p.get("path") for p in baseline["plugins_used"] if p["name"] == "QuestionProDetector"]
    assert paths == [f"file://{shim}"]
    assert_no_secret((repo.path / ".secrets.baseline").read_text(), [key])
    # the baseline works from another clone: same relative path, nothing absolute
    repo.commit("baseline")
    clone = repo.path.parent / "clone"
    subprocess.run(["git", "clone", "-q", str(repo.path), str(clone)], check=True)
    (clone / "b.env").write_text(f"QP_API_KEY={new}\n")
    hook = _ds("detect-secrets-hook", "--baseline", ".secrets.baseline", "a.env", "b.env", cwd=clone)
    assert hook.returncode == 1
    assert "b.env:1" in hook.stdout and "a.env" not in hook.stdout
    assert_no_secret(hook.stdout + hook.stderr, [key, new])


def test_hook_with_plugin_flag_blocks_a_key(repo: Repo) -> None:
    key = new_key()
    repo.write("a.py", f"# questionpro\nheaders = {{'api-key': '{key}'}}\n")
    plugin = run_cli(["plugin-path"], repo.path).stdout.strip()
    hook = _ds("detect-secrets-hook", "--plugin", plugin, "a.py", cwd=repo.path)
    assert hook.returncode == 1 and "QuestionPro API Key" in hook.stdout and "a.py:2" in hook.stdout
    assert_no_secret(hook.stdout + hook.stderr, [key])


def test_shim_fails_loudly_without_qp_responder(repo: Repo, tmp_path: Path) -> None:
    """detect-secrets must never pass silently because the plugin could not load."""
    run_cli(["init-plugin"], repo.path)
    blocker = tmp_path / "blocker" / "responder"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('not installed')\n")
    repo.write("a.env", f"QUESTIONPRO_API_KEY={new_key()}\n")
    repo.git("add", "-A")
    run = _ds(
        "detect-secrets",
        "scan",
        "--plugin",
        ".secrets-plugins/questionpro.py",
        cwd=repo.path,
        env={"PYTHONPATH": str(blocker.parent)},
    )
    assert run.returncode != 0
    assert "qp-responder is not installed" in run.stderr


K = "6b1f0c2e-94d7-4a3e-8c55-2f7e9d1a4b60"


@pytest.mark.parametrize(
    ("raw", "shown", "line_number", "placed"),
    [
        # a transformer showed a block scalar's value on its name's line: placed where it is
        ("qp:\n  apiKey: >-\n    {K}\n", 'apiKey: "{K}"', 2, {3}),
        ("qp:\n  token: |\n    \n    {K}\n", 'token: "{K}"', 2, {4}),
        # shown where it is written
        ("qp:\n  apiKey: {K}\n", 'apiKey: "{K}"', 2, {2}),
        # the line itself holds the key: never a later copy of it
        ("apiKey: {K}\nother: {K}\n", "apiKey: {K}", 1, {1}),
        # a line between holds it: the finding below belongs to that line, not to this one
        ("notes: >-\n  survey {K}\nqp:\n  apiKey: {K}\n", 'notes: "survey {K}"', 1, set()),
        # a key above is never moved down to this line
        ("qp:\n  apiKey: {K}\nb: >-\n  x\n", 'b: "{K}"', 3, set()),
        # no line number (a string): wherever the file holds it
        ("qp:\n  apiKey: >-\n    {K}\n", "{K}", 0, {3}),
    ],
)
def test_keys_are_placed_where_the_file_holds_them(
    tmp_path: Path, raw: str, shown: str, line_number: int, placed: set[int]
) -> None:
    path = tmp_path / "questionpro.yml"
    path.write_text(raw.replace("{K}", K))
    judged = file_keys.judge(str(path))
    assert judged is not None
    assert {number for number, _ in judged.keys} >= placed
    assert judged.places(shown.replace("{K}", K), line_number) == {(number, K) for number in placed}


def test_a_file_that_cannot_be_read_whole_is_not_judged(tmp_path: Path) -> None:
    assert file_keys.judge(str(tmp_path / "gone.yml")) is None
    assert file_keys.judge(str(tmp_path)) is None
