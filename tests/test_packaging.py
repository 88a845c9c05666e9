"""What a user gets from ``pip install``: the plain git hooks inside the package (the
README says pip install, then run hooks/install), the license, the typing marker."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, git, offline_install_env, run_main
from tests.corpus import new_key


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


def test_responding_without_the_respond_extra_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hook's base install has no PyGithub: respond stops before anything happens."""
    monkeypatch.setitem(sys.modules, "github", None)  # as if PyGithub were not installed
    run = run_main(
        ["respond", "--repo", "octo/app", "--yes"],
        tmp_path,
        stdin="12345678-90ab-4cde-8f01-234567890abc\n",
        env={
            "GITHUB_TOKEN": "t",
            "QUESTIONPRO_BASE_URL": "http://127.0.0.1:9",
            "QP_RESPONDER_STATE_DIR": str(tmp_path / "state"),
        },
    )
    assert run.code == 2, run.output
    assert "pip install 'qp-responder[respond]'" in run.stderr
    assert not (tmp_path / "state").exists()


def test_sweep_matrix_without_the_respond_extra_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "github", None)
    run = run_main(["sweep-matrix", "--org", "octo"], tmp_path, env={"GITHUB_API_URL": "http://127.0.0.1:9"})
    assert run.code == 2 and "pip install 'qp-responder[respond]'" in run.stderr, run.output


README_URL = "https://github.com/qp-responder/qp-responder"


def _readme_requirements() -> list[str]:
    """The distinct ``qp-responder… @ git+URL@main`` requirements the README gives."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return sorted(set(re.findall(r'"(qp-responder(?:\[respond\])? @ git\+' + re.escape(README_URL) + r'@main)"', text)))


def test_the_readmes_git_install_lines_work_as_written(tmp_path: Path, wheelhouse: Path) -> None:
    """Every ``pip install "qp-responder… @ git+URL@main"`` in the README, run as written
    with the URL pointing at this repository (the wheelhouse stands in for the index)."""
    requirements = _readme_requirements()
    assert len(requirements) == 2, requirements  # with and without the respond extra
    mirror = _mirror_with_main(tmp_path)
    for index, written in enumerate(requirements):
        requirement = written.replace(README_URL, f"file://localhost{mirror}")  # (old pip wants a host)
        venv = tmp_path / f"venv{index}"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        done = subprocess.run(
            [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet", requirement],
            env=offline_install_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        imports = subprocess.run(
            [str(venv / "bin" / "python"), "-c", "import responder.entry, github, nacl"],
            capture_output=True,
            check=False,
        )
        assert (imports.returncode == 0) == ("[respond]" in requirement), requirement


def _mirror_with_main(tmp_path: Path) -> Path:
    """This checkout as a repository whose ``main`` is what is under test."""
    mirror = tmp_path / "mirror.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(ROOT), str(mirror)], check=True, capture_output=True)
    subprocess.run(["git", "-C", str(mirror), "branch", "-f", "main", "HEAD"], check=True, capture_output=True)
    return mirror


@pytest.mark.slow
def test_the_readmes_pre_commit_config_works_as_written(tmp_path: Path, wheelhouse: Path) -> None:
    """The README's .pre-commit-config.yaml with ``rev: main``, then ``pre-commit autoupdate
    --freeze`` as it says: the rev becomes a full SHA and the hook blocks a staged key."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    [config] = [b.split("```", 1)[0] for b in text.split("```yaml\n") if "\n  - repo: " + README_URL in b]
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / ".pre-commit-config.yaml").write_text(config.replace(README_URL, str(_mirror_with_main(tmp_path))))
    env = {**offline_install_env(), "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    pre_commit = str(Path(sys.executable).parent / "pre-commit")
    update = subprocess.run([pre_commit, "autoupdate", "--freeze"], cwd=repo, env=env, capture_output=True, text=True)
    assert update.returncode == 0, update.stdout + update.stderr
    assert re.search(r"^    rev: [0-9a-f]{40}", (repo / ".pre-commit-config.yaml").read_text(), re.M)
    (repo / "settings.py").write_text(f"# QuestionPro\nQUESTIONPRO_API_KEY = '{new_key()}'\n")
    git(repo, "add", "-A")
    run = subprocess.run(
        [pre_commit, "run", "qp-responder"], cwd=repo, env=env, capture_output=True, text=True, timeout=900
    )
    assert run.returncode == 1 and "settings.py:2" in run.stdout + run.stderr, run.stdout + run.stderr
    # the hook's environment is the base install: no PyGithub, PyNaCl or cryptography
    [site] = (tmp_path / "pre-commit-home").glob("repo*/py_env-*/lib/python*/site-packages")
    assert (site / "click").is_dir() and not any((site / name).exists() for name in ("github", "nacl", "cryptography"))
