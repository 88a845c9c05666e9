"""`scan --staged`, `--range` and `--history` against real repositories."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Repo, pty_session, run_cli
from tests.corpus import NEGATIVES, POSITIVES, new_key


def _json(repo: Repo, *args: str, secrets: list[str], code: int) -> list[dict[str, object]]:
    run = run_cli(["scan", "--format", "json", *args], repo.path, secrets=secrets)
    assert run.code == code, run.stderr
    return json.loads(run.stdout)


def test_staged_in_repo_without_commits(repo: Repo) -> None:
    key = new_key()
    repo.write(".env", f"QUESTIONPRO_API_KEY={key}\n")
    assert run_cli(["scan", "--staged"], repo.path).code == 0  # not staged yet
    repo.git("add", ".env")
    found = _json(repo, "--staged", secrets=[key], code=1)
    assert [(f["filename"], f["line_number"], f["commit"]) for f in found] == [(".env", 1, None)]


def test_staged_judges_context_from_the_whole_staged_file(repo: Repo) -> None:
    key = new_key()
    repo.write("svc.py", "# QuestionPro client\n" + "x = 1\n" * 198)
    repo.commit("base")
    repo.write("svc.py", "# QuestionPro client\n" + "x = 1\n" * 198 + f'api_key = "{key}"\n')
    repo.git("add", "svc.py")
    found = _json(repo, "--staged", secrets=[key], code=1)
    assert [(f["filename"], f["line_number"]) for f in found] == [("svc.py", 200)]


def test_staged_uses_the_index_not_the_worktree(repo: Repo) -> None:
    key = new_key()
    repo.write("a.env", f"QUESTIONPRO_API_KEY={key}\n")
    repo.git("add", "a.env")
    repo.write("a.env", "QUESTIONPRO_API_KEY=\n")  # fixed in the worktree, not staged
    _json(repo, "--staged", secrets=[key], code=1)


def test_removed_key_is_previously_committed_not_blocking(repo: Repo) -> None:
    key = new_key()
    repo.write(".env", f"QUESTIONPRO_API_KEY={key}\nOTHER=1\n")
    repo.commit("oops")
    repo.write(".env", "OTHER=1\n")
    repo.git("add", ".env")
    run = run_cli(["scan", "--staged"], repo.path, secrets=[key])
    assert run.code == 0
    assert "previously committed" in run.stdout
    found = _json(repo, "--staged", secrets=[key], code=0)
    assert [(f["line_number"], f["previously_committed"]) for f in found] == [(1, True)]
    repo.git("rm", "-qf", ".env")
    assert _json(repo, "--staged", secrets=[key], code=0)[0]["previously_committed"] is True


def test_moved_key_still_blocks(repo: Repo) -> None:
    key = new_key()
    repo.write("a.env", f"QUESTIONPRO_API_KEY={key}\n")
    repo.commit("oops")
    repo.git("mv", "a.env", "b.env")
    repo.write("b.env", f"# moved\nQUESTIONPRO_API_KEY={key}\n")
    repo.git("add", "b.env")
    found = _json(repo, "--staged", secrets=[key], code=1)
    assert [(f["filename"], f["previously_committed"]) for f in found] == [("b.env", False)]


def test_staged_corpus(repo: Repo) -> None:
    key = new_key()
    expected = set()
    for i, case in enumerate(POSITIVES + NEGATIVES):
        name = f"c{i:02d}/{case.filename}"
        repo.write(name, case.render(key))
        expected |= {(name, line) for line, _ in case.expect}
    repo.git("add", "-A")
    found = _json(repo, "--staged", secrets=[key], code=1)
    assert {(f["filename"], f["line_number"]) for f in found} == expected


def test_staged_hostile_paths_and_content(repo: Repo) -> None:
    key = new_key()
    line = f"QUESTIONPRO_API_KEY={key}\n"
    repo.write("with space.env", line)
    repo.write("tab\tname.env", line)
    repo.write("new\nline.env", line)
    repo.write("ünï.env", line)
    repo.write('quote".env', line)
    repo.write("bin.dat", b"\0\0" + line.encode())  # a NUL does not hide a key
    repo.write("latin.txt", b"\xff\xfe\xfd not utf8\n" + line.encode())
    repo.write("big.txt", b"y" * (50 * 1024 * 1024))
    repo.write("+++ weird.env", "++ not a header\n" + line)
    repo.git("add", "-A")
    found = _json(repo, "--staged", secrets=[key], code=1)
    names = sorted(f["filename"] for f in found)
    assert names == sorted(
        [
            "with space.env",
            "tab\\tname.env",
            "new\\nline.env",
            "ünï.env",
            'quote".env',
            "bin.dat",
            "latin.txt",
            "+++ weird.env",
        ]
    )


def test_staged_submodule_and_symlink(repo: Repo, tmp_path: Path) -> None:
    sub = Repo(tmp_path / "sub")
    sub.path.mkdir()
    sub.git("init", "-q")
    sub.write("x.txt", "hello\n")
    sub.commit("sub")
    repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub.path), "vendor/sub")
    key = new_key()
    repo.write("real.env", f"QUESTIONPRO_API_KEY={key}\n")
    (repo.path / "link.env").symlink_to("real.env")
    repo.git("add", "-A")
    found = _json(repo, "--staged", secrets=[key], code=1)
    assert [f["filename"] for f in found] == ["real.env"]


def test_staged_outside_repo_is_usage_error(tmp_path: Path) -> None:
    run = run_cli(["scan", "--staged"], tmp_path)
    assert run.code == 2 and "not a git repository" in run.stderr


def test_range_reports_commits(repo: Repo) -> None:
    key, key2 = new_key(), new_key()
    repo.write("README", "hi\n")
    base = repo.commit("base")
    repo.write(".env", f"QUESTIONPRO_API_KEY={key}\n")
    leak = repo.commit("leak")
    repo.write(".env", "QUESTIONPRO_API_KEY=\n")
    fix = repo.commit("fix")
    found = _json(repo, "--range", f"{base}..{fix}", secrets=[key], code=1)
    assert [(f["commit"], f["previously_committed"]) for f in found] == [(leak, False)]
    # the fix alone: the key only in a removed line -> reported, not blocking
    found = _json(repo, "--range", f"{leak}..{fix}", secrets=[key], code=0)
    assert [(f["commit"], f["previously_committed"]) for f in found] == [(fix, True)]
    repo.write("k.yml", f"questionpro:\n  api_key: {key2}\n")
    newest = repo.commit("second leak")
    found = _json(repo, "--range", f"{fix}..{newest}", secrets=[key, key2], code=1)
    assert [(f["filename"], f["commit"]) for f in found] == [("k.yml", newest)]


@pytest.mark.parametrize("bad", ["nope..HEAD", "HEAD..nope", "--all", "-p"])
def test_bad_range_is_usage_error(repo: Repo, bad: str) -> None:
    repo.commit("c")
    run = run_cli(["scan", f"--range={bad}"], repo.path)
    assert run.code == 2 and "bad range" in run.stderr


def test_history_scans_all_refs(repo: Repo) -> None:
    keys = [new_key() for _ in range(4)]
    repo.write("a.txt", "a\n")
    repo.commit("root")
    repo.write("main.env", f"QUESTIONPRO_API_KEY={keys[0]}\n")
    on_main = repo.commit("main leak")
    repo.write("main.env", "QUESTIONPRO_API_KEY=\n")
    repo.commit("main fix")
    repo.git("checkout", "-q", "-b", "feature", "HEAD~2")
    repo.write("f.yml", f"questionpro:\n  apiKey: {keys[1]}\n")
    on_branch = repo.commit("branch leak")
    repo.git("checkout", "-q", "--orphan", "orphan")
    repo.git("rm", "-rqf", ".")
    repo.write("o.py", f'QP_API_KEY = "{keys[2]}"\n')
    on_orphan = repo.commit("orphan leak")
    repo.git("tag", "t1")
    repo.git("checkout", "-q", "main")
    repo.write("unrelated.txt", f"request id {keys[3]}\n")
    repo.commit("not a key")
    found = _json(repo, "--history", secrets=keys, code=1)
    assert sorted((f["filename"], f["commit"]) for f in found) == sorted(
        [("main.env", on_main), ("f.yml", on_branch), ("o.py", on_orphan)]
    )
    assert all(not f["previously_committed"] for f in found)


def test_history_of_a_bare_mirror(repo: Repo, tmp_path: Path) -> None:
    key = new_key()
    repo.write("a.env", f"QUESTIONPRO_API_KEY={key}\n")
    leak = repo.commit("leak")
    mirror = tmp_path / "mirror.git"
    subprocess.run(["git", "clone", "-q", "--mirror", str(repo.path), str(mirror)], check=True)
    found = json.loads(run_cli(["scan", "--history", "--format", "json"], mirror, secrets=[key]).stdout)
    assert [(f["filename"], f["commit"]) for f in found] == [("a.env", leak)]
    assert run_cli(["scan", "--staged"], mirror).code == 2  # the index needs a work tree


def test_history_empty_repo_and_outside_repo(repo: Repo, tmp_path: Path) -> None:
    assert run_cli(["scan", "--history"], repo.path).code == 0
    assert run_cli(["scan", "--history"], tmp_path).code == 2


def test_history_ignores_hostile_user_config(repo: Repo) -> None:
    key = new_key()
    for setting in (
        ("diff.noprefix", "true"),
        ("color.ui", "always"),
        ("diff.external", "false"),
        ("log.showSignature", "true"),
        ("diff.mnemonicPrefix", "true"),
        ("core.quotepath", "true"),
    ):
        repo.git("config", *setting)
    repo.write("dir/ü.env", f"QUESTIONPRO_API_KEY={key}\n")
    leak = repo.commit("leak")
    found = _json(repo, "--history", secrets=[key], code=1)
    assert [(f["filename"], f["commit"]) for f in found] == [("dir/ü.env", leak)]


def test_history_progress_bar_only_on_a_terminal(repo: Repo) -> None:
    for i in range(5):
        repo.write(f"f{i}.txt", f"{i}\n")
        repo.commit(f"c{i}")
    status, screen = pty_session(["scan", "--history"], {}, repo.path, [])
    assert status == 0 and "scanning history [" in screen and "5/5 commits" in screen
    piped = run_cli(["scan", "--history"], repo.path)
    assert piped.code == 0 and "scanning history" not in piped.stderr


# --- hiding places: the scanned repository must not be able to switch detection off ---

PADDING = "# QuestionPro settings\n" + "".join(f"option_{i} = {i}\n" for i in range(120))  # > 1 KB


def _config(repo: Repo, settings: dict[str, str]) -> None:
    for name, value in settings.items():
        repo.git("config", name, value)


# name -> (committed files, .git/info/attributes, repo config, bytes before the key line)
HIDING_PLACES: dict[str, tuple[dict[str, str], str, dict[str, str], bytes]] = {
    "gitattributes -diff": ({".gitattributes": "* -diff\n"}, "", {}, b""),
    "gitattributes binary": ({".gitattributes": "*.env binary\n"}, "", {}, b""),
    "gitattributes -text -diff per dir": ({"cfg/.gitattributes": "* -text -diff\n"}, "", {}, b""),
    "info/attributes -diff": ({}, "* -diff\n", {}, b""),
    "diff driver marked binary": ({".gitattributes": "* diff=hide\n"}, "", {"diff.hide.binary": "true"}, b""),
    "textconv empties the file": ({".gitattributes": "* diff=hide\n"}, "", {"diff.hide.textconv": "true"}, b""),
    "external diff": ({}, "", {"diff.external": "true"}, b""),
    "big file threshold": ({}, "", {"core.bigFileThreshold": "1k"}, b""),
    "NUL in the first 8 KB": ({}, "", {}, b"\0\x01binary header\n"),
    "context and renames config": (
        {},
        "",
        {"diff.context": "5", "diff.interHunkContext": "50", "diff.renames": "copies", "diff.orderFile": "README"},
        b"",
    ),
}


def _plant(repo: Repo, place: str, key: str) -> int:
    """Commit the hostile setup, then write (not commit) a file with a key; its line."""
    files, info, config, head = HIDING_PLACES[place]
    for name, text in files.items():
        repo.write(name, text)
    repo.write("cfg/app.env", PADDING)
    repo.commit("setup")
    if info:
        repo.write(".git/info/attributes", info)
    _config(repo, config)
    body = head + PADDING.encode() + f"QUESTIONPRO_API_KEY={key}\n".encode()
    repo.write("cfg/app.env", body)
    return body.count(b"\n")


@pytest.mark.parametrize("mode", ["--staged", "--range", "--history"])
@pytest.mark.parametrize("place", sorted(HIDING_PLACES))
def test_hiding_places_do_not_hide(repo: Repo, place: str, mode: str) -> None:
    key = new_key()
    repo.write("README", "x\n")
    base = repo.commit("base")
    line = _plant(repo, place, key)
    if mode == "--staged":
        repo.git("add", "-A")
        found = _json(repo, "--staged", secrets=[key], code=1)
        assert [(f["filename"], f["line_number"]) for f in found] == [("cfg/app.env", line)]
        return
    leak = repo.commit("leak")
    args = ["--range", f"{base}..{leak}"] if mode == "--range" else ["--history"]
    found = _json(repo, *args, secrets=[key], code=1)
    assert [(f["filename"], f["line_number"], f["commit"]) for f in found] == [("cfg/app.env", line, leak)]
    assert not list(repo.path.glob("*.ran"))


def test_no_driver_of_the_scanned_repository_runs(repo: Repo) -> None:
    key = new_key()
    repo.write(".gitattributes", "* diff=hide\n")
    repo.commit("attributes")
    marker = repo.path / "driver.ran"
    _config(repo, {"diff.hide.textconv": f"touch {marker}; cat", "diff.hide.command": f"touch {marker}; true"})
    repo.write("a.env", f"QUESTIONPRO_API_KEY={key}\n")
    repo.git("add", "-A")
    _json(repo, "--staged", secrets=[key], code=1)
    repo.commit("leak")
    _json(repo, "--history", secrets=[key], code=1)
    _json(repo, "--range", "HEAD~1..HEAD", secrets=[key], code=1)
    assert not marker.exists()


@pytest.mark.parametrize("args", [["--history"], ["--range", "HEAD"]])
def test_show_root_false_does_not_hide_the_root_commit(repo: Repo, args: list[str]) -> None:
    key = new_key()
    repo.write("a.env", f"QUESTIONPRO_API_KEY={key}\n")
    root = repo.commit("root leak")
    repo.write("b.txt", "later\n")
    repo.commit("later")
    _config(repo, {"log.showRoot": "false", "log.diffMerges": "off"})
    found = _json(repo, *args, secrets=[key], code=1)
    assert [(f["filename"], f["commit"]) for f in found] == [("a.env", root)]


def _conflicted_merge(repo: Repo, key: str, side_key: str) -> tuple[str, str, str]:
    """main and side both edit app.env; the resolution adds ``key``; side also adds
    ``side_key`` in its own commit. Returns (base, side commit, merge commit)."""
    repo.write("app.env", "# QuestionPro\nMODE=base\n")
    base = repo.commit("base")
    repo.git("checkout", "-q", "-b", "side")
    repo.write("app.env", "# QuestionPro\nMODE=side\n")
    repo.write("side.env", f"QUESTIONPRO_API_KEY={side_key}\n")
    side = repo.commit("side")
    repo.git("checkout", "-q", "main")
    repo.write("app.env", "# QuestionPro\nMODE=main\n")
    repo.commit("main")
    done = subprocess.run(["git", "merge", "-q", "side"], cwd=repo.path, capture_output=True, check=False)
    assert done.returncode != 0  # a conflict
    repo.write("app.env", f"# QuestionPro\nMODE=both\nQUESTIONPRO_API_KEY={key}\n")
    repo.git("add", "app.env")
    return base, side, ""


@pytest.mark.parametrize("mode", ["--staged", "--range", "--history"])
def test_key_added_while_resolving_a_merge_conflict(repo: Repo, mode: str) -> None:
    key, side_key = new_key(), new_key()
    base, side, _ = _conflicted_merge(repo, key, side_key)
    if mode == "--staged":  # the pre-commit hook while committing the merge
        found = _json(repo, "--staged", secrets=[key, side_key], code=1)
        assert {(f["filename"], f["line_number"]) for f in found} == {("app.env", 3), ("side.env", 1)}
        return
    repo.git("commit", "-q", "--no-edit")
    merge = repo.git("rev-parse", "HEAD")
    args = ["--range", f"{base}..{merge}"] if mode == "--range" else ["--history"]
    found = _json(repo, *args, secrets=[key, side_key], code=1)
    # each key once, with the commit that added it: the side's key is not the merge's
    assert sorted((f["filename"], f["line_number"], f["commit"]) for f in found) == sorted(
        [("app.env", 3, merge), ("side.env", 1, side)]
    )


def test_clean_merge_reports_nothing_twice(repo: Repo) -> None:
    key = new_key()
    repo.write("a.txt", "a\n")
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "side")
    repo.write("k.env", f"QUESTIONPRO_API_KEY={key}\n")
    side = repo.commit("side leak")
    repo.git("checkout", "-q", "main")
    repo.write("b.txt", "b\n")
    repo.commit("main")
    repo.git("merge", "-q", "--no-edit", "side")
    found = _json(repo, "--history", secrets=[key], code=1)
    assert [(f["filename"], f["commit"]) for f in found] == [("k.env", side)]


def test_carriage_return_inside_an_added_line(repo: Repo) -> None:
    """A bare CR must not desynchronise the patch reader (and hide what follows)."""
    key, key2 = new_key(), new_key()
    repo.write("a.txt", "a\n")
    base = repo.commit("base")
    repo.write("a.env", f"X=1\rY=2\nQUESTIONPRO_API_KEY={key}\n".encode() + b"Z=\r\r\r\n")
    repo.write("b.env", f"QUESTIONPRO_API_KEY={key2}\n")
    leak = repo.commit("leak")
    found = _json(repo, "--range", f"{base}..{leak}", secrets=[key, key2], code=1)
    assert sorted((f["filename"], f["line_number"]) for f in found) == [("a.env", 2), ("b.env", 1)]


def test_findings_are_capped_per_file_with_a_note(repo: Repo) -> None:
    repo.write("many.env", "".join(f"QUESTIONPRO_API_KEY_{i}={new_key()}\n" for i in range(150)))
    repo.git("add", "-A")
    run = run_cli(["scan", "--staged", "--format", "json"], repo.path)
    assert run.code == 1
    assert len(json.loads(run.stdout)) == 100
    assert "many.env: more than 100 findings, only the first 100 are reported" in run.stderr


@pytest.mark.parametrize(
    "text",
    [
        "12345678-90ab-4cde-8f01-234567890abc",
        "x-94D7-4A3E-8c55-y",
        "-94d7-4a3e-8c5-",
        "-94g7-4a3e-8c55-",
        "-hhhh-hhhh-hhhh-",
        "--------",
        "h-aaaa-bbbb-cccc-h",
        "-aaaa-bbbb-cccc",
        "",
        "\0\xff-0000-0000-0000-\0",
    ],
)
def test_quick_probe_is_the_uuid_probe(text: str) -> None:
    import re

    from responder.core.redact import PROBE
    from responder.scanning.quick import has_probe

    data = text.encode("latin-1")
    assert has_probe(data) is (re.search(PROBE.encode(), data) is not None)


def test_hook_quick_path_loads_no_scanner(repo: Repo) -> None:
    """A clean staged change is decided by one diff and one byte search; a UUID anywhere
    in it (or no HEAD yet) goes to the full scan."""
    probe = (
        "import sys\nfrom responder.entry import main\ncode = main(['scan', '--staged'])\n"
        "print(code, 'responder.scanning.scanner' in sys.modules, 'subprocess' in sys.modules)\n"
    )

    def hook() -> str:
        done = subprocess.run([sys.executable, "-c", probe], cwd=repo.path, capture_output=True, text=True, check=True)
        return done.stdout.strip().splitlines()[-1]

    repo.write("a.py", "print('hi')\n")
    repo.git("add", "-A")
    assert hook() == "0 True True"  # no HEAD yet: the full scan
    repo.commit("base")
    repo.write("b.py", "print('clean')\n")
    repo.git("add", "-A")
    assert hook() == "0 False False"
    repo.write("c.py", f'request_id = "{new_key()}"\n')
    repo.git("add", "-A")
    assert hook() == "0 False False"  # the line gate refutes it: no scanner
    repo.write("c.py", f'value = "{new_key()}"\n')
    repo.git("add", "-A")
    assert hook() == "0 True True"  # a bare value: the whole file decides, in the full scan
    key = new_key()
    repo.write("d.env", f"QUESTIONPRO_API_KEY={key}\n")
    repo.git("add", "-A")
    assert hook() == "1 True True"


def test_history_renames_copies_and_many_files(repo: Repo) -> None:
    """A rename is not a new leak, a copy is; files without a candidate cost nothing."""
    key, key2 = new_key(), new_key()
    for i in range(30):
        repo.write(f"pkg/m{i}.py", f"x = {i}\n")
    repo.write("a.env", f"QUESTIONPRO_API_KEY={key}\n")
    added = repo.commit("import")
    (repo.path / "conf").mkdir()
    repo.git("mv", "a.env", "conf/b.env")
    repo.write("c.yml", f"questionpro:\n  api_key: {key2}\n")  # another suspect in the same commit
    moved = repo.commit("move and add")
    repo.write("copy.env", f"QUESTIONPRO_API_KEY={key}\n")
    copied = repo.commit("copy")
    found = _json(repo, "--history", secrets=[key, key2], code=1)
    assert sorted((f["filename"], f["commit"]) for f in found) == sorted(
        [("a.env", added), ("c.yml", moved), ("copy.env", copied)]
    )


@pytest.mark.parametrize("block", [7, 64, 1000])
def test_log_pieces_cut_between_commits_and_between_files(monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    """Pieces end on a commit boundary; a commit bigger than the limit is cut between files,
    each later piece led by its header; nothing is lost or repeated."""
    from responder.scanning import gitio
    from responder.scanning.patch import split_commits

    monkeypatch.setattr(gitio, "_CHUNK", 50)
    monkeypatch.setattr(gitio, "_MAX_PIECE", 200)
    commits = []
    for c in range(6):
        files = "".join(f"diff --git a/f{f} b/f{f}\n+line {c} {f} " + "x" * (c * 20) + "\n" for f in range(c + 1))
        commits.append(f"\x1e{c:040d} {'p' * 40}\n\n{files}")
    stream = "".join(commits).encode()
    reads = iter(stream[i : i + block] for i in range(0, len(stream), block))
    pieces = list(gitio._pieces(lambda _: next(reads, b"")))
    seen: dict[str, str] = {}
    for piece in pieces:
        assert piece.startswith(b"\x1e")
        for commit in split_commits(piece):
            seen[commit.sha] = seen.get(commit.sha, "") + commit.body.decode()
    expected = {f"{c:040d}": text.split("\n", 1)[1] for c, text in enumerate(commits)}
    assert {sha: body.replace("\n", "") for sha, body in seen.items()} == {
        sha: body.replace("\n", "") for sha, body in expected.items()
    }
    assert max(len(p) for p in pieces) < 200 + 50 + block + 100


@pytest.mark.parametrize("before", [b"", b" ", b"  ", b"\n", b"\t\t\t"])
@pytest.mark.parametrize("after", [b"", b"\n", b"\r\n"])
@pytest.mark.parametrize("upper", [False, True])
def test_base64_hint_never_misses_an_encoded_uuid(before: bytes, after: bytes, upper: bool) -> None:
    import base64

    from responder.scanning import triage

    for _ in range(50):
        key = new_key().upper() if upper else new_key()
        encoded = base64.b64encode(before + key.encode() + after)
        assert triage.B64_HINT.search(encoded) is not None


@pytest.mark.parametrize("cores", [1, 2, 3, 6])
def test_history_walk_on_any_number_of_cores(repo: Repo, monkeypatch: pytest.MonkeyPatch, cores: int) -> None:
    """One core: blobs judged in process; more: one cat-file and one forked reader per
    core but one (at most 4)."""
    from responder.scanning import scanner

    keys = [new_key() for _ in range(3)]
    for i, key in enumerate(keys):
        for j in range(20):
            repo.write(f"d{j}/f{i}.py", f"value = {i * j}\nrequest_id = '{new_key()}'\n")
        repo.write(f"k{i}.env", f"QUESTIONPRO_API_KEY={key}\n")
        repo.commit(f"c{i}")
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    report = scanner.scan_revisions(repo.path, ["--all"], repo.path, scanner.Excluder(), include_removed=False)
    assert sorted(f.filename for f in report.findings) == ["k0.env", "k1.env", "k2.env"]
    assert report.commits_scanned == 3 and report.warnings == []


@pytest.mark.parametrize("mode", ["path", "--staged", "--history"])
def test_big_file_judged_in_windows_finds_late_keys_and_caps_early(repo: Repo, mode: str) -> None:
    """Over 1 MB a file is judged in growing windows of lines: a key far down is found,
    and a file of many keys stops once it has more than are reported."""
    late = new_key()
    padding = "".join(f"# QuestionPro settings line {i} " + "x" * 100 + "\n" for i in range(20_000))
    repo.write("late.env", padding + f"QUESTIONPRO_API_KEY={late}\n")
    repo.write("many.env", padding + "".join(f"QUESTIONPRO_API_KEY_{i}={new_key()}\n" for i in range(300)))
    repo.git("add", "-A")
    if mode == "--history":
        repo.commit("big")
    args = ["scan", "--format", "json", *([mode] if mode != "path" else ["."])]
    run = run_cli(args, repo.path, secrets=[late])
    assert run.code == 1
    found = json.loads(run.stdout)
    assert [f["line_number"] for f in found if f["filename"] == "late.env"] == [20_001]
    assert len([f for f in found if f["filename"] == "many.env"]) == 100
    assert "more than 100 findings, only the first 100 are reported" in run.stderr


def test_hook_quick_path_says_what_the_full_scan_says_when_clean(repo: Repo) -> None:
    """The quick path's clean case is not silent: its note is the full scan's, word for word."""
    repo.write("a.py", "print('hi')\n")
    repo.git("add", "-A")
    repo.commit("base")
    repo.write("b.py", "print('clean')\n")
    repo.git("add", "-A")
    quick = run_cli(["scan", "--staged"], repo.path)
    full = run_cli(["scan", "--staged", "--exclude", "no-such-file"], repo.path)  # the click path, the full scan
    assert quick.code == full.code == 0
    assert quick.stdout == full.stdout == ""
    assert quick.stderr == full.stderr == "qp-responder: no QuestionPro API key found in the staged changes\n"
