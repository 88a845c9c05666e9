"""A line as a reader sees it through one or two layers of escaping.

Keys end up inside other strings: a JSON string's ``\\"api-key\\": \\"…\\"``, a .NET log's
``\\u0022api-key\\u0022``, a URL's ``%7B%22api-key%22%3A%22…%22%7D``, an HTML attribute's
``&quot;``. A UUID's own characters never change under these escapes; only the quotes,
colons and slashes around it do, and those are what says whose it is. ``view`` gives the
line with those escapes undone (breaks, tabs and everything else left as written, so the
line stays one line) and where the UUID sits in it; the detector judges that view when
the line as written does not make the UUID a key.
"""

from __future__ import annotations

import html
import re

# One escape of a printable ASCII character (what quoting and structure are made of).
_ESCAPE = re.compile(
    r"%(?P<pct>[2-7][0-9A-Fa-f])"  # URL: %22 %3A %7B …
    r"|\\u00(?P<uni>[2-7][0-9A-Fa-f])"  # JSON, JavaScript, C#: \u0022
    r"|\\x(?P<hex>[2-7][0-9A-Fa-f])"  # C, Python, shell $'…': \x22
    r"|\\(?P<char>[\"'/\\])"  # a backslash before a quote, a slash or itself
    r"|&(?P<ent>quot|apos|amp|lt|gt|#(?:3[49]|x2[27]));"  # HTML and XML entities
)
# In a form-encoded text (``%3A+%7B``) a plus beside an escape is a space.
_FORM_SPACE = re.compile(r"(?<=%[0-9A-Fa-f]{2})\+|\+(?=%[0-9A-Fa-f]{2})")
_HINT = re.compile(r"%[2-7][0-9A-Fa-f]|\\[u\\x\"'/]|&(?:quot|apos|amp|lt|gt|#)")
_LAYERS = 2  # ``\\\"`` (a JSON string inside a JSON string) needs two passes
REACH = 1000  # characters of the line re-read on each side of the UUID (linear on one-line files)


def _undo(found: re.Match[str]) -> str:
    for group in ("pct", "uni", "hex"):
        if found.group(group) is not None:
            return chr(int(found.group(group), 16))
    if found.group("char") is not None:
        return found.group("char")
    return html.unescape(found.group())


def unescape(text: str) -> str:
    """``text`` with its quoting escapes undone, up to two layers deep."""
    for _ in range(_LAYERS):
        if _HINT.search(text) is None:
            break
        if "+" in text and "%" in text:
            text = _FORM_SPACE.sub(" ", text)
        text = _ESCAPE.sub(_undo, text)
    return text


def view(text: str, line_start: int, line_end: int, start: int, secret: str) -> tuple[str, int] | None:
    """The UUID's line in ``text`` (at most ``REACH`` characters on each side of the UUID at
    ``start``) unescaped, and the UUID's offset in it; None when that part of the line has
    no such escape."""
    lo, hi = max(line_start, start - REACH), min(line_end, start + len(secret) + REACH)
    if _HINT.search(text, lo, hi) is None:
        return None
    before, after = unescape(text[lo:start]), unescape(text[start + len(secret) : hi])
    if len(before) + len(after) == hi - lo - len(secret):
        return None  # nothing was undone
    return before + secret + after, len(before)
