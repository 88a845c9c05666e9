"""Read a detect-secrets baseline: which findings are already known."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from responder.core.errors import UsageError
from responder.scanning.findings import Finding


class BaselineError(UsageError):
    """The baseline cannot be used; the message says why."""


@dataclass(frozen=True)
class Baseline:
    known: frozenset[tuple[str, str]]  # (filename, hashed_secret)

    def is_known(self, finding: Finding) -> bool:
        return (finding.filename, finding.hashed_secret) in self.known


def load_baseline(path: Path, cwd: Path) -> Baseline:
    """Parse ``path``; fail loudly when a plugin it names is missing.

    detect-secrets-hook silently scans nothing when a baseline's plugin ``path`` does not
    exist (a fresh clone, another machine): here that is an error, never a clean pass.
    """
    import json

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"baseline {path} is not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("results", {}), dict):
        raise BaselineError(f"baseline {path} is not a detect-secrets baseline")
    for plugin in doc.get("plugins_used", []):
        location = plugin.get("path") if isinstance(plugin, dict) else None
        if isinstance(location, str) and location.startswith("file://"):
            target = Path(location[len("file://") :])
            if not (target if target.is_absolute() else cwd / target).is_file():
                raise BaselineError(
                    f"baseline {path} names plugin {plugin.get('name')} at {location}, "
                    "which does not exist here: detect-secrets would silently scan nothing. "
                    "Run `qp-responder init-plugin` and commit the file it writes."
                )
    known = set()
    for filename, entries in doc.get("results", {}).items():
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("hashed_secret"), str):
                known.add((str(entry.get("filename", filename)), entry["hashed_secret"]))
    return Baseline(frozenset(known))
