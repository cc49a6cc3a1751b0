"""`agcli run` and `agcli repl`: whole autograd programs, lowered to closures.

A program is PyTorch's Python: assignments, `if`/`while`/`for`, `def`,
`with torch.no_grad():`, `try`/`except`, print(). It is interpreted here,
statement by statement, on agcli's engine; nothing reaches Python's own
objects (`__class__`, `__import__`, files): every name resolves through
agcli's tables (program_names.py, torchapi.namespace). What print() writes
goes to `Runtime.write`, which the CLI provides.

This module is the entry point (run_program, and value_repr for the REPL's
echo); the parts are program_lowering.py and program_statements.py (AST ->
closures), program_runtime.py (what the closures need while running),
program_operators.py, program_names.py and program_values.py.
"""
from __future__ import annotations

from . import ast as A
from ..engine.backend import float_errors_ignored
from ..errors import AgcliError
from .program_lowering import ProgramLowering
from .program_runtime import LimitError, Runtime
from .program_values import value_repr
from .syntax import parse

__all__ = ["run_program", "lower_program", "ProgramPlan", "value_repr"]    # what the CLI imports from here

# Statements that give no value for the REPL to echo.
_STATEMENTS = (A.Assign, A.AugAssign, A.Pass, A.Break, A.Continue, A.Return, A.Import, A.Delete, A.If, A.While,
               A.For, A.FunctionDef, A.With, A.Try)


class ProgramPlan:
    """A lowered program: (is a bare expression, closure) for each top-level statement."""

    def __init__(self, steps, source):
        self.steps, self.source = steps, source

    def run(self, env: dict, show=None):
        """Run the program in env; `show(value)` gets each bare expression's value (the REPL)."""
        try:
            for is_expr, step in self.steps:
                value = step(env)
                if is_expr and show is not None and value is not None:
                    show(value)
        except AgcliError as e:
            raise e.at(e.span, self.source)
        except RecursionError:
            raise LimitError("maximum recursion depth exceeded", kind="limit", source=self.source) from None


def lower_program(program: A.Program, known=()) -> ProgramPlan:
    """Lower `program`; `known` are names already bound (the REPL's earlier chunks)."""
    lowering = ProgramLowering(program, known)
    steps = [(not isinstance(node, _STATEMENTS), lowering.statement(node)) for node in program.body]
    return ProgramPlan(steps, program.source)


def run_program(source: str, write, *, max_iterations: int = 10**6, env=None, show=None):
    """Parse, lower and run `source`; print() output goes to `write`. Returns the env."""
    env = {} if env is None else env
    env.setdefault("__runtime__", Runtime(write, max_iterations))
    try:
        plan = lower_program(parse(source), known=[k for k in env if not k.startswith("__")])
    except RecursionError:
        raise LimitError("the program is nested too deeply to run", kind="limit", source=source,
                         hint="split deep expressions into statements: t1 = ...; t2 = f(t1); ...") from None
    with float_errors_ignored():
        plan.run(env, show=show)
    return env
