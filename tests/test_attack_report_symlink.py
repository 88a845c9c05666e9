"""A report file is never written through a symlink the scanned repository committed at
its path (issue 8: the scanned repository is hostile). ``-o results.sarif`` in a checkout
whose ``results.sarif`` links to ``~/.bashrc`` (or ``.git/config``) would overwrite that
file with the report; it is refused (exit 2) and the target is left as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Repo, dispatch_env, run_cli
from tests.corpus import new_key


def _planted(repo: Repo, tmp_path: Path) -> tuple[Path, str]:
    victim = tmp_path / "victim.rc"
    victim.write_text("precious\n", encoding="utf-8")
    (repo.path / "results.sarif").symlink_to(victim)
    key = new_key()
    repo.write("conf.py", f'questionpro_api_key = "{key}"\n')
    repo.commit("leak with a planted symlink")
    return victim, key


@pytest.mark.parametrize("args", [["conf.py"], ["--history"], ["--range", "HEAD"]])
def test_a_report_is_never_written_through_a_planted_symlink(repo: Repo, tmp_path: Path, args: list[str]) -> None:
    victim, key = _planted(repo, tmp_path)
    run = run_cli(["scan", "-f", "sarif", "-o", "results.sarif", *args], repo.path, secrets=[key])
    assert run.code == 2, run.output
    assert "symbolic link" in run.output
    assert victim.read_text(encoding="utf-8") == "precious\n"


def test_the_action_never_writes_its_sarif_through_a_planted_symlink(repo: Repo, tmp_path: Path) -> None:
    victim, key = _planted(repo, tmp_path)
    env = dispatch_env(repo.path, tmp_path, sarif=str(repo.path / "results.sarif"))
    run = run_cli(["action"], repo.path, env=env, secrets=[key])
    assert run.code == 2, run.output
    assert "symbolic link" in run.output
    assert victim.read_text(encoding="utf-8") == "precious\n"


def test_a_regular_report_file_is_replaced(repo: Repo) -> None:
    key = new_key()
    repo.write("conf.py", f'questionpro_api_key = "{key}"\n')
    out = repo.write("report.json", "x" * 10_000)
    run = run_cli(["scan", "-f", "json", "-o", "report.json", "conf.py"], repo.path, secrets=[key])
    assert run.code == 1, run.output
    assert [f["filename"] for f in json.loads(out.read_text(encoding="utf-8"))] == ["conf.py"]


@pytest.mark.parametrize("reader", [False, True], ids=["no reader", "a reader waiting"])
def test_a_planted_fifo_at_the_report_path_neither_hangs_nor_takes_the_report(
    repo: Repo, tmp_path: Path, reader: bool
) -> None:
    """A FIFO committed (or left) at the report's path would block the scan forever, or
    hand the findings to whoever reads it: refused (exit 2) at once, either way."""
    import os

    key = new_key()
    repo.write("conf.py", f'questionpro_api_key = "{key}"\n')
    repo.commit("leak")
    fifo = repo.path / "results.sarif"
    os.mkfifo(fifo)
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK) if reader else None
    try:
        run = run_cli(["scan", "-f", "sarif", "-o", "results.sarif", "conf.py"], repo.path, secrets=[key])
        taken = os.read(fd, 1 << 16) if fd is not None else b""
    finally:
        if fd is not None:
            os.close(fd)
    assert run.code == 2, run.output
    assert "results.sarif" in run.output
    assert "not a regular file" in run.output
    assert taken == b""
