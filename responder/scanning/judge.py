"""Judge a UUID's key path: is it a QuestionPro key? (Imported at the first candidate.)"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from responder.core import datacenters
from responder.scanning import keypath, linecontext, names, valueform
from responder.scanning.detect import Naming
from responder.scanning.keypath import Level, Source
from responder.scanning.names import Kind, Owner

# Anything naming QuestionPro; each hit is checked to be a word (``questionProperties`` is not).
_QP_MARK = re.compile(r"questionpro|surveyanalytics", re.IGNORECASE)
_IDENT_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
# Services that also send an ``api-key`` header; when one is named closer to the key than
# QuestionPro is, a generic ``api-key`` belongs to it.
_OTHER_MARK = re.compile(
    r"openai|azure|cognitiveservices|search\.windows\.net|anthropic|typesense|meilisearch|"
    r"weaviate|qdrant|pinecone|elastic|algolia|mistral|cohere",
    re.IGNORECASE,
)
_COMPETE_WINDOW = 1500
# A variable given as the value of an api-key header or parameter (JSON-escaped quotes too).
# A member counts by its own name (``this.key``, ``self.token``, Ruby's ``@key``).
_API_KEY_USE = re.compile(
    r"""(?i:x-)?(?i:api[-_]?key)\\?["']?[ \t]*(?:=>|[:=,])[ \t]*"""
    r"""(?:(?:this|self)\.|@)?([A-Za-z_]\w{0,63})\b(?![\w"'(\[.])"""
)
_MEMBER = re.compile(r"^(?:(?:this|self)\.|@)")
_USE_NEAR = 4000


def classify_name(name: str) -> Naming:
    """What a name alone says about the UUID assigned to it."""
    verdict = names.judge(name)
    if verdict.kind not in _KEYISH:
        return Naming.NONE
    if verdict.owner is Owner.QUESTIONPRO:
        return Naming.NAMED
    if verdict.owner is Owner.NONE and verdict.kind in _GENERIC_KEYISH:
        return Naming.CONTEXTUAL
    return Naming.NONE


_KEYISH = names.KEY_KINDS
_GENERIC_KEYISH = frozenset((Kind.KEY, Kind.CONSTRUCTOR))  # enough with only the file's context


_CONTAINERS = frozenset((Source.PARENT, Source.CALLEE, Source.SECTION))
_MAP_KEYS = frozenset((Source.LINE, Source.PARENT, Source.SECTION))


def judge_path(batches: Iterable[Sequence[Level]], sole: bool = False) -> Naming:
    """Judge a key path, level by level, nearest first: the nearest level with a kind says
    whether the value is a key; the nearest level with an owner says whose. Batches are
    produced lazily, so a decided path stops looking further up.

    Containers name another owner only as the value's *immediate* container (qualifiers
    such as ``eu:``, ``prod:`` or ``europe:`` in between do not count), and only by
    one word of their own (``opsgenie:`` over ``api_key:``, ``StripeClient(…)``,
    ``pendo.initialize(…)``): outer structure keys (``cells``, ``source``) and descriptive
    names (``TouchPoint.Builder``) are arbitrary words, while QuestionPro named at any
    level above still counts.

    A value whose path has no kind at all is a key when its own name is exactly a
    datacenter's and QuestionPro owns a structure around it (``questionpro: {eu: …}``):
    QuestionPro's keys are per datacenter.
    """
    kind: Kind | None = None
    owner: Level | None = None
    nearest: Level | None = None
    containers = 0
    for batch in batches:
        for level in batch:
            nearest = nearest or level
            if kind is None and level.verdict.kind not in (Kind.NEUTRAL, Kind.WEAK):
                kind = level.verdict.kind
                if kind not in _KEYISH:
                    return Naming.NONE
            if level.source in _CONTAINERS and not names.is_qualifier(level.name):
                containers += 1  # ``datadog:`` → ``eu:`` → ``api_key:``: the region is not the container
                if level.verdict.owner is Owner.OTHER and (containers > 1 or not _one_name(level)):
                    continue
            if owner is None and level.verdict.owner is not Owner.NONE:
                owner = level
                if owner.verdict.owner is Owner.OTHER:
                    return Naming.NONE
        if kind is not None and owner is not None:
            break
    if kind is None:
        return Naming.NAMED if _keyed_by_datacenter(nearest, owner) else Naming.NONE
    if owner is None:
        return Naming.CONTEXTUAL if kind in _GENERIC_KEYISH else Naming.NONE
    if owner.source is Source.PATH and kind is not Kind.KEY and not sole:
        return Naming.NONE  # a directory named questionpro holds more than keys
    return Naming.NAMED


def _one_name(level: Level) -> bool:
    """A container's name is one other name: one unknown word (``opsgenie``), or two in one
    CamelCase word, as .NET sections and vendors write theirs (``HubSpot``, ``SendGrid``)."""
    strangers = level.verdict.strangers
    return strangers == 1 or (strangers == 2 and level.name.isalnum())


def _keyed_by_datacenter(nearest: Level | None, owner: Level | None) -> bool:
    """The value's own name is exactly a datacenter's, inside a structure QuestionPro owns."""
    if nearest is None or owner is None or owner is nearest:
        return False
    return nearest.source in _MAP_KEYS and owner.source in _MAP_KEYS and datacenters.named_by(nearest.name) is not None


class _Walk:
    """A key path's batches, kept as they are produced: judging it stops early, reading its
    datacenter after goes over the same batches (and on) without computing them again."""

    def __init__(self, batches: Iterator[Sequence[Level]]) -> None:
        self._batches = batches
        self._seen: list[Sequence[Level]] = []

    def __iter__(self) -> Iterator[Sequence[Level]]:
        yield from self._seen
        for batch in self._batches:
            self._seen.append(batch)
            yield batch

    def after(self, batch: Sequence[Level]) -> Iterator[Sequence[Level]]:
        """The batches after ``batch`` (one already produced), produced as they are asked for."""
        seen = iter(self)
        for found in seen:
            if found is batch:
                yield from seen
                return


def _rebound(between: str, name: str) -> bool:
    """Is ``name`` bound anew between its value and its use: a function's parameter
    (``function i(e,r){…"api-key":r}``, ``(e,r)=>``) or a declaration (``let r=``)? Then the
    use is of another ``r``. A call's argument or a comparison is not a binding."""
    word = re.escape(name)
    params = rf"\([^()]{{0,200}}(?<![\w$.]){word}(?![\w$])[^()]{{0,200}}\)"
    pattern = (
        rf"function[ \t]*[\w$]*[ \t]*{params}|{params}[ \t]*=>|(?<![\w$.]){word}[ \t]*=>"
        rf"|(?:var|let|const)[ \t]+{word}(?![\w$])"
    )
    return re.search(pattern, between) is not None


@dataclass
class Context:
    """What a text offers every candidate in it, computed once and only when needed."""

    text: str
    path: str | None
    _header: str | None = None
    _qp: list[int] | None = None
    _section: re.Match[str] | None = None
    _section_to: int = 0
    _other_last: int = -1  # end of the last other-service mention found before _other_to
    _other_to: int = 0
    last_walk: tuple[int, _Walk] | None = None  # the last key path judged, for its datacenter
    _key_values: frozenset[str] | None = None
    outer: Context | None = None  # the whole text, when this one is a window cut from it
    _key_uses: list[tuple[int, str]] | None = None  # (offset, variable) of every api-key use, in order

    def sent_as_api_key(self, name: str) -> bool:
        """Is the variable ``name`` given as an ``api-key`` header's or parameter's value
        somewhere in the text (``headers={"api-key": KEY}``, ``api_key=token``)? Every
        such use is found in one pass, the first time it is asked."""
        if self._key_values is None:
            self._key_values = frozenset(m.group(1) for m in _API_KEY_USE.finditer(self.text))
        return _MEMBER.sub("", name) in self._key_values

    def sent_as_api_key_near(self, name: str, start: int) -> bool:
        """Is ``name`` given as an ``api-key`` value within a few thousand characters of
        ``start``, and not bound anew in between (a minified bundle reuses its names in every
        function)?"""
        if self._key_uses is None:
            self._key_uses = [(m.start(), m.group(1)) for m in _API_KEY_USE.finditer(self.text)]
        uses = self._key_uses
        at = bisect.bisect_left(uses, (start - _USE_NEAR, ""))
        while at < len(uses) and uses[at][0] <= start + _USE_NEAR:
            use = uses[at][0]
            if uses[at][1] == name and not _rebound(self.text[min(start, use) : max(start, use)], name):
                return True
            at += 1
        return False

    def section_before(self, line_start: int) -> re.Match[str] | None:
        """The last ``[section]`` header line before ``line_start`` (searched once, in order)."""
        if line_start > self._section_to:
            for found in keypath.SECTION.finditer(self.text, self._section_to, line_start):
                self._section = found
            self._section_to = line_start
        return self._section

    def last_other_mention(self, lo: int, start: int) -> int:
        """End of the last mention of another ``api-key`` service in ``[lo, start)``.
        Candidates come in order, so each stretch of text is searched once."""
        if start > self._other_to:
            for found in _OTHER_MARK.finditer(self.text, max(lo, self._other_to), start):
                self._other_last = found.end()
            self._other_to = start
        return self._other_last if self._other_last >= lo else -1

    def header(self) -> str:
        if self._header is None:
            end = self.text.find("\n", 0, 65536)
            self._header = self.text[: end if end >= 0 else 0]
        return self._header

    def qp_mentions(self) -> list[int]:
        """End offsets of the words naming QuestionPro (not ``questionProperties``); in a
        window cut from a larger text that names it only outside the window, the window's start."""
        if self._qp is None:
            self._qp = [m.end() for m in _QP_MARK.finditer(self.text) if _is_qp_word(self.text, m.start(), m.end())]
            if not self._qp and self.outer is not None and self.outer.qp_mentions():
                self._qp = [0]
        return self._qp


def _is_qp_word(text: str, start: int, end: int) -> bool:
    lo, hi = start, end
    while lo > max(0, start - 40) and text[lo - 1] in _IDENT_CHARS:
        lo -= 1
    while hi < min(len(text), end + 40) and text[hi] in _IDENT_CHARS:
        hi += 1
    return any(names.is_questionpro_word(w) for w in names.words(text[lo:hi]))


# A field's own name at the start of a clause: ``type = ``, ``"Type": ``, ``- kind: ``, or
# a command's flag on a continued line: ``--type SecureString \``.
_FIELD_NAME = re.compile(r"""^[ \t]*(?:-?[ \t]*["']?([\w.\-]+)["']?[ \t]*[:=]|--?(\w[\w.\-]*)(?:[ \t=]|$))""")


# A sibling field that describes the object in prose (``description = "QuestionPro API key
# for the CX org"`` over ``default = …``): its text says what the value is, as a label does.
# Only the field's name is matched; its text is the rest of the line, unquoted in Python
# (a pattern for both backtracked over every space of a padded line).
_DESCRIBING = re.compile(
    r"""[ \t]*(?:-[ \t]*)?["']?(?:description|desc|summary|help|helptext|title|caption|tooltip|comment)["']?"""
    r"""[ \t]*[:=]""",
    re.IGNORECASE,
)


_WORD = re.compile(r"[\w\-]+")


def _described_head(text: str) -> str:
    """A description is prose that names its subject early (``QuestionPro api-key used by
    review apps (sandbox org)``, ``Placeholder, overwritten in CI``): it is read up to its
    first key word, else up to its first placeholder word, else whole."""
    for kinds in ((Kind.KEY, Kind.KEYWORD), (Kind.PLACEHOLDER,)):
        for word in _WORD.finditer(text):
            if names.judge(word.group()).kind in kinds:
                return text[: word.end()]
    return text


def _description(line: str) -> str:
    """The text of a describing field's line, or "" when it is not one (or holds a quote
    inside, which a label's words cannot be told from)."""
    found = _DESCRIBING.match(line)
    if found is None:
        return ""
    text = line[found.end() :].strip().rstrip(",").strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1]
    return "" if '"' in text or "'" in text else text


def _above_levels(text: str, line_start: int, start: int) -> list[Level]:
    """Kind-bearing names on the line above (``- name: X`` over ``value: …``, a label over
    a bare value), else the value of a naming field (``"name": "X"``) a few sibling lines
    up in the same object. When the value has a (weak) name of its own (``value = …``),
    the line above is a sibling field: its own name (``type = "SecureString"``) describes
    that field, not this value, and is not taken."""
    if line_start == 0:
        return []
    above = keypath.line_above(text, line_start)
    clauses = [c for c in re.split(r"[,;]", text[above : line_start - 1]) if c.strip()]
    levels = keypath.clause_levels(clauses[-1], Source.ABOVE) if clauses else []
    if levels and _FIELD_NAME.match(text[line_start:start]):
        described = _description(text[above : line_start - 1])
        if described:  # read as a label: its head word counts
            levels = keypath.clause_levels(_described_head(described) + ":", Source.ABOVE)
            return [lv for lv in levels if lv.verdict.kind is not Kind.NEUTRAL] or _naming_field_above(text, line_start)
        sibling = _FIELD_NAME.match(clauses[-1])
        levels = [lv for lv in levels if sibling is None or lv.name != (sibling.group(1) or sibling.group(2))]
    return [lv for lv in levels if lv.verdict.kind is not Kind.NEUTRAL] or _naming_field_above(text, line_start)


_NAMING_FLAG = "|".join(map(re.escape, sorted(keypath.NAMING_FLAGS)))  # one list, shared with a command's own line
_NAMING_FIELDS = "name|key|variable|var|env|secret_?name|parameter|param|label"


def _field_pattern(fields: str) -> re.Pattern[str]:
    """``name: X``, ``"Name" = "X"`` (one of ``fields``), or a continued command's naming
    flag ``--name X \\``: group 1 is the indentation, group 2 the name."""
    return re.compile(
        rf"""^([ \t]*)(?:(?:-[ \t]*)?["']?(?:{fields})["']?[ \t]*[:=]|--(?:{_NAMING_FLAG})(?:[ \t]|=))"""
        r"""[ \t]*["']?([\w.\-/:]+)""",
        re.IGNORECASE,
    )


_NAMING_FIELD = _field_pattern(_NAMING_FIELDS)
# For a bare key word, a field saying which service the object is for names it too
# (``- type: questionpro`` over ``key: …``); for a value's sibling, ``type`` is its own.
_OWNER_WORDS = ("type", *keypath.PROVIDER_FIELDS)
_OWNER_FIELD = _field_pattern("|".join((_NAMING_FIELDS, *_OWNER_WORDS)))


def _naming_field_above(text: str, line_start: int) -> list[Level]:
    return _fields_above(text, line_start, _NAMING_FIELD)[0]


def _fields_above(text: str, line_start: int, fields: re.Pattern[str]) -> tuple[list[Level], list[Level]]:
    """The nearest field a few sibling lines up that names the value's object, and a
    ``type`` passed over on the way (see ``_says_whose``)."""
    end = text.find("\n", line_start, line_start + keypath.LINE_WINDOW)
    own = text[line_start : end if end >= 0 else line_start + keypath.LINE_WINDOW]
    indent = len(own) - len(own.lstrip(" \t"))
    kind_of_object: list[Level] = []
    for line in keypath.lines_above(text, line_start, keypath.SIBLING_LINES):
        if len(line) - len(line.lstrip(" \t-")) < indent or not line.strip() or line.lstrip().startswith("["):
            break  # left the object (a blank line or a section header ends it too)
        field = fields.match(line)
        if field is not None and len(field.group(1)) <= indent:
            name = field.group(2)
            if _says_whose(field.group(0), name):
                return [Level(name, Source.ABOVE, names.judge(name))], kind_of_object
            kind_of_object = kind_of_object or [Level(name, Source.ABOVE, names.judge(name))]
        if line.lstrip(" \t").startswith("-") and not line.lstrip(" \t").startswith("--"):
            break  # the first line of this list item: the object starts here (a flag does not)
    return [], kind_of_object


# A naming field on the value's own line: ``{"Name": "prod/questionpro/key", "SecretString": …}``.
_INLINE_NAMING_FIELD = re.compile(
    rf"""(?<![\w-])["']?(?:name|secret_?name|parameter_?name|label|{"|".join(_OWNER_WORDS)})["']?[ \t]*[:=]"""
    r"""[ \t]*["']([\w.\-/:]+)["']""",
    re.IGNORECASE,
)


_TYPE_FIELD = re.compile(r"""[ \t]*(?:-[ \t]*)?["']?type["']?[ \t]*[:=]""", re.IGNORECASE)


def _says_whose(field: str, value: str) -> bool:
    """A ``type`` field's value is often a kind of object (``"type": "shell"``, ``type:
    custom``, ``type: rest``), not whose it is: it counts at once when it names QuestionPro or
    a kind of credential (``type: api_key``); otherwise a name, label or provider field of the
    object goes first, and the type counts only when there is none (``type: opsgenie``).
    Other naming and provider fields say whose, whoever they name."""
    if _TYPE_FIELD.match(field) is None:
        return True
    verdict = names.judge(value)
    return verdict.owner is Owner.QUESTIONPRO or verdict.kind in names.KEY_KINDS


def _object_name(text: str, line_start: int, start: int) -> list[Level]:
    """For a key word with no owner on its line: the name of the object it is in, a naming
    field on its line or a few sibling lines up (``- name: questionpro`` / ``token: …``)."""
    found = None
    lo = max(line_start, start - keypath.LINE_WINDOW)
    before = text[lo:start].lower()
    kind_of_object: list[Level] = []
    if any(word in before for word in ("name", "label", *_OWNER_WORDS)):  # literals first: the regex has no fast start
        for hit in _INLINE_NAMING_FIELD.finditer(text, lo, start):
            level = Level(hit.group(1), Source.SIBLING, names.judge(hit.group(1)))
            if _says_whose(hit.group(0).lstrip("\"'"), hit.group(1)):
                found = level
            else:
                kind_of_object = [level]
    if found is not None:
        return [found]
    named, above_kind = _fields_above(text, line_start, _OWNER_FIELD)
    return (
        named
        or linecontext.questionpro_host_beside(text, line_start)
        or linecontext.step_tool(text, line_start)
        or kind_of_object
        or above_kind  # a type that says what kind of object, when nothing says whose
    )


_IN_URL = re.compile(r"""https?://[^\s"'<>`]*\Z""")


def _key_path(ctx: Context, start: int, line_start: int, line_end: int) -> Iterator[Sequence[Level]]:
    """The levels of the UUID at ``start``, in batches from the nearest outwards."""
    text = ctx.text
    if valueform.credentials_id(text, start) and not valueform.PROGRAM.search(ctx.path or ""):
        yield [valueform.CREDENTIALS_ID]
        return
    if keypath.braced(text, start) and not valueform.keyed_by_own_name(text, line_start, start):
        yield [valueform.REGISTRY_ID]  # ``"{…}"``: the registry's, Visual Studio's and SSIS's form of an id
        return
    shape, line_start = linecontext.shape(text, line_start, start)
    kinds = [lv.verdict.kind for lv in shape.levels if lv.verdict.kind not in (Kind.NEUTRAL, Kind.WEAK)]
    named: list[Level] = []
    if kinds and all(lv.verdict.owner is Owner.NONE for lv in shape.levels):
        named = _object_name(text, line_start, start)
        if kinds[0] is Kind.KEYWORD and any(lv.verdict.kind not in (Kind.NEUTRAL, Kind.WEAK) for lv in named):
            yield named  # a bare ``secret``/``token`` field: the object's name says what it holds
    column = [] if shape.named else keypath.markdown_column(text, line_start, start)
    column_first = any(lv.verdict.kind not in (Kind.NEUTRAL, Kind.WEAK) for lv in column)
    if column_first:
        yield column  # a table's header names its column's cells, not the row's other cells
    lo = max(line_start, start - keypath.LINE_WINDOW)
    url = _IN_URL.search(text, lo, start) if text.find("://", lo, start) >= 0 else None
    if url is not None and text[start - 1] == ":" and text.startswith("@", start + 36):
        password, host = valueform.userinfo_password(text, start + 37)  # ``http://user:<uuid>@host``
        if host.verdict.owner is Owner.QUESTIONPRO or not valueform.names_the_connection(shape, host):
            yield [password, host]
        else:  # a gateway's: the line's names (``AIRFLOW_CONN_QUESTIONPRO=``) first, then the host
            yield [password]
            yield shape.levels
            yield [host]
        return
    if url is not None and text[start - 1] == "/":  # a path segment (``https://hc-ping.com/<uuid>``)
        owner = names.judge(url.group(0))
        if owner.owner is not Owner.QUESTIONPRO:  # another host's path: the URL is its only name
            yield [Level(url.group(0), Source.LINE, owner)]
            return
    yield shape.levels
    if url is not None:
        return  # a URL's part (``…/unsub?t=<uuid>``): only its own parameter's name names it
    if not kinds:
        if shape.named and shape.levels:
            yield linecontext.paired_name(text, shape.levels[0].name, start)
        elif own_element := linecontext.element_name(text, line_start, start):
            yield linecontext.paired_name(text, own_element, start)
        if shape.opener == "(":  # a SQL row's column header, else the argument after it on its line
            yield keypath.sql_column(text, start, shape)
            yield linecontext.next_argument(text, start, line_end)
        elif not shape.opener:
            yield linecontext.piped_into(text, start, line_end)
            yield linecontext.returned_by(text, line_start, start)
        if not shape.named:
            yield _above_levels(text, line_start, start)
        if not column_first:
            yield column
        if line_start > 0 and line_end - line_start <= keypath.CSV_LINE_MAX:
            yield keypath.csv_column(ctx.header(), text[line_start:line_end], start - line_start)
    elif shape.opener == "(":  # the row's cells named it; its provider cell says whose
        yield [lv for lv in keypath.sql_column(text, start, shape) if lv.source is Source.SIBLING]
    elif line_start > 0 and line_end - line_start <= keypath.CSV_LINE_MAX:
        yield keypath.csv_provider(ctx.header(), text[line_start:line_end], start - line_start)
    yield named
    yield keypath.parent_levels(text, line_start)
    yield keypath.section_level(ctx.section_before(line_start))
    yield keypath.path_levels(ctx.path)


def _belongs_to_other_service(ctx: Context, start: int, end: int, line_start: int, line_end: int) -> bool:
    """A closer mention of another ``api-key`` service than of QuestionPro, or a request
    that names only another host."""
    text = ctx.text
    if linecontext.sent_to_another_host(text, start, line_start, line_end):
        return True
    lo = max(0, start - _COMPETE_WINDOW)
    mentions = ctx.qp_mentions()
    i = bisect.bisect_right(mentions, start)
    last_qp = mentions[i - 1] if i and mentions[i - 1] >= lo else -1
    line_end = min(line_end, end + 400)
    after_qp = i < len(mentions) and mentions[i] <= line_end
    last_other = ctx.last_other_mention(lo, start)
    after_other = _OTHER_MARK.search(text, end, line_end) is not None
    if after_other and not after_qp:
        return True
    return last_other > last_qp


def is_key(ctx: Context, start: int, end: int, line_start: int, line_end: int) -> bool:
    """Is the UUID at ``start`` a QuestionPro key, judged by its key path?"""
    text = ctx.text
    sole = len(text) <= 40 and text.strip() == text[start:end]
    walk = _Walk(_key_path(ctx, start, line_start, line_end))
    ctx.last_walk = (start, walk)
    naming = judge_path(walk, sole)
    if naming is Naming.NONE:
        naming = _as_api_key(
            ctx, start, walk, sole, lambda: linecontext.comment_names_questionpro(text, end, line_start, line_end)
        )
    if naming is Naming.CONTEXTUAL:
        return bool(ctx.qp_mentions()) and not _belongs_to_other_service(ctx, start, end, line_start, line_end)
    return naming is Naming.NAMED


_MANGLED = 3  # the longest name a minifier gives (``e``, ``Qn``, ``t2``)


def _as_api_key(ctx: Context, start: int, walk: _Walk, sole: bool, commented: Callable[[], bool]) -> Naming:
    """A value whose own name is a bare key word (``KEY = "…"``, ``token: …``) or names only
    its owner (``QP = "…"``) says no more than "a secret of someone's". It is an API key
    when the file sends that variable as its ``api-key`` header or parameter, or a comment
    beside it or just above names QuestionPro: its path is judged again with that kind
    (so another owner on it, or another service named closer, still refutes it)."""
    first = next((batch for batch in walk if batch), None)
    if not first:
        return Naming.NONE
    own = first[0]
    owner, kind = own.verdict.owner, own.verdict.kind
    if own.source is not Source.LINE:
        return Naming.NONE
    if kind is Kind.NEUTRAL and owner is not Owner.QUESTIONPRO and len(own.name) <= _MANGLED:
        # A minifier's name (``Qn="…"`` … ``{"api-key":Qn}``) names no one, and is reused in
        # every scope: only a use close by says what it holds.
        if not ctx.sent_as_api_key_near(own.name, start):
            return Naming.NONE
        owner = Owner.NONE
    elif not (kind is Kind.KEYWORD and owner is not Owner.OTHER) and not (
        kind is Kind.NEUTRAL and owner is Owner.QUESTIONPRO
    ):
        return Naming.NONE
    elif not (ctx.sent_as_api_key(own.name) or commented()):
        return Naming.NONE
    keyed = Level(own.name, own.source, names.Verdict(owner, Kind.KEY))
    return judge_path([[keyed, *first[1:]], *walk.after(first)], sole)


def datacenter_of(ctx: Context, start: int, line_start: int, line_end: int) -> str | None:
    """The datacenter a map key on the key at ``start``'s path names: ``questionpro:`` →
    ``eu:`` → ``token: …``, ``QP_KEYS = {"ca": …}``. Only a key that is exactly a
    datacenter's name, and only inside a level QuestionPro owns (``eu:`` → ``questionpro:``
    says nothing of which QuestionPro; ``region: eu-west-1`` names no datacenter)."""
    found: str | None = None
    walked = ctx.last_walk[1] if ctx.last_walk is not None and ctx.last_walk[0] == start else None
    for batch in walked or _key_path(ctx, start, line_start, line_end):
        for level in batch:
            if level.verdict.owner is Owner.QUESTIONPRO:
                return found
            if found is None and level.source in _MAP_KEYS:
                found = datacenters.named_by(level.name)
    return None


_TABLE_ROW = re.compile(r"[ \t]*\|")  # matched, not stripped: a long line is looked at once per UUID


def line_naming_at(line: str, start: int) -> Naming:
    """What the value's line alone says (the line gate); NONE only when the line refutes
    it. A Markdown table row's cells do not: its column header, above, names it first."""
    in_url = line.find("://", max(0, start - keypath.LINE_WINDOW), start) >= 0
    if line[start - 1 : start] == ":" and line.startswith("@", start + 36) and in_url:
        return Naming.CONTEXTUAL  # a URL's password: its host decides (``_userinfo_password``)
    if keypath.braced(line, start) and not valueform.keyed_by_own_name(line, 0, start):
        return Naming.NONE
    shape = keypath.line_shape(line, 0, start)
    naming = judge_path([shape.levels])
    if naming is Naming.NONE and not (_refuted(shape.levels) and not _TABLE_ROW.match(line)):
        return Naming.CONTEXTUAL
    return naming


def _refuted(levels: Sequence[Level]) -> bool:
    for level in levels:
        if level.verdict.kind is Kind.NEUTRAL and len(level.name) <= _MANGLED:
            continue  # a minifier's name: its use elsewhere in the file may say what it holds
        if level.verdict.owner is Owner.OTHER:
            return True
        if level.verdict.kind not in (Kind.NEUTRAL, Kind.WEAK):
            return level.verdict.kind not in _KEYISH
    return False
