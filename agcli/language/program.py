"""`agcli run` and `agcli repl`: whole autograd programs, lowered to closures.

A program is PyTorch's Python: assignments, `if`/`while`/`for`, `def`,
`with torch.no_grad():`, `try`/`except`, print(). It is interpreted here,
statement by statement, on agcli's engine; nothing reaches Python's own
objects (`__class__`, `__import__`, files): every name resolves through
agcli's tables. What print() writes goes to `Runtime.write`, which the CLI
provides.
"""
from __future__ import annotations

from .. import __version__
from . import ast as A
from ..torchapi import functions as F
from ..torchapi import namespace as L
from ..torchapi import autograd as T
from ..errors import AgcliError, did_you_mean
from .lower import _guard, _Lowering, _operand
from ..engine.tensor import Tensor

ALLOWED_MODULES = {"torch", "torch.nn", "torch.nn.functional", "torch.autograd", "torch.random"}


class Runtime:
    """Per-run state a program's closures reach through env['__runtime__']."""

    def __init__(self, write, max_iterations: int = 10**6, max_depth: int = 200):
        self.write = write
        self.max_iterations = max_iterations
        self.max_depth = max_depth
        self.depth = 0


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class _Return(Exception):
    def __init__(self, value):
        self.value = value


class LimitError(AgcliError):
    """A loop or recursion past its limit: not catchable by the program."""


# ------------------------------------------------------------- values
class ExceptionType:
    """RuntimeError, Exception, ... as an `except` clause names them."""

    def __init__(self, name, parent=None):
        self.name, self.parent = name, parent

    def matches(self, python_type: str) -> bool:
        return self.name in ("Exception", "BaseException") or self.name == python_type

    def __repr__(self):
        return f"<class '{self.name}'>"


EXCEPTIONS = {name: ExceptionType(name) for name in (
    "Exception", "BaseException", "RuntimeError", "TypeError", "ValueError", "IndexError", "NameError",
    "ZeroDivisionError", "KeyError", "AttributeError", "NotImplementedError", "ArithmeticError")}


class CaughtError:
    """What `except RuntimeError as e` binds: prints as the message, like Python."""

    def __init__(self, error: AgcliError):
        self.error = error

    def __str__(self):
        return self.error.message

    def __repr__(self):
        return f"{self.error.python_type}({self.error.message!r})"


class UserFunction:
    """A `def`: parameters with defaults and a lowered body."""

    def __init__(self, name, params, defaults, body, runtime_env):
        self.name, self.params, self.defaults, self.body = name, params, defaults, body
        self.globals = runtime_env

    def __call__(self, *args, **kwargs):
        if len(args) > len(self.params):
            raise AgcliError(f"{self.name}() takes {len(self.params)} positional arguments but "
                             f"{len(args)} were given", kind="type")
        local = dict(self.globals)     # reads see the program's names; writes stay local
        for name, value in zip(self.params, args):
            local[name] = value
        for name, value in kwargs.items():
            if name not in self.params:
                raise AgcliError(f"{self.name}() got an unexpected keyword argument '{name}'", kind="type")
            if name in local and self.params.index(name) < len(args):
                raise AgcliError(f"{self.name}() got multiple values for argument '{name}'", kind="type")
            local[name] = value
        for name, default in zip(self.params, self.defaults):
            if name not in kwargs and self.params.index(name) >= len(args):
                if default is _NO_DEFAULT:
                    raise AgcliError(f"{self.name}() missing 1 required positional argument: '{name}'",
                                     kind="type")
                local[name] = default
        runtime = local["__runtime__"]
        runtime.depth += 1
        if runtime.depth > runtime.max_depth:
            runtime.depth = 0
            raise LimitError("maximum recursion depth exceeded", kind="limit")
        try:
            for step in self.body:
                step(local)
        except _Return as r:
            return r.value
        finally:
            runtime.depth -= 1
        return None

    def __repr__(self):
        return f"<function {self.name}>"


_NO_DEFAULT = object()


# ------------------------------------------------------------ printing
def value_repr(v) -> str:
    if type(v) is Tensor:
        return repr(v)
    if isinstance(v, F.ValuesIndices):
        return f"torch.return_types.max(\nvalues={value_repr(v[0])},\nindices={value_repr(v[1])})"
    if isinstance(v, tuple) and not isinstance(v, L.Size):
        inner = ", ".join(value_repr(x) for x in v)
        return f"({inner},)" if len(v) == 1 else f"({inner})"
    if isinstance(v, list):
        return "[" + ", ".join(value_repr(x) for x in v) + "]"
    return repr(v)     # numbers, strings, None, torch.Size, dtypes, grad_fns, NumPy arrays


def value_str(v) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, (CaughtError, F.ndarray, F.xp.generic)):    # print(e), print(t.numpy())
        return str(v)
    return value_repr(v)


def _format_field(v, spec: str) -> str:
    # Tensor.__format__: a 0-d tensor formats as its Python number (f"{y}" is "5.0",
    # not "tensor(5.)"); any other tensor is str() with no spec and refuses one.
    if type(v) is Tensor:
        if v.data.ndim == 0:
            v = v.data.item()
        elif spec:
            raise AgcliError("unsupported format string passed to Tensor.__format__", kind="type")
    if not spec:
        return value_str(v)
    try:
        return format(v, spec)
    except (ValueError, TypeError) as e:
        raise AgcliError(str(e), kind="value") from None


# ------------------------------------------------------------ builtins
def _print(runtime):
    def print_(*values, sep=" ", end="\n", flush=False, file=None):
        runtime.write((" " if sep is None else sep).join(value_str(v) for v in values) +
                      ("\n" if end is None else end))
    return print_


def _len(x):
    if type(x) is Tensor:
        if x.data.ndim == 0:
            raise AgcliError("len() of a 0-d tensor", kind="type")
        return x.data.shape[0]
    return len(x)


class _AttributeError(AgcliError):
    """None.zero_(), None.shape: what `except AttributeError` catches, as in Python."""

    @property
    def python_type(self) -> str:
        return "AttributeError"


def _on_receiver(name, fn):
    """fn(receiver, ...), refusing None the way Python does (x.grad.zero_() before any backward)."""
    import functools

    @functools.wraps(fn)
    def method(receiver, *args, **kwargs):
        if receiver is None:
            raise _AttributeError(f"'NoneType' object has no attribute '{name}'", kind="type")
        return fn(receiver, *args, **kwargs)
    return method


_TABLES = []


def _receiver_tables():
    """(methods, attributes) a program's `x.name(...)` and `x.name` use; made once."""
    if not _TABLES:
        _TABLES.append(({n: _on_receiver(n, f) for n, f in {**L.METHODS, **PROGRAM_METHODS}.items()},
                        {n: _on_receiver(n, f) for n, f in {**L.ATTRIBUTES, **PROGRAM_ATTRIBUTES}.items()}))
    return _TABLES[0]


def _number(kind):
    def convert(x=0):
        if type(x) is Tensor:
            if x.data.size != 1:
                raise AgcliError("only one element tensors can be converted to Python scalars", kind="value")
            return kind(T.item(x))
        try:
            return kind(x)
        except (TypeError, ValueError) as e:
            raise AgcliError(str(e), kind="value") from None
    return convert


def _extreme(torch_fn, python_fn):
    def pick(*args, **kwargs):
        if any(type(a) is Tensor for a in args):
            return torch_fn(*args, **kwargs)
        return python_fn(*args, **kwargs)
    return pick


def _abs(x):
    return F.abs(x) if type(x) is Tensor else abs(x)


BUILTINS = {
    "range": range, "len": _len, "float": _number(float), "int": _number(int), "bool": T.truth,
    "str": value_str, "repr": value_repr, "list": list, "tuple": tuple, "enumerate": enumerate, "zip": zip,
    "round": round, "max": _extreme(F.max, max), "min": _extreme(F.min, min), "abs": _abs,
}

PROGRAM_FUNCTIONS = {
    "no_grad": T.no_grad, "enable_grad": T.enable_grad, "set_grad_enabled": T.set_grad_enabled_,
    "is_grad_enabled": T.is_grad_enabled, "manual_seed": T.manual_seed,
}
QUALIFIED = {"torch.autograd.grad": T.autograd_grad, "torch.autograd.backward": T.autograd_backward,
             "torch.random.seed": T.random_seed, "torch.random.manual_seed": T.manual_seed,
             "torch.seed": T.random_seed}

PROGRAM_METHODS = {
    "backward": T.backward, "requires_grad_": T.requires_grad_, "retain_grad": T.retain_grad,
    "zero_": T.zero_, "fill_": T.fill_, "detach_": T.detach_, "tolist": T.tolist,
    "numpy": T.numpy, "add_": T.add_, "sub_": T.sub_, "mul_": T.mul_, "div_": T.div_,
    "name": lambda fn: fn.name if isinstance(fn, T.GradFn) else _no_method(fn, "name"),
}

PROGRAM_ATTRIBUTES = {
    "grad": T.get_grad, "grad_fn": T.grad_fn_of,
    "next_functions": lambda fn: fn.next_functions() if isinstance(fn, T.GradFn) else
    _no_attribute(fn, "next_functions"),
    "device": lambda x: "cpu", "retains_grad": lambda x: bool(getattr(x, "retains_grad", False)),
    "message": str,
}

SETTERS = {"grad": T.set_grad, "requires_grad": T.set_requires_grad, "data": T.set_data}


def _no_method(value, name):
    raise AgcliError(f"'{type(value).__name__}' object has no method '{name}'", kind="type")


def _no_attribute(value, name):
    raise AgcliError(f"'{type(value).__name__}' object has no attribute '{name}'", kind="type")


def _iterate(value):
    """What `for x in value` walks: ranges, lists, tuples, a tensor along dim 0."""
    if type(value) is Tensor:
        if value.data.ndim == 0:
            raise AgcliError("iteration over a 0-d tensor", kind="type")
        return [F.select(value, 0, i) for i in range(value.data.shape[0])]
    if isinstance(value, (range, list, tuple, enumerate, zip, str)):
        return value
    raise AgcliError(f"'{type(value).__name__}' object is not iterable", kind="type")


# ------------------------------------------------------------- lowering
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


class ProgramLowering(_Lowering):
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
        self.functions = {**L.FUNCTIONS, **PROGRAM_FUNCTIONS}
        self.methods, self.attributes = _receiver_tables()
        self.constants = {**L.CONSTANTS, **EXCEPTIONS}
        self.loops = 0                    # loop nesting, for break/continue checks
        self.in_function = False

    def canonical(self, module: str) -> str:
        root, _, rest = module.partition(".")
        root = self.modules.get(root, {"F": "torch.nn.functional", "nn": "torch.nn"}.get(root, root))
        return f"{root}.{rest}" if rest else root

    def function_for(self, module, name):
        if module is not None:
            qualified = QUALIFIED.get(f"{self.canonical(module)}.{name}")
            if qualified is not None:
                return qualified
            return self.functions.get(name)
        if name == "print":
            return None     # lowered specially: it needs the runtime
        return BUILTINS.get(name) or self.functions.get(name)

    # -- statements
    def block(self, body):
        return [self.statement(s) for s in body]

    def statement(self, node):
        method = getattr(self, "stmt_" + type(node).__name__, None)
        if method is not None:
            return method(node)
        return self.expr(node)

    def stmt_Assign(self, node):
        value = self.expr(node.value)
        stores = [self.store(t) for t in node.targets]

        def assign(env):
            v = value(env)
            for store in stores:
                store(env, v)
        return assign

    def store(self, target):
        if isinstance(target, A.Name):
            name = target.id
            if name.startswith("__"):
                raise self.error("names starting with __ are reserved", target.span, "syntax")

            def store_name(env, v):
                if type(v) is Tensor and v.grad_fn is not None and v.name is None:
                    v.name = name
                env[name] = v
            return store_name
        if isinstance(target, A.TupleLit):
            stores = [self.store(t) for t in target.items]
            span = target.span

            def unpack(env, v):
                items = list(_iterate(v)) if not isinstance(v, (tuple, list)) else v
                if len(items) != len(stores):
                    raise AgcliError(f"cannot unpack {len(items)} values into {len(stores)} names", span,
                                     kind="value")
                for store, item in zip(stores, items):
                    store(env, item)
            return unpack
        if isinstance(target, A.Index):
            obj = self.expr(target.obj)
            keys = [self._subscript(i) for i in target.items]
            put = _guard(T.setitem, target.span)

            def store_item(env, v):
                key = keys[0](env) if len(keys) == 1 else tuple(k(env) for k in keys)
                put(obj(env), key, v)
            return store_item
        if isinstance(target, A.Attribute):
            setter = SETTERS.get(target.name)
            if setter is None:
                raise self.error(f"cannot assign to '.{target.name}'", target.name_span, "syntax",
                                 hint="assignable attributes: " + ", ".join(f".{n}" for n in SETTERS))
            obj = self.expr(target.obj)
            put = _guard(setter, target.name_span)
            return lambda env, v: put(obj(env), v)
        raise self.error("cannot assign to this expression", target.span, "syntax")

    def stmt_AugAssign(self, node):
        current = self.expr(node.target)
        value = self.expr(node.value)
        from .lower import _BINOPS
        # x += y on a tensor is in place, as in PyTorch: x stays the same object (a leaf
        # updated under no_grad stays a leaf). x @= y is not (PyTorch has no in-place matmul).
        op = _guard(_IN_PLACE.get(node.op, _BINOPS[node.op]), node.op_span)
        store = self.store(node.target)

        def augassign(env):
            left = current(env)
            right = _operand(value(env))
            if type(left) is Tensor:
                result = op(left, right)
            else:
                result = _PY_ARITHMETIC[node.op](left, right)
            store(env, result)
        return augassign

    def stmt_Pass(self, node):
        return lambda env: None

    def stmt_Break(self, node):
        return self._jump(_Break, "'break' outside loop", node)

    def stmt_Continue(self, node):
        return self._jump(_Continue, "'continue' not properly in loop", node)

    def _jump(self, signal, misplaced, node):
        """break/continue: a signal the enclosing loop catches."""
        if not self.loops:
            raise self.error(misplaced, node.span, "syntax")

        def jump(env):
            raise signal()
        return jump

    def stmt_Return(self, node):
        if not self.in_function:
            raise self.error("'return' outside function", node.span, "syntax")
        value = None if node.value is None else self.expr(node.value)

        def return_(env):
            raise _Return(None if value is None else value(env))
        return return_

    def stmt_Import(self, node):
        module = node.module if node.name is None else f"{node.module}.{node.name}"
        if module not in ALLOWED_MODULES:
            raise self.error(f"agcli runs programs on its own engine and cannot import '{module}'",
                             node.span, "name",
                             hint="import torch and torch.nn.functional work; plotting, numpy and files "
                                  "are outside agcli's scope")
        return lambda env: None

    def stmt_Delete(self, node):
        if not isinstance(node.target, A.Name):
            raise self.error("del takes a name", node.span, "syntax")
        name = node.target.id
        return lambda env: env.pop(name, None)

    def stmt_If(self, node):
        test = self.expr(node.test)
        body = self.block(node.body)
        orelse = self.block(node.orelse)
        truth = _guard(T.truth, node.test.span)

        def if_(env):
            for step in (body if truth(test(env)) else orelse):
                step(env)
        return if_

    def _loop(self, body_nodes):
        self.loops += 1
        try:
            return self.block(body_nodes)
        finally:
            self.loops -= 1

    def stmt_While(self, node):
        test = self.expr(node.test)
        body = self._loop(node.body)
        truth = _guard(T.truth, node.test.span)
        span = node.span

        def while_(env):
            runtime = env["__runtime__"]
            count = 0
            while truth(test(env)):
                count += 1
                _check_iterations(runtime, count, span)
                if not _iterate_once(body, env):
                    break
        return while_

    def stmt_For(self, node):
        iterable = self.expr(node.iter)
        body = self._loop(node.body)
        targets = node.targets
        iterate = _guard(_iterate, node.iter.span)
        span = node.span

        def for_(env):
            runtime = env["__runtime__"]
            count = 0
            for item in iterate(iterable(env)):
                count += 1
                _check_iterations(runtime, count, span)
                if len(targets) == 1:
                    env[targets[0]] = item
                else:
                    items = tuple(item)
                    if len(items) != len(targets):
                        raise AgcliError(f"cannot unpack {len(items)} values into {len(targets)} names",
                                         span, kind="value")
                    env.update(zip(targets, items))
                if not _iterate_once(body, env):
                    break
        return for_

    def stmt_FunctionDef(self, node):
        params = [p for p, _ in node.params]
        defaults = [_NO_DEFAULT if d is None else self.expr(d) for _, d in node.params]
        outer = (self.loops, self.in_function)
        self.loops, self.in_function = 0, True
        try:
            body = self.block(node.body)
        finally:
            self.loops, self.in_function = outer
        name = node.name

        def define(env):
            values = [d if d is _NO_DEFAULT else d(env) for d in defaults]
            env[name] = UserFunction(name, params, values, body, env)
        return define

    def stmt_With(self, node):
        context = self.expr(node.context)
        body = self.block(node.body)
        alias = node.alias
        span = node.span

        def with_(env):
            manager = context(env)
            if not isinstance(manager, T.GradModeContext):
                raise AgcliError("with takes torch.no_grad(), torch.enable_grad() or "
                                 "torch.set_grad_enabled(flag)", span, kind="type")
            manager.__enter__()
            try:
                if alias:
                    env[alias] = manager
                for step in body:
                    step(env)
            finally:
                manager.__exit__(None, None, None)
        return with_

    def stmt_Try(self, node):
        body = self.block(node.body)
        handlers = [(None if h.type is None else self.expr(h.type), h.name, self.block(h.body))
                    for h in node.handlers]
        final = self.block(node.finalbody)

        def try_(env):
            try:
                for step in body:
                    step(env)
            except LimitError:
                raise
            except AgcliError as e:
                if e.source is None:
                    e.source = self.source
                for kind, name, handler in handlers:
                    if kind is None or _matches(kind(env), e):
                        if name:
                            env[name] = CaughtError(e)
                        for step in handler:
                            step(env)
                        break
                else:
                    raise
            finally:
                for step in final:
                    step(env)
        return try_

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
        if name in BUILTINS or name in self.functions or name == "print":
            raise self.error(f"'{name}' is a function: call it, e.g. {name}(x)", node.span)
        raise self.error(f"name '{name}' is not defined", node.span,
                         hint=did_you_mean(name, self.assigned | set(self.constants)))

    def lower_Attribute(self, node):
        module = A.dotted_name(node.obj)
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
                _print(env["__runtime__"])(*[a(env) for a in args], **{k: v(env) for k, v in kwargs})
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

    def lower_BoolOp(self, node):
        left, right = self.expr(node.left), self.expr(node.right)
        truth = _guard(T.truth, node.span)
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
        truth = _guard(T.truth, node.span)
        return lambda env: not truth(operand(env))

    def lower_IfExp(self, node):
        test, body, orelse = self.expr(node.test), self.expr(node.body), self.expr(node.orelse)
        truth = _guard(T.truth, node.test.span)
        return lambda env: body(env) if truth(test(env)) else orelse(env)

    def binop_function(self, op):
        # Plain Python numbers and values follow Python: 3 == 3 is True (not
        # tensor(True)), 7 % 3 is 1, 1 / 0 raises ZeroDivisionError.
        from .lower import _COMPARES
        return _comparison(op) if op in _COMPARES else _arithmetic(op)

    def lower_Compare(self, node):
        operands = [self.expr(o) for o in node.operands]
        tests = [_guard(_comparison(op), span) for op, span in zip(node.ops, node.op_spans)]
        truth = T.truth

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
        from .syntax import parse
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
        fmt = _guard(_format_field, node.span)

        def fstring(env):
            return "".join(text if field is None else fmt(field(env), spec) for field, text, spec in parts)
        return fstring


_IN_PLACE = {"+": T.add_, "-": T.sub_, "*": T.mul_, "/": T.div_, "**": T.pow_, "%": T.remainder_}
_PY_ARITHMETIC = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
                  "/": lambda a, b: a / b, "**": lambda a, b: a ** b, "%": lambda a, b: a % b,
                  "//": lambda a, b: a // b,
                  "@": lambda a, b: F.matmul(a, b)}


_PLAIN = (int, float, bool)


def _arithmetic(op):
    from .lower import _BINOPS
    on_tensors = _BINOPS[op]
    on_numbers = _PY_ARITHMETIC[op]

    def arithmetic(a, b):
        if type(a) in _PLAIN and type(b) in _PLAIN and op != "@":
            try:
                return on_numbers(a, b)
            except ZeroDivisionError as e:
                raise AgcliError(str(e), kind="zero") from None
            except OverflowError as e:
                raise AgcliError(str(e.args[-1] if e.args else e), kind="value") from None
        return on_tensors(_operand(a), _operand(b))
    return arithmetic


def _check_iterations(runtime, count, span):
    if count > runtime.max_iterations:
        raise LimitError(f"the loop ran past {runtime.max_iterations:,} iterations", span,
                         kind="limit", hint="raise the limit with --max-iterations N")


def _iterate_once(body, env) -> bool:
    """Run a loop's body once; False when it breaks out."""
    try:
        for step in body:
            step(env)
    except _Break:
        return False
    except _Continue:
        pass
    return True


def _comparison(op):
    if op == "is":
        return lambda a, b: a is b
    if op == "is not":
        return lambda a, b: a is not b
    if op in ("in", "not in"):
        def contains(a, b):
            if type(b) is Tensor:
                found = bool((F.data(b) == F.data(a)).any())
            else:
                found = any(x is a or (type(x) is not Tensor and x == a) for x in b)
            return found if op == "in" else not found
        return contains
    from .lower import _COMPARES, _compare
    on_tensors = _compare(_COMPARES[op])
    on_values = _PY_COMPARES[op]

    def compare(a, b):
        # Plain values compare as Python does (3 == 3 is True, not tensor(True);
        # x.dtype == torch.float32 works); a tensor on either side gives a tensor.
        if type(a) is Tensor or type(b) is Tensor:
            return on_tensors(_operand(a), _operand(b))
        try:
            return on_values(a, b)
        except TypeError as e:
            raise AgcliError(str(e), kind="type") from None
    return compare


_PY_COMPARES = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
                ">=": lambda a, b: a >= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}


def _matches(kind, error: AgcliError) -> bool:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    for k in kinds:
        if not isinstance(k, ExceptionType):
            raise AgcliError("catching classes that do not inherit from BaseException is not allowed",
                             kind="type")
        if k.matches(error.python_type):
            return True
    return False


# ---------------------------------------------------------------- running
class ProgramPlan:
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
    lowering = ProgramLowering(program, known)
    steps = []
    for node in program.body:
        is_expr = not isinstance(node, (A.Assign, A.AugAssign, A.Pass, A.Break, A.Continue, A.Return,
                                        A.Import, A.Delete, A.If, A.While, A.For, A.FunctionDef, A.With,
                                        A.Try))
        steps.append((is_expr, lowering.statement(node)))
    return ProgramPlan(steps, program.source)


def run_program(source: str, write, *, max_iterations: int = 10**6, env=None, show=None):
    """Parse, lower and run `source`; print() output goes to `write`. Returns the env."""
    from .syntax import parse
    env = {} if env is None else env
    env.setdefault("__runtime__", Runtime(write, max_iterations))
    try:
        plan = lower_program(parse(source), known=[k for k in env if not k.startswith("__")])
    except RecursionError:
        raise LimitError("the program is nested too deeply to run", kind="limit", source=source,
                         hint="split deep expressions into statements: t1 = ...; t2 = f(t1); ...") from None
    from ..engine.backend import xp
    with xp.errstate(all="ignore"):
        plan.run(env, show=show)
    return env
