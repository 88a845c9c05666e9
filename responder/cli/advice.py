"""What to do after a scan finds a key: one sentence per situation, the same everywhere."""

from __future__ import annotations

import os
import re
from pathlib import Path

_REPO = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_NAME = r"([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(?:\.git)?/?"
# https://host/OWNER/NAME(.git), ssh://git@host/OWNER/NAME, git@host:OWNER/NAME(.git)
_REMOTE_URL = re.compile(rf"(?:(?:https?|ssh|git)://[^/\s]+/|[A-Za-z0-9_.-]+@[A-Za-z0-9_.-]+:){_NAME}")


def repository(root: Path | None) -> str:
    """OWNER/NAME from $GITHUB_REPOSITORY, else from the ``origin`` remote's URL, else the
    literal ``OWNER/NAME``."""
    named = os.environ.get("GITHUB_REPOSITORY", "")
    if _REPO.fullmatch(named):
        return named
    if root is not None:
        from responder.scanning import gitio

        done = gitio.git(root, "config", "--get", "remote.origin.url", check=False)
        url = done.stdout.decode("utf-8", "replace").strip()
        match = _REMOTE_URL.fullmatch(url)
        if match and not {match.group(1), match.group(2)} & {".", ".."}:
            return f"{match.group(1)}/{match.group(2)}"
    return "OWNER/NAME"


def wrap(text: str) -> str:
    """Lines of a readable width (after the ``qp-responder: `` prefix), later ones indented."""
    import textwrap

    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines += textwrap.wrap(paragraph, width=86, break_on_hyphens=False)
    return "\n  ".join(lines)


def closing(mode: str, *, respond: bool, repo: str) -> str:
    """The advice after findings in ``mode`` (a scan.Mode value)."""
    rotate = f"\nqp-responder respond --repo {repo}"
    if respond:
        return "Responding to each distinct key (--respond):"
    if mode == "staged":
        return (
            "Remove the key from the staged change (read it from a secret instead). It never left "
            "this machine, so rotating it is optional, and rotation breaks everything that still "
            f"uses the key; if it was shared or pushed anywhere, rotate it: {rotate}"
        )
    if mode == "pre-push":
        return (
            "Push refused: the key did not reach the remote. It is in the commits listed, so "
            "editing the file is not enough: rewrite them (git rebase -i, git commit --amend) and "
            f"push again. If the key was pushed anywhere else, rotate it: {rotate}"
        )
    if mode == "pre-receive":
        return (
            "Push rejected: nothing was stored on this server. Remove the key from the commits "
            "listed (rewrite them: git rebase -i, git commit --amend) and push again; if the key "
            "was pushed anywhere else, rotate it:\nqp-responder respond --repo OWNER/NAME"
        )
    if mode in ("range", "history"):
        return (
            f"The key is in commits, so there is no change to edit: it stays readable in history. Rotate it: {rotate}"
        )
    return f"Remove the key from the file and rotate it: {rotate}"
