"""`sweep-matrix` against the fake GitHub (hundreds of repositories, pagination by Link
headers) and `sweep-summary` over real scans' reports, both through the entry point."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from responder.response.repos import next_link, shard
from tests.conftest import ROOT, Repo, assert_no_secret, git, run_main
from tests.corpus import new_key
from tests.fake_github import FakeGitHub, Fault

BIN = Path(sys.executable).parent
TOKEN = "ghs_sweep"


@pytest.fixture
def gh() -> Iterator[FakeGitHub]:
    fake = FakeGitHub(tokens={TOKEN: set()})
    fake.start()
    yield fake
    fake.stop()


def _matrix(gh: FakeGitHub, *args: str, token: str = TOKEN) -> tuple[int, dict[str, object] | None, str]:
    run = run_main(["sweep-matrix", *args], Path.cwd(), env={"GITHUB_TOKEN": token, "GITHUB_API_URL": gh.url})
    return run.code, (json.loads(run.stdout) if run.stdout else None), run.stderr


def _names(matrix: dict[str, object]) -> list[str]:
    include = matrix["include"]
    assert isinstance(include, list)
    return [name for job in include for name in job["repositories"]]


@pytest.mark.parametrize(
    ("flags", "count", "jobs"),
    [
        ([], 540, 180),  # 660 listed: 60 archived and 60 forks left out; 3 a job keeps it within 256
        (["--include-archived"], 600, 200),
        (["--include-archived", "--include-forks"], 660, 220),
        (["--shard-size", "50"], 540, 11),
    ],
)
def test_matrix_follows_every_page_and_stays_within_256_jobs(
    gh: FakeGitHub, flags: list[str], count: int, jobs: int
) -> None:
    names = gh.add_repositories("octo", 660, every=11)
    code, matrix, err = _matrix(gh, "--org", "octo", *flags)
    assert code == 0 and matrix is not None, err
    listed = _names(matrix)
    assert len(listed) == len(set(listed)) == count
    assert set(listed) <= set(names)
    include = matrix["include"]
    assert isinstance(include, list) and len(include) == jobs <= 256
    assert include[0]["shard"] == f"1-of-{jobs}"
    pages = [path for method, path, _ in gh.log if path == "/orgs/octo/repos"]
    assert len(pages) == 7  # 660 at 100 a page: the first request and six "next" links
    assert f"{count} repositories of octo in {jobs} job(s)" in err


def test_small_organization_gets_a_job_per_repository(gh: FakeGitHub) -> None:
    gh.add_repositories("octo", 3)
    code, matrix, _ = _matrix(gh, "--org", "octo")
    assert code == 0 and matrix is not None
    assert matrix["include"] == [{"shard": f"{n + 1}-of-3", "repositories": [f"octo/repo-{n:04d}"]} for n in range(3)]


def test_user_repositories_and_an_empty_organization(gh: FakeGitHub) -> None:
    gh.add_repositories("mona", 130, kind="users")
    gh.listings["orgs/empty"] = []
    code, matrix, _ = _matrix(gh, "--user", "mona")
    assert code == 0 and matrix is not None and len(_names(matrix)) == 130
    assert ("GET", "/users/mona/repos") in {(m, p) for m, p, _ in gh.log}
    assert _matrix(gh, "--org", "empty")[:2] == (0, {"include": []})


@pytest.mark.parametrize(
    ("args", "token", "code", "message"),
    [
        (["--org", "octo", "--shard-size", "1"], TOKEN, 2, "use --shard-size 3 or more"),
        (["--org", "nobody"], TOKEN, 7, "not found"),
        (["--org", "octo"], "wrong", 7, "invalid or expired"),
        (["--org", "octo", "--user", "mona"], TOKEN, 2, "give --org NAME or --user NAME"),
        ([], TOKEN, 2, "give --org NAME or --user NAME"),
        (["--org", "../x"], TOKEN, 7, "not a GitHub org name"),
    ],
)
def test_matrix_errors_are_clear(gh: FakeGitHub, args: list[str], token: str, code: int, message: str) -> None:
    gh.add_repositories("octo", 600)
    got, matrix, err = _matrix(gh, *args, token=token)
    assert (got, matrix) == (code, None) and message in err, err


def test_a_server_error_on_a_page_is_retried(gh: FakeGitHub) -> None:
    gh.add_repositories("octo", 250)
    gh.faults[("GET", "list_repos")] = [Fault(502, "Bad Gateway")]
    code, matrix, err = _matrix(gh, "--org", "octo")
    assert code == 0 and matrix is not None and len(_names(matrix)) == 250, err


@pytest.mark.parametrize(
    ("header", "url"),
    [
        (
            '<https://api.github.com/orgs/o/repos?page=2>; rel="next", <https://x/y?page=9>; rel="last"',
            "https://api.github.com/orgs/o/repos?page=2",
        ),
        ('<https://x/y?page=1>; rel="prev", <https://x/y?page=3>; rel="next"', "https://x/y?page=3"),
        ('<https://x/y?page=1>; rel="first", <https://x/y?page=2>; rel="prev"', None),
        (None, None),
    ],
)
def test_next_link(header: str | None, url: str | None) -> None:
    assert next_link(header) == url


@pytest.mark.parametrize(
    ("count", "size", "sizes"),
    [(0, None, []), (256, None, [1] * 256), (257, None, [2] * 128 + [1]), (10, 4, [4, 4, 2])],
)
def test_shard_sizes(count: int, size: int | None, sizes: list[int]) -> None:
    assert [len(s) for s in shard([f"o/r{n}" for n in range(count)], size)] == sizes


# -- sweep-summary ----------------------------------------------------------------------------


def _scan_into(repo: Repo, reports: Path, name: str) -> int:
    target = reports / f"{name}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    return run_main(["scan", "--history", "--format", "json", "--output", str(target)], repo.path).code


def test_summary_merges_reports_from_every_job(tmp_path: Path) -> None:
    key, other = new_key(), new_key()
    reports = tmp_path / "reports"
    made = []
    for n, content in enumerate([f"QUESTIONPRO_API_KEY={key}\n", "nothing\n", f"QP_API_KEY={other}\n"]):
        path = tmp_path / f"r{n}"
        path.mkdir()
        git(path, "init", "-q")
        repo = Repo(path)
        repo.write(".env", content)
        repo.commit()
        made.append(repo)
    assert _scan_into(made[0], reports / "job-1", "octo/app") == 1  # one artifact per job, merged
    assert _scan_into(made[1], reports / "job-1", "octo/docs") == 0
    assert _scan_into(made[2], reports / "job-2", "mona/site") == 1
    (reports / "job-2" / "octo").mkdir()
    (reports / "job-2" / "octo" / "huge.json").write_text('{"error": "clone failed (exit 128)"}')
    (reports / "job-2" / "octo" / "torn.json").write_text("[{")

    run = run_main(["sweep-summary", "--format", "JSON", str(reports / "job-1"), str(reports / "job-2")], tmp_path)
    assert run.code == 1
    data = json.loads(run.stdout)
    assert data["repositories_scanned"] == 3 and data["distinct_keys"] == 2
    assert data["repositories_with_findings"] == ["mona/site", "octo/app"]
    assert {e["repository"] for e in data["errors"]} == {"octo/huge", "octo/torn"}
    assert {(f["repository"], f["filename"], f["line_number"]) for f in data["findings"]} == {
        ("octo/app", ".env", 1),
        ("mona/site", ".env", 1),
    }
    text = run_main(["sweep-summary", str(reports / "job-1"), str(reports / "job-2")], tmp_path, secrets=[key, other])
    assert "octo/app: 1 finding(s), 1 distinct key(s)" in text.stdout
    assert "octo/torn: not scanned: unreadable report" in text.stdout
    assert "3 repositories scanned, 2 with QuestionPro API keys (2 distinct), 2 error(s)." in text.stdout
    markdown = run_main(["sweep-summary", "-f", "markdown", str(reports / "job-1")], tmp_path, secrets=[key, other])
    assert "| octo/app | .env:1 |" in markdown.stdout and markdown.code == 1


@pytest.mark.parametrize(
    ("files", "code"),
    [
        ({"octo/a.json": "[]", "octo/b.json": "[]"}, 0),
        ({"octo/a.json": "[]", "octo/b.json": '{"error": "timeout"}'}, 2),  # incomplete is not clean
        ({}, 2),  # no reports at all
        ({"octo/a.json": '[{"filename": "x|y`z", "line_number": 1, "hashed_secret": "ab", "redacted": "1…2"}]'}, 1),
    ],
)
def test_summary_exit_status(tmp_path: Path, files: dict[str, str], code: int) -> None:
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    run = run_main(["sweep-summary", "--format", "markdown", str(tmp_path)], tmp_path)
    assert run.code == code, run.output
    assert "x|y`z" not in run.stdout  # a hostile file name cannot break the table


def _readme_sweep_jobs() -> dict[str, Any]:
    import yaml

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("# .github/workflows/questionpro-sweep.yml\n", 1)[1].split("```", 1)[0]
    jobs = yaml.safe_load(block)["jobs"]
    assert isinstance(jobs, dict)
    return jobs


def test_readme_sweep_workflow_steps_run(gh: FakeGitHub, tmp_path: Path) -> None:
    """The README's three jobs, their shell steps run as written: list through the fake
    GitHub, scan real mirrors (file:// instead of https://), merge the artifacts."""
    jobs = _readme_sweep_jobs()
    assert jobs["scan"]["strategy"]["matrix"] == "${{ fromJSON(needs.list.outputs.matrix) }}"
    assert jobs["summary"]["needs"] == ["list", "scan"]
    key = new_key()
    server = tmp_path / "server"
    for name, content in {"octo/app": f"QUESTIONPRO_API_KEY={key}\n", "octo/docs": "x\n"}.items():
        work = tmp_path / "work" / name
        work.mkdir(parents=True)
        git(work, "init", "-q")
        Repo(work).write(".env", content)
        Repo(work).commit()
        git(tmp_path, "clone", "-q", "--bare", str(work), str(server / f"{name}.git"))
    gh.listings["orgs/octo"] = [
        {"id": n, "full_name": name, "archived": False, "fork": False, "private": True}
        for n, name in enumerate(("octo/app", "octo/docs", "octo/gone"))
    ]
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    outputs = tmp_path / "outputs"
    list_step = jobs["list"]["steps"][1]
    listed = subprocess.run(
        ["bash", "-e", "-c", list_step["run"]],
        cwd=tmp_path,
        env={**env, "GITHUB_TOKEN": TOKEN, "GITHUB_API_URL": gh.url, "ORG": "octo", "GITHUB_OUTPUT": str(outputs)},
        capture_output=True,
        text=True,
    )
    assert listed.returncode == 0, listed.stderr
    out = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    assert out["count"] == "3"
    matrix = json.loads(out["matrix"])
    scan_step = jobs["scan"]["steps"][1]
    for n, job in enumerate(matrix["include"]):  # each job in its own workspace, as on runners
        workspace = tmp_path / f"job{n}"
        workspace.mkdir()
        done = subprocess.run(
            ["bash", "-e", "-c", scan_step["run"]],
            cwd=workspace,
            env={**env, "TOKEN": "t", "SERVER": f"file://{server}", "REPOSITORIES": " ".join(job["repositories"])},
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        assert_no_secret(done.stdout + done.stderr, [key])
        artifacts = tmp_path / "downloaded"  # download-artifact with merge-multiple
        shutil.copytree(workspace / "reports", artifacts, dirs_exist_ok=True)
    summary_step = jobs["summary"]["steps"][2]
    done = subprocess.run(
        ["bash", "-e", "-c", summary_step["run"].replace("reports", str(tmp_path / "downloaded"))],
        cwd=tmp_path,
        env={**env, "MATRIX": out["matrix"], "GITHUB_STEP_SUMMARY": str(tmp_path / "step-summary.md")},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1, done.stdout + done.stderr  # a key was found
    assert "octo/app: 1 finding(s), 1 distinct key(s)" in done.stdout
    assert "octo/gone: not scanned: clone failed" in done.stdout
    assert "| octo/app | .env:1 |" in (tmp_path / "step-summary.md").read_text()
    assert_no_secret(done.stdout + done.stderr + (tmp_path / "step-summary.md").read_text(), [key])
