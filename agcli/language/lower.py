"""AST -> a Plan: the program lowered to closures, names resolved once.

Lowering does everything that does not depend on the bound values: it checks
every name, finds each function, method and attribute, and checks call
arguments against the function's signature. Running the plan with new
bindings then only computes, so a batch that repeats an expression lowers it
once. Every closure that can fail puts its span on the error.
"""
from __future__ import annotations

import re
from operator import itemgetter

from . import ast as A
from .literal_arguments import KNOWABLE, refused, when_run
from .calls import calls_that_fit, mismatch, pytorch_keywords, signature, tensor_argument, tensor_parameters
from ..torchapi import creation as C
from ..torchapi import functions
from ..errors import AgcliError
from ..engine.tensor import Tensor
from .anomaly_places import noting_fn
from .names import Table, dim_required, namespace
from .subscripts import getitem, getitem_in_expression, index_int, index_value
from .unknown_names import attribute_hint, declare_all_names, function_hint, method_hint, module_has, variable_hint
from .replay_safety import replayable
from ..state import state
from .closures import CAUGHT, as_is, as_operand, attribute_of, binop, call_closure, chain, constant, failed, variable
from .closures import BINOPS, COMPARES, OPERATORS, _wrap, tensor_comparison  # noqa: F401 (imported from here)
from .closures import guard, lowerers_of


class Plan:
    """A lowered program. `run(env)` executes it and returns the last value."""

    __slots__ = ("steps", "source", "tree", "replayable", "unused")

    def __init__(self, steps, source, tree=None, unused=()):
        self.steps = steps          # closures env -> value, one per statement
        self.source = source
        self.tree = tree            # the AST, until may_replay() has looked at it
        self.replayable = None      # may a recording of it be replayed? None: not asked yet
        self.unused = unused        # the bound names it never reads (a typo of an option, often)

    def may_replay(self) -> bool:
        """May a recording of this plan be replayed on new values (see replay_safety.py)?

        Decided on the first ask, which a batch makes on a line's second sight:
        most lines are seen once, and they pay nothing for it."""
        if self.replayable is None:
            self.replayable = replayable(self.tree)
            self.tree = None
        return self.replayable

    def run(self, env: dict):
        value = None
        try:
            for step in self.steps:
                value = step(env)
        except AgcliError as e:
            raise e.at(e.span, self.source)
        return value


def lower(program: A.Program, variables) -> Plan:
    """Lower `program`, whose free names must be among `variables`."""
    lowering = Lowering(set(variables), program.source)
    body = program.body
    steps = [lowering.statement(body[0])] if len(body) == 1 else [lowering.statement(s) for s in body]
    unused = lowering.variables - lowering.read
    return Plan(steps, program.source, program, tuple(sorted(unused)) if unused else ())


# What Python calls the syntax an expression does not take (an error names it so).
_IN_WORDS = {"AnnAssign": "an annotated assignment (name: value)", "Lambda": "a lambda",
             "IfExp": "a conditional expression (a if c else b)", "Comprehension": "a comprehension",
             "Import": "import", "ImportFrom": "import", "Yield": "yield", "AugAssign": "an augmented assignment (+=)",
             "FString": "an f-string", "DictLit": "a dict", "SetLit": "a set", "Starred": "* unpacking",
             "Compare": "a chained comparison (0 < x < 2: write (0 < x) & (x < 2))",
             "BoolOp": "`and`/`or` (on masks write & and |)", "Not": "`not` (on a mask write ~)"}

_DIM_REQUIRED = ("softmax", "log_softmax")     # (torch.softmax(x), x.softmax(): dim has no default)


class Lowering:
    """An expression's AST -> closures; `agcli run`'s ProgramLowering extends it to programs."""

    python_words = False    # errors on Python values in Python's words (programs), or agcli's
    # Each class's lower_X function per AST node type X (see lowerers_of): finding it by
    # name costs more than most lower_X do.
    lowerers: dict = {}
    # What lower_Call decided for a call without keywords, by (name, kind, argument count):
    # (the function, the arguments that bind tensor parameters, how its result is wrapped).
    known_calls: dict = {}
    # What names can mean (read, never changed: class attributes, not stores a line).
    functions = Table()
    methods = Table()
    attributes = Table()
    constants = Table()
    modules = Table()
    module_roots = frozenset(("torch", "F"))

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.lowerers = lowerers_of(cls)
        cls.known_calls = {}

    def __init__(self, variables, source):
        self.variables = variables    # names bound from outside
        self.read = set()             # the names of those that the expression reads
        self.assigned = set()         # names assigned so far, in program order
        self.source = source
        # Under anomaly mode the closures note where each node was made (anomaly_places.py).
        self.anomaly = state.detect_anomaly
        self.lowerers = type(self).lowerers     # (read from the instance: Python finds it faster there)

    def is_module(self, dotted: str | None) -> bool:
        """Does `dotted` (e.g. 'torch.nn.functional') name a module rather than a value?"""
        if dotted is None:
            return False
        root = dotted.split(".")[0]
        return (dotted in self.modules or root in self.module_roots) and \
            root not in self.variables and root not in self.assigned

    def error(self, message, span, kind="name", hint=None):
        return AgcliError(message, span, kind=kind, hint=hint, source=self.source)

    # -- statements
    def statement(self, node):
        if isinstance(node, A.Assign):
            if len(node.targets) != 1 or not isinstance(node.targets[0], A.Name):
                raise self.error("an expression assigns only to names (use `agcli run` for programs)",
                                 node.targets[0].span, "syntax")
            value = self.expr(node.value)
            target = node.targets[0].id
            self.assigned.add(target)

            def assign(env):
                v = value(env)
                if type(v) is Tensor and v.grad_fn is not None and v.name is None:
                    v.name = target
                env[target] = v
                return v
            return assign
        return self.lowerers[type(node)](self, node)       # (self.expr(node), spelled out)

    # -- expressions
    def expr(self, node):
        return self.lowerers[type(node)](self, node)

    def not_allowed(self, node):
        """The lower_X of a node type X that this class does not lower."""
        name = type(node).__name__
        what = _IN_WORDS.get(name) or re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()
        raise self.error(f"{what} is not allowed in an expression", node.span, "syntax",
                         hint="an expression takes arithmetic, calls, indexing and assignments (y = x * 2; "
                              "y.sum()); a Python program runs with `agcli run`")

    def lower_Number(self, node):
        return constant(node.value)

    def lower_String(self, node):
        return constant(node.value)

    def lower_Name(self, node):
        name = node.id
        if name in self.variables or name in self.assigned:
            # A binding always wins over a constant (the seeds name a variable `e`).
            self.read.add(name)     # (a bound name is in env whenever the plan runs: read in C)
            return itemgetter(name) if name in self.variables else variable(name, node.span)
        if name in self.constants:
            return constant(self.constants[name])
        declare_all_names()
        if name in self.functions:
            raise self.error(f"'{name}' is a function: call it, e.g. {name}(x)", node.span)
        hint = variable_hint(name, self.variables | self.assigned | set(namespace().CONSTANTS))
        raise self.error(f"unbound variable '{name}'", node.span, hint=hint)

    def lower_ListLit(self, node):
        items = [self.expr(i) for i in node.items]
        return lambda env: [item(env) for item in items]

    def lower_TupleLit(self, node):
        items = [self.expr(i) for i in node.items]
        return lambda env: tuple(item(env) for item in items)

    def lower_Unary(self, node):
        operand = self.lowerers[type(node.operand)](self, node.operand)      # (self.expr(...), spelled out)
        if node.op == "+":
            return lambda env: as_operand(operand(env))
        if node.op == "~":
            invert = guard(functions.invert, node.span)
            return lambda env: invert(as_operand(operand(env)))
        neg, span = noting_fn(functions.neg, node.span), node.span

        def negate(env, operand=operand, neg=neg, span=span):     # (see closures.py)
            v = as_operand(operand(env))
            if type(v) is not Tensor:
                return -v
            try:
                return neg(v)
            except CAUGHT as e:
                failed(e, span)
        return negate

    def lower_BinOp(self, node):
        if type(node.left) is not A.BinOp:      # one operator (most are): self.expr(...), spelled out
            lowerers, left, right = self.lowerers, node.left, node.right
            return binop(lowerers[type(left)](self, left), OPERATORS[node.op] if not self.anomaly else
                         self.operator(node), lowerers[type(right)](self, right), node.op_span)
        # A left-leaning chain (a * b * c * ...) is lowered as a loop, not by recursion,
        # so a long one cannot exhaust Python's stack.
        spine = []
        while type(node) is A.BinOp:
            spine.append(node)
            node = node.left
        first = self.expr(node)
        lowerers, anomaly = self.lowerers, self.anomaly     # (self.operator(b), self.expr(b.right), spelled out)
        return chain(first, [(OPERATORS[b.op] if not anomaly else self.operator(b),
                              lowerers[type(b.right)](self, b.right), b.op_span) for b in reversed(spine)])

    def operator(self, node):
        """What the BinOp `node` calls with its two operands."""
        fn = OPERATORS[node.op]
        return noting_fn(fn, node.op_span) if self.anomaly else fn

    def lower_Attribute(self, node):
        module = A.dotted_name(node.obj)
        if self.is_module(module):
            if node.name in namespace().MODULE_ATTRIBUTES:
                value = namespace().MODULE_ATTRIBUTES[node.name]
                return lambda env: value
            raise self.error(f"unknown attribute '{module}.{node.name}'", node.name_span,
                             hint=attribute_hint(node.name, module, namespace().MODULE_ATTRIBUTES))
        getter = self.attributes.get(node.name)
        if getter is None and declare_all_names():      # (a rarer group's field: .Q, .eigenvalues, ...)
            getter = self.attributes.get(node.name)
        if getter is None:
            declare_all_names()        # (for the hint: the methods of that name)
            raise self.error(f"unknown attribute '.{node.name}'", node.name_span,
                             hint=attribute_hint(node.name, None, self.attributes, self.methods))
        obj = self.lowerers[type(node.obj)](self, node.obj)      # (self.expr(...), spelled out)
        get = guard(attribute_of(getter, node.name), node.name_span)
        return lambda env: get(as_operand(obj(env)))

    def lower_Call(self, node):     # (its errors PyTorch's argument parser's where it refuses the call)
        try:
            func = node.func
            if type(func) is A.Name:        # f(...): self.callee(node), spelled out for the commonest
                name, kind, span, obj, module = func.id, "function", func.span, None, None
            else:
                name, kind, span, obj, module = self.callee(node)
            # Most calls have no keywords and a shape (name, kind, argument count, module) lowered before.
            known = None if node.kwargs else self.known_calls.get((name, kind, len(node.args), module))
            if known is None:
                closure = self.new_call(node, name, kind, span, obj, module)
            else:
                target, fitted, wrap = known
                lowerers = self.lowerers        # (self.expr(...), spelled out: a call of its own each)
                receiver = None if obj is None else lowerers[type(obj)](self, obj)
                nodes = node.args       # (f(x) and x.f(), the commonest, without a comprehension's frame)
                args = [lowerers[type(a)](self, a) for a in nodes] if len(nodes) > 1 else \
                    [lowerers[type(nodes[0])](self, nodes[0])] if nodes else []
                if fitted:
                    self.tensor_arguments(fitted, node.args, args, (), (), name)
                closure = call_closure(noting_fn(target, span) if self.anomaly else target, span, args, (), receiver,
                                       name, wrap)
        except AgcliError as e:
            raise refused(self, node, e) from None
        literal = node.kwargs       # (a literal's or a keyword's type PyTorch's parser may refuse when run)
        for a in node.args:
            if type(a) is not A.Name:
                if type(a) not in KNOWABLE:
                    return closure
                literal = True
        return when_run(self, node, closure) if literal else closure

    def new_call(self, node, name, kind, span, obj, module):
        """lower_Call for a call of a shape not lowered before, or with keywords: finds the
        function and fits its signature, with every error worded; keeps what it decided
        for a call without keywords (known_calls: the namespace it reads never changes)."""
        target = self.function(name, kind, span, module)
        receiver = None if obj is None else self.expr(obj)
        args = list(map(self.expr, node.args))
        keywords, kwargs = self.keyword_arguments(target, name, node.kwargs) if node.kwargs else ((), ())
        is_method, n = receiver is not None, len(args)
        fitted = self._fit(target, name, is_method, n, keywords, span)
        if fitted:
            self.tensor_arguments(fitted, node.args, args, keywords, kwargs, name)
        # NumPy's functions and methods (x.numpy() too) hand out NumPy values; any other raw array becomes a tensor.
        wrap = _wrap if not getattr(target, "gives_numpy", False) else as_is
        if not keywords:
            self.known_calls[name, kind, n, module] = (target, fitted, wrap)    # (torch.svd: not torch.linalg.svd)
        return call_closure(noting_fn(target, span) if self.anomaly else target, span, args, kwargs, receiver, name,
                            wrap)

    def callee(self, node):
        """(the name a call calls, its kind: "method", "function" or "Tensor" (torch.Tensor.NAME),
        its span, the receiver's node for a method (else None), the module it is named in)."""
        func = node.func
        if type(func) is A.Name:
            return func.id, "function", func.span, None, None
        if type(func) is not A.Attribute:
            raise self.error("only functions and methods can be called", node.span, "call")
        obj = func.obj
        module = obj.id if type(obj) is A.Name else A.dotted_name(obj)     # (torch.sin(x), x.sum(): a name)
        if module is None or not self.is_module(module):
            return func.name, "method", func.name_span, obj, module
        return func.name, "Tensor" if module == "torch.Tensor" else "function", func.name_span, None, module

    def function(self, name, kind, span, module):
        """The function or method a call calls (see callee), or the error that there is none."""
        method = kind == "method" or module == "torch" and name in _DIM_REQUIRED
        target = self.find_function(name, kind, module, method)
        if target is None and declare_all_names():      # (a rarer name, declared now)
            target = self.find_function(name, kind, module, method)
        if method and target is None:
            raise self.error(f"unknown method '.{name}()'", span, hint=method_hint(name, module, self.methods,
                                                                                   self.attributes))
        if not method and (target is None or name[0] == "_"):
            if module is None and (name in self.variables or name in self.assigned):
                raise self.error(f"'{name}' is a variable, not a function", span, "call")
            what = f"{module}.{name}" if module else name
            raise self.error(f"unknown function '{what}'", span, hint=function_hint(name, module, self.functions))
        return target

    def find_function(self, name, kind, module, method):
        if method:
            return self.methods.get(name) if name not in _DIM_REQUIRED else dim_required(name)
        target = namespace().LINALG.get(name) if module == "torch.linalg" else \
            namespace().SPECIAL.get(name) if module == "torch.special" else \
            namespace().TORCH_ONLY.get(name) if module == "torch" else None     # (torch.batch_norm's own arguments)
        if target is None:
            target = (self.methods if kind == "Tensor" else self.functions).get(name)
            if module is not None and kind == "function" and not module_has(module, name):
                return None       # (agcli's one table of functions: F.exp is not PyTorch's)
        return target

    def keyword_arguments(self, target, name, keywords):
        """(the keywords, with PyTorch's names: x.sum(axis=0) is x.sum(dim=0); their (name, closure)s)."""
        keywords = pytorch_keywords(target, name, keywords)
        return keywords, [(k.name, self.expr(k.value)) for k in keywords]

    def tensor_arguments(self, fitted, nodes, args, keywords, kwargs, name):
        """The arguments that bind tensor parameters (`fitted`: see _fit), checked where
        they run (calls.tensor_argument): in an expression a list literal there is a tensor
        literal, as in arithmetic (softmax([[1., 2.]], -1)); a number is PyTorch's TypeError
        where PyTorch takes none (torch.sin(2.)). A binding is always a tensor."""
        n = len(args)
        for i, param in fitted:
            node = nodes[i] if i < n else keywords[i - n].value
            if type(node) is A.Name and node.id in self.variables:
                continue
            if i < n:
                args[i] = tensor_argument(args[i], node, name, param, i + 1)
            else:       # (a keyword's error names no position)
                kwargs[i - n] = (kwargs[i - n][0], tensor_argument(kwargs[i - n][1], node, name, param, None))

    def _fit(self, fn, name, is_method, n_args, keywords, span):
        """Check a call against the function's signature (once per shape of call:
        binding a signature costs more than the rest of lowering); returns the
        arguments that bind tensor parameters, as calls.tensor_parameters."""
        key = (fn, is_method, n_args, tuple([k.name for k in keywords]) if keywords else ())
        fitted = calls_that_fit.get(key)
        if fitted is not None:
            return fitted
        try:
            sig = signature(fn)
        except (TypeError, ValueError):
            return ()
        try:
            sig.bind(*([None] * (n_args + is_method)), **{k.name: None for k in keywords})
            fitted = calls_that_fit[key] = tensor_parameters(fn, is_method, n_args, keywords)
            return fitted
        except TypeError as e:
            for k in keywords:   # put the caret under the keyword that is wrong, if one is
                if f"'{k.name}'" in str(e):
                    span = (k.span[0], k.span[0] + len(k.name))
            message, hint = mismatch(sig, name, is_method, n_args, e, keywords)
            raise self.error(message, span, "call", hint=hint) from None

    def lower_Index(self, node):
        obj = self.expr(node.obj)
        keys = [self._subscript(i) for i in node.items]
        get = guard(getitem if self.python_words else getitem_in_expression, node.span)
        if len(keys) == 1:
            (k0,) = keys
            return lambda env: get(obj(env), k0(env))
        return lambda env: get(obj(env), tuple(k(env) for k in keys))

    def _subscript(self, node):
        if isinstance(node, A.EllipsisLit):
            return lambda env: Ellipsis
        if isinstance(node, A.Slice):
            parts = [None if p is None else self.expr(p) for p in (node.start, node.stop, node.step)]
            return lambda env: slice(*(None if p is None else index_int(p(env)) for p in parts))
        value = self.expr(node)
        return lambda env: index_value(value(env))


Lowering.lowerers = lowerers_of(Lowering)
