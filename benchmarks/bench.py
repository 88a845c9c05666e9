"""Benchmarks for the figures the issues ask for, as ratios measured in one run.

    python benchmarks/bench.py hook      # scan --staged vs detect-secrets-hook, 5 files of ~6 KB
    python benchmarks/bench.py history   # scan --history vs git log -p --all; peak memory vs size
    python benchmarks/bench.py dir       # scan DIR vs detect-secrets scan and grep -rE
    python benchmarks/bench.py all

Inputs are built from this machine's Python standard library (real source text), in
benchmarks/.work/ (git-ignored). Timings are medians of several runs; nothing here is a
test: speed is reported, not asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / ".work"
STDLIB = Path(sysconfig.get_paths()["stdlib"])
UUID_RE = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
GIT_ENV = {  # bytecode caching on, as after a real `pip install` (this machine sets it off)
    **os.environ,
    "GIT_AUTHOR_NAME": "b",
    "GIT_AUTHOR_EMAIL": "b@b.invalid",
    "GIT_COMMITTER_NAME": "b",
    "GIT_COMMITTER_EMAIL": "b@b.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}
GIT_ENV.pop("PYTHONDONTWRITEBYTECODE", None)


def tool(name: str) -> str:
    """A tool from the benchmark's own environment: qp-responder installed the way users
    install it (a regular, not an editable, install), beside detect-secrets."""
    venv = WORK / "venv"
    if not (venv / "bin" / "detect-secrets").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([venv / "bin" / "pip", "install", "-q", str(ROOT)], check=True)
    if not getattr(tool, "fresh", False):
        # this tree, and any dependency added since the venv was made (dulwich in round 7)
        for extra in (["--no-deps", "--force-reinstall"], []):
            subprocess.run([venv / "bin" / "pip", "install", "-q", *extra, str(ROOT)], check=True, env=GIT_ENV)
        tool.fresh = True  # type: ignore[attr-defined]
    return str(venv / "bin" / name)


def timed(cmd: Sequence[str], cwd: Path, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=GIT_ENV)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def peak_rss_mb(args: Sequence[str], cwd: Path) -> tuple[float, float]:
    """Peak resident memory (MiB) of qp-responder's own process, and of the git it runs."""
    probe = (
        "import resource, sys\nfrom responder.entry import main\nsys.argv[1:] = sys.argv[1:]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    )
    python = str(WORK / "venv" / "bin" / "python")
    out = subprocess.run([python, "-c", probe, *args], cwd=cwd, capture_output=True, text=True, env=GIT_ENV)
    own, children = out.stderr.split()[-2:]
    return int(own) / 1024, int(children) / 1024


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, env=GIT_ENV, stdout=subprocess.DEVNULL)


def source_files(min_size: int, max_size: int) -> list[Path]:
    files = sorted(p for p in STDLIB.rglob("*.py") if min_size <= p.stat().st_size <= max_size)
    random.Random(7).shuffle(files)
    return files


def bench_hook(runs: int) -> None:
    repo = WORK / "hook"
    shutil.rmtree(repo, ignore_errors=True)
    repo.mkdir(parents=True)
    git(repo, "init", "-q")
    (repo / "README").write_text("x\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    names = []
    for i, src in enumerate(source_files(5500, 6500)[:5]):
        name = f"file{i}.py"
        shutil.copy(src, repo / name)
        names.append(name)
    git(repo, "add", "-A")
    ours = timed([tool("qp-responder"), "scan", "--staged"], repo, runs)
    theirs = timed([tool("detect-secrets-hook"), *names], repo, runs)
    python = timed([sys.executable, "-c", "pass"], repo, runs)
    print(f"hook: 5 staged files ({sum((repo / n).stat().st_size for n in names) // 1024} KB)")
    print(f"  qp-responder scan --staged   {ours * 1000:7.1f} ms")
    print(f"  detect-secrets-hook          {theirs * 1000:7.1f} ms")
    print(f"  (python -c pass              {python * 1000:7.1f} ms)")
    print(f"  ratio {ours / theirs:.3f}x   (target <= 0.25x)")


def make_history(repo: Path, commits: int) -> None:
    """A linear history plus a branch: each commit rewrites a few real source files."""
    shutil.rmtree(repo, ignore_errors=True)
    repo.mkdir(parents=True)
    git(repo, "init", "-q")
    pool = source_files(2000, 40000)[:400]
    rng = random.Random(commits)
    fast_import = ["reset refs/heads/main\n"]
    for n in range(commits):
        lines = [
            f"commit refs/heads/{'main' if n % 10 else 'side'}\n",
            f"mark :{n + 1}\n",
            "committer b <b@b.invalid> 1700000000 +0000\n",
        ]
        msg = f"change {n}\n"
        lines.append(f"data {len(msg)}\n{msg}")
        if n:
            lines.append(f"from :{n}\n")
        for _ in range(3):
            src = rng.choice(pool)
            body = src.read_bytes()
            if rng.random() < 0.2:  # request ids and other UUIDs that are not keys
                body += f'\nREQUEST_ID = "{uuid.UUID(int=rng.getrandbits(128))}"\n'.encode()
            lines.append(f"M 644 inline src/{src.parent.name}/{src.name}\ndata {len(body)}\n")
            lines.append(body.decode("latin-1") + "\n")
        fast_import.extend(lines)
    data = "".join(fast_import).encode("latin-1")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input=data, check=True, env=GIT_ENV)
    git(repo, "checkout", "-q", "main")


def bench_history(runs: int, commits: int) -> None:
    for size in (commits, commits * 2):
        repo = WORK / f"history-{size}"
        # In a child process: Linux carries a parent's peak RSS into its children's
        # ru_maxrss, so building the repository here would inflate the measurement.
        subprocess.run([sys.executable, __file__, "make-history", str(repo), str(size)], check=True)
        git_log = timed(["git", "log", "-p", "--all"], repo, runs)
        ours = timed([tool("qp-responder"), "scan", "--history"], repo, runs)
        own, git_rss = peak_rss_mb(["scan", "--history"], repo)
        print(f"history: {size} commits")
        print(f"  git log -p --all             {git_log:7.2f} s")
        print(
            f"  qp-responder scan --history  {ours:7.2f} s   peak RSS: qp-responder {own:.0f} MiB, its git {git_rss:.0f} MiB"
        )
        print(f"  ratio {ours / git_log:.2f}x   (target <= 1.3x)")


def bench_dir(runs: int, megabytes: int) -> None:
    tree = WORK / "dir"
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    total = 0
    for i, src in enumerate(source_files(1000, 200000)):
        if total >= megabytes << 20:
            break
        target = tree / f"{i:04d}_{src.name}"
        shutil.copy(src, target)
        total += target.stat().st_size
    ours = timed([tool("qp-responder"), "scan", "."], tree, runs)
    grep = timed(["grep", "-rE", UUID_RE, "."], tree, runs)
    ds = timed([tool("detect-secrets"), "scan", "--all-files", "."], tree, 1)
    print(f"dir: {total / 1e6:.1f} MB of source, {len(list(tree.iterdir()))} files")
    print(f"  qp-responder scan DIR        {ours:7.3f} s  ({total / 1e6 / ours:6.1f} MB/s)")
    print(f"  grep -rE <uuid>              {grep:7.3f} s")
    print(f"  detect-secrets scan          {ds:7.3f} s  ({total / 1e6 / ds:6.2f} MB/s)")
    print(f"  vs detect-secrets {ds / ours:.0f}x faster (target >= 100x); vs grep {ours / grep:.1f}x (target <= 10x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    if sys.argv[1:2] == ["make-history"]:
        make_history(Path(sys.argv[2]), int(sys.argv[3]))
        return
    parser.add_argument("what", choices=["hook", "history", "dir", "all"])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--commits", type=int, default=2000)
    parser.add_argument("--megabytes", type=int, default=5)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}")
    if args.what in ("hook", "all"):
        bench_hook(args.runs)
    if args.what in ("dir", "all"):
        bench_dir(args.runs, args.megabytes)
    if args.what in ("history", "all"):
        bench_history(max(3, args.runs // 2), args.commits)


if __name__ == "__main__":
    main()
