"""Run agcli's three performance figures and print a table (see README.md).

    python benchmarks/run.py [--agcli PATH] [--python PATH] [--torch-python PATH]
                             [--quick] [--only startup|batch|matmul|cluster] [--json FILE]

Every figure times whole processes (time.perf_counter around subprocess.run,
stdout to /dev/null) and takes medians over repeated, alternating runs.
Standard library only: the data is generated with the --python interpreter.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
sys.path.insert(0, HERE)

import gen_batch  # noqa: E402  (stdlib only)

STARTUP_EXPR = ["a*b + c*d**2/e", "--a", "2", "--b", "4", "--c", "6", "--d", "8", "--e", "10"]
MATMUL_EXPR = "sum(tanh(a @ b) @ c)"
MATMUL_N, MATMUL_K, MATMUL_SEED = 1500, 10, 0
TARGETS = {"startup": 1.15, "batch distinct": 0.25, "batch distinct -j1 (info)": 0.6, "batch repeated": 0.05,
           "matmul": 1.15, "cluster": 1.5}       # issue 15's figures


def child_env():
    env = dict(os.environ)
    # With this set every run would recompile agcli's modules: measure what users get.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


ENV = child_env()


def timed(cmd, cwd=None):
    """(wall seconds, CPU seconds) of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd, env=ENV)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        raise SystemExit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr.decode()[-2000:]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def spread(xs):
    return {"min": min(xs), "median": statistics.median(xs), "max": max(xs), "runs": len(xs)}


def alternate(commands: dict, runs: int, warmup: int = 1, cwd=None):
    """Time each command `runs` times, round-robin, after `warmup` untimed rounds.

    Returns ({name: wall times}, {name: CPU times})."""
    for _ in range(warmup):
        for cmd in commands.values():
            timed(cmd, cwd)
    wall = {name: [] for name in commands}
    cpu = {name: [] for name in commands}
    for i in range(runs):
        names = list(commands) if i % 2 == 0 else list(reversed(commands))
        for name in names:
            w, c = timed(commands[name], cwd)
            wall[name].append(w)
            cpu[name].append(c)
    return wall, cpu


def progress(message):
    print(message, file=sys.stderr, flush=True)


# ------------------------------------------------------------------ start-up
def bench_startup(args):
    runs = 9 if args.quick else 21
    progress(f"start-up: {runs} alternating runs each ...")
    t, cpu = alternate({"agcli": [args.agcli, "grad", *STARTUP_EXPR],
                        "numpy": [args.python, "-c", "import numpy"]}, runs, warmup=2)
    a, n = spread(t["agcli"]), spread(t["numpy"])
    a["cpu"], n["cpu"] = spread(cpu["agcli"]), spread(cpu["numpy"])
    return [{"name": "startup", "what": "agcli grad 'a*b + c*d**2/e' vs python -c 'import numpy'",
             "unit": "ms", "scale": 1e3, "agcli": a, "baseline": n, "baseline_name": "import numpy",
             "ratio": a["median"] / n["median"], "target": TARGETS["startup"]}]


# ------------------------------------------------------------------ batch
def batch_files():
    """(label, N-line file, 1-line file, N); generated (seeded) when missing."""
    specs = [("batch distinct", "distinct_10000.txt", lambda: gen_batch.distinct_lines(10000)),
             ("batch repeated", "repeated_20x500.txt", lambda: gen_batch.repeated_lines(20, 500))]
    out = []
    for label, name, make in specs:
        path = os.path.join(DATA, name)
        if not os.path.exists(path):
            progress(f"writing {path}")
            gen_batch.write(path, make())
        with open(path, encoding="utf-8") as f:
            lines = [l for l in f if l.strip() and not l.startswith("#")]
        one = os.path.join(DATA, name.replace(".txt", "_first.txt"))
        with open(one, "w", encoding="utf-8") as f:
            f.write(lines[0])
        out.append((label, path, one, len(lines)))
    return out


def bench_batch(args):
    runs = 2 if args.quick else 5
    torch_script = os.path.join(HERE, "torch_batch.py")
    rows = []
    for label, path, one, n in batch_files():
        progress(f"{label}: {n} lines, {runs} runs each of agcli (default --jobs, and --jobs 1) and torch "
                 f"(N lines and 1 line) ...")
        cmds = {"agcli": [args.agcli, "batch", path, "--format", "jsonl"],
                "agcli_j1": [args.agcli, "batch", path, "--format", "jsonl", "--jobs", "1"],
                "torch": [args.torch_python, torch_script, path],
                "agcli1": [args.agcli, "batch", one, "--format", "jsonl"],
                "torch1": [args.torch_python, torch_script, one]}
        t, cpu = alternate(cmds, runs, warmup=0)

        def per_line(whole, first):
            """(time(N lines) - median time(1 line)) / N, wall and CPU."""
            base, cpu_base = statistics.median(t[first]), statistics.median(cpu[first])
            row = {k: (v - base) / n if k != "runs" else v for k, v in spread(t[whole]).items()}
            row["cpu"] = {k: (v - cpu_base) / n if k != "runs" else v for k, v in spread(cpu[whole]).items()}
            row["whole_file_s"], row["one_line_s"] = spread(t[whole]), spread(t[first])
            return row

        agcli, torch = per_line("agcli", "agcli1"), per_line("torch", "torch1")
        agcli_j1 = per_line("agcli_j1", "agcli1")
        what = f"(time(N lines) - time(1 line)) / N, N = {n}: {os.path.basename(path)}"
        rows.append({"name": label, "what": what + f" (default --jobs: {os.cpu_count()} CPUs)",
                     "unit": "us/line", "scale": 1e6, "agcli": agcli, "baseline": torch,
                     "baseline_name": "torch_batch.py", "ratio": agcli["median"] / torch["median"],
                     "target": TARGETS[label]})
        # The PyTorch script runs in one process: this row compares like with like.
        rows.append({"name": label + " -j1 (info)", "what": what + ", agcli --jobs 1",
                     "unit": "us/line", "scale": 1e6, "agcli": agcli_j1, "baseline": torch,
                     "baseline_name": "torch_batch.py", "ratio": agcli_j1["median"] / torch["median"],
                     "target": TARGETS.get(label + " -j1 (info)")})
    return rows


# ------------------------------------------------------------------ cluster
def bench_cluster(args):
    """`--cluster local:2` against `--jobs 2` on the distinct file, whole processes:
    what Dask's scheduler, its worker processes and their start cost on top."""
    runs = 2 if args.quick else 5
    path = next(p for label, p, _, _ in batch_files() if label == "batch distinct")
    progress(f"cluster: {runs} alternating runs each of --cluster local:2 and --jobs 2 ...")
    t, cpu = alternate({"cluster": [args.agcli, "batch", path, "--format", "jsonl", "--cluster", "local:2"],
                        "jobs2": [args.agcli, "batch", path, "--format", "jsonl", "--jobs", "2"]}, runs, warmup=1)
    c, j = spread(t["cluster"]), spread(t["jobs2"])
    c["cpu"], j["cpu"] = spread(cpu["cluster"]), spread(cpu["jobs2"])
    return [{"name": "cluster", "what": f"agcli batch {os.path.basename(path)} --cluster local:2 vs --jobs 2, "
                                        "whole file", "unit": "s", "scale": 1, "agcli": c, "baseline": j,
             "baseline_name": "agcli --jobs 2", "ratio": c["median"] / j["median"], "target": TARGETS["cluster"]}]


# ------------------------------------------------------------------ matmul
MAKE_MATMUL = """
import numpy as np, os, sys
n, k, seed, d = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rng = np.random.default_rng(seed)
s = n ** -0.25   # a @ b has entries of unit variance: tanh is not saturated
np.save(os.path.join(d, 'a.npy'), rng.standard_normal((n, n)) * s)
np.save(os.path.join(d, 'b.npy'), rng.standard_normal((n, n)) * s)
np.save(os.path.join(d, 'c.npy'), rng.standard_normal((n, k)))
"""

COMPARE_NPZ = """
import numpy as np, sys
x, y = np.load(sys.argv[1]), np.load(sys.argv[2])
bad = [k for k in y.files if k not in x.files or not np.allclose(x[k], y[k], rtol=1e-9, atol=1e-12)]
print('same' if not bad and sorted(x.files) == sorted(y.files) else 'DIFFERENT: ' + ' '.join(bad))
"""


def bench_matmul(args):
    runs = 3 if args.quick else 7
    os.makedirs(DATA, exist_ok=True)
    if not all(os.path.exists(os.path.join(DATA, f + ".npy")) for f in "abc"):
        progress("writing a.npy, b.npy, c.npy")
        subprocess.run([args.python, "-c", MAKE_MATMUL, str(MATMUL_N), str(MATMUL_K), str(MATMUL_SEED), DATA],
                       check=True)
    binds = ["--a", "@a.npy", "--b", "@b.npy", "--c", "@c.npy"]
    cmds = {"agcli": [args.agcli, "grad", MATMUL_EXPR, *binds, "--out", "out.npz", "--format", "json"],
            "numpy": [args.python, os.path.join(HERE, "numpy_reference.py"), "a.npy", "b.npy", "c.npy", "ref.npz"],
            "agcli_rich": [args.agcli, "grad", MATMUL_EXPR, *binds, "--out", "out_rich.npz"]}
    progress(f"matmul: {runs} alternating runs each ...")
    t, cpu = alternate(cmds, runs, warmup=1, cwd=DATA)
    same = subprocess.run([args.python, "-c", COMPARE_NPZ, "out.npz", "ref.npz"], cwd=DATA,
                          capture_output=True, text=True).stdout.strip()
    a, n, r = spread(t["agcli"]), spread(t["numpy"]), spread(t["agcli_rich"])
    a["cpu"], n["cpu"], r["cpu"] = spread(cpu["agcli"]), spread(cpu["numpy"]), spread(cpu["agcli_rich"])
    # The figure is the command as written (default output, --out); the
    # JSON row shows what printing every 1500x1500 gradient as JSON costs.
    return [{"name": "matmul", "what": f"{MATMUL_EXPR}, {MATMUL_N}x{MATMUL_N}: agcli --out (rich output) "
                                      f"vs numpy_reference.py",
             "unit": "s", "scale": 1, "agcli": r, "baseline": n, "baseline_name": "numpy_reference.py",
             "ratio": r["median"] / n["median"], "target": TARGETS["matmul"]},
            {"name": "matmul json (info)", "what": f"the same with --format json (~90 MB of JSON; npz {same})",
             "unit": "s", "scale": 1, "agcli": a, "baseline": n, "baseline_name": "numpy_reference.py",
             "ratio": a["median"] / n["median"], "target": None}]


# ------------------------------------------------------------------ report
def fmt1(v, scale):
    v *= scale
    return f"{v:.0f}" if abs(v) >= 100 else f"{v:.3g}"


def fmt(s, scale):
    return f"{fmt1(s['min'], scale)} / {fmt1(s['median'], scale)} / {fmt1(s['max'], scale)}"


def table(rows):
    head = ["benchmark", "unit", "agcli min/med/max", "baseline min/med/max", "ratio", "target", ""]
    body = []
    for r in rows:
        ok = "" if r["target"] is None else ("ok" if r["ratio"] <= r["target"] else "MISSED")
        body.append([r["name"], r["unit"], fmt(r["agcli"], r["scale"]), fmt(r["baseline"], r["scale"]),
                     f"{r['ratio']:.2f}", "" if r["target"] is None else f"<= {r['target']}", ok])
    widths = [max(len(x[i]) for x in [head] + body) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in [head] + body]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"  {r['name']}: {r['what']}; baseline = {r['baseline_name']}" for r in rows]
    for r in rows:
        a, b = r["agcli"]["cpu"]["median"], r["baseline"]["cpu"]["median"]
        notes.append(f"  {r['name']}: CPU time (user+sys) medians: agcli {fmt1(a, r['scale'])}, baseline "
                     f"{fmt1(b, r['scale'])} {r['unit']}, ratio {a / b:.2f}")
    for r in rows:
        if r["name"].startswith("batch"):
            for tool, key in (("agcli", "agcli"), ("torch", "baseline"))[:1 if r["name"].endswith("(info)") else 2]:
                w, o = r[key]["whole_file_s"], r[key]["one_line_s"]
                notes.append(f"  {r['name']} {tool}: whole file {fmt(w, 1)} s, 1-line file {fmt(o, 1)} s")
    return "\n".join(lines + [""] + notes)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--agcli", default=None, help="agcli executable (default: agcli on PATH)")
    p.add_argument("--python", default=None, help="python for the numpy baselines (default: next to agcli)")
    p.add_argument("--torch-python", default="/opt/torchenv/bin/python", help="python with torch")
    p.add_argument("--quick", action="store_true", help="fewer runs")
    p.add_argument("--only", choices=("startup", "batch", "matmul", "cluster"),
                   help="run one benchmark (cluster, which needs agcli[cluster], runs only when asked)")
    p.add_argument("--json", metavar="FILE", help="also write every timing to FILE")
    args = p.parse_args(argv)
    agcli = args.agcli or shutil.which("agcli")
    if not agcli:
        p.error("no agcli on PATH: pass --agcli PATH")
    args.agcli = os.path.abspath(agcli) if os.sep in agcli else shutil.which(agcli)
    args.python = args.python or os.path.join(os.path.dirname(args.agcli), "python")
    progress(f"agcli: {args.agcli}\npython: {args.python}\ntorch python: {args.torch_python}\n"
             f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rows = []
    for name, bench in (("startup", bench_startup), ("batch", bench_batch), ("matmul", bench_matmul),
                        ("cluster", bench_cluster)):
        if args.only == name or args.only is None and name != "cluster":
            rows += bench(args)
    print(table(rows))
    print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"{os.cpu_count()} CPUs")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"agcli": args.agcli, "python": args.python, "torch_python": args.torch_python,
                       "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
