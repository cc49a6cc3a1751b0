"""PyTorch's warnings in a program, shown as Python's default filter shows them: each
text once per place (the line that made it), so a warning inside a loop shows once.

A warning's place is the line of the innermost operation running when it was
made: the closures that run a program's operations hold their source span as
`span`, so the Python stack says it, and only a warning pays for looking.
Warnings PyTorch makes in its own Python code (torch/autograd/graph.py, its
optimizers, gradcheck) and its C++ TORCH_WARN_ONCE ones have one place each
whoever calls: they show once per run.

A warning made at a line of the program shows as Python shows it: the file and line,
the text (with the place in PyTorch's C++ that made it, for those made there), and
the line's source when the program is a file.
"""
from __future__ import annotations

import os
import sys

# Warnings made in PyTorch's own Python files (their place is there, whoever calls): once a run,
# shown without a place (a program has no such file).
_IN_TORCH_FILES = (
    "UserWarning: Using backward() with create_graph=True",              # torch/autograd/graph.py
    "UserWarning: Error detected in ",                                   # (anomaly mode; also graph.py)
    "UserWarning: size_average and reduce args will be deprecated",      # torch/nn/functional.py, modules/loss.py
    "UserWarning: optimizer contains a parameter group with duplicate",  # torch/_compile.py
    "UserWarning: To get the last learning rate computed by the scheduler",     # torch/optim/lr_scheduler.py
    "UserWarning: Input #",                                              # torch/autograd/gradcheck.py
    "UserWarning: For backward hooks to be called, module output",       # torch/nn/modules/module.py
    "UserWarning: mean is more than 2 std from [a, b]",                  # torch/nn/init.py
    "UserWarning: None of the inputs have requires_grad=True",           # torch/utils/checkpoint.py
    "UserWarning: torch.utils.checkpoint: the use_reentrant parameter",  # torch/_dynamo/eval_frame.py
    "UserWarning: dropout option adds dropout after all but last",       # torch/nn/modules/rnn.py
    "FutureWarning: `torch.nn.utils.weight_norm` is deprecated",         # torch/nn/utils/weight_norm.py
    "UserWarning: torch.set_default_tensor_type() is deprecated")        # torch/__init__.py (C++'s, once)
# C++'s TORCH_WARN_ONCE: once a run, at the line that made it first.
_ONCE_PER_RUN = tuple(f"UserWarning: {text}" for text in (
    "Converting a tensor with requires_grad=True to a scalar",
    "The use of `x.T` on tensors of dimension other than 2",
    "Tensor.T is deprecated on 0-D tensors",
    "Using torch.cross without specifying the dim arg",
    "Using padding='same' with even kernel lengths",
    "The reduce argument of torch.scatter with Tensor src"))

# Where in PyTorch's C++ the warnings made there are made: their text ends with it.
_TRIGGERED = {f"UserWarning: {text}": f" (Triggered internally at /__w/pytorch/pytorch/{place}.)" for text, place in (
    ("The .grad attribute of a Tensor that is not a leaf", "build/aten/src/ATen/core/TensorBody.h:493"),
    ("Converting a tensor with requires_grad=True to a scalar",
     "torch/csrc/autograd/generated/python_variable_methods.cpp:822"),
    ("The use of `x.T` on tensors of dimension other than 2", "aten/src/ATen/native/TensorShape.cpp:4314"),
    ("Tensor.T is deprecated on 0-D tensors", "aten/src/ATen/native/TensorShape.cpp:4321"),
    ("Using torch.cross without specifying the dim arg", "aten/src/ATen/native/Cross.cpp:63"),
    ("Using padding='same' with even kernel lengths", "aten/src/ATen/native/Convolution.cpp:1101"),
    ("The reduce argument of torch.scatter with Tensor src", "aten/src/ATen/native/TensorAdvancedIndexing.cpp:225"),
    ("An output with one or more elements was resized", "aten/src/ATen/native/Resize.cpp:30"),
    ("indexing with dtype torch.uint8 is now deprecated", "aten/src/ATen/native/IndexingUtils.h:37"),
    ("This overload of ", "torch/csrc/utils/python_arg_parser.cpp:1841"),
    ("cov(): degrees of freedom is <= 0", "aten/src/ATen/native/Correlation.cpp:129"),
    ("var(): degrees of freedom is <= 0", "aten/src/ATen/native/ReduceOps.cpp:1861"),
    ("std(): degrees of freedom is <= 0", "aten/src/ATen/native/ReduceOps.cpp:1861"),
    ("var_mean(): degrees of freedom is <= 0", "aten/src/ATen/native/ReduceOps.cpp:1861"),
    ("std_mean(): degrees of freedom is <= 0", "aten/src/ATen/native/ReduceOps.cpp:1861"),
    ("Using backward() with create_graph=True", "torch/csrc/autograd/engine.cpp:1307"),
    ("torch.meshgrid: in an upcoming release", "aten/src/ATen/native/TensorShape.cpp:4215"),
    ("torch.qr is deprecated in favor of torch.linalg.qr", "aten/src/ATen/native/BatchLinearAlgebra.cpp:2505"),
    ("torch.set_default_tensor_type() is deprecated", "torch/csrc/tensor/python_tensor.cpp:434"),
    ("Using a non-tuple sequence for multidimensional indexing",
     "torch/csrc/autograd/python_variable_indexing.cpp:349"),
    ("from is out of bounds [-(2^", "aten/src/ATen/native/DistributionTemplates.h:110"),
    ("to - 1 is out of bounds [-(2^", "aten/src/ATen/native/DistributionTemplates.h:111"))}


# Where torch.nn's own modules are (their forward is PyTorch's Python, not the program's).
_NN_MODULES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nn") + os.sep


def once_per_place(show, source: str | None, filename: str | None = None):
    """A warning sink for a program of text `source` that passes each (text, place) to `show` once,
    as Python shows it when the program is named `filename` (a file's path, <string>, <stdin>).
    source None: the REPL's, whose every input is line 1 of <stdin> (a text shows once a session)."""
    seen = set()
    lines = () if source is None else source.split("\n")

    def warn(message: str):
        found = None if message.startswith(_IN_TORCH_FILES) else _innermost_span()
        if found is None or type(found) is str:     # made in torch's own files (a module's forward: a place each)
            place, key = None, None if message.startswith(_ONCE_PER_RUN) else found
        else:
            place = 1 if source is None else _line(source, found)
            key = None if message.startswith(_ONCE_PER_RUN) else place
        if (message, key) not in seen:
            seen.add((message, key))
            show(shown(message, filename, place, lines))
    return warn


def shown(message: str, filename, line, lines) -> str:
    """Python's formatwarning: `FILE:LINE: Category: text`, then the line's source (of a file only)."""
    text = message + next((end for start, end in _TRIGGERED.items() if message.startswith(start)), "")
    if filename is None or line is None:
        return text
    source = lines[line - 1].strip() if filename[:1] != "<" and line <= len(lines) else ""
    return f"{filename}:{line}: {text}" + (f"\n  {source}" if source else "")


def _innermost_span():
    """The span of the innermost operation of the program on the Python stack, or None; or, when the
    warning is made inside one of torch.nn's own modules (nn.MSELoss()(x, t): its forward, in PyTorch a
    line of torch/nn/modules/), that module's class name."""
    frame = sys._getframe(2)
    while frame is not None:
        code = frame.f_code
        if code.co_name == "forward" and code.co_filename.startswith(_NN_MODULES):
            return type(frame.f_locals.get("self")).__name__
        span = frame_span(frame)
        if span is not None:
            return span
        frame = frame.f_back
    return None


def frame_span(frame):
    """The source span (start, end) of the program's operation a Python frame runs, or None: the closures
    that run a program's operations hold it as `span`."""
    code = frame.f_code
    if "span" in code.co_freevars or "span" in code.co_varnames:
        span = frame.f_locals.get("span")
        if type(span) is tuple and len(span) == 2 and type(span[0]) is int:
            return span
    return None


def _line(source: str, span) -> int | None:
    return None if span is None else source.count("\n", 0, span[0]) + 1
