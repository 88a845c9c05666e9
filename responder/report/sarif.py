"""SARIF 2.1.0 for GitHub code scanning. No key ever reaches these strings.

- Paths are relative to the repository root, wherever the scan ran from.
- A result sits at a line of the analyzed version (with columns) only when that version holds
  the key there; a finding from an older commit (a key removed since, a file deleted since)
  keeps the path and line it had in that commit and says so, with the commit, in its message
  and properties.
- One alert per key *and* place: the fingerprint is the key's hash, the path and which
  occurrence of that key in that file it is (lines may shift without making a new alert).
- Code scanning keeps at most 5,000 results of a run (25,000 accepted) and 10 tags per rule;
  past 5,000 the most severe are kept and a tool notification says how many were left out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from responder import __version__
from responder.scanning.findings import Finding

if TYPE_CHECKING:
    from responder.scanning.locate import Region

RULE_ID = "questionpro-api-key"
MAX_RESULTS = 5_000  # what code scanning displays of one run ("top 5,000 by severity")
MAX_RESULT_BYTES = 8 * 1024 * 1024  # results' JSON, uncompressed: well inside the 10 MB upload limit
HELP_URI = "https://cwe.mitre.org/data/definitions/798.html"
FALLBACK_INFORMATION_URI = "https://pypi.org/project/qp-responder/"

HELP_MARKDOWN = """\
A QuestionPro API key (a UUID that its context identifies as one) was committed. Anyone who \
can read the repository, or any clone, fork or copy of its history, can use it until it is \
regenerated; deleting the line does not remove it from history.

**What to do**

1. Regenerate the key and store the new one as a secret:
   `echo "$LEAKED_KEY" | qp-responder respond --repo OWNER/NAME` (it confirms first, then
   regenerates at QuestionPro, stores the new key as an Actions secret and opens an issue).
2. Read the key from the secret in your code or workflow instead of a file.
3. After rotating, dismiss the alert as "won't fix" if the old key stays in history: it no
   longer works.

The message names the commit when the key is not in the analyzed version of the file \
(removed or moved since, or the file deleted): it is still in history and may still be live.

See [CWE-798: Use of Hard-coded Credentials](https://cwe.mitre.org/data/definitions/798.html).
"""


@dataclass(frozen=True)
class SarifContext:
    """What the report describes. ``prefix``: the scan's directory relative to the repository
    root; ``locate``: findings -> the region of each in the analyzed version (None: not there);
    ``revision``: the analyzed commit; ``automation_id``: code scanning's category/run."""

    prefix: str = ""
    locate: Callable[[Sequence[Finding]], list[Region | None]] | None = None
    revision: str | None = None
    automation_id: str = "qp-responder/"

    def repo_path(self, filename: str) -> str:
        import posixpath

        return posixpath.normpath(posixpath.join(self.prefix, filename)) if self.prefix else filename


def _information_uri() -> str:
    from importlib import metadata

    try:
        urls = metadata.metadata("qp-responder").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        urls = []
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("homepage", "repository", "source") and url.strip().startswith("https://"):
            return str(url).strip()
    return FALLBACK_INFORMATION_URI


def _rule() -> dict[str, object]:
    return {
        "id": RULE_ID,
        "name": "QuestionProApiKey",
        "shortDescription": {"text": "QuestionPro API key committed to git"},
        "fullDescription": {
            "text": "A QuestionPro API key (a UUID identified from its context) was found in the "
            "repository or its history. Anyone with read access can use it until it is regenerated."
        },
        "helpUri": HELP_URI,
        "help": {
            "text": "Regenerate the key (qp-responder respond), store the new one in a secret, and "
            "read it from there. Removing the line does not remove the key from history.",
            "markdown": HELP_MARKDOWN,
        },
        "defaultConfiguration": {"level": "error"},
        "properties": {
            "tags": ["security", "secret", "external/cwe/cwe-798"],
            "security-severity": "9.0",
            "precision": "high",
            "problem.severity": "error",
        },
    }


def _fingerprint(finding: Finding, path: str, occurrence: int) -> str:
    import hashlib

    raw = f"{finding.hashed_secret}\0{path}\0{occurrence}".encode("utf-8", "surrogateescape")
    return hashlib.sha256(raw).hexdigest()


def _result(finding: Finding, path: str, occurrence: int, region: Region | None) -> dict[str, object]:
    state = "previously committed (removed)" if finding.previously_committed else "committed"
    how = (
        f" {finding.encoding.value}-encoded (redacted and hashed_secret are of the decoded key)"
        if finding.encoding
        else ""
    )
    key = f"QuestionPro API key {finding.redacted}{how} {state}"
    tail = f"(hashed_secret {finding.hashed_secret}). Rotate it with qp-responder respond."
    if region is not None:
        where = f" (found in commit {finding.commit[:12]})" if finding.commit else ""
        text = f"{key}{where} {tail}"
        sarif_region: dict[str, int] = {
            "startLine": region.line,
            "startColumn": region.start_column,
            "endColumn": region.end_column,
        }
    else:
        commit = f"in commit {finding.commit}" if finding.commit else "in an earlier version"
        side = " (in that commit's parent: the line was removed there)" if finding.previously_committed else ""
        text = (
            f"{key} {commit} at {_text(path)}:{finding.line_number}{side}; the analyzed version no longer has "
            f"it there, but history does and the key may still be live {tail}"
        )
        sarif_region = {"startLine": max(1, finding.line_number)}
    return {
        "ruleId": RULE_ID,
        "ruleIndex": 0,
        "level": "warning" if finding.previously_committed else "error",
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": quote(path, safe="/"), "uriBaseId": "%SRCROOT%"},
                    "region": sarif_region,
                }
            }
        ],
        "partialFingerprints": {
            "hashedSecret/v1": finding.hashed_secret,
            "qpKeyLocation/v1": _fingerprint(finding, path, occurrence),
        },
        "properties": {
            "commit": finding.commit,
            "datacenter": finding.datacenter,
            "inAnalyzedVersion": region is not None,
            "encoding": finding.encoding.value if finding.encoding else None,
        },
    }


def _results(findings: Sequence[Finding], context: SarifContext) -> list[dict[str, object]]:
    seen: dict[tuple[str, str], int] = {}
    results = []
    ordered = sorted(findings, key=lambda f: f.previously_committed)  # errors first
    regions = context.locate(ordered) if context.locate else [None] * len(ordered)
    for finding, region in zip(ordered, regions, strict=True):
        path = context.repo_path(finding.filename)
        occurrence = seen.get((finding.hashed_secret, path), 0)
        seen[(finding.hashed_secret, path)] = occurrence + 1
        results.append(_result(finding, path, occurrence, region))
    return results


def _within_limits(results: list[dict[str, object]]) -> list[dict[str, object]]:
    """The first results (most severe first) that fit code scanning's count and size limits
    (long, hostile file names make results large)."""
    import json

    kept, size = [], 0
    for result in results[:MAX_RESULTS]:
        size += len(json.dumps(result).encode())
        if size > MAX_RESULT_BYTES:
            break
        kept.append(result)
    return kept


def _text(value: str) -> str:
    """Plain text for a SARIF message: square brackets escaped (they start embedded links)."""
    return value.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def render_sarif(findings: Sequence[Finding], context: SarifContext | None = None) -> str:
    import json

    context = context or SarifContext()
    results = _results(findings, context)
    kept = _within_limits(results)
    notes = []
    if len(kept) < len(results):
        notes.append(
            {
                "level": "warning",
                "message": {
                    "text": f"{len(results)} results: code scanning keeps at most {MAX_RESULTS} of a run and "
                    f"files up to 10 MB, so only the first {len(kept)} (most severe first) are in this file; "
                    "run `qp-responder scan` for the full list."
                },
            }
        )
    results = kept
    run: dict[str, object] = {
        "tool": {
            "driver": {
                "name": "qp-responder",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": _information_uri(),
                "rules": [_rule()],
            }
        },
        "automationDetails": {"id": context.automation_id},
        "columnKind": "utf16CodeUnits",
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notes}],
        "results": results,
    }
    if context.revision:
        run["properties"] = {"analyzedRevision": context.revision}
    doc = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2) + "\n"
