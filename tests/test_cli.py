"""The scan command as a new user meets it: conventions shared with gitleaks, ggshield and
pre-commit, the closing advice per situation, and mistakes that must not pass silently.
Everything through the entry point."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Repo, run_main
from tests.corpus import new_key


def _said(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def leaky(repo: Repo) -> tuple[Repo, str]:
    key = new_key()
    repo.write("README.md", "hello\n")
    repo.commit("first")
    repo.write("app/.env", f"QUESTIONPRO_API_KEY={key}\n")
    return repo, key


@pytest.mark.parametrize(
    ("args", "code", "stdout", "stderr"),
    [
        (["scan", "--format", "JSON", "."], 1, '"hashed_secret"', ""),
        (["scan", "-f", "Sarif", "."], 1, '"version": "2.1.0"', ""),
        (["scan", "--exit-zero", "."], 0, "app/.env:1", "Remove the key from the file"),
        (["scan", "-q", "."], 1, "app/.env:1", None),  # quiet: findings only, no advice
        (["scan", "-q", "README.md"], 0, None, None),  # quiet and clean: nothing at all
        (["scan", "README.md"], 0, None, "no QuestionPro API key found in README.md"),
        (["scan", "-v", "app"], 1, "app/.env:1", "scanned in app"),
        (["scan", "nosuchpath"], 2, None, "no such file or directory: nosuchpath"),
        (["scan", "--yes", "."], 2, None, "--yes: only with --respond"),
        (["scan", "--repo", "octo/app", "."], 2, None, "--repo: only with --respond"),
        (["scan", "--datacenter", "eu", "--staged"], 2, None, "--datacenter: only with --respond"),
        (["scan", "--respond", "."], 2, None, "give --repo OWNER/NAME"),  # before scanning
        (["scan", "-q", "-v", "."], 2, None, "exclude each other"),
        (["scan", "--remote", "origin", "."], 2, None, "--remote goes with --pre-push"),
    ],
)
def test_scan_conventions(
    leaky: tuple[Repo, str], args: list[str], code: int, stdout: str | None, stderr: str | None
) -> None:
    repo, key = leaky
    run = run_main(args, repo.path, secrets=[key])
    assert run.code == code, run.output
    if stdout is None:
        assert run.stdout == ""
    else:
        assert stdout in run.stdout
    if stderr is None:
        assert run.stderr == ""
    else:
        assert stderr in _said(run.stderr)


def test_output_file_with_short_option(leaky: tuple[Repo, str]) -> None:
    repo, key = leaky
    run = run_main(["scan", "-f", "json", "-o", "report.json", "."], repo.path, secrets=[key])
    assert run.code == 1 and run.stdout == ""
    assert json.loads((repo.path / "report.json").read_text())[0]["filename"] == "app/.env"


@pytest.mark.parametrize(
    ("mode", "prepare", "advice"),
    [
        (["scan", "--staged"], "stage", "It never left this machine, so rotating it is optional"),
        (["scan", "--range", "HEAD~1..HEAD"], "commit", "there is no change to edit"),
        (["scan", "--history"], "commit", "there is no change to edit"),
        (["scan", "."], "write", "Remove the key from the file and rotate it"),
    ],
)
def test_closing_advice_per_mode(leaky: tuple[Repo, str], mode: list[str], prepare: str, advice: str) -> None:
    repo, key = leaky
    if prepare == "stage":
        repo.git("add", "-A")
    elif prepare == "commit":
        repo.commit("leak")
    run = run_main(mode, repo.path, secrets=[key])
    assert run.code == 1, run.output
    said = _said(run.stderr)
    assert advice in said and "qp-responder respond --repo OWNER/NAME" in said
    assert "Remove the key" not in run.stdout  # advice is for people: stderr; the report: stdout


@pytest.mark.parametrize(
    ("env", "remote", "named"),
    [
        ({"GITHUB_REPOSITORY": "octo/from-env"}, None, "octo/from-env"),
        ({}, "git@github.com:octo/from-ssh.git", "octo/from-ssh"),
        ({}, "https://github.example/octo/from-https", "octo/from-https"),
        ({}, "https://gitlab.example/group/sub/project.git", "OWNER/NAME"),  # not OWNER/NAME shaped
        ({}, "/srv/git/app.git", "OWNER/NAME"),  # a path is not a repository name
        ({}, None, "OWNER/NAME"),
    ],
)
def test_advice_names_the_repository_when_known(
    leaky: tuple[Repo, str], env: dict[str, str], remote: str | None, named: str
) -> None:
    repo, key = leaky
    if remote:
        repo.git("remote", "add", "origin", remote)
    run = run_main(["scan", "."], repo.path, env=env, secrets=[key])
    assert f"qp-responder respond --repo {named}" in run.stderr


def test_init_plugin_writes_at_the_root_and_never_clobbers_an_edited_file(repo: Repo) -> None:
    sub = repo.path / "src" / "deep"
    sub.mkdir(parents=True)
    first = run_main(["init-plugin"], sub)
    shim = repo.path / ".secrets-plugins" / "questionpro.py"
    assert first.code == 0 and shim.is_file() and not (sub / ".secrets-plugins").exists()
    assert ".secrets-plugins/questionpro.py: written" in first.stdout
    assert "detect-secrets scan --baseline .secrets.baseline --plugin .secrets-plugins/questionpro.py" in first.stdout
    assert "already up to date" in run_main(["init-plugin"], repo.path).stdout
    edited = shim.read_text() + "# local change\n"
    shim.write_text(edited)
    refused = run_main(["init-plugin"], sub)
    assert refused.code == 2 and "differs" in refused.stderr and "--force" in refused.stderr
    assert shim.read_text() == edited
    forced = run_main(["init-plugin", "--force"], sub)
    assert forced.code == 0 and "replaced" in forced.stdout and shim.read_text() != edited


def test_a_git_failure_names_the_commit_and_path(repo: Repo) -> None:
    repo.write("a.txt", "hello\n")
    repo.commit("one")
    repo.write("config/app.env", "QP_API_KEY=\n")
    commit = repo.commit("two")
    blob = repo.git("rev-parse", "HEAD:config/app.env")
    (repo.path / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    run = run_main(["scan", "--range", "HEAD~1..HEAD"], repo.path)
    assert run.code == 2
    assert f"cannot read config/app.env in commit {commit[:12]}" in run.stderr and "git fsck" in run.stderr
    history = run_main(["scan", "--history"], repo.path)  # reads blobs itself: says what it could not read
    assert f"cannot read config/app.env in commit {commit[:12]}" in _said(history.stderr)
    assert history.code == 2 and "no key can be ruled out" in history.stderr  # fails closed
