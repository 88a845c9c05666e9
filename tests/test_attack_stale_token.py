"""A stale resume token (the secret was updated after the token's rotation) writes nothing
and says so with its own outcome, ``secret-newer`` (exit 10): never ``rotated-and-stored``
with exit 0, which a script would read as "the new key is in place" (issue 8, finding 4).
The issue is still found or opened; ``--force`` writes the key."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests import response_world
from tests.fake_github import Fault
from tests.response_world import World

world, slept = response_world.world, response_world.slept  # the fixtures
TOKEN = re.compile(r"qpr2\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


def test_a_stale_token_is_its_own_outcome_not_stored(world: World, tmp_path: Path) -> None:
    world.gh.faults[("PUT", "secret")] = [Fault(200), Fault(422)]  # probe passes, the store is refused
    failed = world.respond()
    assert failed.code == 6, failed.output
    world.gh.faults.clear()
    [token] = TOKEN.findall(failed.output)
    assert world.run("resume", "--sealed", token, "--yes").code == 0  # delivered: N1 stored
    n1 = world.gh.secret_value()
    world.old_key = n1  # type: ignore[assignment]  # N1 leaks too, is rotated, and N2 is stored
    assert world.respond().code == 0
    n2 = world.gh.secret_value()
    elsewhere = {"QP_RESPONDER_STATE_DIR": str(tmp_path / "elsewhere")}
    stale = world.run("resume", "--sealed", token, "--yes", "--accept-unverified", "--format", "json", env=elsewhere)
    assert stale.code == 10, stale.output
    outcome = json.loads(stale.stdout)  # one token: one outcome
    assert outcome["status"] == "secret-newer" and outcome["exit_code"] == 10
    assert outcome["issue_url"] and outcome["resume_tokens"]  # the issue is done; the token to --force
    assert world.gh.secret_value() == n2 != n1
