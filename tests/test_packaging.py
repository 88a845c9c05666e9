"""What a user gets from ``pip install``: the plain git hooks inside the package (the
README says pip install, then run hooks/install), the license, the typing marker."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import ROOT, git, offline_install_env


def test_the_hooks_are_reachable_after_pip_install(tmp_path: Path, wheelhouse: Path) -> None:
    env = offline_install_env()
    dist, venv = tmp_path / "dist", tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(dist), str(ROOT)],
        env=env,
        check=True,
        capture_output=True,
    )
    [wheel] = dist.glob("qp_responder-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {"responder/hooks/install", "responder/hooks/pre-commit", "responder/py.typed"} <= set(names)
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)],
        env=env,
        check=True,
        capture_output=True,
    )
    hooks = subprocess.run(
        [str(venv / "bin" / "qp-responder"), "hooks-path"], capture_output=True, text=True, check=True, cwd=tmp_path
    ).stdout.strip()
    assert Path(hooks).is_relative_to(venv) and (Path(hooks) / "install").is_file()
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    subprocess.run(["sh", str(Path(hooks) / "install")], cwd=repo, check=True, capture_output=True)
    assert (repo / ".git" / "hooks" / "pre-commit").is_file()
