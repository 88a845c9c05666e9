"""The job summary: every finding (GitHub shows at most 10 annotations of a kind per step,
so the summary is where all of them are), each linked to the file at its commit, and the
responses. Text that comes from the repository or a payload is escaped."""

from __future__ import annotations

import os
from collections.abc import Sequence
from urllib.parse import quote

from responder.core import gha
from responder.response.workflow import Outcome
from responder.scanning.findings import Finding

ANNOTATIONS_SHOWN = 10  # per kind (error, warning) and step


def file_url(finding: Finding) -> str | None:
    """Where a reader sees the line: the file at the commit that added it; for a key in a
    removed line (absent from that commit's file) or in a commit's message, the commit itself."""
    repo, server = os.environ.get("GITHUB_REPOSITORY"), os.environ.get("GITHUB_SERVER_URL") or "https://github.com"
    commit = finding.commit or os.environ.get("GITHUB_SHA")
    if not repo or not commit:
        return None
    base = f"{server.rstrip('/')}/{quote(repo, safe='/')}"
    if finding.previously_committed or finding.in_message:
        return f"{base}/commit/{quote(commit, safe='')}"
    return f"{base}/blob/{quote(commit, safe='')}/{quote(finding.filename, safe='/')}#L{finding.line_number}"


def _where(finding: Finding) -> str:
    url = file_url(finding)
    return gha.markdown_link(finding.filename, url) if url else gha.markdown_text(finding.filename)


def _findings(findings: Sequence[Finding]) -> list[str]:
    if not findings:
        return ["No QuestionPro API key found.", ""]
    parts = []
    errors = sum(not f.previously_committed for f in findings)
    if max(errors, len(findings) - errors) > ANNOTATIONS_SHOWN:
        parts += [
            f"GitHub shows {ANNOTATIONS_SHOWN} annotations of a kind per step: all {len(findings)} findings are here.",
            "",
        ]
    rows = [
        (
            _where(f),
            f.line_number,
            (f.commit or "")[:12],
            f.redacted + (f" ({f.encoding.value})" if f.encoding else ""),
            f.hashed_secret,
            f.datacenter or "",
            "previously committed" if f.previously_committed else "leak",
        )
        for f in findings
    ]
    table = gha.markdown_table(["file", "line", "commit", "key", "hashed_secret", "datacenter", "state"], rows)
    if any(f.encoding for f in findings):
        table += (
            "\n\n(base64): the file holds the key base64-encoded; the key shown and its hashed_secret "
            "are of the decoded key, the one to rotate."
        )
    return [*parts, table, ""]


def _responses(outcomes: Sequence[Outcome]) -> list[str]:
    if not outcomes:
        return []
    rows = [
        (
            o.plan.leak.redacted if o.plan else "",
            o.status.value,
            gha.markdown_text(o.request_id or ""),
            o.plan.targets[0].describe() if o.plan and o.plan.targets else "",
            o.issue_url or "",
        )
        for o in outcomes
    ]
    return ["### Responses", "", gha.markdown_table(["key", "status", "requestID", "secret", "issue"], rows), ""]


def render(notes: Sequence[str], findings: Sequence[Finding], outcomes: Sequence[Outcome]) -> str:
    parts = ["## qp-responder", "", *(f"- {gha.markdown_text(note)}" for note in notes), ""]
    return "\n".join([*parts, *_findings(findings), *_responses(outcomes)])
