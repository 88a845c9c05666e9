"""The leak audit (issue 8): every CLI path, with known keys and tokens, and debug logging
of requests, urllib3 and PyGithub switched on. After each run, no output channel holds
any of them in plaintext:

* stdout and stderr (``::add-mask::`` lines are the runner's masking commands, consumed
  before anything is displayed: the only place a key may appear, and only in Actions);
* the log records of every library;
* every file written: the state directory and journals, SARIF and report files, the job
  summary, step outputs and the runner's env file;
* issue titles and bodies, and every request GitHub received (paths and bodies: secrets
  travel sealed);
* requests QuestionPro received, except the ``api-key`` header (its one intended place);
  GitHub tokens never reach QuestionPro, and QuestionPro keys never reach GitHub;
* the message of a crash (the last line of defence).

In-process (``entry.main``) against the local fakes; the scanned repository is the only
place a key is written on purpose, and is left out of the file check.
"""

from __future__ import annotations

import io
import json
import logging
import secrets as pyrandom
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import Repo, Run, git, run_main
from tests.fake_github import FakeGitHub, Fault
from tests.fake_questionpro import FakeQuestionPro

OWNER_REPO = "octo/app"
LOGGERS = ("", "urllib3", "requests", "github", "responder")


def _token(prefix: str) -> str:
    return prefix + pyrandom.token_urlsafe(27).replace("-", "a").replace("_", "b")[:36]


@dataclass
class Audit:
    qp: FakeQuestionPro
    gh: FakeGitHub
    repo: Repo
    root: Path
    env: dict[str, str]
    log: io.StringIO
    keys: set[str] = field(default_factory=set)
    tokens: set[str] = field(default_factory=set)
    planted: set[Path] = field(default_factory=set)  # files of the scanned repository that hold a key on purpose
    runs: int = 0

    def learn_keys(self) -> None:
        self.keys |= {self.qp.valid_key, *self.qp.other_keys}

    def secrets(self) -> list[str]:
        return sorted(self.keys | self.tokens)

    def run(self, *args: str, stdin: str = "", env: dict[str, str] | None = None, cwd: Path | None = None) -> Run:
        self.learn_keys()
        run = run_main(list(args), cwd or self.repo.path, stdin=stdin, env={**self.env, **(env or {})})
        self.runs += 1
        self.learn_keys()
        self.check(run, what=" ".join(args))
        return run

    # -- the channels -----------------------------------------------------------------------
    def check(self, run: Run, *, what: str) -> None:
        for name, text in [
            ("stdout", _shown(run.stdout)),
            ("stderr", _shown(run.stderr)),
            ("log records", self.log.getvalue()),
        ]:
            self._none_in(text, f"{what}: {name}")
        for path in self._written_files():
            self._none_in(path.read_bytes().decode("utf-8", "replace"), f"{what}: file {path.relative_to(self.root)}")
        for issue in self.gh.issues:
            self._none_in(issue["title"] + issue["body"], f"{what}: an issue")
        for method, path, body in self.gh.log:
            self._none_in(f"{method} {path} {body}", f"{what}: a request GitHub received")
        for headers in self.qp.seen_headers:
            self._none_in(
                json.dumps({k: v for k, v in headers.items() if k.lower() != "api-key"}),
                f"{what}: a request QuestionPro received",
            )
            for token in self.tokens:
                assert token not in json.dumps(headers), f"{what}: a GitHub token was sent to QuestionPro"

    def _written_files(self) -> Iterator[Path]:
        for path in self.root.rglob("*"):
            if not path.is_file() or path in self.planted:
                continue
            if self.repo.path / ".git" in path.parents:
                continue
            yield path

    def _none_in(self, text: str, where: str) -> None:
        folded = text.lower()
        for secret in self.secrets():
            assert secret.lower() not in folded, f"{where} holds a secret in plaintext ({secret[:4]}…)"


def _shown(text: str) -> str:
    """What a reader of a runner's log sees: masking commands are consumed, not shown."""
    return "\n".join(line for line in text.splitlines() if not line.startswith("::add-mask::"))


@pytest.fixture
def audit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Audit]:
    from responder.response import service

    build = service.build_services

    def without_sleeping(*args: object, **kwargs: object) -> service.Services:
        import dataclasses

        built = build(*args, **kwargs)  # type: ignore[arg-type]
        return dataclasses.replace(
            built,
            questionpro=dataclasses.replace(built.questionpro, sleep=lambda _s: None),
            secrets_github=dataclasses.replace(built.secrets_github, sleep=lambda _s: None),
            issues_github=dataclasses.replace(built.issues_github, sleep=lambda _s: None),
        )

    monkeypatch.setattr(service, "build_services", without_sleeping)
    issues_token, secrets_token = _token("ghp_"), _token("github_pat_")
    qp = FakeQuestionPro(valid_key=str(uuid.uuid4()))
    gh = FakeGitHub(repo=OWNER_REPO, tokens={issues_token: {"issues"}, secrets_token: {"secrets", "issues", "org"}})
    root = tmp_path / "audit"
    (root / "repo").mkdir(parents=True)
    git(root / "repo", "init", "-q", "-b", "main")
    repo = Repo(root / "repo")
    env = {
        "QUESTIONPRO_BASE_URL": qp.start(),
        "GITHUB_API_URL": gh.start(),
        "GITHUB_TOKEN": issues_token,
        "QP_RESPONDER_SECRETS_TOKEN": secrets_token,
        "QP_RESPONDER_STATE_DIR": str(root / "state"),
        "GITHUB_REPOSITORY": OWNER_REPO,
    }
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    levels = {name: logging.getLogger(name).level for name in LOGGERS}
    logging.getLogger().addHandler(handler)
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    found = Audit(qp, gh, repo, root, env, stream, tokens={issues_token, secrets_token})
    found.learn_keys()
    yield found
    logging.getLogger().removeHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    qp.stop()
    gh.stop()
    assert found.runs > 0


def plant(audit: Audit, name: str, key: str, *, commit: bool = True) -> Path:
    path = audit.repo.write(name, f"# QuestionPro client\nQUESTIONPRO_API_KEY = '{key}'\n")
    audit.planted.add(path)
    if commit:
        audit.repo.commit(f"add {name}")
    return path


def test_scanning_in_every_mode(audit: Audit) -> None:
    leaked = str(uuid.uuid4())
    audit.keys.add(leaked)
    audit.repo.write("README.md", "hello\n")
    base = audit.repo.commit("root")
    plant(audit, "app/settings.py", leaked)
    plant(audit, "staged.env", leaked, commit=False)
    audit.repo.git("add", "staged.env")
    reports = audit.root / "reports"
    reports.mkdir()
    for fmt in ("text", "json", "sarif"):
        out = reports / f"paths.{fmt}"
        assert audit.run("scan", "--format", fmt, "--output", str(out), ".").code == 1
        assert audit.run("scan", "--format", fmt, "--range", f"{base}..HEAD").code == 1
        assert audit.run("scan", "--format", fmt, "--history").code == 1
        assert audit.run("scan", "--format", fmt, "--staged").code == 1
        assert out.stat().st_size > 0
    assert audit.run("scan", "--history").code == 1  # the hook's fast path
    assert audit.run("scan", "--staged").code == 1
    head = audit.repo.git("rev-parse", "HEAD")
    for verbosity in ("-v", "-q"):
        pushed = audit.run("scan", "--pre-push", verbosity, stdin=f"refs/heads/main {head} refs/heads/main {base}\n")
        assert pushed.code == 1, pushed.output
    received = audit.run("scan", "--pre-receive", "--format", "json", stdin=f"{base} {head} refs/heads/main\n")
    assert received.code in (0, 1), received.output


def test_respond_in_actions_mode_and_resume(audit: Audit) -> None:
    runner = audit.root / "runner"
    runner.mkdir()
    actions = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(runner / "summary.md"),
        "GITHUB_OUTPUT": str(runner / "output"),
        "GITHUB_ENV": str(runner / "env"),
    }
    old = audit.qp.valid_key
    for fmt in ("text", "json"):
        run = audit.run("respond", "--yes", "--format", fmt, stdin=audit.qp.valid_key + "\n", env=actions)
        assert run.code == 0, run.output
    assert audit.qp.valid_key != old and len(audit.gh.issues) == 2
    assert "GET /a/api/v2/apikey/regenerate" in audit.log.getvalue()  # the debug logging is on and recording
    # Storing fails after the rotation: resume tokens are printed, summarised and journaled.
    audit.gh.faults[("PUT", "secret")] = [Fault(200)] + [Fault(500)] * 3
    failed = audit.run("respond", "--yes", stdin=audit.qp.valid_key + "\n", env=actions)
    assert failed.code == 6 and "qpr2." in failed.output
    token = next(word for word in failed.output.split() if word.startswith("qpr2."))
    assert audit.run("resume", "--format", "json").code == 0
    elsewhere = {"QP_RESPONDER_STATE_DIR": str(audit.root / "elsewhere")}
    again = audit.run("resume", "--sealed", token, "--yes", "--accept-unverified", env=elsewhere)
    assert again.code == 10, again.output  # delivered already: the secret is newer, nothing written, never a leak
    assert audit.run("respond", "--yes", "--dry-run", stdin=audit.qp.valid_key + "\n").code == 0


@pytest.mark.parametrize(
    ("script", "code"),
    [
        (["error:401:1010"], 4),
        (["429-no-retry"], 4),
        (["loose-error:403:1013"], 4),
        (["html-502-after-rotate"], 5),
        (["malformed-after-rotate"], 5),
        (["drop-after-rotate"], 5),
        (["redirect"], 4),
        (["html-403"], 4),
    ],
)
def test_respond_error_paths(audit: Audit, script: list[str], code: int) -> None:
    audit.qp.script = list(script)
    run = audit.run("respond", "--yes", stdin=audit.qp.valid_key + "\n")
    assert run.code == code, run.output


@pytest.mark.parametrize(
    ("env", "code"),
    [
        ({"QUESTIONPRO_BASE_URL": "http://127.0.0.1:1:1"}, 2),
        ({"GITHUB_API_URL": "http://127.0.0.1:99999"}, 2),
        ({"GITHUB_TOKEN": "", "QP_RESPONDER_SECRETS_TOKEN": ""}, 2),
        ({"GITHUB_REPOSITORY": "octo/.."}, 2),
    ],
)
def test_usage_error_paths(audit: Audit, env: dict[str, str], code: int) -> None:
    run = audit.run("respond", "--yes", stdin=audit.qp.valid_key + "\n", env=env)
    assert run.code == code, run.output


def test_store_paths(audit: Audit) -> None:
    manual = str(uuid.uuid4())
    audit.keys.add(manual)
    assert audit.run("store", "--yes", stdin=manual + "\n").code == 0
    assert audit.gh.secret_value() == manual
    for token in sorted(audit.tokens):  # a GitHub token piped in by mistake is refused, not echoed
        assert audit.run("store", "--yes", stdin=token + "\n").code == 2
    old = audit.qp.valid_key
    assert audit.run("respond", "--yes", stdin=old + "\n").code == 0
    assert audit.run("store", "--yes", stdin=old + "\n").code == 2  # already regenerated
    assert audit.run("store", stdin=manual + "\n").code == 3  # no terminal, no --yes
    audit.gh.faults[("PUT", "secret")] = [Fault(500)] * 3
    assert audit.run("store", "--yes", stdin=manual + "\n").code == 6


def test_scan_respond(audit: Audit) -> None:
    plant(audit, "config/prod.py", audit.qp.valid_key)
    run = audit.run("scan", "--respond", "--yes", "--history")
    assert run.code == 1 and "rotated and stored" in run.output, run.output


def test_the_action_under_a_simulated_runner(audit: Audit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", __import__("os").environ["PATH"])  # the action narrows PATH: restore it after
    audit.repo.write("README.md", "hello\n")
    before = audit.repo.commit("root")
    plant(audit, "app/settings.py", audit.qp.valid_key)
    after = audit.repo.git("rev-parse", "HEAD")
    runner = audit.root / "runner"
    runner.mkdir()
    event = runner / "event.json"
    event.write_text(
        json.dumps(
            {
                "ref": "refs/heads/main",
                "before": before,
                "after": after,
                "repository": {"full_name": OWNER_REPO, "default_branch": "main"},
                "commits": [{"id": after}],
            }
        )
    )
    env = {
        "GITHUB_ACTIONS": "true",
        "CI": "true",
        "GITHUB_WORKSPACE": str(audit.repo.path),
        "RUNNER_TEMP": str(runner),
        "GITHUB_EVENT_NAME": "push",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_STEP_SUMMARY": str(runner / "summary.md"),
        "GITHUB_OUTPUT": str(runner / "output"),
        "GITHUB_ENV": str(runner / "env"),
        "GITHUB_SERVER_URL": "https://github.com",
        "QP_RESPONDER_STATE_DIR": str(runner / "qp-responder-state"),
        "QP_RESPONDER_MASK_STREAM": "stdout",
        "INPUT_MODE": "auto",
        "INPUT_RESPOND": "true",
        "INPUT_FAIL_ON_FINDINGS": "true",
        "INPUT_SARIF": str(runner / "qp.sarif"),
    }
    old = audit.qp.valid_key
    run = audit.run("action", env=env)
    assert run.code == 1, run.output
    assert audit.qp.valid_key != old and audit.gh.secret_value() == audit.qp.valid_key
    assert (runner / "qp.sarif").stat().st_size > 0 and (runner / "summary.md").read_text()


@pytest.mark.parametrize("where", ["questionpro", "github"])
def test_a_crash_never_prints_a_secret(audit: Audit, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    """An unexpected exception whose message holds every secret (as a careless library's
    might): the last line of defence prints exit 9 and none of them."""
    from responder.response import github_adapter, questionpro

    def explode(*_args: object, **_kwargs: object) -> object:
        raise RuntimeError("boom\x9b2J\n: " + " ".join(audit.secrets()))

    if where == "questionpro":
        monkeypatch.setattr(questionpro.QuestionProClient, "regenerate", explode)
    else:
        monkeypatch.setattr(github_adapter.GitHubAdapter, "repository", explode)
    run = audit.run("respond", "--yes", stdin=audit.qp.valid_key + "\n")
    assert run.code == 9, run.output
    assert "\x9b" not in run.stderr and "internal error: RuntimeError: boom\\x9b2J\\n: " in run.stderr


def test_a_proxy_in_the_environment_sees_no_key_and_no_token(audit: Audit, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both fakes are plain http on loopback: a proxy from the environment would get every
    request in cleartext. It must get none (GitHub's token included: found by this audit)."""
    from tests.test_questionpro_edges import Recorder

    with Recorder() as proxy:
        for var in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy"):
            monkeypatch.delenv(var, raising=False)
        for var in ("HTTP_PROXY", "http_proxy"):
            monkeypatch.setenv(var, proxy.url)
        old = audit.qp.valid_key
        run = audit.run("respond", "--yes", stdin=old + "\n")
        assert run.code == 0, run.output
        assert audit.qp.valid_key != old and audit.gh.secret_value() == audit.qp.valid_key
        assert proxy.connections == 0, proxy.received[:200]


@pytest.mark.parametrize(
    "where",
    [["--environment", "production"], ["--org", "octo", "--dependabot"], ["--dependabot", "--secret-name", "QP_KEY"]],
)
def test_respond_to_every_kind_of_secret(audit: Audit, where: list[str]) -> None:
    old = audit.qp.valid_key
    run = audit.run("respond", "--yes", "--format", "json", *where, stdin=old + "\n")
    assert run.code == 0, run.output
    assert audit.qp.valid_key != old
