"""A hostile repository against the in-process pack reader (round 7's attacker's review):
forged copies of objects, an index that lists an id twice, a delta on a base no index
lists, a decoy object directory, headers that never end, objects git never reads that cost
a thousand times their size, a log too big to spool. In each, ``--history`` finds what
reading every blob and message through git finds."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from responder.core.redact import hashed_secret
from responder.scanning import blobwalk, gitio, messages, packs, packwork, triage
from tests import packcraft
from tests.conftest import Repo, run_main
from tests.corpus import new_key, new_uuid


def _scan(path: Path, secrets: list[str]) -> tuple[int, list[tuple[str, str, int, str]]]:
    done = run_main(["scan", "--history", "--format", "json"], path, secrets=secrets)
    found = json.loads(done.stdout) if done.stdout.strip() else []
    return done.code, sorted((f["hashed_secret"], f["commit"], f["line_number"], f["filename"]) for f in found)


def _both(path: Path, secrets: list[str], monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    from_packs = _scan(path, secrets)
    with monkeypatch.context() as patch:
        patch.setattr(packs, "usable", lambda objects: False)
        through_git = _scan(path, secrets)
    return from_packs, through_git


def _keyed(repo: Repo) -> tuple[str, bytes, bytes]:
    """A history adding a key line: (key, the line's blob, its id), all packed."""
    key = new_key()
    repo.write("app.env", "x=1\n")
    repo.commit("init")
    line = f"QUESTIONPRO_API_KEY={key}\n".encode()
    repo.write("app.env", line)
    repo.commit("add the key")
    repo.git("gc", "-q")
    return key, line, packcraft.object_id("blob", line)


def _repack_without(repo: Repo, *left_out: bytes) -> Path:
    """Every object in one new pack but ``left_out`` (which a test then stores its way)."""
    pack_dir = repo.path / ".git" / "objects" / "pack"
    listed = [line.split()[0] for line in repo.git("rev-list", "--objects", "--all").splitlines()]
    keep = [oid for oid in listed if bytes.fromhex(oid) not in left_out]
    old = list(pack_dir.glob("pack-*"))
    subprocess.run(
        ["git", "pack-objects", "-q", str(pack_dir / "pack")],
        cwd=repo.path,
        input="\n".join(keep) + "\n",
        text=True,
        check=True,
    )
    for path in old:
        path.unlink()
    return pack_dir


def _duplicate_base(repo: Repo, reverse_ties: bool) -> list[str]:
    key, line, blob = _keyed(repo)
    pack_dir = _repack_without(repo, blob)
    base_id = bytes.fromhex("77" * 20)
    clean = b"x" * (len(line) - 1) + b"\n"
    copies = [packcraft.whole("blob", line, base_id), packcraft.whole("blob", clean, base_id)]
    delta = packcraft.ref_delta(base_id, packcraft.copy_delta(len(line), len(line)), blob)
    packcraft.write_pack(pack_dir, [*copies, delta], reverse_ties=reverse_ties)
    return [key]


def _forged_loose_content(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The key's blob is too big to hand back; a forged loose copy, suspect but no key,
    small enough to be handed back, is what the whole-blob look would have judged."""
    key, line, blob = _keyed(repo)
    monkeypatch.setattr(packwork, "CONTENT_BYTES", len(line) - 5)
    packcraft.write_loose(repo.path / ".git" / "objects", blob, "blob", f"api_key={new_uuid()}\n".encode())
    return [key]


def _deltified_commit(repo: Repo, forged: str = "a loose tree") -> list[str]:
    key = new_key()
    repo.write("a.txt", "a\n")
    repo.commit("init")
    repo.write("a.txt", "b\n")
    commit = repo.commit(f"rotate: the old QUESTIONPRO_API_KEY={key} leaked")
    repo.git("gc", "-q")
    body = subprocess.run(["git", "cat-file", "commit", commit], cwd=repo.path, capture_output=True, check=True).stdout
    pack_dir = _repack_without(repo, bytes.fromhex(commit))
    base = b"tree " + b"0" * 40 + b"\n\na commit to be a delta base\n"
    entries = [packcraft.whole("commit", base, bytes.fromhex("01" * 20)), packcraft.Entry(b"", bytes.fromhex(commit))]
    packcraft.write_pack(pack_dir, entries, ofs_deltas={1: (0, packcraft.insert_delta(len(base), body))})
    clean = (
        b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor a <a@x> 1 +0000\ncommitter a <a@x> 1 +0000\n\nclean\n"
    )
    if forged == "a loose tree":
        packcraft.write_loose(repo.path / ".git" / "objects", bytes.fromhex(commit), "tree", b"")
    elif forged == "a loose commit":
        packcraft.write_loose(repo.path / ".git" / "objects", bytes.fromhex(commit), "commit", clean)
    else:  # a whole copy in a pack whose index names another pack: git never opens it
        ignored = packcraft.write_pack(pack_dir, [packcraft.whole("commit", clean, bytes.fromhex(commit))])
        index = ignored.with_suffix(".idx")
        raw = bytearray(index.read_bytes())
        raw[-40:-20] = b"\x11" * 20
        raw[-20:] = hashlib.sha1(bytes(raw[:-20]), usedforsecurity=False).digest()
        index.write_bytes(bytes(raw))
    return [key]


def _hidden_base(repo: Repo) -> list[str]:
    """Pack 1 stores the key's blob as a delta on a base its index does not list (hidden in
    another entry's bytes: git follows the offset); an older pack 2 a forged clean copy."""
    key, line, blob = _keyed(repo)
    pack_dir = _repack_without(repo, blob)
    older = packcraft.write_pack(pack_dir, [packcraft.whole("blob", b"clean\n", blob)])
    for path in pack_dir.glob(older.stem + ".*"):
        os.utime(path, (1, 1))
    filler = packcraft.whole("blob", b"filler\n")
    hidden = packcraft.whole("blob", line)
    delta = packcraft.copy_delta(len(line), len(line))
    back = len(hidden.raw)
    entry = packcraft.header(6, len(delta)) + packcraft.ofs(back) + __import__("zlib").compress(delta)
    packcraft.write_pack(pack_dir, [packcraft.Entry(filler.raw + hidden.raw, filler.oid), packcraft.Entry(entry, blob)])
    return [key]


def _decoy_git_dir(repo: Repo, tmp_path: Path) -> tuple[Path, list[str]]:
    """A bare mirror holding a ``.git`` git does not take for a repository (no refs/),
    with forged copies of the key's blob and commit."""
    key, message_key = new_key(), new_key()
    repo.write("app.env", "x=1\n")
    repo.commit("init")
    repo.write("app.env", f"QUESTIONPRO_API_KEY={key}\n")
    commit = repo.commit(f"add the key; QUESTIONPRO_API_KEY={message_key}")
    mirror = tmp_path / "m.git"
    subprocess.run(["git", "clone", "-q", "--mirror", str(repo.path), str(mirror)], check=True)
    decoy = mirror / ".git"
    (decoy / "objects").mkdir(parents=True)
    (decoy / "HEAD").write_text("not a ref\n")
    blob = packcraft.object_id("blob", f"QUESTIONPRO_API_KEY={key}\n".encode())
    packcraft.write_loose(decoy / "objects", blob, "blob", b"clean\n")
    packcraft.write_loose(decoy / "objects", bytes.fromhex(commit), "tree", b"")
    return mirror, [key, message_key]


FORGED_COMMITS = {
    "a commit stored as a delta, a forged loose tree under its id": "a loose tree",
    "a commit stored as a delta, a forged loose commit with a clean message": "a loose commit",
    "a commit stored as a delta, a forged whole copy in a pack git ignores": "a pack",
}
SCENARIOS = [
    "an index listing a delta's base twice, in the pack's order",
    "an index listing a delta's base twice, in the reverse order",
    "a forged loose copy handed back in place of the real one",
    "a commit stored as a delta, a forged loose tree under its id",
    "a commit stored as a delta, a forged loose commit with a clean message",
    "a commit stored as a delta, a forged whole copy in a pack git ignores",
    "a delta on a base no index lists, a forged clean copy in an older pack",
    "a decoy .git in a bare mirror",
]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_forged_or_hidden_copy_never_hides_a_key(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scenario: str
) -> None:
    path = repo.path
    if scenario.startswith("an index listing"):
        keys = _duplicate_base(repo, reverse_ties=scenario.endswith("reverse order"))
    elif scenario.startswith("a forged loose copy"):
        keys = _forged_loose_content(repo, monkeypatch)
    elif scenario in FORGED_COMMITS:
        keys = _deltified_commit(repo, FORGED_COMMITS[scenario])
    elif scenario.startswith("a delta on a base"):
        keys = _hidden_base(repo)
    else:
        path, keys = _decoy_git_dir(repo, tmp_path)
    from_packs, through_git = _both(path, keys, monkeypatch)
    assert from_packs == through_git
    code, found = through_git  # type: ignore[misc]
    if not scenario.startswith("an index listing"):  # there, which copy git reads is git's to say
        assert code == 1 and {f[0] for f in found} == {hashed_secret(k) for k in keys}


@pytest.mark.parametrize("where", ["an object's size", "a delta's distance back"])
def test_a_header_that_never_ends_is_refused_at_once(repo: Repo, where: str) -> None:
    """A run of a million 0xFF bytes in an entry's header (the reader's loops had no end but
    the run's, and their cost grew with its square): the pack is not trusted, git reads."""
    _keyed(repo)
    run = b"\xff" * 1_000_000 + b"\x00"
    raw = (b"\xb0" + run) if where == "an object's size" else (packcraft.header(6, 5) + run)
    packcraft.write_pack(repo.path / ".git" / "objects" / "pack", [packcraft.Entry(raw, bytes.fromhex("ab" * 20))])
    with pytest.raises(packs.PackError, match=r"too long|before the pack"):
        packs.open_packs(repo.path / ".git" / "objects")


def test_objects_git_never_reads_cost_at_most_the_allowance(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unreachable pack: one base and many deltas each copying all of it. Past the
    allowance every blob is left to git, which never reads these; the key is still found."""
    keys = [_keyed(repo)[0]]
    base = b"x" * 60_000 + b"\n"
    unreachable = [packcraft.whole("blob", base)] + [packcraft.Entry(b"", bytes([n]) * 20) for n in range(1, 41)]
    ofs_deltas = {n: (0, packcraft.copy_delta(len(base), len(base))) for n in range(1, 41)}
    packcraft.write_pack(repo.path / ".git" / "objects" / "pack", unreachable, ofs_deltas=ofs_deltas)
    monkeypatch.setattr(packwork, "_REBUILT_FLOOR", 300_000)
    monkeypatch.setattr(packwork, "_REBUILT_RATIO", 0)
    verdicts = packwork.judge(repo.path / ".git" / "objects", triage.has_suspect_line, 2, messages.may_hold_key)
    assert len(verdicts.failed & {bytes([n]) * 20 for n in range(1, 41)}) >= 30
    from_packs, through_git = _both(repo.path, keys, monkeypatch)
    assert from_packs == through_git and from_packs[0] == 1  # type: ignore[index]


def test_a_log_too_big_to_spool_is_read_again_streamed(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """``git log --raw`` past SPOOL_BYTES is stopped; once the packs are judged it is run
    again into the walk directly: the disk holds at most that much, the findings are the same."""
    keys = []
    for n in range(6):
        keys.append(new_key())
        for m in range(20):
            repo.write(f"d{m}/f{n}.txt", f"{n} {m}\n")
        repo.write("app.env", f"QUESTIONPRO_API_KEY={keys[-1]}\n")
        repo.commit(f"change {n}")
    repo.git("gc", "-q")
    logs: list[list[str]] = []
    real_popen = gitio.popen

    def spy(root: Path, *args: str, **kwargs: object):  # type: ignore[no-untyped-def]
        if args[:2] == ("log", "--raw"):
            logs.append(list(args))
        return real_popen(root, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(gitio, "popen", spy)
    monkeypatch.setattr(blobwalk, "SPOOL_BYTES", 512)
    from_packs, through_git = _both(repo.path, keys, monkeypatch)
    assert from_packs == through_git and len(from_packs[1]) == 6  # type: ignore[index]
    assert len(logs) == 3  # spooled and stopped, streamed; then the walk through git
