"""`sweep-matrix` and `sweep-summary`: an organization-wide sweep in GitHub Actions.

The first job lists the repositories and prints a matrix; the second fans out, one job per
shard, each uploading its reports; the last merges them (see the README's sweep workflow).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from responder.core import console
from responder.core.errors import UsageError
from responder.core.exitcodes import ExitCode


@click.command("sweep-matrix")
@click.option("--org", metavar="NAME", help="List the repositories of this organization.")
@click.option("--user", metavar="NAME", help="List the public repositories of this user.")
@click.option("--include-archived", is_flag=True, help="Also archived repositories.")
@click.option("--include-forks", is_flag=True, help="Also forks.")
@click.option(
    "--shard-size",
    type=click.IntRange(1, 10_000),
    help="Repositories per job (default: as few as keep the matrix within 256 jobs).",
)
@click.option("--timeout", type=click.FloatRange(1, 600), default=30.0, show_default=True)
def sweep_matrix(
    org: str | None,
    user: str | None,
    include_archived: bool,
    include_forks: bool,
    shard_size: int | None,
    timeout: float,
) -> ExitCode:
    """Print a GitHub Actions matrix (JSON, for fromJSON) of an organization's or a user's
    repositories, sharded to stay within a matrix's 256 jobs. Token: $GITHUB_TOKEN; API:
    $GITHUB_API_URL."""
    from responder.response.github_adapter import GitHubAdapter, GitHubError
    from responder.response.repos import OwnerKind, ShardError, list_repositories, matrix, shard
    from responder.response.service import api_url

    if (org is None) == (user is None):
        raise UsageError("give --org NAME or --user NAME")
    kind, owner = (OwnerKind.ORG, org) if org else (OwnerKind.USER, user)
    assert owner is not None
    token = os.environ.get("GITHUB_TOKEN", "")
    github = GitHubAdapter(token or "none", api_url(), timeout)
    try:
        listed = list_repositories(github, kind, owner, include_archived=include_archived, include_forks=include_forks)
        shards = shard([r.full_name for r in listed], shard_size)
    except GitHubError as exc:
        hint = "" if token else " (GITHUB_TOKEN is not set)"
        raise UsageError(f"cannot list repositories: {exc}{hint}", exit_code=ExitCode.PREFLIGHT_FAILED) from None
    except ShardError as exc:
        raise UsageError(str(exc)) from None
    console.out(json.dumps(matrix(shards), separators=(",", ":")) + "\n")
    console.note(f"{len(listed)} repositories of {owner} in {len(shards)} job(s)")
    return ExitCode.CLEAN


@click.command("sweep-summary")
@click.argument("reports", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"], case_sensitive=False),
    default="text",
    show_default=True,
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the summary here.")
@click.option(
    "--matrix",
    "matrix_json",
    metavar="JSON",
    help="The sweep-matrix output: a listed repository without a report (its job failed or "
    "was cancelled) counts as not scanned.",
)
def sweep_summary(reports: tuple[Path, ...], fmt: str, output: Path | None, matrix_json: str | None) -> ExitCode:
    """Merge a sweep's per-repository reports (REPORTS: directories holding OWNER/NAME.json,
    as `scan --format json` writes them) into one summary.

    \b
    Exit status: 0 no key anywhere, 1 a key found, 2 a repository was not scanned or no
    report was found.
    """
    from responder.report.sweep import expected_repositories, merge, render

    summary = merge(reports)
    if matrix_json is not None:
        try:
            expected = expected_repositories(json.loads(matrix_json))
        except (ValueError, TypeError, KeyError) as exc:
            raise UsageError(f"--matrix: not a sweep-matrix document ({type(exc).__name__})") from None
        summary.add_missing(expected)
    text = render(fmt.lower(), summary)
    if output is not None:
        from responder.report.files import reason, write_report

        try:
            write_report(output, text)
        except OSError as exc:
            raise UsageError(f"cannot write {output}: {reason(exc)}") from None
    else:
        console.out(text)
    if summary.blocking:
        return ExitCode.LEAK_FOUND
    if summary.errors or not summary.repositories:
        if not summary.repositories and not summary.errors:
            console.error("no reports found (expected OWNER/NAME.json files)")
        return ExitCode.USAGE
    return ExitCode.CLEAN
