"""PyTorch reference for `agcli batch FILE --format jsonl` (dev-only; uses eval).

    /opt/torchenv/bin/python benchmarks/torch_batch.py FILE

For each line (blank lines and # comments skipped): shlex.split it, read the
expression and the `--name value` pairs, make every value a float64 leaf that
requires grad, eval the expression with the variables + the torch namespace
(+ F, torch), backward, and print one JSON line with the value and the leaf
gradients (.tolist()).  A failing line prints its error and the run goes on;
the exit status is 1 if any line failed.  Only literal values are supported
(no @file).
"""
import json
import shlex
import sys

import torch
import torch.nn.functional as F

NS = {name: getattr(torch, name) for name in dir(torch) if not name.startswith("_")}
NS.update(torch=torch, F=F)


def run_line(line):
    words = shlex.split(line)
    if words[0] == "grad":
        words = words[1:]
    expr, texts, i = words[0], {}, 1
    while i < len(words):
        name, eq, text = words[i][2:].partition("=")
        if not eq:
            i += 1
            text = words[i]
        texts[name] = text
        i += 1
    leaves = {name: torch.tensor(eval(text, NS), dtype=torch.float64, requires_grad=True)
              for name, text in texts.items()}
    out = eval(expr, NS, leaves)
    out.backward()
    return {"value": out.tolist(),
            "grads": {n: None if x.grad is None else x.grad.tolist() for n, x in leaves.items()}}


def main(path):
    failed = False
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                obj = run_line(line)
            except Exception as e:
                failed = True
                obj = {"error": f"{type(e).__name__}: {e}"}
            obj["line"] = number
            print(json.dumps(obj), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
