"""A program's AST -> closures: what a program's names mean, and the
expressions programs add to an expression's (print, calls of user functions,
and/or/not, conditional expressions, chained comparisons, f-strings).

Every name a program may bind is found before lowering (so a name used
before its assignment is an error at run time, as in Python, while a name
never assigned is refused at once); modules are resolved through the
program's imports.
"""
from __future__ import annotations

from .. import __version__
from . import ast as A
from ..errors import AgcliError, did_you_mean
from ..torchapi import autograd
from ..torchapi import ndarrays as N
from ..torchapi import namespace
from .calls import PYTORCH_PARAMETER
from .lower import guard
from .program_numpy import ARRAY_METHODS, NUMPY_FUNCTIONS, VALUES, module_attribute
from .program_names import BUILTINS, PROGRAM_FUNCTIONS, QUALIFIED, printer, receiver_tables
from .program_operators import binary_operator, comparison
from .program_runtime import UserFunction
from .program_statements import StatementLowering
from .program_values import EXCEPTIONS, format_field
from .syntax import parse


_NUMBER_FIRST = frozenset(("pow", "remainder", "floor_divide"))
_PYTHON_BUILTINS = frozenset(BUILTINS.values())
_TYPES_AS_VALUES = {"int": int, "float": float, "bool": bool}


class ProgramLowering(StatementLowering):
    """Lowers a whole program: its statements, and names as a program sees them."""

    python_words = True

    def __init__(self, program: A.Program, known=()):
        names, modules = set(known), {}
        _assigned_names(program.body, names, modules)
        reserved = sorted(n for n in names if n.startswith("__"))
        if reserved:    # env['__runtime__'] and Python's own names are not the program's to bind
            raise AgcliError(f"names starting with __ are reserved: {reserved[0]}", kind="syntax",
                             source=program.source)
        super().__init__(set(), program.source)
        self.assigned = names
        self.modules = modules            # alias -> module, from the imports
        self.module_roots = {"torch", "F", "nn"} | set(modules)
        self.functions = {**namespace.FUNCTIONS, **PROGRAM_FUNCTIONS}
        self.methods, self.attributes = receiver_tables()
        self.constants = {**namespace.CONSTANTS, **EXCEPTIONS}
        self.fitting = "function"     # whose call's arguments are checked: a "function", "method" or "builtin"

    def canonical(self, module: str) -> str:
        root, _, rest = module.partition(".")
        root = self.modules.get(root, {"F": "torch.nn.functional", "nn": "torch.nn"}.get(root, root))
        return f"{root}.{rest}" if rest else root

    def function_for(self, module, name):
        if module is not None:
            if self.canonical(module).partition(".")[0] == "numpy":      # np.NAME: NumPy's, never torch's
                return NUMPY_FUNCTIONS.get(name) if self.canonical(module) == "numpy" else None
            qualified = QUALIFIED.get(f"{self.canonical(module)}.{name}")
            if qualified is not None:
                return qualified
            if self.canonical(module) == "torch.Tensor":     # torch.Tensor.tanh(x): a method through the class
                return self.methods.get(name)
            return self.functions.get(name)
        if name == "print":
            return None     # lowered specially: it needs the runtime
        return BUILTINS.get(name) or self.functions.get(name)

    # -- expressions programs add
    def lower_Name(self, node):
        name = node.id
        if name.startswith("__"):
            raise self.error(f"name '{name}' is not defined", node.span,
                             hint="names starting with __ are reserved")
        if name in self.assigned:
            def variable(env):
                try:
                    return env[name]
                except KeyError:
                    raise AgcliError(f"name '{name}' is not defined", node.span, kind="name") from None
            return variable
        if name in self.constants:
            value = self.constants[name]
            return lambda env: value
        if name in _TYPES_AS_VALUES:      # a.astype(int): Python's number types, as NumPy takes them
            value = _TYPES_AS_VALUES[name]
            return lambda env: value
        if name in BUILTINS or name in self.functions or name == "print":
            raise self.error(f"'{name}' is a function: call it, e.g. {name}(x)", node.span)
        raise self.error(f"name '{name}' is not defined", node.span,
                         hint=did_you_mean(name, self.assigned | set(self.constants)))

    def lower_Attribute(self, node):
        module = A.dotted_name(node.obj)
        if self.is_module(module) and self.canonical(module) == "numpy":
            try:
                value = module_attribute(node.name)
            except AgcliError as e:
                raise self.error(e.message, node.name_span, hint=e.hint) from None
            return lambda env: value
        if self.is_module(module) and node.name == "__version__":
            return lambda env: f"{__version__} (agcli)"
        return super().lower_Attribute(node)

    def lower_Call(self, node):
        func = node.func
        if isinstance(func, A.Name) and func.id == "print":
            args = [self.expr(a) for a in node.args]
            kwargs = [(k.name, self.expr(k.value)) for k in node.kwargs]
            for k, _ in kwargs:
                if k not in ("sep", "end", "flush", "file"):
                    raise self.error(f"print() got an unexpected keyword argument '{k}'", node.span, "call")

            def print_(env):
                printer(env["__runtime__"])(*[a(env) for a in args], **{k: v(env) for k, v in kwargs})
            return print_
        if isinstance(func, A.Name) and func.id in self.assigned:
            target = self.expr(func)
            args = [self.expr(a) for a in node.args]
            kwargs = [(k.name, self.expr(k.value)) for k in node.kwargs]
            span = func.span

            def call_value(env):
                fn = target(env)
                if not isinstance(fn, UserFunction):
                    raise AgcliError(f"'{type(fn).__name__}' object is not callable", span, kind="type")
                try:
                    return fn(*[a(env) for a in args], **{k: v(env) for k, v in kwargs})
                except AgcliError as e:
                    raise e.at(span)
            return call_value
        return super().lower_Call(node)

    def tensor_argument(self, closure, node, name, param, position):
        """In a program a list is a list: where PyTorch takes a tensor, PyTorch's TypeError."""
        if param == "operands" or self.fitting == "builtin":    # einsum's words PyTorch's error itself;
            return closure                                      # Python's builtins take any value
        pytorch_name = PYTORCH_PARAMETER.get(param, param)
        # A function's input must be a tensor too (torch.tanh(0.5) is a TypeError), but for
        # the functions PyTorch also takes a number first (torch.pow(2, t)).
        no_number = pytorch_name == "input" and position == 1 and name not in _NUMBER_FIRST
        # A NumPy array is not a tensor either; a NumPy scalar is a number. A method decides
        # when it runs, by its receiver (program_numpy.on_receiver): NumPy's takes arrays.
        function = self.fitting == "function"

        def checked(env):
            value = closure(env)
            if isinstance(value, (list, tuple)) or no_number and isinstance(value, (bool, int, float)) \
                    or function and isinstance(value, VALUES[0] if not no_number else VALUES):
                raise AgcliError(f"{name}(): argument '{pytorch_name}' (position {position}) must be Tensor, "
                                 f"not {N.type_name(value)}", node.span, kind="type",
                                 hint="make it a tensor first: torch.tensor([...])")
            return N.as_number(value) if function else value
        return checked

    def _fit(self, fn, name, is_method, n_args, keywords, span):
        # what tensor_argument, which lowering calls next, checks the arguments of
        self.fitting = "method" if is_method else "builtin" if fn in _PYTHON_BUILTINS else "function"
        try:
            return super()._fit(fn, name, is_method, n_args, keywords, span)
        except AgcliError:
            if is_method and name in ARRAY_METHODS:     # NumPy's method takes it (a.sum(axis=0)); a
                return ()                               # tensor's refuses it when it runs
            raise

    def lower_BoolOp(self, node):
        left, right = self.expr(node.left), self.expr(node.right)
        truth = guard(autograd.truth, node.span)
        if node.op == "and":
            def and_(env):
                v = left(env)
                return right(env) if truth(v) else v
            return and_

        def or_(env):
            v = left(env)
            return v if truth(v) else right(env)
        return or_

    def lower_Not(self, node):
        operand = self.expr(node.operand)
        truth = guard(autograd.truth, node.span)
        return lambda env: not truth(operand(env))

    def lower_IfExp(self, node):
        test, body, orelse = self.expr(node.test), self.expr(node.body), self.expr(node.orelse)
        truth = guard(autograd.truth, node.test.span)
        return lambda env: body(env) if truth(test(env)) else orelse(env)

    def binop_function(self, op):
        # Plain Python numbers and values follow Python: 3 == 3 is True (not
        # tensor(True)), 7 % 3 is 1, 1 / 0 raises ZeroDivisionError.
        return binary_operator(op)

    def lower_Compare(self, node):
        operands = [self.expr(o) for o in node.operands]
        tests = [guard(comparison(op), span) for op, span in zip(node.ops, node.op_spans)]
        truth = autograd.truth

        def compare(env):
            left = operands[0](env)
            result = True
            for test, right in zip(tests, operands[1:]):
                r = right(env)
                result = test(left, r)
                if len(tests) > 1 and not truth(result):
                    return False
                left = r
            return result
        return compare

    def lower_FString(self, node):
        parts = []
        for part in node.parts:
            if isinstance(part, str):
                parts.append((None, part, ""))
                continue
            text, offset, spec = part
            try:
                program = parse(text)
            except AgcliError as e:
                raise AgcliError(e.message, (e.span[0] + offset, e.span[1] + offset) if e.span else None,
                                 kind="syntax", hint=e.hint, source=self.source) from None
            if len(program.body) != 1:
                raise self.error("an f-string field holds one expression", (offset, offset + len(text)),
                                 "syntax")
            parts.append((self.expr(_shift(program.body[0], offset)), None, spec))
        fmt = guard(format_field, node.span)

        def fstring(env):
            return "".join(text if field is None else fmt(field(env), spec) for field, text, spec in parts)
        return fstring


def _assigned_names(body, names: set, modules: dict):
    """Every name a program may bind (assignments, loops, defs, imports, except ... as)."""
    for node in body:
        kind = type(node)
        if kind is A.Assign:
            for t in node.targets:
                _target_names(t, names)
        elif kind is A.AugAssign:
            _target_names(node.target, names)
        elif kind is A.For:
            names.update(node.targets)
            _assigned_names(node.body, names, modules)
        elif kind is A.FunctionDef:
            names.add(node.name)
            names.update(p for p, _ in node.params)
            _assigned_names(node.body, names, modules)
        elif kind is A.Import:
            if node.name is None:
                alias = node.alias or node.module.split(".")[0]
                modules[alias] = node.module if node.alias else node.module.split(".")[0]
            else:
                modules[node.alias or node.name] = f"{node.module}.{node.name}"
        elif kind in (A.If, A.While):
            _assigned_names(node.body, names, modules)
            _assigned_names(getattr(node, "orelse", ()), names, modules)
        elif kind is A.With:
            if node.alias:
                names.add(node.alias)
            _assigned_names(node.body, names, modules)
        elif kind is A.Try:
            _assigned_names(node.body, names, modules)
            for h in node.handlers:
                if h.name:
                    names.add(h.name)
                _assigned_names(h.body, names, modules)
            _assigned_names(node.finalbody, names, modules)


def _target_names(target, names):
    if isinstance(target, A.Name):
        names.add(target.id)
    elif isinstance(target, A.TupleLit):
        for item in target.items:
            _target_names(item, names)


def _shift(node, delta):
    """A copy of an AST with every span moved by delta (f-string fields)."""
    if isinstance(node, tuple):
        return tuple(_shift(n, delta) for n in node)
    if not isinstance(node, A._Record):
        return node
    values = []
    for field in node.__slots__:
        v = getattr(node, field)
        if field.endswith("span") and isinstance(v, tuple) and len(v) == 2 and all(isinstance(i, int) for i in v):
            v = (v[0] + delta, v[1] + delta)
        else:
            v = _shift(v, delta)
        values.append(v)
    return type(node)(*values)
