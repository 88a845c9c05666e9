"""What a response is about (``Plan``) and how it ended (``Status``, ``Outcome``)."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from responder.core.exitcodes import ExitCode
from responder.response.github_adapter import SecretTarget
from responder.response.questionpro import CUSTOM, Endpoint
from responder.response.records import Leak


class Status(str, enum.Enum):
    ROTATED_AND_STORED = "rotated-and-stored"
    DRY_RUN = "dry-run"
    NOT_CONFIRMED = "not-confirmed"
    PREFLIGHT_FAILED = "preflight-failed"
    ROTATION_FAILED = "rotation-failed"
    ROTATION_UNKNOWN = "rotation-unknown"
    NOT_STORED = "rotated-not-stored"
    ISSUE_FAILED = "rotated-stored-issue-failed"
    LEFT_NEWER = "secret-newer"  # resume: nothing written (it may hold this key or a newer one)


EXIT = {
    Status.ROTATED_AND_STORED: ExitCode.CLEAN,
    Status.DRY_RUN: ExitCode.CLEAN,
    Status.NOT_CONFIRMED: ExitCode.NOT_CONFIRMED,
    Status.PREFLIGHT_FAILED: ExitCode.PREFLIGHT_FAILED,
    Status.ROTATION_FAILED: ExitCode.ROTATION_FAILED,
    Status.ROTATION_UNKNOWN: ExitCode.ROTATION_UNKNOWN,
    Status.NOT_STORED: ExitCode.NOT_STORED,
    Status.ISSUE_FAILED: ExitCode.ISSUE_FAILED,
    Status.LEFT_NEWER: ExitCode.SECRET_NEWER,
}
# When several responses end differently, the exit code is the most urgent one.
URGENCY = [
    Status.ROTATION_UNKNOWN,
    Status.NOT_STORED,
    Status.ROTATION_FAILED,
    Status.PREFLIGHT_FAILED,
    Status.ISSUE_FAILED,
    Status.LEFT_NEWER,
    Status.NOT_CONFIRMED,
    Status.DRY_RUN,
    Status.ROTATED_AND_STORED,
]


@dataclass(frozen=True)
class Plan:
    repo: str
    leak: Leak
    targets: tuple[SecretTarget, ...]
    endpoints: tuple[Endpoint, ...]

    def describe(self) -> str:
        where = self.leak.filename or self.leak.source or "(key read from stdin)"
        if self.leak.line_number:
            where += f":{self.leak.line_number}"
        if self.leak.commit:
            where += f" in commit {self.leak.commit[:12]}"
        dcs = ", ".join(e.base_url if e.datacenter == CUSTOM else e.datacenter for e in self.endpoints)
        lines = [
            f"Leaked QuestionPro key {self.leak.redacted} (hashed_secret {self.leak.hashed_secret})",
            f"  found at: {where}",
            f"  datacenter: {self.leak.datacenter or 'unknown'}; will try: {dcs}",
            "Rotation regenerates the key at QuestionPro: the old key stops working EVERYWHERE at once,",
            "so every other consumer of it (servers, laptops, other repositories) breaks until updated.",
            *(f"  the new key will be stored in the {t.describe()}" for t in self.targets),
            f"  and an issue will be opened in {self.repo}.",
        ]
        return "\n".join(lines)


@dataclass(frozen=True)
class Outcome:
    status: Status
    message: str
    plan: Plan | None = None
    request_id: str | None = None
    datacenter: str | None = None
    issue_url: str | None = None
    resume_tokens: tuple[str, ...] = ()
    journal: str | None = None
    response_id: str | None = None

    @property
    def exit_code(self) -> ExitCode:
        return EXIT[self.status]

    def to_json(self) -> dict[str, Any]:
        targets = self.plan.targets if self.plan else ()
        primary = targets[0] if targets else None
        return {
            "status": self.status.value,
            "message": self.message,
            "request_id": self.request_id,
            "response_id": self.response_id,
            "datacenter": self.datacenter,
            "secret": {
                "name": primary.name,
                "scope": primary.scope,
                "environment": primary.environment,
                "org": primary.org,
                "also": [t.describe() for t in targets[1:]],
            }
            if primary
            else None,
            "issue_url": self.issue_url,
            "repo": self.plan.repo if self.plan else None,
            "hashed_secret": self.plan.leak.hashed_secret if self.plan else None,
            "redacted": self.plan.leak.redacted if self.plan else None,
            "resume_tokens": list(self.resume_tokens),
            "journal": self.journal,
            "exit_code": int(self.exit_code),
        }


def most_urgent(outcomes: Sequence[Outcome]) -> Status:
    statuses = {o.status for o in outcomes}
    return next(s for s in URGENCY if s in statuses)
