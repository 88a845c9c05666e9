"""The response workflow: explicit, journaled, resumable steps.

    confirm -> lock -> preflight -> journal -> regenerate -> seal -> store -> issue -> done

Nothing destructive happens before the preflight passes and the journal exists. The
regeneration is journaled *before* the request is sent, so a crash mid-request is later
recognised as "outcome unknown" and never repeated. The new key is sealed to GitHub's
public key(s) the moment it arrives and only the sealed value is journaled; ``resume``
finishes storing and the issue from the journal (or from a resume token) without
regenerating again and without a second issue. One response or resume at a time holds
the state directory's lock; each response has its own id (journal name, issue marker).
"""

from __future__ import annotations

import os
import secrets as pyrandom
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from responder.core import signals
from responder.core.redact import hashed_secret
from responder.response import journal, statedir
from responder.response.delivery import CLOCK_MARGIN, Channel, deliver, plan_of, tokens
from responder.response.github_adapter import (
    DEFAULT_TOKEN_HELP,
    GitHubAdapter,
    GitHubError,
    PublicKey,
    SecretTarget,
)
from responder.response.github_errors import ErrorKind
from responder.response.journal import (
    Journal,
    JournalError,
    Planned,
    PreflightOk,
    Record,
    RegenerateFailed,
    Regenerating,
    Stored,
)
from responder.response.journal import Regenerated as RegeneratedRecord
from responder.response.journal import RegenerateUnknown as UnknownRecord
from responder.response.outcome import EXIT, URGENCY, Outcome, Plan, Status, most_urgent
from responder.response.questionpro import (
    Endpoint,
    QuestionProClient,
    RefusalReason,
    Regenerated,
    RegenerateRefused,
    RegenerateUnknown,
)
from responder.response.records import Delivery, Leak, Sealed, clean_request_id
from responder.response.sealing import seal
from responder.response.statedir import StateDirError

__all__ = ["EXIT", "URGENCY", "Leak", "Outcome", "Plan", "Services", "Status", "most_urgent", "plan_of", "respond"]

PREFLIGHT_PREFIX = "QP_RESPONDER_PREFLIGHT_"  # + random: two responses never race on one name

UNKNOWN_HELP = (
    "The regenerate request may have been processed: the old key may already be expired and the new "
    "one was not received. Do NOT run the rotation again. Check: does the old key still work (any "
    "QuestionPro API call with it)? If it does not, sign in to QuestionPro, open Integrations > API, "
    "regenerate the key there, then store it with: qp-responder store --repo {repo} (reads the key "
    "from stdin). If the old key still works, nothing changed and you may respond again."
)


@dataclass
class Services:
    """What the workflow acts through; tests pass real clients pointed at local servers."""

    questionpro: QuestionProClient
    secrets_github: GitHubAdapter
    issues_github: GitHubAdapter
    journal_dir: Path
    mask: Callable[[str], None] = lambda _value: None
    note: Callable[[str], None] = lambda _line: None
    # Called with the resume tokens the moment the new key is sealed, before anything can
    # fail: the Action writes them where they outlive the runner (job summary, step output).
    on_sealed: Callable[[Sequence[str]], None] = lambda _tokens: None
    default_token_in_use: bool = False  # secrets would go through Actions' own GITHUB_TOKEN
    clock: Callable[[], float] = time.time
    # Fault injection for the crash tests (QP_RESPONDER_FAULT_KILL_AFTER): a real kill -9 of
    # this process right after the named step is journaled.
    kill_after: str | None = None


class _JournalFailed(Exception):
    """The journal could not record an attempt: the request was not sent."""


def _checkpoint(services: Services, log: Journal, record: Record) -> None:
    log.write(record)
    if services.kill_after == record.step.value:
        os.kill(os.getpid(), signal.SIGKILL)


def channel_for(
    services: Services,
    log: Journal | None,
    *,
    note: str | None = None,
    force: bool = False,
    check_remote: bool = False,
    check_local: bool = False,
) -> Channel:
    return Channel(
        services.secrets_github,
        services.issues_github,
        services.journal_dir,
        lambda journal_, record: _checkpoint(services, journal_, record),
        log,
        note,
        force,
        check_remote,
        check_local,
    )


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
            if exc.kind in (ErrorKind.FORBIDDEN, ErrorKind.NOT_FOUND) and services.default_token_in_use:
                raise GitHubError(exc.kind, f"{exc}: {DEFAULT_TOKEN_HELP}", exc.status) from None
            raise
        try:
            seal(key.key, "preflight")  # a public key we cannot seal to would strand the new key
        except Exception as exc:  # noqa: BLE001 - any failure here means "unusable key"
            raise GitHubError(
                ErrorKind.INVALID, f"GitHub's public key for the {target.describe()} is unusable ({type(exc).__name__})"
            ) from None
        if probe_write:
            name = PREFLIGHT_PREFIX + pyrandom.token_hex(6).upper()
            probe = SecretTarget(target.repo, name, target.app, target.environment, target.org)
            services.secrets_github.put_sealed(probe, key.key_id, seal(key.key, pyrandom.token_hex(16)), repo.id)
            services.secrets_github.delete_secret(probe)
        keys.append(key)
    return Preflight(repo.id, tuple(keys))


def replacement_at_risk(plan: Plan, services: Services) -> str | None:
    """Would this response overwrite the replacement key an earlier response (journaled
    here) stored, or is about to store, in one of its secrets? Why, or None. Only the
    latest store into a secret matters: what it stored is what the secret holds."""
    latest: dict[SecretTarget, tuple[float, Delivery]] = {}
    for log in journal.all_journals(services.journal_dir):
        try:
            entries = log.entries()
        except JournalError:
            continue
        earlier = next((e.record.delivery for e in entries if isinstance(e.record, RegeneratedRecord)), None)
        if earlier is None:
            continue
        stored_at = {e.record.target: e.at for e in entries if isinstance(e.record, Stored)}
        for target in plan.targets:
            if target not in {s.target for s in earlier.sealed}:
                continue
            if target not in stored_at:
                return (
                    f"the key rotated by response {earlier.response_id} still waits to be stored in the "
                    f"{target.describe()}: run `qp-responder resume` first"
                )
            if target not in latest or latest[target][0] < stored_at[target]:
                latest[target] = (stored_at[target], earlier)
    for target, (stored, earlier) in latest.items():
        if earlier.new_hashed_secret == plan.leak.hashed_secret:
            continue  # the replacement key itself leaked: replacing it is the point
        updated = services.secrets_github.secret_updated_at(target)
        if updated is not None and updated <= stored + CLOCK_MARGIN:
            when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(stored))
            return (
                f"the {target.describe()} holds the key that response {earlier.response_id} stored at {when} "
                f"(hashed_secret {earlier.new_hashed_secret}); rotating {plan.leak.redacted} into it would "
                "overwrite that replacement key. Use another --secret-name, or --force if that key is not needed"
            )
    return None


# -- the response ---------------------------------------------------------------------------
def new_response_id(at: float, leak: Leak) -> str:
    return f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime(at))}-{leak.hashed_secret[:12]}-{pyrandom.token_hex(4)}"


def respond(
    plan: Plan, key: str, services: Services, *, confirmed: bool, dry_run: bool = False, force: bool = False
) -> Outcome:
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
        statedir.ensure(services.journal_dir)
        with statedir.locked(services.journal_dir, services.note):
            return _respond_locked(plan, key, services, force=force)
    except (StateDirError, OSError) as exc:
        reason = str(exc) if isinstance(exc, StateDirError) else f"{services.journal_dir}: {exc.strerror}"
        return Outcome(Status.PREFLIGHT_FAILED, f"the journal cannot be kept ({reason}); nothing was rotated", plan)


def _respond_locked(plan: Plan, key: str, services: Services, *, force: bool) -> Outcome:
    try:
        checked = preflight(plan, services, probe_write=True)
        risk = None if force else replacement_at_risk(plan, services)
    except GitHubError as exc:
        return Outcome(Status.PREFLIGHT_FAILED, f"preflight failed, nothing was rotated: {exc}", plan)
    if risk:
        return Outcome(Status.PREFLIGHT_FAILED, f"not rotated, nothing was changed: {risk}", plan)
    started = services.clock()
    response_id = new_response_id(started, plan.leak)
    try:
        log = Journal.create(services.journal_dir, response_id, services.clock)
    except (OSError, StateDirError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else str(exc)
        return Outcome(
            Status.PREFLIGHT_FAILED,
            f"cannot create the journal in {services.journal_dir} ({why}); nothing was rotated",
            plan,
        )
    _checkpoint(services, log, Planned(response_id, plan.repo, plan.leak, plan.targets, started, checked.repo_id))
    _checkpoint(services, log, PreflightOk(checked.keys))
    return _rotate(plan, key, services, log, checked, response_id)


WAITING = (
    "waiting for QuestionPro's reply (at most the --timeout) so that the new key is not lost; "
    "interrupt again to stop waiting (the rotation's outcome is then unknown)"
)


def _rotate(plan: Plan, key: str, services: Services, log: Journal, checked: Preflight, response_id: str) -> Outcome:
    # From the request until the new key is sealed, published and journaled, Ctrl-C and
    # SIGTERM wait: QuestionPro has made the key and only its reply carries it. While the
    # reply is awaited, a second one breaks in (the outcome is then unknown, as before).
    with signals.deferred(patient=True, on_hold=lambda: services.note(WAITING)) as held:
        result = _regenerate(plan, key, services, log, response_id)
        held.patient = False
        if isinstance(result, Outcome):
            return result
        delivery, unwritable = _seal_and_keep(plan, services, log, checked, response_id, result)
        del result  # from here on only the sealed values exist
    if unwritable is not None:  # no journal to resume from: deliver now, or hand out the tokens
        return deliver(delivery, checked.repo_id, channel_for(services, None, note=f"journal unwritable: {unwritable}"))
    return finish(log, services)


def _seal_and_keep(
    plan: Plan, services: Services, log: Journal, checked: Preflight, response_id: str, result: Regenerated
) -> tuple[Delivery, str | None]:
    """Seal the new key, publish its resume tokens, journal it: (the delivery, why the
    journal could not be written or None). Only the sealed values outlive this call."""
    services.mask(result.new_key)
    delivery = Delivery(
        response_id,
        plan.repo,
        plan.leak,
        clean_request_id(result.request_id),
        result.datacenter,
        services.clock(),
        _seal_all(plan.targets, checked.keys, result),
        hashed_secret(result.new_key),
    )
    try:
        services.on_sealed(tokens(delivery, services.journal_dir, set(), issue_left=False))
    except Exception:  # noqa: BLE001, S110 - the journal and the outcome still carry the tokens
        pass
    try:
        _checkpoint(services, log, RegeneratedRecord(delivery))
    except OSError as exc:
        return delivery, exc.strerror or type(exc).__name__
    return delivery, None


def _regenerate(plan: Plan, key: str, services: Services, log: Journal, response_id: str) -> Regenerated | Outcome:
    """The regenerate call, journaled before each attempt; how it failed, as an outcome.
    Only the journal's own failure counts as "not sent"; QuestionPro's errors are its own."""

    def before_send(endpoint: Endpoint) -> None:
        try:
            _checkpoint(services, log, Regenerating(endpoint.datacenter, endpoint.base_url))
        except OSError as exc:
            raise _JournalFailed(exc.strerror or type(exc).__name__) from None

    def failed(status: Status, text: str, datacenter: str | None = None) -> Outcome:
        return Outcome(status, text, plan, datacenter=datacenter, journal=str(log.path), response_id=response_id)

    try:
        return services.questionpro.regenerate(key, plan.endpoints, on_attempt=before_send)
    except RegenerateRefused as exc:
        _record(log, RegenerateFailed(exc.reason.value, str(exc)))
        if exc.reason is RefusalReason.WRONG_KEY:
            text = (
                f"rotation failed, nothing changed: QuestionPro does not accept this key ({exc}); it is "
                "already expired, or belongs to a datacenter that was not tried (--datacenter)"
            )
        else:
            text = f"rotation failed, the old key is still valid: {exc}"
        return failed(Status.ROTATION_FAILED, text, exc.datacenter)
    except RegenerateUnknown as exc:
        _record(log, UnknownRecord(str(exc)))
        text = f"rotation outcome unknown: {exc}. " + UNKNOWN_HELP.format(repo=plan.repo)
        return failed(Status.ROTATION_UNKNOWN, text, exc.datacenter)
    except _JournalFailed as exc:
        return failed(
            Status.ROTATION_FAILED,
            f"the journal could not be written ({exc}), so the regenerate request was not sent; "
            "the old key is still valid",
        )


def _record(log: Journal, record: Record) -> None:
    """Journal how the regeneration ended, if the disk allows: the outcome says it anyway."""
    try:
        log.write(record)
    except OSError:
        pass


def _seal_all(targets: Sequence[SecretTarget], keys: Sequence[PublicKey], result: Regenerated) -> tuple[Sealed, ...]:
    return tuple(Sealed(t, k.key_id, seal(k.key, result.new_key)) for t, k in zip(targets, keys, strict=True))


def finish(log: Journal, services: Services, *, resuming: bool = False, force: bool = False) -> Outcome:
    """Deliver from the journal: right after rotation, and from ``resume``. Never regenerates."""
    planned, regenerated = log.last(Planned), log.last(RegeneratedRecord)
    assert planned is not None and regenerated is not None
    return deliver(regenerated.delivery, planned.repo_id, channel_for(services, log, force=force, check_local=resuming))
