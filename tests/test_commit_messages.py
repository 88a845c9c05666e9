"""Keys in commit messages: every revision mode reads them (a message is published with its
commit), in real repositories, and tells them apart from keys in files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from responder.core.redact import hashed_secret as hashed
from tests.conftest import ROOT, Repo, assert_no_secret, run_cli
from tests.corpus import new_key
from tests.pushing import Remote, make_remote

MESSAGES = [  # (message with {K}, line of the key in it, or None: not a key)
    ("Rotate QuestionPro API key\n\nThe old one (QUESTIONPRO_API_KEY={K}) was printed in CI logs.\n", 3),
    ("Merge branch 'hotfix'\n\nThe leaked key {K} has been revoked in QuestionPro.\n", 3),
    ("Set QP_API_KEY={K} for staging", 1),
    ("Fix retries\n\nQuestionPro answered with requestID {K} and a 500.\n", None),
    ("Bump survey fixture to {K}", None),
]


def _history(repo: Repo, key: str, code: int) -> list[dict[str, object]]:
    run = run_cli(["scan", "--history", "--format", "json"], repo.path, secrets=[key])
    assert run.code == code, run.stderr
    found: list[dict[str, object]] = json.loads(run.stdout)
    return found


@pytest.mark.parametrize(("message", "line"), MESSAGES, ids=[f"message{i}" for i in range(len(MESSAGES))])
def test_history_reports_a_key_in_a_message_with_its_commit_and_line(
    repo: Repo, message: str, line: int | None
) -> None:
    key = new_key()
    repo.write("README.md", "docs\n")
    commit = repo.commit(message.replace("{K}", key))
    found = _history(repo, key, 1 if line else 0)
    expected = [("<commit message>", line, commit)] if line else []
    assert [(f["filename"], f["line_number"], f["commit"]) for f in found] == expected


def test_range_reads_only_the_messages_in_the_range(repo: Repo) -> None:
    old, new = new_key(), new_key()
    repo.write("a.txt", "a\n")
    repo.commit(f"QUESTIONPRO_API_KEY={old}")
    base = repo.commit("base")
    repo.write("b.txt", "b\n")
    leak = repo.commit(f"QUESTIONPRO_API_KEY={new}")
    run = run_cli(["scan", "--range", f"{base}..HEAD", "--format", "json"], repo.path, secrets=[old, new])
    assert run.code == 1, run.stderr
    assert [(f["commit"], f["previously_committed"]) for f in json.loads(run.stdout)] == [(leak, False)]


def test_text_and_sarif_name_the_message_and_never_the_key(repo: Repo) -> None:
    key = new_key()
    repo.write("a.txt", "a\n")
    commit = repo.commit(f"Configure sync\n\nQUESTIONPRO_API_KEY={key}\n")
    text = run_cli(["scan", "--history"], repo.path, secrets=[key])
    assert text.code == 1
    assert f"<commit message>:3: QuestionPro API Key {key[:4]}…{key[-4:]}" in text.stdout
    assert f"message of commit {commit[:12]}" in text.stdout
    sarif = run_cli(["scan", "--history", "--format", "sarif"], repo.path, secrets=[key])
    result = json.loads(sarif.stdout)["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "%3Ccommit%20message%3E"
    assert result["properties"]["commit"] == commit


def test_a_message_that_mimics_cat_file_framing_is_read_whole(repo: Repo) -> None:
    """The message is read by its object's size: lines that look like cat-file answers
    ("<id> commit <size>") or a blank-line header end inside it hide nothing."""
    key = new_key()
    repo.write("a.txt", "a\n")
    fake = f"{'0' * 40} commit 12\nshort\n\n"
    commit = repo.commit(f"Subject\n\n{fake}{fake}QUESTIONPRO_API_KEY={key}\n")
    found = _history(repo, key, 1)
    assert [(f["line_number"], f["commit"]) for f in found] == [(9, commit)]


@pytest.fixture
def remote(tmp_path: Path) -> Remote:
    return make_remote(tmp_path)


def test_pre_receive_refuses_a_key_in_a_pushed_message(remote: Remote) -> None:
    hook = remote.server / "hooks" / "pre-receive"
    shutil.copy(ROOT / "hooks" / "pre-receive", hook)
    hook.chmod(0o755)
    key = new_key()
    remote.clone.write("a.txt", "a\n")
    remote.clone.commit(f"Add sync\n\nQUESTIONPRO_API_KEY={key}\n")
    pushed = remote.push("--no-verify", "origin", "HEAD:main")
    assert pushed.code != 0 and "<commit message>:3" in pushed.output, pushed.output
    assert_no_secret(pushed.output, [key])


def test_the_action_links_a_message_finding_to_its_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    from responder.actions.summary import file_url
    from responder.scanning.findings import MESSAGE_PATH, Finding

    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/app")
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    commit = "ab" * 20
    in_message = Finding(MESSAGE_PATH, 3, new_key(), commit=commit, in_message=True)
    in_file = Finding("a.env", 3, new_key(), commit=commit)
    named_like_it = Finding(MESSAGE_PATH, 3, new_key(), commit=commit)  # a file called "<commit message>"
    assert file_url(in_message) == f"https://github.com/acme/app/commit/{commit}"
    assert file_url(in_file) == f"https://github.com/acme/app/blob/{commit}/a.env#L3"
    assert file_url(named_like_it) == f"https://github.com/acme/app/blob/{commit}/%3Ccommit%20message%3E#L3"


def test_a_file_named_like_a_message_is_told_as_a_file(repo: Repo) -> None:
    key = new_key()
    repo.write("<commit message>", f"QUESTIONPRO_API_KEY={key}\n")
    commit = repo.commit("add config")
    text = run_cli(["scan", "--history"], repo.path, secrets=[key])
    assert text.code == 1 and f"(hashed_secret {hashed(key)}, commit {commit[:12]})" in text.stdout


def test_a_message_too_long_to_hold_is_judged_by_its_start_with_a_warning(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from responder.scanning import messages, scanner

    monkeypatch.setattr(messages, "MAX_MESSAGE_BYTES", 400)
    monkeypatch.setattr(messages, "_PIECE", 7)  # the rest is read through in small pieces
    early, late = new_key(), new_key()
    repo.write("a.txt", "a\n")
    long = repo.commit(f"Subject\n\nQUESTIONPRO_API_KEY={early}\n{'x' * 600}\nQUESTIONPRO_API_KEY={late}\n")
    repo.write("b.txt", "b\n")
    after = repo.commit(f"Next\n\nQP_API_KEY={late}\n")  # the next answer is read from the right place
    report = scanner.scan_revisions(repo.path, ["--all"], repo.path, scanner.Excluder(), include_removed=False)
    assert sorted((f.commit, f.line_number, f.secret == early) for f in report.findings) == sorted(
        [(long, 3, True), (after, 3, False)]
    )
    assert [w for w in report.warnings if "message of commit" in w] == [
        f"the message of commit {long[:12]} is {len(repo.git('cat-file', 'commit', long)) + 1:,} bytes: "
        "only its first 400 were scanned"
    ]


def _raw_commit(repo: Repo, message: bytes, encoding: str | None = None) -> str:
    """A commit object written as given (git's porcelain refuses a NUL in a message and
    re-encodes nothing: ``hash-object --literally`` stores any bytes)."""
    tree, parent = repo.git("rev-parse", "HEAD^{tree}"), repo.git("rev-parse", "HEAD")
    head = f"tree {tree}\nparent {parent}\nauthor a <a@b.c> 1700000000 +0000\ncommitter a <a@b.c> 1700000000 +0000\n"
    body = head.encode() + (f"encoding {encoding}\n".encode() if encoding else b"") + b"\n" + message
    (repo.path / ".git" / "obj").write_bytes(body)
    commit = repo.git("hash-object", "-t", "commit", "-w", "--literally", ".git/obj")
    repo.git("update-ref", "HEAD", commit)
    return commit


@pytest.mark.parametrize(
    ("encoding", "stored", "config"),
    [
        ("IBM037", "cp037", None),  # stored in EBCDIC: git log shows it decoded, the bytes hold no UUID
        ("IBM037", "ascii", None),  # ASCII under an EBCDIC header: git's re-encoding garbles it
        (None, "nul", None),  # a NUL before the key: git's grep stops there
        (None, "ascii", ("i18n.logOutputEncoding", "UTF-16")),
        (None, "ascii", ("i18n.commitEncoding", "UTF-16")),
    ],
    ids=["ebcdic", "ebcdic-header-ascii-bytes", "nul", "log-output-utf16", "commit-encoding-utf16"],
)
def test_no_encoding_or_repository_setting_hides_a_key_in_a_message(
    repo: Repo, encoding: str | None, stored: str, config: tuple[str, str] | None
) -> None:
    key = new_key()
    repo.write("a.txt", "a\n")
    repo.commit("base")
    if stored == "nul":
        message = f"Add sync\n\nsee below\0\nQUESTIONPRO_API_KEY={key}\n".encode()
    else:
        message = f"Add sync\n\nQUESTIONPRO_API_KEY={key}\n".encode(stored)
    commit = _raw_commit(repo, message, encoding)
    if config:
        repo.git("config", *config)
    found = _history(repo, key, 1)
    assert [(f["commit"], f["filename"]) for f in found] == [(commit, "<commit message>")]


def test_a_utf16_log_setting_neither_hides_file_keys_nor_breaks_a_range(repo: Repo) -> None:
    key = new_key()
    repo.write("a.txt", "a\n")
    base = repo.commit("base")
    repo.write("app.env", f"QUESTIONPRO_API_KEY={key}\n")
    leak = repo.commit("add config")
    repo.git("config", "i18n.logOutputEncoding", "UTF-16")
    assert [(f["filename"], f["commit"]) for f in _history(repo, key, 1)] == [("app.env", leak)]
    run = run_cli(["scan", "--range", f"{base}..HEAD", "--format", "json"], repo.path, secrets=[key])
    assert run.code == 1, run.stderr
    assert [(f["filename"], f["commit"]) for f in json.loads(run.stdout)] == [("app.env", leak)]


@pytest.mark.parametrize("encoding", ["x-no-such-encoding", "rot13", "base64", "windows-1252"])
def test_an_unknown_or_non_text_encoding_header_leaves_the_stored_bytes_judged_once(repo: Repo, encoding: str) -> None:
    key = new_key()
    repo.write("a.txt", "a\n")
    repo.commit("base")
    commit = _raw_commit(repo, f"Add sync\n\nQUESTIONPRO_API_KEY={key}\n".encode(), encoding)
    assert [(f["commit"], f["line_number"]) for f in _history(repo, key, 1)] == [(commit, 3)]


def test_a_commit_cat_file_cannot_give_is_an_error_not_a_silence(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from responder.scanning import gitio, messages

    with pytest.raises(gitio.GitError, match="cannot read commit abc missing"):
        messages._read_object(io.BytesIO(b""), b"abc missing\n")
    monkeypatch.setattr(messages, "MAX_MESSAGE_BYTES", 4)  # the rest is read through: git stops after 10 of 100
    with pytest.raises(gitio.GitError, match="stopped in the middle"):
        messages._read_object(io.BytesIO(b"x" * 10), b"abc commit 100\n")


def test_a_failing_message_reader_fails_the_scan(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    from responder.scanning import gitio, messages, scanner

    def broken(out: object, header: bytes) -> tuple[bytes, int]:
        raise gitio.GitError("cannot read commit (test)")

    monkeypatch.setattr(messages, "_read_object", broken)
    repo.write("a.txt", "a\n")
    repo.commit(f"QUESTIONPRO_API_KEY={new_key()}")
    with pytest.raises(gitio.GitError, match=r"cannot read commit \(test\)"):
        scanner.scan_revisions(repo.path, ["--all"], repo.path, scanner.Excluder(), include_removed=False)


def test_a_failing_change_scan_stops_the_message_reader(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    from responder.scanning import messages, scanner

    stopped: list[bool] = []
    real_stop = messages.Messages.stop

    def stop(self: messages.Messages) -> None:
        real_stop(self)
        stopped.append(self._batch.returncode is not None and self._listing.returncode is not None)

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the walk failed")

    monkeypatch.setattr(messages.Messages, "stop", stop)
    monkeypatch.setattr(scanner, "_scan_changes", fail)
    repo.write("a.txt", "a\n")
    repo.commit("a")
    with pytest.raises(RuntimeError, match="the walk failed"):  # HEAD: not the packs' whole history
        scanner.scan_revisions(repo.path, ["HEAD"], repo.path, scanner.Excluder(), include_removed=False)
    assert stopped == [True]  # both git processes reaped


def test_keys_in_messages_are_kept_up_to_the_scan_limit_with_a_warning(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from responder.scanning import messages, scanner

    monkeypatch.setattr(messages, "MAX_FINDINGS", 2)
    for i in range(4):
        repo.write(f"f{i}.txt", "x\n")
        repo.commit(f"Set QUESTIONPRO_API_KEY={new_key()}")
    report = scanner.scan_revisions(repo.path, ["--all"], repo.path, scanner.Excluder(), include_removed=False)
    assert len(report.findings) == 3  # judged until past the limit, then no more
    assert [w for w in report.warnings if "keys in commit messages" in w]
