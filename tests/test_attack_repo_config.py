"""Nothing in a scanned repository's config runs (issue 8: the scanned repository is
hostile). Every setting that makes git run a command, set in ``.git/config`` directly,
through ``include.path``, or through ``GIT_CONFIG_*`` in the environment, is tried
against every scan mode; a marker file says whether anything ran, and the key must
still be found."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Repo, run_cli
from tests.corpus import new_key


def _commands(marker: Path) -> dict[str, str]:
    run = f"touch {marker}; true"
    return {
        "core.fsmonitor": run,
        "core.pager": run,
        "pager.log": run,
        "pager.diff": run,
        "diff.external": run,
        "diff.hide.command": run,
        "diff.hide.textconv": f"touch {marker}; cat",
        "filter.hide.clean": f"touch {marker}; cat",
        "filter.hide.smudge": f"touch {marker}; cat",
        "filter.hide.process": run,
        "core.sshCommand": run,
        "core.alternateRefsCommand": run,
        "core.hooksPath": str(marker.parent / "hooks"),
        "sequence.editor": run,
        "core.editor": run,
        "gpg.program": run,
        "log.showSignature": "true",
        "credential.helper": f"!{run}",
    }


def _leak(repo: Repo, tmp_path: Path, mode: str) -> tuple[str, str, str, str | None]:
    """The repository before its config turns hostile: (key, base, tip, hook stdin)."""
    repo.write(".gitattributes", "* diff=hide filter=hide\n")
    repo.write("a.txt", "base\n")
    base = repo.commit("base")
    key = new_key()
    repo.write("conf.py", f'questionpro_api_key = "{key}"\n')
    if mode == "--staged":
        repo.git("add", "conf.py")
        return key, base, "", None
    tip = repo.commit("leak")
    if mode in ("--pre-push", "--pre-receive"):
        repo.git("reset", "-q", "--hard", base)  # the pushed commit is new to every ref
        return (
            key,
            base,
            tip,
            {
                "--pre-push": f"refs/heads/x {tip} refs/heads/x {base}\n",
                "--pre-receive": f"{base} {tip} refs/heads/x\n",
            }[mode],
        )
    return key, base, tip, None


def _turn_hostile(repo: Repo, tmp_path: Path, how: str) -> tuple[Path, dict[str, str]]:
    """Config that tries to run commands (and hooks that would): (marker, environment)."""
    marker = tmp_path / "something.ran"
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for hook in ("pre-commit", "post-checkout", "reference-transaction", "post-index-change"):
        (hooks / hook).write_text(f"#!/bin/sh\ntouch {marker}\n", encoding="utf-8")
        (hooks / hook).chmod(0o755)
    commands = _commands(marker)
    env: dict[str, str] = {}
    if how == "config":
        for name, value in commands.items():
            repo.git("config", name, value)
    elif how == "include":
        included = tmp_path / "included.cfg"
        for name, value in commands.items():
            repo.git("config", "--file", str(included), name, value)
        repo.git("config", "include.path", str(included))
    else:  # GIT_CONFIG_* in the environment
        env["GIT_CONFIG_COUNT"] = str(len(commands))
        for index, (name, value) in enumerate(commands.items()):
            env[f"GIT_CONFIG_KEY_{index}"] = name
            env[f"GIT_CONFIG_VALUE_{index}"] = value
    return marker, env


MODES = ["--staged", "--history", "--range", "paths", "--pre-push", "--pre-receive"]


@pytest.mark.parametrize("how", ["config", "include", "environment"])
@pytest.mark.parametrize("mode", MODES)
def test_no_command_in_the_repository_config_runs(repo: Repo, tmp_path: Path, mode: str, how: str) -> None:
    key, base, tip, stdin = _leak(repo, tmp_path, mode)
    marker, env = _turn_hostile(repo, tmp_path, how)
    args = {
        "--staged": ["--staged"],
        "--history": ["--history"],
        "--range": ["--range", f"{base}..{tip}"],
        "paths": ["."],
        "--pre-push": ["--pre-push"],
        "--pre-receive": ["--pre-receive"],
    }[mode]
    run = run_cli(["scan", *args], repo.path, stdin=stdin, env=env, secrets=[key])
    assert run.code == 1, run.output
    assert not marker.exists(), f"the repository's config ran a command during scan {mode}"
