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
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from responder.core.redact import PROBE

SECRET_TYPE = "QuestionPro API Key"  # noqa: S105 - a type label, not a secret


class _Lazy:
    """A regex compiled on first use: importing this module compiles nothing (the
    pre-commit hook's clean path needs only the UUID probe)."""

    __slots__ = ("_args", "_compiled")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._args = (pattern, flags)
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        if self._compiled is None:
            self._compiled = re.compile(*self._args)
        return getattr(self._compiled, name)


# A UUID not glued to other letters or digits. Leading literal-free classes are slow in
# ``re``; the scan first looks for the literal ``-`` groups (see ``_PROBE``) and only then
# checks the full shape around each probe hit.
_UUID = _Lazy(
    r"(?<![0-9A-Za-z])[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![0-9A-Za-z])"
)

# The dashed middle of a UUID, led by a literal: the one pattern every fast search uses
# (here on text, in ``scanner`` on bytes).
_PROBE = _Lazy(PROBE)

# The identifier nearest before the key on its line, then 1-10 separator characters
# (``=``, ``: ``, ``", "``, ``("``, `` || '``, ``\": \"`` in notebooks, ``|`` in tables).
# Matched once, anchored, on the reversed window (at most _NAME_WINDOW characters): linear.
_NAME_BEFORE_REVERSED = _Lazy(r"[^\w\n]{1,10}([\w.\-]*[A-Za-z_])")
_NAME_WINDOW = 160

# Tokens that sit between a real name and its value: look one name further back.
_WEAK_NAMES = frozenset(  # normalised: lower case, letters and digits only
    "value val v default defaultvalue fallback content text string str stringvalue or getenv get environ env "
    "setdefault getproperty getordefault secret token password data".split()
)

_QP_NAME = _Lazy(r"questionpro|surveyanalytics")
_QP_NAME_KEYISH = _Lazy(r"key|token|secret|pass|cred|auth|client|sdk|api|service")
_KEY_WORD = _Lazy(r"key|token|secret|passw|cred|auth")
_NOT_A_KEY_SUFFIXES = (
    "id",
    "ids",
    "uuid",
    "guid",
    "url",
    "uri",
    "urls",
    "host",
    "endpoint",
    "version",
    "path",
    "name",
    "region",
    "env",
    "datacenter",
    "file",
    "dir",
    "count",
)
_QP_SHORT_NAME = _Lazy(r"(?:^|[^a-z])qp[^a-z]*(?:api[^a-z]*)?(?:access[^a-z]*)?key")
_OTHER_SERVICE_IN_NAME = _Lazy(
    r"azure|openai|google|gcp|aws|stripe|sendgrid|mailchimp|twilio|slack|github|datadog|"
    r"algolia|firebase|mapbox|anthropic|pinecone|cohere|mistral|elastic|typesense|meili"
)

# Anything naming QuestionPro: marks a file as one that talks to QuestionPro.
_QP_MARK = _Lazy(r"questionpro|surveyanalytics\.com", re.IGNORECASE)
# Services that also send an ``api-key`` header; when one is named closer to the key than
# QuestionPro is, a generic ``api-key`` belongs to it.
_OTHER_MARK = _Lazy(
    r"openai|azure|cognitiveservices|search\.windows\.net|anthropic|typesense|meilisearch|"
    r"weaviate|qdrant|pinecone|elastic|algolia|mistral|cohere",
    re.IGNORECASE,
)
_COMPETE_WINDOW = 1500

_HOSTS = _Lazy(
    r"questionpro\.(com|eu|ca|sg|au|ae)(?![\w-])|(surveyanalytics)\.com|(questionprosa)\.com",
    re.IGNORECASE,
)
_DC_SETTING = _Lazy(
    r"(?:data[_ -]?cent(?:er|re)|questionpro[_.-]?(?:env|environment|region|dc))"
    r"[^\w\n]{1,6}(us|com|eu|ca|sg|au|ae|sa|ksa)(?![\w-])",
    re.IGNORECASE,
)
_HOST_TO_DC = {"surveyanalytics": "sa", "questionprosa": "ksa"}
DATACENTERS = ("com", "eu", "ca", "sg", "au", "ae", "sa", "ksa")

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


def iter_uuids(text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match[str]]:
    """Every UUID in ``text``, in order.

    ``re`` scans a pattern that starts with a character class position by position
    (~30 MB/s); one that starts with a literal uses a fast search (~1 GB/s). So the
    literal-led ``_PROBE`` finds the dashed middle and ``_UUID`` checks the whole shape.
    """
    end = len(text) if endpos is None else endpos
    for probe in _PROBE.finditer(text, pos, end):
        found = _UUID.match(text, probe.start() - 8, end) if probe.start() >= 8 else None
        if found is not None:
            yield found


def has_candidate(text: str) -> bool:
    """Cheap test: could ``text`` hold a key at all?"""
    return next(iter_uuids(text), None) is not None


def is_placeholder(uuid: str) -> bool:
    """All-zero, repeated-digit, sequential and documentation-example UUIDs."""
    digits = uuid.replace("-", "").lower()
    if len(set(digits)) <= 6:
        return True
    return any(run in digits for run in _PLACEHOLDER_RUNS)


def _name_before(prefix: str) -> tuple[str, int] | None:
    """The name ending 1-10 separator characters before the end of ``prefix``, and where
    it starts (the longest run of name characters that starts with a letter)."""
    found = _NAME_BEFORE_REVERSED.match(prefix[::-1])
    if found is None:
        return None
    return found.group(1)[::-1], len(prefix) - found.end(1)


def _normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def classify_name(name: str) -> Naming:
    """What a name says about the UUID assigned to it.

    The last dotted segment decides what the value is (``questionpro.api.key`` is a key,
    ``questionproApi.getResponse`` a call); the whole name says whose it is. Names of ids,
    URLs and the like (``QUESTIONPRO_API_SURVEY_ID``, ``questionpro_client_id``) are not keys.
    """
    lowered = name.lower()
    norm = _normalise(name)
    last = _normalise(lowered.rsplit(".", 1)[-1])
    if not last or last.endswith(_NOT_A_KEY_SUFFIXES):
        return Naming.NONE
    if _QP_NAME.search(norm):
        bare_last = _QP_NAME.sub("", last)
        if _KEY_WORD.search(bare_last) or (bare_last != last and _QP_NAME_KEYISH.search(bare_last)):
            return Naming.NAMED
    if _QP_SHORT_NAME.search(lowered):
        return Naming.NAMED
    if last.endswith(("apikey", "accesskey")) and not _OTHER_SERVICE_IN_NAME.search(norm):
        return Naming.CONTEXTUAL
    return Naming.NONE


def _names_before(prefix: str, limit: int) -> Iterator[str]:
    """Up to ``limit`` names, nearest first, each separated from the next by 1-10 characters."""
    for _ in range(limit):
        found = _name_before(prefix)
        if found is None:
            return
        yield found[0]
        prefix = prefix[: found[1]]


def naming_at(text: str, start: int) -> Naming:
    """Classify the UUID starting at ``start`` by the name before it on its line.

    When that name only says "this is a value" (``value``, ``default``, ``<string>``), the
    real name is stated just before it: earlier on the line (``<add key="X" value="…">``,
    ``{"key": "api-key", "value": "…"}``) or on the line above (Kubernetes' ``- name: X`` /
    ``value: …``, pretty-printed JSON, plist ``<key>X</key>``).
    """
    line_start = text.rfind("\n", max(0, start - _NAME_WINDOW), start) + 1
    prefix = text[max(line_start, start - _NAME_WINDOW) : start]
    found = _name_before(prefix)
    if found is None:
        return Naming.NONE
    name, name_start = found
    naming = classify_name(name)
    if naming is not Naming.NONE or _normalise(name) not in _WEAK_NAMES:
        return naming
    candidates = list(_names_before(prefix[:name_start], 5))
    if line_start > 0 and not prefix[:name_start].strip(" \t-{[<\"'"):
        above_start = text.rfind("\n", max(0, line_start - 1 - _NAME_WINDOW), line_start - 1) + 1
        candidates += _names_before(text[above_start : line_start - 1].rstrip() + " ", 3)
    for candidate in candidates:
        naming = classify_name(candidate)
        if naming is not Naming.NONE:
            return naming
    return Naming.NONE


def _line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The key's line, clipped to a bounded window (lines can be 50 MB long)."""
    lo = max(0, start - 400)
    line_start = text.rfind("\n", lo, start) + 1
    if line_start == 0:
        line_start = lo
    line_end = text.find("\n", end, end + 400)
    if line_end == -1:
        line_end = min(len(text), end + 400)
    return line_start, line_end


def _allowlisted(text: str, line_start: int, line_end: int) -> bool:
    if _ALLOWLIST.search(text, line_start, line_end):
        return True
    if line_start == 0:
        return False
    prev_start = text.rfind("\n", max(0, line_start - 400), line_start - 1) + 1
    return _ALLOWLIST_NEXT.search(text, prev_start, line_start) is not None


def _belongs_to_other_service(text: str, start: int, end: int, line_end: int) -> bool:
    """A closer mention of another ``api-key`` service than of QuestionPro."""
    lo = max(0, start - _COMPETE_WINDOW)
    last_qp = max((m.end() for m in _QP_MARK.finditer(text, lo, start)), default=-1)
    last_other = max((m.end() for m in _OTHER_MARK.finditer(text, lo, start)), default=-1)
    after_other = _OTHER_MARK.search(text, end, line_end) is not None
    after_qp = _QP_MARK.search(text, end, line_end) is not None
    if after_other and not after_qp:
        return True
    return last_other > last_qp


def _label(found: re.Match[str]) -> str:
    label = next(g for g in found.groups() if g).lower()
    return _HOST_TO_DC.get(label, "com" if label == "us" else label)


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
    return _QP_MARK.search(text) is not None


def find_keys(text: str, wanted_lines: Callable[[int], bool] | None = None) -> list[Match]:
    """Every QuestionPro key in ``text``, judged with the whole text as context.

    ``wanted_lines`` restricts the result to some line numbers (the added lines of a diff)
    while the context still comes from the whole text.
    """
    matches: list[Match] = []
    qp_file: bool | None = None
    marks: DatacenterMarks | None = None
    line_number, counted_to = 1, 0
    for found in iter_uuids(text):
        start, end = found.span()
        line_number += text.count("\n", counted_to, start)
        counted_to = start
        if wanted_lines is not None and not wanted_lines(line_number):
            continue
        secret = found.group()
        if is_placeholder(secret):
            continue
        naming = naming_at(text, start)
        if naming is Naming.NONE:
            continue
        line_start, line_end = _line_bounds(text, start, end)
        if _allowlisted(text, line_start, line_end):
            continue
        if naming is Naming.CONTEXTUAL:
            if qp_file is None:
                qp_file = talks_to_questionpro(text)
            if not qp_file or _belongs_to_other_service(text, start, end, line_end):
                continue
        marks = marks or DatacenterMarks.of(text)
        matches.append(Match(line_number, secret, marks.nearest(start), start))
    return matches


def line_naming(line: str) -> Naming:
    """The strongest naming of any candidate on one line (for cheap diff triage).

    A value whose name may stand on the line above (``value: …`` after ``- name: X``)
    counts as CONTEXTUAL here: the whole file decides.
    """
    best = Naming.NONE
    for found in iter_uuids(line):
        if is_placeholder(found.group()):
            continue
        naming = naming_at(line, found.start())
        if naming is Naming.NONE:
            nearest = _name_before(line[max(0, found.start() - _NAME_WINDOW) : found.start()])
            if nearest is not None and _normalise(nearest[0]) in _WEAK_NAMES:
                naming = Naming.CONTEXTUAL
        if naming.value > best.value:
            best = naming
    return best
