"""The unescaped view of a line (``responder.scanning.escapes``): what each layer becomes,
and what is left as written."""

from __future__ import annotations

import pytest

from responder.scanning import detect, escapes
from tests.corpus import new_key


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ('{\\"api-key\\":\\"K\\"}', '{"api-key":"K"}'),  # a JSON string's quotes
        ('{\\\\\\"api-key\\\\\\":1}', '{"api-key":1}'),  # two layers: JSON in a JSON string
        ("%7B%22api-key%22%3A%22K%22%7D", '{"api-key":"K"}'),  # URL-encoded
        ("%7B%22headers%22%3A+%7B%22a%22%7D", '{"headers": {"a"}'),  # form-encoded: + beside an escape
        ("key%3D+val", "key= val"),
        ("x+y", "x+y"),  # no escape beside it: a plus stays a plus
        ("{\\u0022api-key\\u0022:1}", '{"api-key":1}'),  # System.Text.Json
        ("\\x22k\\x22", '"k"'),
        ("&quot;api-key&quot;: &#34;K&#x27;", '"api-key": "K\''),  # HTML and XML entities
        ("https:\\/\\/api.questionpro.eu\\/a", "https://api.questionpro.eu/a"),  # Slack's slashes
        ("line\\nbreak\\ttab", "line\\nbreak\\ttab"),  # breaks stay escaped: one line stays one line
        ("100%ZZ %e9 \\u00e9", "100%ZZ %e9 \\u00e9"),  # not an ASCII quoting character: as written
    ],
)
def test_unescape(written: str, read: str) -> None:
    assert escapes.unescape(written) == read


def test_view_places_the_uuid_and_is_none_without_escapes() -> None:
    key = new_key()
    line = f"hdrs=%7B%22api-key%22%3A%22{key}%22%7D"
    seen = escapes.view(line, 0, len(line), line.index(key), key)
    assert seen == (f'hdrs={{"api-key":"{key}"}}', len('hdrs={"api-key":"'))
    plain = f'"api-key": "{key}"'
    assert escapes.view(plain, 0, len(plain), plain.index(key), key) is None


def test_view_reads_only_a_window_of_a_long_line() -> None:
    key = new_key()
    line = "%22" * 5000 + key + "%22" * 5000
    unescaped, offset = escapes.view(line, 0, len(line), line.index(key), key) or ("", 0)
    assert unescaped[offset : offset + len(key)] == key
    assert len(unescaped) < 2 * escapes.REACH + len(key)  # a window, not the 30,000-character line


@pytest.mark.parametrize("before", ["%22", "\\u0022", "\\x22", "%3A", "%2F"])
def test_an_escaped_character_before_a_uuid_does_not_glue_it_to_a_hex_run(before: str) -> None:
    key = new_key()
    assert [m.group() for m in detect.iter_uuids(f"x{before}{key}%22")] == [key]


@pytest.mark.parametrize("before", ["%2", "0022", "ab12", "%zz1"])
def test_a_longer_hex_run_is_still_not_a_uuid(before: str) -> None:
    assert list(detect.iter_uuids(f"x{before}{new_key()}")) == []
