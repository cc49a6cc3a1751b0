"""Python's `operator` in programs: each function is what the program's own operator does (so
operator.add of two tensors is PyTorch's add, of two lists Python's concatenation, and a program's
class answers by its special methods), and itemgetter, attrgetter and methodcaller read through
agcli's subscripts and attributes (sorted(pairs, key=operator.itemgetter(1)))."""
from __future__ import annotations

from .program_exceptions import raise_python
from .program_objects import Builtin
from .program_values import value_repr

_ARITHMETIC = {"add": "+", "sub": "-", "mul": "*", "truediv": "/", "floordiv": "//", "mod": "%", "pow": "**",
               "matmul": "@", "and_": "&", "or_": "|", "xor": "^", "lshift": "<<", "rshift": ">>"}
_COMPARISONS = {"lt": "<", "le": "<=", "eq": "==", "ne": "!=", "ge": ">=", "gt": ">", "is_": "is",
                "is_not": "is not"}
_UNARY = {"neg": "-", "pos": "+", "invert": "~", "inv": "~"}


class _Getter:
    """itemgetter, attrgetter and methodcaller: callables Python prints as operator.itemgetter(1)."""

    __slots__ = ("kind", "items", "get", "keywords")
    type_name = "operator.itemgetter"

    def __init__(self, kind, items, get, keywords=None):
        self.kind, self.items, self.get, self.keywords = kind, items, get, keywords

    def __call__(self, obj, *extra, **kwargs):
        if extra or kwargs:
            raise_python(TypeError(f"{self.kind} expected 1 argument, got {1 + len(extra) + len(kwargs)}"))
        if self.kind == "methodcaller":
            return self.get(obj, self.items[0], self.items[1:], self.keywords)
        values = tuple(self.get(obj, item) for item in self.items)
        return values[0] if len(values) == 1 else values

    def __repr__(self):
        shown = [value_repr(i) for i in self.items] + [f"{k}={value_repr(v)}" for k, v in (self.keywords or {}).items()]
        return f"operator.{self.kind}({', '.join(shown)})"


def _attribute_path(obj, dotted):
    from .program_attributes import get_attribute
    for name in dotted.split("."):
        obj = get_attribute(obj, name)
    return obj


def _call_method(obj, name, args, keywords):
    from .program_attributes import get_attribute
    from .program_calls import invoke
    return invoke(get_attribute(obj, name), args, keywords)


def itemgetter(item, *items):
    from .program_items import getitem
    return _Getter("itemgetter", (item, *items), getitem)


def attrgetter(attr, *attrs):
    for a in (attr, *attrs):
        if type(a) is not str:
            raise_python(TypeError("attribute name must be a string"))
    return _Getter("attrgetter", (attr, *attrs), _attribute_path)


def methodcaller(name, *args, **kwargs):
    if type(name) is not str:
        raise_python(TypeError("method name must be a string"))
    return _Getter("methodcaller", (name, *args), _call_method, kwargs)


def entries(builtin_class=None) -> dict:
    from .program_operators import absolute, arithmetic, comparison, contains, truth, unary
    from .program_items import getitem
    table = {name: arithmetic(op) for name, op in _ARITHMETIC.items()}
    table.update({name: comparison(op) for name, op in _COMPARISONS.items()})
    table.update({name: unary(op) for name, op in _UNARY.items()})
    table.update(abs=absolute, truth=lambda a: truth(a), not_=lambda a: not truth(a), contains=contains,
                 getitem=getitem, itemgetter=itemgetter, attrgetter=attrgetter, methodcaller=methodcaller)
    table.update({f"__{name.rstrip('_')}__": fn for name, fn in list(table.items())
                  if name in _ARITHMETIC or name in ("lt", "le", "eq", "ne", "ge", "gt", "neg", "abs")})
    return {name: Builtin(name, fn) for name, fn in table.items()}
