"""Find QuestionPro API keys in text from their context. Pure functions: no I/O.

A key is a bare UUID, so the UUID alone proves nothing. A UUID is a key when

* the name it is assigned to says QuestionPro (``QUESTIONPRO_API_KEY``, ``qpApiKey``,
  ``questionpro.api.key``, ``new QuestionProClient("…")``): *named* findings; or
* the name is a generic API-key name (``api-key`` header, ``apiKey``, ``api_key``,
  ``accessKey``, ``setAccessKey(…)``, ``?apiKey=``) **and** the text talks to QuestionPro
  (``questionpro`` or a QuestionPro host anywhere in it) **and** no other service that
  uses the same header (Azure OpenAI, …) is named closer to the key: *contextual* findings.

Every regex here is linear or runs on a window of bounded length, so adversarial input
(50 MB single-line files, millions of dashes) cannot make it backtrack catastrophically.
"""

from __future__ import annotations

import bisect
import enum
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from responder.core import datacenters
from responder.core.redact import PROBE

SECRET_TYPE = "QuestionPro API Key"  # noqa: S105 - a type label, not a secret


class _Lazy:
    """A regex compiled on first use: importing this module compiles nothing (the
    pre-commit hook's clean path needs only the UUID probe)."""

    __slots__ = ("_args", "_compiled")

    def __init__(self, pattern: str | bytes, flags: int = 0) -> None:
        self._args = (pattern, flags)
        self._compiled: re.Pattern[Any] | None = None

    def __getattr__(self, name: str) -> Any:
        if self._compiled is None:
            self._compiled = re.compile(*self._args)
        return getattr(self._compiled, name)


# A UUID not glued to other letters or digits (an escaped break or tab before it, as in
# ``"api-key:\t<uuid>"``, is a separator, as is an escaped quote: ``%22``, ``\u0022``),
# nor the tail of another vendor's prefixed token (LaunchDarkly's ``sdk-<uuid>``). Leading
# literal-free classes are slow in ``re``; the scan first looks for the literal ``-`` groups
# (see ``_PROBE``) and only then checks the full shape around each probe hit.
_UUID_SHAPE = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_ESCAPED_BEFORE = r"(?<=\\[nrt])|(?<=%[2-7][0-9A-Fa-f])|(?<=\\u00[2-7][0-9A-Fa-f])|(?<=\\x[2-7][0-9A-Fa-f])"
_UUID = _Lazy(rf"(?:(?<![0-9A-Za-z])(?<![0-9A-Za-z][-_])|{_ESCAPED_BEFORE}){_UUID_SHAPE}(?![0-9A-Za-z])")
# In binary data (a control byte near), strings are stored back to back: a SQLite row
# holds ``questionpro.api_key<uuid>``, a coloured log ``\x1b[0m<uuid>``. There a UUID
# needs only not to be cut out of a longer hex run, nor be a prefixed token's tail.
_UUID_ANYWHERE = _Lazy(rf"(?<![0-9a-fA-F])(?<![0-9A-Za-z][-_]){_UUID_SHAPE}(?![0-9a-fA-F])")
# A shell default without the colon (``${QP_KEY-<uuid>}``): the dash is the operator.
_SHELL_DEFAULT = _Lazy(r"\$\{[A-Za-z_]\w{0,63}-\Z")
_UUID_AFTER_OPERATOR = _Lazy(rf"{_UUID_SHAPE}(?![0-9A-Za-z])")
_CONTROL_BYTE = _Lazy(r"[\x00-\x08\x0e-\x1f]")
_BINARY_NEAR = 64

# The dashed middle of a UUID, led by a literal: the one pattern every fast search uses
# (here on text, in ``scanner`` on bytes).
_PROBE = _Lazy(PROBE)
_PROBE_BYTES = _Lazy(PROBE.encode())


# A datacenter's host (``questionpro.eu``, ``surveyanalytics.com``) or, after a setting's
# name, its name (``eu``, ``us``): group 1 is the word, datacenters.named_by reads it.
_HOSTS = _Lazy(
    "(" + "|".join(re.escape(word) for word in datacenters.words() if "." in word) + r")(?![\w-])",
    re.IGNORECASE,
)
_DC_SETTING = _Lazy(
    r"(?:data[_ -]?cent(?:er|re)|questionpro[_.-]?(?:env|environment|region|dc))"
    r"[^\w\n]{1,6}(" + "|".join(word for word in datacenters.words() if "." not in word) + r")(?![\w-])",
    re.IGNORECASE,
)

_ALLOWLIST = _Lazy(r"pragma:\s*allowlist[ -]secret", re.IGNORECASE)
_ALLOWLIST_NEXT = _Lazy(r"pragma:\s*allowlist[ -]nextline[ -]secret", re.IGNORECASE)
_PLACEHOLDER_RUNS = ("1234567", "0123456", "abcdef", "deadbeef", "cafebabe", "123e4567e89b")


class Naming(enum.Enum):
    NONE = 0  # not assigned to a key-like name: not a key
    CONTEXTUAL = 1  # a generic API-key name: a key if the text talks to QuestionPro
    NAMED = 2  # a QuestionPro key name: a key wherever it stands


@dataclass(frozen=True)
class Match:
    """A key in a text. ``secret`` is the key itself: keep it in memory, never print it."""

    line_number: int
    secret: str
    datacenter: str | None
    offset: int
    encoding: str | None = None  # "base64" when the text holds the key encoded


def iter_uuids(text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match[str]]:
    """Every UUID in ``text``, in order.

    ``re`` scans a pattern that starts with a character class position by position
    (~30 MB/s); one that starts with a literal uses a fast search (~1 GB/s). So the
    literal-led ``_PROBE`` finds the dashed middle and ``_UUID`` checks the whole shape.
    """
    end = len(text) if endpos is None else endpos
    for probe in _PROBE.finditer(text, pos, end):
        if probe.start() < 8:
            continue
        begin = probe.start() - 8
        found = _UUID.match(text, begin, end)
        if found is None and text[begin - 1 : begin] == "-" and _SHELL_DEFAULT.search(text, max(0, begin - 70), begin):
            found = _UUID_AFTER_OPERATOR.match(text, begin, end)
        if found is None and _CONTROL_BYTE.search(text, max(0, probe.start() - _BINARY_NEAR), probe.start()):
            found = _UUID_ANYWHERE.match(text, begin, end)
        if found is not None:
            yield found


# A Kubernetes Secret (YAML or JSON): its ``data`` values are base64.
_K8S_SECRET_SHAPE = r"""kind["']?\s*:\s*["']?Secret\b"""  # noqa: S105 - a pattern, not a password
_K8S_SECRET = _Lazy(_K8S_SECRET_SHAPE)
_K8S_SECRET_BYTES = _Lazy(_K8S_SECRET_SHAPE.encode())
# Base64 of a UUID is 48 characters (52 with padding, when a newline was encoded too).
# Its dashes pin characters 24-25 to "L" + T/U/W and character 31 to "t", so the search
# is led by the literal "L" (fast) and the 24 characters before it are checked after.
_B64_TAIL = r"L[TUW][A-Za-z0-9+/]{5}t[A-Za-z0-9+/]{16}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?(?![A-Za-z0-9+/=])"
_B64_TAIL_TEXT = _Lazy(_B64_TAIL)
_B64_TAIL_BYTES = _Lazy(_B64_TAIL.encode())
_B64_CHARS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


def _decoded_uuid(data: bytes) -> str | None:
    import base64
    import binascii

    try:
        decoded = base64.b64decode(data, validate=True).strip().decode("latin-1")
    except binascii.Error:
        return None
    return decoded if len(decoded) == 36 and _UUID.fullmatch(decoded) else None


def _b64_candidates(data: bytes) -> Iterator[tuple[int, int, str]]:
    """(start, end, decoded UUID) of every base64-encoded UUID in ``data``."""
    for tail in _B64_TAIL_BYTES.finditer(data):
        start = tail.start() - 24
        if start < 0 or (start > 0 and data[start - 1] in _B64_CHARS) or data[start - 1 : start] == b"=":
            continue
        if not all(c in _B64_CHARS for c in data[start : tail.start()]):
            continue
        decoded = _decoded_uuid(data[start : tail.end()])
        if decoded is not None:
            yield start, tail.end(), decoded


def iter_encoded(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, decoded UUID) of every base64-encoded UUID in a Kubernetes Secret."""
    if _K8S_SECRET.search(text) is None or _B64_TAIL_TEXT.search(text) is None:
        return
    yield from _b64_candidates(text.encode("latin-1", "replace"))


def encoded_hits(data: bytes, signs: tuple[bytes, ...] = ()) -> Iterator[tuple[int, int]]:
    """(start, end) of every base64-encoded UUID in ``data`` (on lines starting with one
    of ``signs``, when given: the changed lines of a patch). For the scanner's byte-level
    gates: the UUID probe cannot see an encoded key."""
    for start, end, _ in _b64_candidates(data):
        if not signs or data.startswith(signs, data.rfind(b"\n", 0, start) + 1):
            yield start, end


def may_hold_key(data: bytes) -> bool:
    """Could these bytes hold a key at all? The UUID probe, or a base64-encoded UUID in a
    Kubernetes Secret; both searches are led by a literal (each about 3 GB/s here)."""
    if _PROBE_BYTES.search(data) is not None:
        return True
    return _K8S_SECRET_BYTES.search(data) is not None and next(encoded_hits(data), None) is not None


def _candidates(text: str) -> Iterator[tuple[int, int, str, str | None]]:
    """Every UUID in ``text``, plain or encoded, in order of offset."""
    plain = ((m.start(), m.end(), m.group(), None) for m in iter_uuids(text))
    encoded = [(start, end, secret, "base64") for start, end, secret in iter_encoded(text)]
    if not encoded:
        yield from plain
        return
    import heapq

    yield from heapq.merge(plain, encoded)


def has_candidate(text: str) -> bool:
    """Cheap test: could ``text`` hold a key at all?"""
    return next(iter_uuids(text), None) is not None


def is_placeholder(uuid: str) -> bool:
    """All-zero, repeated-digit, sequential and documentation-example UUIDs."""
    digits = uuid.replace("-", "").lower()
    if len(set(digits)) <= 6:
        return True
    return any(run in digits for run in _PLACEHOLDER_RUNS)


def classify_name(name: str) -> Naming:
    """What a name alone says about the UUID assigned to it."""
    from responder.scanning import judge

    return judge.classify_name(name)


@dataclass
class _Line:
    """The line a candidate is on, tracked as candidates advance (never searched from 0)."""

    text: str
    start: int = 0
    previous_start: int = 0
    number: int = 1
    _end: int = -1
    _allowlisted: bool | None = None

    def advance(self, counted_to: int, offset: int) -> None:
        newlines = self.text.count("\n", counted_to, offset)
        if not newlines:
            return
        self.number += newlines
        last = self.text.rfind("\n", counted_to, offset)
        if newlines == 1:
            self.previous_start = self.start
        else:
            self.previous_start = self.text.rfind("\n", counted_to, last) + 1
        self.start, self._end, self._allowlisted = last + 1, -1, None

    def end(self) -> int:
        if self._end < 0:
            found = self.text.find("\n", self.start)
            self._end = found if found >= 0 else len(self.text)
        return self._end

    def allowlisted(self) -> bool:
        """``pragma: allowlist secret`` on this line, or ``… nextline secret`` on the one above."""
        if self._allowlisted is None:
            own = _ALLOWLIST.search(self.text, self.start, self.end()) is not None
            above = self.start > 0 and _ALLOWLIST_NEXT.search(self.text, self.previous_start, self.start) is not None
            self._allowlisted = own or above
        return self._allowlisted


def _label(found: re.Match[str]) -> str:
    return datacenters.named_by(found.group(1)) or found.group(1).lower()


@dataclass(frozen=True)
class DatacenterMarks:
    """Where a text names a datacenter: explicit settings first, then hosts."""

    settings: tuple[tuple[int, str], ...]
    hosts: tuple[tuple[int, str], ...]

    @classmethod
    def of(cls, text: str) -> DatacenterMarks:
        return cls(
            tuple((m.start(), _label(m)) for m in _DC_SETTING.finditer(text)),
            tuple((m.start(), _label(m)) for m in _HOSTS.finditer(text)),
        )

    def nearest(self, offset: int) -> str | None:
        for marks in (self.settings, self.hosts):
            if marks:
                i = bisect.bisect_left(marks, (offset, ""))
                around = marks[max(0, i - 1) : i + 1]
                return min(around, key=lambda mark: abs(mark[0] - offset))[1]
        return None


def talks_to_questionpro(text: str) -> bool:
    from responder.scanning import judge

    return bool(judge.Context(text, None).qp_mentions())


def find_keys(
    text: str, wanted_lines: Callable[[int], bool] | None = None, *, path: str | None = None, first_only: bool = False
) -> list[Match]:
    """Every QuestionPro key in ``text``, judged with the whole text (and its ``path``) as
    context.

    ``wanted_lines`` restricts the result to some line numbers (the added lines of a diff)
    while the context still comes from the whole text; ``first_only``: stop at the first key.
    """
    matches: list[Match] = []
    candidates = _candidates(text)
    first = next(candidates, None)
    if first is None:
        return matches
    from responder.scanning import judge

    ctx = judge.Context(text, path)
    line = _Line(text)
    marks: DatacenterMarks | None = None
    counted_to = 0
    for start, end, secret, encoding in itertools.chain((first,), candidates):
        line.advance(counted_to, start)
        counted_to = start
        if wanted_lines is not None and not wanted_lines(line.number):
            continue
        if is_placeholder(secret) or line.allowlisted():
            continue
        if (
            _glued_by_escape(text, start) or not judge.is_key(ctx, start, end, line.start, line.end())
        ) and not _is_key_unescaped(ctx, start, secret, line.start, line.end()):
            continue
        marks = marks or DatacenterMarks.of(text)
        datacenter = judge.datacenter_of(ctx, start, line.start, line.end()) or marks.nearest(start)
        matches.append(Match(line.number, secret, datacenter, start, encoding))
        if first_only:
            break
    return matches


_ESCAPE_BEFORE = _Lazy(r"(?:%|\\u00|\\x)[2-7][0-9A-Fa-f]\Z")


def _glued_by_escape(text: str, start: int) -> bool:
    """A candidate only because an escape ends right before it (``%2F<uuid>``): the line as
    written puts a name glued to it (``next=%2Fsurveys%2F<uuid>``) out of reach, so only the
    unescaped view judges it."""
    return start > 0 and text[start - 1].isalnum() and _ESCAPE_BEFORE.search(text, max(0, start - 6), start) is not None


_VIEW_ABOVE = 4000  # characters of the text above an unescaped line kept as its context (parents, labels)
_VIEW_BELOW = 2000


def _is_key_unescaped(ctx: Any, start: int, secret: str, line_start: int, line_end: int) -> bool:
    """Is the UUID a key once its line's escapes are undone (``\\"api-key\\": \\"…``,
    ``%22api-key%22%3A%22…``)? Judged in a window of the text around the line, so a file
    of many escaped lines stays linear."""
    from responder.scanning import escapes, judge

    text = ctx.text
    seen = escapes.view(text, line_start, line_end, start, secret)
    if seen is None:
        return False
    unescaped, offset = seen
    above = 0 if line_start <= _VIEW_ABOVE else text.find("\n", line_start - _VIEW_ABOVE, line_start) + 1 or line_start
    below = (
        len(text)
        if line_end + _VIEW_BELOW >= len(text)
        else max(text.rfind("\n", line_end, line_end + _VIEW_BELOW), line_end)
    )
    window = text[above:line_start] + unescaped + text[line_end:below]
    begin = line_start - above
    around = judge.Context(window, ctx.path, outer=ctx)  # QuestionPro may be named outside the window
    return judge.is_key(around, begin + offset, begin + offset + len(secret), begin, begin + len(unescaped))


def line_naming(line: str) -> Naming:
    """The strongest naming of any candidate on one changed line (cheap diff triage).

    NONE only when the line itself refutes every candidate on it (an id, a reference,
    another owner's name, a placeholder); a bare value may be named by what encloses it
    (a parent key, a column header, the path), so it is CONTEXTUAL: the whole file decides.
    """
    best = Naming.NONE
    for found in iter_uuids(line):
        if is_placeholder(found.group()):
            continue
        from responder.scanning import escapes, judge

        naming = Naming.NONE if _glued_by_escape(line, found.start()) else judge.line_naming_at(line, found.start())
        seen = None if naming is Naming.NAMED else escapes.view(line, 0, len(line), found.start(), found.group())
        if seen is not None:
            naming = max(naming, judge.line_naming_at(*seen), key=lambda n: n.value)
        if naming.value > best.value:
            best = naming
    return best
