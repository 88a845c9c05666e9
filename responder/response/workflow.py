"""The response workflow: explicit, journaled, resumable steps.

    confirm -> preflight -> journal -> regenerate -> seal -> store -> issue -> done

Nothing destructive happens before the preflight passes and the journal exists. The
regeneration is journaled *before* the request is sent, so a crash mid-request is later
recognised as "outcome unknown" and never repeated. The new key is sealed to GitHub's
public key(s) the moment it arrives and only the sealed value is journaled; ``resume``
finishes storing and the issue from the journal (or from a resume token) without
regenerating again and without a second issue.
"""

from __future__ import annotations

import enum
import os
import secrets as pyrandom
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from responder.core.exitcodes import ExitCode
from responder.response import issue_text, journal
from responder.response.github_adapter import (
    DEFAULT_TOKEN_HELP,
    GitHubAdapter,
    GitHubError,
    PublicKey,
    SecretTarget,
    web_url,
)
from responder.response.journal import Journal
from responder.response.questionpro import (
    CUSTOM,
    Endpoint,
    QuestionProClient,
    Regenerated,
    RegenerateRefused,
    RegenerateUnknown,
)
from responder.response.resume_token import ResumeToken
from responder.response.sealing import seal

PREFLIGHT_SECRET = "QP_RESPONDER_PREFLIGHT"  # noqa: S105 - a secret's name, written and deleted


class Status(str, enum.Enum):
    ROTATED_AND_STORED = "rotated-and-stored"
    DRY_RUN = "dry-run"
    NOT_CONFIRMED = "not-confirmed"
    PREFLIGHT_FAILED = "preflight-failed"
    ROTATION_FAILED = "rotation-failed"
    ROTATION_UNKNOWN = "rotation-unknown"
    NOT_STORED = "rotated-not-stored"
    ISSUE_FAILED = "rotated-stored-issue-failed"


EXIT = {
    Status.ROTATED_AND_STORED: ExitCode.CLEAN,
    Status.DRY_RUN: ExitCode.CLEAN,
    Status.NOT_CONFIRMED: ExitCode.NOT_CONFIRMED,
    Status.PREFLIGHT_FAILED: ExitCode.PREFLIGHT_FAILED,
    Status.ROTATION_FAILED: ExitCode.ROTATION_FAILED,
    Status.ROTATION_UNKNOWN: ExitCode.ROTATION_UNKNOWN,
    Status.NOT_STORED: ExitCode.NOT_STORED,
    Status.ISSUE_FAILED: ExitCode.ISSUE_FAILED,
}
# When several responses end differently, the exit code is the most urgent one.
URGENCY = [
    Status.ROTATION_UNKNOWN,
    Status.NOT_STORED,
    Status.ROTATION_FAILED,
    Status.PREFLIGHT_FAILED,
    Status.ISSUE_FAILED,
    Status.NOT_CONFIRMED,
    Status.DRY_RUN,
    Status.ROTATED_AND_STORED,
]

UNKNOWN_HELP = (
    "The regenerate request may have been processed: the old key may already be expired and the new "
    "one was not received. Do NOT run the rotation again. Check: does the old key still work (any "
    "QuestionPro API call with it)? If it does not, sign in to QuestionPro, open Integrations > API, "
    "regenerate the key there, then store it with: qp-responder store --repo {repo} (reads the key "
    "from stdin). If the old key still works, nothing changed and you may respond again."
)


@dataclass(frozen=True)
class Leak:
    """The leaked key as it may be shown: redacted, hashed, and where it was found."""

    hashed_secret: str
    redacted: str
    filename: str | None = None
    line_number: int | None = None
    commit: str | None = None
    datacenter: str | None = None
    source: str | None = None  # for a key not found in a file: typed at the prompt, or read from stdin

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


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


@dataclass
class Services:
    """What the workflow acts through; tests pass real clients pointed at local servers."""

    questionpro: QuestionProClient
    secrets_github: GitHubAdapter
    issues_github: GitHubAdapter
    journal_dir: Path
    mask: Callable[[str], None] = lambda _value: None
    # Called with the resume tokens the moment the new key is sealed, before anything can
    # fail: the Action writes them where they outlive the runner (job summary, step output).
    on_sealed: Callable[[Sequence[str]], None] = lambda _tokens: None
    default_token_in_use: bool = False  # secrets would go through Actions' own GITHUB_TOKEN
    clock: Callable[[], float] = time.time
    # Fault injection for the crash tests (QP_RESPONDER_FAULT_KILL_AFTER): a real kill -9 of
    # this process right after the named step is journaled.
    kill_after: str | None = None


def _checkpoint(services: Services, log: Journal, step: str, **data: Any) -> None:
    log.write(step, **data)
    if services.kill_after == step:
        os.kill(os.getpid(), signal.SIGKILL)


# -- preflight --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Preflight:
    repo_id: int
    keys: tuple[PublicKey, ...]


def preflight(plan: Plan, services: Services, *, probe_write: bool) -> Preflight:
    """Everything that can be checked without changing anything (and, unless a dry run,
    one throwaway secret written and deleted to prove write access). Raises GitHubError."""
    services.issues_github.repository(plan.repo)
    repo = services.secrets_github.repository(plan.repo)
    keys = []
    for target in plan.targets:
        try:
            key = services.secrets_github.public_key(target)
        except GitHubError as exc:
            if exc.kind in ("forbidden", "not-found") and services.default_token_in_use:
                raise GitHubError(exc.kind, f"{exc}: {DEFAULT_TOKEN_HELP}", exc.status) from None
            raise
        try:
            seal(key.key, "preflight")  # a public key we cannot seal to would strand the new key
        except Exception as exc:  # noqa: BLE001 - any failure here means "unusable key"
            raise GitHubError(
                "invalid", f"GitHub's public key for the {target.describe()} is unusable ({type(exc).__name__})"
            ) from None
        if probe_write:
            probe = SecretTarget(target.repo, PREFLIGHT_SECRET, target.app, target.environment, target.org)
            services.secrets_github.put_sealed(probe, key.key_id, seal(key.key, pyrandom.token_hex(16)), repo.id)
            services.secrets_github.delete_secret(probe)
        keys.append(key)
    return Preflight(repo.id, tuple(keys))


# -- the response ---------------------------------------------------------------------------
def respond(plan: Plan, key: str, services: Services, *, confirmed: bool, dry_run: bool = False) -> Outcome:
    services.mask(key)
    if dry_run:
        try:
            preflight(plan, services, probe_write=False)
        except GitHubError as exc:
            return Outcome(Status.DRY_RUN, f"dry run: {plan.describe()}\npreflight would FAIL: {exc}", plan)
        return Outcome(Status.DRY_RUN, f"dry run: {plan.describe()}\npreflight: ok (no write probe)", plan)
    if not confirmed:
        return Outcome(
            Status.NOT_CONFIRMED,
            "not confirmed: nothing was changed. Re-run with --yes to rotate "
            "non-interactively, or run it on a terminal to be asked.",
            plan,
        )
    try:
        checked = preflight(plan, services, probe_write=True)
    except GitHubError as exc:
        return Outcome(Status.PREFLIGHT_FAILED, f"preflight failed, nothing was rotated: {exc}", plan)
    started = services.clock()
    response_id = f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime(started))}-{plan.leak.hashed_secret[:12]}"
    try:
        log = Journal.create(services.journal_dir, response_id)
    except OSError as exc:
        return Outcome(
            Status.PREFLIGHT_FAILED,
            f"cannot create the journal in {services.journal_dir} ({exc.strerror}); nothing was rotated",
            plan,
        )
    _checkpoint(
        services,
        log,
        journal.PLANNED,
        repo=plan.repo,
        leak=plan.leak.to_json(),
        targets=[t.to_json() for t in plan.targets],
        planned_at=started,
        repo_id=checked.repo_id,
    )
    _checkpoint(services, log, journal.PREFLIGHT_OK, keys=[{"key_id": k.key_id, "key": k.key} for k in checked.keys])
    return _rotate(plan, key, services, log, checked, started)


def _rotate(plan: Plan, key: str, services: Services, log: Journal, checked: Preflight, started: float) -> Outcome:
    def before_send(endpoint: Endpoint) -> None:
        _checkpoint(services, log, journal.REGENERATING, datacenter=endpoint.datacenter, base_url=endpoint.base_url)

    services.questionpro.on_attempt = before_send
    try:
        result = services.questionpro.regenerate(key, plan.endpoints)
    except RegenerateRefused as exc:
        log.write(journal.REGENERATE_FAILED, reason=exc.reason, message=str(exc))
        if exc.reason == "wrong-key":
            text = (
                f"rotation failed, nothing changed: QuestionPro does not accept this key ({exc}); it is "
                "already expired, or belongs to a datacenter that was not tried (--datacenter)"
            )
        else:
            text = f"rotation failed, the old key is still valid: {exc}"
        return Outcome(
            Status.ROTATION_FAILED,
            text,
            plan,
            datacenter=exc.datacenter,
            journal=str(log.path),
        )
    except RegenerateUnknown as exc:
        log.write(journal.REGENERATE_UNKNOWN, message=str(exc))
        return Outcome(
            Status.ROTATION_UNKNOWN,
            f"rotation outcome unknown: {exc}. " + UNKNOWN_HELP.format(repo=plan.repo),
            plan,
            datacenter=exc.datacenter,
            journal=str(log.path),
        )
    except OSError as exc:  # the journal could not record the attempt: it was never sent
        return Outcome(
            Status.ROTATION_FAILED,
            f"the journal could not be written ({exc.strerror}), so the regenerate request was not sent; "
            "the old key is still valid",
            plan,
            journal=str(log.path),
        )
    finally:
        services.questionpro.on_attempt = None
    services.mask(result.new_key)
    sealed = _seal_all(plan.targets, checked.keys, result)
    state = {"request_id": result.request_id, "datacenter": result.datacenter, "sealed": sealed}
    del result  # from here on only the sealed values exist
    try:
        services.on_sealed(_tokens(plan, state, started, set()))
    except Exception:  # noqa: BLE001, S110 - the journal and the outcome still carry the tokens
        pass
    try:
        _checkpoint(services, log, journal.REGENERATED, **state)
    except OSError as exc:  # no journal to resume from: deliver now, or hand out the tokens
        return _deliver(plan, state, started, checked.repo_id, services, note=f"journal unwritable: {exc.strerror}")
    return finish(log, services)


def _seal_all(targets: Sequence[SecretTarget], keys: Sequence[PublicKey], result: Regenerated) -> list[dict[str, Any]]:
    return [
        {"target": t.to_json(), "key_id": k.key_id, "encrypted_value": seal(k.key, result.new_key)}
        for t, k in zip(targets, keys, strict=True)
    ]


def _plan_of(planned: dict[str, Any]) -> Plan:
    targets = tuple(SecretTarget.from_json(t) for t in planned["targets"])
    return Plan(planned["repo"], Leak(**planned["leak"]), targets, ())


def _tokens(plan: Plan, state: dict[str, Any], planned_at: float, skip: set[str]) -> tuple[str, ...]:
    """One resume token per sealed value whose target is not in ``skip``."""
    return tuple(
        ResumeToken(
            item["target"],
            item["key_id"],
            item["encrypted_value"],
            state["request_id"],
            state.get("datacenter"),
            plan.leak.to_json(),
            planned_at,
        ).encode()
        for item in state["sealed"]
        if SecretTarget.from_json(item["target"]).describe() not in skip
    )


def _failure(exc: Exception) -> str:
    """What a delivery failure may say: our own errors carry redacted text; anything else
    (a truncated JSON body, a redirect PyGithub refuses) is named by its type only."""
    return str(exc) if isinstance(exc, GitHubError) else f"unexpected {type(exc).__name__} from GitHub"


def _deliver(
    plan: Plan,
    state: dict[str, Any],
    planned_at: float,
    repo_id: int | None,
    services: Services,
    *,
    log: Journal | None = None,
    note: str | None = None,
) -> Outcome:
    """Store every sealed value not stored yet, open the issue unless it is open, and say
    how it ended. ``state`` is the journal's REGENERATED record (request_id, datacenter,
    sealed). With a journal each step is recorded and ``resume`` can finish the rest;
    without one (a resume token, an unwritable journal) the outcome carries the tokens."""
    records = log.records() if log is not None else []
    stored = {SecretTarget.from_json(r["target"]).describe() for r in records if r["step"] == journal.STORED}
    opened = [r["url"] for r in records if r["step"] == journal.ISSUE_OPENED]
    suffix = f" ({note})" if note else ""
    common: dict[str, Any] = {
        "plan": plan,
        "request_id": state["request_id"],
        "datacenter": state.get("datacenter"),
        "journal": str(log.path) if log is not None else None,
    }

    def tokens(skip: set[str]) -> tuple[str, ...]:
        return _tokens(plan, state, planned_at, skip)

    for item in state["sealed"]:
        target = SecretTarget.from_json(item["target"])
        if target.describe() in stored:
            continue
        try:
            services.secrets_github.put_sealed(target, item["key_id"], item["encrypted_value"], repo_id)
        except Exception as exc:  # noqa: BLE001 - whatever breaks here, the sealed key must not be lost
            invalid = isinstance(exc, GitHubError) and exc.kind == "invalid"
            hint = " (GitHub's public key changed since: that sealed value is unusable)" if invalid else ""
            how = (
                "`qp-responder resume` (or `qp-responder resume --sealed TOKEN` elsewhere)"
                if log
                else ("`qp-responder resume --sealed TOKEN`")
            )
            return Outcome(
                Status.NOT_STORED,
                f"the key was rotated (requestID {state['request_id']}){suffix} but storing it failed: "
                f"{_failure(exc)}{hint}. "
                f"The new key is sealed; finish with {how}.",
                resume_tokens=tokens(stored),
                **common,
            )
        if log is not None:
            _checkpoint(services, log, journal.STORED, target=target.to_json())
        stored.add(target.describe())
    issue_url = opened[-1] if opened else None
    if issue_url is None:
        try:
            issue_url = _open_issue(services, plan, state["request_id"], state.get("datacenter"), planned_at)
        except Exception as exc:  # noqa: BLE001 - stored already: an issue failure must not hide that
            again = (
                "Run `qp-responder resume` to try again." if log else "Run `qp-responder resume --sealed TOKEN` again."
            )
            return Outcome(
                Status.ISSUE_FAILED,
                f"rotated and stored{suffix}, but the issue could not be opened: {_failure(exc)}. {again}",
                resume_tokens=() if log else tokens(set()),  # no journal: the tokens re-deliver
                **common,
            )
        if log is not None:
            _checkpoint(services, log, journal.ISSUE_OPENED, url=issue_url)
    if log is not None:
        log.write(journal.DONE)
    return Outcome(Status.ROTATED_AND_STORED, f"rotated and stored{suffix}", issue_url=issue_url, **common)


def finish(log: Journal, services: Services) -> Outcome:
    """Deliver from the journal: right after rotation, and from ``resume``. Never regenerates."""
    planned, regenerated = log.last(journal.PLANNED), log.last(journal.REGENERATED)
    assert planned is not None and regenerated is not None
    return _deliver(_plan_of(planned), regenerated, planned["planned_at"], planned.get("repo_id"), services, log=log)


def _open_issue(services: Services, plan: Plan, request_id: str, datacenter: str | None, planned_at: float) -> str:
    repo = services.issues_github.repository(plan.repo)
    if not repo.has_issues:
        raise GitHubError("forbidden", f"issues are disabled on {plan.repo}")
    since = datetime.fromtimestamp(planned_at, tz=timezone.utc) - timedelta(minutes=10)
    text = issue_text.body(
        request_id=request_id,
        datacenter=datacenter,
        leak=plan.leak.to_json(),
        secrets=[t.describe() for t in plan.targets],
        web_url=web_url(services.issues_github.api_url),
        repo=plan.repo,
    )
    return services.issues_github.open_issue(
        plan.repo, issue_text.title(plan.leak.redacted), text, issue_text.LABELS, issue_text.marker(request_id), since
    )


# -- resume -----------------------------------------------------------------------------------
def resume_journal(log: Journal, services: Services) -> Outcome:
    steps = log.steps()
    planned = log.last(journal.PLANNED)
    if planned is None:
        log.write(journal.REGENERATE_FAILED, reason="empty", message="journal without a plan")
        return Outcome(Status.ROTATION_FAILED, f"{log.path}: nothing was started", journal=str(log.path))
    plan = _plan_of(planned)
    if journal.REGENERATED in steps:
        return finish(log, services)
    if journal.REGENERATING in steps:
        log.write(journal.REGENERATE_UNKNOWN, message="interrupted while waiting for QuestionPro")
        return Outcome(
            Status.ROTATION_UNKNOWN,
            "the response was interrupted after the regenerate request was "
            "sent. " + UNKNOWN_HELP.format(repo=plan.repo),
            plan,
            journal=str(log.path),
        )
    log.write(journal.REGENERATE_FAILED, reason="interrupted", message="stopped before regenerating")
    return Outcome(
        Status.ROTATION_FAILED,
        "the response stopped before the key was regenerated: the old key is still valid; respond again to rotate it",
        plan,
        journal=str(log.path),
    )


def resume_token(token: ResumeToken, services: Services) -> Outcome:
    """Deliver from a resume token (no journal needed: another machine will do)."""
    target = SecretTarget.from_json(token.target)
    plan = Plan(target.repo, Leak(**token.leak), (target,), ())
    state = {
        "request_id": token.request_id,
        "datacenter": token.datacenter,
        "sealed": [{"target": token.target, "key_id": token.key_id, "encrypted_value": token.encrypted_value}],
    }
    try:
        repo_id = services.secrets_github.repository(target.repo).id
    except Exception as exc:  # noqa: BLE001 - the token stays the way to finish
        return Outcome(
            Status.NOT_STORED,
            f"storing failed again: {_failure(exc)}",
            plan,
            token.request_id,
            token.datacenter,
            resume_tokens=(token.encode(),),
        )
    return _deliver(plan, state, token.planned_at, repo_id, services, note="from the resume token")


def most_urgent(outcomes: Sequence[Outcome]) -> Status:
    statuses = {o.status for o in outcomes}
    return next(s for s in URGENCY if s in statuses)
