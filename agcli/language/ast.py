"""The syntax tree: small immutable records, each with the span of source it came from.

A span is (start, end) character offsets into the program text; errors turn it
into a line and a caret (see errors.py). The records are hand-rolled rather
than dataclasses because building the dataclasses is a noticeable part of start-up.
"""
from __future__ import annotations

Span = tuple


class _Record:
    """Fields are the class's __slots__; instances are frozen after __init__."""

    __slots__ = ()

    def __init_subclass__(cls):
        # Each class's own __init__ writes through its slots' descriptors: a parse
        # makes dozens of records, and this is faster than a generic loop.
        setters = tuple(cls.__dict__[name].__set__ for name in cls.__slots__)
        size = len(setters)

        def __init__(self, *values):
            if len(values) != size:
                raise TypeError(f"{cls.__name__} takes {size} fields")
            for set_field, value in zip(setters, values):
                set_field(self, value)
        cls.__init__ = __init__

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __eq__(self, other):
        return type(self) is type(other) and all(
            getattr(self, n) == getattr(other, n) for n in self.__slots__)

    def __hash__(self):
        return hash((type(self),) + tuple(getattr(self, n) for n in self.__slots__))

    def __repr__(self):
        fields = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__)
        return f"{type(self).__name__}({fields})"


class Name(_Record):
    __slots__ = ('id', 'span')


class Number(_Record):
    __slots__ = ('value', 'span')


class String(_Record):
    __slots__ = ('value', 'span')


class ListLit(_Record):
    __slots__ = ('items', 'span')


class TupleLit(_Record):
    __slots__ = ('items', 'span')


class Unary(_Record):
    # op: '-' or '+'
    __slots__ = ('op', 'operand', 'span')


class BinOp(_Record):
    # op: + - * / @ ** < <= > >= == !=
    # op_span: where the caret goes when the op fails
    __slots__ = ('op', 'left', 'right', 'span', 'op_span')


class Keyword(_Record):
    __slots__ = ('name', 'value', 'span')


class Call(_Record):
    # func: Name, or Attribute for methods and torch.xxx
    # kwargs: of Keyword
    __slots__ = ('func', 'args', 'kwargs', 'span')


class Attribute(_Record):
    __slots__ = ('obj', 'name', 'span', 'name_span')


class Slice(_Record):
    __slots__ = ('start', 'stop', 'step', 'span')


class EllipsisLit(_Record):
    __slots__ = ('span',)


class Index(_Record):
    # items: expressions, Slice, EllipsisLit
    __slots__ = ('obj', 'items', 'span')


class BoolOp(_Record):
    # op: 'and' or 'or'
    __slots__ = ('op', 'left', 'right', 'span')


class Not(_Record):
    __slots__ = ('operand', 'span')


class IfExp(_Record):
    __slots__ = ('test', 'body', 'orelse', 'span')


class Compare(_Record):
    # a < b < c: ops ('<', '<'), operands (a, b, c); ops also 'in', 'not in', 'is', 'is not'
    __slots__ = ('ops', 'operands', 'span', 'op_spans')


class FString(_Record):
    # parts: str pieces and (field source text, field offset, format spec) triples
    __slots__ = ('parts', 'span')


# ------------------------------------------------------------- statements
class Assign(_Record):
    # targets: a = b = value has two; each a Name, Index, Attribute or TupleLit of names
    __slots__ = ('targets', 'value', 'span')


class AugAssign(_Record):
    __slots__ = ('target', 'op', 'value', 'span', 'op_span')


class Pass(_Record):
    __slots__ = ('span',)


class Break(_Record):
    __slots__ = ('span',)


class Continue(_Record):
    __slots__ = ('span',)


class Return(_Record):
    __slots__ = ('value', 'span')


class Import(_Record):
    # import torch.nn.functional as F: module 'torch.nn.functional', alias 'F'
    # from torch import nn: module 'torch', name 'nn'
    __slots__ = ('module', 'name', 'alias', 'span')


class Delete(_Record):
    __slots__ = ('target', 'span')


class If(_Record):
    __slots__ = ('test', 'body', 'orelse', 'span')


class While(_Record):
    __slots__ = ('test', 'body', 'span')


class For(_Record):
    __slots__ = ('targets', 'iter', 'body', 'span')


class FunctionDef(_Record):
    # params: (name, default expression or None) pairs
    __slots__ = ('name', 'params', 'body', 'span')


class With(_Record):
    __slots__ = ('context', 'alias', 'body', 'span')


class Try(_Record):
    # handlers: ExceptHandler records; finalbody may be empty
    __slots__ = ('body', 'handlers', 'finalbody', 'span')


class ExceptHandler(_Record):
    __slots__ = ('type', 'name', 'body', 'span')


class Program(_Record):
    # body: Assign or expressions, in order
    __slots__ = ('body', 'source')


def dotted_name(node) -> str | None:
    """'torch.nn.functional.relu' for a chain of attributes on a name, else None."""
    parts = []
    while isinstance(node, Attribute):
        parts.append(node.name)
        node = node.obj
    if not isinstance(node, Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))
