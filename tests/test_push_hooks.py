"""Push protection: the plain pre-push hook, the server's pre-receive hook and the
pre-commit framework's pre-push stage, each against a real bare repository and a real
``git push``; the parsing of git's hook protocols as a table."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from responder.scanning import pushes
from tests.conftest import ROOT, Repo, assert_no_secret
from tests.corpus import new_key
from tests.pushing import Remote, env_with_bin, leak_commit, make_remote

Z = "0" * 40
A, B, C = "a" * 40, "b" * 40, "c" * 40


@pytest.fixture
def remote(tmp_path: Path) -> Remote:
    return make_remote(tmp_path)


# -- git's hook protocols -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "remote", "revs"),
    [
        ([f"refs/heads/x {A} refs/heads/x {B}"], "origin", [A, f"^{B}", "--not", "--remotes=origin"]),
        ([f"refs/heads/x {A} refs/heads/x {Z}"], "origin", [A, "--not", "--remotes=origin"]),  # new branch
        ([f"(delete) {Z} refs/heads/x {B}"], "origin", []),  # a deletion sends nothing
        ([f"refs/heads/x {A} refs/heads/x {B}", f"refs/tags/t {C} refs/tags/t {Z}"], None, [A, C, f"^{B}"]),
        ([f"refs/heads/x {A} refs/heads/x {B}"], "/srv/git/app.git", [A, f"^{B}"]),  # a URL: no remote refs
        ([f"refs/heads/x {A} refs/heads/x {C}"], "origin", [A, "--not", "--remotes=origin"]),  # tip unknown here
        (["", f"HEAD {A} refs/heads/x {Z}", ""], "up", [A, "--not", "--remotes=up"]),
    ],
)
def test_pre_push_lines(lines: list[str], remote: str | None, revs: list[str]) -> None:
    assert pushes.pre_push(lines, remote, exists=lambda sha: sha != C).revs() == revs


@pytest.mark.parametrize(
    ("lines", "revs"),
    [
        ([f"{Z} {A} refs/heads/new"], [A, "--not", "--all"]),
        ([f"{B} {A} refs/heads/main", f"{Z} {C} refs/tags/v1"], [A, C, "--not", "--all"]),
        ([f"{B} {Z} refs/heads/gone"], []),
        ([f"{Z} {A} refs/heads/one", f"{Z} {A} refs/heads/two"], [A, "--not", "--all"]),
    ],
)
def test_pre_receive_lines(lines: list[str], revs: list[str]) -> None:
    assert pushes.pre_receive(lines).revs() == revs


@pytest.mark.parametrize(
    "env",
    [
        {"PRE_COMMIT_FROM_REF": B, "PRE_COMMIT_TO_REF": A, "PRE_COMMIT_REMOTE_NAME": "origin"},
        {"PRE_COMMIT_LOCAL_BRANCH": "refs/heads/main", "PRE_COMMIT_REMOTE_NAME": "origin"},
    ],
)
def test_pre_commit_framework_variables(env: dict[str, str]) -> None:
    found = pushes.pre_commit_pre_push(env)
    assert found is not None and found.revs()[-2:] == ["--not", "--remotes=origin"]
    assert pushes.pre_commit_pre_push({}) is None


@pytest.mark.parametrize(
    ("parse", "line"),
    [
        (lambda line: pushes.pre_push([line], "origin"), f"refs/heads/x {A} refs/heads/x"),
        (lambda line: pushes.pre_push([line], "origin"), f"refs/heads/x --all refs/heads/x {B}"),
        (lambda line: pushes.pre_receive([line]), f"{A} refs/heads/x"),
        (lambda line: pushes.pre_receive([line]), f"{A} HEAD~1 refs/heads/x"),
        (lambda line: pushes.pre_commit_pre_push({"PRE_COMMIT_TO_REF": line}), "--all"),
    ],
)
def test_malformed_hook_input_is_refused(parse: object, line: str) -> None:
    with pytest.raises(pushes.PushInputError):
        parse(line)  # type: ignore[operator]


# -- the plain git pre-push hook ------------------------------------------------------------


def _install(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", str(ROOT / "hooks" / "install"), *args], cwd=cwd, capture_output=True, text=True, env=env_with_bin()
    )


@pytest.mark.parametrize(
    ("hooks_path", "installed_at"),
    [
        (None, ".git/hooks"),
        (".githooks", ".githooks"),  # relative: to the work tree's root, wherever install runs
        ("tools/hooks", "tools/hooks"),
    ],
)
def test_install_from_a_subdirectory(repo: Repo, hooks_path: str | None, installed_at: str) -> None:
    if hooks_path:
        repo.git("config", "core.hooksPath", hooks_path)
    sub = repo.path / "src" / "deep"
    sub.mkdir(parents=True)
    done = _install(sub)
    assert done.returncode == 0, done.stderr
    for name in ("pre-commit", "pre-push"):
        hook = repo.path / installed_at / name
        assert hook.read_bytes() == (ROOT / "hooks" / name).read_bytes() and os.access(hook, os.X_OK)
    assert not (sub / ".githooks").exists()
    assert "already installed" in _install(repo.path).stdout
    other = repo.path / installed_at / "pre-push"
    other.write_text("#!/bin/sh\nexit 0\n")
    refused = _install(sub, "pre-push")
    assert refused.returncode == 1 and "refusing to overwrite" in refused.stderr
    assert _install(sub, "--force", "pre-push").returncode == 0
    assert other.read_bytes() == (ROOT / "hooks" / "pre-push").read_bytes()


def test_pre_push_hook_refuses_a_key_committed_with_no_verify(remote: Remote) -> None:
    assert _install(remote.clone.path, "pre-push").returncode == 0
    key = new_key()
    before = remote.branches()
    leak = leak_commit(remote.clone, key)
    for args in (["origin", "HEAD:main"], ["origin", "HEAD:refs/heads/feature"]):  # update, new branch
        pushed = remote.push(*args)
        assert pushed.code != 0, pushed.output
        assert "app/settings.py:2" in pushed.output and leak[:12] in pushed.output
        assert "Push refused" in pushed.output and f"{key[:4]}…{key[-4:]}" in pushed.output
        assert_no_secret(pushed.output, [key])
    assert remote.branches() == before

    remote.clone.git("reset", "-q", "--hard", "HEAD~1")
    remote.clone.write("notes.md", "no key here\n")
    remote.clone.commit("clean")
    for args in (["origin", "HEAD:main"], ["origin", "HEAD:refs/heads/feature"], ["origin", ":refs/heads/feature"]):
        pushed = remote.push(*args)
        assert pushed.code == 0, pushed.output
    assert "feature" not in remote.branches()


def test_pre_push_hook_scans_only_what_the_remote_lacks(remote: Remote) -> None:
    """A key already on the remote (pushed before the hook) does not block new work."""
    key = new_key()
    leak_commit(remote.clone, key)
    remote.push("--no-verify", "origin", "HEAD:main")
    assert _install(remote.clone.path, "pre-push").returncode == 0
    remote.clone.git("checkout", "-q", "-b", "topic")
    remote.clone.write("b.txt", "b\n")
    remote.clone.commit("b")
    pushed = remote.push("origin", "topic")
    assert pushed.code == 0 and "app/settings.py" not in pushed.output, pushed.output


def test_pre_push_hook_fails_loudly_when_not_installed(remote: Remote, tmp_path: Path) -> None:
    shutil.copy(ROOT / "hooks" / "pre-push", remote.clone.path / ".git" / "hooks" / "pre-push")
    bare_path = tmp_path / "bin"
    bare_path.mkdir()
    for tool in ("git", "sh", "cat", "dirname"):
        found = shutil.which(tool)
        assert found
        (bare_path / tool).symlink_to(found)
    remote.clone.write("a.txt", "x\n")
    remote.clone.commit("x")
    done = subprocess.run(
        [str(bare_path / "git"), "push", "origin", "HEAD:main"],
        cwd=remote.clone.path,
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": str(bare_path)},
    )
    assert done.returncode != 0 and "not installed" in done.stderr


# -- the server's pre-receive hook ----------------------------------------------------------


@pytest.fixture
def guarded(remote: Remote) -> Remote:
    hook = remote.server / "hooks" / "pre-receive"
    shutil.copy(ROOT / "hooks" / "pre-receive", hook)
    hook.chmod(0o755)
    return remote


def test_pre_receive_rejects_a_key_and_names_file_line_commit(guarded: Remote) -> None:
    key = new_key()
    before = guarded.branches()
    guarded.clone.write("docs/a.md", "a\n")
    guarded.clone.commit("a")
    leak = leak_commit(guarded.clone, key, "config/questionpro.yml")
    guarded.clone.write("docs/b.md", "b\n")
    guarded.clone.commit("b")
    for args in (["origin", "HEAD:main"], ["origin", "HEAD:refs/heads/new"], ["origin", "HEAD:main", "HEAD:x"]):
        pushed = guarded.push("--no-verify", *args)
        assert pushed.code != 0 and "pre-receive hook declined" in pushed.output, pushed.output
        assert "config/questionpro.yml:2" in pushed.output and f"commit {leak[:12]}" in pushed.output
        assert f"{key[:4]}…{key[-4:]}" in pushed.output and "Push rejected" in pushed.output
        assert_no_secret(pushed.output, [key])
    assert guarded.branches() == before
    assert not list((guarded.server / "objects").glob("incoming-*")), "git's quarantine was kept"
    missing = subprocess.run(["git", "cat-file", "-e", leak], cwd=guarded.server, capture_output=True)
    assert missing.returncode != 0  # the quarantined objects were dropped with the push


def test_pre_receive_scans_only_commits_new_to_the_repository(guarded: Remote) -> None:
    """History from before the hook holds a key; new branches and deletions still go through."""
    key = new_key()
    hook = guarded.server / "hooks" / "pre-receive"
    hook.rename(hook.with_suffix(".off"))
    leak_commit(guarded.clone, key)
    assert guarded.push("--no-verify", "origin", "HEAD:main").code == 0
    hook.with_suffix(".off").rename(hook)
    guarded.clone.write("c.txt", "c\n")
    guarded.clone.commit("c")
    for args in (
        ["origin", "HEAD:refs/heads/topic", "HEAD~1:refs/heads/old", "HEAD:refs/tags/v1"],
        ["origin", "HEAD:main"],
        ["origin", ":refs/heads/topic"],
    ):
        pushed = guarded.push("--no-verify", *args)
        assert pushed.code == 0, pushed.output
        assert "app/settings.py" not in pushed.output
    assert "topic" not in guarded.branches() and "old" in guarded.branches()


def test_pre_receive_on_many_commits_walks_once(guarded: Remote) -> None:
    """Two thousand commits over three refs in one push: accepted, and the leak in one of
    them found. (Speed is measured in benchmarks/, not here.)"""
    key = new_key()
    repo = guarded.clone
    script = "".join(
        f"commit refs/heads/b{n % 3}\nmark :{n + 1}\ncommitter T <t@t.invalid> 0 +0000\ndata 1\nx\n"
        f"M 644 inline f{n}.txt\ndata 2\n{n % 10}\n\n"
        for n in range(2000)
    )
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo.path, input=script.encode(), check=True)
    pushed = guarded.push("--no-verify", "origin", "b0", "b1", "b2")
    assert pushed.code == 0, pushed.output
    repo.git("checkout", "-q", "b1")
    leak = leak_commit(repo, key)
    pushed = guarded.push("--no-verify", "origin", "b1:b1", "b1:refs/heads/b3")
    assert pushed.code != 0 and leak[:12] in pushed.output
    assert pushed.output.count("app/settings.py:2") == 1  # one walk over all refs, one finding


def test_pre_receive_fails_closed_when_qp_responder_is_missing(guarded: Remote, tmp_path: Path) -> None:
    bare_path = tmp_path / "bin"
    bare_path.mkdir()
    for tool in ("git", "sh", "cat", "dirname", "git-receive-pack", "git-upload-pack"):
        found = shutil.which(tool)
        if found:
            (bare_path / tool).symlink_to(found)
    guarded.clone.write("a.txt", "x\n")
    guarded.clone.commit("x")
    pushed = guarded.push(
        "--no-verify",
        "--receive-pack",
        f"env PATH={bare_path} git-receive-pack",
        "origin",
        "HEAD:main",
        env={**os.environ, "PATH": f"{bare_path}{os.pathsep}/usr/bin{os.pathsep}/bin"},
    )
    assert pushed.code != 0 and "not installed on this server" in pushed.output, pushed.output


def test_pre_receive_in_a_non_bare_repository(tmp_path: Path) -> None:
    """A work tree that accepts pushes (receive.denyCurrentBranch=updateInstead) runs the hook
    inside its .git directory."""
    server = Repo(tmp_path / "server")
    server.path.mkdir()
    server.git("init", "-q")
    server.write("README", "x\n")
    server.commit("root")
    server.git("config", "receive.denyCurrentBranch", "updateInstead")
    hook = server.path / ".git" / "hooks" / "pre-receive"
    shutil.copy(ROOT / "hooks" / "pre-receive", hook)
    hook.chmod(0o755)
    clone = Repo(tmp_path / "clone")
    subprocess.run(["git", "clone", "-q", str(server.path), str(clone.path)], check=True)
    key = new_key()
    leak = leak_commit(clone, key)
    done = subprocess.run(
        ["git", "push", "origin", "HEAD"], cwd=clone.path, capture_output=True, text=True, env=env_with_bin()
    )
    assert done.returncode != 0 and f"commit {leak[:12]}" in done.stderr, done.stderr
    assert_no_secret(done.stdout + done.stderr, [key])
    assert not (server.path / "app").exists()


@pytest.mark.parametrize("hook", ["--pre-push", "--pre-receive"])
def test_hook_modes_refuse_a_terminal_for_stdin(repo: Repo, hook: str) -> None:
    """Run by hand, a hook mode would wait for lines git never sends: it says what it needs."""
    from tests.conftest import pty_session

    repo.write("a", "a\n")
    repo.commit("a")
    status, screen = pty_session(["scan", hook], {}, repo.path, [])
    assert status == 2 and f"{hook} reads git's" in screen, screen


def test_a_key_added_and_removed_within_one_push_is_still_refused(guarded: Remote) -> None:
    """The history would carry it to the server even though the branch tip no longer has it."""
    key = new_key()
    leak = leak_commit(guarded.clone, key)
    guarded.clone.git("rm", "-q", "app/settings.py")
    guarded.clone.git("commit", "-qm", "oops, removed")
    pushed = guarded.push("--no-verify", "origin", "HEAD:main")
    assert pushed.code != 0 and f"commit {leak[:12]}" in pushed.output, pushed.output
    assert_no_secret(pushed.output, [key])
