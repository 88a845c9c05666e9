"""The Action on a push sees what the patch hides, as the CLI's diff modes do: a base64 key
added far below a Kubernetes Secret's ``kind`` line (reported as base64-encoded, in the
annotation and the job summary) and a key in a UTF-16 file."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from responder.core.redact import hashed_secret
from tests.conftest import git
from tests.corpus import new_key
from tests.runner_sim import ActionRun, run_action
from tests.test_action import Remote, action_venv, check_no_unmasked_key, push_payload, remote, runner

__all__ = ["action_venv", "remote", "runner"]  # fixtures used here


def _push_bytes(
    remote: Remote, runner: Path, name: str, before_content: bytes, content: bytes
) -> tuple[ActionRun, str]:
    target = remote.dev / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(before_content)
    git(remote.dev, "add", "-A")
    git(remote.dev, "commit", "-qm", "before")
    remote.push("main")
    before = git(remote.dev, "rev-parse", "HEAD")
    target.write_bytes(content)
    git(remote.dev, "add", "-A")
    git(remote.dev, "commit", "-qm", "change")
    remote.push("main")
    after = git(remote.dev, "rev-parse", "HEAD")
    run = run_action(
        workspace=remote.checkout("main"), runner_temp=runner, event_name="push", payload=push_payload(before, after)
    )
    return run, after


def _secret(entries: list[str]) -> bytes:
    labels = "".join(f"    tier-{i}: backend\n" for i in range(8))
    return (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: sync\n  labels:\n"
        + labels
        + "data:\n"
        + "".join(f"  {e}\n" for e in entries)
    ).encode()


def test_push_adding_a_base64_key_to_a_secret_is_caught_and_said_encoded(remote: Remote, runner: Path) -> None:
    key = new_key()
    encoded = base64.b64encode(key.encode()).decode()
    run, _ = _push_bytes(remote, runner, "k8s/s.yaml", _secret(["A: Yg=="]), _secret(["A: Yg==", f"QP_KEY: {encoded}"]))
    assert run.code == 1, run.stdout + run.stderr
    [annotation] = run.annotations()
    assert annotation.startswith("::error file=k8s/s.yaml,line=16,")
    assert "base64-encoded" in annotation and hashed_secret(key) in annotation
    assert "(base64)" in run.summary
    sarif = json.loads(Path(run.outputs["sarif"]).read_text())
    assert sarif["runs"][0]["results"][0]["properties"]["encoding"] == "base64"
    assert encoded not in run.visible() and encoded not in run.summary
    check_no_unmasked_key(run, [key], runner)


def test_push_adding_a_key_to_a_utf16_file_is_caught(remote: Remote, runner: Path) -> None:
    old, key = new_key(), new_key()
    before = f"QP_API_KEY_EU={old}\r\nA=1\r\n".encode("utf-16")
    run, _ = _push_bytes(
        remote, runner, "win/qp.env", before, f"QP_API_KEY_EU={old}\r\nA=1\r\nQP_API_KEY_US={key}\r\n".encode("utf-16")
    )
    assert run.code == 1, run.stdout + run.stderr
    [annotation] = run.annotations()
    assert annotation.startswith("::error file=win/qp.env,line=3,") and hashed_secret(key) in annotation
    check_no_unmasked_key(run, [key, old], runner)
