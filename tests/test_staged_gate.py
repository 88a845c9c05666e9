"""The hook's quick gate (``scan --staged`` exactly): for a large change it reads the
changed files' blobs and diffs only those that may hold a key, for a small one it probes
the whole diff; either way it must decide every change as the full scan does."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Repo, assert_no_secret, run_cli, run_main
from tests.corpus import new_key

KEY = new_key()
HOOK = (
    "import sys\nfrom responder.entry import main\ncode = main(['scan', '--staged'])\n"
    "print(code, 'responder.scanning.scanner' in sys.modules)\n"
)


def _base(repo: Repo) -> None:
    repo.write("ids.py", f'REQUEST_ID = "{new_key()}"\nx = 1\n')  # UUID-shaped, not a key
    repo.write(".env", f"QUESTIONPRO_API_KEY={KEY}\nOTHER=1\n")
    repo.write("k8s.yml", "apiVersion: v1\nkind: Secret\ndata:\n  other: aGVsbG8=\n")
    for i in range(40):
        repo.write(f"pkg/m{i}.py", f"value = {i}\n")
    repo.commit("base")


def _many_clean_and(name: str, content: str) -> Callable[[Repo], None]:
    def change(repo: Repo) -> None:
        for i in range(40):  # 400 KB in all: probed by one search over every blob
            repo.write(f"pkg/m{i}.py", f"value = {i + 1}\n" + "# padding\n" * 1000)
        repo.write(name, content)

    return change


def _big_before_and(name: str, content: str, *, key_in_old: bool = False) -> Callable[[Repo], None]:
    """Files that were large before the change (400 KB of old blobs: git reads them in one
    batch, probed by one search per kind that skips to the next blob after a hit), edited."""

    def change(repo: Repo) -> None:
        for i in range(40):
            extra = f"QUESTIONPRO_API_KEY={KEY}\n" if key_in_old and i == 7 else ""
            repo.write(f"pkg/m{i}.py", f"value = {i}\n" + extra + "# padding\n" * 1000)
        repo.commit("big")
        for i in range(40):
            repo.write(f"pkg/m{i}.py", f"value = {i + 1}\n" + "# padding\n" * 1000)
        repo.write(name, content)

    return change


def _remove_env_line(repo: Repo) -> None:
    repo.write(".env", "OTHER=1\n")


def _delete_env(repo: Repo) -> None:
    (repo.path / ".env").unlink()


def _uuid_on_unchanged_line(repo: Repo) -> None:
    repo.write("ids.py", (repo.path / "ids.py").read_text() + "y = 2\n")


def _base64_under_unchanged_kind(repo: Repo) -> None:
    encoded = base64.b64encode(KEY.encode()).decode()
    repo.write("k8s.yml", (repo.path / "k8s.yml").read_text() + f"  QUESTIONPRO_API_KEY: {encoded}\n")


def _request_id_in_secret(repo: Repo) -> None:
    repo.write("k8s.yml", (repo.path / "k8s.yml").read_text() + f"  request_id: {new_key()}\n")


def _file_to_symlink(repo: Repo) -> None:
    (repo.path / "ids.py").unlink()
    (repo.path / "ids.py").symlink_to(".env")


# (change staged after the base commit, exit code (None: as the full scan's, whatever
# it is), whether the full scanner was loaded: only for a changed line the scanner's own
# line gate finds suspect)
CASES: dict[str, tuple[Callable[[Repo], None], int | None, bool]] = {
    "clean edits of many files": (_many_clean_and("pkg/m0.py", "value = -1\n"), 0, False),
    "a UUID on an unchanged line of a changed file": (_uuid_on_unchanged_line, 0, False),
    "a key among many clean files": (_many_clean_and("conf/app.env", f"QUESTIONPRO_API_KEY={KEY}\n"), 1, True),
    "a key in a path a glob would misread": (_many_clean_and("[x] *.env", f"QUESTIONPRO_API_KEY={KEY}\n"), 1, True),
    "a key in a path that starts with a dash": (_many_clean_and("-x.env", f"QUESTIONPRO_API_KEY={KEY}\n"), 1, True),
    "a key in a binary file": (_many_clean_and("blob.bin", f"\0\0QUESTIONPRO_API_KEY={KEY}\n\0"), 1, True),
    "a UUID in a file's name only": (_many_clean_and(f"{new_key()}.txt", "hello\n"), 0, True),
    "a request id that is not a key": (_many_clean_and("r.py", f'request_id = "{new_key()}"\n'), 0, False),
    "a key among many files that were large before": (
        _big_before_and("conf/app.env", f"QUESTIONPRO_API_KEY={KEY}\n"),
        1,
        True,
    ),
    "a key removed from one of many large files": (_big_before_and("pkg/new.py", "x = 1\n", key_in_old=True), 0, True),
    "clean edits of many files that were large before": (_big_before_and("pkg/new.py", "x = 1\n"), 0, False),
    "a removed key line": (_remove_env_line, 0, True),
    "a deleted file holding a key": (_delete_env, 0, True),
    "a base64 key under an unchanged kind: Secret": (_base64_under_unchanged_kind, None, True),
    "a request id added to a kind: Secret": (_request_id_in_secret, 0, False),  # the word alone loads nothing
    "a file turned into a symlink": (_file_to_symlink, 0, False),  # only a request id's line is removed
}


def _bulk(repo: Repo) -> None:
    """Enough clean new files that the gate reads blobs instead of the whole diff."""
    for i in range(40):
        repo.write(f"bulk/f{i}.py", f"n = {i}\n")


@pytest.mark.parametrize("where", ["", "pkg"], ids=["at the top", "in a subdirectory"])
@pytest.mark.parametrize("bulk", [False, True], ids=["small change", "large change"])
@pytest.mark.parametrize("case", CASES)
def test_hook_gate_decides_as_the_full_scan(repo: Repo, case: str, bulk: bool, where: str) -> None:
    """Run by hand, the hook's command may start in any directory of the work tree, where
    git's pathspecs are relative and ``diff-index`` paths are not."""
    change, code, loaded = CASES[case]
    _base(repo)
    change(repo)
    if bulk:
        _bulk(repo)
    repo.git("add", "-A")
    cwd = repo.path / where
    done = subprocess.run([sys.executable, "-c", HOOK], cwd=cwd, capture_output=True, text=True, check=True)
    assert_no_secret(done.stdout + done.stderr, [KEY])
    full = run_cli(["scan", "--staged", "--format", "json"], cwd, secrets=[KEY])  # no quick gate
    assert full.code == (full.code if code is None else code)
    assert done.stdout.strip().splitlines()[-1] == f"{full.code} {loaded}"
    hook_says_removed = "previously committed" in done.stdout
    assert hook_says_removed == any(f["previously_committed"] for f in json.loads(full.stdout))


def test_hook_gate_with_a_submodule_and_no_memory_files(repo: Repo, tmp_path: Path) -> None:
    """A submodule's commit is no blob to read; without memory files (not Linux) the gate
    diffs the whole change instead."""
    sub = Repo(tmp_path / "sub")
    sub.path.mkdir()
    sub.git("init", "-q")
    sub.write("x.txt", "hello\n")
    sub.commit("sub")
    _base(repo)
    repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub.path), "vendor/sub")
    _bulk(repo)
    repo.git("add", "-A")
    for hide in ("", "import os\ndel os.memfd_create\n"):
        done = subprocess.run([sys.executable, "-c", hide + HOOK], cwd=repo.path, capture_output=True, text=True)
        assert done.stdout.strip().splitlines()[-1] == "0 False"
        repo.write("conf/app.env", f"QUESTIONPRO_API_KEY={KEY}\n")
        repo.git("add", "-A")
        done = subprocess.run([sys.executable, "-c", hide + HOOK], cwd=repo.path, capture_output=True, text=True)
        assert done.stdout.strip().splitlines()[-1] == "1 True"
        repo.git("rm", "-q", "--cached", "conf/app.env")


def _clean_same_size(path: Path) -> None:
    path.write_bytes(b"#" * (path.stat().st_size - 1) + b"\n")


def _fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def _symlink_to_clean(path: Path) -> None:
    path.unlink()
    path.symlink_to("pkg/m1.py")


# What the work tree holds after the key was staged: the staged blob, not the file, is scanned
UNSTAGED_EDITS: dict[str, Callable[[Path], None]] = {
    "a clean file of the same size": _clean_same_size,
    "a clean shorter file": lambda path: path.write_text("x = 1\n"),
    "no file": Path.unlink,
    "a FIFO": _fifo,
    "a symlink to a clean file": _symlink_to_clean,
}


@pytest.mark.parametrize("edit", UNSTAGED_EDITS)
def test_large_change_gate_scans_the_staged_blob_not_the_work_tree(repo: Repo, edit: str) -> None:
    _base(repo)
    _many_clean_and("conf/app.env", f"QUESTIONPRO_API_KEY={KEY}\n")(repo)
    _bulk(repo)
    repo.git("add", "-A")
    UNSTAGED_EDITS[edit](repo.path / "conf" / "app.env")
    done = subprocess.run([sys.executable, "-c", HOOK], cwd=repo.path, capture_output=True, text=True, check=True)
    assert_no_secret(done.stdout + done.stderr, [KEY])
    assert done.stdout.strip().splitlines()[-1] == "1 True"


@pytest.mark.parametrize(
    "setting", ["GIT_LITERAL_PATHSPECS", "GIT_GLOB_PATHSPECS", "GIT_NOGLOB_PATHSPECS", "GIT_ICASE_PATHSPECS"]
)
def test_a_global_pathspec_setting_in_the_environment_changes_nothing(repo: Repo, setting: str) -> None:
    """With GIT_LITERAL_PATHSPECS=1 the gate's ``:(top,literal)`` pathspecs would match no
    file (an empty diff, a missed key); the others make git refuse ``--literal-pathspecs``."""
    _base(repo)
    _bulk(repo)
    repo.write("conf/[x] *.env", f"QUESTIONPRO_API_KEY={KEY}\n")
    repo.git("add", "-A")
    env = {**os.environ, setting: "1"}
    done = subprocess.run([sys.executable, "-c", HOOK], cwd=repo.path / "pkg", env=env, capture_output=True, text=True)
    assert done.stdout.strip().splitlines()[-1] == "1 True", done.stderr
    assert run_cli(["scan", "--staged"], repo.path / "pkg", env={setting: "1"}, secrets=[KEY]).code == 1
    repo.commit("with the key")
    assert run_cli(["scan", "--history"], repo.path, env={setting: "1"}, secrets=[KEY]).code == 1


def test_a_failing_gate_hands_the_change_to_the_full_scan(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever goes wrong in the quick gate (it judges lines now), the full scan decides."""
    from responder.scanning import quick

    def broken() -> bool:
        raise RuntimeError("the gate failed")

    monkeypatch.setattr(quick, "staged_is_clean", broken)
    _base(repo)
    repo.write("conf/app.env", f"QUESTIONPRO_API_KEY={KEY}\n")
    repo.git("add", "-A")
    done = run_main(["scan", "--staged"], repo.path, secrets=[KEY])
    assert done.code == 1
    assert "conf/app.env" in done.stdout


def test_when_git_cannot_say_where_the_top_is_the_gate_reads_every_blob_with_git(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From a subdirectory the gate asks ``rev-parse --show-cdup`` where the work tree's top
    is; if that fails, no staged file is read from the work tree and git reads them all."""
    from responder.scanning import quick

    real = quick._git_output
    asked: list[list[str | bytes]] = []

    def git_output(argv: list[str | bytes]) -> bytes | None:
        asked.append(argv)
        return None if argv[:1] == ["rev-parse"] else real(argv)

    read: list[bytes] = []

    def no_work_tree(path: bytes, oid: bytes) -> bytes | None:
        read.append(path)  # recorded, not raised: an error in the gate hands over to the full scan
        return None

    monkeypatch.setattr(quick, "_git_output", git_output)
    monkeypatch.setattr(quick, "_from_work_tree", no_work_tree)
    _base(repo)
    _bulk(repo)
    repo.write("conf/app.env", f"QUESTIONPRO_API_KEY={KEY}\n")
    repo.git("add", "-A")
    done = run_main(["scan", "--staged"], repo.path / "pkg", secrets=[KEY])
    assert done.code == 1
    assert ["rev-parse", "--show-cdup"] in asked
    assert read == []
