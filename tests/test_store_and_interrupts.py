"""`store` takes only QuestionPro keys, confirms like `respond` and refuses a key the
journals say was regenerated (issue 8 finding 8); Ctrl-C at a prompt exits 130 with the
state it left, never 1 ("key found") with "Aborted!" (finding 11).

The real CLI against the local fakes; the prompts through a real pseudo-terminal.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import Run, assert_no_secret, pty_session, run_cli, start_cli
from tests.corpus import new_key
from tests.fake_github import FakeGitHub
from tests.fake_questionpro import FakeQuestionPro

REPO = "octo/app"
GH_TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"


@dataclass
class World:
    qp: FakeQuestionPro
    gh: FakeGitHub
    env: dict[str, str]
    cwd: Path

    def run(self, *args: str, stdin: str, secrets: tuple[str, ...] = ()) -> Run:
        return run_cli(list(args), self.cwd, stdin=stdin, env=self.env, secrets=secrets)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    qp = FakeQuestionPro(valid_key=new_key())
    gh = FakeGitHub(repo=REPO, tokens={"tok": {"secrets", "issues"}})
    env = {
        "QUESTIONPRO_BASE_URL": qp.start(),
        "GITHUB_API_URL": gh.start(),
        "GITHUB_TOKEN": "tok",
        "QP_RESPONDER_STATE_DIR": str(tmp_path / "state"),
    }
    yield World(qp, gh, env, tmp_path)
    qp.stop()
    gh.stop()


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("not-a-key", "not a QuestionPro API key"),
        (GH_TOKEN, "GitHub token"),
        ("github_pat_" + "x" * 40, "GitHub token"),
        ("00000000-0000-0000-0000-000000000000", "placeholder"),
        ("123e4567-e89b-12d3-a456-426614174000", "placeholder"),
        ("5d0e8c1a-7f3b-4e2d-9a6c-1b8f4d7e2a90-extra", "not a QuestionPro API key"),
        ("", "no QuestionPro API key"),
    ],
)
def test_store_refuses_what_is_not_a_questionpro_key(world: World, value: str, says: str) -> None:
    run = world.run("store", "--repo", REPO, "--yes", stdin=value + "\n", secrets=(value,) if len(value) > 12 else ())
    assert run.code == 2, run.output
    assert says in run.stderr
    assert says.startswith("no ") or "nothing was" in run.stderr
    assert world.gh.log == [] and world.gh.secrets == {}


@pytest.mark.parametrize("command", ["respond", "store"])
def test_a_github_token_is_never_sent_as_a_questionpro_key(world: World, command: str) -> None:
    run = world.run(command, "--repo", REPO, "--yes", stdin=GH_TOKEN + "\n", secrets=(GH_TOKEN,))
    assert run.code == 2 and "GitHub token" in run.stderr, run.output
    assert world.qp.calls == 0 and world.qp.seen_headers == [] and world.gh.log == []


def test_store_without_yes_or_terminal_is_not_confirmed(world: World) -> None:
    key = new_key()
    run = world.run("store", "--repo", REPO, stdin=key + "\n", secrets=(key,))
    assert run.code == 3, run.output
    assert "not confirmed" in run.stderr and world.gh.secrets == {}


def test_store_with_yes_stores(world: World) -> None:
    key = new_key()
    run = world.run("store", "--repo", REPO, "--yes", stdin=key + "\n", secrets=(key,))
    assert run.code == 0, run.output
    assert world.gh.secret_value() == key


@pytest.mark.parametrize(("answer", "code"), [("yes", 0), ("no", 3)])
def test_store_asks_on_the_terminal(world: World, answer: str, code: int) -> None:
    key = new_key()
    status, screen = pty_session(
        ["store", "--repo", REPO],
        world.env,
        world.cwd,
        [("QuestionPro API key (input hidden):", key), ("Type 'yes' to continue:", answer)],
    )
    assert status == code, screen
    assert "Store this key now?" in screen and f"{key[:4]}…{key[-4:]}" in screen
    assert_no_secret(screen, [key])
    assert world.gh.secret_value() == (key if answer == "yes" else None)


def test_store_refuses_a_key_already_regenerated(world: World) -> None:
    old = world.qp.valid_key
    assert world.run("respond", "--repo", REPO, "--yes", stdin=old + "\n", secrets=(old,)).code == 0
    new = world.gh.secret_value()
    assert new is not None and new != old
    refused = world.run("store", "--repo", REPO, "--yes", stdin=old + "\n", secrets=(old, new))
    assert refused.code == 2, refused.output
    assert "was regenerated" in refused.stderr and "--force" in refused.stderr
    assert world.gh.secret_value() == new  # the live key was not overwritten by the dead one
    forced = world.run("store", "--repo", REPO, "--yes", "--force", stdin=old + "\n", secrets=(old, new))
    assert forced.code == 0 and "warning" in forced.stderr
    assert world.gh.secret_value() == old


@pytest.mark.parametrize(
    ("argv", "answers", "state"),
    [
        (["respond", "--repo", REPO], [("(input hidden):", "\x03")], "interrupted at the key prompt: nothing"),
        (["store", "--repo", REPO], [("(input hidden):", "\x03")], "interrupted at the key prompt: nothing"),
        (
            ["respond", "--repo", REPO],
            [("(input hidden):", "KEY"), ("Type 'yes' to continue:", "\x03")],
            "interrupted at the confirmation prompt: nothing",
        ),
        (
            ["store", "--repo", REPO],
            [("(input hidden):", "KEY"), ("Type 'yes' to continue:", "\x03")],
            "interrupted at the confirmation prompt: nothing",
        ),
    ],
)
def test_ctrl_c_at_a_prompt_exits_130_and_says_nothing_changed(
    world: World, argv: list[str], answers: list[tuple[str, str]], state: str
) -> None:
    key = world.qp.valid_key
    answers = [(prompt, key if reply == "KEY" else reply) for prompt, reply in answers]
    status, screen = pty_session(argv, world.env, world.cwd, answers)
    assert status == 130, screen
    assert state in screen and "Aborted!" not in screen
    assert world.qp.calls == 0 and world.gh.secrets == {}
    assert_no_secret(screen, [key])


def test_ctrl_c_while_the_regenerate_request_is_in_flight_says_to_resume(world: World) -> None:
    """Interrupted twice after the request was sent (the first waits for the reply): exit
    130, a line pointing at the journal and `resume`, and `resume` then records the
    outcome as unknown (never regenerates)."""
    import signal
    import time

    world.qp.hang_seconds = 8
    world.qp.script = ["timeout-after-rotate"]
    key = world.qp.valid_key
    args = ["respond", "--repo", REPO, "--yes", "--timeout", "60"]
    child = start_cli(args, world.cwd, stdin=key + "\n", env=world.env)
    deadline = time.monotonic() + 30
    while world.qp.calls == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert world.qp.calls == 1
    child.send_signal(signal.SIGINT)  # held: the reply would carry the new key
    time.sleep(0.5)
    child.send_signal(signal.SIGINT)  # again: stop waiting
    child.wait(timeout=30)
    assert child.stdout is not None and child.stderr is not None
    stdout, stderr = child.stdout.read(), child.stderr.read()
    assert child.returncode == 130, stdout + stderr
    assert "interrupted" in stderr and "qp-responder resume" in stderr and "Aborted!" not in stderr
    assert_no_secret(stdout + stderr, [key, world.qp.valid_key])
    resumed = world.run("resume", stdin="")
    assert world.qp.calls == 1  # never sent again
    assert resumed.code == 5, resumed.output  # rotation outcome unknown: check, never retry blindly


def test_ctrl_c_at_a_later_prompt_reports_the_earlier_responses(world: World, tmp_path: Path) -> None:
    """scan --respond with two keys: the first rotation's outcome is unknown (a gateway's
    HTML 502), Ctrl-C at the second prompt. The first outcome is still reported, and the
    state line does not claim that nothing was rotated."""
    first, second = world.qp.valid_key, new_key()
    world.qp.other_keys.add(second)
    world.qp.script = ["html-502-after-rotate"]
    (tmp_path / "a.py").write_text(f"QUESTIONPRO_API_KEY = '{first}'\n")
    (tmp_path / "b.py").write_text(f"QP_API_KEY = '{second}'\n")
    status, screen = pty_session(
        ["scan", "--respond", "--repo", REPO, "a.py", "b.py"],
        world.env,
        tmp_path,
        [("Type 'yes' to continue:", "yes"), ("found at: b.py", "\x03")],  # the second plan's own line
    )
    assert status == 130, screen
    assert "rotation outcome unknown" in screen.lower() or "rotation-unknown" in screen
    assert "nothing more was changed" in screen and "nothing was rotated" not in screen
    assert world.qp.calls == 1
    assert_no_secret(screen, [first, second, world.qp.valid_key])
