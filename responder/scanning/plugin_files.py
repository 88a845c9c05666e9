"""Where the detect-secrets plugin lives, and the shim users commit beside a baseline."""

from __future__ import annotations

import enum
import json
import os
from pathlib import Path

SHIM = '''"""QuestionPro API key plugin for detect-secrets (written by `qp-responder init-plugin`).

Committed to the repository so the path in .secrets.baseline exists in every clone.
"""

try:
    from responder.detect_secrets_plugin import QuestionProDetector  # noqa: F401
except ImportError as exc:  # loud: detect-secrets must never scan silently without it
    raise SystemExit(
        "qp-responder is not installed where detect-secrets runs: "
        "pip install qp-responder (pre-commit: add it to additional_dependencies)"
    ) from exc
'''


def installed_plugin_path() -> Path:
    from responder import detect_secrets_plugin

    return Path(detect_secrets_plugin.__file__).resolve()


class ShimState(enum.Enum):
    WRITTEN = "written"
    UNCHANGED = "already up to date"
    REPLACED = "replaced"
    EDITED = "edited"  # exists, differs, and was left alone


def write_shim(path: Path, *, force: bool = False) -> ShimState:
    """Write the plugin file; never overwrite one that differs (someone edited it) unless
    ``force``."""
    try:
        current = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        current = None
    except (OSError, UnicodeDecodeError):
        current = ""
    if current == SHIM:
        return ShimState.UNCHANGED
    if current is not None and not force:
        return ShimState.EDITED
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SHIM, encoding="utf-8")
    return ShimState.WRITTEN if current is None else ShimState.REPLACED


def shown(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` when inside it, as a user would type it there."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def relativise_baseline(baseline: Path, shim: Path, root: Path) -> bool:
    """Point the baseline's QuestionPro plugin entry at ``shim``, relative to ``root``.

    detect-secrets records ``--plugin`` as an absolute ``file://`` path, which does not
    exist in another clone; it reads a relative one against the directory it runs in
    (pre-commit runs hooks at the repository root) and keeps it when it rewrites the file.
    Returns whether the baseline changed.
    """
    doc = json.loads(baseline.read_text(encoding="utf-8"))
    relative = "file://" + os.path.relpath(shim.resolve(), root.resolve()).replace(os.sep, "/")
    changed = False
    for plugin in doc.get("plugins_used", []):
        if plugin.get("name") == "QuestionProDetector" and plugin.get("path") != relative:
            plugin["path"] = relative
            changed = True
    if changed:
        baseline.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return changed
