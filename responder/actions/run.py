"""`qp-responder action`: what action.yml runs inside a GitHub Actions job.

Inputs arrive as environment variables set by action.yml's ``env:`` (never pasted into a
script). Configuration comes only from those inputs: nothing is read from the files of
the commits being scanned, so a pull request cannot change endpoints, secret names or
what counts as a finding.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from responder.actions import fetching, summary
from responder.core import console, gha
from responder.core.errors import UsageError
from responder.core.exitcodes import ExitCode
from responder.report.files import reason, write_report
from responder.report.formats import SarifContext, render_sarif, sentence
from responder.response.github_adapter import DEFAULT_SECRET_NAME
from responder.response.workflow import EXIT, Leak, Outcome, Status, most_urgent
from responder.scanning import gitio, scanner
from responder.scanning.findings import ScanReport


class ActionError(UsageError):
    """The job is misconfigured (event, checkout depth): the message says how to fix it.
    Shown as an error annotation, where the job's reader looks."""

    def show(self) -> None:
        console.out(gha.annotation("error", f"qp-responder: {self}") + "\n")


@dataclass(frozen=True)
class Inputs:
    mode: str = "auto"
    respond: bool = False
    fail_on_findings: bool = True
    secret_name: str = DEFAULT_SECRET_NAME
    environment: str | None = None
    datacenter: str | None = None
    sarif: str | None = None

    @classmethod
    def from_env(cls) -> Inputs:
        def flag(name: str, default: bool) -> bool:
            value = os.environ.get(name, "").strip().lower()
            if value in ("true", "false"):
                return value == "true"
            if value:
                raise ActionError(f"{name.removeprefix('INPUT_').lower().replace('_', '-')} must be true or false")
            return default

        mode = os.environ.get("INPUT_MODE", "").strip() or "auto"
        if mode not in ("auto", "full"):
            raise ActionError("mode must be auto or full")
        return cls(
            mode=mode,
            respond=flag("INPUT_RESPOND", False),
            fail_on_findings=flag("INPUT_FAIL_ON_FINDINGS", True),
            secret_name=os.environ.get("INPUT_SECRET_NAME", "").strip() or DEFAULT_SECRET_NAME,
            environment=os.environ.get("INPUT_ENVIRONMENT", "").strip() or None,
            datacenter=os.environ.get("INPUT_DATACENTER", "").strip() or None,
            sarif=os.environ.get("INPUT_SARIF", "").strip() or None,
        )


@dataclass
class Result:
    report: ScanReport = field(default_factory=ScanReport)
    outcomes: list[Outcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sarif: SarifContext | None = None


def _payload() -> dict[str, Any]:
    path = os.environ.get("GITHUB_EVENT_PATH")
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ActionError(f"cannot read the event payload {path}: {type(exc).__name__}") from None
    return data if isinstance(data, dict) else {}


def prepare(root: Path, plan: gha.ScanPlan, payload: dict[str, Any]) -> gha.ScanPlan:
    """Fetch what the plan needs from origin; say clearly when that is impossible."""
    if gitio.is_shallow(root) and not fetching.fetch(root, unshallow=True):
        fetching.fetch(root, "+refs/heads/*:refs/remotes/origin/*", unshallow=True)
    if gitio.is_shallow(root):  # a cut history makes its oldest commit look like it added every file
        raise ActionError(
            "the checkout is shallow and could not be deepened (git fetch failed). "
            "Use actions/checkout with fetch-depth: 0 before this action."
        )
    if plan.full:
        fetching.fetch(root, "+refs/heads/*:refs/remotes/origin/*")
    if plan.pull_request:  # the head's commits, as data only: nothing is checked out or run
        number = plan.pull_request
        fetched = fetching.fetch(root, f"+refs/pull/{number}/head:refs/remotes/qp-responder/pull-{number}")
        if not fetched and not all(gitio.has_commit(root, sha) for sha in plan.needs):
            raise ActionError(
                f"could not fetch pull request #{number} (refs/pull/{number}/head) from origin, neither with "
                "the checkout's credentials nor with the github-token input. Keep github-token at its default "
                "and give the job permissions: contents: read (a private repository needs it); the checkout's "
                "fetch-depth does not matter here."
            )
    default = (payload.get("repository") or {}).get("default_branch")
    if default and "--not" in plan.revs and f"refs/remotes/origin/{default}" in plan.revs:
        fetching.fetch(root, f"+refs/heads/{default}:refs/remotes/origin/{default}")
        if not gitio.has_commit(root, f"refs/remotes/origin/{default}"):
            return gha.ScanPlan(
                plan.revs[:1], plan.description + f" ({default} not found: whole history)", branch=plan.branch
            )
    missing = [sha for sha in plan.needs if not gitio.has_commit(root, sha)]
    if missing:
        fetching.fetch(root, *missing)
        missing = [sha for sha in plan.needs if not gitio.has_commit(root, sha)]
    if not missing:
        return plan
    if plan.no_walk and all(gitio.has_commit(root, sha) for sha in plan.no_walk):
        return gha.ScanPlan(
            plan.no_walk,
            plan.description + " (the pushed commits, from the payload)",
            branch=plan.branch,
            no_walk=plan.no_walk,
        )
    raise ActionError(
        f"commit(s) {', '.join(m[:12] for m in missing)} are not in this checkout and could not be fetched. "
        "Use actions/checkout with fetch-depth: 0 before this action."
    )


def _protected(repo: str, branch: str, default: str | None) -> tuple[bool, str]:
    """GitHub's word on the branch (rules that apply, then classic protection), and what it
    said; the default branch when GitHub cannot say."""
    from responder.response.github_adapter import GitHubAdapter, GitHubError
    from responder.response.service import api_url

    try:
        found = GitHubAdapter(os.environ.get("GITHUB_TOKEN", ""), api_url()).branch_protection(repo, branch)
    except (GitHubError, UsageError) as exc:
        guess = branch == default
        verdict = "the default branch counts as protected" if guess else "not the default branch"
        return guess, f"GitHub could not say ({exc}): {verdict}"
    return found.protected, found.found


def _respond_reason(event: str, plan: gha.ScanPlan, payload: dict[str, Any], notes: list[str]) -> str | None:
    """None when the action may rotate; else why not."""
    if event != "push":
        if plan.from_fork:
            return "a pull request from a fork has no secrets: scanned and annotated, never rotated"
        return f"responses run only on a push to a protected branch, not on {event}"
    if not plan.branch:
        return "responses run only on a push to a branch"
    repo = os.environ.get("GITHUB_REPOSITORY", "")
    default = (payload.get("repository") or {}).get("default_branch")
    protected, found = _protected(repo, plan.branch, default)
    if not protected:
        return (
            f"{plan.branch} is not a protected branch ({found}): not rotating "
            "(the workflow's opt-in covers protected branches)"
        )
    notes.append(f"{plan.branch} is protected: {found}")
    return None


def _sarif_context(root: Path, *, full: bool) -> SarifContext:
    """Results placed in the checked-out commit (what upload-sarif describes); full scans and
    scans of what is new are separate code scanning categories, so an upload of one push's
    range never closes the alerts of a full scan."""
    from responder.scanning import locate

    version = locate.analyzed(root, revision="HEAD")
    kind = "full" if full else "incremental"
    return SarifContext(version.prefix, locate.locator(version), version.revision, f"qp-responder/{kind}/")


def run(root: Path, inputs: Inputs) -> Result:
    event = os.environ.get("GITHUB_EVENT_NAME", "")
    payload = _payload()
    plan = gha.plan_for_event(event, payload, inputs.mode)
    if not plan.revs:
        return Result(notes=[plan.description])
    plan = prepare(root, plan, payload)
    result = Result(notes=[plan.description], sarif=_sarif_context(root, full=plan.full))
    result.report = scanner.scan_revisions(
        root, plan.revs, root, scanner.Excluder(), include_removed=not plan.full, no_walk=bool(plan.no_walk)
    )
    from responder.response.service import leaks_of

    items = leaks_of(result.report.findings)  # masks every key before anything is printed
    if not (items and inputs.respond):
        return result
    reason = _respond_reason(event, plan, payload, result.notes)
    if reason:
        result.notes.append(reason)
        return result
    result.outcomes = _respond(inputs, items, result.notes)
    return result


def _respond(inputs: Inputs, items: Sequence[tuple[Leak, str]], notes: list[str]) -> list[Outcome]:
    """Rotate each key; the tokens are published the moment a key is sealed, and anything
    that goes wrong after that is "rotated, not stored", never a bare internal error."""
    from responder.response.service import Options, publish_resume_tokens, respond_all

    options = Options(
        repo=os.environ.get("GITHUB_REPOSITORY"),
        secret_name=inputs.secret_name,
        environment=inputs.environment,
        datacenter=inputs.datacenter,
        yes=True,
    )
    sealed: list[str] = []

    def on_sealed(tokens: Sequence[str]) -> None:
        sealed.extend(tokens)
        publish_resume_tokens(tokens)

    try:
        return respond_all(options, items, on_sealed=on_sealed)
    except UsageError as exc:
        notes.append(f"could not respond: {exc}")
        return []
    except Exception as exc:
        if not sealed:
            raise
        return [
            Outcome(
                Status.NOT_STORED,
                f"a key was rotated but the response stopped ({type(exc).__name__}); finish with "
                "`qp-responder resume --sealed TOKEN` (the tokens are in this job's summary and "
                "the step output resume-tokens)",
                resume_tokens=tuple(sealed),
            )
        ]


def report(result: Result, inputs: Inputs) -> ExitCode:
    """Annotations, job summary, SARIF file and outputs; the step's exit status."""
    findings = result.report.findings
    for message in result.report.warnings:  # files not scanned, findings not reported: never silently
        console.out(gha.annotation("warning", message, title="qp-responder") + "\n")
    for finding in findings:
        level = "warning" if finding.previously_committed else "error"
        console.out(
            gha.annotation(
                level,
                sentence(finding),
                file=None if finding.in_message else finding.filename,  # no file to annotate
                line=None if finding.in_message else finding.line_number,
                title="QuestionPro API key",
            )
            + "\n"
        )
    sarif = Path(inputs.sarif or Path(os.environ.get("RUNNER_TEMP", ".")) / "qp-responder.sarif")
    try:
        write_report(sarif, render_sarif(findings, result.sarif))
    except OSError as exc:
        raise ActionError(f"cannot write the SARIF file {sarif}: {reason(exc)}") from None
    from responder.response.service import ROTATED, render

    if result.outcomes:
        render(result.outcomes, "text")
    gha.append_summary(summary.render([*result.notes, *result.report.warnings], findings, result.outcomes))
    blocking = [f for f in findings if f.blocking]
    urls = [o.issue_url for o in result.outcomes if o.issue_url]
    gha.write_outputs(
        {
            "findings": str(len(blocking)),
            "rotated": str(sum(o.status in ROTATED for o in result.outcomes)),
            "issue-urls": json.dumps(urls),
            "resume-tokens": json.dumps([t for o in result.outcomes for t in o.resume_tokens]),
            "sarif": str(sarif),
        }
    )
    if result.outcomes:
        urgent = most_urgent(result.outcomes)
        if urgent not in (Status.ROTATED_AND_STORED, Status.DRY_RUN):
            return EXIT[urgent]
    if blocking and inputs.fail_on_findings:
        return ExitCode.LEAK_FOUND
    if result.report.unreadable:  # not scanned, so not clean: fail closed, like the push hooks
        console.error(f"{result.report.unreadable} file(s) could not be read, so no key can be ruled out")
        return ExitCode.USAGE
    return ExitCode.CLEAN


def safe_path(path: str, workspace: str | None) -> str:
    """PATH without what the scanned repository could control: relative entries (resolved
    against git's working directory, the workspace) and directories inside the workspace,
    so a committed ``git`` never runs in place of the real one."""
    inside = Path(workspace).resolve() if workspace else None
    kept = []
    for entry in path.split(os.pathsep):
        if not entry or not os.path.isabs(entry):
            continue
        if inside is not None and Path(entry).resolve().is_relative_to(inside):
            continue
        kept.append(entry)
    return os.pathsep.join(kept)


def run_action() -> ExitCode:
    os.environ["PATH"] = safe_path(os.environ.get("PATH", ""), os.environ.get("GITHUB_WORKSPACE"))
    inputs = Inputs.from_env()
    try:
        root = gitio.require_root(Path(os.environ.get("GITHUB_WORKSPACE") or Path.cwd()))
        result = run(root, inputs)
    except gitio.GitError as exc:
        raise ActionError(str(exc)) from None
    return report(result, inputs)
