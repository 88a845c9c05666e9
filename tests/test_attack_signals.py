"""SIGTERM (a CI cancel or timeout, ``kill``) is handled as Ctrl-C is: exit 143 with the
line saying what state it left, and never a lost key (issue 8). The real CLI against the
local fakes, signalled for real."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run, assert_no_secret, run_cli, start_cli
from tests.corpus import new_key
from tests.fake_github import FakeGitHub
from tests.fake_questionpro import FakeQuestionPro

REPO = "octo/app"
SECRET_PUT = f"/repos/{REPO}/actions/secrets/QUESTIONPRO_API_KEY"


class HeldGitHub(FakeGitHub):
    """GitHub, with the store of the real secret held until ``release`` (the preflight
    probe's secret goes through)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.storing, self.release = threading.Event(), threading.Event()

    def handle(self, h: Any) -> None:
        if h.command == "PUT" and h.path == SECRET_PUT and not self.release.is_set():
            self.storing.set()
            self.release.wait(30)
        super().handle(h)


@dataclass
class World:
    qp: FakeQuestionPro
    gh: HeldGitHub
    env: dict[str, str]
    cwd: Path

    def run(self, *args: str) -> Run:
        return run_cli(list(args), self.cwd, stdin="", env=self.env)

    def respond(self) -> subprocess.Popen[str]:
        args = ["respond", "--repo", REPO, "--yes", "--timeout", "60"]
        return start_cli(args, self.cwd, stdin=self.qp.valid_key + "\n", env=self.env)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    qp = FakeQuestionPro(valid_key=new_key())
    gh = HeldGitHub(repo=REPO, tokens={"tok": {"secrets", "issues"}})
    env = {
        "QUESTIONPRO_BASE_URL": qp.start(),
        "GITHUB_API_URL": gh.start(),
        "GITHUB_TOKEN": "tok",
        "QP_RESPONDER_STATE_DIR": str(tmp_path / "state"),
    }
    yield World(qp, gh, env, tmp_path)
    gh.release.set()
    qp.stop()
    gh.stop()


def _wait(condition: Any) -> None:
    deadline = time.monotonic() + 30
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert condition()


def _signal(child: subprocess.Popen[str], signum: int) -> tuple[int, str]:
    child.send_signal(signum)
    child.wait(timeout=30)
    assert child.stdout is not None and child.stderr is not None
    return child.returncode, child.stdout.read() + child.stderr.read()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_while_the_reply_is_awaited_waits_for_the_new_key(world: World, signum: int) -> None:
    """QuestionPro has made the new key and only its reply carries it: the first signal
    waits for the reply (saying so), then takes effect; `resume` delivers the key."""
    old = world.qp.valid_key
    world.qp.hang_seconds = 2
    world.qp.script = ["timeout-after-rotate"]  # rotates, then answers after hang_seconds
    child = world.respond()
    _wait(lambda: world.qp.calls == 1)
    code, output = _signal(child, signum)
    assert code == 128 + signum, output
    assert "waiting for QuestionPro's reply" in " ".join(output.split())
    assert "interrupted" in output and "qp-responder resume" in output
    new = world.qp.valid_key
    assert_no_secret(output, [old, new])
    world.gh.release.set()
    resumed = world.run("resume")
    assert resumed.code == 0, resumed.output
    assert world.gh.secrets and new in world.gh.secrets.values() and world.qp.calls == 1


def test_a_second_signal_stops_waiting_and_the_outcome_is_unknown(world: World) -> None:
    """A GitHub Actions cancel: SIGINT, then SIGTERM; the second breaks in (exit 143) and
    `resume` records the outcome as unknown (never regenerates)."""
    world.qp.hang_seconds = 20
    world.qp.script = ["timeout-after-rotate"]
    child = world.respond()
    _wait(lambda: world.qp.calls == 1)
    child.send_signal(signal.SIGINT)
    time.sleep(0.5)
    code, output = _signal(child, signal.SIGTERM)
    assert code == 143, output
    assert "interrupted" in output and "qp-responder resume" in output
    resumed = world.run("resume")
    assert world.qp.calls == 1  # never sent again
    assert resumed.code == 5, resumed.output


def test_sigterm_while_storing_loses_no_key(world: World) -> None:
    old = world.qp.valid_key
    child = world.respond()
    _wait(world.gh.storing.is_set)
    new = world.qp.valid_key  # rotated: the fake now knows only the new key
    code, output = _signal(child, signal.SIGTERM)
    assert code == 143, output
    assert "interrupted" in output and "qp-responder resume" in output
    assert_no_secret(output, [old, new])
    world.gh.release.set()
    resumed = world.run("resume")
    assert resumed.code == 0, resumed.output
    assert new in world.gh.secrets.values() and world.qp.calls == 1
    assert_no_secret(resumed.output, [old, new])


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_in_a_deferred_block_takes_effect_when_it_ends(signum: int) -> None:
    from responder.core.signals import Terminated, deferred, terminate_as_interrupt

    steps = []
    with terminate_as_interrupt() as received, pytest.raises(KeyboardInterrupt) as raised:
        with deferred():
            os.kill(os.getpid(), signum)
            time.sleep(0.05)  # the signal is delivered: held, not raised
            steps.append("finished")
    assert steps == ["finished"]
    assert isinstance(raised.value, Terminated) == (signum == signal.SIGTERM) == received.terminated


def test_while_patient_a_second_signal_breaks_in_and_the_first_is_announced() -> None:
    from responder.core.signals import deferred

    said: list[str] = []
    with pytest.raises(KeyboardInterrupt), deferred(patient=True, on_hold=lambda: said.append("waiting")):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)
        assert said == ["waiting"]  # held, and said so
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)
        pytest.fail("a second signal while patient must break in")
