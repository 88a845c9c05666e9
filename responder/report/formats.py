"""Render findings as text, JSON or SARIF 2.1.0. No key ever reaches these strings."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from responder import __version__
from responder.scanning.detect import SECRET_TYPE
from responder.scanning.findings import Finding

RULE_ID = "questionpro-api-key"
FORMATS = ("text", "json", "sarif")


def _where(finding: Finding) -> str:
    extra = [f"hashed_secret {finding.hashed_secret}"]
    if finding.datacenter:
        extra.append(f"datacenter {finding.datacenter}")
    if finding.commit:
        extra.append(f"commit {finding.commit[:12]}")
    return f"{finding.filename}:{finding.line_number}: {SECRET_TYPE} {finding.redacted} ({', '.join(extra)})"


def render_text(findings: Sequence[Finding]) -> str:
    blocking = [f for f in findings if f.blocking]
    earlier = [f for f in findings if not f.blocking]
    lines = [_where(f) for f in blocking]
    lines += [f"previously committed (removed here, may still be live): {_where(f)}" for f in earlier]
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


def _sarif_result(finding: Finding) -> dict[str, object]:
    state = "previously committed (removed)" if finding.previously_committed else "committed"
    where = f" in commit {finding.commit}" if finding.commit else ""
    return {
        "ruleId": RULE_ID,
        "ruleIndex": 0,
        "level": "warning" if finding.previously_committed else "error",
        "message": {
            "text": f"QuestionPro API key {finding.redacted} {state}{where} "
            f"(hashed_secret {finding.hashed_secret}). Rotate it with qp-responder respond."
        },
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": quote(finding.filename, safe="/"), "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": max(1, finding.line_number)},
                }
            }
        ],
        "partialFingerprints": {"hashedSecret/v1": finding.hashed_secret},
        "properties": {"commit": finding.commit, "datacenter": finding.datacenter},
    }


def render_sarif(findings: Sequence[Finding]) -> str:
    rule = {
        "id": RULE_ID,
        "name": "QuestionProApiKey",
        "shortDescription": {"text": "QuestionPro API key committed to git"},
        "fullDescription": {
            "text": "A QuestionPro API key (a UUID identified from its context) was found in "
            "the repository. Anyone with read access can use it until it is regenerated."
        },
        "help": {
            "text": "Regenerate the key (qp-responder respond), store the new one in a secret, "
            "and purge the old one from history.",
        },
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["security", "secret"], "security-severity": "9.0", "precision": "high"},
    }
    import json

    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "qp-responder", "version": __version__, "rules": [rule]}},
                "results": [_sarif_result(f) for f in findings],
            }
        ],
    }
    return json.dumps(doc, indent=2) + "\n"


def render(fmt: str, findings: Sequence[Finding]) -> str:
    if fmt == "json":
        return render_json(findings)
    if fmt == "sarif":
        return render_sarif(findings)
    return render_text(findings)
