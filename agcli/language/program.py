"""`agcli run` and `agcli repl`: whole programs, by Python's rules, on agcli's engine.

A program is PyTorch's Python. A syntax error refuses it before anything runs
(as Python does); everything else is decided when its line runs: a name,
attribute, call or import agcli does not know is Python's error there
(NameError, AttributeError, ModuleNotFoundError, ...), which the program may
catch, after all it printed before. Nothing reaches Python's own objects
(`__class__`, `__import__`, files): a program's values are Python's values,
agcli's tensors, and agcli's stand-ins for the rest (program_objects.py).

This module is the entry point (run_program, and value_repr for the REPL's
echo). The parts, lowest first:
- program_runtime (frames, limits, signals), program_objects (a program's
  classes' base, descriptors), program_values (repr, str, type names),
  program_exceptions, program_functions (def, lambda, generators);
- program_iteration, program_operators, program_ordering, program_format,
  program_items ([]), program_modules (import), program_torch_calls,
  program_attributes (.), program_conversions (int(), type(), ...),
  program_classes, program_calls, program_builtins;
- program_scopes (Python's scoping), program_expressions, program_statements,
  program_generators and program_lowering (AST -> closures).
"""
from __future__ import annotations

import re

from . import ast as A
from ..engine.backend import float_errors_ignored
from ..engine.layouts import observe
from ..errors import EXIT_EVAL, AgcliError
from ..state import state
from .program_lowering import ProgramLowering
from .program_runtime import Frame, LimitError, ProgramExit, Runtime, running
from .program_scopes import module_scope
from .program_typing import FUTURE_FEATURES
from .program_values import value_repr
from .syntax import parse

__all__ = ["run_program", "lower_program", "ProgramPlan", "value_repr"]    # what the CLI imports from here

# Statements that give no value for the REPL to echo.
_STATEMENTS = (A.Assign, A.AugAssign, A.AnnAssign, A.Pass, A.Break, A.Continue, A.Return, A.Import, A.ImportFrom,
               A.Delete, A.Global, A.Nonlocal, A.Assert, A.Raise, A.If, A.While, A.For, A.FunctionDef,
               A.ClassDef, A.With, A.Try)


class ProgramExited(AgcliError):
    """exit(code) / raise SystemExit(code): the program's end, as Python takes the code (None: status 0,
    an int: that status, anything else: its text on stderr and status 1). Not an error to frame."""

    def __init__(self, code):
        super().__init__("" if code is None or isinstance(code, int) else str(code), kind="exit")
        self.exit_code = 0 if code is None else code if isinstance(code, int) else EXIT_EVAL


class ProgramPlan:
    """A lowered program: (is a bare expression, closure) for each top-level statement."""

    def __init__(self, steps, source):
        self.steps, self.source = steps, source

    def run(self, frame: Frame, show=None):
        """Run the program in frame; `show(value)` gets each bare expression's value (the REPL)."""
        try:
            for is_expr, step in self.steps:
                value = step(frame)
                if is_expr and show is not None and value is not None:
                    show(value)
        except ProgramExit as e:
            raise ProgramExited(e.code) from None
        except AgcliError as e:
            e.exit_code = getattr(e, "exit_code", EXIT_EVAL) if isinstance(e, LimitError) else EXIT_EVAL
            raise e.at(e.span, self.source)
        except RecursionError:
            raise LimitError("maximum recursion depth exceeded", kind="limit", source=self.source) from None


def lower_program(program: A.Program) -> ProgramPlan:
    """Lower `program` (Python's compile-time errors: before anything runs)."""
    lowering = ProgramLowering(module_scope(program.body, program.source), program.source)
    _check_future_imports(program.body, lowering)
    steps = [(not isinstance(node, _STATEMENTS), lowering.statement(node)) for node in program.body]
    return ProgramPlan(steps, program.source)


def _check_future_imports(body, lowering):
    """Python's compiler's rules for `from __future__ import ...`: first in the file (after a docstring),
    and only features it knows."""
    at_start = True
    for i, node in enumerate(body):
        if type(node) is A.ImportFrom and node.module == "__future__":
            if not at_start:
                raise lowering.error("from __future__ imports must occur at the beginning of the file",
                                     node.span, "syntax")
            for name, _ in (node.names if node.names != "*" else (("*", None),)):
                if name not in FUTURE_FEATURES:
                    raise lowering.error("not a chance" if name == "braces" else
                                         f"future feature {name} is not defined", node.span, "syntax")
        elif not (i == 0 and type(node) is A.String):
            at_start = False


def _readable(source):
    """Python's refusals of a whole source before it is parsed: a NUL, and a byte that is not
    UTF-8 (a Latin-1 'é' as the file holds it, kept by the reader as a lone surrogate), wherever
    they are, in a string or a comment too."""
    found = re.search("[\x00\udc80-\udcff]", source)
    if found is None:
        return
    at, c = found.start(), found.group()
    if source.startswith(("\udcff\udcfe", "\udcfe\udcff")):     # UTF-16's byte-order mark (Windows' "Unicode")
        raise AgcliError("the text is UTF-16, not UTF-8", (0, 1), kind="syntax", source=source,
                         hint="save it as UTF-8 (iconv -f utf-16 -t utf-8 FILE)")
    if c == "\x00":
        raise AgcliError("source code cannot contain null bytes", (at, at + 1), kind="syntax", source=source,
                         hint="a NUL byte is not text: the file may be binary or UTF-16; save it as UTF-8")
    raise AgcliError(f"byte 0x{ord(c) - 0xdc00:02X} is not UTF-8 text", (at, at + 1), kind="syntax", source=source,
                     hint="save the text as UTF-8 (iconv -f latin1 -t utf-8 FILE), or write the character it "
                          "stands for")


def _no_leading_indent(source):
    """Python's IndentationError for a program whose first statement is indented (the parser takes it)."""
    for line in source.split("\n"):
        content = line.strip()
        if content and not content.startswith("#"):
            if line[0] in " \t\f":
                from .syntax_python import python_syntax_error
                raise python_syntax_error(source) or AgcliError("unexpected indent", (0, 1), kind="syntax",
                                                                source=source)
            return


def run_program(source: str, write, *, max_iterations: int = 10**6, env=None, show=None, places=True):
    """Parse, lower and run `source`; print() output goes to `write`. Returns the env (its names).
    places: anomaly mode on when it is lowered (--detect-anomaly) notes where each node is made, so that
    backward's nan error points there; False (the REPL's chunks, lowered after a chunk switched anomaly
    mode on): the error shows at backward(), as for a program that switches it on itself."""
    env = {} if env is None else env
    observe()                       # a program sees its results' layouts (engine/layouts.py)
    _readable(source)
    _no_leading_indent(source)
    try:
        with state.using(detect_anomaly=state.detect_anomaly and places):
            plan = lower_program(parse(source, empty_ok=True))
    except RecursionError:
        raise LimitError("the program is nested too deeply to run", kind="limit", source=source,
                         hint="split deep expressions into statements: t1 = ...; t2 = f(t1); ...") from None
    runtime = Runtime(write, max_iterations)
    with float_errors_ignored(), running(runtime):
        plan.run(Frame(env, env, (), runtime), show=show)
    return env
