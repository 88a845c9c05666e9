"""Every mode is linear: 4x the input must cost at most ~5x the time, on each input shape
that used to be quadratic (issue 10). Generated inputs in $QP_BENCH_TREES/linear (default
/tmp/qp-responder-bench/linear).

    python benchmarks/linear.py            # all shapes, base size and 4x, median of 3
    python benchmarks/linear.py --scale 2  # bigger base inputs

Each row runs the real CLI (``python -m responder``) from this checkout on the input at
its base size and at 4x, and prints the ratios of the medians, of wall time and of CPU time
(the CLI and every process it waited for; on a shared machine wall time swings with other
load, CPU time does not, so the verdict uses it). Nothing here is a test: speed is
reported, not asserted; the line ends with "ok" or "SLOW" (over 5x).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Outside this repository: inside it, .gitignore (benchmarks/.work/) would hide the inputs.
WORK = Path(os.environ.get("QP_BENCH_TREES", "/tmp/qp-responder-bench")) / "linear"  # noqa: S108
ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "b",
    "GIT_AUTHOR_EMAIL": "b@b.invalid",
    "GIT_COMMITTER_NAME": "b",
    "GIT_COMMITTER_EMAIL": "b@b.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def uuids(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(n)]


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, env=ENV, stdout=subprocess.DEVNULL)


def fresh(name: str, repo: bool) -> Path:
    path = WORK / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    if repo:
        git(path, "init", "-q")
        (path / "README").write_text("x\n")
        git(path, "add", "-A")
        git(path, "commit", "-qm", "base")
    return path


# --- shapes: each writes its input of size n into a fresh directory; returns (dir, argv) ---


def long_line_of_keys(n: int) -> tuple[Path, list[str]]:
    """One line: a QuestionPro header, then n ``apiKey:"<uuid>"`` entries (path mode)."""
    path = fresh(f"long-line-{n}", repo=False)
    entries = ",".join(f'{{apiKey:"{u}"}}' for u in uuids(n, n))
    (path / "bundle.min.js").write_text(f"/* QuestionPro client */ var a=[{entries}];")
    return path, ["scan", "."]


def one_line_json_in_a_commit(n: int) -> tuple[Path, list[str]]:
    """A commit adding one line of n ``{"id":"<uuid>"}`` entries (history and staged)."""
    path = fresh(f"json-line-{n}", repo=True)
    (path / "data.json").write_text("[" + ",".join(f'{{"id":"{u}"}}' for u in uuids(n, n)) + "]")
    git(path, "add", "-A")
    git(path, "commit", "-qm", "data")
    return path, ["scan", "--history"]


def staged_json_line(n: int) -> tuple[Path, list[str]]:
    path = fresh(f"staged-json-{n}", repo=True)
    (path / "data.json").write_text("[" + ",".join(f'{{"id":"{u}"}}' for u in uuids(n, n)) + "]")
    git(path, "add", "-A")
    return path, ["scan", "--staged"]


def huge_commit(n: int) -> tuple[Path, list[str]]:
    """One commit of n MB of source-like lines with request ids (history)."""
    path = fresh(f"huge-commit-{n}", repo=True)
    ids = uuids(1000, n)
    line = "    result = compute(value, other)  # a line of ordinary code, about sixty bytes\n"
    with (path / "big.py").open("w") as out:
        for i in range(n * 1024 * 1024 // len(line)):
            out.write(f'REQUEST_ID = "{ids[i % 1000]}"\n' if i % 500 == 0 else line)
    git(path, "add", "-A")
    git(path, "commit", "-qm", "huge")
    return path, ["scan", "--history"]


def packed(build: Callable[[int], tuple[Path, list[str]]]) -> Callable[[int], tuple[Path, list[str]]]:
    """The same input after ``git gc``: --history then reads the pack itself (round 7)."""

    def build_packed(n: int) -> tuple[Path, list[str]]:
        path, argv = build(n)
        git(path, "gc", "-q")
        return path, argv

    return build_packed


def many_small_files(n: int) -> tuple[Path, list[str]]:
    """n files of a few hundred bytes, some with request ids (path mode)."""
    path = fresh(f"many-files-{n}", repo=False)
    ids = uuids(n, n)
    for i in range(n):
        directory = path / f"d{i % 97}"
        directory.mkdir(exist_ok=True)
        (directory / f"f{i}.py").write_text(f'"""module {i}"""\nREQUEST_ID = "{ids[i]}"\nvalue = {i}\n' * 3)
    return path, ["scan", "."]


def many_key_lines(n: int) -> tuple[Path, list[str]]:
    """One blob of n key lines (history): findings are capped, memory and output bounded."""
    path = fresh(f"key-lines-{n}", repo=True)
    (path / "keys.env").write_text("".join(f"QUESTIONPRO_API_KEY_{i}={u}\n" for i, u in enumerate(uuids(n, n))))
    git(path, "add", "-A")
    git(path, "commit", "-qm", "keys")
    return path, ["scan", "--history", "--format", "json"]


@dataclass(frozen=True)
class Shape:
    label: str
    build: Callable[[int], tuple[Path, list[str]]]
    base: int
    unit: str


SHAPES = (
    Shape("long line, many keys (scan PATH)", long_line_of_keys, 20000, "entries"),
    Shape("one-line JSON of UUIDs (--history)", one_line_json_in_a_commit, 4000, "entries"),
    Shape("one-line JSON of UUIDs (--staged)", staged_json_line, 4000, "entries"),
    Shape("one huge commit (--history)", huge_commit, 16, "MB"),
    Shape("one huge commit, packed (--history)", packed(huge_commit), 16, "MB"),
    Shape("one-line JSON of UUIDs, packed (--history)", packed(one_line_json_in_a_commit), 4000, "entries"),
    Shape("many small files (scan PATH)", many_small_files, 5000, "files"),
    Shape("one blob of key lines (--history)", many_key_lines, 5000, "lines"),
)


def timed(path: Path, argv: list[str], runs: int) -> tuple[float, float, int]:
    """Medians of wall time and of CPU time (the CLI and every process it waited for), and
    the size of the output."""
    walls, cpus, out = [], [], 0
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "responder", *argv], cwd=path, capture_output=True, env=ENV)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        out = len(done.stdout) + len(done.stderr)
        if done.returncode not in (0, 1):  # a CLI that fails at once would look linear
            raise SystemExit(f"qp-responder {' '.join(argv)} exited {done.returncode} in {path}")
    return statistics.median(walls), statistics.median(cpus), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args()
    if subprocess.run([sys.executable, "-m", "responder", "--version"], cwd="/", capture_output=True).returncode:
        # python -m exits 1 without the module, as the CLI does on a finding: nothing would say so
        raise SystemExit(f"{sys.executable} cannot import qp-responder: run .venv/bin/python benchmarks/linear.py")
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load {load[0]:.1f}; median of {args.runs}")
    print("| shape | size | time (CPU) | 4x size | time (CPU) | ratio: wall, CPU | output at 4x |")
    print("|---|---|---|---|---|---|---|")
    for shape in SHAPES:
        size = shape.base * args.scale
        small, small_cpu, _ = timed(*shape.build(size), args.runs)
        large, large_cpu, output = timed(*shape.build(size * 4), args.runs)
        ratio = large_cpu / small_cpu  # the verdict: CPU time does not swing with other load
        verdict = "ok" if ratio <= 5 else "SLOW"
        print(
            f"| {shape.label} | {size:,} {shape.unit} | {small:.2f} s ({small_cpu:.2f}) | {size * 4:,} {shape.unit} "
            f"| {large:.2f} s ({large_cpu:.2f}) | {large / small:.1f}x, {ratio:.1f}x {verdict} | {output:,} bytes |"
        )


if __name__ == "__main__":
    main()
