"""A reply without QuestionPro's requestID (issue 8 finding 7): each rotation still gets
its own issue. A shared stand-in ("unknown") made the second response find the first
one's issue by its marker and open none."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_main
from tests.corpus import new_key
from tests.fake_github import FakeGitHub
from tests.fake_questionpro import FakeQuestionPro


def test_two_rotations_without_request_ids_open_two_issues(tmp_path: Path) -> None:
    qp = FakeQuestionPro(valid_key=new_key())
    gh = FakeGitHub(repo="octo/app", tokens={"tok": {"secrets", "issues"}})
    env = {
        "QUESTIONPRO_BASE_URL": qp.start(),
        "GITHUB_API_URL": gh.start(),
        "GITHUB_TOKEN": "tok",
        "QP_RESPONDER_STATE_DIR": str(tmp_path / "state"),
    }
    try:
        qp.script = ["ok-no-request-id", "ok-no-request-id"]
        for _ in range(2):
            key = qp.valid_key
            run = run_main(
                ["respond", "--repo", "octo/app", "--yes"], tmp_path, stdin=key + "\n", env=env, secrets=[key]
            )
            assert run.code == 0, run.output
        assert qp.rotations == 2 and len(gh.issues) == 2
        markers = [issue["body"].splitlines()[0] for issue in gh.issues]
        assert markers[0] != markers[1]
        assert all("none in QuestionPro's reply" in issue["body"] for issue in gh.issues)
    finally:
        qp.stop()
        gh.stop()
