"""A program's statements -> closures: assignment (unpacking too), if/while/for
(with else), import, del; try, with, raise and assert are program_try.py's.

Each statement becomes a closure frame -> None, so a loop's body is lowered once
and run many times. What Python refuses when it compiles (`break` outside a loop,
`return` outside a def) is refused before the program runs; everything else is
Python's error when the line runs.
"""
from __future__ import annotations

from . import ast as A
from ..engine.tensor import Tensor
from ..errors import AgcliError
from .lower import guard
from .program_attribute_writes import delete_attribute, set_attribute
from .program_attributes import get_attribute
from .program_exceptions import raise_python
from .program_expressions import ProgramExpressions
from .program_items import delitem, getitem, setitem
from .program_iteration import iterate, unpack
from .program_modules import import_name
from .program_stdlib_modules import find_module
from .program_operators import in_place, truth
from .program_runtime import BreakSignal, ContinueSignal, ReturnSignal, check_iterations
from .program_try import ExceptionStatements


class StatementLowering(ExceptionStatements, ProgramExpressions):
    """Statements as a program's (try, with, raise, assert: ExceptionStatements); ProgramLowering
    adds def and class."""

    def __init__(self, scope, source):
        super().__init__(scope, source)
        self.loops = 0                    # loop nesting, for break/continue checks
        self.in_function = scope.kind == "function"

    def block(self, body):
        return [self.statement(s) for s in body]

    def statement(self, node):
        method = getattr(self, "stmt_" + type(node).__name__, None)
        if method is not None:
            return method(node)
        return self.expr(node)

    # -- assignment
    def stmt_Assign(self, node):
        value = self.expr(node.value)
        stores = [self.store(t) for t in node.targets]
        if len(stores) == 1:
            (store,) = stores
            return lambda f: store(f, value(f))

        def assign(f):
            v = value(f)
            for store in stores:
                store(f, v)
        return assign

    def stmt_AnnAssign(self, node):
        if node.value is None:
            return lambda f: None
        return self.stmt_Assign(A.Assign((node.target,), node.value, node.span))

    def store(self, target):
        """A closure (frame, value) -> None that assigns to `target`."""
        kind = type(target)
        if kind is A.Name:
            return self._store_name(target)
        if kind in (A.TupleLit, A.ListLit):
            stars = [i for i, t in enumerate(target.items) if type(t) is A.Starred]
            stores = [self.store(t.value if type(t) is A.Starred else t) for t in target.items]
            split = guard(unpack, target.span)
            count, star = len(stores), (stars[0] if stars else None)

            def unpack_into(f, v):
                for store, item in zip(stores, split(v, count, star)):
                    store(f, item)
            return unpack_into
        if kind is A.Index:
            obj = self.expr(target.obj)
            key = self._key(target)
            put = guard(setitem, target.span)
            return lambda f, v: put(obj(f), key(f), v)
        if kind is A.Attribute:
            obj = self.expr(target.obj)
            name = target.name
            put = guard(set_attribute, target.name_span)
            return lambda f, v: put(obj(f), name, v)
        raise self.error("cannot assign to this expression", target.span, "syntax")

    def _key(self, target):
        keys = [self._subscript(i) for i in target.items]
        if len(keys) == 1:
            return keys[0]
        return lambda f: tuple(k(f) for k in keys)

    def _store_name(self, target):
        name = target.id
        if name in ("True", "False", "None", "__debug__"):
            raise self.error(f"cannot assign to {name}", target.span, "syntax")
        where = self.scope.stored(name)

        # (a tensor made here is shown by this name in agcli's graph of it)
        if where[0] == "global":
            def store_global(f, v):
                if type(v) is Tensor and v.grad_fn is not None and v.name is None:
                    v.name = name
                f.globals[name] = v
            return store_global
        if where[0] == "free":
            index = where[1]

            def store_free(f, v):
                if type(v) is Tensor and v.grad_fn is not None and v.name is None:
                    v.name = name
                f.cells[index][name] = v
            return store_free

        def store_local(f, v):
            if type(v) is Tensor and v.grad_fn is not None and v.name is None:
                v.name = name
            f.vars[name] = v
        return store_local

    def stmt_AugAssign(self, node):
        compute = in_place(node.op)
        op, op_span = guard(compute, node.op_span), node.op_span
        value = self.expr(node.value)
        target = node.target
        if type(target) is A.Name:
            load, store = self.expr(target), self._store_name(target)

            def augment_name(f):
                a, b = load(f), value(f)
                try:
                    result = compute(a, b)
                except AgcliError as e:
                    raise e.at(op_span)
                store(f, result)
            return augment_name
        if type(target) is A.Attribute:
            obj, name = self.expr(target.obj), target.name
            get, put = guard(get_attribute, target.name_span), guard(set_attribute, target.name_span)

            def augment_attribute(f):
                o = obj(f)
                put(o, name, op(get(o, name), value(f)))
            return augment_attribute
        obj, key = self.expr(target.obj), self._key(target)
        get, put = guard(getitem, target.span), guard(setitem, target.span)

        def augment_item(f):
            # Python's x[k] += y: x[k] changes in place (a view: CopySlices), then is stored
            # back into x[k] (for an advanced key, x[k] was a copy: the store writes it)
            o, k = obj(f), key(f)
            put(o, k, op(get(o, k), value(f)))
        return augment_item

    def stmt_Delete(self, node):
        deletes = [self._delete(t) for t in node.targets]

        def delete(f):
            for d in deletes:
                d(f)
        return delete

    def _delete(self, target):
        kind = type(target)
        if kind in (A.TupleLit, A.ListLit):
            deletes = [self._delete(t) for t in target.items]
            return lambda f: [d(f) for d in deletes]
        if kind is A.Index:
            obj, key = self.expr(target.obj), self._key(target)
            remove = guard(delitem, target.span)
            return lambda f: remove(obj(f), key(f))
        if kind is A.Attribute:
            obj, name = self.expr(target.obj), target.name
            remove = guard(delete_attribute, target.name_span)
            return lambda f: remove(obj(f), name)
        name, span = target.id, target.span
        where = self.scope.stored(name)

        def delete_name(f):
            names = f.globals if where[0] == "global" else f.cells[where[1]] if where[0] == "free" else f.vars
            if name not in names:
                raise_python(NameError(f"name '{name}' is not defined"), span)
            del names[name]
        return delete_name

    # -- simple statements
    def stmt_Pass(self, node):
        return lambda f: None

    def stmt_Global(self, node):
        return lambda f: None

    stmt_Nonlocal = stmt_Global

    def stmt_Break(self, node):
        return self._jump(BreakSignal, "'break' outside loop", node)

    def stmt_Continue(self, node):
        return self._jump(ContinueSignal, "'continue' not properly in loop", node)

    def _jump(self, signal, misplaced, node):
        """break/continue: a signal the enclosing loop catches."""
        if not self.loops:
            raise self.error(misplaced, node.span, "syntax")

        def jump(f):
            raise signal()
        return jump

    def stmt_Return(self, node):
        if not self.in_function:
            raise self.error("'return' outside function", node.span, "syntax")
        value = None if node.value is None else self.expr(node.value)

        def return_(f):
            raise ReturnSignal(None if value is None else value(f))
        return return_

    def stmt_Import(self, node):
        imports = []
        for module, alias in node.names:
            imports.append((module, alias or module.split(".")[0], module if alias else module.split(".")[0],
                            self._store_name(A.Name(alias or module.split(".")[0], node.span))))
        find = guard(find_module, node.span)

        def import_(f):
            for module, _, bound, store in imports:
                find(module)                        # import torch.nn: torch.nn must exist, torch is bound
                store(f, find(bound))
        return import_

    def stmt_ImportFrom(self, node):
        find, take = guard(find_module, node.span), guard(import_name, node.span)
        module = node.module
        if node.names == "*":
            if self.scope.kind != "module":
                raise self.error("import * only allowed at module level", node.span, "syntax")
            return lambda f: f.globals.update(find(module).public())
        names = [(name, self._store_name(A.Name(alias or name, node.span))) for name, alias in node.names]

        def import_from(f):
            m = find(module)
            for name, store in names:
                store(f, take(m, name))
        return import_from

    # -- compound statements
    def stmt_If(self, node):
        test = self.expr(node.test)
        body = self.block(node.body)
        orelse = self.block(node.orelse)
        check = guard(truth, node.test.span)

        def if_(f):
            v = test(f)
            for step in (body if v is True or v is not False and check(v) else orelse):
                step(f)
        return if_

    def loop_body(self, body_nodes, block):
        """A loop's body lowered by `block` (self.block, or gen_block when it yields), where
        break and continue may stand."""
        self.loops += 1
        try:
            return block(body_nodes)
        finally:
            self.loops -= 1

    def stmt_While(self, node):
        test = self.expr(node.test)
        body, orelse = self.loop_body(node.body, self.block), self.block(node.orelse)
        check = guard(truth, node.test.span)
        span = node.span

        def while_(f):      # (its body runs inline, as for_'s: a call per iteration slows a tight loop)
            limit = f.runtime.max_iterations
            count = 0
            while check(test(f)):
                count += 1
                if count > limit:
                    check_iterations(f.runtime, count, span)
                try:
                    for step in body:
                        step(f)
                except BreakSignal:
                    return
                except ContinueSignal:
                    pass
            for step in orelse:
                step(f)
        return while_

    def stmt_For(self, node):
        iterable = self.expr(node.iter)
        store = self.store(node.target)
        body, orelse = self.loop_body(node.body, self.block), self.block(node.orelse)
        items_of = guard(iterate, node.iter.span)
        span = node.span

        def for_(f):
            limit = f.runtime.max_iterations
            count = 0
            for item in items_of(iterable(f)):
                count += 1
                if count > limit:
                    check_iterations(f.runtime, count, span)
                store(f, item)
                try:
                    for step in body:
                        step(f)
                except BreakSignal:
                    return
                except ContinueSignal:
                    pass
            for step in orelse:
                step(f)
        return for_
