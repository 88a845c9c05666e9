"""The local wheelhouse the installing tests use instead of a package registry.

Two tests install this checkout for real, as users do: the pre-commit framework builds
the hook's environment, and the action's install step runs ``pip install``. They install
only from ``.wheelhouse/`` (wheels of this project's dependencies and its build backend),
which ``.ci/wheelhouse`` builds once, while the registry may still be reached; the tests
themselves never reach one. Without a wheelhouse, or with one built for other
dependencies, those tests skip and say how to build it.

``python tests/wheelhouse.py stamp DIR`` records what a wheelhouse was built for.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WHEELHOUSE = Path(os.environ.get("QP_RESPONDER_WHEELHOUSE") or ROOT / ".wheelhouse")
STAMP = "qp-responder-wheelhouse.json"
BUILD = "bash .ci/wheelhouse"


def requirements() -> dict[str, list[str]]:
    """What the installs need: the project's dependencies and its build requirements."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: the stamp is only checked for presence
        return {}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lock = (ROOT / "requirements" / "action.txt").read_text(encoding="utf-8")
    return {
        "dependencies": sorted(project["project"]["dependencies"]),
        "build-system": sorted(project["build-system"]["requires"]),
        "action-lock": sorted(line.strip(" \\") for line in lock.splitlines() if "==" in line),
    }


def stamp(directory: Path) -> None:
    (directory / STAMP).write_text(json.dumps(requirements(), indent=2) + "\n", encoding="utf-8")


def problem(directory: Path = WHEELHOUSE) -> str | None:
    """Why ``directory`` cannot serve the installs, or None when it can."""
    try:
        recorded = json.loads((directory / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"no wheelhouse at {directory}: build it once with `{BUILD}` (it needs the package index)"
    if recorded != requirements():
        return f"the wheelhouse at {directory} was built for other dependencies: rebuild it with `{BUILD}`"
    return None


def offline_pip_env(directory: Path = WHEELHOUSE) -> dict[str, str]:
    """pip (and virtualenv, which pre-commit uses) install from ``directory`` only: no
    index, no configuration file that could name one, no self-update check."""
    return {
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(directory),
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "VIRTUALENV_NO_PERIODIC_UPDATE": "1",
    }


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "stamp":
        sys.exit("usage: python tests/wheelhouse.py stamp DIR")
    stamp(Path(sys.argv[2]))
