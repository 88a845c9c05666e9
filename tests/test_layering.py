"""The package's layers import only downward (see each subpackage's docstring)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "responder"

# layer -> the responder subpackages it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "scanning": {"core"},
    "report": {"core", "scanning"},
    "response": {"core", "scanning", "report"},
    "actions": {"core", "scanning", "report", "response"},
    "cli": {"core", "scanning", "report", "response", "actions"},
}
TOP_LEVEL_MODULES = {"__init__", "__main__", "entry", "detect_secrets_plugin", "__version__"}


def _imported_layers(path: Path) -> set[str]:
    layers: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "responder" and len(parts) > 1:
                layers.add(parts[1])
    return layers


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_module_belongs_to_a_layer() -> None:
    for path in _modules():
        relative = path.relative_to(PACKAGE)
        if len(relative.parts) == 1:
            assert relative.stem in TOP_LEVEL_MODULES, f"{relative}: put it in a layer"
        else:
            assert relative.parts[0] in ALLOWED, f"{relative}: unknown subpackage"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_downward_only(path: Path) -> None:
    relative = path.relative_to(PACKAGE)
    if len(relative.parts) == 1:
        return  # the entry point and the plugin file sit above (entry) or beside the layers
    layer = relative.parts[0]
    imported = _imported_layers(path) - {layer} - TOP_LEVEL_MODULES
    assert imported <= ALLOWED[layer], f"{relative} imports {sorted(imported - ALLOWED[layer])}"


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from responder.cli.main import cli\nimport responder.response.workflow\n")
    assert _imported_layers(bad) == {"cli", "response"}
