"""The in-process pack reader of ``--history`` (``scanning/packs``): its verdict on every
blob is git's (real repositories packed by git: deltas, deep chains, a thin pack fixed
by ``index-pack``, loose objects beside packs), and whatever it cannot trust is left to
``git cat-file`` with the same findings (a damaged pack, a worker that dies, limits)."""

from __future__ import annotations

import json
import os
import random
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from responder.core.redact import hashed_secret
from responder.scanning import blobwalk, messages, packs, packwork, triage
from tests.conftest import Repo, run_main
from tests.corpus import new_key, new_uuid


def _history(repo: Repo, versions: int = 24) -> list[str]:
    """Versions of a few files close enough for git to store as deltas: keys come and go,
    request ids (not keys) stay."""
    keys = []
    lines = [f"setting_{n} = {n * 7}\n" for n in range(60)]
    for version in range(versions):
        lines[version % 60] = f"setting_{version % 60} = changed {version}\n"
        body = "".join(lines) + f'request_id = "{new_uuid()}"\n'
        if version % 6 == 3:
            keys.append(new_key())
            body += f"QUESTIONPRO_API_KEY={keys[-1]}\n"
        repo.write("config/app.env", body)
        repo.write("notes.txt", "".join(reversed(lines)))
        repo.commit(f"version {version}")
    return keys


def _blobs(repo: Repo) -> dict[bytes, bool]:
    """Every blob git has, and whether it holds a suspect line (read by git)."""
    listing = repo.git("cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)")
    ids = [line.split()[0] for line in listing.splitlines() if line.endswith(" blob")]
    found = {}
    for sha in ids:
        data = subprocess.run(["git", "cat-file", "blob", sha], cwd=repo.path, capture_output=True, check=True).stdout
        found[bytes.fromhex(sha)] = triage.has_suspect_line(data)
    return found


def _objects(repo: Repo) -> Path:
    dot_git = repo.path / ".git"
    return (dot_git if dot_git.exists() else repo.path) / "objects"


def _types_in_packs(repo: Repo) -> set[int]:
    """The stored type of each object in the packs (6, 7: deltas by offset, by id)."""
    kinds = set()
    for index in (_objects(repo) / "pack").glob("*.idx"):
        _, offsets = packs._open_index(index)
        data = index.with_suffix(".pack").read_bytes()
        kinds.update((data[offset] >> 4) & 7 for offset in offsets)
    return kinds


def _pack_objects(repo: Repo, revs: str, *options: str) -> bytes:
    command = ["git", "pack-objects", "--revs", "--stdout", *options]
    return subprocess.run(command, cwd=repo.path, input=revs.encode(), capture_output=True, check=True).stdout


def _thin(repo: Repo, tmp_path: Path) -> None:
    """A bare repository that received the history in two fetches: packs as the wire
    sends them (deltas on bases named by id), the second thin, fixed by ``index-pack
    --fix-thin`` as a fetch does."""
    _history(repo, 12)
    first = repo.git("rev-parse", "HEAD")
    _history(repo, 12)
    clone = tmp_path / "received.git"
    subprocess.run(["git", "init", "-q", "--bare", str(clone)], check=True)
    for revs, options in ((f"{first}\n", ()), (f"HEAD\n^{first}\n", ("--thin",))):
        pack = _pack_objects(repo, revs, *options)
        fix = ["--fix-thin"] if options else []
        subprocess.run(["git", "index-pack", "--stdin", *fix], cwd=clone, input=pack, capture_output=True, check=True)
    subprocess.run(
        ["git", "-C", str(clone), "update-ref", "refs/heads/main", repo.git("rev-parse", "HEAD")], check=True
    )
    repo.path = clone


BUILDS = {
    "loose objects only": lambda repo, tmp: _history(repo),
    "packed by gc": lambda repo, tmp: (_history(repo), repo.git("gc", "-q")),
    "deep delta chains": lambda repo, tmp: (
        _history(repo, 40),
        repo.git("repack", "-adfq", "--depth=250", "--window=250"),
    ),
    "packs and loose objects": lambda repo, tmp: (_history(repo, 12), repo.git("repack", "-adq"), _history(repo, 12)),
    "two packs": lambda repo, tmp: (
        _history(repo, 12),
        repo.git("repack", "-dq"),
        _history(repo, 12),
        repo.git("repack", "-dq"),
    ),
    "a thin pack fixed by index-pack": _thin,
}


@pytest.mark.parametrize("inflater", ["as installed", "zlib"])
@pytest.mark.parametrize("build", BUILDS)
def test_every_blob_judged_as_git_reads_it(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, build: str, inflater: str
) -> None:
    if inflater == "zlib":  # where python-isal has no wheel
        monkeypatch.setattr(packs, "_inflater", lambda: zlib.decompressobj)
    BUILDS[build](repo, tmp_path)
    expected = _blobs(repo)
    verdicts = packwork.judge(_objects(repo), triage.has_suspect_line, 2, messages.may_hold_key)
    assert {blob: verdicts.suspect(blob) for blob in expected} == expected
    assert any(expected.values()) and not all(expected.values())
    assert not verdicts.failed
    if build == "a thin pack fixed by index-pack":
        assert 7 in _types_in_packs(repo)  # deltas on a base named by id were read
    if build == "deep delta chains":
        assert 6 in _types_in_packs(repo)


def _scan(repo: Repo) -> tuple[int, list[tuple[str, str | None, int]], str]:
    done = run_main(["scan", "--history", "--format", "json"], repo.path)
    found = json.loads(done.stdout) if done.stdout.strip() else []
    return done.code, sorted((f["hashed_secret"], f.get("commit"), f["line_number"]) for f in found), done.stderr


def _through_git(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(packs, "usable", lambda objects: False)


def test_history_finds_the_same_keys_either_way(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    _history(repo, 30)
    repo.git("gc", "-q")
    from_packs = _scan(repo)
    assert from_packs[0] == 1 and len(from_packs[1]) == 5
    with monkeypatch.context() as patch:
        _through_git(patch)
        assert _scan(repo)[:2] == from_packs[:2]


def _damage_pack(repo: Repo, what: str) -> None:
    index = next((_objects(repo) / "pack").glob("*.idx"))
    pack = index.with_suffix(".pack")
    data = bytearray(pack.read_bytes())
    if what == "object count":
        data[8:12] = struct.pack(">I", struct.unpack(">I", data[8:12])[0] + 1)
    elif what == "truncated":
        del data[len(data) // 2 :]
    elif what == "index":
        index.chmod(0o644)
        raw = bytearray(index.read_bytes())
        raw[8 + 4 * 10 : 8 + 4 * 11] = b"\xff\xff\xff\xff"  # fan-out no longer sorted
        index.write_bytes(bytes(raw))
        return
    pack.chmod(0o644)
    pack.write_bytes(bytes(data))


@pytest.mark.parametrize("what", ["object count", "index"])
def test_a_pack_the_reader_does_not_trust_is_left_to_git(
    repo: Repo, monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    """The reader skips the pack; git, which reads it as it is, finds what it finds."""
    _history(repo, 18)
    repo.git("gc", "-q")
    _damage_pack(repo, what)
    with pytest.raises(packs.PackError):
        packwork.judge(_objects(repo), triage.has_suspect_line, 2, messages.may_hold_key)
    from_packs = _scan(repo)
    with monkeypatch.context() as patch:
        _through_git(patch)
        assert _scan(repo)[:2] == from_packs[:2]


def test_a_truncated_pack_fails_closed(repo: Repo) -> None:
    """Half a pack: neither this reader nor git can read the rest; the scan says so."""
    _history(repo, 18)
    repo.git("gc", "-q")
    _damage_pack(repo, "truncated")
    code, _, stderr = _scan(repo)
    assert code not in (0, 1), stderr


LIMITS = {
    "a blob over the size held": ("MAX_BLOB_BYTES", 256),
    "a delta chain over the memory held": ("_PATH_BYTES", 4096),
}


@pytest.mark.parametrize("limit", LIMITS)
def test_blobs_past_a_limit_are_read_by_git(repo: Repo, monkeypatch: pytest.MonkeyPatch, limit: str) -> None:
    _history(repo, 24)
    repo.git("repack", "-adfq", "--depth=50")
    expected = _scan(repo)
    name, value = LIMITS[limit]
    monkeypatch.setattr(packs, name, value)
    verdicts = packwork.judge(_objects(repo), triage.has_suspect_line, 2, messages.may_hold_key)
    assert verdicts.failed
    assert _scan(repo)[:2] == expected[:2]


def test_a_worker_that_dies_leaves_every_blob_to_git(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    _history(repo, 24)
    repo.git("gc", "-q")
    expected = _scan(repo)
    parent, work = os.getpid(), packwork._work

    def dying(*args: object) -> None:
        if os.getpid() != parent:
            os._exit(3)
        work(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(packwork, "_work", dying)
    with pytest.raises(packs.PackError):
        packwork.judge(_objects(repo), triage.has_suspect_line, 2, messages.may_hold_key)
    assert _scan(repo)[:2] == expected[:2]


def test_loose_objects_the_reader_will_not_open(repo: Repo, tmp_path: Path) -> None:
    """A link, a FIFO (which would block a reader), a file that inflates past its size:
    never followed or waited on; each is git's to read, and git finds the key behind the link."""
    key = new_key()
    repo.write("app.env", f"QUESTIONPRO_API_KEY={key}\n")
    repo.commit("key")
    blob = repo.git("rev-parse", "HEAD:app.env")
    path = _objects(repo) / blob[:2] / blob[2:]
    moved = tmp_path / "elsewhere"
    moved.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(moved)
    fifo = _objects(repo) / "ab" / ("c" * 38)
    fifo.parent.mkdir(exist_ok=True)
    os.mkfifo(fifo)
    bomb = _objects(repo) / "ab" / ("d" * 38)
    bomb.write_bytes(zlib.compress(b"blob 3\0" + b"x" * 100))
    verdicts = packwork.judge(_objects(repo), triage.has_suspect_line, 2, messages.may_hold_key)
    assert {bytes.fromhex(blob), bytes.fromhex("ab" + "c" * 38), bytes.fromhex("ab" + "d" * 38)} <= verdicts.failed
    assert verdicts.suspect(bytes.fromhex(blob)) is None
    code, found, _ = _scan(repo)
    assert code == 1 and len(found) == 1


def test_the_reader_stays_out_where_git_reads_elsewhere(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Alternates (another repository's objects) or no compiled delta code: git reads every blob."""
    _history(repo, 6)
    assert packs.usable(_objects(repo))
    (_objects(repo) / "info").mkdir(exist_ok=True)
    (_objects(repo) / "info" / "alternates").write_text(str(tmp_path / "other" / "objects") + "\n")
    assert not packs.usable(_objects(repo))
    (_objects(repo) / "info" / "alternates").unlink()
    monkeypatch.setenv("GIT_ALTERNATE_OBJECT_DIRECTORIES", str(tmp_path))
    assert not packs.usable(_objects(repo))
    monkeypatch.delenv("GIT_ALTERNATE_OBJECT_DIRECTORIES")
    monkeypatch.setattr(packs, "native_delta", lambda: None)
    assert not packs.usable(_objects(repo))


def test_a_missing_blob_is_still_said(repo: Repo) -> None:
    """A blob in no pack and not loose (a partial clone, a damaged repository): cat-file
    says it is missing, and the scan says which file was not scanned."""
    _history(repo, 6)
    repo.write("lost.txt", "gone\n")
    repo.commit("lost")
    blob = repo.git("rev-parse", "HEAD:lost.txt")
    (_objects(repo) / blob[:2] / blob[2:]).unlink()
    _, _, stderr = _scan(repo)
    assert "lost.txt" in stderr and "cannot read" in stderr


def test_the_walk_takes_one_verdict_per_blob(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every commit that writes a suspect blob is patched, on the packs' word alone: no git
    read when every blob is in them."""
    _history(repo, 12)
    repo.git("gc", "-q")
    asked: list[bytes] = []
    monkeypatch.setattr(blobwalk._Git, "__call__", lambda self, sha: asked.append(sha))
    objects = blobwalk.packed(repo.path, ["--all"], no_walk=False)
    assert objects == _objects(repo)
    walk = blobwalk.suspect_commits(
        repo.path,
        ["--all"],
        no_walk=False,
        is_suspect=triage.has_suspect_line,
        packed=(objects, messages.may_hold_key),
    )
    assert not asked
    assert len(walk.suspects) == 2 and walk.commits == 12
    assert walk.messages == []  # no message holds a UUID


MESSAGE_BUILDS = {
    "loose": lambda repo: None,
    "packed": lambda repo: repo.git("gc", "-q"),
    "packed, then a loose commit": lambda repo: (repo.git("gc", "-q"), repo.commit("after")),
}


@pytest.mark.parametrize("build", MESSAGE_BUILDS)
def test_a_key_in_a_commit_message_is_found_from_the_packs(
    repo: Repo, monkeypatch: pytest.MonkeyPatch, build: str
) -> None:
    """The packs clear the messages without a UUID; git reads the rest, and the findings
    are those of reading every message through git."""
    _history(repo, 8)
    key = new_key()
    repo.write("x.txt", "x\n")
    repo.commit(f"rotate QUESTIONPRO_API_KEY={key}\n\nrequest id {new_uuid()}")
    repo.write("y.txt", "y\n")
    repo.commit(f"trace id {new_uuid()} in the log")
    MESSAGE_BUILDS[build](repo)
    from_packs = _scan(repo)
    assert len([f for f in from_packs[1] if f[0] == hashed_secret(key)]) == 1
    with monkeypatch.context() as patch:
        _through_git(patch)
        assert _scan(repo)[:2] == from_packs[:2]
    verdicts = packwork.judge(_objects(repo), triage.has_suspect_line, 2, messages.may_hold_key)
    listed = repo.git("rev-list", "--all").split()
    assert sum(verdicts.message(bytes.fromhex(c)) for c in listed) == 2  # only the two with a UUID


@pytest.mark.parametrize("planted", ["a FIFO", "a link to /dev/zero", "a directory"])
def test_a_planted_index_is_refused_not_waited_on(repo: Repo, monkeypatch: pytest.MonkeyPatch, planted: str) -> None:
    """Something under a pack index's name that is no regular file: the reader gives up at
    once (a FIFO would block a plain open, /dev/zero never ends) and git reads every blob."""
    _history(repo, 12)
    repo.git("gc", "-q")
    expected = _scan(repo)
    index = _objects(repo) / "pack" / "pack-planted.idx"
    if planted == "a FIFO":
        os.mkfifo(index)
    elif planted == "a directory":
        index.mkdir()
    else:
        index.symlink_to("/dev/zero")
    with pytest.raises(packs.PackError):
        packwork.judge(_objects(repo), triage.has_suspect_line, 2, messages.may_hold_key)
    assert _scan(repo)[:2] == expected[:2]


_THROUGH_GIT = (
    "import sys\n"
    "from responder.scanning import packs\n"
    "packs.usable = lambda objects: False\n"
    "from responder.entry import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def _scan_both(repo: Repo) -> list[tuple[int, list[tuple[str, str, int]], str]]:
    """The scan in new processes, from the packs and through git (each bounded in time)."""
    found = []
    for how in (["-m", "responder"], ["-c", _THROUGH_GIT]):
        done = subprocess.run(
            [sys.executable, *how, "scan", "--history", "--format", "json"],
            cwd=repo.path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        report = json.loads(done.stdout) if done.stdout.strip() else []
        keys = sorted((f["hashed_secret"], f["commit"], f["line_number"]) for f in report)
        found.append((done.returncode, keys, done.stderr))
    return found


@pytest.mark.parametrize("seed", range(16))
def test_a_damaged_pack_reads_as_git_reads_it(repo: Repo, seed: int) -> None:
    """Bytes flipped anywhere in a pack's objects: the findings (or the failure) are those of
    reading every blob and message through git, and nothing crashes inside the scanner."""
    _history(repo, 12)
    repo.git("gc", "-q")
    pack = next((_objects(repo) / "pack").glob("*.pack"))
    data = bytearray(pack.read_bytes())
    rng = random.Random(seed)
    for _ in range(rng.randint(1, 3)):
        data[rng.randrange(12, len(data) - 20)] ^= 1 << rng.randrange(8)
    pack.chmod(0o644)
    pack.write_bytes(bytes(data))
    from_packs, through_git = _scan_both(repo)
    assert from_packs[:2] == through_git[:2], (from_packs[2], through_git[2])
    assert "internal error" not in from_packs[2]


def test_a_linked_worktree_reads_the_packs_of_its_repository(repo: Repo, tmp_path: Path) -> None:
    """A worktree's ``.git`` is a file: git names the object directory, which is the main
    repository's, and the scan from the worktree finds what the main one finds."""
    keys = _history(repo, 12)
    repo.git("gc", "-q")
    linked = tmp_path / "linked"
    repo.git("worktree", "add", "-q", str(linked))
    assert blobwalk.packed(linked, ["--all"], no_walk=False) == (repo.path / ".git" / "objects").resolve()
    assert _scan(Repo(linked))[:2] == _scan(repo)[:2]
    assert len(_scan(repo)[1]) == len(keys)


def test_blobs_no_ref_reaches_are_not_rebuilt(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """Packs holding far more commits than the history walks (a deleted branch kept by
    ``repack --keep-unreachable``, a local clone of a mirror): once the log is in, trees of
    blobs it never writes are left unrebuilt; the findings are those of reading through git."""
    kept = _history(repo, 6)
    repo.git("checkout", "-q", "-b", "gone")
    dropped = _history(repo, 30)
    repo.git("repack", "-adq")  # all packed while the branch still holds them
    repo.git("checkout", "-q", "-")
    repo.git("branch", "-q", "-D", "gone")
    repo.git("reflog", "expire", "--expire=now", "--all")
    repo.git("repack", "-adq", "--keep-unreachable")
    published: list[int] = []
    real_publish = packwork._Reach.publish
    monkeypatch.setattr(
        packwork._Reach, "publish", lambda self, ids: published.append(len(ids)) or real_publish(self, ids)
    )
    real_watch = blobwalk._SpoolWatch.__call__

    def after_the_log(self: blobwalk._SpoolWatch, commits_held: int = 0) -> set[bytes] | None:
        self.log.wait()  # a history this small is judged before git's log ends
        return real_watch(self, commits_held)

    monkeypatch.setattr(blobwalk._SpoolWatch, "__call__", after_the_log)
    monkeypatch.setattr(blobwalk, "_UNREACHED_SLACK", 0)
    from_packs = _scan(repo)
    assert published  # the filter was set
    with monkeypatch.context() as patch:
        _through_git(patch)
        assert _scan(repo)[:2] == from_packs[:2]
    assert len(from_packs[1]) == len(kept) and dropped


def test_packs_past_the_object_limit_are_left_to_git(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """More objects than the reader's tables may hold (an index of 1.4 million tiny blobs
    took 753 MB): the packs are not read, git reads every blob, the findings are the same."""
    keys = _history(repo, 12)
    repo.git("gc", "-q")
    expected = _scan(repo)
    monkeypatch.setattr(packs, "MAX_OBJECTS", 10)
    with pytest.raises(packs.PackError, match=r"too many objects|a size this reader holds"):
        packs.open_packs(_objects(repo))
    assert _scan(repo)[:2] == expected[:2] and len(expected[1]) == len(keys)


def test_an_empty_set_of_written_blobs_reaches_the_workers() -> None:
    """A history that writes no blob (empty commits) publishes an empty set, which a worker
    must read as 'none of these trees', not as 'nothing published yet'."""
    reach = packwork._Reach()
    reach.publish(set())
    reach.ids = None  # as a forked worker that has not read the file yet
    assert reach.current() == set()
    reach.file.close()
