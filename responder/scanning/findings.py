"""What a scan reports. The key itself rides along in memory only; it has no repr."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from responder.core.redact import hashed_secret, redact
from responder.scanning.detect import SECRET_TYPE


class Encoding(str, Enum):
    """How the file holds the key. The hashed_secret and the redacted form are always
    of the decoded key: the one QuestionPro knows and ``respond`` rotates."""

    BASE64 = "base64"


MESSAGE_PATH = "<commit message>"  # the ``filename`` of a key in a commit's message (``commit`` says which)


@dataclass(frozen=True)
class Finding:
    filename: str
    line_number: int
    secret: str = field(repr=False, compare=False)
    datacenter: str | None = None
    commit: str | None = None
    previously_committed: bool = False  # seen only in a removed line: exposed, not blocking
    encoding: Encoding | None = None  # None: the key is written as it is
    in_message: bool = False  # in ``commit``'s message (``filename`` is then MESSAGE_PATH), not in a file

    @property
    def hashed_secret(self) -> str:
        return hashed_secret(self.secret)

    @property
    def redacted(self) -> str:
        return redact(self.secret)

    @property
    def blocking(self) -> bool:
        return not self.previously_committed

    def to_json(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "line_number": self.line_number,
            "type": SECRET_TYPE,
            "hashed_secret": self.hashed_secret,
            "redacted": self.redacted,
            "commit": self.commit,
            "datacenter": self.datacenter,
            "previously_committed": self.previously_committed,
            "encoding": self.encoding.value if self.encoding else None,
        }

    def forms(self) -> tuple[str, ...]:
        """How the key can be written in the file (to locate it): itself, or its encodings."""
        if self.encoding is not Encoding.BASE64:
            return (self.secret,)
        import base64

        return tuple(base64.b64encode(raw.encode()).decode() for raw in (self.secret, self.secret + "\n"))


MAX_PER_FILE = 100  # findings reported per file (per file and commit in diffs)
MAX_FINDINGS = 10_000  # findings reported per scan: memory and output stay bounded


@dataclass
class ScanReport:
    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    commits_scanned: int = 0  # feeds the progress bar
    dropped: int = 0  # findings over MAX_FINDINGS, counted, not kept
    unreadable: int = 0  # files git could not read (damaged repository, partial clone): not scanned

    def add(self, found: list[Finding], where: str) -> None:
        """Keep at most MAX_PER_FILE of one file's findings and MAX_FINDINGS in all, with a
        note saying what was left out (a file of a million keys must not exhaust memory)."""
        if len(found) > MAX_PER_FILE:
            self.warnings.append(
                f"{where}: more than {MAX_PER_FILE} findings, only the first {MAX_PER_FILE} are reported"
            )
            found = found[:MAX_PER_FILE]
        room = MAX_FINDINGS - len(self.findings)
        if len(found) > room:
            if not self.dropped:
                self.warnings.append(f"more than {MAX_FINDINGS} findings: the rest are not reported")
            self.dropped += len(found) - max(room, 0)
            found = found[: max(room, 0)]
        self.findings.extend(found)

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]
