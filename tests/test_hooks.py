"""The hook through the real pre-commit framework, and the plain git hook in hooks/."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, Repo, assert_no_secret, git, offline_install_env
from tests.corpus import new_key
from tests.pushing import leak_commit, make_remote

BIN = Path(sys.executable).parent


def _commit(
    repo: Repo, env: dict[str, str] | None = None, base: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "commit", "-m", "change"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env={**(base if base is not None else os.environ), **(env or {})},
        timeout=900,
    )


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A git repository holding this checkout's working tree, as users would point at it."""
    target = tmp_path_factory.mktemp("qp-responder-src")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for raw in filter(None, listed):
        name = os.fsdecode(raw)
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t.invalid",
    }
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "snapshot"]):
        subprocess.run(["git", *args], cwd=target, check=True, env=env, capture_output=True)
    rev = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=target, check=True, env=env, capture_output=True, text=True
    ).stdout.strip()
    return target, rev


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.mark.slow
def test_pre_commit_framework_blocks_a_key(
    wheelhouse: Path, repo: Repo, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    src, rev = hook_repo
    repo.write(
        ".pre-commit-config.yaml", f"repos:\n  - repo: {src}\n    rev: {rev}\n    hooks:\n      - id: qp-responder\n"
    )
    env = {
        **offline_install_env(),
        "PRE_COMMIT_HOME": str(pre_commit_home),
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
    }
    subprocess.run(
        [str(BIN / "pre-commit"), "install"], cwd=repo.path, check=True, capture_output=True, env={**os.environ, **env}
    )
    repo.write("README.md", "hello\n")
    repo.git("add", "-A")
    clean = _commit(repo, env, base=env)
    assert clean.returncode == 0, clean.stdout + clean.stderr

    key = new_key()
    repo.write("app/settings.py", f"# QuestionPro\nQUESTIONPRO_API_KEY = '{key}'\n")
    repo.git("add", "-A")
    leak = _commit(repo, env, base=env)
    assert leak.returncode != 0
    assert "app/settings.py:2" in leak.stdout + leak.stderr
    assert_no_secret(leak.stdout + leak.stderr, [key])
    assert git(repo.path, "log", "--oneline").count("\n") == 0  # still only the clean commit

    repo.write("app/settings.py", "# QuestionPro\nQUESTIONPRO_API_KEY = os.environ['QUESTIONPRO_API_KEY']\n")
    repo.git("add", "-A")
    assert _commit(repo, env, base=env).returncode == 0


def test_plain_git_hook(repo: Repo) -> None:
    done = subprocess.run(
        ["sh", str(ROOT / "hooks" / "install")],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"},
    )
    assert done.returncode == 0, done.stderr
    assert (repo.path / ".git" / "hooks" / "pre-commit").exists()
    env = {"PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    key = new_key()
    repo.write(".env", f"QP_API_KEY={key}\n")
    repo.git("add", "-A")
    leak = _commit(repo, env)
    assert leak.returncode == 1 and ".env:1" in leak.stderr  # git shows hook output on stderr
    assert_no_secret(leak.stdout + leak.stderr, [key])
    repo.write(".env", "QP_API_KEY=\n")
    repo.git("add", "-A")
    assert _commit(repo, env).returncode == 0
    again = subprocess.run(["sh", str(ROOT / "hooks" / "install")], cwd=repo.path, capture_output=True, text=True)
    assert again.returncode == 0 and "already installed" in again.stdout


def test_plain_git_hook_fails_loudly_when_not_installed(repo: Repo, tmp_path: Path) -> None:
    hooks = repo.path / ".git" / "hooks"
    shutil.copy(ROOT / "hooks" / "pre-commit", hooks / "pre-commit")
    bare_path = tmp_path / "bin"
    bare_path.mkdir()
    for tool in ("git", "sh", "cat", "dirname"):
        found = shutil.which(tool)
        assert found
        (bare_path / tool).symlink_to(found)
    repo.write("a.txt", "x\n")
    repo.git("add", "-A")
    done = _commit(repo, {"PATH": str(bare_path)})
    assert done.returncode != 0 and "not installed" in done.stderr


def test_hook_clean_path_imports_nothing_heavy(repo: Repo) -> None:
    repo.write("a.py", "print('hi')\n")
    repo.git("add", "-A")
    probe = (
        "import sys\nfrom responder.entry import main\ncode = main(['scan', '--staged'])\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'requests', 'github', 'detect_secrets', 'nacl', 'urllib3'})\n"
        "print(code, heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=repo.path, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "0 []"


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["scan", "--staged"], 1),
        (["scan", "--history"], 1),
        (["scan"], 1),
        (["scan", "."], 1),
        (["scan", "a.env", "sub"], 1),
        (["scan", "a.env", "sub", "missing"], 2),  # a typo in CI must not pass
        (["scan", "--history", "--format", "json"], 1),
        (["scan", "--staged", "-f", "SARIF"], 1),
        (["scan", "a.env", "--format", "json"], 1),
        (["scan", "--format", "json"], 1),
        (["scan", "--", "--format", "json"], 2),  # paths named so (missing)
        (["scan", "--format", "xml"], 2),
    ],
)
def test_fast_path_prints_what_click_prints(repo: Repo, argv: list[str], code: int) -> None:
    key = new_key()
    repo.write("old.env", f"QP_API_KEY={key}\n")
    repo.commit("history holds a key")
    repo.write("a.env", f"QUESTIONPRO_API_KEY={key}\n")
    repo.write("sub/b.yml", f"questionpro:\n  api_key: {key}\n")
    repo.git("add", "a.env")
    fast = subprocess.run([sys.executable, "-m", "responder", *argv], cwd=repo.path, capture_output=True, text=True)
    via_click = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys\nfrom responder import entry\nentry._fast_scan = lambda argv: None\n"
            "sys.exit(entry.main(sys.argv[1:]))",
            *argv,
        ],
        cwd=repo.path,
        capture_output=True,
        text=True,
    )
    assert fast.returncode == code
    assert (fast.returncode, fast.stdout, fast.stderr) == (via_click.returncode, via_click.stdout, via_click.stderr)
    assert_no_secret(fast.stdout + fast.stderr, [key])


@pytest.mark.parametrize("argv", [["scan", "."], ["scan", "--format", "json", "."]])  # fast path, click path
def test_a_crash_exits_9_and_never_prints_a_key(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from responder import entry
    from responder.cli import scan

    key = new_key()

    def crash(*_: object, **__: object) -> None:
        raise RuntimeError(f"unexpected state near {key} and {key.upper()}x")

    monkeypatch.setattr(scan, "collect", crash)
    assert entry.main(argv) == 9  # never 1, which means "leak found"
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: unexpected state near" in err
    assert f"{key[:4]}…{key[-4:]}" in err
    assert_no_secret(err, [key])


# -- the pre-commit framework's pre-push stage ----------------------------------------------


@pytest.mark.slow
def test_pre_commit_framework_pre_push(
    wheelhouse: Path, tmp_path: Path, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    """--no-verify skips the commit hook; the push hook still refuses: an update, a new
    branch, and a branch whose root commit is new (pre-commit then sets no FROM/TO)."""
    src, rev = hook_repo
    remote = make_remote(tmp_path)
    repo = remote.clone
    repo.write(
        ".pre-commit-config.yaml",
        f"repos:\n  - repo: {src}\n    rev: {rev}\n    hooks:\n      - id: qp-responder\n"
        "      - id: qp-responder-push\n",
    )
    repo.commit("config")
    env = {
        **offline_install_env(),
        "PRE_COMMIT_HOME": str(pre_commit_home),
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
    }
    subprocess.run(
        [str(BIN / "pre-commit"), "install", "--hook-type", "pre-commit", "--hook-type", "pre-push"],
        cwd=repo.path,
        check=True,
        capture_output=True,
        env=env,
    )
    key = new_key()
    before = remote.branches()
    leak = leak_commit(repo, key)  # --no-verify: the commit hook never saw it
    for args in (["origin", "HEAD:main"], ["origin", "HEAD:refs/heads/feature"]):
        pushed = remote.push(*args, env=env)
        assert pushed.code != 0 and "qp-responder-push" in pushed.output, pushed.output
        assert "app/settings.py:2" in pushed.output and leak[:12] in pushed.output
        assert_no_secret(pushed.output, [key])
    repo.git("checkout", "-q", "--orphan", "fresh")
    orphan = leak_commit(repo, key)
    pushed = remote.push("origin", "HEAD:refs/heads/fresh", env=env)
    assert pushed.code != 0 and orphan[:12] in pushed.output, pushed.output
    assert_no_secret(pushed.output, [key])
    assert remote.branches() == before
    repo.git("checkout", "-q", "-f", "main")
    repo.git("reset", "-q", "--hard", "HEAD~1")
    repo.write("ok.txt", "fine\n")
    repo.git("add", "-A")
    repo.git("commit", "-q", "--no-verify", "-m", "fine")
    for args in (["origin", "HEAD:main"], ["origin", "HEAD:refs/heads/feature"]):
        pushed = remote.push(*args, env=env)
        assert pushed.code == 0, pushed.output
