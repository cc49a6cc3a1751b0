"""One exception type that carries a span, and the exit codes the CLI documents.

Exit codes: 0 success; 1 the input was understood but evaluating it failed
(shape errors, PyTorch's runtime errors, a batch with a failed line);
2 the input was rejected before evaluation (syntax, unknown names, bad
bindings or options).
"""
from __future__ import annotations

EXIT_OK = 0
EXIT_EVAL = 1
EXIT_INPUT = 2


# Kinds of error found before anything is evaluated: exit status 2.
INPUT_KINDS = ("syntax", "name", "call", "binding", "usage")


class AgcliError(Exception):
    """An error in the user's input or its evaluation, with where it happened.

    kind: 'syntax' | 'name' | 'binding' | 'type' | 'shape' | 'runtime' | 'limit'
    span: (start, end) offsets into `source`, or None when no place applies.
    """

    exit_code = EXIT_EVAL
    suggestion = None       # the name Python's report of it suggests (language/suggestions.py)

    def __init__(self, message: str, span=None, *, kind: str = "runtime",
                 hint: str | None = None, source: str | None = None,
                 origin: str | None = None):
        super().__init__(message)
        self.message = message
        self.span = span
        self.kind = kind
        self.hint = hint
        self.source = source
        self.origin = origin  # e.g. "--a" when the error is in a binding's text
        if kind in INPUT_KINDS:
            self.exit_code = EXIT_INPUT

    @property
    def python_type(self) -> str:
        """The Python exception a program's `except` sees (PyTorch raises these)."""
        return _PYTHON_TYPES.get(self.kind, "RuntimeError")

    def at(self, span, source=None):
        """Attach a place if none is known yet (inner code may not know it)."""
        if self.span is None:
            self.span = span
        if self.source is None:
            self.source = source
        return self

    @property
    def line(self) -> int | None:
        if self.span is None or self.source is None:
            return None
        return self.source.count("\n", 0, self.span[0]) + 1

    @property
    def column(self) -> int | None:
        if self.span is None or self.source is None:
            return None
        return self.span[0] - (self.source.rfind("\n", 0, self.span[0]) + 1) + 1

    def context(self) -> tuple[str, str] | None:
        """The source line and a caret line under the span (at most to its end)."""
        if self.span is None or self.source is None:
            return None
        start, end = self.span
        line_start = self.source.rfind("\n", 0, start) + 1
        line_end = self.source.find("\n", start)
        if line_end == -1:
            line_end = len(self.source)
        text = self.source[line_start:line_end]
        # Tabs keep their width in the caret line, and wide characters (中文) take two
        # columns of a terminal, so the caret stays under its column.
        pad = "".join(c if c == "\t" else " " * _cells(c) for c in text[: start - line_start])
        width = max(1, sum(map(_cells, self.source[start:min(end, line_end)])))
        return text, pad + "^" * width

    def to_json(self) -> dict:
        # line/column point into the expression, or into the binding's value
        # when `binding` names one (e.g. "--a").
        return {"kind": self.kind, "message": self.message, "line": self.line, "column": self.column,
                "binding": self.origin, "hint": self.hint}

    def __str__(self) -> str:
        where = f" (line {self.line}, column {self.column})" if self.line else ""
        return self.message + where


def _cells(c: str) -> int:
    """Terminal columns a character takes: 2 for East Asian wide ones, 1 else (ASCII fast)."""
    if c < "\u1100":
        return 1
    import unicodedata
    return 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1


_PYTHON_TYPES = {"assert": "AssertionError", "attribute": "AttributeError", "type": "TypeError", "name": "NameError", "index": "IndexError", "value": "ValueError", "key": "KeyError",
                 "zero": "ZeroDivisionError", "call": "TypeError", "syntax": "SyntaxError",
                 "not_implemented": "NotImplementedError", "overflow": "OverflowError",
                 "linalg": "torch._C._LinAlgError",      # (a RuntimeError: LAPACK's failures, as PyTorch names them)
                 "gradcheck": "torch.autograd.gradcheck.GradcheckError"}     # (a RuntimeError too)


# The kinds of PyTorch's (and Python's) own errors, which an uncaught one shows led by its class.
_RAISED_KINDS = frozenset(("runtime", "shape", "type", "call", "value", "not_implemented", "index", "key", "attribute",
                           "assert", "zero", "overflow", "linalg", "gradcheck"))


def as_uncaught(e: AgcliError) -> AgcliError:
    """e as a program's uncaught exception shows (`agcli run`, the REPL): its message led by its
    Python class, as Python prints it ("RuntimeError: mat1 and mat2 shapes cannot be multiplied
    ..."), and the name Python suggests, if any. agcli's own errors (limits, usage) and those that name their class already are left."""
    if e.kind in _RAISED_KINDS and not e.message.startswith(e.python_type + ":"):
        e.message = f"{e.python_type}: {e.message}"
    if e.suggestion is not None:        # (Python's report adds it, not str(e); once)
        e.message, e.suggestion = f"{e.message}. Did you mean: '{e.suggestion}'?", None
    return e


def detached(e: AgcliError) -> AgcliError:
    """e without its traceback and the exceptions it was raised from, to be kept
    in a result. Those hold the frames that raised it, and a frame holds the
    result: a cycle that keeps a failed line's arrays alive until the cyclic
    collector runs (rarely, in a batch). The message says all a person needs."""
    e.__traceback__ = e.__context__ = e.__cause__ = None
    return e


def internal_error(e: BaseException) -> AgcliError:
    """A bug in agcli, said plainly (the commands show a traceback only with --debug)."""
    return AgcliError(f"internal error: {type(e).__name__}: {e}",
                      hint="this is a bug in agcli; rerun with --debug for a traceback")


# PyTorch's ScalarType names, as its messages print them.
_TORCH_TYPE_NAMES = {"float64": "Double", "float32": "Float", "float16": "Half", "int64": "Long",
                     "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def python_type_name(value) -> str:
    """type(value).__name__ as Python's messages say it: a program's values that stand for a
    Python type (a generator, a function) name it in their class's `type_name`."""
    return getattr(type(value), "type_name", None) or type(value).__name__


def torch_type_name(dtype) -> str:
    """PyTorch's scalar type name in messages: float32 -> Float (any array library's
    spelling of it: numpy's float32, array_api_strict.float32)."""
    name = str(dtype).rpartition(".")[2]
    return _TORCH_TYPE_NAMES.get(name, name)


def did_you_mean(name: str, candidates) -> str | None:
    import difflib
    close = difflib.get_close_matches(name, list(dict.fromkeys(candidates)), n=3, cutoff=0.6)   # (each once)
    if not close:
        return None
    return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
