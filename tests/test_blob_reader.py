"""Whole files for the diff modes' context come from one ``git cat-file --batch`` per scan
(``gitio.BlobReader``), not a git process per file: a real history can hold hundreds of
files with a suspect line. The reader must answer exactly as ``git cat-file blob`` does."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from responder.core.redact import hashed_secret
from responder.scanning import gitio
from tests.conftest import Repo, run_main
from tests.corpus import new_key

# (name, content); each is asked for at HEAD and in the index
FILES = [
    ("plain.txt", b"hello\n"),
    ("empty", b""),
    ("dir with spaces/a b.env", b"QP=1\n"),
    ("looks like answers.bin", b"0123 blob 5\nabc\n\n\x00deadbeef missing\n"),
    ("no-newline", b"last line"),
    ("line\nbreak.txt", b"a name with a line break\n"),
    ("-dash.txt", b"leading dash\n"),
    ("decoy.env", b"the decoy\n"),
    ("decoy.env\r", b"a name ending in a carriage return, which cat-file --batch would drop\n"),
]


@pytest.fixture
def tracked(repo: Repo) -> Repo:
    for name, content in FILES:
        repo.write(name, content)
    repo.write("sub/inner.txt", "inside\n")
    repo.commit("files")
    return repo


@pytest.mark.parametrize(("name", "content"), FILES, ids=[name for name, _ in FILES])
@pytest.mark.parametrize("rev", ["HEAD", ""], ids=["head", "index"])
def test_reads_each_blob_as_cat_file_blob_does(tracked: Repo, name: str, content: bytes, rev: str) -> None:
    spec = f"{rev}:{name}"
    with gitio.BlobReader(tracked.path) as read:
        assert read(spec) == content
        assert read(spec) == gitio.read_blob(tracked.path, spec)  # and again, from the same process


@pytest.mark.parametrize(
    "spec",
    ["HEAD:missing.txt", "HEAD:sub", "HEAD", "0" * 40 + ":plain.txt", "nosuchref:plain.txt", ":missing.txt"],
    ids=["no-such-path", "a-tree", "a-commit", "no-such-commit", "no-such-ref", "not-in-index"],
)
def test_what_is_not_a_blob_is_none_and_the_reader_goes_on(tracked: Repo, spec: str) -> None:
    with gitio.BlobReader(tracked.path) as read:
        assert read(spec) is None
        assert gitio.read_blob(tracked.path, spec) is None
        assert read("HEAD:plain.txt") == b"hello\n"


def test_a_reader_whose_git_died_fails_instead_of_answering_nothing(tracked: Repo) -> None:
    read = gitio.BlobReader(tracked.path)
    assert read("HEAD:plain.txt") == b"hello\n"
    assert read._proc is not None
    read._proc.kill()
    read._proc.wait()
    with pytest.raises(gitio.GitError):
        read("HEAD:plain.txt")
    read.close()


def test_warnings_on_every_request_do_not_stop_the_reader(tracked: Repo) -> None:
    """A tag named HEAD makes git warn on each ``HEAD:…`` request; nobody reads those
    warnings while the scan runs, so a pipe for them would fill and stop git (and us)."""
    tracked.git("tag", "HEAD")
    done: list[int] = []

    def read_many() -> None:
        with gitio.BlobReader(tracked.path) as read:
            done.extend(1 for _ in range(3000) if read("HEAD:plain.txt") == b"hello\n")

    worker = threading.Thread(target=read_many, daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), "the reader stopped: git blocked on its warnings"
    assert len(done) == 3000


@pytest.mark.parametrize("argv", [["--history"], ["--range", "HEAD~1..HEAD"], ["--staged"]])
def test_a_name_ending_in_a_carriage_return_is_read_as_itself(repo: Repo, argv: list[str]) -> None:
    """``settings.yml\\r`` beside ``settings.yml``: the key in the first is found, in its name."""
    key = new_key()
    repo.write("settings.yml", "integrations:\n  mailer:\n    region: eu\n")
    repo.write("settings.yml\r", "integrations:\n  questionpro:\n    region: eu\n")
    repo.commit("settings")
    with (repo.path / "settings.yml\r").open("a") as f:
        f.write(f"    token: {key}\n")
    if argv == ["--staged"]:
        repo.git("add", "-A")
    else:
        repo.commit("token")
    done = run_main(["scan", "-f", "json", *argv], repo.path, secrets=[key])
    assert done.code == 1, done.output
    assert [f["hashed_secret"] for f in json.loads(done.stdout)] == [hashed_secret(key)]


def _cat_files(trace: Path) -> int:
    starts = [json.loads(line) for line in trace.read_text().splitlines()]
    return sum(1 for e in starts if e.get("event") == "start" and "cat-file" in e.get("argv", []))


def _history(repo: Repo, files: int) -> list[str]:
    keys = [new_key() for _ in range(files)]
    repo.write("README.md", "QuestionPro survey sync\n")
    repo.commit("start")
    for n, key in enumerate(keys):
        repo.write(f"conf/site{n}.env", f"# QuestionPro\nQUESTIONPRO_API_KEY={key}\n")
        repo.commit(f"site {n}")
    return keys


@pytest.mark.parametrize("argv", [["--history"], ["--range", "HEAD~{n}..HEAD"], ["--staged"]])
def test_git_processes_do_not_grow_with_the_files_to_judge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    counts = []
    for files in (2, 9):
        path = tmp_path / f"r{files}"
        path.mkdir()
        sub = Repo(path)
        sub.git("init", "-q")
        keys = _history(sub, files)
        if argv == ["--staged"]:  # the same keys again, staged in new files
            for n, key in enumerate(keys):
                sub.write(f"staged/s{n}.env", f"QUESTIONPRO_API_KEY={key}\n")
            sub.git("add", "-A")
        trace = tmp_path / f"trace{files}.json"
        monkeypatch.setenv("GIT_TRACE2_EVENT", str(trace))
        done = run_main(["scan", "-f", "json", *(a.format(n=files) for a in argv)], path, secrets=keys)
        monkeypatch.delenv("GIT_TRACE2_EVENT")
        assert done.code == 1, done.output
        found = {f["hashed_secret"] for f in json.loads(done.stdout)}
        assert found == {hashed_secret(key) for key in keys}
        counts.append(_cat_files(trace))
    assert counts[0] == counts[1], counts
