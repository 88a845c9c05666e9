"""Where the detect-secrets plugin lives, and the shim users commit beside a baseline."""

from __future__ import annotations

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
    from responder import detect_secrets_plugin  # noqa: F401 - fail here if detect-secrets is missing

    return Path(detect_secrets_plugin.__file__).resolve()


def write_shim(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SHIM, encoding="utf-8")
