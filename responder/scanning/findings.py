"""What a scan reports. The key itself rides along in memory only; it has no repr."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from responder.core.redact import hashed_secret, redact
from responder.scanning.detect import SECRET_TYPE


@dataclass(frozen=True)
class Finding:
    filename: str
    line_number: int
    secret: str = field(repr=False, compare=False)
    datacenter: str | None = None
    commit: str | None = None
    previously_committed: bool = False  # seen only in a removed line: exposed, not blocking

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
        }


@dataclass
class ScanReport:
    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    commits_scanned: int = 0  # feeds the progress bar

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]
