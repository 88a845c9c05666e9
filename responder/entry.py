"""The console entry point and the one place where errors become exit codes.

Commands return an ``ExitCode``; errors a user can act on are ``QprError``s carrying
theirs; ``main`` shows the message and returns the code (the console script passes it to
``sys.exit``). A crash is exit 9, never 1 ("leak found"), and never prints a key.

The commonest invocations, ``scan --staged`` (the pre-commit hook), ``scan --history``
and ``scan PATH...``, with no option but ``--format``, take a path that does not import
click (about 40 ms, half the start-up); everything else goes through the click CLI. Both
call the same ``run_scan`` with the same request, and a test pins that they print the same.
"""

from __future__ import annotations

import sys

from responder.core.errors import QprError
from responder.core.exitcodes import ExitCode

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~5 ms of the hook's start)
if TYPE_CHECKING:
    from responder.cli.scan import ScanRequest

HOOK_ARGV = ["scan", "--staged"]
_FORMATS = ("text", "json", "sarif")  # scan --format's choices (cli.main.FORMATS)
INTERRUPTED = 130  # 128 + SIGINT, as shells report it
STAGED_CLEAN = "no QuestionPro API key found in the staged changes"


def _fast_scan(argv: list[str]) -> ScanRequest | None:
    """The ScanRequest for argv click would parse the same way, else None."""
    if not argv or argv[0] != "scan":
        return None
    from pathlib import Path

    from responder.cli.scan import ScanRequest

    args, fmt = argv[1:], "text"
    if len(args) >= 2 and args[-2] in ("-f", "--format") and args[-1].lower() in _FORMATS:
        args, fmt = args[:-2], args[-1].lower()  # a "--" before them would be kept, and refused below
    if args == ["--staged"]:
        return ScanRequest(staged=True, fmt=fmt)
    if args == ["--history"]:
        return ScanRequest(history=True, fmt=fmt)
    if all(arg and not arg.startswith("-") for arg in args):
        return ScanRequest(paths=tuple(Path(arg) for arg in args), fmt=fmt)
    return None


def run_click(argv: list[str]) -> int:
    """The click CLI; its usage errors print and exit as click's own do (2)."""
    import click

    from responder.cli.main import cli

    try:
        code = cli.main(args=argv, prog_name="qp-responder", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        raise KeyboardInterrupt from None
    return int(ExitCode.CLEAN if code is None else code)


def _quick_hook() -> int | None:
    """The hook's commonest case, before anything else is set up (read-only, a few ms):
    CLEAN, with the clean scan's note on stderr, when nothing UUID-shaped is staged; None
    for the full scan."""
    from responder.scanning.quick import staged_is_clean

    try:
        if not staged_is_clean():
            return None
    except KeyboardInterrupt:
        sys.stderr.write("qp-responder: interrupted\n")
        return INTERRUPTED
    except Exception:  # noqa: BLE001 - the full scan decides, and reports any error as every command does
        return None
    sys.stderr.write(f"qp-responder: {STAGED_CLEAN}\n")  # what the full scan says (cli.scan)
    return int(ExitCode.CLEAN)


def _dispatch(argv: list[str]) -> int:
    request = _fast_scan(argv)
    if request is not None:
        from responder.cli.scan import run_scan

        return int(run_scan(request))
    return run_click(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the command named by ``argv`` (default: the process's arguments); the exit status.
    SIGTERM is handled as Ctrl-C is (the same line says what state it left), exit 143."""
    args = sys.argv[1:] if argv is None else list(argv)
    if args == HOOK_ARGV and (quick := _quick_hook()) is not None:
        return quick
    from responder.core.signals import terminate_as_interrupt

    with terminate_as_interrupt() as received:
        code = _main(args)
    return int(ExitCode.TERMINATED) if received.terminated and code == INTERRUPTED else code


def _main(argv: list[str]) -> int:
    try:
        return _dispatch(argv)
    except QprError as exc:
        exc.show()
        return int(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("qp-responder: interrupted\n")
        return INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if isinstance(exc, ModuleNotFoundError) and exc.name in ("github", "nacl"):
            # the base install (what the hook uses) has neither; respond, resume and store
            # check first, this covers the other commands that talk to GitHub
            sys.stderr.write(f"qp-responder: this command needs {exc.name}: pip install 'qp-responder[respond]'\n")
            return int(ExitCode.USAGE)
        from responder.core.console import printable
        from responder.core.redact import redact_unknown

        message = printable(redact_unknown(str(exc))[:500])
        sys.stderr.write(f"qp-responder: internal error: {type(exc).__name__}: {message}\n")
        return int(ExitCode.INTERNAL)
