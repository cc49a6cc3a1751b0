"""A program's statements -> closures: assignment, if/while/for, def, with,
try/except, break/continue/return, import, del.

Each statement becomes a closure env -> None, so a loop's body is lowered
once and run many times. Misplaced statements (`break` outside a loop,
`return` outside a def, an import of anything but torch) are refused while
lowering, before the program runs.
"""
from __future__ import annotations

from . import ast as A
from ..engine.tensor import Tensor
from ..errors import AgcliError
from ..torchapi import autograd, modes
from .lower import BINOPS, Lowering, as_operand, guard
from .program_names import ALLOWED_MODULES, SETTERS
from . import program_numpy
from .program_numpy import VALUES
from .program_operators import IN_PLACE, PY_ARITHMETIC
from .program_runtime import (NO_DEFAULT, BreakSignal, ContinueSignal, LimitError, ReturnSignal, UserFunction,
                              check_iterations, exception_matches, iterate, iterate_once)
from .program_values import CaughtError


class StatementLowering(Lowering):
    """Lowering, with statements; ProgramLowering adds what names mean in a program."""

    def __init__(self, variables, source):
        super().__init__(variables, source)
        self.loops = 0                    # loop nesting, for break/continue checks
        self.in_function = False

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
                items = list(iterate(v)) if not isinstance(v, (tuple, list)) else v
                if len(items) != len(stores):
                    raise AgcliError(f"cannot unpack {len(items)} values into {len(stores)} names", span,
                                     kind="value")
                for store, item in zip(stores, items):
                    store(env, item)
            return unpack
        if isinstance(target, A.Index):
            obj = self.expr(target.obj)
            keys = [self._subscript(i) for i in target.items]
            put = guard(program_numpy.setitem, target.span)

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
            put = guard(setter, target.name_span)
            return lambda env, v: put(obj(env), v)
        raise self.error("cannot assign to this expression", target.span, "syntax")

    def stmt_AugAssign(self, node):
        current = self.expr(node.target)
        value = self.expr(node.value)
        # x += y on a tensor is in place, as in PyTorch: x stays the same object (a leaf
        # updated under no_grad stays a leaf). x @= y is not (PyTorch has no in-place matmul).
        # x[k] += y is x[k] = x[k] + y here: the store writes it back through x, which
        # records it (CopySlices) as PyTorch's rebased view does.
        in_place = IN_PLACE if not isinstance(node.target, A.Index) else {}
        op = guard(in_place.get(node.op, BINOPS[node.op]), node.op_span)
        store = self.store(node.target)
        with_numpy = guard(program_numpy.arithmetic, node.op_span)     # a NumPy value on either side

        def augassign(env):
            left = current(env)
            right = value(env)
            if isinstance(left, VALUES) or isinstance(right, VALUES):
                store(env, with_numpy(node.op, left, right, op if type(left) is Tensor else BINOPS[node.op],
                                      in_place=True))
                return
            right = as_operand(right)
            if type(left) is Tensor:
                result = op(left, right)
            else:
                result = PY_ARITHMETIC[node.op](left, right)
            store(env, result)
        return augassign

    def stmt_Pass(self, node):
        return lambda env: None

    def stmt_Break(self, node):
        return self._jump(BreakSignal, "'break' outside loop", node)

    def stmt_Continue(self, node):
        return self._jump(ContinueSignal, "'continue' not properly in loop", node)

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
            raise ReturnSignal(None if value is None else value(env))
        return return_

    def stmt_Import(self, node):
        module = node.module if node.name is None else f"{node.module}.{node.name}"
        if module not in ALLOWED_MODULES:
            raise self.error(f"agcli runs programs on its own engine and cannot import '{module}'",
                             node.span, "name",
                             hint="import torch, torch.nn.functional and numpy work; plotting and files "
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
        truth = guard(autograd.truth, node.test.span)

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
        truth = guard(autograd.truth, node.test.span)
        span = node.span

        def while_(env):
            runtime = env["__runtime__"]
            count = 0
            while truth(test(env)):
                count += 1
                check_iterations(runtime, count, span)
                if not iterate_once(body, env):
                    break
        return while_

    def stmt_For(self, node):
        iterable = self.expr(node.iter)
        body = self._loop(node.body)
        targets = node.targets
        items_of = guard(iterate, node.iter.span)
        span = node.span

        def for_(env):
            runtime = env["__runtime__"]
            count = 0
            for item in items_of(iterable(env)):
                count += 1
                check_iterations(runtime, count, span)
                if len(targets) == 1:
                    env[targets[0]] = item
                else:
                    items = tuple(item)
                    if len(items) != len(targets):
                        raise AgcliError(f"cannot unpack {len(items)} values into {len(targets)} names",
                                         span, kind="value")
                    env.update(zip(targets, items))
                if not iterate_once(body, env):
                    break
        return for_

    def stmt_FunctionDef(self, node):
        params = [p for p, _ in node.params]
        defaults = [NO_DEFAULT if d is None else self.expr(d) for _, d in node.params]
        outer = (self.loops, self.in_function)
        self.loops, self.in_function = 0, True
        try:
            body = self.block(node.body)
        finally:
            self.loops, self.in_function = outer
        name = node.name

        def define(env):
            values = [d if d is NO_DEFAULT else d(env) for d in defaults]
            env[name] = UserFunction(name, params, values, body, env)
        return define

    def stmt_With(self, node):
        context = self.expr(node.context)
        body = self.block(node.body)
        alias = node.alias
        span = node.span

        def with_(env):
            manager = context(env)
            if not isinstance(manager, modes.GradModeContext):
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
                    if kind is None or exception_matches(kind(env), e):
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
