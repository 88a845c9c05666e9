"""Text from scanned files and servers reaches people inert (issue 8 finding 10): in the
issue body nothing breaks out of a code span (no mention, link, image or markup), the
marker comment cannot be closed early, and no terminal control (C0, DEL, C1 such as the
one-character CSI U+009B, bidi overrides) reaches the terminal.

The body is parsed with a CommonMark parser (markdown-it-py, GFM tables on) the way
GitHub would render it; the CLI runs for real on files with hostile names.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from responder.core import console
from responder.response import issue_text
from tests.conftest import run_cli
from tests.corpus import new_key

WEB = "https://github.com"
REPO = "octo/app"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
HOSTILE = [
    "config`.py",
    "a` @octocat [x](https://evil.example) `b.py",
    "``` @octocat ```.py",
    "x`` `` ``y.py",
    "`leading.py",
    "trailing`",
    "pipe|in|name.py",
    "--> <img src=x onerror=alert(1)>.py",
    "![img](https://evil.example/x.png).py",
    "line\nbreak @octocat.py",
    "\u202egnp.py",
    "dir/(paren)/[bracket] name.py",
]


def _walk(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    for token in tokens:
        out.append(token)
        if token.children:
            out.extend(_walk(token.children))
    return out


def render_tokens(body: str) -> list[Token]:
    return _walk(MarkdownIt("commonmark").enable("table").parse(body))


RESPONSE_ID = "20261130T100000-0123456789ab-0badc0de"


def _body(filename: str, request_id: str = "5012fedc-e8ce-48ae-b800-6q5ce287987a7dje") -> str:
    leak = {
        "filename": filename,
        "line_number": 3,
        "commit": COMMIT,
        "redacted": "1234…0abc",
        "hashed_secret": "a" * 40,
    }
    return issue_text.body(
        request_id=request_id,
        response_id=RESPONSE_ID,
        datacenter="com",
        leak=leak,
        secrets=["environment prod @octocat [x](https://evil.example) of octo/app"],
        web_url=WEB,
        repo=REPO,
    )


@pytest.mark.parametrize("filename", HOSTILE)
def test_a_hostile_file_name_stays_inside_its_code_span(filename: str) -> None:
    tokens = render_tokens(_body(filename))
    links = [t for t in tokens if t.type == "link_open"]
    assert [t.attrs["href"] for t in links] == [
        t.attrs["href"] for t in links if str(t.attrs["href"]).startswith(f"{WEB}/{REPO}/blob/{COMMIT}/")
    ]
    assert len(links) == 1 and not [t for t in tokens if t.type in ("image", "html_inline", "html_block")][1:]
    prose = " ".join(t.content for t in tokens if t.type == "text")
    assert "@octocat" not in prose and "evil.example" not in prose and "<img" not in prose
    code = [t.content.replace("\\|", "|").strip() for t in tokens if t.type == "code_inline"]
    assert console.printable(filename) in code  # shown whole, controls escaped


def test_the_first_cell_rows_survive_a_pipe_in_the_name() -> None:
    tokens = render_tokens(_body("pipe|in|name.py"))
    cells = [t for t in tokens if t.type == "td_open"]
    assert len(cells) == 12  # six rows of two cells: no row split by the pipe


@pytest.mark.parametrize(
    "request_id",
    ["x --> <img src=x onerror=alert(1)> <!--", "`` @octocat ``", "id\n# heading", "a|b"],
)
def test_a_hostile_request_id_cannot_close_the_marker_or_add_markup(request_id: str) -> None:
    body = _body("ok.py", request_id)
    first = body.splitlines()[0]
    # the marker names the response's own id; the request id is only shown, in a code span
    assert first == issue_text.marker(RESPONSE_ID) and first.count("-->") == 1 and first.endswith("-->")
    tokens = render_tokens(body)
    assert [t.type for t in tokens if t.type.startswith("heading")] == ["heading_open", "heading_close"]  # Checklist
    prose = " ".join(t.content for t in tokens if t.type == "text")
    assert "@octocat" not in prose and "<img" not in prose


def test_the_marker_names_the_response_id_unchanged() -> None:
    assert issue_text.marker(RESPONSE_ID) == f"<!-- qp-responder response-id: {RESPONSE_ID} -->"
    assert issue_text.marker("x --> <b>") == "<!-- qp-responder response-id: x%20--%3E%20%3Cb%3E -->"


TERMINAL_CONTROLS = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0), 0x202E, 0x2066)]


@pytest.mark.parametrize("char", TERMINAL_CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_no_terminal_control_survives_printable(char: str) -> None:
    shown = console.printable(f"a{char}b")
    assert char not in shown and shown.startswith("a\\") and shown.endswith("b")


@pytest.mark.parametrize("char", ["\x9b", "\x7f", "\x1b", "\x85", "\u202e"], ids=lambda c: f"U+{ord(c):04X}")
def test_file_names_with_controls_reach_the_terminal_escaped(tmp_path: Path, char: str) -> None:
    key = new_key()
    name = f"conf{char}[31mRED.py"
    (tmp_path / name).write_text(f'QUESTIONPRO_API_KEY = "{key}"\n', encoding="utf-8")
    for fmt in ("text", "json", "sarif"):
        run = run_cli(["scan", "--format", fmt, "."], tmp_path, secrets=[key])
        assert run.code == 1, run.output
        assert char not in run.stdout and char not in run.stderr
        if fmt == "text":
            assert re.search(r"conf\\(x|u)[0-9a-f]{2,4}\[31mRED\.py", run.stdout), run.stdout


def test_server_text_in_messages_is_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    console.error("QuestionPro said: \x9b2J\x1b[2Jhello\u202e")
    console.out("line one\nline\ttwo\x9b\n")
    console.say("rotation failed: QuestionPro said \x9b2J\x7f\n")
    captured = capsys.readouterr()
    for char in ("\x9b", "\x1b", "\u202e"):
        assert char not in captured.err and char not in captured.out
    assert "line one\nline\ttwo" in captured.out  # lines and tabs kept
