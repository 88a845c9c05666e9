"""The state directory, the journal and concurrency (issue 8, findings 5, 6 and 7).

The real CLI against the local QuestionPro and GitHub; hypothesis for the journal parser.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from responder.response import journal, names, records
from responder.response.records import RecordError
from tests import response_world
from tests.fake_github import Fault
from tests.response_world import REPO, World

world, slept = response_world.world, response_world.slept  # the fixtures

NOBODY = 65534


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# -- finding 5: the state directory ---------------------------------------------------------
def test_state_dir_and_its_parents_are_0700_whatever_the_umask(world: World, tmp_path: Path) -> None:
    state = tmp_path / "deep" / "er" / "state"
    code = "import os, runpy, sys; os.umask(0); runpy.run_module('responder', run_name='__main__', alter_sys=True)"
    done = subprocess.run(
        [sys.executable, "-c", code, "respond", "--repo", REPO, "--yes"],
        input=world.old_key + "\n",
        capture_output=True,
        text=True,
        env={**os.environ, **world.env, "QP_RESPONDER_STATE_DIR": str(state)},
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    for directory in (tmp_path / "deep", tmp_path / "deep" / "er", state):
        assert _mode(directory) == 0o700, directory
    [journal_file] = state.glob("*.jsonl")
    assert _mode(journal_file) == 0o600
    assert _mode(state / "lock") == 0o600


def _foreign(path: Path) -> None:
    path.mkdir()
    os.chown(path, NOBODY, NOBODY)


def _world_writable(path: Path) -> None:
    path.mkdir()
    path.chmod(0o777)


def _group_writable(path: Path) -> None:
    path.mkdir()
    path.chmod(0o770)


def _symlink_to_world_writable(path: Path) -> None:
    target = path.parent / "shared"
    target.mkdir()
    target.chmod(0o777)
    path.symlink_to(target)


def _symlink_to_foreign(path: Path) -> None:
    target = path.parent / "theirs"
    _foreign(target)
    path.symlink_to(target)


def _under_world_writable_parent(path: Path) -> None:
    path.parent.chmod(0o777)  # no sticky bit: anyone could swap the state directory


@pytest.mark.skipif(os.geteuid() != 0, reason="making a directory another user owns needs root")
@pytest.mark.parametrize(
    "make",
    [_foreign, _world_writable, _group_writable, _symlink_to_world_writable, _symlink_to_foreign],
)
def test_an_unsafe_state_dir_is_refused_before_anything_changes(world: World, tmp_path: Path, make: object) -> None:
    state = tmp_path / "unsafe" / "state"
    state.parent.mkdir()
    make(state)  # type: ignore[operator]
    run = world.respond(env={"QP_RESPONDER_STATE_DIR": str(state)})
    assert run.code == 7, run.output
    assert "refused" in run.output
    assert world.qp.calls == 0 and world.puts() == [] and world.gh.issues == []
    assert list(Path(os.path.realpath(state)).iterdir()) == []
    resumed = world.run("resume", env={"QP_RESPONDER_STATE_DIR": str(state)})
    assert resumed.code == 2 and "refused" in resumed.stderr


def test_a_world_writable_parent_without_sticky_bit_is_refused(world: World, tmp_path: Path) -> None:
    parent = tmp_path / "open"
    parent.mkdir()
    parent.chmod(0o777)
    run = world.respond(env={"QP_RESPONDER_STATE_DIR": str(parent / "state")})
    assert run.code == 7 and world.qp.calls == 0
    parent.chmod(0o1777)  # like /tmp: others cannot rename what is ours
    assert world.respond(env={"QP_RESPONDER_STATE_DIR": str(parent / "state2")}).code == 0


def test_a_symlink_to_a_private_directory_of_ours_is_used(world: World, tmp_path: Path) -> None:
    real = tmp_path / "real-state"
    real.mkdir(mode=0o700)
    link = tmp_path / "state-link"
    link.symlink_to(real)
    assert world.respond(env={"QP_RESPONDER_STATE_DIR": str(link)}).code == 0
    assert len(list(real.glob("*.jsonl"))) == 1


# -- finding 5: journals are validated -------------------------------------------------------
def _interrupted(world: World) -> Path:
    """A response whose store failed: its journal waits for `resume`."""
    world.gh.faults[("PUT", "secret")] = [
        Fault(200),
        Fault(422),
    ]  # the probe passes; the store is refused (not retried)
    assert world.respond().code == 6
    world.gh.faults.clear()
    [path] = world.state.glob("*.jsonl")
    return path


def _rewrite(path: Path, change: object) -> None:
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    for line in lines:
        change(line)  # type: ignore[operator]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))


def _retarget(field: str, value: object) -> object:
    def change(line: dict[str, object]) -> None:
        for target in line.get("targets", []) or []:  # type: ignore[attr-defined]
            target[field] = value
        for sealed in line.get("sealed", []) or []:  # type: ignore[attr-defined]
            sealed["target"][field] = value

    return change


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (_retarget("name", "GITHUB_TOKEN"), "a secret name the CLI refuses"),
        (_retarget("name", "DEPLOY KEY"), "a secret name GitHub refuses"),
        (_retarget("repo", "evil/other"), "another repository than the plan's"),
        (_retarget("repo", "octo/.."), "a path that collapses"),
        (lambda line: line.update(step="stored") if line["step"] == "preflight-ok" else None, "a forged step"),
        (lambda line: line.update(request_id="x --> @octocat") if line["step"] == "regenerated" else None, "markup"),
        (lambda line: line.update(response_id="../../x") if "response_id" in line else None, "a path in the id"),
        (lambda line: line.update(at="yesterday"), "a time that is not one"),
    ],
)
def test_resume_never_acts_on_a_journal_it_did_not_write(world: World, change: object, why: str) -> None:
    path = _interrupted(world)
    _rewrite(path, change)
    before = list(world.gh.log)
    run = world.run("resume")
    assert "not a journal qp-responder wrote" in run.stderr, why
    assert [c for c in world.gh.log[len(before) :] if c[0] in ("PUT", "POST", "DELETE")] == [], why
    assert world.gh.secret_value() is None and world.gh.issues == []


def test_a_planted_journal_with_loose_permissions_or_a_symlink_is_ignored(world: World, tmp_path: Path) -> None:
    path = _interrupted(world)
    path.chmod(0o666)
    run = world.run("resume")
    assert "cannot be read safely" in run.stderr and world.gh.secret_value() is None
    path.chmod(0o600)
    moved = tmp_path / "elsewhere.jsonl"
    path.rename(moved)
    path.symlink_to(moved)
    run = world.run("resume")
    assert "cannot be read safely" in run.stderr and world.gh.secret_value() is None
    path.unlink()
    moved.rename(path)
    assert world.run("resume").code == 0 and world.gh.secret_value() == world.qp.valid_key


def test_a_last_line_torn_by_a_crash_is_ignored_with_a_note(world: World) -> None:
    path = _interrupted(world)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write('{"step": "stored", "target": {"repo": "oc')  # the crash cut it here
    run = world.run("resume")
    assert run.code == 0, run.output
    assert "cut short by a crash" in run.stderr
    assert world.gh.secret_value() == world.qp.valid_key and len(world.gh.issues) == 1


# -- finding 6: concurrency --------------------------------------------------------------------
def test_resume_waits_for_a_running_response_instead_of_calling_it_unknown(world: World) -> None:
    world.qp.script = ["timeout-after-rotate"]
    world.qp.hang_seconds = 3.0  # QuestionPro is slow, and answers within --timeout
    env = {**os.environ, **world.env}
    key_file = world.cwd / "key.txt"
    key_file.write_text(world.old_key + "\n")
    with open(key_file, encoding="utf-8") as stdin:
        respond = subprocess.Popen(
            [sys.executable, "-m", "responder", "respond", "--repo", REPO, "--yes", "--timeout", "30"],
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=world.cwd,
        )
    key_file.unlink()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(
        s.get("step") == "regenerating" for steps in world.journals() for s in steps
    ):
        time.sleep(0.05)
    resumed = world.run("resume")  # while the response waits for QuestionPro
    out, err = respond.communicate(timeout=60)
    assert respond.returncode == 0, out + err
    assert resumed.code == 0 and "waiting for it" in resumed.stderr, resumed.output
    assert "nothing to resume" in resumed.stderr
    assert world.qp.calls == 1 and len(world.gh.issues) == 1
    assert world.gh.secret_value() == world.qp.valid_key
    [steps] = world.journals()
    assert "regenerate-unknown" not in [s["step"] for s in steps]


def test_two_responses_in_the_same_second_get_their_own_journals(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """(In process: the clock is injected, so both responses start in the same second.)"""
    from responder.core.redact import hashed_secret, redact
    from responder.response.service import Options, _plan, build_services
    from responder.response.workflow import Leak, respond

    for name, value in world.env.items():
        monkeypatch.setenv(name, value)
    outcomes = []
    for key, secret in ((world.old_key, "QP_ONE"), (world.old_key, "QP_TWO")):  # the same key twice
        options = Options(repo=REPO, yes=True, secret_name=secret)
        services = build_services(options, need_tokens=True)
        services.clock = lambda: 1_764_500_000.0
        leak = Leak(hashed_secret(key), redact(key))
        outcomes.append(respond(_plan(options, REPO, leak), key, services, confirmed=True))
    # the second finds the key already rotated (not "preflight-failed: File exists")
    assert [o.status.value for o in outcomes] == ["rotated-and-stored", "rotation-failed"], [
        o.message for o in outcomes
    ]
    assert len({o.journal for o in outcomes}) == 2 and len({o.response_id for o in outcomes}) == 2


def test_preflight_probe_names_are_unique_per_run(world: World) -> None:
    assert world.respond().code == 0
    world.old_key = world.qp.valid_key  # the replacement leaks in turn: rotating it is right
    assert world.respond().code == 0
    probes = [p.rsplit("/", 1)[1] for p in world.puts() if "PREFLIGHT" in p]
    assert len(probes) == 2 and len(set(probes)) == 2
    assert all(p.startswith("QP_RESPONDER_PREFLIGHT_") for p in probes)
    assert not any("PREFLIGHT" in name for _where, name in world.gh.secrets)


def test_a_later_response_never_silently_overwrites_an_earlier_replacement_key(world: World) -> None:
    assert world.respond().code == 0
    first_replacement = world.qp.valid_key
    other = "0d6f3b1e-2c4a-4b5d-8e9f-1a2b3c4d5e6f"
    world.qp.other_keys.add(other)
    refused = world.respond(key=other)
    assert refused.code == 7, refused.output
    said = " ".join(refused.output.split())  # (messages are wrapped for the terminal)
    assert "overwrite that replacement key" in said and "--force" in said
    assert world.qp.rotations == 1 and world.gh.secret_value() == first_replacement
    forced = world.respond("--force", key=other)
    assert forced.code == 0, forced.output
    assert world.qp.rotations == 2 and world.gh.secret_value() != first_replacement


def test_a_response_waits_for_an_earlier_key_still_to_be_stored(world: World) -> None:
    _interrupted(world)
    pending = world.qp.valid_key
    other = "0d6f3b1e-2c4a-4b5d-8e9f-1a2b3c4d5e6f"
    world.qp.other_keys.add(other)
    refused = world.respond(key=other)
    assert refused.code == 7 and "run `qp-responder resume` first" in " ".join(refused.output.split())
    assert world.qp.rotations == 1
    assert world.run("resume").code == 0 and world.gh.secret_value() == pending


# -- finding 7: a reply without requestID --------------------------------------------------------
@pytest.mark.parametrize("action", ["ok-no-request-id", "ok-hostile-request-id"])
def test_each_response_has_its_own_issue_whatever_the_request_id(world: World, action: str) -> None:
    world.qp.script = [action, action]
    first = world.respond("--format", "json")
    assert first.code == 0, first.output
    other = "0d6f3b1e-2c4a-4b5d-8e9f-1a2b3c4d5e6f"
    world.qp.other_keys.add(other)
    second = world.respond("--format", "json", "--secret-name", "OTHER_KEY", key=other)
    assert second.code == 0, second.output
    assert len(world.gh.issues) == 2, "the second response found the first one's issue"
    ids = [json.loads(run.stdout)["response_id"] for run in (first, second)]
    for issue, response_id in zip(world.gh.issues, ids, strict=True):
        assert f"<!-- qp-responder response-id: {response_id} -->" in issue["body"]
        assert issue["body"].count("-->") == 1 and "unknown" not in issue["body"].split("\n", 1)[0]
        assert "evil.example" not in issue["body"] and "@octocat" not in issue["body"]
    shown = json.loads(first.stdout)["request_id"]
    # none given: a local reference; a hostile one: dropped, never put in the issue
    assert shown is None if action == "ok-hostile-request-id" else shown.startswith("no-request-id-")


# -- the parser itself ----------------------------------------------------------------------------
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=6),
    max_leaves=20,
)
_steps = st.sampled_from([s.value for s in records.Step] + ["bogus"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.text(max_size=200),
        _json.map(json.dumps),
        st.builds(lambda s, d: {"step": s, "at": 1.0, **(d if isinstance(d, dict) else {})}, _steps, _json).map(
            json.dumps
        ),
    )
)
def test_journal_lines_parse_or_are_refused_never_crash(line: str) -> None:
    try:
        entry = journal.parse_line(line)
    except RecordError:
        return
    data = json.loads(line)
    assert entry.record.step.value == data["step"]
    for target in _targets_of(entry.record):
        assert names.secret(target.name)
        assert names.repository(target.repo)


def _targets_of(record: journal.Record) -> list[records.SecretTarget]:
    if isinstance(record, journal.Planned):
        return list(record.targets)
    if isinstance(record, journal.Regenerated):
        return [s.target for s in record.delivery.sealed]
    if isinstance(record, journal.Stored):
        return [record.target]
    return []


def test_a_journal_from_before_response_ids_is_still_finished(world: World) -> None:
    """An upgrade mid-incident: the old format's pending key is delivered, once."""
    import base64

    from nacl.public import PublicKey, SealedBox

    public = world.gh.public_key_of("repo-actions")
    new = "3c0ffee0-1234-4abc-9def-0123456789ab"
    sealed = base64.b64encode(SealedBox(PublicKey(base64.b64decode(public["key"]))).encrypt(new.encode())).decode()
    target = {"repo": REPO, "name": "QUESTIONPRO_API_KEY", "app": "actions", "environment": None, "org": None}
    leak = {"hashed_secret": "b" * 40, "redacted": "6b1f…4b60", "filename": "a.env", "line_number": 1}
    at = time.time() - 60
    lines = [
        {
            "step": "planned",
            "at": at,
            "repo": REPO,
            "leak": leak,
            "targets": [target],
            "planned_at": at,
            "repo_id": 4242,
        },
        {"step": "preflight-ok", "at": at, "keys": [public]},
        {"step": "regenerating", "at": at, "datacenter": "com", "base_url": "https://api.questionpro.com"},
        {
            "step": "regenerated",
            "at": at,
            "request_id": "r-1",
            "datacenter": "com",
            "sealed": [{"target": target, "key_id": public["key_id"], "encrypted_value": sealed}],
        },
    ]
    world.state.mkdir(mode=0o700)
    path = world.state / "20261130T101010-bbbbbbbbbbbb.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    path.chmod(0o600)
    run = world.run("resume")
    assert run.code == 0, run.output
    assert world.gh.secret_value() == new and len(world.gh.issues) == 1
    assert "response-id: 20261130T101010-bbbbbbbbbbbb-00000000" in world.gh.issues[0]["body"]
    assert "nothing to resume" in world.run("resume").output
