"""The key path of a UUID: the names from the value up through what encloses it.

Levels, nearest first:

* the value's own clause on its line (``QP_KEY_EU=``, ``"apiKey": "``, a prose label
  ``QuestionPro production API key: ``, a flag ``gh secret set NAME --body ``);
* when that clause names nothing (a positional argument, ``value:``, a table cell): the
  sibling names on the line (``.header("api-key", "<uuid>")``, ``{"key": "api-key",
  "value": …}``) and the line above (``- name: X`` / ``value: …``, plist, Android);
* the enclosing brackets on the line: the callee of ``(`` (``QuestionProClient("…")``) and
  the name before ``{`` / ``[`` (``QP_KEYS = {"eu": …}``);
* the indentation parents above (YAML, pretty-printed JSON, HCL blocks, XML elements) and
  the nearest ``[section]`` header (INI, TOML);
* column headers (CSV/TSV header row, ``INSERT INTO t (cols) VALUES``, Markdown tables);
* the file's path (``secrets/questionpro/key``, ``questionpro.env``).

Everything looks at a bounded window around the value: no parser, no quadratic walk.
"""

from __future__ import annotations

import enum
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from responder.core import datacenters
from responder.scanning.names import KEY_KINDS, Kind, Owner, Verdict, is_qualified_foreign_key_word, judge

LINE_WINDOW = 300  # characters of the value's line looked at, before it
_PARENT_LINES = 40  # lines walked up for indentation parents
_PARENT_CHARS = 4000
_SQL_CHARS = 8000
_TABLE_LINES = 200
CSV_LINE_MAX = 65536


class Source(enum.Enum):
    LINE = "line"
    SIBLING = "sibling"
    ABOVE = "line above"
    CALLEE = "callee"
    PARENT = "parent"
    SECTION = "section"
    COLUMN = "column"
    FILENAME = "file name"
    PATH = "path"
    COMMENT = "comment"


@dataclass(frozen=True)
class Level:
    name: str
    source: Source
    verdict: Verdict


_TOKEN = re.compile(r"[A-Za-z_$@][\w.\-/:$@]*")
_HEXISH = re.compile(r"[0-9a-fA-F-]+")
_CLOSING_TAG = re.compile(r"</[\w.:-]+>")
_STRUCTURE = re.compile(r"[()\[\]{},;|]")
SECTION = re.compile(r"^[ \t]*\[\[?([\w.\-\" ]+)\]\]?[ \t\r]*$", re.MULTILINE)
_INSERT = re.compile(r"insert\s+into\s+([\w.`\"\[\]]+)\s*\(([^()]*)\)\s*values", re.IGNORECASE)
_YAML_ANCHOR = re.compile(r"(?<=:)[ \t]+(?:[&!][^\s&!]*[ \t]*)+$")
_XML_OPEN = re.compile(r"^\s*<([\w.:-]+)(?:\s[^<>]*)?>\s*$")
_PROSE_WORD = re.compile(r"[A-Za-z][\w-]*")
# An escaped line break or tab inside a string or a logged request (``Host: h\r\napi-key: ``)
# separates names as the character itself would; roff's escaped dash (a man page's
# ``\-\-api\-key``) joins them as a dash would.
_ESCAPED = re.compile(r"\\([nrt-])")
# PHP's serialized form writes each string's type and length before it (``s:7:"api_key";
# s:36:"…"``, WordPress options, Laravel caches): framing, not names.
_PHP_FRAME = re.compile(r"""(?<![\w:])[saO]:\d{1,9}:(?=["{])""")
# An index inside a dotted path (Helm's ``receivers[1].opsgenie_configs[0].api_key``).
_PATH_INDEX = re.compile(r"(?<=\w)\[\d{1,6}\](?=[.\[])")


# An opened tag's attributes (``<td class="x">``, ``<value xsi:type="xsd:string">``) say how
# it is shown or typed, not what it holds; a naming attribute does (``<string
# name="questionpro_api_key">``), and one the value itself is in is not yet closed.
_TAG_ATTRIBUTES = re.compile(r"<[\w.:-]+(\s[^<>]*)>")
_ATTRIBUTE = re.compile(r"""([\w.:-]+)[ \t]*=[ \t]*(?:"[^"]*"|'[^']*'|[^\s>]+)""")
_NAMING_ATTRIBUTES = frozenset("name key label id for title android:name".split())
_NAMED_BY = re.compile(r"""\s([\w.:-]+)[ \t]*=[ \t]*["']([\w.\-/:]{1,64})["']""")


def _blank_attributes(tag: re.Match[str]) -> str:
    def blank(attribute: re.Match[str]) -> str:
        if attribute.group(1).lower() not in _NAMING_ATTRIBUTES:
            return " " * len(attribute.group())
        # its value is the name; the attribute's own word (``name``, ``key``) names nothing
        return " " * len(attribute.group(1)) + attribute.group()[len(attribute.group(1)) :]

    start = tag.start(1) - tag.start()
    return tag.group()[:start] + _ATTRIBUTE.sub(blank, tag.group(1)) + ">"


def _spans(clause: str) -> list[tuple[str, int, int]]:
    """Name-like tokens with their spans, nearest (rightmost) first; hex runs (pieces of
    other UUIDs, hashes) are values, not names."""
    clause = _CLOSING_TAG.sub(lambda m: " " * len(m.group()), clause)
    if "\\" in clause:
        clause = _ESCAPED.sub(lambda m: "--" if m.group(1) == "-" else "  ", clause)  # same offsets
    if ':"' in clause or ":{" in clause:
        clause = _PHP_FRAME.sub(lambda m: " " * len(m.group()), clause)
    if "]." in clause:  # ``receivers[1].opsgenie_configs[0].api_key``: one dotted name
        clause = _PATH_INDEX.sub(lambda m: "_" * len(m.group()), clause)
    if "=" in clause and "<" in clause:
        clause = _TAG_ATTRIBUTES.sub(_blank_attributes, clause)
    found = []
    for hit in _TOKEN.finditer(clause):
        token = hit.group().rstrip(".-/:")
        if token and not (len(token) >= 8 and _HEXISH.fullmatch(token)):
            found.append((token, hit.start(), hit.start() + len(token)))
    return found[::-1]


def _tokens(clause: str) -> list[str]:
    return [token for token, _, _ in _spans(clause)]


_WEAK_ALONE = Verdict(Owner.NONE, Kind.WEAK)  # ``value``: says "a value", not whose nor what


def _has_kind(verdict: Verdict) -> bool:
    return verdict.kind not in (Kind.NEUTRAL, Kind.WEAK)


_PROSE_STOPS = frozenset("with for of to from in on at by and or the a an as is are was were be via using".split())
# What happened to a key, in a sentence (``the leaked key …``): no owner. In a name
# (``EXPIRED_API_KEY``, a test fixture's) these words still count as strangers.
_PROSE_STATES = frozenset("leaked revoked rotated compromised exposed old previous new current".split())


def _prose_owner(clause: str, spans: list[tuple[str, int, int]]) -> Owner:
    """The owner named by the plain words just before a name (``Stripe API key``,
    ``QuestionPro production API key``): words separated by single spaces only, so a
    command (``curl -H "api-key: …"``) or an attribute list names nobody; a function word
    ends the phrase (``… configured with API key``: ``configured`` names nobody)."""
    for (_, start, _), (before, _, before_end) in itertools.pairwise(spans[:5]):
        if clause[before_end:start] != " " or not _PROSE_WORD.fullmatch(before) or before.lower() in _PROSE_STOPS:
            return Owner.NONE
        if before.lower() in _PROSE_STATES:
            continue
        if (seen := judge(before).owner) is not Owner.NONE:
            return seen
    return Owner.NONE


_PROSE_LOOKUP = frozenset("primary foreign composite".split())  # database keys, in prose


def _prose_compound(clause: str, spans: list[tuple[str, int, int]], i: int) -> Verdict | None:
    """A bare key word's verdict with the prose word before it (``cache key``, ``session
    token``) when the pair names a lookup or an id; None otherwise."""
    if i + 1 >= len(spans) or clause[spans[i + 1][2] : spans[i][1]] != " ":
        return None
    before = spans[i + 1][0]
    if not _PROSE_WORD.fullmatch(before):
        return None
    if before.lower() in _PROSE_LOOKUP:
        return Verdict(Owner.NONE, Kind.ID)
    compound = judge(f"{before}_{spans[i][0]}")
    return compound if compound.kind in (Kind.ID, Kind.REFERENCE) else None


_PREPOSITIONS = frozenset("for of in on to from with at by about".split())
_PROSE_GAP = re.compile(r"[^\x00-\x7f]*[ \t]?[^\x00-\x7f]*")  # a space, and letters' stray marks (NFD, mojibake)


def _prose_head(clause: str, spans: list[tuple[str, int, int]], i: int) -> int:
    """The index (in ``spans``) of the name a prose label is about: ``QuestionPro key for the
    onboarding survey:`` is a key (the words after ``for`` say which), not a survey id.
    ``i`` itself when its word is not in such a phrase. Only for a label (``:`` or ``=``
    before the value): in a sentence, ``API key for tenant <uuid>`` is the tenant's id."""
    j = i
    while j + 1 < len(spans) and j - i < 8:
        (_, start, _), (before, _, before_end) = spans[j], spans[j + 1]
        if not _PROSE_GAP.fullmatch(clause, before_end, start) or not _PROSE_WORD.fullmatch(before):
            return i
        if before.lower() in _PREPOSITIONS:
            if j + 2 < len(spans) and clause[spans[j + 2][2] : spans[j + 1][1]] == " ":
                head = spans[j + 2][0]
                if _PROSE_WORD.fullmatch(head) and _has_kind(judge(head)):
                    return j + 2
            return i
        j += 1
    return i


# Flags whose argument names the secret a command stores (``--name``, ``--secret-id``).
NAMING_FLAGS = frozenset("name key secret-id secret-name parameter-name title label".split())


def _is_flag(clause: str, start: int) -> bool:
    return clause[start - 1 : start] == "-" and clause[start - 2 : start - 1] in ("", " ", "\t", "-")


def _other_flags(clause: str, spans: list[tuple[str, int, int]]) -> set[int]:
    """When the value is a command's flag argument (``… --body ``), the indexes (in
    ``spans``) of the command's other flags and their arguments: siblings, which say
    nothing of this value (``--type SecureString``, ``--repo acme/survey-app``), except
    a naming flag's argument (``--name /prod/questionpro/key``)."""
    if not spans or not _is_flag(clause, spans[0][1]):
        return set()
    skip: set[int] = set()
    for i in range(len(spans) - 1, 0, -1):  # source order, the value's own flag (index 0) kept
        token, start, _ = spans[i]
        if not _is_flag(clause, start):
            continue
        skip.add(i)
        after = spans[i - 1]
        if i - 1 > 0 and not clause[spans[i][2] : after[1]].strip(" \t=\"'") and not _is_flag(clause, after[1]):
            if token.lower() not in NAMING_FLAGS:
                skip.add(i - 1)
    return skip


def clause_levels(clause: str, source: Source) -> list[Level]:
    """The name a clause gives its value: the nearest token with a kind, whose owner may
    be stated by the words just before it in prose (``Stripe API key: …``)."""
    spans = _spans(clause)
    skip = _other_flags(clause, spans)
    tokens = [token if i not in skip else "" for i, (token, _, _) in enumerate(spans)]
    for i, token in enumerate(tokens):
        if not token:
            continue
        verdict = judge(token)
        if not _has_kind(verdict):
            continue
        labelled = ":" in clause[spans[0][2] :] or "=" in clause[spans[0][2] :]  # ``… for the X survey: K``
        head = _prose_head(clause, spans, i) if labelled and i + 2 < len(spans) else i
        if head != i and tokens[head]:
            token, verdict = tokens[head], judge(tokens[head])
        elif verdict.kind is Kind.KEYWORD and (compound := _prose_compound(clause, spans, i)) is not None:
            verdict = compound  # ``Cache key <uuid>``, ``primary key …``: a lookup key, not a secret
        elif verdict.kind is Kind.KEYWORD and is_qualified_foreign_key_word(token, clause[spans[i][2] :]):
            verdict = Verdict(Owner.NONE, Kind.ID)  # ``clave de sesión``: a session's key
        owner = verdict.owner
        if owner is Owner.NONE and _PROSE_WORD.fullmatch(token):
            owner = _prose_owner(clause, spans[head:])
        levels = [Level(token, source, Verdict(owner, verdict.kind, verdict.strangers))]
        mentions = [t for t in tokens[head + 1 :] if judge(t).owner is Owner.QUESTIONPRO]
        return levels + [Level(t, source, judge(t)) for t in mentions[:1]]
    # A weak word says nothing of the value, but a name holding one can still name its
    # owner (``questionpro_default: {password: …}``).
    levels = [Level(t, source, judge(t)) for t in tokens[:1] if _names_or_owns(judge(t))]
    levels += [Level(t, source, judge(t)) for t in tokens[1:] if judge(t).owner is Owner.QUESTIONPRO][:1]
    return levels


def _names_or_owns(verdict: Verdict) -> bool:
    return verdict.kind is not Kind.WEAK or verdict.owner is Owner.QUESTIONPRO


def _names_nothing(clause: str) -> bool:
    return all(judge(t).kind is Kind.WEAK for t in _tokens(clause))


@dataclass
class _Group:
    opener: str  # the bracket that encloses the previous group; "" for the value's own
    clauses: list[str] = field(default_factory=list)  # nearest first


def _groups(segment: str) -> list[_Group]:
    """Split the text before a value into clauses (at ``,;|``) and bracket groups."""
    groups = [_Group("")]
    depth, end = 0, len(segment)
    for hit in reversed(list(_STRUCTURE.finditer(segment))):
        c, i = hit.group(), hit.start()
        if c in ")]}":
            depth += 1
        elif c in "([{":
            if depth:
                depth -= 1
                continue
            groups[-1].clauses.append(segment[i + 1 : end])
            groups.append(_Group(c))
            end = i
        elif depth == 0:
            groups[-1].clauses.append(segment[i + 1 : end])
            end = i
    groups[-1].clauses.append(segment[:end])
    return groups


def _sibling_levels(group: _Group) -> list[Level]:
    """Names among the value's siblings (the clauses before it in its bracket or row): the
    nearest with a kind, and a sibling naming QuestionPro (a table row's label:
    ``questionpro;<uuid>``)."""
    levels: list[Level] = []
    for clause in group.clauses[1:4]:
        found = endpoint_level(clause) or clause_levels(clause, Source.SIBLING)
        levels += [lv for lv in found if _has_kind(lv.verdict) or lv.verdict.owner is Owner.QUESTIONPRO]
        if any(_has_kind(lv.verdict) for lv in levels):
            break
    return levels


_QUERY_PARAM = re.compile(r"""[?&]([A-Za-z_][\w.\-]{0,63})=["']?\Z""")
# An AWS resource name the value is glued to (Terraform's ``"id": "arn:…:secret:x|<uuid>"``):
# the value is that resource's version id, whatever the resource is called.
# So is one after a reference's last colon (ECS's ``valueFrom: arn:…:api_key::<uuid>``,
# CloudFormation's ``{{resolve:secretsmanager:…::<uuid>}}``).
_VERSION_OF = re.compile(r"(?<![\w:])(?:arn|resolve):[\w\-]+:[^\s\"'|,;]{1,400}[:|]\Z")
# A quoted base URL (a host, or QuestionPro's API root) standing alone as an argument or a
# tuple's item; a resource's URL (``…/surveys/123``) is what a request id or a cache entry
# goes with, not a key.
_QUOTED_URL = re.compile(
    r"""[ \t]*["'`]https?://([\w.\-]{1,253})(?::\d{1,5})?(?:/a/api/v2(?:/users/\d{1,12})?)?/?["'`][ \t]*"""
)


def endpoint_level(clause: str) -> list[Level]:
    """QuestionPro's API base URL as an unnamed value's neighbour (``EU("https://api.questionpro.eu",
    "…")``, a row ``("https://api.questionpro.com", "…")``): the value goes to that API with
    it, as a client's constructor is given its key. Its public survey pages (``www.``) and
    other hosts say nothing."""
    found = _QUOTED_URL.fullmatch(clause)
    if found is None or not datacenters.is_service_host(found.group(1)):
        return []
    return [Level(found.group(1), Source.SIBLING, Verdict(Owner.QUESTIONPRO, Kind.CONSTRUCTOR))]


def _callee_levels(clause: str) -> list[Level]:
    tokens = _tokens(clause)
    if not tokens:
        return []
    callee = tokens[0]
    whole = judge(callee)
    segments = [seg for seg in re.split(r"[.:]+", callee) if seg]
    if len(segments) > 1 and segments[-1].lower() in _FACTORIES:
        segments.pop()  # ``QuestionPro::Client.new(…)``: the class says what is built
    last = judge(segments[-1] if segments else callee)
    kind = last.kind if last.kind is not Kind.WEAK else Kind.NEUTRAL
    if (
        kind is Kind.NEUTRAL
        and whole.owner is Owner.QUESTIONPRO
        and last.owner is Owner.QUESTIONPRO
        and "-" not in callee
    ):
        kind = Kind.CONSTRUCTOR  # ``new QuestionPro("…")``, ``QuestionProApi("…")``; not a pod's ``qp-sync-x2k(<uid>)``
    # ``requests.get``, ``axios.create``: a library's verb names no owner; ``StripeClient``,
    # ``QuestionPro.Client``, ``new Stripe`` do.
    owner = whole.owner if last.owner is not Owner.NONE or kind is Kind.CONSTRUCTOR else Owner.NONE
    levels = [Level(callee, Source.CALLEE, Verdict(owner, kind, whole.strangers))]
    return levels + clause_levels(clause[: clause.rfind(callee)], Source.PARENT)


@dataclass(frozen=True)
class LineShape:
    """What the value's own line says: its levels, and where the value sits."""

    levels: tuple[Level, ...]
    named: bool  # the value's own clause names it
    opener: str  # the innermost bracket around it on the line ("" if none)
    position: int  # its index among its siblings inside that bracket
    callee: str  # the name before that bracket


def line_shape(text: str, line_start: int, start: int) -> LineShape:
    """The levels the value's own line gives it (at most ``LINE_WINDOW`` characters back)."""
    segment = text[max(line_start, start - LINE_WINDOW) : start]
    groups = _groups(segment)
    own = groups[0].clauses[0]
    param = _QUERY_PARAM.search(own) if "://" not in own else None  # a URL's own look: ``_key_path``
    if param is not None:  # ``?api_key=x&state=<uuid>``: a query parameter's own name, never another's
        own = param.group(1)
    levels = clause_levels(own, Source.LINE)
    named = not _names_nothing(own)
    if _VERSION_OF.search(segment):  # the reference is the value: this is its version
        levels, named = [Level("arn", Source.LINE, Verdict(Owner.NONE, Kind.REFERENCE))], True
    elif not any(_has_kind(lv.verdict) for lv in levels) and (not named or not own.strip(" \t\"'`<>")):
        levels += _sibling_levels(groups[0])
    for group in groups[1:]:
        if group.opener == "(" and _tokens(group.clauses[0])[:1] in (["VALUES"], ["values"]):
            break  # a SQL row: its column header names it (``sql_column``)
        if group.opener == "(":
            levels += _callee_levels(group.clauses[0])
        elif _tokens(group.clauses[0]) and all(judge(t) == _WEAK_ALONE for t in _tokens(group.clauses[0])):
            # ``{"key": "…api_key", "value": {"stringValue": …}}``: a weak name's siblings name it
            levels += [Level(lv.name, Source.PARENT, lv.verdict) for lv in _sibling_levels(group)]
        else:
            levels += clause_levels(group.clauses[0], Source.PARENT)
    callee = _tokens(groups[1].clauses[0])[:1] if len(groups) > 1 else []
    return LineShape(
        tuple(levels),
        named,
        groups[1].opener if len(groups) > 1 else "",
        len(groups[0].clauses) - 1,
        callee[0] if callee else "",
    )


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t-"))


_FACTORIES = frozenset("new create of from instance getinstance newinstance".split())
_CONTROL = frozenset(
    "if else elif for while def fn func function class interface struct object enum impl module namespace "
    "switch case try catch do with".split()
)


def _parent_line_levels(line: str) -> list[Level]:
    """The names a line gives what is indented under it (``questionpro:``, ``"QuestionPro": {``,
    ``variable "qp_api_key" {``, ``<questionpro>``, ``client = Client(``)."""
    body = line.split(" #", 1)[0].split(" //", 1)[0].rstrip()
    body = _YAML_ANCHOR.sub("", body)  # ``questionpro: &qp`` opens a block like ``questionpro:``
    if not body:
        return []
    xml = _XML_OPEN.match(body)
    if xml:  # the element's own name (``<bean id="questionProClient" …>``), its class's, or its tag's
        attributes = {m.group(1).lower(): m.group(2) for m in _NAMED_BY.finditer(body, xml.end(1))}
        name = attributes.get("id") or attributes.get("name") or attributes.get("class", "").rsplit(".", 1)[-1]
        tag = xml.group(1)
        levels = [Level(name, Source.PARENT, judge(name))] if name and name != tag else []
        return [*levels, Level(tag, Source.PARENT, judge(tag))]  # ``<questionpro id="main">`` is QuestionPro's
    last = body[-1]
    if last == "(":
        return _callee_levels(body[:-1])
    if last not in "{[:=>" or body.endswith("->"):
        return []
    head = body.rstrip("{[:=> \t")
    if ")" in head or "(" in head:
        return []
    tokens = _tokens(head)
    if any(t in _CONTROL for t in tokens):
        # a class, function or control block names code, not a value's owner; unless the
        # declared name says QuestionPro (``enum QuestionProKeys {``, ``object QuestionProConfig {``)
        declared = [Level(t, Source.PARENT, judge(t)) for t in tokens if t not in _CONTROL]
        return [level for level in declared if level.verdict.owner is Owner.QUESTIONPRO][:1]
    return [Level(t, Source.PARENT, judge(t)) for t in tokens]


def _code_line(line: str) -> str:
    """A line of code kept as a JSON string, one per line (a notebook cell's ``source``:
    ``    "QP_KEYS = {\\n",``): its code, indented by the string's indentation plus its
    quote, so the code's own nesting shows. Any other line as it is."""
    stripped = line.rstrip()
    if not stripped.endswith(('\\n",', '\\n"')) or not stripped.lstrip().startswith('"'):
        return line
    lead = len(line) - len(line.lstrip())
    return " " * (lead + 1) + stripped[lead + 1 : stripped.rfind('\\n"')]


def parent_levels(text: str, line_start: int) -> list[Level]:
    """Indentation parents above the line starting at ``line_start``, nearest first."""
    levels: list[Level] = []
    end = text.find("\n", line_start, line_start + LINE_WINDOW)
    current = _indent(_code_line(text[line_start : end if end >= 0 else line_start + LINE_WINDOW]))
    pos, floor = line_start, max(0, line_start - _PARENT_CHARS)
    item_seen = -1
    for _ in range(_PARENT_LINES):
        if current == 0 or pos <= floor:
            break
        above = text.rfind("\n", floor, pos - 1) + 1
        line = _code_line(text[max(above, pos - 1 - LINE_WINDOW) : pos - 1])
        pos = above
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "//", "*", "/*", "<!--")):
            continue
        indent = _indent(line)
        if indent < current:
            current = indent
            levels += _parent_line_levels(line)
        elif indent == current != item_seen and levels and stripped.startswith("- "):
            item_seen = current  # the first line of the list item a parent is in; items above are others
            item = _ITEM_NAME.match(stripped)
            if item is not None and _names_item(item.group(1), named := judge(item.group(2))):
                levels.append(Level(item.group(2), Source.PARENT, named))
        if above == 0:
            break
    return levels


def _names_item(field: str, named: Verdict) -> bool:
    """Does a list item's naming field say what its nested values are? A key's name
    (``- name: api-key``) or QuestionPro's (``- conn_id: questionpro_default``) does; a
    customer's or a user's name says nothing (``- userName: survey-admin``). A ``*key``
    field only by naming QuestionPro: an External Secret's ``- secretKey:
    QUESTIONPRO_API_KEY`` names the secret stored, not the vault's ids nested under it."""
    if field.lower().endswith("key"):
        return named.owner is Owner.QUESTIONPRO and not _has_kind(named)
    return named.kind in KEY_KINDS or named.owner is Owner.QUESTIONPRO


# A list item's naming field on its first line: ``- name: api-key`` over ``schema:`` /
# ``default: …`` (an OpenAPI parameter), ``- name: QUESTIONPRO_API_KEY`` over ``valueFrom:``.
_ITEM_NAME = re.compile(
    r"""-[ \t]+["']?((?:[\w.\-]*?[_\-.])?(?i:name|id|key)|[\w.\-]*?[a-z](?:Name|Id|ID|Key))["']?"""
    r"""[ \t]*:[ \t]*["']?([\w.\-]+)"""
)  # ``name``, ``conn_id``, ``serviceName``, ``appKey``; not ``valid`` or ``android``


def braced(text: str, start: int) -> bool:
    """Is the UUID at ``start`` written ``{…}``, as the registry, Visual Studio and SSIS write ids?"""
    return text[start - 1 : start] == "{" and text.startswith("}", start + 36)


def is_cut(text: str, line_start: int) -> bool:
    """Did ``line_above`` stop inside a line longer than its window?"""
    return line_start > 0 and text[line_start - 1] != "\n"


SIBLING_LINES = 12  # how far a field's siblings are looked for (a Terraform state puts tags and ids between)


def lines_above(text: str, line_start: int, count: int) -> Iterator[str]:
    """Up to ``count`` lines above the one starting at ``line_start``, nearest first,
    stopping at the file's start or at a line longer than the look-back window (whose cut
    piece would pass for a line of its own)."""
    pos = line_start
    for _ in range(count):
        if pos == 0:
            return
        above = line_above(text, pos)
        if is_cut(text, above):
            return
        line, pos = text[above : pos - 1], above
        yield line


def lines_below(text: str, line_start: int, count: int) -> Iterator[str]:
    """Up to ``count`` lines below the one starting at ``line_start``, nearest first,
    stopping at the file's end or at a line longer than the look-ahead window."""
    pos = text.find("\n", line_start, line_start + LINE_WINDOW)
    for _ in range(count):
        if pos < 0 or pos + 1 >= len(text):
            return
        below = text.find("\n", pos + 1, pos + 1 + LINE_WINDOW)
        if below < 0 and pos + 1 + LINE_WINDOW < len(text):
            return  # a line longer than the window is no object's field
        yield text[pos + 1 : below if below >= 0 else len(text)]
        pos = below


def line_above(text: str, pos: int) -> int:
    """Where the line ending just before ``pos`` (a line's start) starts, looking back at
    most LINE_WINDOW characters: a longer line is seen by its last LINE_WINDOW characters
    (searching further, or slicing from the file's start, made each look linear in the
    file and a file of such lines quadratic)."""
    lo = max(0, pos - 1 - LINE_WINDOW)
    found = text.rfind("\n", lo, pos - 1)
    return found + 1 if found >= 0 else lo


def _last(found: Iterator[re.Match[str]]) -> re.Match[str] | None:
    last = None
    for last in found:  # noqa: B007 - the last one is wanted
        pass
    return last


def section_level(header: re.Match[str] | None) -> list[Level]:
    """The nearest ``[section]`` header above (INI, TOML), found by the caller."""
    if header is None or "," in header.group(1):
        return []
    name = header.group(1).replace('"', "")
    return [Level(name, Source.SECTION, judge(name))]


_ROW_START = re.compile(r"[ \t]*\|")


def markdown_column(text: str, line_start: int, start: int) -> list[Level]:
    """The header cell of a table column: Markdown (a ``|---|`` line under the header) or
    Confluence and Jira wiki markup (a ``||Header||`` row, no separator). A row longer
    than CSV_LINE_MAX is not looked up (each of its cells would count the row again)."""
    if not _ROW_START.match(text, line_start) or start - line_start > CSV_LINE_MAX:
        return []
    index = text.count("|", line_start, start) - 1
    top = line_start
    for _ in range(_TABLE_LINES):
        if top == 0:
            break
        above = text.rfind("\n", 0, top - 1) + 1
        if not _ROW_START.match(text, above, top):
            break
        top = above
    header_end = text.find("\n", top)
    if header_end < 0 or top == line_start:
        return []
    header = text[top:header_end].strip()
    if header.startswith("||"):
        cells = header.strip("|").split("||")
    else:
        second_end = text.find("\n", header_end + 1)
        if second_end < 0 or "-" not in text[header_end:second_end]:
            return []
        cells = header.strip("|").split("|")
    if 0 <= index < len(cells):
        name = cells[index].strip(" `*")
        return [Level(name, Source.COLUMN, judge(name))]
    return []


def csv_column(header: str, line: str, offset_in_line: int) -> list[Level]:
    """The header of a delimited file's column, when the line has the header's shape, and
    the row's provider cell (see ``csv_provider``)."""
    cut = _csv_cut(header, line)
    if cut is None:
        return []
    index = line.count(cut, 0, offset_in_line)
    name = header.split(cut)[index].strip(" \"'\r")
    return [Level(name, Source.COLUMN, judge(name)), *csv_provider(header, line, offset_in_line)]


def csv_provider(header: str, line: str, offset_in_line: int) -> list[Level]:
    """In a delimited file with a provider column (``system,…,secret_value``), the row's
    cell there says whose its values are: ``Heroku,…,api-key,<uuid>`` is Heroku's."""
    column = provider_column(header, line, offset_in_line)
    if column is None:
        return []
    provider = line.split(column[0])[column[1]].strip(" \"'\r")
    return [Level(provider, Source.SIBLING, judge(provider))]


def provider_column(header: str, line: str, offset_in_line: int) -> tuple[str, int] | None:
    """(delimiter, index) of the header's provider column, other than the value's own."""
    cut = _csv_cut(header, line)
    if cut is None:
        return None
    index = line.count(cut, 0, offset_in_line)
    columns = [c.strip(" \"'\r").lower() for c in header.split(cut)]
    at = next((i for i, c in enumerate(columns) if c in PROVIDER_FIELDS and i != index), None)
    return None if at is None else (cut, at)


def _csv_cut(header: str, line: str) -> str | None:
    best = max(",\t;", key=line.count)
    fields = line.count(best)
    return best if fields and header.count(best) == fields else None


def sql_column(text: str, start: int, shape: LineShape) -> list[Level]:
    """``INSERT INTO t (a, api_key) VALUES (…, '<uuid>')``: the column and the table."""
    if shape.opener != "(" or shape.callee.lower() not in ("values", ""):
        return []
    found = _last(_INSERT.finditer(text, max(0, start - _SQL_CHARS), start))
    if found is None:
        return []
    columns = [c.strip(' `"[]') for c in found.group(2).split(",")]
    if shape.position >= len(columns):
        return []
    table = found.group(1).strip('`"[]')
    column = columns[shape.position]
    return [
        Level(column, Source.COLUMN, judge(column)),
        *_provider_cell(text, start, columns, shape.position),
        Level(table, Source.PARENT, judge(table)),
    ]


# Fields and columns that say which service a record is for (``provider: postmark``): one
# list, shared with the object look of a bare key word (``judge``).
PROVIDER_FIELDS = ("provider", "service", "vendor", "integration", "platform", "system")


def _provider_cell(text: str, start: int, columns: list[str], position: int) -> list[Level]:
    """In a row of a table with a provider column (``INSERT INTO integrations (id,
    provider, api_key)``), that row's provider cell says whose the value is: ``('…',
    'postmark', '<uuid>')`` is Postmark's key, ``'questionpro'`` QuestionPro's."""
    at = next((i for i, c in enumerate(columns) if c.lower() in PROVIDER_FIELDS and i != position), None)
    if at is None:
        return []
    lo = max(0, start - _SQL_CHARS)
    line_start = max(lo, text.rfind("\n", lo, start) + 1)
    opened = text.rfind("(", line_start, start)
    line_end = text.find("\n", start, start + _SQL_CHARS)
    closed = text.find(")", start, line_end if line_end >= 0 else start + _SQL_CHARS)
    if opened < 0 or closed < 0:
        return []
    cells = [cell.strip(" \t'\"") for cell in text[opened + 1 : closed].split(",")]
    if len(cells) != len(columns) or not _TOKEN.fullmatch(cells[at]):
        return []
    return [Level(cells[at], Source.SIBLING, judge(cells[at]))]


def path_levels(path: str | None) -> list[Level]:
    """The file's path, basename first. A directory names no *other* owner: project
    directories are arbitrary words; only QuestionPro in a path says anything."""
    if not path:
        return []
    levels = []
    parts = path.replace("\\", "/").split("/")[-4:]
    for i, part in enumerate(reversed(parts)):
        verdict = judge(part)
        owner = Owner.QUESTIONPRO if verdict.owner is Owner.QUESTIONPRO else Owner.NONE
        levels.append(Level(part, Source.FILENAME if i == 0 else Source.PATH, Verdict(owner, verdict.kind)))
    return levels
