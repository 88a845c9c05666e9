"""What push protection costs: a real ``git push`` of a large history into a bare
repository, with and without hooks/pre-receive, and the scan alone beside the ``git log -p``
it streams; the same for ``scan --pre-push`` on the client.

    python benchmarks/push.py [--commits 3000] [--runs 3]

Inputs come from bench.make_history (real source files, request-id UUIDs that are not
keys), in benchmarks/.work/. Nothing here is a test: speed is reported, not asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # the shared history builder and the benchmark's own install

ZERO = "0" * 40


def _run(cmd: list[str], cwd: Path, stdin: str = "", env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, input=stdin.encode(), capture_output=True, env=env or bench.GIT_ENV)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{cmd[:3]} failed: {done.stderr.decode(errors='replace')[-400:]}")
    return elapsed


def _push_time(source: Path, hooked: bool, runs: int) -> float:
    samples = []
    for _ in range(runs):
        server = bench.WORK / "push-server.git"
        shutil.rmtree(server, ignore_errors=True)
        bench.git(bench.WORK, "init", "-q", "--bare", str(server))
        if hooked:
            hook = server / "hooks" / "pre-receive"
            shutil.copy(bench.ROOT / "hooks" / "pre-receive", hook)
            hook.chmod(0o755)
        env = {**bench.GIT_ENV, "PATH": f"{Path(bench.tool('qp-responder')).parent}{os.pathsep}{os.environ['PATH']}"}
        samples.append(_run(["git", "push", "-q", str(server), "main", "side"], source, env=env))
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commits", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    source = bench.WORK / f"push-{args.commits}"
    subprocess.run(
        [sys.executable, str(Path(bench.__file__)), "make-history", str(source), str(args.commits)], check=True
    )
    qp = bench.tool("qp-responder")
    main_sha = subprocess.run(["git", "rev-parse", "main", "side"], cwd=source, capture_output=True, text=True)
    heads = main_sha.stdout.split()
    count = subprocess.run(["git", "rev-list", "--count", "main", "side"], cwd=source, capture_output=True, text=True)
    print(f"push: {count.stdout.strip()} new commits on two new branches")
    plain = _push_time(source, hooked=False, runs=args.runs)
    hooked = _push_time(source, hooked=True, runs=args.runs)
    print(f"  git push, no hook                    {plain:7.2f} s")
    print(f"  git push, hooks/pre-receive          {hooked:7.2f} s   (+{hooked - plain:.2f} s)")
    # The scan alone, as the hook runs it (here the objects are not quarantined: the same walk).
    log = statistics.median(
        _run(["git", "log", "-p", "--no-merges", *heads, "--not", "--remotes=none"], source) for _ in range(args.runs)
    )
    pre_push_lines = "".join(
        f"refs/heads/{n} {sha} refs/heads/{n} {ZERO}\n" for sha, n in zip(heads, ("main", "side"), strict=True)
    )
    scan = statistics.median(
        _run([qp, "scan", "--pre-push", "--remote", "none"], source, stdin=pre_push_lines) for _ in range(args.runs)
    )
    print(f"  git log -p over the pushed commits   {log:7.2f} s")
    print(f"  qp-responder scan --pre-push         {scan:7.2f} s   ratio {scan / log:.2f}x")


if __name__ == "__main__":
    main()
