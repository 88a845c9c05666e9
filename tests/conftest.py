"""Shared fixtures: real git repositories with a pinned identity, and the real CLI."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def pytest_configure(config: pytest.Config) -> None:
    """A pytest-xdist worker ignores SIGINT, and the processes tests start would inherit
    that: Ctrl-C tests would see nothing happen. Workers take SIGINT as Python does.

    Property-based tests draw the same examples in every run (hypothesis is seeded from
    each test's name); a failure found once is found again."""
    import signal

    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        from hypothesis import settings
    except ImportError:  # pragma: no cover - a test dependency
        return
    settings.register_profile("qp-responder", derandomize=True)
    settings.load_profile("qp-responder")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (``--dist loadgroup``), the tests that build pre-commit's hook
    environment run on one worker, so it is built once."""
    for item in items:
        if "pre_commit_home" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("pre-commit-home"))


@pytest.fixture(scope="session")
def wheelhouse() -> Path:
    """The local wheelhouse (tests/wheelhouse.py) for the tests that install this checkout."""
    from tests import wheelhouse

    reason = wheelhouse.problem()
    if reason is not None:
        pytest.skip(reason)
    return wheelhouse.WHEELHOUSE


def offline_install_env() -> dict[str, str]:
    """The environment for the two steps that install packages (the pre-commit framework's
    hook environment, the action's install step): the wheelhouse only, and still the dead
    proxy, so nothing reaches a registry."""
    from tests.wheelhouse import offline_pip_env

    return {**os.environ, **offline_pip_env()}


@pytest.fixture(autouse=True)
def _seeded(request: pytest.FixtureRequest) -> None:
    """Random keys are the same for a test in every run, in any order, on any worker."""
    from tests import corpus

    corpus.reseed(request.node.nodeid)


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every HTTP client in and under the tests goes through a dead proxy except for
    loopback: a request that would leave this machine fails at once instead."""
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(var, "http://127.0.0.1:9")
    for var in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(var, "127.0.0.1,localhost,::1")


@pytest.fixture(autouse=True)
def _isolated_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user or system git config leaks in; commits are reproducible."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    for var, value in {
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
        "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
        "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
    }.items():
        monkeypatch.setenv(var, value)
    (home / ".gitconfig").write_text('[init]\n\tdefaultBranch = main\n[protocol "file"]\n\tallow = always\n')
    for var in (
        "GITHUB_TOKEN",
        "QP_RESPONDER_SECRETS_TOKEN",
        "GITHUB_REPOSITORY",
        "GITHUB_API_URL",
        "QUESTIONPRO_BASE_URL",
        "GITHUB_ACTIONS",
    ):
        monkeypatch.delenv(var, raising=False)


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@dataclass
class Repo:
    path: Path

    def write(self, name: str, content: str | bytes) -> Path:
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        return target

    def git(self, *args: str) -> str:
        return git(self.path, *args)

    def commit(self, message: str = "change", *names: str) -> str:
        self.git("add", "-A", *names)
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q")
    return Repo(path)


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(
    args: Sequence[str],
    cwd: Path,
    *,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    secrets: Sequence[str] = (),
) -> Run:
    """Run the real ``qp-responder`` in a subprocess; assert no secret is printed."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    done = subprocess.run(
        [sys.executable, "-m", "responder", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=300,
        start_new_session=True,  # no controlling terminal: /dev/tty cannot be opened
    )
    run = Run(done.returncode, done.stdout, done.stderr)
    assert_no_secret(run.output, secrets)
    return run


def dispatch_env(workspace: Path, tmp: Path, **inputs: str) -> dict[str, str]:
    """The runner's environment for the Action on a manual run (``workflow_dispatch``) of a
    repository checked out at ``workspace``; ``inputs`` become ``INPUT_<NAME>``."""
    import json

    event = tmp / "event.json"
    event.write_text(json.dumps({"repository": {"default_branch": "main"}}), encoding="utf-8")
    return {
        "GITHUB_EVENT_NAME": "workflow_dispatch",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_WORKSPACE": str(workspace),
        "RUNNER_TEMP": str(tmp),
        "GITHUB_STEP_SUMMARY": str(tmp / "summary.md"),
        "GITHUB_OUTPUT": str(tmp / "output"),
        **{f"INPUT_{name.upper()}": value for name, value in inputs.items()},
    }


def start_cli(args: Sequence[str], cwd: Path, *, stdin: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """Start the real ``qp-responder`` in the background with ``stdin`` already written and
    closed, for tests that signal or race it while it runs."""
    child = subprocess.Popen(
        [sys.executable, "-m", "responder", *args],
        cwd=cwd,
        env={**os.environ, **env},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # no controlling terminal, and a process group to signal
    )
    assert child.stdin is not None
    child.stdin.write(stdin)
    child.stdin.close()
    return child


def run_main(
    args: Sequence[str],
    cwd: Path,
    *,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    secrets: Sequence[str] = (),
) -> Run:
    """Run ``responder.entry.main(args)`` in this process, as ``run_cli`` runs it in a new
    one: the same stdin, environment and working directory for the call only, stdout and
    stderr captured; assert no secret is printed."""
    from responder.entry import main

    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in (env or {}).items():
            patch.setenv(name, value)
        patch.chdir(cwd)
        patch.setattr(sys, "stdin", io.StringIO(stdin or ""))
        patch.setattr(sys, "stdout", out)
        patch.setattr(sys, "stderr", err)
        code = main(list(args))
    run = Run(code, out.getvalue(), err.getvalue())
    assert_no_secret(run.output, secrets)
    return run


def assert_no_secret(text: str | bytes, secrets: Sequence[str]) -> None:
    blob = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
    for secret in secrets:
        for form in {secret, secret.lower(), secret.upper()}:
            assert form.encode() not in blob, "a key was written in plaintext"


def pty_session(argv: list[str], env: dict[str, str], cwd: Path, answers: list[tuple[str, str]]) -> tuple[int, str]:
    """Run argv with a pseudo-terminal as its controlling terminal; answer prompts."""
    import pty
    import select
    import signal
    import sys
    import time

    pid, fd = pty.fork()
    if pid == 0:  # the child: the pty is its stdin/stdout/stderr and /dev/tty
        # Ctrl-C on the terminal must interrupt it, as in a shell, even where this process
        # ignores SIGINT (a pytest-xdist worker does) and the child would inherit that.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.chdir(cwd)
        os.execvpe(sys.executable, [sys.executable, "-m", "responder", *argv], {**os.environ, **env})
    seen, pending = b"", list(answers)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        if pending and pending[0][0].encode() in seen:
            os.write(fd, pending.pop(0)[1].encode() + b"\n")
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), seen.decode("utf-8", "replace")
