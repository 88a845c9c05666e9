"""`respond`, `scan --respond`, `resume` and `store`: wire the environment to the workflow.

Environment: GITHUB_TOKEN (issues; also secrets unless QP_RESPONDER_SECRETS_TOKEN is set,
which then is used for every secret call), GITHUB_REPOSITORY, GITHUB_API_URL,
QUESTIONPRO_BASE_URL (QuestionPro https hosts or loopback only), QP_RESPONDER_STATE_DIR.
"""

from __future__ import annotations

import dataclasses
import getpass
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from responder.core import console, gha
from responder.core.errors import Interrupted, UsageError
from responder.core.exitcodes import ExitCode
from responder.core.gha import mask
from responder.core.redact import GITHUB_TOKEN_PATTERN, hashed_secret, redact
from responder.core.urls import BadURL, is_loopback_host, parse_origin
from responder.response import names, statedir
from responder.response.github_adapter import DEFAULT_SECRET_NAME, GitHubAdapter, SecretTarget
from responder.response.questionpro import CUSTOM, KEY_SHAPE, ConfigError, QuestionProClient, endpoints, new_session
from responder.response.workflow import EXIT, Leak, Outcome, Plan, Services, Status, most_urgent, respond
from responder.scanning.findings import Finding


@dataclass(frozen=True)
class Options:
    repo: str | None = None
    secret_name: str = DEFAULT_SECRET_NAME
    environment: str | None = None
    org: str | None = None
    org_include_repo: bool = False
    dependabot: bool = False
    datacenter: str | None = None
    yes: bool = False
    dry_run: bool = False
    fmt: str = "text"
    timeout: float = 30.0
    force: bool = False  # write over a newer key / an earlier response's replacement key
    accept_unverified: bool = False  # with yes: a resume token not made in this state directory


DECLINED = "not confirmed (the answer was not 'yes'): nothing was changed."
TYPED = "(key typed at the prompt)"
PIPED = "(key read from stdin)"


def read_key_from(check: Callable[[str], None] | None = None) -> tuple[str, str]:
    """The key from stdin (one line) or a hidden prompt, never from argv, and where it came
    from (``TYPED`` or ``PIPED``). ``check`` may refuse it (UsageError) before it is masked."""
    try:
        if sys.stdin is not None and not sys.stdin.isatty():
            raw, source = sys.stdin.readline(), PIPED
        else:
            raw, source = getpass.getpass("QuestionPro API key (input hidden): "), TYPED
    except (KeyboardInterrupt, EOFError) as exc:
        if isinstance(exc, EOFError):
            raise UsageError("no QuestionPro API key given") from None
        raise Interrupted("interrupted at the key prompt: nothing was rotated or stored") from None
    key = raw.strip()
    if not key:
        raise UsageError("no QuestionPro API key on stdin (expected one line holding the key)")
    if re.fullmatch(GITHUB_TOKEN_PATTERN, key):  # never sent to QuestionPro, never stored as its key
        raise UsageError("that is a GitHub token, not a QuestionPro API key: nothing was sent or stored")
    if not KEY_SHAPE.fullmatch(key):  # (checked first: only a key-shaped value goes into a runner command)
        raise UsageError("not a QuestionPro key: expected one line holding the key (a UUID); nothing was sent")
    if check is not None:
        check(key)
    mask(key)
    return key, source


def read_key(check: Callable[[str], None] | None = None) -> str:
    return read_key_from(check)[0]


def api_url() -> str:
    """GITHUB_API_URL, checked: https, or a loopback address, which is then reached
    directly (see ``_no_proxy_for``)."""
    url = os.environ.get("GITHUB_API_URL") or "https://api.github.com"
    try:
        origin = parse_origin(url)
    except BadURL as exc:
        raise UsageError(f"GITHUB_API_URL: {exc}") from None
    if origin.scheme != "https" and not is_loopback_host(origin.host):
        raise UsageError(f"GITHUB_API_URL must be https (or a loopback address), not {origin.base}")
    if is_loopback_host(origin.host):
        _no_proxy_for(origin.host)
    return (origin.base + origin.path).rstrip("/")


def _no_proxy_for(host: str) -> None:
    """PyGithub's sessions take proxies from the environment and offer no way to refuse
    them, so a loopback (possibly plain-http) GitHub API would send the token to an
    ``HTTP_PROXY`` in cleartext. Adding the host to ``NO_PROXY`` (this process only) is
    the one switch requests reads for every request."""
    for name in ("NO_PROXY", "no_proxy"):
        current = [h.strip() for h in os.environ.get(name, "").split(",") if h.strip()]
        if host not in current:
            os.environ[name] = ",".join([*current, host])


def targets_for(options: Options, repo: str) -> tuple[SecretTarget, ...]:
    if options.environment and options.org:
        raise UsageError("--environment and --org exclude each other")
    try:
        names.secret(options.secret_name)
        if options.environment is not None:
            names.environment(options.environment)
        if options.org is not None:
            names.owner(options.org)
    except names.InvalidName as exc:
        raise UsageError(str(exc)) from None
    if options.org_include_repo and not options.org:
        raise UsageError("--org-include-repo needs --org")
    include = options.org_include_repo
    main = SecretTarget(repo, options.secret_name, "actions", options.environment, options.org, include)
    if not options.dependabot:
        return (main,)
    if options.environment:
        raise UsageError("Dependabot has no environment secrets: drop --environment or --dependabot")
    return (main, SecretTarget(repo, options.secret_name, "dependabot", None, options.org, include))


def resolve_repo(options: Options) -> str:
    repo = options.repo or os.environ.get("GITHUB_REPOSITORY")
    if not repo:
        raise UsageError("give --repo OWNER/NAME (or set GITHUB_REPOSITORY)")
    try:
        return names.repository(repo)
    except names.InvalidName as exc:
        raise UsageError(str(exc)) from None


RESPOND_EXTRA = "pip install 'qp-responder[respond]'"


def require_respond_extra() -> None:
    """PyGithub and PyNaCl come with the ``respond`` extra (the hook never needs them):
    say so before anything is done, never halfway through a response."""
    try:
        import github  # noqa: F401
        import nacl.public  # noqa: F401
    except ModuleNotFoundError as exc:
        raise UsageError(
            f"responding needs {exc.name} (PyGithub and PyNaCl), which come with the respond extra: {RESPOND_EXTRA}"
        ) from None


def build_services(
    options: Options, *, need_tokens: bool, on_sealed: Callable[[Sequence[str]], None] | None = None
) -> Services:
    require_respond_extra()
    issues_token = os.environ.get("GITHUB_TOKEN", "")
    secrets_token = os.environ.get("QP_RESPONDER_SECRETS_TOKEN") or issues_token
    if need_tokens and not issues_token:
        raise UsageError(
            "GITHUB_TOKEN is not set (Issues: write; also Secrets: write unless QP_RESPONDER_SECRETS_TOKEN is set)"
        )
    api = api_url()
    return Services(
        questionpro=QuestionProClient(new_session, timeout=options.timeout),
        secrets_github=GitHubAdapter(secrets_token or "none", api, options.timeout),
        issues_github=GitHubAdapter(issues_token or "none", api, options.timeout),
        journal_dir=statedir.state_dir(),
        mask=mask,
        note=console.note,
        default_token_in_use=gha.in_actions() and not os.environ.get("QP_RESPONDER_SECRETS_TOKEN"),
        kill_after=os.environ.get("QP_RESPONDER_FAULT_KILL_AFTER") or None,
        on_sealed=on_sealed or publish_resume_tokens,
    )


RESUME_TOKENS_OUTPUT = "resume-tokens"


def publish_resume_tokens(tokens: Sequence[str]) -> None:
    """In Actions, the moment a new key is sealed and before it is stored: the resume tokens
    go to the job summary and a step output, which outlive the runner (a cancel, a timeout
    or a kill between rotation and store loses $RUNNER_TEMP, never these)."""
    if not (gha.in_actions() and tokens):
        return
    gha.append_summary(
        "\n".join(
            [
                "### qp-responder: a key was rotated; its replacement is sealed and being stored",
                "",
                "If this job stops before the responses below say `rotated-and-stored`, finish from any "
                "machine (the tokens hold the new key sealed to GitHub's public key; only GitHub can open it):",
                "",
                "```sh",
                *(f"qp-responder resume --sealed {t}" for t in tokens),
                "```",
                "",
                "On a terminal it shows what it would write and asks. A token made on a runner is unverified "
                "anywhere else, so without a terminal add `--yes --accept-unverified`, once you have checked "
                "that the token comes from this job.",
                "",
            ]
        )
    )
    gha.write_outputs({RESUME_TOKENS_OUTPUT: json.dumps(list(tokens))})


def ask_on_tty(text: str, question: str) -> bool | None:
    """Ask on the terminal itself: under pre-commit, stdin is never a TTY. Only ``yes``
    confirms, as the prompt says; None when there is no terminal to ask. Ctrl-C raises
    Interrupted (nothing has changed yet)."""
    try:  # two handles: a text-mode "r+" on a terminal fails (not seekable)
        with open("/dev/tty", "w", encoding="utf-8") as ask, open("/dev/tty", encoding="utf-8") as answer:
            ask.write(console.printable(f"{text}\n{question}", one_line=False) + " Type 'yes' to continue: ")
            ask.flush()
            return answer.readline().strip().lower() == "yes"
    except (OSError, UnicodeDecodeError):
        return None
    except KeyboardInterrupt:
        raise Interrupted("interrupted at the confirmation prompt: nothing was rotated or stored") from None


def confirm_on_tty(plan: Plan) -> bool | None:
    return ask_on_tty(plan.describe(), "Rotate this key now?")


def _plan(options: Options, repo: str, leak: Leak) -> Plan:
    try:
        where = endpoints(options.datacenter or leak.datacenter, os.environ.get("QUESTIONPRO_BASE_URL"))
        if options.datacenter and all(e.datacenter == CUSTOM for e in where):
            console.say(
                console.wrap(
                    f"qp-responder: --datacenter {options.datacenter} does not apply: QUESTIONPRO_BASE_URL "
                    f"names the endpoint ({where[0].base_url})"
                )
                + "\n"
            )
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    return Plan(repo, leak, targets_for(options, repo), tuple(where))


def render(outcomes: Sequence[Outcome], fmt: str) -> None:
    if fmt == "json":
        data = [o.to_json() for o in outcomes]
        console.out(json.dumps(data[0] if len(data) == 1 else data, indent=2) + "\n")
        return
    for outcome in outcomes:  # the message names the status: "rotated and stored", "dry run: ..."
        lines = [console.wrap(f"qp-responder: {outcome.message}")]
        if outcome.request_id:
            lines.append(f"  QuestionPro requestID: {outcome.request_id}")
        if outcome.datacenter and outcome.datacenter != CUSTOM:
            lines.append(f"  datacenter: {outcome.datacenter}")
        if outcome.plan and outcome.status in (Status.ROTATED_AND_STORED, Status.ISSUE_FAILED):
            lines += [f"  stored in: {t.describe()}" for t in outcome.plan.targets]
        if outcome.issue_url:
            lines.append(f"  issue: {outcome.issue_url}")
        for token in outcome.resume_tokens:
            lines.append(f"  resume elsewhere with: qp-responder resume --sealed {token}")
        if outcome.journal:
            lines.append(f"  journal: {outcome.journal}")
        console.say("\n".join(lines) + "\n")
    _summarise_for_actions(outcomes)


def _summarise_for_actions(outcomes: Sequence[Outcome]) -> None:
    """Whatever must not be lost when the runner disappears goes to the job summary."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    pending = [o for o in outcomes if o.resume_tokens]
    if not path or not pending:
        return
    lines = ["### qp-responder: a rotated key still has to be stored", ""]
    for outcome in pending:
        lines.append(f"requestID `{outcome.request_id}`: {outcome.message}")
        lines += ["", "```sh", *(f"qp-responder resume --sealed {t}" for t in outcome.resume_tokens), "```", ""]
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


ROTATED = (Status.ROTATED_AND_STORED, Status.ISSUE_FAILED, Status.NOT_STORED)


def respond_all(
    options: Options,
    items: Sequence[tuple[Leak, str]],
    *,
    on_sealed: Callable[[Sequence[str]], None] | None = None,
) -> list[Outcome]:
    """One response per (leak, key), in order. Raises UsageError for bad options."""
    repo = resolve_repo(options)
    services = build_services(options, need_tokens=not options.dry_run, on_sealed=on_sealed)
    outcomes: list[Outcome] = []
    written: set[SecretTarget] = set()
    for leak, key in items:
        plan = _plan(options, repo, leak)
        if written.issuperset(plan.targets):
            # A second key would overwrite the secret holding the first one's replacement.
            outcomes.append(
                Outcome(
                    Status.NOT_CONFIRMED,
                    f"skipped {leak.redacted} (hashed_secret "
                    f"{leak.hashed_secret}): rotating it too would overwrite the secret just "
                    f"written. Rotate it with: qp-responder respond --repo {repo} --secret-name OTHER_NAME",
                    plan,
                )
            )
            continue
        try:
            answer = None if options.yes or options.dry_run else confirm_on_tty(plan)
        except Interrupted:
            if not outcomes:
                raise
            render(outcomes, options.fmt)  # what the earlier responses did stands: say it
            raise Interrupted(
                f"interrupted at the confirmation prompt for {leak.redacted}: nothing more was changed "
                "(the responses above stand as reported)"
            ) from None
        outcome = respond(
            plan, key, services, confirmed=options.yes or bool(answer), dry_run=options.dry_run, force=options.force
        )
        if answer is False and outcome.status is Status.NOT_CONFIRMED:
            outcome = dataclasses.replace(
                outcome, message="not confirmed (the answer was not 'yes'): nothing was changed."
            )
        if outcome.status in ROTATED:
            written.update(plan.targets)
        outcomes.append(outcome)
    return outcomes


def _respond_all(options: Options, items: Sequence[tuple[Leak, str]]) -> ExitCode:
    outcomes = respond_all(options, items)
    render(outcomes, options.fmt)
    return EXIT[most_urgent(outcomes)] if outcomes else ExitCode.CLEAN


def run_respond(options: Options) -> ExitCode:
    key, source = read_key_from()
    leak = Leak(hashed_secret(key), redact(key), datacenter=None, source=source)
    return _respond_all(options, [(leak, key)])


def leaks_of(findings: Sequence[Finding]) -> list[tuple[Leak, str]]:
    """One (leak, key) per distinct blocking key, described by its first finding; every
    key is masked (in Actions) before anything else happens."""
    first: dict[str, Finding] = {}
    for finding in findings:
        if finding.blocking:
            first.setdefault(finding.hashed_secret, finding)
    for finding in first.values():
        mask(finding.secret)
    return [
        (Leak(f.hashed_secret, f.redacted, f.filename, f.line_number, f.commit, f.datacenter), f.secret)
        for f in first.values()
    ]


def respond_to_findings(findings: Sequence[Finding], options: Options) -> ExitCode:
    """``scan --respond``: the scan found keys, so even when every response succeeds (or a
    key is not rotated) the exit status stays 1; 4-8 when a response went wrong."""
    outcomes = respond_all(options, leaks_of(findings))
    render(outcomes, options.fmt)
    if outcomes and all(o.status in (Status.ROTATED_AND_STORED, Status.ISSUE_FAILED) for o in outcomes):
        console.note(
            "each key was rotated: the old value no longer works anywhere. Remove it from the code "
            "too, and read the new one from the secret."
        )
    code = EXIT[most_urgent(outcomes)] if outcomes else ExitCode.CLEAN
    # A key found and not rotated (declined, or skipped to protect a secret just written) is
    # what exit 1 means; only a response that went wrong has its own status.
    return ExitCode.LEAK_FOUND if code in (ExitCode.CLEAN, ExitCode.NOT_CONFIRMED) else code


def run_resume(options: Options, sealed: str | None) -> ExitCode:
    from responder.response.resume import resume_all

    services = build_services(options, need_tokens=True)
    if sealed is not None:
        outcomes = [_resume_sealed(options, sealed, services)]
    else:
        outcomes = resume_all(services, force=options.force)
    if not outcomes:
        console.note(f"nothing to resume in {services.journal_dir}")
        if options.fmt == "json":
            console.out("[]\n")
        return ExitCode.CLEAN
    render(outcomes, options.fmt)
    return EXIT[most_urgent(outcomes)]


def _resume_sealed(options: Options, sealed: str, services: Services) -> Outcome:
    """Decode, show and confirm a resume token, then deliver it. A token not made in
    this state directory (unverified) needs a terminal, or --yes --accept-unverified."""
    from responder.response.resume import resume_token
    from responder.response.resume_token import ResumeToken
    from responder.response.workflow import plan_of

    token = ResumeToken.decode(sealed, statedir.token_key(services.journal_dir, create=False))
    console.note(token.describe())
    if options.yes and (token.verified or options.accept_unverified):
        confirmed = True
    else:
        confirmed = bool(ask_on_tty("", "Write it?"))
    if not confirmed:
        hint = "--yes" if token.verified else "--yes --accept-unverified (only if you know where it came from)"
        return Outcome(
            Status.NOT_CONFIRMED,
            f"not confirmed: nothing was written. Re-run on a terminal to be asked, or with {hint}.",
            plan_of(token.delivery),
        )
    return resume_token(token, services, force=options.force)
