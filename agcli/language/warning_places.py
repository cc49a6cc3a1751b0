"""PyTorch's warnings in a program, shown as Python's default filter shows them: each
text once per place (the line that made it), so a warning inside a loop shows once.

A warning's place is the line of the innermost operation running when it was
made: the closures that run a program's operations hold their source span as
`span`, so the Python stack says it, and only a warning pays for looking.
Warnings PyTorch makes in its own Python code (torch/autograd/graph.py, its
optimizers, gradcheck) and its C++ TORCH_WARN_ONCE ones have one place each
whoever calls: they show once per run.
"""
from __future__ import annotations

import sys

_ONCE_PER_RUN = tuple(f"UserWarning: {text}" for text in (
    "Using backward() with create_graph=True",              # torch/autograd/graph.py
    "Error detected in ",                                   # (anomaly mode; also graph.py)
    "size_average and reduce args will be deprecated",      # torch/nn/functional.py, modules/loss.py
    "optimizer contains a parameter group with duplicate",  # torch/_compile.py
    "To get the last learning rate computed by the scheduler",     # torch/optim/lr_scheduler.py
    "Input #",                                              # torch/autograd/gradcheck.py
    "Converting a tensor with requires_grad=True to a scalar",     # TORCH_WARN_ONCE
    "The use of `x.T` on tensors of dimension other than 2",       # TORCH_WARN_ONCE
    "Tensor.T is deprecated on 0-D tensors",                       # TORCH_WARN_ONCE
    "Using torch.cross without specifying the dim arg",            # TORCH_WARN_ONCE
    "Using padding='same' with even kernel lengths",               # TORCH_WARN_ONCE
    "The reduce argument of torch.scatter with Tensor src"))       # TORCH_WARN_ONCE


def once_per_place(show, source: str):
    """A warning sink for a program of text `source` that passes each (text, place) to `show` once."""
    seen = set()

    def warn(message: str):
        place = None if message.startswith(_ONCE_PER_RUN) else _line(source, _innermost_span())
        if (message, place) not in seen:
            seen.add((message, place))
            show(message)
    return warn


def _innermost_span():
    """The span of the innermost operation of the program on the Python stack, or None."""
    frame = sys._getframe(2)
    while frame is not None:
        code = frame.f_code
        if "span" in code.co_freevars or "span" in code.co_varnames:
            span = frame.f_locals.get("span")
            if type(span) is tuple and len(span) == 2 and type(span[0]) is int:
                return span
        frame = frame.f_back
    return None


def _line(source: str, span) -> int | None:
    return None if span is None else source.count("\n", 0, span[0]) + 1
