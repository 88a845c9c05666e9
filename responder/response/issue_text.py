"""The GitHub issue a response opens. Pure: built from redacted fields only."""

from __future__ import annotations

from typing import Any

LABELS = ["security", "leaked-secret"]


def marker(request_id: str) -> str:
    """An invisible line that makes the issue findable again: never a duplicate."""
    return f"<!-- qp-responder request-id: {request_id} -->"


def title(redacted: str) -> str:
    return f"[security] Leaked QuestionPro API key {redacted} was rotated"


def body(
    *, request_id: str, datacenter: str | None, leak: dict[str, Any], secrets: list[str], web_url: str, repo: str
) -> str:
    where = "reported by hand (no location)"
    if leak.get("filename"):
        where = f"`{leak['filename']}`"
        if leak.get("line_number"):
            where += f" line {leak['line_number']}"
        if leak.get("commit"):
            ref = leak["commit"]
            link = f"{web_url}/{repo}/blob/{ref}/{leak['filename']}"
            if leak.get("line_number"):
                link += f"#L{leak['line_number']}"
            where += f" in commit `{ref[:12]}` ([view]({link}))"
    stored = "\n".join(f"- {s}" for s in secrets) or "- (none)"
    return f"""{marker(request_id)}
A QuestionPro API key was found in this repository and has been **regenerated**: the leaked
key no longer works anywhere.

| | |
| --- | --- |
| QuestionPro requestID | `{request_id}` |
| datacenter | `{datacenter or "unknown"}` |
| leaked key (redacted) | `{leak.get("redacted", "?")}` |
| hashed_secret (sha1) | `{leak.get("hashed_secret", "?")}` |
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
