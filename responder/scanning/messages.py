"""Keys in commit messages: a message is published with its commit ("the leaked key
<uuid> is revoked", a pasted config line), so every revision mode reads them too.

``git rev-list`` lists the commits into ``git cat-file --batch``, which writes each
commit object as stored, framed by its size (no message can forge where it ends), and a
byte probe picks the few that hold a UUID or a base64 hint. Nothing goes through ``git log``'s
re-encoding or ``--grep``: a message stored in another encoding (``encoding IBM037``),
a NUL byte or the repository's i18n settings would hide a key from them. A message with
an ``encoding`` header is judged as stored and, decoded, as git shows it.
"""

from __future__ import annotations

import codecs
import subprocess
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from responder.scanning import detect, gitio, triage
from responder.scanning.findings import MAX_FINDINGS, MESSAGE_PATH, Encoding, Finding

MAX_MESSAGE_BYTES = 64 * 1024 * 1024  # a longer commit object is read through; its start is judged
_PIECE = 8 * 1024 * 1024


class Messages:
    """The messages of ``revs``, read while the caller scans their changes: ``rev-list``
    feeds ``cat-file --batch`` directly, and a thread judges the commit objects the probe
    picks (most of the time is git's). Memory holds findings, at most MAX_FINDINGS and a
    message's worth, never the messages."""

    def __init__(self, root: Path, revs: Sequence[str], *, no_walk: bool, commits: Sequence[str] = ()) -> None:
        """``commits``: these commits only, instead of ``revs`` (the ones a history's packs
        could not clear, see ``packwork``)."""
        self._listing: subprocess.Popen[bytes] | None = None
        if commits:
            self._batch = gitio.popen(root, "cat-file", "--batch", stdin=True)
        else:
            walk = ["--no-walk=unsorted"] if no_walk else []
            self._listing = gitio.popen(root, "rev-list", *walk, *revs, "--")
            assert self._listing.stdout is not None
            self._batch = gitio.popen(root, "cat-file", "--batch", stdin=self._listing.stdout)
            self._listing.stdout.close()  # cat-file holds it now: rev-list sees a reader that stops
        self._found: list[Finding] = []  # judged as they come: memory holds findings, not messages
        self._warnings: list[str] = []
        self._failed: list[BaseException] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        if commits:  # the reader drains cat-file meanwhile: no deadlock however many
            assert self._batch.stdin is not None
            try:
                self._batch.stdin.write("".join(f"{commit}\n" for commit in commits).encode("ascii"))
                self._batch.stdin.close()
            except BrokenPipeError:
                pass  # cat-file stopped: its exit status says why

    def _read(self) -> None:
        assert self._batch.stdout is not None
        try:
            while header := self._batch.stdout.readline():
                commit = header.split(b" ", 1)[0]
                body, size = _read_object(self._batch.stdout, header)
                if size > len(body):
                    self._warnings.append(
                        f"the message of commit {commit[:12].decode('ascii', 'replace')} is {size:,} bytes: only its "
                        f"first {MAX_MESSAGE_BYTES:,} were scanned"
                    )
                if may_hold_key(body) and len(self._found) <= MAX_FINDINGS:
                    self._found += _message_keys(commit.decode("ascii"), body)
                    if len(self._found) > MAX_FINDINGS:  # the report keeps no more, and says so
                        self._warnings.append(
                            f"more than {MAX_FINDINGS:,} keys in commit messages: the messages after commit "
                            f"{commit[:12].decode('ascii')} were not judged"
                        )
        except BaseException as exc:  # noqa: BLE001 - raised again by ``findings``
            self._failed.append(exc)

    def findings(self, warnings: list[str]) -> list[Finding]:
        """The keys found, each with its commit and the line of the message it is on (1 is
        the subject); a message too long to hold is judged by its first MAX_MESSAGE_BYTES,
        with a warning in ``warnings``."""
        self._reader.join()
        gitio.finish(self._batch, "cat-file", check=not self._failed)
        if self._listing is not None:
            gitio.finish(self._listing, "rev-list")
        if self._failed:
            raise self._failed[0]
        warnings += self._warnings
        return self._found

    def stop(self) -> None:
        """The caller failed: stop git, and the reading thread with it."""
        procs = [self._batch] if self._listing is None else [self._listing, self._batch]
        for proc in procs:
            proc.kill()
        self._reader.join()
        for proc in procs:
            gitio.finish(proc, "git", check=False)


def _read_object(out: IO[bytes], header: bytes) -> tuple[bytes, int]:
    """The commit object ``header`` announced: its first MAX_MESSAGE_BYTES (the rest read
    through), and its size."""
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


def may_hold_key(body: bytes) -> bool:
    """The byte probe (a UUID's dashes, the base64 hint), or a stored encoding the probe
    cannot read (its bytes are judged once decoded)."""
    return triage.PROBE_BYTES.search(body) is not None or triage.may_hold_encoded(body) or b"\nencoding " in body


def _texts(headers: bytes, message: bytes) -> list[str]:
    """The message as stored (latin-1: every byte kept), and decoded as its ``encoding``
    header says when that is another text encoding (EBCDIC, UTF-16, ...)."""
    texts = [triage.decode(message)]
    for line in headers.split(b"\n"):
        if line.startswith(b"encoding "):
            name = line[len(b"encoding ") :].strip().decode("ascii", "replace")
            try:
                if codecs.lookup(name).name not in ("latin-1", "iso8859-1", "utf-8", "ascii"):
                    texts.append(message.decode(name, "replace"))
            except (LookupError, ValueError):
                pass  # an unknown encoding: the stored bytes are judged
    return texts


def _message_keys(commit: str, body: bytes) -> list[Finding]:
    """A commit object is headers, a blank line, then the message (continued header lines,
    a signature's, start with a space: the first blank line ends the headers)."""
    headers, _, message = body.partition(b"\n\n")
    seen: set[tuple[int, str]] = set()
    found: list[Finding] = []
    for text in _texts(headers, message):
        for match in detect.find_keys(text):
            if (match.line_number, match.secret) in seen:
                continue
            seen.add((match.line_number, match.secret))
            encoding = Encoding(match.encoding) if match.encoding else None
            found.append(
                Finding(
                    MESSAGE_PATH,
                    match.line_number,
                    match.secret,
                    match.datacenter,
                    commit,
                    encoding=encoding,
                    in_message=True,
                )
            )
    return found
