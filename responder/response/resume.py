"""``resume``: finish interrupted responses from their journals, or from a resume token.

Never regenerates. Both hold the state directory's lock, so a resume never races a
running response (or another resume) on the same journal.
"""

from __future__ import annotations

from responder.response import journal, statedir
from responder.response.delivery import deliver, failure, plan_of
from responder.response.journal import (
    Done,
    IssueOpened,
    Journal,
    JournalError,
    Planned,
    RegenerateFailed,
    Stored,
)
from responder.response.journal import Regenerated as RegeneratedRecord
from responder.response.journal import RegenerateUnknown as UnknownRecord
from responder.response.outcome import Outcome, Plan, Status
from responder.response.records import Delivery, Step
from responder.response.resume_token import ResumeToken
from responder.response.statedir import StateDirError
from responder.response.workflow import UNKNOWN_HELP, Services, channel_for, finish

__all__ = ["resume_all", "resume_journal", "resume_token"]


def resume_all(services: Services, *, force: bool = False) -> list[Outcome]:
    """Finish every interrupted response in the state directory (under its lock)."""
    statedir.ensure(services.journal_dir)
    with statedir.locked(services.journal_dir, services.note):
        return [
            resume_journal(log, services, force=force)
            for log in journal.open_journals(services.journal_dir, services.note)
        ]


def resume_journal(log: Journal, services: Services, *, force: bool = False) -> Outcome:
    steps = log.steps()
    planned = log.last(Planned)
    if planned is None:
        log.write(RegenerateFailed("empty", "journal without a plan"))
        return Outcome(Status.ROTATION_FAILED, f"{log.path}: nothing was started", journal=str(log.path))
    plan = Plan(planned.repo, planned.leak, planned.targets, ())
    response_id = planned.response_id
    if Step.REGENERATED in steps:
        return finish(log, services, resuming=True, force=force)
    if Step.REGENERATING in steps:
        log.write(UnknownRecord("interrupted while waiting for QuestionPro"))
        return Outcome(
            Status.ROTATION_UNKNOWN,
            "the response was interrupted after the regenerate request was sent. "
            + UNKNOWN_HELP.format(repo=plan.repo),
            plan,
            journal=str(log.path),
            response_id=response_id,
        )
    log.write(RegenerateFailed("interrupted", "stopped before regenerating"))
    return Outcome(
        Status.ROTATION_FAILED,
        "the response stopped before the key was regenerated: the old key is still valid; respond again to rotate it",
        plan,
        journal=str(log.path),
        response_id=response_id,
    )


def resume_token(token: ResumeToken, services: Services, *, force: bool = False) -> Outcome:
    """Deliver from a (confirmed) resume token: another machine will do. Raises
    StateDirError when the state directory is unsafe."""
    statedir.ensure(services.journal_dir)
    with statedir.locked(services.journal_dir, services.note):
        return _resume_token_locked(token, services, force=force)


def _resume_token_locked(token: ResumeToken, services: Services, *, force: bool) -> Outcome:
    delivery = token.delivery
    [sealed] = delivery.sealed
    here = Journal(services.journal_dir / f"{delivery.response_id}.jsonl", services.clock)
    plan = plan_of(delivery)
    if here.path.exists():  # this machine knows the response: its journal says what is left
        try:
            records = here.records()
        except JournalError as exc:
            return Outcome(Status.NOT_CONFIRMED, f"{exc}", plan, response_id=delivery.response_id)
        if any(isinstance(r, Stored) and r.target == sealed.target for r in records):
            return Outcome(
                Status.ROTATED_AND_STORED,
                f"already delivered (journal {here.path}): nothing to do",
                plan,
                delivery.request_id,
                delivery.datacenter,
                journal=str(here.path),
                response_id=delivery.response_id,
            )
        if any(isinstance(r, RegeneratedRecord) for r in records) and not here.finished:
            return finish(here, services, resuming=True, force=force)
    try:
        repo_id = services.secrets_github.repository(delivery.repo).id
    except Exception as exc:  # noqa: BLE001 - the token stays the way to finish
        return Outcome(
            Status.NOT_STORED,
            f"storing failed again: {failure(exc)}",
            plan,
            delivery.request_id,
            delivery.datacenter,
            resume_tokens=(token.encode(statedir.token_key(services.journal_dir, create=False)),),
            response_id=delivery.response_id,
        )
    channel = channel_for(services, None, note="from the resume token", force=force, check_remote=True)
    outcome = deliver(delivery, repo_id, channel, frozenset({sealed.target}) if token.stored else frozenset())
    if outcome.status is Status.ROTATED_AND_STORED and not outcome.resume_tokens:
        _remember(here, delivery, repo_id, outcome.issue_url)
    return outcome


def _remember(log: Journal, delivery: Delivery, repo_id: int, issue_url: str | None) -> None:
    """Journal a delivered token here (in the response's own journal when this machine
    has it), so using it again is recognised. Best effort: the secret is already written."""
    [sealed] = delivery.sealed
    try:
        if not log.path.exists():
            log = Journal.create(log.path.parent, delivery.response_id, log.clock)
            log.write(
                Planned(
                    delivery.response_id, delivery.repo, delivery.leak, (sealed.target,), delivery.rotated_at, repo_id
                )
            )
            log.write(RegeneratedRecord(delivery))
        log.write(Stored(sealed.target))
        records = log.records()
        planned = next(r for r in records if isinstance(r, Planned))
        if set(planned.targets) <= {r.target for r in records if isinstance(r, Stored)}:
            if issue_url:
                log.write(IssueOpened(issue_url))
            log.write(Done())
    except (OSError, StateDirError, JournalError, StopIteration):
        return
