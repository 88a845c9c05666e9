"""Keys in commit messages: a message is published with its commit ("the leaked key
<uuid> is revoked", a pasted config line), so every revision mode reads them too.

``git log --grep`` picks the commits whose message holds a UUID (git's own regex, in C:
about 10 ms for 3,400 commits, while the history's walk runs); ``git cat-file --batch``
then reads just those commit objects, whose size framing no message can forge, and the
detector judges each message as a small text of its own.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from responder.scanning import detect, gitio, triage
from responder.scanning.findings import MESSAGE_PATH, Encoding, Finding

_UUID_ERE = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_BATCH = 256  # ids written to cat-file at a time: well under a pipe's buffer, so never blocked
MAX_MESSAGE_BYTES = 64 * 1024 * 1024  # a longer commit object is read through; its start is judged
_PIECE = 8 * 1024 * 1024


def start(root: Path, revs: Sequence[str], *, no_walk: bool) -> subprocess.Popen[bytes]:
    """Start listing the commits of ``revs`` whose message holds a UUID (read by ``findings``)."""
    walk = ["--no-walk=unsorted"] if no_walk else []
    return gitio.popen(
        root, "log", "--no-notes", "--format=%H", "--extended-regexp", f"--grep={_UUID_ERE}", *walk, *revs, "--"
    )


def findings(root: Path, listing: subprocess.Popen[bytes], warnings: list[str]) -> list[Finding]:
    """The keys in the messages ``start`` listed, each with its commit and the line of the
    message it is on (1 is the subject). A message too long to hold is judged by its
    first MAX_MESSAGE_BYTES, with a warning in ``warnings``."""
    assert listing.stdout is not None
    commits = listing.stdout.read().split()
    gitio.finish(listing, "log")
    found: list[Finding] = []
    if not commits:
        return found
    batch = gitio.popen(root, "cat-file", "--batch", stdin=True)
    assert batch.stdin is not None and batch.stdout is not None
    try:
        for at in range(0, len(commits), _BATCH):
            chunk = commits[at : at + _BATCH]
            batch.stdin.write(b"".join(commit + b"\n" for commit in chunk))
            batch.stdin.flush()
            for commit in chunk:
                body, size = _read_object(batch.stdout)
                if size > len(body):
                    warnings.append(
                        f"the message of commit {commit[:12].decode('ascii')} is {size:,} bytes: only its first "
                        f"{MAX_MESSAGE_BYTES:,} were scanned"
                    )
                found += _message_keys(commit.decode("ascii"), body)
    finally:
        gitio.finish(batch, "cat-file")
    return found


def _read_object(out: IO[bytes]) -> tuple[bytes, int]:
    """The next commit object's first MAX_MESSAGE_BYTES (the rest read through), and its size."""
    header = out.readline()
    fields = header.split()
    if len(fields) != 3:  # "<id> missing": a listed commit always exists, but say so plainly
        raise gitio.GitError(f"cannot read commit {header.decode('ascii', 'replace').strip()}")
    size = int(fields[2])
    body = out.read(min(size, MAX_MESSAGE_BYTES))
    left = size - len(body)
    while left > 0:
        piece = out.read(min(left, _PIECE))
        if not piece:
            raise gitio.GitError("git cat-file stopped in the middle of a commit")
        left -= len(piece)
    out.read(1)
    return body, size


def _message_keys(commit: str, body: bytes) -> list[Finding]:
    """A commit object is headers, a blank line, then the message (continued header lines,
    a signature's, start with a space: the first blank line ends the headers)."""
    _, _, message = body.partition(b"\n\n")
    return [
        Finding(
            MESSAGE_PATH,
            match.line_number,
            match.secret,
            match.datacenter,
            commit=commit,
            encoding=Encoding(match.encoding) if match.encoding else None,
        )
        for match in detect.find_keys(triage.decode(message))
    ]
