"""The GitHub issue a response opens. Pure: built from redacted fields only."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from responder.core import console
from responder.response.questionpro import NO_REQUEST_ID

LABELS = ["security", "leaked-secret"]
_ID_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def _safe_id(request_id: str) -> str:
    """The request id as text that cannot end the marker comment or start markup: anything
    but letters, digits, ``.``, ``_`` and ``-`` percent-encoded (the same on every call, so
    the marker stays findable)."""
    return _ID_SAFE.sub(lambda m: quote(m.group(), safe=""), request_id[:200])


def code(text: object) -> str:
    """``text`` as a Markdown code span that nothing inside can end: a fence one backtick
    longer than its longest backtick run, controls and newlines shown as ``\\xNN``. In a code
    span, @mentions, links and emphasis are inert."""
    flat = console.printable(str(text))
    fence = "`" * (max((len(run) for run in re.findall(r"`+", flat)), default=0) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or not flat.strip() else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def cell(text: object) -> str:
    """A code span for a table cell: ``|`` also ends a cell inside a code span (GFM)."""
    return code(text).replace("|", "\\|")


def _request_id_cell(request_id: str) -> str:
    if request_id.startswith(NO_REQUEST_ID):
        return f"none in QuestionPro's reply (local reference {cell(request_id)})"
    return cell(request_id)


def marker(response_id: str) -> str:
    """An invisible line that makes the issue findable again: never a duplicate. It names
    the response's own unique id, not QuestionPro's requestID (which may be missing, or the
    same for two responses), and nothing in it can end the comment."""
    return f"<!-- qp-responder response-id: {_safe_id(response_id)} -->"


def title(redacted: str) -> str:
    return f"[security] Leaked QuestionPro API key {redacted} was rotated"


def body(
    *,
    request_id: str | None,
    response_id: str,
    datacenter: str | None,
    leak: dict[str, Any],
    secrets: list[str],
    web_url: str,
    repo: str,
) -> str:
    """Every value that came from outside (a file name, a commit, QuestionPro's request id,
    a secret or environment name) is in a code span or percent-encoded in a link."""
    where = "reported by hand (no location)"
    filename = leak.get("filename")
    if filename:
        where = cell(filename)
        line = leak.get("line_number")
        if isinstance(line, int) and line > 0:
            where += f" line {line}"
        ref = str(leak.get("commit") or "")
        if re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", ref):
            link = f"{web_url}/{quote(repo, safe='/')}/blob/{ref}/{quote(str(filename), safe='/')}"
            if isinstance(line, int) and line > 0:
                link += f"#L{line}"
            where += f" in commit {cell(ref[:12])} ([view](<{link}>))"
        elif ref:
            where += f" in commit {cell(ref[:40])}"
    stored = "\n".join(f"- {code(s)}" for s in secrets) or "- (none)"
    shown_id = _request_id_cell(request_id) if request_id else "none in QuestionPro's reply"
    return f"""{marker(response_id)}
A QuestionPro API key was found in this repository and has been **regenerated**: the leaked
key no longer works anywhere.

| | |
| --- | --- |
| QuestionPro requestID | {shown_id} |
| qp-responder response | {cell(response_id)} |
| datacenter | {cell(datacenter or "unknown")} |
| leaked key (redacted) | {cell(leak.get("redacted", "?"))} |
| hashed_secret (sha1) | {cell(leak.get("hashed_secret", "?"))} |
| where it leaked | {where} |

The new key was stored in:
{stored}

### Checklist
- [ ] Update every other consumer of the old key (servers, laptops, other repositories, CI
      systems): they stopped working at rotation.
- [ ] Purge the old key from git history (`git filter-repo` or BFG), then force-push and ask
      collaborators to re-clone; forks and caches may still hold it.
- [ ] Review QuestionPro account activity for use of the old key before rotation.
- [ ] Find out how it leaked and add `qp-responder` as a pre-commit hook where it did.

_Opened by qp-responder. The key itself is never written here; the hashed_secret identifies it._
"""
