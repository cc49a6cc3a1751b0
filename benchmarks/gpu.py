"""agcli on a CUDA GPU (CuPy) against the default CPU backend (NumPy).

    python benchmarks/gpu.py [--agcli PATH] [--runs N] [--k K] [--only cases|matmul]

Run it with the Python of an environment where `pip install '.[cuda]'` put
agcli and CuPy. It does two things, each on whole processes:

1. cases: every expression of tests/fixtures/torch_cases.json (the PyTorch
   fixtures), evaluated as tests/test_torch_fixtures.py evaluates them, in one
   child process with the default backend and in one with AGCLI_DEVICE=cuda.
   Errors, grad_fn, nodes, shapes and dtypes must be equal; values and
   gradients equal within rtol 1e-6 (atol 1e-9) for float64 (1e-4 for
   float32); the result arrays must be host NumPy arrays; and the CUDA child
   must have allocated GPU memory (else the device was not used).
2. matmul: `agcli grad "sum(tanh(a @ b) @ c)" --a @a.npy --b @b.npy --c @c.npy
   --out OUT.npz` with `--device cpu` and with `--device cuda`, medians of
   --runs (5) alternating runs after one warm-up (CuPy compiles its kernels
   on first use, and caches them on disk). a and b are 1500x1500, c is
   1500xK (K = 10, as benchmarks/run.py's figure; --k 1500 for a square c),
   made as run.py makes them; the two npz files must agree within rtol 1e-6.

Exit status: 0 everything agreed, 1 a mismatch or a failed run, 77 skipped:
no CuPy or no CUDA device (it then never claims to have passed).
"""
from __future__ import annotations

import argparse
import os
import pickle
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "..", "tests", "fixtures", "torch_cases.json")
SKIPPED = 77


def gpu_or_skip() -> str:
    """The first device's name; exits 77 when CuPy or a CUDA device is missing."""
    def skip(why):
        print(f"skipped: no CUDA GPU (cupy {why})", flush=True)
        sys.exit(SKIPPED)
    try:
        import cupy
    except Exception as e:  # ImportError, or a CuPy wheel that does not match the CUDA libraries
        skip(f"is not importable: {e}")
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as e:
        skip(f"getDeviceCount() failed: {e}")
    if count == 0:
        skip("getDeviceCount() is 0")
    name = cupy.cuda.runtime.getDeviceProperties(0)["name"]
    return name.decode() if isinstance(name, bytes) else str(name)


# ------------------------------------------------------------------ 1. cases
def child(out_path):
    """(In a child process.) Evaluate every fixture case; pickle what each gave."""
    import json
    import numpy as np
    from agcli.cli.arguments import parse_line
    from agcli.evaluate import run as api

    def host(a):
        return None if a is None else (type(a).__module__, np.asarray(a.get() if hasattr(a, "get") else a))

    results = []
    for case in json.load(open(CASES, encoding="utf-8")):
        args = parse_line(case["args"])
        api.configure(dtype=args.dtype or "float64", seed=0 if args.seed is None else args.seed,
                      max_elements=10**8)
        r = api.evaluate(args.expr, args.bindings, wrt=args.wrt, grad_output=args.grad_output)
        results.append({"args": case["args"], "error": None if r.error is None else r.error.message,
                        "value": host(r.value), "grad_fn": r.grad_fn, "nodes": [n.grad_fn for n in r.nodes],
                        "grads": {k: host(v) for k, v in r.grads.items()}, "warnings": list(r.warnings)})
    gpu_bytes = sys.modules["cupy"].get_default_memory_pool().total_bytes() if "cupy" in sys.modules else 0
    with open(out_path, "wb") as f:
        pickle.dump({"results": results, "gpu_bytes": gpu_bytes}, f)


def run_cases(device):
    env = {k: v for k, v in os.environ.items() if k != "AGCLI_DEVICE"}
    if device:
        env["AGCLI_DEVICE"] = device
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "results.pickle")
        p = subprocess.run([sys.executable, __file__, "--child", out], env=env, capture_output=True, text=True)
        if p.returncode != 0:
            return None, f"the {device or 'default'} run failed ({p.returncode}):\n{p.stderr[-3000:]}"
        with open(out, "rb") as f:
            return pickle.load(f), None


def differences(cpu, gpu):
    """What differs between one case's two results (empty: they agree)."""
    import numpy as np
    found = []
    for key in ("error", "grad_fn", "nodes", "warnings"):
        if cpu[key] != gpu[key]:
            found.append(f"{key}: cpu {cpu[key]!r}, cuda {gpu[key]!r}")
    if set(cpu["grads"]) != set(gpu["grads"]):
        found.append(f"gradient entries: cpu {sorted(cpu['grads'])}, cuda {sorted(gpu['grads'])}")
    pairs = [("value", cpu["value"], gpu["value"])]
    pairs += [(f"grad of {k}", v, gpu["grads"].get(k)) for k, v in cpu["grads"].items()]
    for what, a, b in pairs:
        if a is None or b is None:
            if a is not b:
                found.append(f"{what}: {'only cuda' if a is None else 'only cpu'} gives one")
            continue
        (_, a), (module, b) = a, b
        if module.split(".")[0] != "numpy":
            found.append(f"{what}: cuda's result is a {module} array, not host NumPy")
        if a.shape != b.shape or a.dtype != b.dtype:
            found.append(f"{what}: cpu {a.dtype}{list(a.shape)}, cuda {b.dtype}{list(b.shape)}")
        elif a.dtype.kind in "fc" and not np.allclose(a, b, rtol=1e-6 if a.dtype.itemsize >= 8 else 1e-4,
                                                      atol=1e-9, equal_nan=True):
            with np.errstate(all="ignore"):
                worst = np.nanmax(np.abs(a - b) / np.maximum(np.abs(a), 1e-300))
            found.append(f"{what}: values differ (largest relative difference {worst:.3g})")
        elif a.dtype.kind not in "fc" and not np.array_equal(a, b):
            found.append(f"{what}: values differ")
    return found


def check_cases() -> bool:
    cpu, failed = run_cases(None)
    gpu, failed_gpu = (None, None) if failed else run_cases("cuda")
    if failed or failed_gpu:
        print(f"cases: FAILED, {failed or failed_gpu}")
        return False
    ok = True
    if gpu["gpu_bytes"] == 0:
        print("cases: FAILED, the AGCLI_DEVICE=cuda run allocated no GPU memory: the device was not used")
        ok = False
    bad = [(c["args"], d) for c, g in zip(cpu["results"], gpu["results"]) for d in [differences(c, g)] if d]
    for args, found in bad:
        print(f"  mismatch: {args}\n" + "".join(f"      {d}\n" for d in found), end="")
    n = len(cpu["results"])
    print(f"cases: {n - len(bad)} of {n} fixture cases agree between the default and the AGCLI_DEVICE=cuda run"
          f" ({gpu['gpu_bytes'] / 2**20:.1f} MiB held by CuPy's memory pool)")
    return ok and not bad


# ------------------------------------------------------------------ 2. matmul
def time_matmul(args) -> bool:
    sys.path.insert(0, HERE)
    import run  # benchmarks/run.py: the data recipe and the timing helpers
    data = os.path.join(run.DATA, f"gpu_{run.MATMUL_N}x{args.k}")
    os.makedirs(data, exist_ok=True)
    if not all(os.path.exists(os.path.join(data, f + ".npy")) for f in "abc"):
        subprocess.run([sys.executable, "-c", run.MAKE_MATMUL, str(run.MATMUL_N), str(args.k),
                        str(run.MATMUL_SEED), data], check=True)
    binds = ["--a", "@a.npy", "--b", "@b.npy", "--c", "@c.npy"]
    cmds = {device: [args.agcli, "grad", run.MATMUL_EXPR, *binds, "--out", f"out_{device}.npz", "--device", device]
            for device in ("cpu", "cuda")}
    print(f"matmul: {run.MATMUL_EXPR}, a, b {run.MATMUL_N}x{run.MATMUL_N}, c {run.MATMUL_N}x{args.k}: "
          f"{args.runs} alternating runs each after a warm-up ...", flush=True)
    try:
        wall, cpu = run.alternate(cmds, args.runs, warmup=1, cwd=data)
    except SystemExit as e:  # run.timed: a command failed
        print(f"matmul: FAILED, {e}")
        return False
    same = subprocess.run([sys.executable, "-c", run.COMPARE_NPZ.replace("rtol=1e-9", "rtol=1e-6"),
                           "out_cuda.npz", "out_cpu.npz"], cwd=data, capture_output=True, text=True)
    for device in cmds:
        w = wall[device]
        print(f"  --device {device:4}  wall median {statistics.median(w):.3f} s (min {min(w):.3f}, "
              f"max {max(w):.3f}), CPU time median {statistics.median(cpu[device]):.3f} s")
    print(f"  cuda / cpu (wall medians): {statistics.median(wall['cuda']) / statistics.median(wall['cpu']):.2f}; "
          f"npz files: {same.stdout.strip() or same.stderr.strip()[-500:]}")
    return same.stdout.strip() == "same"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--agcli", help="agcli executable (default: the one next to this Python, else on PATH)")
    p.add_argument("--runs", type=int, default=5, help="timed runs of each matmul command (default 5)")
    p.add_argument("--k", type=int, default=10, help="columns of c in the matmul case (default 10, as run.py)")
    p.add_argument("--only", choices=("cases", "matmul"))
    p.add_argument("--child", metavar="OUT", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        return child(args.child)
    device = gpu_or_skip()
    beside = os.path.join(os.path.dirname(sys.executable), "agcli")
    args.agcli = args.agcli or (beside if os.path.exists(beside) else shutil.which("agcli"))
    if not args.agcli:
        p.error("no agcli next to this Python or on PATH: pass --agcli PATH")
    print(f"GPU: {device}; python: {sys.executable}; agcli: {args.agcli}", flush=True)
    ok = True
    if args.only in (None, "cases"):
        ok = check_cases() and ok
    if args.only in (None, "matmul"):
        ok = time_matmul(args) and ok
    print("gpu.py: all agreed" if ok else "gpu.py: FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
