"""What the diff modes (``--staged``, ``--range``, ``--history``) must see although the
patch alone does not show it (git diffs with no context lines):

* a base64 key added to an existing Kubernetes Secret far from its ``kind: Secret`` line;
* a key in a UTF-16 file (with a BOM), which git diffs as bytes full of NULs: the blobs
  are decoded and only keys the old blob did not hold are added.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import pytest

from responder.core.redact import hashed_secret
from tests.conftest import Repo, run_main
from tests.corpus import new_key

Place = tuple[str, int, str | None]  # file, line, encoding


def b64(key: str) -> str:
    return base64.b64encode(key.encode()).decode()


def k8s(kind: str, entries: list[str]) -> str:
    labels = "".join(f"    tier-{i}: backend\n" for i in range(8))  # the hunk lands far from "kind"
    return f"apiVersion: v1\nkind: {kind}\nmetadata:\n  name: sync\n  labels:\n{labels}data:\n" + "".join(
        f"  {entry}\n" for entry in entries
    )


def utf16(text: str, codec: str = "utf-16") -> bytes:
    return text.encode(codec) if codec == "utf-16" else b"\xfe\xff" + text.encode(codec)


def _run(repo: Repo, mode: str, base: str, keys: list[str]) -> set[Place]:
    args = {"staged": ["--staged"], "range": ["--range", f"{base}..HEAD"], "history": ["--history"]}[mode]
    if mode == "staged":
        repo.git("add", "-A")
    else:
        repo.commit("change")
    run = run_main(["scan", "--format", "json", *args], repo.path, secrets=keys)
    assert run.code in (0, 1), run.output
    for key in keys:
        assert b64(key) not in run.output
    head = repo.git("rev-parse", "HEAD") if mode == "history" else None
    return {
        (f["filename"], f["line_number"], f["encoding"])
        for f in json.loads(run.stdout)
        if not f["previously_committed"] and f["commit"] == (head or f["commit"])  # the change's own
    }


MODES = ["staged", "range", "history"]
Scenario = Callable[[Repo, str, str], tuple[str, set[Place]]]  # (repo, key, old key) -> (base, expected)


def b64_added_far_from_kind(repo: Repo, key: str, old: str) -> tuple[str, set[Place]]:
    repo.write("k8s/secret.yaml", k8s("Secret", [f"OTHER: {b64('x' * 10)}"]))
    base = repo.commit("base")
    repo.write("k8s/secret.yaml", k8s("Secret", [f"OTHER: {b64('x' * 10)}", f"QUESTIONPRO_API_KEY: {b64(key)}"]))
    return base, {("k8s/secret.yaml", 16, "base64")}


def b64_added_to_configmap(repo: Repo, key: str, old: str) -> tuple[str, set[Place]]:
    repo.write("k8s/cm.yaml", k8s("ConfigMap", ["A: b"]))
    base = repo.commit("base")
    repo.write("k8s/cm.yaml", k8s("ConfigMap", ["A: b", f"QUESTIONPRO_API_KEY: {b64(key)}"]))
    return base, set()


def utf16_new_file(repo: Repo, key: str, old: str) -> tuple[str, set[Place]]:
    base = repo.commit("base")
    repo.write("win/settings.env", utf16(f"LOG=info\r\nQUESTIONPRO_API_KEY={key}\r\n"))
    return base, {("win/settings.env", 2, None)}


def utf16_be_new_file(repo: Repo, key: str, old: str) -> tuple[str, set[Place]]:
    base = repo.commit("base")
    repo.write("win/settings.env", utf16(f"QUESTIONPRO_API_KEY={key}\n", "utf-16-be"))
    return base, {("win/settings.env", 1, None)}


def utf16_key_added_below_old_key(repo: Repo, key: str, old: str) -> tuple[str, set[Place]]:
    lines = [f"QP_API_KEY_EU={old}"] + [f"SETTING_{i}=on" for i in range(20)]
    repo.write("win/qp.env", utf16("\n".join(lines) + "\n"))
    base = repo.commit("base")
    repo.write("win/qp.env", utf16("\n".join([*lines, f"QP_API_KEY_US={key}"]) + "\n"))
    return base, {("win/qp.env", 22, None)}


def utf16_unrelated_edit_keeps_old_key(repo: Repo, key: str, old: str) -> tuple[str, set[Place]]:
    repo.write("win/qp.env", utf16(f"QP_API_KEY={old}\nA=1\n"))
    base = repo.commit("base")
    repo.write("win/qp.env", utf16(f"QP_API_KEY={old}\nA=2\n"))
    return base, set()


def utf16_survey_id_refused(repo: Repo, key: str, old: str) -> tuple[str, set[Place]]:
    base = repo.commit("base")
    repo.write("win/qp.env", utf16(f"# questionpro\nQUESTIONPRO_SURVEY_ID={key}\n"))
    return base, set()


SCENARIOS = [
    b64_added_far_from_kind,
    b64_added_to_configmap,
    utf16_new_file,
    utf16_be_new_file,
    utf16_key_added_below_old_key,
    utf16_unrelated_edit_keeps_old_key,
    utf16_survey_id_refused,
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_diff_modes_see_what_the_patch_hides(repo: Repo, scenario: Scenario, mode: str) -> None:
    key, old = new_key(), new_key()
    repo.write("README", "base\n")
    repo.commit("root")
    base, expected = scenario(repo, key, old)
    assert _run(repo, mode, base, [key, old]) == expected


def test_path_mode_agrees_on_utf16(repo: Repo) -> None:
    key = new_key()
    repo.write("win/settings.env", utf16(f"LOG=info\r\nQUESTIONPRO_API_KEY={key}\r\n"))
    run = run_main(["scan", "--format", "json", "."], repo.path, secrets=[key])
    [finding] = json.loads(run.stdout)
    assert (finding["line_number"], finding["hashed_secret"]) == (2, hashed_secret(key))


def test_range_reports_a_key_removed_from_a_utf16_file_as_previously_committed(repo: Repo) -> None:
    key = new_key()
    repo.write("win/qp.env", utf16(f"A=1\nQP_API_KEY={key}\n"))
    base = repo.commit("leak")
    repo.write("win/qp.env", utf16("A=1\n"))
    repo.commit("remove")
    run = run_main(["scan", "--format", "json", "--range", f"{base}..HEAD"], repo.path, secrets=[key])
    [finding] = json.loads(run.stdout)
    assert (finding["line_number"], finding["previously_committed"]) == (2, True)
