"""The click command line: parse options, call one function, return its exit code.

Heavy modules (requests, PyGithub, detect-secrets, nacl) are imported inside the commands
that need them. Errors are raised as ``QprError``s; ``entry.main`` maps them to exit codes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from responder import __version__
from responder.core import datacenters
from responder.core.errors import Interrupted, UsageError
from responder.core.exitcodes import ExitCode
from responder.response.github_adapter import DEFAULT_SECRET_NAME

F = TypeVar("F", bound=Callable[..., Any])


INTERRUPTED_STATE = {
    "scan": "nothing was changed",
    "respond": "if the regenerate request was in flight, its journal in the state directory says where it "
    "stopped: run `qp-responder resume` (it never regenerates again)",
    "resume": "the journal says where it stopped: run `qp-responder resume` again",
    "store": "the secret may or may not have been written: run `qp-responder store` again",
    "action": "see the job summary and the journal in the state directory; run `qp-responder resume`",
}


RESPONDING = "qp_responder.responding"  # ctx.meta flag: `scan --respond` has started responding


class _Group(click.Group):
    """Ctrl-C anywhere exits 130 with a line saying what state it left, never click's
    "Aborted!" with 1 (which means "key found")."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            command = "respond" if ctx.meta.get(RESPONDING) else ctx.invoked_subcommand or ""
            state = INTERRUPTED_STATE.get(command, "nothing was changed")
            raise Interrupted(f"interrupted: {state}") from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="qp-responder")
def cli() -> None:
    """Find leaked QuestionPro API keys in git, and rotate them safely."""


def _response_options(func: F) -> F:
    """The options every responding command shares (respond, scan --respond, resume, store)."""
    for decorator in reversed(
        [
            click.option("--repo", metavar="OWNER/NAME", help="GitHub repository (default: $GITHUB_REPOSITORY)."),
            click.option("--secret-name", default=DEFAULT_SECRET_NAME, show_default=True, help="Secret to update."),
            click.option("--environment", metavar="NAME", help="Store an environment secret instead."),
            click.option("--org", metavar="NAME", help="Store an organization secret instead."),
            click.option(
                "--org-include-repo",
                is_flag=True,
                help="With --org: also make an existing organization secret that is visible to "
                "selected repositories available to --repo (by default its repositories are kept).",
            ),
            click.option("--dependabot", is_flag=True, help="Also update the Dependabot secret of the same name."),
            click.option(
                "--datacenter",
                metavar="DC",
                help=f"{datacenters.listing()}; default: from the finding's context, else try each in turn.",
            ),
            click.option(
                "--timeout",
                type=click.FloatRange(1, 600),
                default=30.0,
                show_default=True,
                help="Seconds to wait for each HTTP answer.",
            ),
        ]
    ):
        func = decorator(func)
    return func


def _options(**kwargs: Any) -> Any:
    from responder.response.service import Options

    return Options(**kwargs)


FORMATS = click.Choice(["text", "json", "sarif"], case_sensitive=False)
TEXT_OR_JSON = click.Choice(["text", "json"], case_sensitive=False)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--staged", is_flag=True, help="Scan the added lines of the index against HEAD.")
@click.option("--range", "rev_range", metavar="A..B", help="Scan the added lines of each commit in a range.")
@click.option("--history", is_flag=True, help="Scan every commit reachable from every ref.")
@click.option(
    "--pre-push",
    is_flag=True,
    help="Scan the commits a push sends: git's pre-push lines on stdin, or the pre-commit framework's "
    "PRE_COMMIT_FROM_REF/PRE_COMMIT_TO_REF.",
)
@click.option("--remote", metavar="NAME", help="With --pre-push: the remote pushed to (the hook's first argument).")
@click.option(
    "--pre-receive",
    is_flag=True,
    help="Server side: scan the commits new to this repository from git's pre-receive lines on stdin.",
)
@click.option("-f", "--format", "fmt", type=FORMATS, default="text", show_default=True, help="Report format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here.")
@click.option(
    "--baseline", type=click.Path(dir_okay=False, path_type=Path), help="Skip findings in this detect-secrets baseline."
)
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip paths matching GLOB (repeatable).")
@click.option("-q", "--quiet", is_flag=True, help="Print findings and errors only.")
@click.option("-v", "--verbose", is_flag=True, help="Also say what was scanned.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when a key is found (report only).")
@click.option("--respond", is_flag=True, help="Rotate each distinct key found (see `respond`).")
@click.option("--yes", is_flag=True, help="With --respond: rotate without asking.")
@_response_options
def scan(
    paths: tuple[Path, ...],
    staged: bool,
    rev_range: str | None,
    history: bool,
    pre_push: bool,
    remote: str | None,
    pre_receive: bool,
    fmt: str,
    output: Path | None,
    baseline: Path | None,
    exclude: tuple[str, ...],
    quiet: bool,
    verbose: bool,
    exit_zero: bool,
    respond: bool,
    yes: bool,
    **response: Any,
) -> ExitCode:
    """Scan PATHS (default: .), --staged, --range A..B, --history, --pre-push or
    --pre-receive for QuestionPro keys.

    \b
    Exit status: 0 nothing found (or --exit-zero), 1 key found, 2 usage or environment
    error; with --respond, the response's status when one did not complete (see `respond`).
    """
    from responder.cli.scan import ScanRequest, collect, report

    modes = [bool(paths), staged, rev_range is not None, history, pre_push, pre_receive]
    if sum(modes) > 1:
        raise UsageError("give PATHS, --staged, --range, --history, --pre-push or --pre-receive, not several")
    if remote is not None and not pre_push:
        raise UsageError("--remote goes with --pre-push")
    if quiet and verbose:
        raise UsageError("--quiet and --verbose exclude each other")
    _check_response_flags(respond, yes, response)
    request = ScanRequest(
        paths=paths,
        staged=staged,
        rev_range=rev_range,
        history=history,
        pre_push=pre_push,
        remote=remote,
        pre_receive=pre_receive,
        fmt=fmt.lower(),
        output=output,
        baseline=baseline,
        exclude=exclude,
        quiet=quiet,
        verbose=verbose,
        exit_zero=exit_zero,
        respond=respond,
    )
    found = collect(request)
    code = report(request, found)
    if respond and found.blocking:
        from responder.response.service import respond_to_findings

        click.get_current_context().meta[RESPONDING] = True
        code = respond_to_findings(found.findings, _options(yes=yes, fmt="text", **response))
    return code


_RESPONSE_DEFAULTS = {
    "secret_name": DEFAULT_SECRET_NAME,
    "dependabot": False,
    "org_include_repo": False,
    "timeout": 30.0,
}


def _check_response_flags(respond: bool, yes: bool, response: dict[str, Any]) -> None:
    """Response options without --respond are a mistake, not something to ignore; with it,
    the repository must be known before a long scan starts."""
    given = [name for name, value in response.items() if value not in (None, _RESPONSE_DEFAULTS.get(name))]
    if not respond:
        if yes or given:
            flags = ", ".join("--" + n.replace("_", "-") for n in (["yes"] if yes else []) + given)
            raise UsageError(f"{flags}: only with --respond")
        return
    from responder.response.service import resolve_repo, targets_for

    options = _options(yes=yes, fmt="text", **response)
    targets_for(options, resolve_repo(options))


@cli.command("respond")
@_response_options
@click.option("--yes", is_flag=True, help="Rotate without asking (needed when not on a terminal).")
@click.option("--dry-run", is_flag=True, help="Print the plan and run read-only checks; change nothing.")
@click.option("--force", is_flag=True, help="Rotate even into a secret holding an earlier response's replacement key.")
@click.option("-f", "--format", "fmt", type=TEXT_OR_JSON, default="text", show_default=True)
def respond_command(yes: bool, dry_run: bool, force: bool, fmt: str, **response: Any) -> ExitCode:
    """Rotate a leaked key read from stdin (or a hidden prompt); never from the command line.

    \b
    Exit status: 0 rotated and stored (or dry run), 2 usage error, 3 not confirmed,
    4 rotation failed (old key still valid), 5 rotation outcome unknown,
    6 rotated but not stored (run resume), 7 preflight failed (nothing changed),
    8 rotated and stored but the issue could not be opened, 130 interrupted (Ctrl-C;
    a line says what state it left).
    """
    from responder.response.service import run_respond

    return run_respond(_options(yes=yes, dry_run=dry_run, force=force, fmt=fmt.lower(), **response))


@cli.command("resume")
@click.option("--sealed", metavar="TOKEN", help="A resume token printed by an interrupted response.")
@click.option("-f", "--format", "fmt", type=TEXT_OR_JSON, default="text", show_default=True)
@click.option("--timeout", type=click.FloatRange(1, 600), default=30.0, show_default=True)
@click.option("--yes", is_flag=True, help="With --sealed: write without asking (a token made in this state directory).")
@click.option(
    "--accept-unverified",
    is_flag=True,
    help="With --sealed --yes: also a token made elsewhere (anyone can make one: know where it came from).",
)
@click.option("--force", is_flag=True, help="Write even over a secret updated after the key was rotated.")
def resume_command(
    sealed: str | None, fmt: str, timeout: float, yes: bool, accept_unverified: bool, force: bool
) -> ExitCode:
    """Finish every interrupted response (store the sealed key, open the issue); never
    regenerates again. A token (--sealed) is shown and confirmed before anything is written,
    and refused when the secret changed after the rotation (unless --force)."""
    from responder.response.service import run_resume

    options = _options(fmt=fmt.lower(), timeout=timeout, yes=yes, accept_unverified=accept_unverified, force=force)
    return run_resume(options, sealed)


@cli.command("store")
@_response_options
@click.option("--yes", is_flag=True, help="Store without asking (needed when not on a terminal).")
@click.option("--force", is_flag=True, help="Store even a key the journals say was already regenerated.")
def store_command(yes: bool, force: bool, **response: Any) -> ExitCode:
    """Store a key you regenerated by hand (read from stdin) in the GitHub secret(s).

    \b
    Exit status: 0 stored, 2 usage error (not a QuestionPro key, or a key already
    regenerated, without --force), 3 not confirmed, 6 not stored, 130 interrupted.
    """
    from responder.response.store import run_store

    response.pop("datacenter", None)
    return run_store(_options(yes=yes, **response), force=force)


@cli.command("action")
def action_command() -> ExitCode:
    """Run as the GitHub Action (action.yml): scan what the event pushed, annotate,
    summarise, write SARIF and outputs, and respond when allowed. Inputs come from
    INPUT_* environment variables."""
    from responder.actions.run import run_action

    return run_action()


@cli.command("plugin-path")
def plugin_path() -> None:
    """Print the path of the detect-secrets plugin file."""
    from responder.scanning import plugin_files

    click.echo(plugin_files.installed_plugin_path())


@cli.command("hooks-path")
def hooks_path() -> None:
    """Print the directory of the plain git hooks shipped with the package (run its
    ``install`` with sh to set them up in the current repository)."""
    click.echo(Path(__file__).resolve().parent.parent / "hooks")


@cli.command("init-plugin")
@click.argument("path", default=".secrets-plugins/questionpro.py", type=click.Path(path_type=Path))
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also make this baseline name the plugin by a path relative to the repository root.",
)
@click.option("--force", is_flag=True, help="Replace a plugin file that differs from the one this version writes.")
def init_plugin(path: Path, baseline: Path | None, force: bool) -> None:
    """Write a small plugin file to commit, so a baseline's plugin path exists in every clone.

    A relative PATH is taken from the repository's root (where pre-commit runs
    detect-secrets), not from the current directory.
    """
    import json

    from responder.scanning import gitio, plugin_files

    root = gitio.repo_root(Path.cwd()) or Path.cwd()
    target = path if path.is_absolute() else root / path
    shown = plugin_files.shown(target, root)
    state = plugin_files.write_shim(target, force=force)
    if state is plugin_files.ShimState.EDITED:
        raise UsageError(
            f"{shown} exists and differs from the plugin file (edited?): keep it, or replace it with --force"
        )
    click.echo(f"{shown}: {state.value} (commit it)")
    if baseline is None or not baseline.exists():
        name = baseline or Path(".secrets.baseline")
        click.echo(f"next: detect-secrets scan --plugin {shown} > {name}   (only when there is no baseline yet)")
        click.echo(f"  or: detect-secrets scan --baseline {name} --plugin {shown}   (updates an existing one in place)")
        click.echo(f"then: qp-responder init-plugin {shown} --baseline {name}")
        return
    try:
        changed = plugin_files.relativise_baseline(baseline, target, root)
    except (OSError, ValueError, AttributeError, json.JSONDecodeError) as exc:
        raise UsageError(f"cannot update {baseline}: {type(exc).__name__}") from None
    click.echo(f"{baseline}: plugin path {'made relative' if changed else 'already relative'}")


def _add_sweep_commands() -> None:
    from responder.cli.sweep import sweep_matrix, sweep_summary

    cli.add_command(sweep_matrix)
    cli.add_command(sweep_summary)


_add_sweep_commands()
