"""Render findings as text, JSON or SARIF 2.1.0. No key ever reaches these strings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from responder.scanning.detect import SECRET_TYPE
from responder.scanning.findings import Finding

if TYPE_CHECKING:
    from responder.report.sarif import RULE_ID, SarifContext, render_sarif

_SARIF_NAMES = frozenset({"RULE_ID", "SarifContext", "render_sarif"})

__all__ = ["RULE_ID", "SarifContext", "encoded", "render", "render_json", "render_sarif", "render_text", "sentence"]


def __getattr__(name: str) -> object:
    """SARIF's names, loaded when first asked for: a text or JSON scan (the hook) never needs them."""
    if name in _SARIF_NAMES:
        from responder.report import sarif

        return getattr(sarif, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def sentence(finding: Finding) -> str:
    """How a finding is told everywhere (text report, SARIF, annotations): the redacted key
    and its hashed_secret, never the key."""
    extra = [f"hashed_secret {finding.hashed_secret}"]
    if finding.datacenter:
        extra.append(f"datacenter {finding.datacenter}")
    if finding.commit:
        extra.append(f"{'message of ' if finding.in_message else ''}commit {finding.commit[:12]}")
    state = " previously committed (removed here, may still be live)" if finding.previously_committed else ""
    return f"{SECRET_TYPE} {finding.redacted}{encoded(finding)}{state} ({', '.join(extra)})"


def encoded(finding: Finding) -> str:
    """Said after the redacted key when the file holds it encoded: the redacted form and the
    hashed_secret are of the decoded key, the one to feed ``respond``."""
    if finding.encoding is None:
        return ""
    return f" {finding.encoding.value}-encoded in the file (redacted and hashed_secret are of the decoded key)"


def render_text(findings: Sequence[Finding]) -> str:
    blocking = [f for f in findings if f.blocking]
    earlier = [f for f in findings if not f.blocking]
    lines = [f"{f.filename}:{f.line_number}: {sentence(f)}" for f in [*blocking, *earlier]]
    if blocking:
        keys = len({f.hashed_secret for f in blocking})
        lines.append(f"{len(blocking)} QuestionPro API key finding(s), {keys} distinct key(s).")
    elif earlier:
        lines.append(
            "No key is added here, but a removed line held a key: it was committed before "
            "and may still be live. Rotate it if it was ever pushed."
        )
    return "\n".join(lines) + ("\n" if lines else "")


def render_json(findings: Sequence[Finding]) -> str:
    import json

    return json.dumps([f.to_json() for f in findings], indent=2) + "\n"


def render(fmt: str, findings: Sequence[Finding], sarif: SarifContext | None = None) -> str:
    if fmt == "json":
        return render_json(findings)
    if fmt == "sarif":
        from responder.report.sarif import render_sarif

        return render_sarif(findings, sarif)
    return render_text(findings)
