"""After rotation: store every sealed value, open the issue, say how it ended.

Shared by the response itself, ``resume`` (from the journal) and ``resume --sealed``
(from a token). With a journal each step is recorded, so a later ``resume`` finishes the
rest; without one the outcome carries resume tokens. A secret that changed after the
rotation is left as it is (unless ``force``): it holds this key (stored before an
interruption) or a newer one, and writing could put a dead key back. The issue is still
found or opened, and the outcome carries a token to write this key anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from responder.response import issue_text, statedir
from responder.response.github_adapter import GitHubAdapter, GitHubError, SecretTarget, web_url
from responder.response.github_errors import ErrorKind
from responder.response.journal import Done, IssueOpened, Journal, JournalError, Record, Stored, all_journals
from responder.response.outcome import Outcome, Plan, Status
from responder.response.records import Delivery, Sealed
from responder.response.resume_token import ResumeToken

# GitHub's clock and ours may differ; a secret written this close before the rotation
# counts as written after it (the cautious side: --force overrides).
CLOCK_MARGIN = 120.0


@dataclass(frozen=True)
class Channel:
    """Where delivery acts and records: the GitHub adapters, the journal (or None), the
    state directory (for resume-token MACs and other journals) and a checkpoint hook."""

    secrets_github: GitHubAdapter
    issues_github: GitHubAdapter
    state: Path
    checkpoint: Callable[[Journal, Record], None]
    log: Journal | None = None
    note: str | None = None
    force: bool = False
    check_remote: bool = False  # a token: compare with the secret's updated_at on GitHub
    check_local: bool = False  # a resume: compare with later responses' journals here


def failure(exc: Exception) -> str:
    """What a delivery failure may say: our own errors carry redacted text; anything else
    (a truncated JSON body, a redirect PyGithub refuses) is named by its type only."""
    return str(exc) if isinstance(exc, GitHubError) else f"unexpected {type(exc).__name__} from GitHub"


def plan_of(delivery: Delivery) -> Plan:
    return Plan(delivery.repo, delivery.leak, tuple(s.target for s in delivery.sealed), ())


def tokens(delivery: Delivery, state: Path, stored: set[SecretTarget], *, issue_left: bool) -> tuple[str, ...]:
    """One token per target still to write; with ``issue_left``, also for the written
    ones (marked stored: they only find or open the issue)."""
    key = statedir.token_key(state, create=True)
    return tuple(
        ResumeToken(replace(delivery, sealed=(s,)), stored=s.target in stored).encode(key)
        for s in delivery.sealed
        if issue_left or s.target not in stored
    )


def stored_later_here(state: Path, target: SecretTarget, since: float, response_id: str) -> str | None:
    """Another response's journal here that stored into ``target`` after ``since``."""
    for other in all_journals(state):
        if other.path.stem == response_id:
            continue
        try:
            entries = other.entries()
        except JournalError:
            continue
        if any(isinstance(e.record, Stored) and e.record.target == target and e.at > since for e in entries):
            return other.path.stem
    return None


def _newer_key(channel: Channel, delivery: Delivery, sealed: Sealed) -> str | None:
    """Why writing ``sealed`` would put back a key older than the secret's, or None."""
    if channel.force:
        return None
    target = sealed.target
    if channel.check_local:
        other = stored_later_here(channel.state, target, delivery.rotated_at, delivery.response_id)
        if other:
            return f"response {other} stored a newer key in the {target.describe()} after this one was rotated"
    if channel.check_remote:
        updated = channel.secrets_github.secret_updated_at(target)
        if updated is not None and updated >= delivery.rotated_at - CLOCK_MARGIN:
            when = datetime.fromtimestamp(updated, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
            return (
                f"the {target.describe()} was updated at {when}, after this key was rotated: it already holds "
                "this key (the token was used before) or a newer one"
            )
    return None


@dataclass(frozen=True)
class _Say:
    """Builds this delivery's outcomes."""

    delivery: Delivery
    channel: Channel

    def __call__(
        self, status: Status, message: str, issue_url: str | None = None, resume: tuple[str, ...] = ()
    ) -> Outcome:
        d, log = self.delivery, self.channel.log
        journal = str(log.path) if log is not None else None
        return Outcome(
            status, message, plan_of(d), d.request_id, d.datacenter, issue_url, resume, journal, d.response_id
        )


def deliver(
    delivery: Delivery, repo_id: int | None, channel: Channel, stored_before: frozenset[SecretTarget] = frozenset()
) -> Outcome:
    log = channel.log
    records = log.records() if log is not None else []
    stored = {r.target for r in records if isinstance(r, Stored)} | stored_before
    opened = [r.url for r in records if isinstance(r, IssueOpened)]
    say = _Say(delivery, channel)
    left: list[tuple[Sealed, str]] = []  # newer than the rotation: not written
    failed = _store_all(delivery, repo_id, channel, stored, left)
    if failed is not None:
        return failed
    suffix = f" ({channel.note})" if channel.note else ""
    issue_url = opened[-1] if opened else None
    if issue_url is None:
        try:
            issue_url = open_issue(channel.issues_github, delivery)
        except Exception as exc:  # noqa: BLE001 - stored already: an issue failure must not hide that
            again = (
                "Run `qp-responder resume` to try again." if log else "Run `qp-responder resume --sealed TOKEN` again."
            )
            return say(
                Status.ISSUE_FAILED,
                f"rotated and stored{suffix}, but the issue could not be opened: {failure(exc)}. {again}",
                # no journal: the tokens finish the issue
                resume=() if log else tokens(delivery, channel.state, stored, issue_left=True),
            )
        if log is not None:
            channel.checkpoint(log, IssueOpened(issue_url))
    if log is not None:
        log.write(Done())
    if left:
        key = statedir.token_key(channel.state, create=True)
        why = "; ".join(reason for _sealed, reason in left)
        return say(  # not "stored": a script must not read this as done (exit 10)
            Status.LEFT_NEWER,
            f"nothing written{suffix}: {why}. The secret was left as it is: writing this key could put a dead "
            "one back. Only if it holds neither, write this one with `qp-responder resume --sealed TOKEN --force`.",
            issue_url=issue_url,
            resume=tuple(ResumeToken(replace(delivery, sealed=(s,))).encode(key) for s, _reason in left),
        )
    return say(Status.ROTATED_AND_STORED, f"rotated and stored{suffix}", issue_url=issue_url)


def _store_all(
    delivery: Delivery,
    repo_id: int | None,
    channel: Channel,
    stored: set[SecretTarget],
    left: list[tuple[Sealed, str]],
) -> Outcome | None:
    """Write every sealed value not written yet (adding to ``stored``; a secret newer than
    the rotation goes to ``left``); the NOT_STORED outcome when a write fails."""
    log = channel.log
    for sealed in delivery.sealed:
        if sealed.target in stored:
            continue
        try:
            newer = _newer_key(channel, delivery, sealed)
            if newer:
                left.append((sealed, newer))
                continue
            channel.secrets_github.put_sealed(sealed.target, sealed.key_id, sealed.encrypted_value, repo_id)
        except Exception as exc:  # noqa: BLE001 - whatever breaks here, the sealed key must not be lost
            invalid = isinstance(exc, GitHubError) and exc.kind is ErrorKind.INVALID
            hint = " (GitHub's public key changed since: that sealed value is unusable)" if invalid else ""
            how = (
                "`qp-responder resume` (or `qp-responder resume --sealed TOKEN` elsewhere)"
                if log
                else "`qp-responder resume --sealed TOKEN`"
            )
            suffix = f" ({channel.note})" if channel.note else ""
            return _Say(delivery, channel)(
                Status.NOT_STORED,
                f"the key was rotated (requestID {delivery.request_id or 'not given'}){suffix} but storing it "
                f"failed: {failure(exc)}{hint}. The new key is sealed; finish with {how}.",
                resume=tokens(delivery, channel.state, stored, issue_left=False),
            )
        if log is not None:
            channel.checkpoint(log, Stored(sealed.target))
        stored.add(sealed.target)
    return None


def open_issue(github: GitHubAdapter, delivery: Delivery) -> str:
    """Find this response's issue (by its response id) or open it: never a duplicate."""
    repo = github.repository(delivery.repo)
    if not repo.has_issues:
        raise GitHubError(ErrorKind.FORBIDDEN, f"issues are disabled on {delivery.repo}")
    since = datetime.fromtimestamp(delivery.rotated_at, tz=timezone.utc) - timedelta(minutes=10)
    text = issue_text.body(
        request_id=delivery.request_id,
        response_id=delivery.response_id,
        datacenter=delivery.datacenter,
        leak=delivery.leak.to_json(),
        secrets=[s.target.describe() for s in delivery.sealed],
        web_url=web_url(github.api_url),
        repo=delivery.repo,
    )
    marker = issue_text.marker(delivery.response_id)
    return github.open_issue(
        delivery.repo, issue_text.title(delivery.leak.redacted), text, issue_text.LABELS, marker, since
    )
