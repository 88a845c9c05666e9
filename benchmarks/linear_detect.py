"""Does detection stay linear in the size of its input?

    python benchmarks/linear_detect.py [--entries 5000]

For each generated shape, times ``detect.find_keys`` on N and on 4N entries and prints
the ratio (linear: about 4x; the target is <= 5x). Shapes are the ones where a careless
detector goes quadratic: thousands of candidates on one line (each re-judging the line,
an allowlist look-back from offset 0), a CSV where each row looks up its header, deep
indentation under one parent. Reported, not asserted: speed is never a test here.
Below a few thousand distinct names the name caches hold everything, so small inputs
look faster than linear: the default size is past that.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from responder.scanning import detect


def _keys(rng: random.Random, n: int) -> list[str]:
    return [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(n)]


def one_line_named(keys: list[str]) -> str:
    return '{"questionpro": {' + ", ".join(f'"k{i}": {{"api_key": "{k}"}}' for i, k in enumerate(keys)) + "}}"


def one_line_ids(keys: list[str]) -> str:
    return "# questionpro\nids = [" + ", ".join(f'"{k}"' for k in keys) + "]"


def one_line_after_pragma(keys: list[str]) -> str:
    return "# pragma: allowlist nextline secret\nx = 1\n" + " ".join(f"QP_KEY={k};" for k in keys)


def csv_rows(keys: list[str]) -> str:
    return "name,env,questionpro_api_key\n" + "".join(f"acct{i},prod,{k}\n" for i, k in enumerate(keys))


def deep_yaml(keys: list[str]) -> str:
    return "questionpro:\n  keys:\n" + "".join(f"    k{i}:\n      token: {k}\n" for i, k in enumerate(keys))


def paired_values(keys: list[str]) -> str:
    """Grafana-style value fields whose pair's name is searched for, among long words (a
    lazy-led pattern made each candidate cost the square of a 2,000-letter word)."""
    blocks = [keys[i : i + 40] for i in range(0, len(keys), 40)]
    return "".join("a" * 1900 + "\n" + "".join(f"  h{i}Value1: {k}\n" for i, k in enumerate(b)) for b in blocks)


def indented_ids_line(keys: list[str]) -> str:
    """One long line, indented, of ids the line gate refutes one by one."""
    return " " + " ".join(f"request_id={k}" for k in keys)


def padded_description(keys: list[str]) -> str:
    """A describing field padded with spaces above each default (a pattern for the field's
    text backtracked over every space: 0.2 s per value)."""
    return "".join("  description = a" + " " * 270 + f'"z\n  default = "{k}"\n' for k in keys)


def padded_objects(keys: list[str]) -> str:
    """Deeply indented key words, each beside a long word at the same indentation (the
    look for a QuestionPro endpoint beside them backtracked over indentation x length)."""
    return "questionpro:\n" + "".join(" " * 200 + f"token: {k}\n" + " " * 200 + "x" * 2000 + "\n" for k in keys)


def long_line_above(keys: list[str]) -> str:
    """A line longer than the look-back window above each weak-named value (the line above
    was sliced from the file's start)."""
    return "# questionpro\n" + "".join("    " + "x" * 400 + f"\n    eq: {k}\n" for k in keys)


def braced_after_words(keys: list[str]) -> str:
    """Braced GUIDs after long runs of word characters (a pattern for the name before the
    brace backtracked over the run: 300 letters cost 30x the whole scan)."""
    return "".join("questionpro " + "x" * 300 + "{" + k + "}\n" for k in keys)


def escaped_one_line(keys: list[str]) -> str:
    """One line of URL-encoded pairs (a logged query): every request id is re-read through
    its unescaped view, which must stay a window of the line, not the line."""
    return "GET /fwd?target=https%3A%2F%2Fapi.questionpro.com" + "".join(f"&r%3D%22{k}%22" for k in keys) + "\n"


def escaped_lines(keys: list[str]) -> str:
    """Many JSON-escaped lines, each with a request id beside an escaped api-key header."""
    return "".join(f'"{{\\"api-key\\":\\"x\\",\\"rid\\":\\"{k}\\"}}" questionpro\n' for k in keys)


def minified_names(keys: list[str]) -> str:
    """A bundle of short names, one sent as the api-key header in every scope."""
    return "".join(f'const e="{k}";fetch(u,{{headers:{{"api-key":t}}}});' for k in keys) + "\n"


SHAPES: dict[str, Callable[[list[str]], str]] = {
    "one line, named": one_line_named,
    "one line, ids": one_line_ids,
    "one line after a pragma": one_line_after_pragma,
    "csv rows": csv_rows,
    "deep yaml": deep_yaml,
    "paired values, long words": paired_values,
    "line gate: indented ids": indented_ids_line,
    "padded description": padded_description,
    "padded objects": padded_objects,
    "long line above": long_line_above,
    "braced after words": braced_after_words,
    "escaped, one line": escaped_one_line,
    "escaped lines": escaped_lines,
    "minified names": minified_names,
}
GATED = {"line gate: indented ids"}  # timed through the line gate (detect.line_naming)


def timed(text: str, gate: bool, runs: int = 5) -> float:
    """The fastest of a few runs: on a shared machine the minimum is the least noisy."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        if gate:
            detect.line_naming(text)
        else:
            detect.find_keys(text, path="bench.txt")
        samples.append(time.perf_counter() - start)
    return min(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=5000)
    args = parser.parse_args()
    rng = random.Random(9)
    detect.find_keys(one_line_named(_keys(rng, 50)))  # warm up: lazy imports, regex compiles
    worst = 0.0
    for name, shape in SHAPES.items():
        small, large = shape(_keys(rng, args.entries)), shape(_keys(rng, args.entries * 4))
        t_small, t_large = timed(small, name in GATED), timed(large, name in GATED)
        ratio = t_large / t_small
        worst = max(worst, ratio)
        per_key = t_large / (args.entries * 4) * 1e6
        print(
            f"{name:26} {len(small) / 1e3:8.0f} KB {t_small * 1e3:8.1f} ms   x4 input: {ratio:4.1f}x time, "
            f"{per_key:5.0f} us per candidate"
        )
    print(f"worst ratio {worst:.1f}x (target <= 5x); a candidate costing over ~100 us is a constant to look at")


if __name__ == "__main__":
    main()
