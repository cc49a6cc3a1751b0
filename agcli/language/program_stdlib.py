"""Python's functools and contextlib in programs: the parts learners reach for
around a training loop (functools.partial and reduce, @wraps in a logging
decorator, @lru_cache on a recursive function, @contextmanager for a timing
block), run on the program's own functions by Python's rules and in its words.
(dataclasses: program_dataclasses.py.)
"""
from __future__ import annotations

from collections import Counter, OrderedDict, deque, namedtuple

from ..errors import AgcliError
from .program_classes import instantiate
from .program_exceptions import matches, python_errors, raise_python
from .program_functions import ProgramGenerator, UserFunction
from .program_iteration import iterate
from .program_namedtuple import namedtuple_builtin
from .program_objects import MISSING, BoundMethod, Builtin, ProgramObject
from .program_values import type_name, value_repr


class Method:
    """A method dataclass (or agcli) puts in a program's class: bound like the program's own."""

    __slots__ = ("name", "qualname", "fn")
    type_name = "function"
    program_attributes = {"__name__": "name", "__qualname__": "qualname"}

    def __init__(self, name, qualname, fn):
        self.name, self.qualname, self.fn = name, qualname, fn

    def __call__(self, *args, **kwargs):
        return self.fn(*args, **kwargs)

    def get_for(self, instance, owner):
        return self if instance is None else BoundMethod(self, instance)

    def __repr__(self):
        return f"<function {self.qualname} at {id(self):#x}>"


def invoke(f, args, kwargs):
    """f(*args, **kwargs) of a program's value (program_calls.invoke's, for the values these modules call)."""
    if isinstance(f, type) and issubclass(f, ProgramObject):
        return instantiate(f, args, kwargs)
    if not callable(f):
        raise_python(TypeError(f"'{type_name(f)}' object is not callable"))
    return f(*args, **kwargs)


# ------------------------------------------------------------ functools
def reduce(function, iterable, *initial):
    if len(initial) > 1:
        raise_python(TypeError(f"reduce expected at most 3 arguments, got {2 + len(initial)}"))
    items = iter(iterate(iterable))
    if initial:
        value = initial[0]
    else:
        value = next(items, MISSING)
        if value is MISSING:
            raise_python(TypeError("reduce() of empty iterable with no initial value"))
    for item in items:
        value = invoke(function, (value, item), {})
    return value


class Partial:
    """functools.partial(func, *args, **keywords)."""

    __slots__ = ("func", "args", "keywords")
    type_name = "functools.partial"
    program_attributes = {"func": "func", "args": "args", "keywords": "keywords"}

    def __init__(self, func, *args, **keywords):
        if not callable(func) and not isinstance(func, type):
            raise_python(TypeError("the first argument must be callable"))
        self.func, self.args, self.keywords = func, args, keywords

    def __call__(self, *args, **kwargs):
        return invoke(self.func, self.args + args, {**self.keywords, **kwargs})

    def __repr__(self):
        shown = [value_repr(self.func), *map(value_repr, self.args),
                 *(f"{k}={value_repr(v)}" for k, v in self.keywords.items())]
        return f"functools.partial({', '.join(shown)})"


def wraps(wrapped, *args, **kwargs):
    """@functools.wraps(fn): the wrapper takes fn's name (and __wrapped__)."""
    def decorate(wrapper):
        if type(wrapper) is UserFunction:
            wrapper.name = getattr(wrapped, "name", wrapper.name)
            wrapper.qualname = getattr(wrapped, "qualname", wrapper.name)
            wrapper.doc = getattr(wrapped, "doc", None)
            wrapper.attrs = {**(getattr(wrapped, "attrs", None) or {}), **(wrapper.attrs or {}),
                             "__wrapped__": wrapped}
        return wrapper
    return Builtin("decorating_function", decorate)


CacheInfo = namedtuple("CacheInfo", ["hits", "misses", "maxsize", "currsize"])


class Cached:
    """@functools.lru_cache / @functools.cache: the function's results kept by its arguments."""

    __slots__ = ("function", "maxsize", "results", "hits", "misses")
    type_name = "functools._lru_cache_wrapper"
    program_methods = frozenset(("cache_info", "cache_clear"))

    def __init__(self, function, maxsize):
        self.function, self.maxsize = function, maxsize
        self.results, self.hits, self.misses = OrderedDict(), 0, 0

    @property
    def name(self):
        return getattr(self.function, "name", "?")

    def __call__(self, *args, **kwargs):
        key = args if not kwargs else (*args, _KWARGS, *kwargs.items())
        try:
            hash(key)
        except TypeError as e:
            raise_python(TypeError(str(e)))
        if key in self.results:
            self.hits += 1
            self.results.move_to_end(key)
            return self.results[key]
        self.misses += 1
        value = invoke(self.function, args, kwargs)
        if self.maxsize != 0:
            self.results[key] = value
            if self.maxsize is not None and len(self.results) > self.maxsize:
                self.results.popitem(last=False)
        return value

    def cache_info(self):
        return CacheInfo(self.hits, self.misses, self.maxsize, len(self.results))

    def cache_clear(self):
        self.results.clear()
        self.hits = self.misses = 0

    def get_for(self, instance, owner):
        return self if instance is None else BoundMethod(self, instance)

    def __repr__(self):
        return f"<functools._lru_cache_wrapper object at {id(self):#x}>"


_KWARGS = object()


def lru_cache(maxsize=128, typed=False):
    if callable(maxsize) and not isinstance(maxsize, (bool, int)):     # @lru_cache without parentheses
        return Cached(maxsize, 128)
    if maxsize is not None and not isinstance(maxsize, int):
        raise_python(TypeError("Expected first argument to be an integer, a callable, or None"))
    size = None if maxsize is None else max(maxsize, 0)
    return Builtin("decorating_function", lambda function: Cached(function, size))


def cache(function):
    return Cached(function, None)


def functools_entries():
    return {"reduce": Builtin("reduce", reduce), "partial": Builtin("partial", Partial),
            "wraps": Builtin("wraps", wraps),
            "lru_cache": Builtin("lru_cache", lru_cache), "cache": Builtin("cache", cache)}


# ------------------------------------------------------------ collections
def _counter(iterable=None, **counts):
    if iterable is not None and not isinstance(iterable, dict):
        iterable = list(iterate(iterable))
    return Counter(iterable, **counts) if iterable is not None else Counter(**counts)


def _deque(iterable=(), maxlen=None):
    return deque(iterate(iterable), maxlen)


def collections_entries(builtin_class):
    """Counter (a label count) and deque (a replay buffer), Python's own, filled from what a program iterates."""
    return {"Counter": builtin_class("Counter", "collections", Counter, python_errors(_counter)),
            "deque": builtin_class("deque", "collections", deque, python_errors(_deque)),
            "namedtuple": namedtuple_builtin()}


# ------------------------------------------------------------ contextlib
class GeneratorManager:
    """What a @contextmanager function's call gives: its generator run up to the yield on
    entering, resumed (or the body's error thrown in at the yield) on leaving."""

    __slots__ = ("generator",)
    type_name = "_GeneratorContextManager"
    takes_errors = True

    def __init__(self, generator):
        self.generator = generator

    def __enter__(self):
        try:
            return next(self.generator)
        except StopIteration:
            raise_python(RuntimeError("generator didn't yield"))

    def exit_with(self, error) -> bool:
        gen = self.generator.gen
        if error is None:
            try:
                next(gen)
            except StopIteration:
                return False
            raise_python(RuntimeError("generator didn't stop"))
        try:
            gen.throw(error)
        except StopIteration:
            return True         # (the generator caught it)
        except AgcliError as e:
            if e is error:
                return False
            raise
        raise_python(RuntimeError("generator didn't stop after throw()"))


def contextmanager(function):
    def make(*args, **kwargs):
        generator = invoke(function, args, kwargs)
        if type(generator) is not ProgramGenerator:
            raise_python(TypeError(f"'{type(generator).__name__}' object is not an iterator"))
        return GeneratorManager(generator)
    return Method(getattr(function, "name", "helper"), getattr(function, "qualname", "helper"), make)


class Suppress:
    """contextlib.suppress(*exceptions)."""

    __slots__ = ("classes",)
    type_name = "suppress"
    takes_errors = True

    def __init__(self, *classes):
        self.classes = classes

    def __enter__(self):
        return None

    def exit_with(self, error) -> bool:
        return error is not None and bool(self.classes) and matches(self.classes, error)


class NullContext:
    __slots__ = ("value",)
    type_name = "nullcontext"

    def __init__(self, enter_result=None):
        self.value = enter_result

    def __enter__(self):
        return self.value

    def __exit__(self, *exc):
        return False


def contextlib_entries():
    return {"contextmanager": Builtin("contextmanager", contextmanager), "suppress": Builtin("suppress", Suppress),
            "nullcontext": Builtin("nullcontext", NullContext)}
