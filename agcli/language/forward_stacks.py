"""Anomaly mode's traceback of the forward call (PyTorch's warning "Error detected in MulBackward0.
Traceback of forward call that caused the error:"): the program's stack when each node was made, as
Python's traceback.format_stack writes it, outermost call first.

The engine asks for it when anomaly mode makes a node (engine/tensor.py: FORWARD_STACKS). The stack is
read off Python's: the closures that run a program's operations hold their source span as `span`
(as language/warning_places.py reads a warning's line), and a program's function runs in
UserFunction.__call__, whose frame separates the function's spans from its caller's.
"""
from __future__ import annotations

import sys

from .program_functions import UserFunction
from .warning_places import frame_span

_CALL = UserFunction.__call__.__code__


def stack_of_program(filename: str, source: str | None):
    """The engine's `state.forward_stack` for a program of text `source` named `filename` (a path,
    <string> or <stdin>): a function giving the stack as text, each entry a line ending in a line break.
    source None: the REPL's, whose every input is at line 1 of <stdin> (as its warnings are)."""
    module_lines = () if source is None else source.split("\n")

    def forward_stack() -> str:
        entries = []        # (span, the function's name, its source's lines), innermost first
        span = None
        frame = sys._getframe(1)
        while frame is not None:
            code = frame.f_code
            if code is _CALL:
                function = frame.f_locals.get("self")
                if span is not None and type(function) is UserFunction:
                    entries.append((span, function.name, function.source))
                span = None
            elif span is None:
                span = frame_span(frame)
            frame = frame.f_back
        if span is not None:
            entries.append((span, "<module>", source))
        text = []
        for span, name, text_of in reversed(entries):
            line = 1 if text_of is None else text_of.count("\n", 0, span[0]) + 1
            text.append(f'  File "{filename}", line {line}, in {name}\n')
            if filename[:1] != "<":         # (Python shows a file's line; <string>'s and <stdin>'s it cannot)
                lines = module_lines if text_of is source else text_of.split("\n")
                if line <= len(lines) and lines[line - 1].strip():
                    text.append(f"    {lines[line - 1].strip()}\n")
        return "".join(text)
    return forward_stack
