"""The Jacobian figures of issue 12, for tanh(W @ x): R^200 -> R^200 with a 200x200 W.

1. in process: agcli's Jacobian through its Python API,
   `agcli.jacobian("tanh(W @ x)", W=W, x=x, wrt=["x"])`, against PyTorch's
   `torch.autograd.functional.jacobian(lambda x: torch.tanh(W @ x), x, vectorize=True)`,
   both timed after start-up and warm-up calls, on the same float64 W and x; the
   PyTorch side runs in its own interpreter (--torch-python), timing itself the
   same way. Target: agcli / torch <= 3.
2. whole processes: `agcli jacobian "tanh(W @ x)" --W @W.npy --x @x.npy --wrt x`
   against `agcli grad` on the same input (with --grad-output ones(200), its
   output being a vector), stdout to /dev/null. Target: jacobian / grad <= 1.5.

Medians over alternating rounds (the machine's speed drifts). Run it with the
Python that has agcli installed:

    python benchmarks/jacobian.py --torch-python /work/torchenv/bin/python [--quick] [--json FILE]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

N = 200
EXPR = "tanh(W @ x)"

TORCH_SIDE = r"""
import json, sys, time
import numpy as np
import torch
W = torch.tensor(np.load(sys.argv[1]))
x = torch.tensor(np.load(sys.argv[2]))
calls, warm = int(sys.argv[3]), int(sys.argv[4])
f = lambda x: torch.tanh(W @ x)
for _ in range(warm):
    J = torch.autograd.functional.jacobian(f, x, vectorize=True)
times = []
for _ in range(calls):
    t0 = time.perf_counter()
    J = torch.autograd.functional.jacobian(f, x, vectorize=True)
    times.append(time.perf_counter() - t0)
np.save(sys.argv[5], J.numpy())
print(json.dumps(times))
"""


def make_data(folder: Path):
    rng = np.random.default_rng(12)
    W = rng.standard_normal((N, N)) / np.sqrt(N)      # W @ x of unit variance: tanh does not saturate
    x = rng.standard_normal(N)
    np.save(folder / "W.npy", W)
    np.save(folder / "x.npy", x)
    return W, x


def agcli_in_process(W, x, calls, warm):
    import agcli
    for _ in range(warm):
        result = agcli.jacobian(EXPR, W=W, x=x, wrt=["x"])
    times = []
    for _ in range(calls):
        t0 = time.perf_counter()
        result = agcli.jacobian(EXPR, W=W, x=x, wrt=["x"])
        times.append(time.perf_counter() - t0)
    return times, result.answer["x"]


def torch_in_process(torch_python, folder, calls, warm):
    script = folder / "torch_side.py"
    script.write_text(TORCH_SIDE)
    out = folder / "torch_jacobian.npy"
    proc = subprocess.run([torch_python, str(script), str(folder / "W.npy"), str(folder / "x.npy"), str(calls),
                           str(warm), str(out)], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout), np.load(out)


def whole(command, folder):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    t0 = time.perf_counter()
    subprocess.run(command, cwd=folder, env=env, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--agcli", default=str(Path(sys.executable).with_name("agcli")))
    parser.add_argument("--torch-python", default=os.environ.get("AGCLI_TORCH_PYTHON", "/opt/torchenv/bin/python"))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    rounds, calls, runs = (3, 10, 5) if args.quick else (7, 20, 15)
    report = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        W, x = make_data(folder)

        ours, theirs = [], []
        for _ in range(rounds):
            times, J = agcli_in_process(W, x, calls, warm=3)
            ours.append(statistics.median(times))
            times, J_torch = torch_in_process(args.torch_python, folder, calls, warm=3)
            theirs.append(statistics.median(times))
        assert np.allclose(J, J_torch, rtol=1e-12, atol=1e-14), "agcli's Jacobian is not PyTorch's"
        a, t = statistics.median(ours), statistics.median(theirs)
        report["in_process"] = {"agcli_s": a, "torch_s": t, "ratio": a / t, "target": 3.0}

        jacobian = [args.agcli, "jacobian", EXPR, "--W", "@W.npy", "--x", "@x.npy", "--wrt", "x"]
        grad = [args.agcli, "grad", EXPR, "--W", "@W.npy", "--x", "@x.npy", "--wrt", "x",
                "--grad-output", f"ones({N})"]
        for command in (jacobian, grad):       # warm-up: bytecode caches, the page cache
            whole(command, folder)
        jac_times, grad_times = [], []
        for _ in range(runs):
            jac_times.append(whole(jacobian, folder))
            grad_times.append(whole(grad, folder))
        j, g = statistics.median(jac_times), statistics.median(grad_times)
        report["whole_command"] = {"jacobian_s": j, "grad_s": g, "ratio": j / g, "target": 1.5}

    print("| figure | agcli | baseline | ratio | target |")
    print("| --- | --- | --- | --- | --- |")
    r = report["in_process"]
    print(f"| jacobian of tanh(W @ x), n = {N}, in process | {r['agcli_s'] * 1e3:.1f} ms | "
          f"torch.autograd.functional.jacobian(vectorize=True): {r['torch_s'] * 1e3:.1f} ms | {r['ratio']:.2f} | ≤ 3 |")
    r = report["whole_command"]
    print(f"| `agcli jacobian`, whole process | {r['jacobian_s'] * 1e3:.0f} ms | `agcli grad` on the same input: "
          f"{r['grad_s'] * 1e3:.0f} ms | {r['ratio']:.2f} | ≤ 1.5 |")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
