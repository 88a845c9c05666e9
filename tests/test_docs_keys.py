"""Example keys in the documentation are made up (issue 11 item 6): UUID-shaped, so they
show what a key looks like, but placeholders by the detector's own rules, so the
repository's dogfood hook (.pre-commit-config.yaml: `scan --staged`) never flags them and
no real key (such as one that appears in public code) is ever published here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from responder.scanning.detect import is_placeholder
from tests.conftest import ROOT, git, run_main
from tests.corpus import new_key

UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
DOCS = sorted(
    p
    for p in [*ROOT.glob("*.md"), *ROOT.glob("docs/**/*.md"), ROOT / "action.yml", *ROOT.glob("hooks/*")]
    if p.is_file()
)
KNOWN_PUBLIC = {"3e158e6c-f112-4925-b1dc-ec1406881337"}  # appears verbatim in public code


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_example_keys_in_docs_are_obviously_fake(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8", errors="replace")
    for found in UUID.findall(text):
        assert found.lower() not in KNOWN_PUBLIC, f"{doc.name}: a key seen in public code"
        assert is_placeholder(found), f"{doc.name}: {found[:4]}… is not an obvious placeholder"


def test_the_dogfood_hook_passes_on_the_docs(tmp_path: Path) -> None:
    """The repository's own hook (its entry in .pre-commit-config.yaml), run on the docs
    staged in a fresh repository, as when they are committed."""
    import shlex
    import shutil

    import yaml

    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    [hook] = [h for r in config["repos"] for h in r["hooks"] if h["id"] == "qp-responder"]
    argv = shlex.split(hook["entry"])
    assert argv[:3] == ["python", "-m", "responder"], argv
    repo = tmp_path / "docs-repo"
    repo.mkdir()
    git(repo, "init", "-q")
    for doc in DOCS:
        target = repo / doc.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(doc, target)
    git(repo, "add", "-A")
    run = run_main(argv[3:], repo)
    assert run.code == 0, run.output
    planted = repo / "planted.py"  # the same hook does fire on a real-looking key
    planted.write_text(f"QUESTIONPRO_API_KEY = '{new_key()}'\n")
    git(repo, "add", "planted.py")
    assert run_main(argv[3:], repo).code == 1
