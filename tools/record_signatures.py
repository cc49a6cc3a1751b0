"""Record PyTorch's argument-parser signatures -> agcli/language/pytorch_signatures.json.

Dev-only tool: run with the torch venv from the repository root, e.g.
    /work/torchenv/bin/python tools/record_signatures.py
A function with several signatures lists them in its "invalid combination" error (triggered
here with 40 arguments, more than any signature takes); one with a single signature never
lists it, so its parameters are read from torch's stubs (names, kinds, which are optional) and
their types from the parser's own "must be TYPE" errors, one argument at a time.
"""
from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

import torch

OUT = Path(__file__).resolve().parent.parent / "agcli" / "language" / "pytorch_signatures.json"
STUBS = Path(torch.__file__).parent / "_C"

# What a learner's programs reach first (torch.NAME and Tensor.NAME alike where both exist).
COMMON = """abs neg exp log log2 log10 log1p expm1 sqrt rsqrt sin cos tan tanh sinh cosh asin acos atan sigmoid relu
square sign floor ceil round trunc frac reciprocal erf add sub subtract mul multiply div divide true_divide
floor_divide pow remainder fmod atan2 maximum minimum eq ne lt le gt ge equal isclose allclose logical_and
logical_or logical_not sum mean prod max min amax amin argmax argmin std var norm logsumexp cumsum cumprod all any
median mode nansum count_nonzero reshape view transpose permute squeeze unsqueeze flatten expand expand_as repeat t
narrow chunk movedim flip roll diagonal diag triu tril gather scatter index_select masked_fill masked_select take
topk sort argsort nonzero where clamp clip clamp_min clamp_max softmax log_softmax matmul mm bmm mv dot outer addmm
cat concat stack hstack vstack zeros ones full arange linspace randn rand randint eye empty zeros_like ones_like
full_like rand_like randn_like empty_like randperm tensor_split lerp dist cross kron trace unbind select kthvalue multinomial
""".split()
METHOD_ONLY = "view_as reshape_as type_as item tolist size dim numel add_ sub_ mul_ div_ zero_ fill_ copy_ clamp_ " \
              "masked_fill_ scatter_ unsqueeze_ squeeze_ t_ index_fill index_add normal_ uniform_ new_zeros " \
              "new_ones new_full new_tensor to float double long int bool".split()


class Sentinel:
    """An argument no parameter takes (but an `object` one)."""


def stub_defs(path, cls=None):
    tree = ast.parse(path.read_text())
    body = tree.body
    if cls:
        body = next(n for n in body if isinstance(n, ast.ClassDef) and n.name == cls).body
    defs = {}
    for node in body:
        if isinstance(node, ast.FunctionDef):
            defs.setdefault(node.name, []).append(node)
    return defs


def listing(message):
    """The signatures an "invalid combination" message lists, and the name it gives."""
    name = message.split("()", 1)[0]
    if "expected one of:" in message:
        return name, [s[3:] for s in message.split("expected one of:\n", 1)[1].splitlines() if s.startswith(" * ")]
    return name, [message.split("but expected ", 1)[1].strip()]


VALID = {"Tensor": lambda: torch.ones(2, 3), "int": lambda: 1, "float": lambda: 1.0, "bool": lambda: False,
         "Number": lambda: 1, "tuple of ints": lambda: (1,), "torch.dtype": lambda: torch.float32,
         "tuple of Tensors": lambda: (torch.ones(2, 3),), "str": lambda: "none", "torch.device": lambda: "cpu",
         "torch.layout": lambda: torch.strided, "torch.memory_format": lambda: torch.contiguous_format,
         "torch.Generator": lambda: torch.Generator(), "tuple of floats": lambda: (1.0,), "object": lambda: None}


def error_of(call):
    try:
        call()
    except Exception as e:      # (the parser's TypeError, or what the computation raises)
        return str(e)
    return None


def probe_single(f, name, node, is_method):
    """The one signature of `f`, in the printed format: types from the parser's errors."""
    args = node.args
    positional = [a.arg for a in args.args][int(is_method):]
    n_defaults = len(args.defaults)
    defaults = dict(zip(positional[len(positional) - n_defaults:], args.defaults)) if n_defaults else {}
    defaults.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None})
    optional = set(defaults)
    keyword = [(a.arg, d is not None) for a, d in zip(args.kwonlyargs, args.kw_defaults)]

    def default(p):     # (the stubs' default: None only where it is None, int diagonal = 0 takes no None)
        return f" = {ast.unparse(defaults[p])}" if p in defaults else ""
    printed_name, params, valid = name, [], []
    for i, p in enumerate(positional):
        message = error_of(lambda: f(*valid, Sentinel()))
        if message and "positional argument" in message and " but " in message:     # (the stubs' positional
            keyword[:0] = [(q, q in optional) for q in positional[i:]]             # one is keyword-only)
            positional = positional[:i]
            break
        m = re.match(r"(\w+)\(\): argument '(\w+)' \(position \d+\) must be (.+?), not Sentinel$", message or "")
        if not m:
            m = re.match(r"(\w+)\(\): argument '(\w+)' \(position \d+\) must be (.+?), but found", message or "")
        kind = m.group(3) if m else "object"
        printed_name = m.group(1) if m else printed_name
        params.append(f"{kind} {m.group(2) if m else p}" + default(p))
        valid.append(VALID.get(kind, lambda: None)())
    required = [v for v, p in zip(valid, positional) if p not in optional]
    for k, has_default in keyword:
        message = error_of(lambda: f(*required, **{k: Sentinel()}))
        if message and "unexpected keyword" in message:      # (in the stubs, not in the parser)
            continue
        m = re.match(r"(\w+)\(\): argument '(\w+)' must be (.+?), not Sentinel$", message or "")
        kind = m.group(3) if m else "object"
        params.append(("" if any(q.startswith("*, ") for q in params) else "*, ") + f"{kind} {k}" +
                      (default(k) if has_default else ""))
    return printed_name, "(" + ", ".join(params) + ")"


# PyTorch's deprecated signatures (tools/autograd/deprecated.yaml): hidden from its lists, but taken
_HIDDEN = {("add", False): ["(Tensor input, Number alpha, Tensor other, *, Tensor out = None)"],
           ("sub", False): ["(Tensor input, Number alpha, Tensor other, *, Tensor out = None)"],
           ("addmm", False): [
               "(Number beta, Tensor input, Number alpha, Tensor mat1, Tensor mat2, *, Tensor out = None)",
               "(Number beta, Tensor input, Tensor mat1, Tensor mat2, *, Tensor out = None)"]}
_HIDDEN.update({(n, True): ["(Number alpha, Tensor other)"] for n in ("add", "add_", "sub", "sub_")})


def nullable(signatures, nodes, is_method):
    """For each signature, its parameters without a default that take None (`int[1]? dim`: its printed
    form does not say), from the stubs' overload of the same parameter names."""
    found = []
    anywhere = {a.arg for node in nodes for a in node.args.args + node.args.kwonlyargs
                if a.annotation is not None and "None" in ast.unparse(a.annotation)}
    for text in signatures:
        params = [p for p in text[1:-1].split(", ") if p not in ("*", "")]
        names = [p.split(" = ")[0].rsplit(" ", 1)[-1] for p in params]
        kinds = [p.split(" = ")[0].rsplit(" ", 1)[0] for p in params]
        same = [n for n in nodes if [a.arg for a in n.args.args[int(is_method):] + n.args.kwonlyargs] == names]
        same = [n for n in same if _fits(n, kinds, is_method)] or same
        # (no overload of those names, as the stubs of div write it by hand: a name that takes None in any)
        taken = [] if same else [n for n, p in zip(names, params) if n in anywhere and " = " not in p]
        for node in same[:1]:
            args = node.args.args[int(is_method):] + node.args.kwonlyargs
            taken = [a.arg for a, p in zip(args, params) if " = " not in p and a.annotation is not None
                     and "None" in ast.unparse(a.annotation)]
        found.append(taken)
    return found


_STUB_TYPES = {"tuple of ints": ("_size", "Sequence"), "int": ("_int",), "bool": ("_bool",), "float": ("_float",),
               "Tensor": ("Tensor",), "Number": ("Number",), "torch.dtype": ("_dtype",), "str": ("str",)}


def _fits(node, kinds, is_method):
    """Do the stubs' annotations of this overload say the printed types (an int dim, or a tuple of them)?"""
    args = node.args.args[int(is_method):] + node.args.kwonlyargs
    for a, kind in zip(args, kinds):
        words = _STUB_TYPES.get(kind)
        text = ast.unparse(a.annotation) if a.annotation is not None else ""
        if words and not any(w in text for w in words):
            return False
        if kind == "int" and ("_size" in text or "Sequence" in text):
            return False
    return True


def symints(name):
    """The parameters of NAME's native schemas typed SymInt or SymInt[]: where an `int` takes what __index__
    takes (is_int_or_symint: a one-element integer or bool tensor of any rank), not a 0-d integer tensor only,
    and where a bool tensor is refused when read (its Scalar is not integral)."""
    schemas = torch._C._jit_get_schemas_for_operator("aten::" + name.replace(".", "_"))
    return sorted({m for schema in schemas for m in re.findall(r"\bSymInt(?:\[\d*\]\??)? (\w+)", str(schema))})


def record(name, f, defs, is_method):
    entry = _record(name, f, defs, is_method)
    if entry and symints(name):
        entry["symint"] = symints(name)
    return entry


def _record(name, f, defs, is_method):
    message = error_of(lambda: f(*[Sentinel()] * 40))
    if message and "received an invalid combination" in message:
        printed, signatures = listing(message)
        entry = {"name": printed, "one": False, "signatures": signatures}
        none = nullable(signatures, defs.get(name, []), is_method)
        if any(none):
            entry["none"] = none
        if (name, is_method) in _HIDDEN:
            entry["hidden"] = _HIDDEN[name, is_method]
        return entry
    nodes = [n for n in defs.get(name, []) if n.args.vararg is None]
    if not nodes or message is None or "positional argument" not in message and "must be" not in message:
        return None
    printed, signature = probe_single(f, name, nodes[0], is_method)
    entry = {"name": printed, "one": True, "signatures": [signature]}
    none = nullable([signature], nodes, is_method)
    if any(none):
        entry["none"] = none
    return entry


# torch.tensor's and torch.as_tensor's parsers (torch/csrc/utils/tensor_new.cpp): one signature each, whose
# `data` is any object (the stubs type it, the parser does not).
_CREATION = {"tensor": "(object data, *, torch.dtype dtype = None, torch.device device = None, "
                       "bool pin_memory = False, bool requires_grad = False, tuple of names names = None)",
             "as_tensor": "(object data, *, torch.dtype dtype = None, torch.device device = None)"}


def doc_defs(f, name):
    """torch.linalg's and torch.special's functions have no stubs: their docstring's first line, as
    `linalg.norm(input, ord=None, dim=None, keepdim=False, *, out=None, dtype=None) -> Tensor`, read as a def."""
    first = (f.__doc__ or "").strip().split("\n")[0]
    found = re.match(r"[\w.]*\((.*)\)", first)
    if not found:
        return {}
    params = re.sub(r"\b(?:bool|int|float) (\w+)", r"\1", found.group(1))     # (lu_factor's `bool pivot=True`)
    defs = stub_defs_of(f"def {name}({params}): pass")
    # The parser may take by position what the docstring puts after `*` (special.softmax's dtype).
    told = re.search(r"takes (?:from \d+ to )?(\d+) positional", error_of(lambda: f(*[Sentinel()] * 40)) or "")
    args = defs[name][0].args
    while told and len(args.args) < int(told.group(1)) and args.kwonlyargs:
        args.args.append(args.kwonlyargs.pop(0))
        args.defaults.append(args.kw_defaults.pop(0))
    return defs


def stub_defs_of(text):
    return {node.name: [node] for node in ast.parse(text).body if isinstance(node, ast.FunctionDef)}


def modules():
    """(key prefix, module) of torch's namespaces whose functions are its parser's own (linalg_det, special_erf)."""
    return [("linalg.", torch.linalg), ("special.", torch.special)]


def main():
    functions, methods = stub_defs(STUBS / "_VariableFunctions.pyi"), stub_defs(STUBS / "__init__.pyi", "TensorBase")
    table = {"functions": {}, "methods": {}}
    for name, text in _CREATION.items():
        table["functions"][name] = {"name": name, "one": True, "signatures": [text]}
    for prefix, module in modules():
        for name in dir(module):
            f = getattr(module, name)
            if name.startswith("_") or type(f).__name__ != "builtin_function_or_method":
                continue
            entry = record(name, f, doc_defs(f, name), False)
            if entry:
                table["functions"][prefix + name] = entry
    for name in COMMON:
        if getattr(torch, name, None) is getattr(torch._C._VariableFunctions, name, 0):     # (not Python's)
            entry = record(name, getattr(torch, name), functions, False)
            if entry:
                table["functions"][name] = entry
    for name in COMMON + METHOD_ONLY:
        if name in methods and getattr(torch.Tensor, name) is getattr(torch._C.TensorBase, name, 0):
            entry = record(name, getattr(torch.ones(2, 3), name), methods, True)
            if entry:
                table["methods"][name] = entry
    OUT.write_text(json.dumps(table, indent=0, sort_keys=True) + "\n")
    print(f"{len(table['functions'])} functions, {len(table['methods'])} methods -> {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
