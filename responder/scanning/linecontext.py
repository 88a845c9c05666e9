"""What the text around a value's line says of it, beyond the line's own names: the
argument after it in a call, a command continued onto its line, a comment beside or above
it naming QuestionPro, the hosts of the request it is sent in, the function that returns
it, the other half of its name/value pair, and a QuestionPro endpoint in its object. Every
look is bounded to a few lines or a few hundred characters, so a one-line file of keys
stays linear."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from responder.core import datacenters
from responder.scanning import keypath, names
from responder.scanning.keypath import Level, Source
from responder.scanning.names import Owner

_QUESTIONPRO = re.compile(r"questionpro|surveyanalytics", re.IGNORECASE)


# The argument right after an unnamed value in a call, when it is a quoted name (a label
# before it allowed): ``setValue("…", forHTTPHeaderField: "api-key")``.
_NEXT_ARGUMENT = re.compile(r"""[\w-]+["'`]?[ \t]*,[ \t]*(?:\w+[ \t]*:[ \t]*)?["'`]([\w.\-]{1,64})["'`][ \t]*[,)]""")


# The argument right after an unnamed value, when it is a quoted URL: ``Client("…", "https://api.questionpro.eu")``.
_NEXT_URL = re.compile(r"""[\w-]+["'`]?[ \t]*,([^,)\n]{1,500})[,)]""")


def next_argument(text: str, start: int, line_end: int) -> list[Level]:
    found = _NEXT_ARGUMENT.match(text, start, line_end)
    if found is None:
        url = _NEXT_URL.match(text, start, line_end)
        return keypath.endpoint_level(url.group(1)) if url is not None else []
    name = found.group(1)
    return [Level(name, Source.SIBLING, names.judge(name))]


# A function or getter that returns a literal: ``def qp_api_key():`` … ``return "…"``
# (a test fixture), ``get apiKey() {`` … ``return '…';``, ``function questionproKey() {``.
_RETURN = re.compile(r"""[ \t]*return[ \t(]+["'`]?\Z""")
_FUNCTION = re.compile(
    r"""[ \t]*(?:(?:async|static|public|private|protected|override|export)[ \t]+)*"""
    r"""(?:def|function|func|fun|fn|sub|get)[ \t]+(\w+)[ \t]*\("""
)
_FUNCTION_LINES = 12


def returned_by(text: str, line_start: int, start: int) -> list[Level]:
    """The name of the function whose ``return`` gives the value, a few lines up and less
    indented: the function is named for what it returns."""
    if not _RETURN.match(text, line_start, start):
        return []
    indent = start - line_start - len(text[line_start:start].lstrip(" \t"))
    for line in keypath.lines_above(text, line_start, _FUNCTION_LINES):
        if not line.strip() or len(line) - len(line.lstrip(" \t")) >= indent:
            continue  # the function's body, a comment, a blank line
        if _INNER_BLOCK.match(line):  # ``if …:``, ``except:``, ``} else {``: the function is further up
            indent = len(line) - len(line.lstrip(" \t"))
            continue
        if _SIGNATURE_END.match(line):  # ``) -> str:`` ends a signature written over lines
            indent = len(line) - len(line.lstrip(" \t")) + 1
            continue
        found = _FUNCTION.match(line)  # the block the return is in: a function, or nothing said
        return [Level(found.group(1), Source.PARENT, names.judge(found.group(1)))] if found is not None else []
    return []


_INNER_BLOCK = re.compile(
    r"[ \t]*(?:[})][ \t]*)?(?:if|elif|else|try|except|finally|with|for|foreach|while|switch|case|catch|do|unless)\b"
)
_SIGNATURE_END = re.compile(r"[ \t]*\)")


# A value written into a pipe (``echo K | gh secret set NAME``, ``printf %s K | docker
# secret create NAME -``): the command it feeds names it.
_PIPED = re.compile(r"""[\w-]+["'`]?[ \t]*\|(?!\|)[ \t]*([^|;&\n]{1,200})""")


_FLAG_WITH_ARGUMENT = re.compile(r"(?<!\S)--?([\w-]+)(?:[ \t=]+(?!-)\S+)?")


def piped_into(text: str, start: int, line_end: int) -> list[Level]:
    """The names of the command a value is piped into; its flags and their arguments say
    nothing of the value (``--repo acme/app``), except naming flags (``--name qp/key``)."""
    found = _PIPED.match(text, start, line_end)
    if found is None:
        return []
    command = _FLAG_WITH_ARGUMENT.sub(
        lambda flag: flag.group() if flag.group(1).lower() in keypath.NAMING_FLAGS else " ", found.group(1)
    )
    return keypath.clause_levels(command, Source.SIBLING)


# A comment: on a line of its own (``#``, ``//``, ``--``, ``;``, ``*``, ``%``, ``<!--``), or
# after the value on its line (``#``, ``//``, after a space).
_COMMENT_LINE = re.compile(r"[ \t]*(?:#|//|--|;|/?\*|%|<!--)(.*)")
_TRAILING_COMMENT = re.compile(r"""[^\n]*?[ \t](?:#|//)(?![!/])([^\n]*)""")
_CONTINUED_LINES = 8


# The rest of a prose sentence after the value: words and light punctuation only, no code.
_PROSE_REST = re.compile(r"""([ \t]+[\w \t.,'’()-]*)\r?""")


def comment_names_questionpro(text: str, start: int, line_start: int, line_end: int) -> bool:
    """Does a comment beside the value (after it on its line) or on the line above name
    QuestionPro (``KEY=…  # QuestionPro API key``, ``# QuestionPro (EU account)``), or
    the prose sentence it is in (``the leaked key … was revoked in QuestionPro``)?"""
    hi = min(line_end, start + keypath.LINE_WINDOW)  # bounded: linear
    found = _TRAILING_COMMENT.match(text, start, hi) or _PROSE_REST.fullmatch(text, start, hi)
    if found is None and line_start > 0:
        above = keypath.line_above(text, line_start)
        found = _COMMENT_LINE.fullmatch(text, above, line_start - 1)
    return found is not None and names.mentions_questionpro(found.group(1)[:200])


def continued_from(text: str, line_start: int) -> int:
    """The first line of a command continued onto this one with a trailing backslash
    (shell, C, Python), at most a few lines up; ``line_start`` when there is none."""
    first = line_start
    for _ in range(_CONTINUED_LINES):
        if first == 0 or text[max(0, first - 3) : first - 1].rstrip("\r \t")[-1:] != "\\":
            break
        first = keypath.line_above(text, first)
    return first


def shape(text: str, line_start: int, start: int) -> tuple[keypath.LineShape, int]:
    r"""The value's line shape, over the whole command when it is continued from lines above
    (``gh secret set NAME \`` / ``--body …``), and where that command starts."""
    first = continued_from(text, line_start)
    if first == line_start:
        return keypath.line_shape(text, line_start, start), line_start
    joined = re.sub(r"\\\r?\n", lambda m: " " * len(m.group()), text[first:start])  # same offsets
    return keypath.line_shape(joined, 0, len(joined)), first


# A host the value is sent to: a URL's, or a ``.netrc`` entry's (``machine api.mailgun.net``).
# A substring search finds neither near most values, at memory speed (a bare-host pattern
# doubled the time of a one-line file of 20,000 keys).
# A netrc host has a dot ("machine learning" names none).
_HOST = re.compile(r"https?://([\w.-]+)|\bmachine[ \t]+([\w-]+\.[\w.-]+)")
_CALL_LOOKBACK = 600


def _call_start(text: str, start: int) -> int:
    """Where the call or object the value sits in opens, at most a few hundred characters
    back (``requests.post("https://…", headers={"api-key": …})``); ``start`` if none."""
    depth = 0
    for i in range(start - 1, max(-1, start - 1 - _CALL_LOOKBACK), -1):
        c = text[i]
        if c in ")]}":
            depth += 1
        elif c in "([{":
            if not depth and c == "(":
                return i
            depth = max(0, depth - 1)
    return start


def sent_to_another_host(text: str, start: int, line_start: int, line_end: int) -> bool:
    """The value's command or call names only hosts that are not QuestionPro's: the
    ``api-key`` it sends is theirs (``fetch("https://api.brevo.com/…", {headers: {"api-key":
    …}})``, ``curl https://ingest.acme.io -H "x-api-key: …"``)."""
    hi = min(line_end, start + _CALL_LOOKBACK)  # bounded both ways: a one-line file of keys stays linear
    near = max(0, start - _CALL_LOOKBACK)
    if text.find("://", near, hi) < 0 and text.find("machine", near, hi) < 0:
        return False  # the common case, at memory speed: no host near at all
    lo = max(min(continued_from(text, line_start), _call_start(text, start), line_start), start - _CALL_LOOKBACK)
    hosts = [found.group(1) or found.group(2) for found in _HOST.finditer(text, lo, hi)]
    return bool(hosts) and not any(_QUESTIONPRO.search(host) for host in hosts)


# A value field of a numbered or prefixed name/value pair (Grafana's ``httpHeaderValue1``
# beside ``httpHeaderName1: api-key``, ``header_value`` beside ``header_name``, JMeter's
# ``<stringProp name="Header.value">`` under ``name="Header.name">api-key<``): the pair's
# name field, which may sit in another block a few lines away, names it.
_PAIRED_VALUE = re.compile(r"(\w*?)[-_.]?value(\d*)", re.IGNORECASE)
_PAIR_WINDOW = 2000


@functools.lru_cache(maxsize=64)
def _paired_name_field(prefix: str, number: str) -> re.Pattern[str]:
    """``<prefix>[-_]name<number>: X``, led by the prefix's literal (a pattern led by a lazy
    word class cost the square of every long word's length in the window)."""
    return re.compile(
        rf"""(?<![\w-]){re.escape(prefix)}[-_.]?name{re.escape(number)}(?!\d)"""
        r"""(?:["']?[ \t]*[:=][ \t]*["']?|["']?>[ \t]*)([\w.\-]{1,64})""",  # a field, or an element
        re.IGNORECASE,
    )


# The element a value is the text of: ``<parameterValue>&quot;`` before it, or the name
# its naming attribute gives it (``<stringProp name="Header.value">``).
_XML_ELEMENT = re.compile(
    r"""<([\w.\-]+)(?:[ \t]+(?:name|key)[ \t]*=[ \t]*["']([\w.\-]{1,64})["'])?[ \t]*>[ \t]*(?:&quot;|["'])?\Z"""
)


def element_name(text: str, line_start: int, start: int) -> str:
    found = _XML_ELEMENT.search(text, max(line_start, start - 160), start)
    return (found.group(2) or found.group(1)) if found is not None else ""


def paired_name(text: str, own: str, start: int) -> list[Level]:
    """The name field of the pair whose value field is ``own`` (a value's own name), as a
    field (``httpHeaderName1: api-key``) or an element (``<parameterName>api-key<``): the
    nearest above it within a couple of thousand characters, else below; none for a plain
    ``value``."""
    field = _PAIRED_VALUE.fullmatch(own)
    if field is None or not (field.group(1) or field.group(2)):
        return []
    pattern = _paired_name_field(field.group(1), field.group(2))
    # A numbered pair may be split across blocks (Grafana's jsonData / secureJsonData); an
    # unnumbered one is one block's (JMeter's Argument.value, then its Argument.name).
    numbered = bool(field.group(2))
    best: tuple[int, str] | None = None
    if numbered:
        for found in pattern.finditer(text, max(0, start - _PAIR_WINDOW), start):
            best = (start - found.start(), found.group(1))  # the last one above is the nearest
        if best is None:
            below = pattern.search(text, start, start + _PAIR_WINDOW)
            best = (below.start() - start, below.group(1)) if below is not None else None
    else:
        best = _in_block(text, pattern, start, -1) or _in_block(text, pattern, start, 1)
    if best is None:
        return []
    return [Level(best[1], Source.SIBLING, names.judge(best[1]))]


def _in_block(text: str, pattern: re.Pattern[str], start: int, step: int) -> tuple[int, str] | None:
    """The nearest name field above (``step`` -1) or below (1) the value at ``start`` in its
    own block: lines are walked once, from the value's outwards, and the walk ends at a line
    indented less than both ends (another element or list item), or past the window."""
    line_start = text.rfind("\n", 0, start) + 1
    if step < 0:  # the value's own line first (``<i name="h.name">api-key</i><i name="h.value">``)
        last = None
        for last in pattern.finditer(text, max(line_start, start - _PAIR_WINDOW), start):  # noqa: B007
            pass
        if last is not None:
            return (start - last.start(), last.group(1))
    own = _indent_at(text, line_start)
    lowest = own  # the least indentation of the lines walked so far (strictly between)
    pos = line_start
    while True:
        if step < 0:
            if pos == 0 or start - pos > _PAIR_WINDOW:
                return None
            pos = keypath.line_above(text, pos)
            if keypath.is_cut(text, pos):
                return None  # inside a line longer than the window: no field of this block
        else:
            nxt = text.find("\n", pos, start + _PAIR_WINDOW)
            if nxt < 0:
                return None
            pos = nxt + 1
        line = _line_at(text, pos)
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" \t"))
        if lowest < min(indent, own):
            return None  # a line between left the block
        found = pattern.search(line)
        if found is not None and (step > 0 or pos + found.start() < start):
            return (abs(start - pos - found.start()), found.group(1))
        lowest = min(lowest, indent)


# A field holding a URL or host: ``"endpoint": "https://api.questionpro.com/…"``, ``base_url = …``.
# The name is checked in Python against whole names (``webhook_url`` or ``database`` point
# elsewhere); the pattern has one way to match, so a long padded line costs one pass.
_HOST_FIELD = re.compile(r"""[ \t]*(?:-[ \t]*)?["']?([\w.\-]+)["']?[ \t]*[:=][ \t]*["']?(?:https?://)?([\w.\-]+)""")
_HOST_FIELD_ENDS = ("url", "uri", "endpoint", "host", "hostname", "server", "base")
_ELSEWHERE = ("webhook", "callback", "redirect", "return", "success", "cancel", "notify", "database", "home")


def _is_host_field(name: str) -> bool:
    """``endpoint``, ``base_url``, ``apiBaseUrl``, ``baseurl``, ``questionpro_url``; not
    ``webhook_url``, ``homepage_url`` or ``database`` (a URL QuestionPro calls, a page, a file)."""
    words = names.words(name)
    lowered = name.lower()
    return bool(words) and words[-1].endswith(_HOST_FIELD_ENDS) and not any(w in lowered for w in _ELSEWHERE)


def questionpro_host_beside(text: str, line_start: int) -> list[Level]:
    """A bare key word's object that also holds a QuestionPro endpoint (``"endpoint":
    "https://api.questionpro.eu/…"`` a few fields up or down, same object) is QuestionPro's,
    whatever the object is called (a CLI profile ``"acme-eu": {…}``). Another host beside it
    says nothing: a client's object holds its own service's URLs and others'."""
    indent = _indent_at(text, line_start)
    if not indent:
        return []  # a file's top level (a module's ``BASE = …``, ``KEY = …``) is not one object
    for lines in (_sibling_lines_up(text, line_start, indent), _sibling_lines_down(text, line_start, indent)):
        for line in lines:
            field = _HOST_FIELD.match(line)
            if field is not None and _is_host_field(field.group(1)) and datacenters.is_service_host(field.group(2)):
                return [Level(field.group(2), Source.SIBLING, names.judge(field.group(2)))]
    return []


def _sibling_lines_up(text: str, line_start: int, indent: int) -> Iterator[str]:
    for line in keypath.lines_above(text, line_start, keypath.SIBLING_LINES):
        if len(line) - len(line.lstrip(" \t")) != indent or not line.strip():
            return  # left the object, or a nested one: only fields of its own level
        yield line


def _sibling_lines_down(text: str, line_start: int, indent: int) -> Iterator[str]:
    for line in keypath.lines_below(text, line_start, keypath.SIBLING_LINES):
        if len(line) - len(line.lstrip(" \t")) != indent or not line.strip():
            return  # left the object, or a nested one: only fields of its own level
        yield line


# A CI step's inputs (``with:``, Woodpecker's ``settings:``) and the tool the step runs, a
# sibling of that block: ``uses: codecov/codecov-action@v4``, ``image: plugins/codecov``.
_STEP_INPUTS = re.compile(r"[ \t]*(?:with|settings|inputs)[ \t]*:[ \t]*(?:#[^\r]*)?\r?$")
_STEP_TOOL = re.compile(r"""[ \t]*(?:-[ \t]+)?(?:uses|image|plugin|orb)[ \t]*:[ \t]*["']?([\w.\-/:@]{1,200})""")


def step_tool(text: str, line_start: int) -> list[Level]:
    """For a bare key word among a CI step's inputs: the action or image the step runs,
    when it names QuestionPro (``uses: acme/questionpro-export``). Another tool's name does
    not rule the key out: most are generic (``curlimages/curl``, ``acme/survey-export``)."""
    indent = _indent_at(text, line_start)
    parent = line_start
    for _ in range(keypath.SIBLING_LINES):  # up to the block holding the value
        if parent == 0:
            return []
        parent = keypath.line_above(text, parent)
        if keypath.is_cut(text, parent):
            return []
        if _line_at(text, parent).strip() and _indent_at(text, parent) < indent:
            break
    else:
        return []
    if _STEP_INPUTS.match(_line_at(text, parent)) is None:
        return []
    block = _indent_at(text, parent)
    up = keypath.lines_above(text, parent, keypath.SIBLING_LINES)
    down = keypath.lines_below(text, parent, keypath.SIBLING_LINES)
    for lines in (up, down):
        for sibling in lines:
            if not sibling.strip():
                continue
            level = len(sibling) - len(sibling.lstrip(" \t-"))
            if level < block:
                break  # left the step
            tool = _STEP_TOOL.match(sibling) if level == block else None
            if tool is not None and names.judge(tool.group(1)).owner is Owner.QUESTIONPRO:
                return [Level(tool.group(1), Source.SIBLING, names.judge(tool.group(1)))]
    return []


def _line_at(text: str, line_start: int) -> str:
    """The line starting at ``line_start``, at most ``LINE_WINDOW`` characters of it."""
    end = text.find("\n", line_start, line_start + keypath.LINE_WINDOW)
    return text[line_start : end if end >= 0 else line_start + keypath.LINE_WINDOW]


def _indent_at(text: str, line_start: int) -> int:
    line = _line_at(text, line_start)
    return len(line) - len(line.lstrip(" \t"))
