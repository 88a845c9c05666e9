"""GitHub Actions runner I/O: what an event asks to scan, and the runner's files and
workflow commands (outputs, annotations, job summary). Pure except for the writers.
"""

from __future__ import annotations

import os
import re
import secrets as pyrandom
import stat
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

ZERO = "0" * 40


@dataclass(frozen=True)
class ScanPlan:
    """What to scan for one event, and whether a response may follow."""

    revs: tuple[str, ...]  # git rev-list arguments; () means nothing to scan
    description: str
    needs: tuple[str, ...] = ()  # commits that must be present locally (fetched if missing)
    full: bool = False  # every ref: fetch all branches first
    branch: str | None = None  # the pushed branch, for the protected-branch check
    pull_request: int | None = None  # fetch refs/pull/N/head as data
    from_fork: bool = False
    no_walk: tuple[str, ...] = ()  # scan exactly these commits (when a range cannot be built)


def plan_for_event(event_name: str, payload: dict[str, Any], mode: str = "auto") -> ScanPlan:
    """Scan only what is new: a push's commits, a pull request's commits; schedules and
    manual runs (or mode=full) scan the whole history."""
    if mode == "full" or event_name in ("workflow_dispatch", "schedule"):
        return ScanPlan(("--all",), f"{event_name}: every commit of every branch", full=True)
    if event_name == "push":
        before, after = str(payload.get("before") or ZERO), str(payload.get("after") or ZERO)
        ref = str(payload.get("ref") or "")
        branch = ref.removeprefix("refs/heads/") if ref.startswith("refs/heads/") else None
        if after == ZERO:
            return ScanPlan((), f"push deleted {ref}: nothing to scan")
        if before == ZERO:
            default = (payload.get("repository") or {}).get("default_branch")
            if default and branch != default:
                return ScanPlan(
                    (after, "--not", f"refs/remotes/origin/{default}"),
                    f"new branch {branch}: the commits not on {default}",
                    needs=(after,),
                    branch=branch,
                )
            return ScanPlan((after,), f"first push of {branch}: its whole history", needs=(after,), branch=branch)
        commits = tuple(str(c["id"]) for c in payload.get("commits") or [] if isinstance(c, dict) and c.get("id"))
        forced = bool(payload.get("forced"))
        return ScanPlan(
            (after, "--not", before),
            f"{'force-' if forced else ''}push to {branch or ref}: {before[:12]}..{after[:12]}",
            needs=(before, after),
            branch=branch,
            no_walk=commits,
        )
    if event_name == "merge_group":  # only what the group adds to its base
        group = payload.get("merge_group") or {}
        base, head = str(group.get("base_sha") or ""), str(group.get("head_sha") or "")
        if not base or not head:
            return ScanPlan((), "merge_group: the payload names no base/head commit")
        return ScanPlan(
            (head, "--not", base),
            f"merge group {group.get('head_ref') or ''}: {base[:12]}..{head[:12]}",
            needs=(base, head),
        )
    if event_name in ("pull_request", "pull_request_target"):
        pr = payload.get("pull_request") or {}
        base, head = str((pr.get("base") or {}).get("sha") or ""), str((pr.get("head") or {}).get("sha") or "")
        head_repo = ((pr.get("head") or {}).get("repo") or {}).get("full_name")
        base_repo = ((pr.get("base") or {}).get("repo") or {}).get("full_name")
        fork = bool(((pr.get("head") or {}).get("repo") or {}).get("fork")) or (
            head_repo is not None and base_repo is not None and head_repo != base_repo
        )
        if not base or not head:
            return ScanPlan((), f"{event_name}: the payload names no base/head commit")
        return ScanPlan(
            (head, "--not", base),
            f"{event_name} #{pr.get('number')}: {base[:12]}..{head[:12]}",
            needs=(base, head),
            pull_request=int(pr.get("number") or 0) or None,
            from_fork=fork,
        )
    return ScanPlan(("--all",), f"{event_name}: every commit of every branch", full=True)


# -- workflow commands ----------------------------------------------------------------------
def in_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


# The Action's own step (action.yml) sets this: its stdout goes straight to the runner.
MASK_STREAM_ENV = "QP_RESPONDER_MASK_STREAM"


def _stat(stream: TextIO | None) -> os.stat_result | None:
    try:
        return os.fstat(stream.fileno()) if stream is not None else None
    except (AttributeError, OSError, ValueError):  # no file descriptor (an in-memory stream)
        return None


def mask_stream() -> TextIO | None:
    """Where ``::add-mask::`` may go without handing the value to whoever captures output.

    The runner reads workflow commands from a step's stdout *and* stderr, and a mask line
    necessarily holds the value in plaintext. So: the Action's own step, whose stdout only
    the runner reads, masks on stdout (the same stream as its annotations, so no mask can
    arrive after the line it protects). Everywhere else stdout is data (JSON, SARIF) that
    users capture, so never there; stderr only while it is a stream of its own: not a
    regular file (``2>log``) and not merged into stdout (``2>&1``, ``|&``, ``$(… 2>&1)``).
    When no stream qualifies nothing is masked: nothing prints a key anyway."""
    if not in_actions():
        return None
    if os.environ.get(MASK_STREAM_ENV) == "stdout":
        return sys.stdout
    err, out = sys.stderr, sys.stdout
    if err is None or err is out:
        return None
    err_stat, out_stat = _stat(err), _stat(out)
    if err_stat is not None:
        if stat.S_ISREG(err_stat.st_mode):
            return None
        if out_stat is not None and (err_stat.st_dev, err_stat.st_ino) == (out_stat.st_dev, out_stat.st_ino):
            return None
    return err


def mask(value: str) -> None:
    """In GitHub Actions, register a value with the runner's log masking, first thing."""
    stream = mask_stream() if value else None
    if stream is not None:
        stream.write(f"::add-mask::{value}\n")
        stream.flush()


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(
    level: str, message: str, *, file: str | None = None, line: int | None = None, title: str | None = None
) -> str:
    props = []
    if file:
        props.append(f"file={_escape_property(file)}")
    if line:
        props.append(f"line={line}")
    if title:
        props.append(f"title={_escape_property(title)}")
    return f"::{level} {','.join(props)}::{_escape_data(message)}" if props else f"::{level}::{_escape_data(message)}"


def write_outputs(values: dict[str, str]) -> None:
    """Append to $GITHUB_OUTPUT with random heredoc delimiters (values may hold newlines)."""
    path = os.environ.get("GITHUB_OUTPUT")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as handle:
        for name, value in values.items():
            delimiter = f"qp_{pyrandom.token_hex(8)}"
            handle.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def append_summary(markdown: str) -> None:
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(markdown + "\n")


_MARKDOWN_SPECIAL = re.compile(r"([\\`\[\]<>])")  # code spans, links, HTML; | per table cell


def markdown_text(text: str) -> str:
    """Text from the scanned repository or a payload (a file or branch name) shown as
    itself: what could open a code span, a link or HTML is escaped, controls replaced."""
    text = "".join(ch if ch.isprintable() else "\ufffd" for ch in text)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def markdown_link(text: str, url: str) -> str:
    """``[text](url)`` with the text escaped; ``url`` must already be percent-encoded."""
    return f"[{markdown_text(text)}]({url})"


def _cell(text: object) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
