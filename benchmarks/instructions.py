"""Instructions per batch line, counted by valgrind: a figure that does not drift.

    python benchmarks/instructions.py [FILE] [-n LINES] [--stages]

Wall time on a shared machine drifts by 10% from one minute to the next, so
a change worth 1% cannot be seen in it. The number of instructions a line
costs can: valgrind's callgrind counts them, the same on every run (hash
seed, address randomisation and BLAS threads held fixed). It misses what
instructions do not show (cache misses, memory), so it is for comparing two
versions of agcli's Python code, not for the issue's figures (run.py).

It runs agcli in this process's Python (the one with agcli installed):
FILE's first LINES lines (default data/distinct_10000.txt, 300 lines) are
split, bound, parsed, evaluated and written as JSON, each once, and the
count of a run without the lines is taken off. --stages stops after each
stage in turn (split, bind, parse, lower, evaluate: the graph and backward,
JSON, written a block of 256 lines at a time as a batch writes it) and
prints the cumulative counts. About 15 s a count.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
STAGES = ("split", "bind", "parse", "lower", "evaluate", "json")

# What one counted run executes: the lines up to STAGE, after a warm-up line
# (so that first-use imports are not counted).
RUN = """
import gc, sys
gc.freeze(); gc.disable()
from agcli.evaluate import plans, run as api
from agcli.language import lower, syntax
from agcli.cli.arguments import parse_line
from agcli.output.json_lines import result_json_line
from agcli.cli.batch import _json_chunk
from agcli.output.float_text import float_reprs
from agcli.torchapi import namespace     # (loaded by the first line that names a function: not counted)
import numpy
path, count, stage = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(path, encoding="utf-8") as f:
    lines = [line.strip() for line in f if line.strip() and not line.startswith("#")][:count + 1]
api.configure()
warm = parse_line(lines[0])
result_json_line(api.evaluate(warm.expr, warm.bindings), 1)
float_reprs(numpy.linspace(-3.0, 3.0, 1000))     # (its first call makes its tables' first rows)
plans._plans.clear(); api._replays.clear()
results = []
for number, text in enumerate(lines[1:count + 1] if count else (), 1):
    args = parse_line(text)
    if stage == "split":
        continue
    if stage in ("bind", "parse", "lower"):       # each stage does the ones before it too
        for name, value in args.bindings.items():
            api.bind(name, value)
    if stage == "bind":
        continue
    if stage == "parse":
        syntax.parse(args.expr)
        continue
    if stage == "lower":
        lower.lower(syntax.parse(args.expr), args.bindings)
        continue
    result = api.evaluate(args.expr, args.bindings)
    if stage == "json":
        results.append((number, result))
for start in range(0, len(results), 256):      # as a batch writes them: a block at a time
    _json_chunk(results[start:start + 256])
"""


def _env() -> dict:
    env = dict(os.environ, PYTHONHASHSEED="0", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    env.pop("PYTHONDONTWRITEBYTECODE", None)     # compiling agcli must not be counted
    return env


def count(path, lines, stage) -> int:
    env = _env()
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
               sys.executable, "-c", RUN, path, str(lines), stage]
    if shutil.which("setarch"):
        command = ["setarch", "-R"] + command      # the same addresses on every run
    out = subprocess.run(command, env=env, capture_output=True, text=True)
    found = re.search(r"Collected : (\d+)", out.stderr)
    if out.returncode != 0 or not found:
        sys.exit(f"valgrind failed:\n{out.stderr[-2000:]}")
    return int(found.group(1))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("file", nargs="?", default=os.path.join(HERE, "data", "distinct_10000.txt"))
    p.add_argument("-n", "--lines", type=int, default=300)
    p.add_argument("--stages", action="store_true", help="count up to each stage in turn")
    args = p.parse_args()
    if not shutil.which("valgrind"):
        sys.exit("valgrind is not installed")
    if not os.path.exists(args.file):
        sys.exit(f"{args.file} does not exist: benchmarks/gen_batch.py writes it")
    subprocess.run([sys.executable, "-c", RUN, args.file, "1", "json"], env=_env(), check=True)   # bytecode caches
    base = count(args.file, 0, "json")
    for stage in STAGES if args.stages else ("json",):
        per_line = (count(args.file, args.lines, stage) - base) / args.lines
        print(f"{stage:9s} {per_line / 1e6:7.3f} M instructions a line")


if __name__ == "__main__":
    main()
