"""Merge the per-repository reports of an organization sweep into one summary.

Each report is a file ``OWNER/NAME.json`` under a directory (the layout the sweep workflow
writes, one artifact per job, merged by download-artifact): the array ``scan --format json``
prints, or ``{"error": "..."}`` for a repository that could not be scanned. A report that
cannot be read is listed as an error; nothing else is lost.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from responder.core.redact import redact_uuids

_FIELDS = ("filename", "line_number", "hashed_secret", "redacted", "commit", "datacenter", "previously_committed")


@dataclass
class Summary:
    repositories: list[str] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)  # each with "repository"
    errors: list[dict[str, str]] = field(default_factory=list)

    @property
    def blocking(self) -> list[dict[str, Any]]:
        return [f for f in self.findings if not f.get("previously_committed")]

    def add_missing(self, expected: Sequence[str]) -> None:
        """Every expected repository with no report is an error: its job did not finish."""
        seen = set(self.repositories) | {e["repository"] for e in self.errors}
        self.errors += [
            {"repository": name, "error": "no report (its job failed or was cancelled)"}
            for name in expected
            if name not in seen
        ]

    def to_json(self) -> dict[str, Any]:
        with_findings = sorted({f["repository"] for f in self.blocking})
        return {
            "repositories_scanned": len(self.repositories),
            "repositories_with_findings": with_findings,
            "distinct_keys": len({f["hashed_secret"] for f in self.blocking}),
            "findings": self.findings,
            "errors": self.errors,
        }


def expected_repositories(matrix: Any) -> list[str]:
    """The repositories a ``sweep-matrix`` document lists."""
    names = [name for job in matrix["include"] for name in job["repositories"]]
    if not all(isinstance(n, str) for n in names):
        raise TypeError("repository names must be strings")
    return names


def _finding(repository: str, item: Any) -> dict[str, Any] | None:
    if not isinstance(item, dict) or not isinstance(item.get("hashed_secret"), str):
        return None
    return {"repository": repository, **{k: item.get(k) for k in _FIELDS}}


def _read(path: Path, repository: str, summary: Summary) -> None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        summary.errors.append({"repository": repository, "error": f"unreadable report ({type(exc).__name__})"})
        return
    if isinstance(data, dict) and "error" in data:
        summary.errors.append({"repository": repository, "error": redact_uuids(str(data["error"]))[:300]})
        return
    if not isinstance(data, list):
        summary.errors.append({"repository": repository, "error": "unreadable report (not a findings array)"})
        return
    summary.repositories.append(repository)
    for item in data:
        finding = _finding(repository, item)
        if finding is None:
            summary.errors.append({"repository": repository, "error": "unreadable finding in report"})
        else:
            summary.findings.append(finding)


def _reports(root: Path) -> list[tuple[Path, str]]:
    if root.is_file():
        return [(root, f"{root.parent.name}/{root.stem}")]
    return [(p, p.relative_to(root).with_suffix("").as_posix()) for p in sorted(root.rglob("*.json")) if p.is_file()]


def merge(paths: Sequence[Path]) -> Summary:
    """Read every report under ``paths`` (directories or files)."""
    summary = Summary()
    for root in paths:
        for path, repository in _reports(root):
            _read(path, repository, summary)
    return summary


def _where(f: dict[str, Any]) -> str:
    commit = f" commit {str(f['commit'])[:12]}" if f.get("commit") else ""
    return f"{f['filename']}:{f['line_number']} {f['redacted']} (hashed_secret {f['hashed_secret']}{commit})"


def render_text(summary: Summary) -> str:
    lines: list[str] = []
    by_repo: dict[str, list[dict[str, Any]]] = {}
    for f in summary.blocking:
        by_repo.setdefault(f["repository"], []).append(f)
    for repository, found in sorted(by_repo.items()):
        keys = len({f["hashed_secret"] for f in found})
        lines.append(f"{repository}: {len(found)} finding(s), {keys} distinct key(s)")
        lines += [f"  {_where(f)}" for f in found]
    lines += [f"{e['repository']}: not scanned: {e['error']}" for e in summary.errors]
    data = summary.to_json()
    lines.append(
        f"{data['repositories_scanned']} repositories scanned, {len(by_repo)} with QuestionPro API keys "
        f"({data['distinct_keys']} distinct), {len(summary.errors)} error(s)."
    )
    return redact_uuids("\n".join(lines)) + "\n"


def _cell(value: Any) -> str:
    text = str(value if value is not None else "")
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("`", "'").replace("\n", " ").replace("\r", " ")


def render_markdown(summary: Summary) -> str:
    data = summary.to_json()
    lines = [
        "### QuestionPro API keys: organization sweep",
        "",
        f"{data['repositories_scanned']} repositories scanned, "
        f"{len(data['repositories_with_findings'])} with keys ({data['distinct_keys']} distinct), "
        f"{len(summary.errors)} not scanned.",
        "",
    ]
    if summary.blocking:
        lines += ["| repository | file:line | key | hashed_secret | commit |", "| --- | --- | --- | --- | --- |"]
        for f in summary.blocking:
            cells = [f["repository"], f"{f['filename']}:{f['line_number']}", f["redacted"], f["hashed_secret"]]
            cells.append(str(f.get("commit") or "")[:12])
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        lines.append("")
    if summary.errors:
        lines += ["Not scanned:", ""] + [f"- {_cell(e['repository'])}: {_cell(e['error'])}" for e in summary.errors]
        lines.append("")
    return redact_uuids("\n".join(lines)) + "\n"


def render(fmt: str, summary: Summary) -> str:
    if fmt == "json":
        return redact_uuids(json.dumps(summary.to_json(), indent=2)) + "\n"
    if fmt == "markdown":
        return render_markdown(summary)
    return render_text(summary)
