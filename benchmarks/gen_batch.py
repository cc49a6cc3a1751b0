"""Write seeded batch files of random expressions for `agcli batch` and torch_batch.py.

    python benchmarks/gen_batch.py --distinct 10000 -o benchmarks/data/distinct_10000.txt
    python benchmarks/gen_batch.py --repeated 20x500 -o benchmarks/data/repeated_20x500.txt
    python benchmarks/gen_batch.py --distinct 2000 -o /tmp/d.txt --check   # agcli vs torch

Each line is `"sum(EXPR)" --a 0.31 --b "[0.5, -1.2, 0.77]" ...`: EXPR has 2..19
operations (so 3..20 with the reduction around it) on scalars, vectors (length
3-8) and matrices (2x2 to 6x6), drawn from + - * / ** @, unary -, sin, cos,
tanh, exp, sigmoid, relu, sum, mean, .t() and indexing.  The generator keeps
every line finite and valid for PyTorch: divisors and the bases of fractional
powers are positive by construction (2 + sin(x), 1.5 + tanh(x), exp(tanh(x)),
1 + x**2, ...), exp only sees bounded arguments, and a worst-case magnitude
bound is tracked so that nothing can overflow (a node whose bound passes
LIMIT is squashed with tanh).

--repeated KxN writes K expressions, each with N different sets of values
(same shapes), grouped: the N lines of expression 1, then those of expression
2, ... (--interleave to cycle through the K expressions instead).

--check runs the file through `agcli batch --format jsonl` and through
torch_batch.py, fails on any error or warning, and compares values and
gradients (rtol 1e-7).  Only the Python standard library and NumPy.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys

LIMIT = 1e3                # worst-case |value| any node may reach
VALUE_RANGE = 2.0          # leaf values are uniform in [-2, 2], two decimals
NAMES = list("abcdfghpqrsuvwxyz")   # no e (torch.e), no t (x.t), no D (agcli's -D)
ADD, MUL, UNARY, POW, ATOM = range(5)   # Python precedence levels of what we print


class Node:
    __slots__ = ("text", "prec", "bound", "ops")

    def __init__(self, text, prec, bound, ops):
        self.text, self.prec, self.bound, self.ops = text, prec, bound, ops

    def at(self, prec):
        """The text, parenthesised unless it binds at least as tightly as `prec`."""
        return self.text if self.prec >= prec else f"({self.text})"


def size(shape):
    n = 1
    for d in shape:
        n *= d
    return n


class Expr:
    """One random expression: its text, op count and variable shapes."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.vars: dict[str, tuple] = {}

    # ---------------------------------------------------------------- helpers
    def vec_len(self, lo=3, hi=8):
        return self.rng.randint(lo, hi)

    def mat_dim(self):
        return self.rng.randint(2, 6)

    def random_shape(self):
        kind = self.rng.choice(("scalar", "vector", "vector", "matrix", "matrix"))
        if kind == "scalar":
            return ()
        if kind == "vector":
            return (self.vec_len(),)
        return (self.mat_dim(), self.mat_dim())

    def func(self, name, arg: Node, ops=1, bound=None, methods=True):
        """name(arg) as bare name, torch.name, F.name (where PyTorch has it) or arg.name()."""
        r = self.rng.random()
        if methods and r < 0.15:
            text, prec = f"{arg.at(ATOM)}.{name}()", ATOM
        elif r < 0.45:
            prefix = "F." if name in ("relu", "sigmoid", "tanh") and self.rng.random() < 0.5 else "torch."
            text, prec = f"{prefix}{name}({arg.text})", ATOM
        else:
            text, prec = f"{name}({arg.text})", ATOM
        return Node(text, prec, arg.bound if bound is None else bound, arg.ops + ops)

    def squash(self, node: Node) -> Node:
        return self.func("tanh", node, bound=1.0) if node.bound > LIMIT else node

    def leaf(self, shape) -> Node:
        same = [n for n, s in self.vars.items() if s == shape]
        if same and self.rng.random() < 0.45:
            name = self.rng.choice(same)
        else:
            free = [n for n in NAMES if n not in self.vars]
            name = self.rng.choice(free) if free else f"v{len(self.vars)}"
            self.vars[name] = shape
        return Node(name, ATOM, VALUE_RANGE, 0)

    def split(self, budget):
        left = self.rng.randint(0, budget)
        return left, budget - left

    def broadcast_pair(self, shape):
        """Two operand shapes whose broadcast is `shape` (vectors stay 3-8 long)."""
        options = [(shape, shape)] * 3
        if shape:
            options += [(shape, ()), ((), shape)]
        if len(shape) == 2 and shape[1] >= 3:
            options += [(shape, (shape[1],)), ((shape[1],), shape)]
        return self.rng.choice(options)

    # ---------------------------------------------------------------- generator
    def gen(self, shape, budget) -> Node:
        if budget <= 0:
            return self.leaf(shape)
        choices = ["unary"] * 4 + ["neg", "exp", "binary", "binary", "binary", "binary", "const", "pow"]
        if budget >= 3:
            choices += ["div", "div", "fpow"]
        if shape == ():
            choices += ["reduce"] * 3 + ["matmul", "index"]
        elif len(shape) == 1:
            if shape[0] <= 6:
                choices += ["matmul", "matmul", "index"]
        else:
            choices += ["matmul", "matmul", "t"]
        return self.squash(getattr(self, "op_" + self.rng.choice(choices))(shape, budget))

    def op_unary(self, shape, budget):
        name = self.rng.choice(("sin", "cos", "tanh", "sigmoid", "relu"))
        child = self.gen(shape, budget - 1)
        return self.func(name, child, bound=child.bound if name == "relu" else 1.0)

    def op_neg(self, shape, budget):
        child = self.gen(shape, budget - 1)
        return Node(f"-{child.at(POW)}", UNARY, child.bound, child.ops + 1)

    def op_exp(self, shape, budget):
        child = self.gen(shape, budget - 2 if budget >= 2 else budget - 1)
        if child.bound > 3:
            child = self.func(self.rng.choice(("tanh", "sin", "cos")), child, bound=1.0)
        return self.func("exp", child, bound=2.718281828459045 ** child.bound)

    def op_binary(self, shape, budget):
        ls, rs = self.broadcast_pair(shape)
        lb, rb = self.split(budget - 1)
        left, right = self.gen(ls, lb), self.gen(rs, rb)
        op = self.rng.choice("+-*")
        if op == "*" and left.bound * right.bound > LIMIT:
            op = self.rng.choice("+-")
        if op == "*":
            return Node(f"{left.at(MUL)} * {right.at(UNARY)}", MUL, left.bound * right.bound,
                        left.ops + right.ops + 1)
        return Node(f"{left.at(ADD)} {op} {right.at(MUL)}", ADD, left.bound + right.bound,
                    left.ops + right.ops + 1)

    def op_const(self, shape, budget):
        child = self.gen(shape, budget - 1)
        c = self.rng.choice((0.5, 2, 1.5, 3, 0.25, 0.1, 4, 1))
        form = self.rng.choice(("c*x", "x*c", "x+c", "c+x", "x-c", "c-x", "x/c"))
        if form in ("c*x", "x*c") and child.bound * c > LIMIT:
            form = "x+c"
        x = child
        if form == "c*x":
            return Node(f"{c} * {x.at(UNARY)}", MUL, c * x.bound, x.ops + 1)
        if form == "x*c":
            return Node(f"{x.at(MUL)} * {c}", MUL, c * x.bound, x.ops + 1)
        if form == "x/c":
            return Node(f"{x.at(MUL)} / {c}", MUL, x.bound / c, x.ops + 1)
        if form == "x+c":
            return Node(f"{x.at(ADD)} + {c}", ADD, x.bound + c, x.ops + 1)
        if form == "c+x":
            return Node(f"{c} + {x.at(MUL)}", ADD, x.bound + c, x.ops + 1)
        if form == "x-c":
            return Node(f"{x.at(ADD)} - {c}", ADD, x.bound + c, x.ops + 1)
        return Node(f"{c} - {x.at(MUL)}", ADD, x.bound + c, x.ops + 1)

    def op_pow(self, shape, budget):
        child = self.gen(shape, budget - 1)
        k = self.rng.choice((2, 2, 3))
        return Node(f"{child.at(ATOM)}**{k}", POW, child.bound ** k, child.ops + 1)

    def positive(self, shape, budget):
        """A positive operand (lo, hi bounds) built from a child of `budget - 2` ops."""
        child = self.gen(shape, budget - 2)
        form = self.rng.choice(("2 + sin", "2 + cos", "1.5 + tanh", "1 + sigmoid", "exp(tanh)", "1 + sq"))
        if form == "exp(tanh)":
            node = self.func("exp", self.func("tanh", child, bound=1.0), bound=2.718281828459045)
            return node, 0.36787944117144233, node.bound
        if form == "1 + sq":
            if child.bound ** 2 > LIMIT:
                child = self.func("tanh", child, bound=1.0)
            bound = 1 + child.bound ** 2
            return Node(f"1 + {child.at(ATOM)}**2", ADD, bound, child.ops + 2), 1.0, bound
        const, name = form.split(" + ")
        lo, hi = {"2": (1.0, 3.0), "1.5": (0.5, 2.5), "1": (1.0, 2.0)}[const]
        inner = self.func(name, child, bound=1.0)
        return Node(f"{const} + {inner.text}", ADD, hi, inner.ops + 1), lo, hi

    def op_div(self, shape, budget):
        ls, rs = self.broadcast_pair(shape)
        lb, rb = self.split(budget - 3)
        num = self.gen(ls, lb)
        den, lo, _ = self.positive(rs, rb + 2)
        return Node(f"{num.at(MUL)} / {den.at(UNARY)}", MUL, num.bound / lo, num.ops + den.ops + 1)

    def op_fpow(self, shape, budget):
        base, lo, hi = self.positive(shape, budget - 1)
        p = self.rng.choice((0.5, 1.5, 2.5, -0.5, 0.25))
        bound = max(lo ** p, hi ** p)
        return Node(f"{base.at(ATOM)}**{p}", POW, bound, base.ops + 1)

    def op_reduce(self, shape, budget):
        child_shape = self.rng.choice(((self.vec_len(),), (self.mat_dim(), self.mat_dim())))
        child = self.gen(child_shape, budget - 1)
        name = self.rng.choice(("sum", "mean"))
        bound = child.bound * size(child_shape) if name == "sum" else child.bound
        return self.func(name, child, bound=bound)

    def op_matmul(self, shape, budget):
        lb, rb = self.split(budget - 1)
        if shape == ():
            k = self.vec_len()
            ls, rs = (k,), (k,)
        elif len(shape) == 1:
            k = self.vec_len(3, 6)
            ls, rs = ((shape[0], k), (k,)) if self.rng.random() < 0.5 else ((k,), (k, shape[0]))
        else:
            k = self.mat_dim()
            ls, rs = (shape[0], k), (k, shape[1])
        left, right = self.gen(ls, lb), self.gen(rs, rb)
        if left.bound * right.bound * k > LIMIT:   # keep the product bounded
            if left.bound >= right.bound:
                left = self.func("tanh", left, bound=1.0)
            else:
                right = self.func("tanh", right, bound=1.0)
        return Node(f"{left.at(MUL)} @ {right.at(UNARY)}", MUL, left.bound * right.bound * k,
                    left.ops + right.ops + 1)

    def op_t(self, shape, budget):
        child = self.gen((shape[1], shape[0]), budget - 1)
        return Node(f"{child.at(ATOM)}.t()", ATOM, child.bound, child.ops + 1)

    def op_index(self, shape, budget):
        child_shape = (self.vec_len(),) if shape == () else (self.mat_dim(), shape[0])
        child = self.gen(child_shape, budget - 1)
        i = 0 if self.rng.random() < 0.7 else self.rng.randrange(child_shape[0])
        return Node(f"{child.at(ATOM)}[{i}]", ATOM, child.bound, child.ops + 1)

    # ---------------------------------------------------------------- top level
    def top(self, budget) -> Node:
        body = self.gen(self.random_shape(), budget)
        if self.rng.random() < 0.5:
            return Node(f"sum({body.text})", ATOM, 0, body.ops + 1)
        return Node(f"({body.text}).sum()", ATOM, 0, body.ops + 1)


def random_expression(rng: random.Random, min_ops=3, max_ops=20):
    """(text, {name: shape}, ops) with min_ops <= ops <= max_ops, the final sum included."""
    while True:
        e = Expr(rng)
        node = e.top(rng.randint(min_ops - 1, max_ops - 1))
        if min_ops <= node.ops <= max_ops:
            return node.text, dict(sorted(e.vars.items())), node.ops


def literal(rng: random.Random, shape) -> str:
    if shape == ():
        return f"{rng.uniform(-VALUE_RANGE, VALUE_RANGE):.2f}"
    if len(shape) == 1:
        return "[" + ", ".join(f"{rng.uniform(-VALUE_RANGE, VALUE_RANGE):.2f}" for _ in range(shape[0])) + "]"
    return "[" + ", ".join(literal(rng, shape[1:]) for _ in range(shape[0])) + "]"


def line(rng: random.Random, text: str, shapes: dict) -> str:
    parts = [f'"{text}"']
    for name, shape in shapes.items():
        value = literal(rng, shape)
        parts.append(f"--{name} {value}" if shape == () else f'--{name} "{value}"')
    return " ".join(parts)


def distinct_lines(n: int, seed: int = 0):
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        text, shapes, _ = random_expression(rng)
        out.append(line(rng, text, shapes))
    return out


def repeated_lines(k: int, n: int, seed: int = 1, interleave: bool = False):
    rng = random.Random(seed)
    exprs = [random_expression(rng)[:2] for _ in range(k)]
    groups = [[line(rng, text, shapes) for _ in range(n)] for text, shapes in exprs]
    if interleave:
        return [groups[i][j] for j in range(n) for i in range(k)]
    return [l for g in groups for l in g]


def write(path: str, lines, header: str = ""):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        if header:
            f.write(header)
        for l in lines:
            f.write(l + "\n")


# -------------------------------------------------------------------- --check
def _read_jsonl(text):
    return [json.loads(l) for l in text.splitlines() if l.strip()]


def check(path: str, agcli: str, torch_python: str, rtol=1e-7, atol=1e-10) -> bool:
    """Run `path` through both tools: no errors, no warnings, same numbers."""
    import numpy as np

    here = os.path.dirname(os.path.abspath(__file__))
    a = subprocess.run([agcli, "batch", path, "--format", "jsonl"], capture_output=True, text=True)
    t = subprocess.run([torch_python, os.path.join(here, "torch_batch.py"), path],
                       capture_output=True, text=True)
    ok = True
    ra, rt = _read_jsonl(a.stdout), _read_jsonl(t.stdout)
    sources = {}
    with open(path, encoding="utf-8") as f:
        for number, l in enumerate(f, 1):
            if l.strip() and not l.lstrip().startswith("#"):
                sources[number] = l.strip()
    print(f"{path}: {len(sources)} lines; agcli exit {a.returncode}, {len(ra)} results; "
          f"torch exit {t.returncode}, {len(rt)} results")
    if a.returncode or t.returncode or len(ra) != len(sources) or len(rt) != len(sources):
        ok = False
        sys.stderr.write(a.stderr[-2000:] + t.stderr[-2000:])
    errors = [r for r in ra if r.get("error")] + [r for r in rt if r.get("error")]
    warned = [r for r in ra if r.get("warnings")]
    mismatched = []
    for x, y in zip(ra, rt):
        if x.get("error") or y.get("error"):
            continue
        same = np.allclose(x["value"], y["value"], rtol=rtol, atol=atol) and x["grads"].keys() == y["grads"].keys()
        for name in y["grads"]:
            gx, gy = x["grads"].get(name), y["grads"][name]
            same = same and (gx is None) == (gy is None) and (
                gx is None or np.allclose(gx, gy, rtol=rtol, atol=atol))
        if not same:
            mismatched.append(y["line"])
    for r in errors[:5]:
        print("  error:", r.get("line"), r["error"], sources.get(r.get("line")))
    for r in warned[:5]:
        print("  warning:", r.get("line"), r["warnings"], sources.get(r.get("line")))
    for number in mismatched[:5]:
        print("  mismatch: line", number, sources.get(number))
    print(f"  errors {len(errors)}, lines with warnings {len(warned)}, mismatches {len(mismatched)}")
    return ok and not errors and not warned and not mismatched


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    what = p.add_mutually_exclusive_group()
    what.add_argument("--distinct", type=int, metavar="N", help="N distinct expressions (default 10000)")
    what.add_argument("--repeated", metavar="KxN", help="K expressions x N bindings each, e.g. 20x500")
    p.add_argument("--interleave", action="store_true", help="with --repeated: cycle through the K expressions")
    p.add_argument("--seed", type=int, help="random seed (default 0 for --distinct, 1 for --repeated)")
    p.add_argument("-o", "--output", help="file to write (default: benchmarks/data/<kind>.txt)")
    p.add_argument("--check", action="store_true", help="run the file through agcli and torch, compare")
    p.add_argument("--agcli", default="agcli", help="agcli executable for --check")
    p.add_argument("--torch-python", default="/opt/torchenv/bin/python", help="python with torch for --check")
    args = p.parse_args(argv)
    data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
    if args.repeated:
        k, n = (int(v) for v in args.repeated.lower().split("x"))
        seed = 1 if args.seed is None else args.seed
        lines = repeated_lines(k, n, seed, args.interleave)
        path = args.output or os.path.join(data, f"repeated_{k}x{n}.txt")
    else:
        n = 10000 if args.distinct is None else args.distinct
        seed = 0 if args.seed is None else args.seed
        lines = distinct_lines(n, seed)
        path = args.output or os.path.join(data, f"distinct_{n}.txt")
    write(path, lines)
    print(f"wrote {len(lines)} lines to {path}")
    if args.check and not check(path, args.agcli, args.torch_python):
        sys.exit(1)


if __name__ == "__main__":
    main()
