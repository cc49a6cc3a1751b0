"""Memory and first output of `agcli batch --format jsonl` on long files.

    python benchmarks/stream.py --agcli /tmp/bench/bin/agcli --lines 100000 1000000
    python benchmarks/stream.py --agcli ... --lines 10000000 --jobs 2     # one mode only

For each size N it writes (once; benchmarks/data/ is git-ignored) a file of N
lines from a generator, never holding it: a sweep of 20 short expressions
(3-8 operations) with new values on every line, and every 100th line
(--distinct-every) a distinct expression of 3-20 operations as gen_batch.py
makes them, so that the plan and replay caches fill and turn over as in a
long real run. Then it runs agcli on it in one process (--jobs 1) and with
worker processes (default --jobs), and reports:

* time to the first line of output, and the whole run's wall time;
* peak resident memory, sampled every 0.2 s from /proc: the sum over agcli
  and its worker processes (an over-count: forked workers share pages), and
  the largest single process (also from getrusage's ru_maxrss);
* that sum at 10%, 50% and 90% of the run, to show whether it grows.

Standard library only; Linux (/proc). Output is read and dropped.
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
sys.path.insert(0, HERE)

import gen_batch  # noqa: E402  (stdlib only)

SWEEP = 20
SAMPLE_EVERY = 0.2      # seconds


def stream_lines(n: int, distinct_every: int, seed: int = 2):
    """N batch lines, one at a time (the file is never held)."""
    rng = random.Random(seed)
    sweep = [gen_batch.random_expression(rng, 3, 8)[:2] for _ in range(SWEEP)]
    for i in range(n):
        if distinct_every and i % distinct_every == distinct_every - 1:
            text, shapes, _ = gen_batch.random_expression(rng)
        else:
            text, shapes = sweep[i % SWEEP]
        yield gen_batch.line(rng, text, shapes)


def data_file(n: int, distinct_every: int) -> str:
    path = os.path.join(DATA, f"stream_{n}_d{distinct_every}.txt")
    if not os.path.exists(path):
        print(f"writing {path} ...", file=sys.stderr, flush=True)
        gen_batch.write(path + ".part", stream_lines(n, distinct_every))
        os.replace(path + ".part", path)
    return path


def _tree(root: int) -> list[int]:
    """root and its descendants, from /proc."""
    parents = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    stat = f.read()
                parents[int(name)] = int(stat[stat.rindex(b")") + 2:].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    found, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(agcli: str, path: str, jobs: int | None) -> dict:
    cmd = [agcli, "batch", path, "--format", "jsonl"] + ([] if jobs is None else ["--jobs", str(jobs)])
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    got = {"first": None, "lines": 0}

    def read():
        fd = proc.stdout.fileno()
        while chunk := os.read(fd, 1 << 20):
            if got["first"] is None and b"\n" in chunk:
                got["first"] = time.perf_counter() - start
            got["lines"] += chunk.count(b"\n")

    reader = threading.Thread(target=read)
    reader.start()
    samples = []    # (seconds, lines written, RSS sum kB, largest kB)
    while proc.poll() is None:
        sizes = [_rss_kb(pid) for pid in _tree(proc.pid)]
        samples.append((time.perf_counter() - start, got["lines"], sum(sizes), max(sizes, default=0)))
        time.sleep(SAMPLE_EVERY)
    reader.join()
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode()
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err[-2000:]}")
    samples = [s for s in samples if s[2]] or [(0, 0, 0, 0)]

    def at(fraction):
        return min(samples, key=lambda s: abs(s[0] - fraction * wall))[2]

    return {"jobs": "default" if jobs is None else jobs, "lines": got["lines"], "wall_s": wall,
            "first_line_s": got["first"], "peak_sum_mb": max(s[2] for s in samples) / 1024,
            "peak_one_mb": max(max(s[3] for s in samples), after if after > before else 0) / 1024,
            "sum_at_mb": [at(f) / 1024 for f in (0.1, 0.5, 0.9)]}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--agcli", default="agcli", help="agcli executable")
    p.add_argument("--lines", type=int, nargs="+", default=[100_000, 1_000_000], help="file sizes")
    p.add_argument("--jobs", type=int, nargs="+", help="--jobs values to run (default: 1 and agcli's default)")
    p.add_argument("--distinct-every", type=int, default=100, help="a distinct expression every N lines (0: none)")
    args = p.parse_args(argv)
    modes = args.jobs or [1, None]
    print(f"{'lines':>10} {'jobs':>7} {'wall s':>8} {'first line s':>12} {'peak sum MB':>11} "
          f"{'peak one MB':>11}  sum at 10/50/90% MB")
    for n in args.lines:
        path = data_file(n, args.distinct_every)
        for jobs in modes:
            r = measure(args.agcli, path, jobs)
            if r["lines"] != n:
                raise SystemExit(f"{r['lines']} lines of output for {n} lines of input")
            print(f"{n:>10} {r['jobs']:>7} {r['wall_s']:>8.1f} {r['first_line_s']:>12.3f} "
                  f"{r['peak_sum_mb']:>11.0f} {r['peak_one_mb']:>11.0f}  "
                  + " / ".join(f"{m:.0f}" for m in r["sum_at_mb"]), flush=True)


if __name__ == "__main__":
    main()
