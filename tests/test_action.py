"""action.yml: schema, audit, and its steps under a simulated runner for every event."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT, assert_no_secret, git
from tests.corpus import new_key
from tests.fake_github import FakeGitHub, Fault
from tests.fake_questionpro import FakeQuestionPro
from tests.runner_sim import ActionRun, plant, run_action

BIN = Path(sys.executable).parent
ZERO = "0" * 40


def test_action_yml_matches_the_published_schema() -> None:
    done = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-actions", str(ROOT / "action.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_finds_nothing() -> None:
    done = subprocess.run(
        [str(BIN / "zizmor"), "--offline", str(ROOT / "action.yml")], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings" in done.stdout + done.stderr


def test_inputs_reach_scripts_only_through_env() -> None:
    import yaml

    for step in yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step["name"]


def test_install_step_installs_the_lock_and_runs_nothing_from_the_workspace(tmp_path: Path, wheelhouse: Path) -> None:
    """The install step, run for real (from the local wheelhouse): pip installs the pinned,
    hash-checked lock into a venv, qp-responder comes from the action's checkout, and the
    scan step runs it; the workspace plants modules and tools named like the ones the steps
    use (venv.py, pip.py, sitecustomize.py, a responder/ package, git and python3 on a
    relative PATH): none of them may run."""
    temp, ws = tmp_path / "runner-temp", tmp_path / "ws"
    ws.mkdir()
    git(ws, "init", "-q")
    sentinel = tmp_path / "install-pwned"
    plant(ws, sentinel)
    run = run_action(
        workspace=ws,
        runner_temp=temp,
        event_name="workflow_dispatch",
        payload={},
        skip_install=False,
        env={"PATH": f".:bin::{os.environ['PATH']}", "PYTHONPATH": str(ws)},
    )
    assert run.steps_run == ["Prepare qp-responder", "Install qp-responder", "Scan (and respond)"], run.stderr
    assert run.code == 0, run.stdout + run.stderr
    assert not sentinel.exists(), f"the workspace's {sentinel.read_text()} ran"
    site = temp / "qp-responder-venv" / "lib"
    [pth] = site.glob("python*/site-packages/qp_responder_action.pth")
    assert pth.read_text().strip() == str(ROOT)
    assert not any(site.glob("python*/site-packages/responder")), "qp-responder comes from the action's checkout"


@pytest.fixture(scope="session")
def action_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the install step leaves in RUNNER_TEMP, for the other tests: a venv whose
    ``python`` is this test environment's, so ``python -I -m responder`` is the code under
    test (test_install_step_… runs the step itself)."""
    venv = tmp_path_factory.mktemp("qp-responder-venv")
    (venv / "bin").mkdir()
    python = venv / "bin" / "python"
    python.write_text(f'#!/bin/sh\nexec "{BIN / "python"}" "$@"\n')
    python.chmod(0o755)
    return venv


@dataclass
class Remote:
    """A bare 'origin' and a developer's clone that pushes to it."""

    origin: Path
    dev: Path
    tmp: Path

    def commit(self, name: str, content: str, message: str = "change") -> str:
        target = self.dev / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
        git(self.dev, "add", "-A")
        git(self.dev, "commit", "-qm", message)
        return git(self.dev, "rev-parse", "HEAD")

    def push(self, *refspec: str) -> None:
        git(self.dev, "push", "-q", "--force", "origin", *refspec)

    def checkout(self, ref: str, depth: int | None = None, name: str = "ws") -> Path:
        """Like actions/checkout: a clone of origin at ``ref`` (a branch or a sha)."""
        ws = self.tmp / name
        if ws.exists():
            shutil.rmtree(ws)
        args = ["clone", "-q", "--no-tags"]
        if depth:
            args += ["--depth", str(depth)]
        is_sha = len(ref) == 40
        if not is_sha:
            args += ["--branch", ref]
        subprocess.run(["git", *args, f"file://{self.origin}", str(ws)], check=True, capture_output=True)
        if is_sha:
            git(ws, "fetch", "-q", "--depth", str(depth or 2**31 - 1), "origin", ref)
            git(ws, "checkout", "-q", ref)
        return ws


@pytest.fixture
def remote(tmp_path: Path) -> Remote:
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    dev = tmp_path / "dev"
    subprocess.run(["git", "clone", "-q", str(origin), str(dev)], check=True, capture_output=True)
    git(dev, "checkout", "-q", "-b", "main")
    r = Remote(origin, dev, tmp_path)
    r.commit("README.md", "hello\n", "root")
    r.push("main")
    return r


@pytest.fixture
def runner(tmp_path: Path, action_venv: Path) -> Path:
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    (temp / "qp-responder-venv").symlink_to(action_venv)
    return temp


def repo_payload() -> dict[str, object]:
    return {"full_name": "octo/app", "default_branch": "main"}


def push_payload(
    before: str, after: str, ref: str = "refs/heads/main", forced: bool = False, commits: list[str] | None = None
) -> dict[str, object]:
    return {
        "ref": ref,
        "before": before,
        "after": after,
        "forced": forced,
        "repository": repo_payload(),
        "commits": [{"id": c} for c in commits or []],
    }


def pr_payload(number: int, base: str, head: str, fork: bool = False) -> dict[str, object]:
    head_repo = {"full_name": "stranger/app" if fork else "octo/app", "fork": fork}
    return {
        "number": number,
        "repository": repo_payload(),
        "pull_request": {
            "number": number,
            "base": {"sha": base, "ref": "main", "repo": {"full_name": "octo/app"}},
            "head": {"sha": head, "ref": "feature", "repo": head_repo},
        },
    }


def push_and_run(remote: Remote, runner: Path, name: str, content: str, **kwargs: object) -> tuple[ActionRun, str]:
    """Commit ``name`` on main, push it, and run the action on that push event."""
    before = git(remote.dev, "rev-parse", "HEAD")
    after = remote.commit(name, content)
    remote.push("main")
    run = run_action(
        workspace=remote.checkout("main"),
        runner_temp=runner,
        event_name="push",
        payload=push_payload(before, after),
        **kwargs,
    )  # type: ignore[arg-type]
    return run, after


def leak(key: str) -> str:
    return f"# QuestionPro client\nQUESTIONPRO_API_KEY = '{key}'\n"


def check_no_unmasked_key(run: ActionRun, keys: list[str], runner_temp: Path) -> None:
    assert_no_secret(run.visible(), keys)
    assert_no_secret(run.summary, keys)
    for path in runner_temp.rglob("*"):
        if path.is_file() and "qp-responder-venv" not in path.parts:
            assert_no_secret(path.read_bytes(), keys)


def test_push_with_a_leak_fails_with_annotation_summary_and_sarif(remote: Remote, runner: Path) -> None:
    key = new_key()
    run, after = push_and_run(remote, runner, "app/settings.py", leak(key))
    assert run.code == 1, run.stdout + run.stderr
    [annotation] = run.annotations()
    assert annotation.startswith("::error file=app/settings.py,line=2,title=QuestionPro API key::")
    assert f"{key[:4]}…{key[-4:]}" in annotation and after[:12] in annotation
    assert run.stdout.splitlines()[0] == f"::add-mask::{key}"  # masked before anything is printed
    assert run.outputs["findings"] == "1" and run.outputs["rotated"] == "0"
    assert json.loads(run.outputs["issue-urls"]) == []
    sarif = json.loads(Path(run.outputs["sarif"]).read_text())
    assert (
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        == "app/settings.py"
    )
    assert f"| [app/settings.py](https://github.com/octo/app/blob/{after}/app/settings.py#L2) | 2 |" in run.summary
    check_no_unmasked_key(run, [key], runner)


def test_push_with_a_key_in_a_commit_message_annotates_and_links_the_commit(remote: Remote, runner: Path) -> None:
    key = new_key()
    before = git(remote.dev, "rev-parse", "HEAD")
    after = remote.commit("notes.md", "sync notes\n", message=f"Configure sync\n\nQUESTIONPRO_API_KEY={key}\n")
    remote.push("main")
    run = run_action(
        workspace=remote.checkout("main"), runner_temp=runner, event_name="push", payload=push_payload(before, after)
    )
    assert run.code == 1, run.stdout + run.stderr
    [annotation] = run.annotations()
    assert annotation.startswith("::error title=QuestionPro API key::")  # no file in the tree to point at
    assert f"message of commit {after[:12]}" in annotation
    assert f"(https://github.com/octo/app/commit/{after})" in run.summary
    check_no_unmasked_key(run, [key], runner)


def test_clean_push_passes(remote: Remote, runner: Path) -> None:
    run, _ = push_and_run(remote, runner, "app/ok.py", f"request_id = '{new_key()}'\n")
    assert run.code == 0 and run.annotations() == []
    assert run.outputs["findings"] == "0" and "No QuestionPro API key found." in run.summary


def test_fail_on_findings_false(remote: Remote, runner: Path) -> None:
    key = new_key()
    run, _ = push_and_run(remote, runner, "a.env", f"QP_API_KEY={key}\n", inputs={"fail-on-findings": "false"})
    assert run.code == 0 and run.outputs["findings"] == "1" and len(run.annotations()) == 1


def test_shallow_checkout_is_deepened(remote: Remote, runner: Path) -> None:
    key = new_key()
    remote.commit("old.txt", "x\n")
    before = remote.commit("old2.txt", "y\n")
    remote.commit("a.env", f"QP_API_KEY={key}\n")
    after = remote.commit("b.txt", "z\n")
    remote.push("main")
    ws = remote.checkout("main", depth=1)
    run = run_action(workspace=ws, runner_temp=runner, event_name="push", payload=push_payload(before, after))
    assert run.code == 1, run.stdout + run.stderr
    assert [a.split("::")[1] for a in run.annotations()] == ["error file=a.env,line=1,title=QuestionPro API key"]
    assert git(ws, "rev-parse", "--is-shallow-repository") == "false"


def test_shallow_checkout_that_cannot_be_deepened_is_an_error(remote: Remote, runner: Path) -> None:
    before = remote.commit("one.txt", "1\n")
    after = remote.commit("a.env", f"QP_API_KEY={new_key()}\n")
    remote.push("main")
    ws = remote.checkout("main", depth=1)
    remote.origin.rename(remote.origin.with_name("gone.git"))  # origin unreachable: no fetch can deepen it
    run = run_action(workspace=ws, runner_temp=runner, event_name="push", payload=push_payload(before, after))
    assert run.code == 2 and "fetch-depth: 0" in run.stdout
    assert run.annotations() == [
        "::error::qp-responder: the checkout is shallow and could not be deepened (git fetch "
        "failed). Use actions/checkout with fetch-depth: 0 before this action."
    ]


def test_new_branch_scans_only_commits_not_on_the_default_branch(remote: Remote, runner: Path) -> None:
    old, new = new_key(), new_key()
    remote.commit("main.env", f"QP_API_KEY={old}\n")  # already on main: not this push's business
    remote.push("main")
    git(remote.dev, "checkout", "-q", "-b", "feature")
    after = remote.commit("feature.env", f"QP_API_KEY={new}\n")
    remote.push("feature")
    run = run_action(
        workspace=remote.checkout("feature", depth=1),
        runner_temp=runner,
        event_name="push",
        payload=push_payload(ZERO, after, ref="refs/heads/feature"),
    )
    assert run.code == 1, run.stdout + run.stderr
    assert [a.split(",")[0] for a in run.annotations()] == ["::error file=feature.env"]
    check_no_unmasked_key(run, [old, new], runner)


def test_force_push_scans_what_was_pushed(remote: Remote, runner: Path) -> None:
    dropped, pushed = new_key(), new_key()
    base = git(remote.dev, "rev-parse", "HEAD")
    before = remote.commit("dropped.env", f"QP_API_KEY={dropped}\n")
    remote.push("main")
    git(remote.dev, "reset", "-q", "--hard", base)
    after = remote.commit("pushed.env", f"QP_API_KEY={pushed}\n")
    remote.push("main")  # forced: before is no longer an ancestor of after
    run = run_action(
        workspace=remote.checkout("main"),
        runner_temp=runner,
        event_name="push",
        payload=push_payload(before, after, forced=True),
    )
    assert run.code == 1, run.stdout + run.stderr
    assert [a.split(",")[0] for a in run.annotations()] == ["::error file=pushed.env"]


def test_force_push_with_an_unknown_before_uses_the_payload_commits(remote: Remote, runner: Path) -> None:
    key = new_key()
    after = remote.commit("pushed.env", f"QP_API_KEY={key}\n")
    remote.push("main")
    run = run_action(
        workspace=remote.checkout("main"),
        runner_temp=runner,
        event_name="push",
        payload=push_payload("1" * 40, after, forced=True, commits=[after]),
    )
    assert run.code == 1, run.stdout + run.stderr
    assert [a.split(",")[0] for a in run.annotations()] == ["::error file=pushed.env"]
    assert "from the payload" in run.summary


def test_unknown_before_without_commits_says_what_depth_is_needed(remote: Remote, runner: Path) -> None:
    after = git(remote.dev, "rev-parse", "HEAD")
    run = run_action(
        workspace=remote.checkout("main"),
        runner_temp=runner,
        event_name="push",
        payload=push_payload("1" * 40, after, forced=True),
    )
    assert run.code == 2 and "fetch-depth: 0" in run.stdout


def test_branch_deletion_scans_nothing(remote: Remote, runner: Path) -> None:
    run = run_action(
        workspace=remote.checkout("main"),
        runner_temp=runner,
        event_name="push",
        payload=push_payload(git(remote.dev, "rev-parse", "HEAD"), ZERO, ref="refs/heads/gone"),
    )
    assert run.code == 0 and run.outputs["findings"] == "0"


@pytest.fixture
def services(tmp_path: Path) -> Iterator[tuple[FakeQuestionPro, FakeGitHub, dict[str, str]]]:
    qp = FakeQuestionPro(valid_key=new_key())
    gh = FakeGitHub(repo="octo/app", tokens={"issues-token": {"issues"}, "secrets-token": {"secrets", "issues"}})
    env = {"QUESTIONPRO_BASE_URL": qp.start(), "GITHUB_API_URL": gh.start(), "GITHUB_TOKEN": "issues-token"}
    yield qp, gh, env
    qp.stop()
    gh.stop()


def _pr_setup(remote: Remote, key: str, number: int) -> tuple[str, str]:
    base = git(remote.dev, "rev-parse", "HEAD")
    git(remote.dev, "checkout", "-q", "-b", "feature")
    head = remote.commit("pr.env", f"QP_API_KEY={key}\n")
    remote.push(f"HEAD:refs/pull/{number}/head")
    git(remote.dev, "checkout", "-q", "main")
    return base, head


@pytest.mark.parametrize(
    ("event", "fork"), [("pull_request", False), ("pull_request", True), ("pull_request_target", True)]
)
def test_pull_requests_scan_annotate_fail_and_never_rotate(
    remote: Remote,
    runner: Path,
    services: tuple[FakeQuestionPro, FakeGitHub, dict[str, str]],
    event: str,
    fork: bool,
) -> None:
    qp, gh, env = services
    key = qp.valid_key
    base, head = _pr_setup(remote, key, 7)
    # pull_request checks out the head; pull_request_target checks out the base branch
    ws = remote.checkout(head if event == "pull_request" else "main", depth=1)
    run = run_action(
        workspace=ws,
        runner_temp=runner,
        event_name=event,
        payload=pr_payload(7, base, head, fork),
        inputs={"respond": "true", "secrets-token": "secrets-token", "secret-name": "EVIL_FROM_PR"},
        env=env,
    )
    assert run.code == 1, run.stdout + run.stderr
    assert [a.split(",")[0] for a in run.annotations()] == ["::error file=pr.env"]
    assert qp.calls == 0 and gh.secrets == {} and gh.issues == []
    assert ("fork has no secrets" if fork else "only on a push") in run.summary
    if event == "pull_request_target":
        assert git(ws, "rev-parse", "HEAD") == base  # the head was read as data, never checked out
    check_no_unmasked_key(run, [key], runner)


@pytest.mark.parametrize("event", ["workflow_dispatch", "schedule"])
def test_full_scans_every_branch(remote: Remote, runner: Path, event: str) -> None:
    keys = [new_key(), new_key()]
    remote.commit("main.env", f"QP_API_KEY={keys[0]}\n")
    remote.commit("main.env", "QP_API_KEY=\n")
    remote.push("main")
    git(remote.dev, "checkout", "-q", "-b", "other")
    remote.commit("other.yml", f"questionpro:\n  api_key: {keys[1]}\n")
    remote.push("other")
    run = run_action(
        workspace=remote.checkout("main", depth=1),
        runner_temp=runner,
        event_name=event,
        payload={"repository": repo_payload()},
    )
    assert run.code == 1, run.stdout + run.stderr
    assert sorted(a.split(",")[0] for a in run.annotations()) == ["::error file=main.env", "::error file=other.yml"]
    check_no_unmasked_key(run, keys, runner)


def test_mode_full_on_push(remote: Remote, runner: Path) -> None:
    key = new_key()
    remote.commit("a.env", f"QP_API_KEY={key}\n")
    before = remote.commit("a.env", "QP_API_KEY=\n")
    after = remote.commit("b.txt", "clean\n")
    remote.push("main")
    payload = push_payload(before, after)
    assert (
        run_action(workspace=remote.checkout("main"), runner_temp=runner, event_name="push", payload=payload).code == 0
    )
    run = run_action(
        workspace=remote.checkout("main"),
        runner_temp=runner,
        event_name="push",
        payload=payload,
        inputs={"mode": "full"},
    )
    assert run.code == 1 and run.outputs["findings"] == "1"


@pytest.mark.parametrize("github_says", ["protected", "cannot-say"])
def test_respond_on_a_push_to_a_protected_branch(
    remote: Remote, runner: Path, services: tuple[FakeQuestionPro, FakeGitHub, dict[str, str]], github_says: str
) -> None:
    qp, gh, env = services
    if github_says == "cannot-say":  # the branch API fails: the default branch counts as protected
        gh.protected_branches.clear()
        gh.faults[("GET", "branch")] = [Fault(500)] * 3
    old = qp.valid_key
    run, after = push_and_run(
        remote,
        runner,
        "app/settings.py",
        leak(old),
        env=env,
        inputs={"respond": "true", "secrets-token": "secrets-token"},
    )
    assert run.code == 1, run.stdout + run.stderr  # fail-on-findings: the push did hold a key
    assert qp.calls == 1 and gh.secret_value() == qp.valid_key != old
    assert run.outputs["rotated"] == "1"
    [url] = json.loads(run.outputs["issue-urls"])
    assert url.endswith("/issues/1") and gh.issues[0]["body"].count(after[:12]) >= 1
    assert "### Responses" in run.summary and "rotated-and-stored" in run.summary
    assert f"::add-mask::{qp.valid_key}" in run.stdout
    check_no_unmasked_key(run, [old, qp.valid_key], runner)


def test_respond_storing_failure_puts_the_resume_token_in_the_summary(
    remote: Remote, runner: Path, services: tuple[FakeQuestionPro, FakeGitHub, dict[str, str]]
) -> None:
    qp, gh, env = services
    old = qp.valid_key
    gh.faults[("PUT", "secret")] = [Fault(200)] + [Fault(500)] * 3
    run, _ = push_and_run(
        remote,
        runner,
        "a.env",
        f"QP_API_KEY={old}\n",
        env=env,
        inputs={"respond": "true", "secrets-token": "secrets-token"},
    )
    assert run.code == 6, run.stdout + run.stderr
    assert "qp-responder resume --sealed qpr2." in run.summary
    check_no_unmasked_key(run, [old, qp.valid_key], runner)


def test_no_rotation_on_an_unprotected_branch_or_with_the_default_token(
    remote: Remote, runner: Path, services: tuple[FakeQuestionPro, FakeGitHub, dict[str, str]]
) -> None:
    qp, gh, env = services
    before = git(remote.dev, "rev-parse", "HEAD")
    git(remote.dev, "checkout", "-q", "-b", "topic")
    after = remote.commit("a.env", f"QP_API_KEY={qp.valid_key}\n")
    remote.push("topic")
    run = run_action(
        workspace=remote.checkout("topic"),
        runner_temp=runner,
        event_name="push",
        payload=push_payload(before, after, ref="refs/heads/topic"),
        env=env,
        inputs={"respond": "true", "secrets-token": "secrets-token"},
    )
    assert run.code == 1 and qp.calls == 0 and "not a protected branch" in run.summary
    gh.protected_branches.add("topic")
    run = run_action(
        workspace=remote.checkout("topic"),
        runner_temp=runner,
        event_name="push",
        payload=push_payload(before, after, ref="refs/heads/topic"),
        env=env,
        inputs={"respond": "true"},
    )  # no secrets-token: only the default GITHUB_TOKEN
    assert run.code == 7 and qp.calls == 0
    assert "default GITHUB_TOKEN cannot read or write Actions secrets" in " ".join((run.stdout + run.stderr).split())


def test_bad_inputs_and_no_script_injection(remote: Remote, runner: Path, tmp_path: Path) -> None:
    pwned = tmp_path / "pwned"
    run = run_action(
        workspace=remote.checkout("main"),
        runner_temp=runner,
        event_name="push",
        payload=push_payload(ZERO, git(remote.dev, "rev-parse", "HEAD")),
        inputs={"respond": f"$(touch {pwned})", "secret-name": f"`touch {pwned}`"},
    )
    assert run.code == 2 and "respond must be true or false" in run.stdout
    assert not pwned.exists()


def _readme_workflows() -> list[tuple[str, str]]:
    text = (ROOT / "README.md").read_text()
    blocks = text.split("```yaml\n")[1:]
    found = []
    for block in blocks:
        body = block.split("```", 1)[0]
        first = body.splitlines()[0]
        if first.startswith("# .github/workflows/"):
            found.append((first[2:], body))
    return found


def test_readme_has_the_four_workflows() -> None:
    names = [name for name, _ in _readme_workflows()]
    assert len(names) == 4, names


@pytest.mark.parametrize(("name", "body"), _readme_workflows(), ids=lambda v: str(v).split("/")[-1][:40])
def test_readme_workflows_are_valid_and_audit_clean(tmp_path: Path, name: str, body: str) -> None:
    target = tmp_path / name
    target.parent.mkdir(parents=True)
    target.write_text(body)
    done = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    audit = subprocess.run(
        [str(BIN / "zizmor"), "--offline", "--format", "json", str(target)], capture_output=True, text=True, check=False
    )
    findings = json.loads(audit.stdout or "[]")
    assert {f["ident"] for f in findings} <= {"unpinned-uses"}, audit.stdout


@pytest.mark.parametrize(
    ("rules", "classic", "rotates", "says"),
    [
        (["creation", "branch_name_pattern"], False, False, "rulesets apply only branch_name_pattern, creation"),
        (["pull_request", "non_fast_forward"], False, True, "rulesets require non_fast_forward, pull_request"),
        ([], True, True, "classic branch protection"),
    ],
)
def test_branch_gate_reads_the_rules_that_apply(
    remote: Remote,
    runner: Path,
    services: tuple[FakeQuestionPro, FakeGitHub, dict[str, str]],
    rules: list[str],
    classic: bool,
    rotates: bool,
    says: str,
) -> None:
    """'protected' on the branch is true for any ruleset; only rules that control what lands
    on the branch (or classic protection) let the action rotate, and the summary says which."""
    qp, gh, env = services
    gh.protected_branches = {"release/1"} if classic else set()
    gh.rules["release/1"] = [{"type": r, "ruleset_source_type": "Repository", "ruleset_id": 1} for r in rules]
    before = git(remote.dev, "rev-parse", "HEAD")
    git(remote.dev, "checkout", "-q", "-b", "release/1")
    after = remote.commit("a.env", f"QP_API_KEY={qp.valid_key}\n")
    remote.push("release/1")
    run = run_action(
        workspace=remote.checkout("release/1"),
        runner_temp=runner,
        event_name="push",
        payload=push_payload(before, after, ref="refs/heads/release/1"),
        env=env,
        inputs={"respond": "true", "secrets-token": "secrets-token"},
    )
    assert (qp.calls == 1) == rotates, run.stdout + run.stderr
    assert says in run.summary
    assert any("/rules/branches/release%2F1" in path for _, path, _ in gh.log)
    assert gh.violations == []


def test_sarif_categories_keep_full_scan_alerts_open(remote: Remote, runner: Path) -> None:
    """A push uploads its own range under another category than full scans, so the next
    push's upload (without that key) cannot mark a full scan's alert fixed; a removed key
    carries the commit it was in, not a line HEAD does not have."""
    key = new_key()
    remote.commit("a.env", "# questionpro\nx=1\n" + f"QP_API_KEY={key}\n")
    before = remote.commit("a.env", "# questionpro\n")
    after = remote.commit("b.txt", "clean\n")
    remote.push("main")
    documents = {}
    for mode in ("auto", "full"):
        run = run_action(
            workspace=remote.checkout("main"),
            runner_temp=runner,
            event_name="push",
            payload=push_payload(before, after),
            inputs={"mode": mode, "fail-on-findings": "false"},
        )
        documents[mode] = json.loads(Path(run.outputs["sarif"]).read_text())["runs"][0]
    assert documents["auto"]["automationDetails"]["id"] == "qp-responder/incremental/"
    assert documents["full"]["automationDetails"]["id"] == "qp-responder/full/"
    [result] = documents["full"]["results"]
    assert (
        result["properties"]["inAnalyzedVersion"] is False
        and result["properties"]["commit"] in result["message"]["text"]
    )
    assert documents["full"]["properties"]["analyzedRevision"] == after
