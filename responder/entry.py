"""The console entry point: one top-level handler for every command.

The commonest invocations, ``scan --staged`` (the pre-commit hook), ``scan --history``
and ``scan PATH...`` with no options, take a path that does not import click (about
40 ms, half the start-up); everything else goes through the click CLI. Both call the same
``run_scan`` with the same request, and a test pins that they print the same.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from responder.core.exitcodes import ExitCode

if TYPE_CHECKING:
    from responder.cli.scan import ScanRequest

HOOK_ARGV = ["scan", "--staged"]


def _fast_scan(argv: list[str]) -> ScanRequest | None:
    """The ScanRequest for argv click would parse the same way, else None."""
    if not argv or argv[0] != "scan":
        return None
    from pathlib import Path

    from responder.cli.scan import ScanRequest

    if argv == HOOK_ARGV:
        return ScanRequest(staged=True)
    if argv == ["scan", "--history"]:
        return ScanRequest(history=True)
    if all(arg and not arg.startswith("-") for arg in argv[1:]):
        return ScanRequest(paths=tuple(Path(arg) for arg in argv[1:]))
    return None


def _dispatch(argv: list[str]) -> None:
    request = _fast_scan(argv)
    if request is not None:
        from responder.cli.scan import run_scan

        sys.exit(int(run_scan(request)))
    from responder.cli.main import cli

    cli.main(args=argv, prog_name="qp-responder")


def main() -> None:
    """Run the command; a crash never exits 1 ("leak found") and never prints a key."""
    try:
        _dispatch(sys.argv[1:])
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.stderr.write("qp-responder: interrupted\n")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        from responder.core.redact import redact_uuids

        message = redact_uuids(str(exc))[:500]
        sys.stderr.write(f"qp-responder: internal error: {type(exc).__name__}: {message}\n")
        sys.exit(int(ExitCode.INTERNAL))
