"""How torch.nn's classes, written in Python here, become classes a program uses.

A program's object reads its class's attributes from the class's `_ns` (program_objects.py),
so each nn class lists its methods there under PyTorch's names (`__init__`, `forward`,
`__repr__`, `parameters`, ...): a program's subclass overrides them as it overrides its own
bases' methods, super() reaches them, and ProgramObject's special methods (repr, len,
iteration, calls) find them. The Python functions carry PyTorch's qualified names, so a call
with the wrong arguments fails with Python's words for PyTorch's method.
"""
from __future__ import annotations

from types import FunctionType

from ...engine.tensor import Tensor
from ...torchapi import namespace
from ..program_exceptions import ProgramException
from ..program_functions import UserFunction
from ..program_objects import MISSING, BoundMethod, Builtin, ProgramObject, Property, bind, class_lookup
from ..program_torch_calls import TorchFunction

_MEMBERS = frozenset(("_parameters", "_buffers", "_modules", "_non_persistent_buffers_set"))


class NativeMethod:
    """One of torch.nn's methods in a class's `_ns`: bound to an instance as a program's method is."""

    __slots__ = ("fn", "name", "qualname")
    type_name = "function"
    program_attributes = {"__name__": "name", "__qualname__": "qualname"}

    def __init__(self, fn, name, qualname):
        self.fn, self.name, self.qualname = fn, name, qualname

    def get_for(self, instance, owner):
        return self if instance is None else BoundMethod(self, instance)

    def __call__(self, *args, **kwargs):
        try:
            return self.fn(*args, **kwargs)
        except TypeError as e:          # a call that does not fit the method: Python's words for it
            raise ProgramException(e) from None
        except KeyError as e:           # a module whose __init__ did not call Module.__init__: PyTorch's words
            if e.args and e.args[0] in _MEMBERS and args and isinstance(args[0], ProgramObject):
                raise ProgramException(AttributeError(
                    f"'{type(args[0]).__name__}' object has no attribute '{e.args[0]}'")) from None
            raise

    def __repr__(self):
        return f"<function {self.qualname} at {id(self):#x}>"


def program(name):
    """Marks a Python method as the class's program-visible method `name`."""
    def mark(fn):
        fn.program_name = name
        return fn
    return mark


def native_class(cls, module):
    """Gives cls (a Python class of torch.nn) its `_ns` from its marked methods (and those of its
    mixins, the bases without an `_ns` of their own), and PyTorch's module name."""
    cls.__module__ = module
    ns = {}
    for klass in reversed(cls.__mro__):
        if klass is not cls and (klass is object or "_ns" in vars(klass)):
            continue
        for value in list(vars(klass).values()):
            name = getattr(value, "program_name", None)
            if name is not None:
                # (a shared base of layers, as _ConvNd, names its methods by the layer's class: each
                # layer gets its own copy, so that Python's words for a bad call name that class)
                shared = klass is not cls and vars(klass).get("layer_base", False)
                if shared:
                    value = _own_copy(value)
                owner = vars(klass).get("pytorch_owners", {}).get(name, cls.__name__)  # (PyTorch's own base's)
                qualname = f"{owner if klass is cls or shared else 'Module'}.{name}"
                value.__name__, value.__qualname__ = name, qualname
                ns[name] = NativeMethod(value, name, qualname)
    cls._ns = ns
    return cls


def _own_copy(fn):
    copied = FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__)
    copied.__kwdefaults__ = fn.__kwdefaults__
    copied.__dict__.update(fn.__dict__)
    return copied


def call(obj, name, *args, **kwargs):
    """obj.name(*args) as a program's lookup finds it (a subclass's override first)."""
    own = obj.__dict__.get(name, MISSING)
    if own is not MISSING:
        return own(*args, **kwargs)
    return bind(class_lookup(type(obj), name), obj, type(obj))(*args, **kwargs)


def member(obj, name):
    """obj.name as a program reads it where it may not be a registered parameter: a class's property (a
    parametrized module's weight), the object's own attribute (the old weight_norm's), then the registered
    members (Module.__getattr__)."""
    value = class_lookup(type(obj), name)
    if type(value) is Property:
        return value.get_for(obj, type(obj))
    own = obj.__dict__
    if name in own:
        return own[name]
    return call(obj, "__getattr__", name)


def registered_or_member(obj, name):
    """obj.name as a layer's forward reads its weight or bias: the registered parameter, else what took its
    place (weight norm's property, a tensor set after `del` (the forward-AD tutorial's dual tensors))."""
    params = obj.__dict__["_parameters"]
    return params[name] if name in params else member(obj, name)


def members_of(module, name):
    """module._parameters (or _buffers, _modules), PyTorch's AttributeError if Module.__init__ never ran."""
    members = module.__dict__.get(name)
    if members is None:
        raise ProgramException(AttributeError(f"'{type(module).__name__}' object has no attribute '{name}'"))
    return members


def has_attribute(obj, name) -> bool:
    """hasattr(module, name) as PyTorch's registration checks ask it."""
    if name in obj.__dict__ or class_lookup(type(obj), name) is not MISSING:
        return True
    return any(name in obj.__dict__.get(d, ()) for d in ("_parameters", "_buffers", "_modules"))


def object_setattr(obj, name, value):
    """object.__setattr__ for a program's object: a property's setter, else its own attribute."""
    prop = class_lookup(type(obj), name)
    if type(prop) is Property:
        return prop.set_on(obj, value)
    obj.__dict__[name] = value
    return None


# where torch.typename finds a function (its __module__): torch.relu's is torch._VariableFunctionsClass
_FUNCTION_MODULES = {
    TorchFunction: lambda f: "torch._VariableFunctionsClass" if f.module == "torch" else f.module,
    UserFunction: lambda f: "__main__", Builtin: lambda f: "builtins"}


def typename(value) -> str:
    """torch.typename(value): 'torch.FloatTensor', 'torch.nn.modules.linear.Linear', 'int'."""
    if type(value) is Tensor:
        return namespace.METHODS["type"](value)
    if isinstance(value, type):
        module, qualname = value.__module__, value.__qualname__
    elif type(value) in _FUNCTION_MODULES:       # a function's own name: 'torch.nn.functional.relu', '__main__.f'
        module = _FUNCTION_MODULES[type(value)](value)
        qualname = getattr(value, "qualname", value.name)
    else:
        module = type(value).__module__
        qualname = getattr(type(value), "type_name", None) or type(value).__qualname__
        if not module.startswith(("torch", "__main__")):
            module = "builtins"
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"
