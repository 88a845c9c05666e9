"""A small stand-in for the GitHub Actions runner, enough to run action.yml's composite
steps for real: expressions in ``env:`` and ``outputs:`` (inputs, github.token,
runner.temp, steps.*.outputs), bash with the runner's flags, and the runner's files
(GITHUB_OUTPUT per step, GITHUB_ENV, GITHUB_STEP_SUMMARY, the event payload)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXPR = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")
INSTALL_STEP = "Install qp-responder"


@dataclass
class ActionRun:
    code: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str
    steps_run: list[str] = field(default_factory=list)

    def annotations(self, level: str = "error") -> list[str]:
        return [line for line in self.stdout.splitlines() if line.startswith((f"::{level} ", f"::{level}::"))]

    def visible(self) -> str:
        """What a log reader sees: the runner consumes ::add-mask:: lines."""
        lines = (self.stdout + self.stderr).splitlines()
        return "\n".join(line for line in lines if not line.startswith("::add-mask::"))


def _parse_outputs(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line:
            name, delimiter = line.split("<<", 1)
            body = []
            i += 1
            while lines[i] != delimiter:
                body.append(lines[i])
                i += 1
            out[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            out[name] = value
        i += 1
    return out


def run_action(
    *,
    workspace: Path,
    runner_temp: Path,
    event_name: str,
    payload: dict[str, Any],
    inputs: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
    skip_install: bool = True,
) -> ActionRun:
    spec = yaml.safe_load((ROOT / "action.yml").read_text())
    runner_temp.mkdir(parents=True, exist_ok=True)
    event_path = runner_temp / "event.json"
    event_path.write_text(json.dumps(payload))
    summary = runner_temp / "summary.md"
    base = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "QP_RESPONDER_"))},
        "GITHUB_ACTIONS": "true",
        "CI": "true",
        "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_WORKSPACE": str(workspace),
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_ENV": str(runner_temp / "env"),
        "GITHUB_REPOSITORY": "octo/app",
        "GITHUB_API_URL": "https://api.github.com",
        "GITHUB_SERVER_URL": "https://github.com",
        **(env or {}),
    }
    values = {name: str(item.get("default", "")) for name, item in spec["inputs"].items()}
    values.update(inputs or {})
    contexts: dict[str, Any] = {
        "github": {"token": base.get("GITHUB_TOKEN", ""), "action_path": str(ROOT)},
        "runner": {"temp": str(runner_temp)},
        "steps": {},
    }

    def evaluate(text: str) -> str:
        def lookup(match: re.Match[str]) -> str:
            parts = match.group(1).split(".")
            node: Any = contexts
            for part in parts:
                node = node.get(part, "") if isinstance(node, dict) else ""
            return str(node)

        return EXPR.sub(lookup, text)

    contexts["inputs"] = {name: evaluate(value) for name, value in values.items()}
    stdout = stderr = ""
    code = 0
    steps_run = []
    for index, step in enumerate(spec["runs"]["steps"]):
        if skip_install and step.get("name") == INSTALL_STEP:
            continue
        if "uses" in step:  # other actions (the download cache): a cache miss, as on a first run
            continue
        output_file = runner_temp / f"output-{index}"
        output_file.touch()
        step_env = {**base, "GITHUB_OUTPUT": str(output_file)}
        if step.get("name") == INSTALL_STEP:  # pip installs from the local wheelhouse only
            from tests.wheelhouse import offline_pip_env

            step_env.update(offline_pip_env())
        step_env.update({k: evaluate(str(v)) for k, v in (step.get("env") or {}).items()})
        script = runner_temp / f"step-{index}.sh"
        script.write_text(step["run"])
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env=step_env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        stdout, stderr, code = stdout + done.stdout, stderr + done.stderr, done.returncode
        steps_run.append(step.get("name", step.get("id", "")))
        if step.get("id"):
            contexts["steps"][step["id"]] = {"outputs": _parse_outputs(output_file)}
        if code != 0:
            break
    outputs = {name: evaluate(str(item["value"])) for name, item in spec.get("outputs", {}).items()}
    return ActionRun(code, stdout, stderr, outputs, summary.read_text() if summary.exists() else "", steps_run)


HOSTILE_PY = "import pathlib; pathlib.Path({sentinel!r}).write_text('{name}')\n"
HOSTILE_SH = "#!/bin/sh\necho pwned > {sentinel!r}\nexit 0\n"


def plant(ws: Path, sentinel: Path) -> None:
    """What a malicious commit can add: modules that shadow the ones python -m runs, a
    package named like ours, and executables named like the tools the steps call."""
    for name in ("venv.py", "pip.py", "ensurepip.py", "sitecustomize.py", "usercustomize.py", "site.py"):
        (ws / name).write_text(HOSTILE_PY.format(sentinel=str(sentinel), name=name))
    (ws / "responder").mkdir()
    (ws / "responder" / "__init__.py").write_text(HOSTILE_PY.format(sentinel=str(sentinel), name="responder"))
    (ws / "responder" / "__main__.py").write_text(HOSTILE_PY.format(sentinel=str(sentinel), name="responder"))
    for directory in (ws, ws / "bin"):
        directory.mkdir(exist_ok=True)
        for tool in ("git", "python3", "sha256sum", "shasum"):
            (directory / tool).write_text(HOSTILE_SH.format(sentinel=str(sentinel)))
            (directory / tool).chmod(0o755)
