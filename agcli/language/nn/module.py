"""torch.nn.Module: registration of parameters, buffers and submodules by attribute
assignment, calling (forward), train/eval, requires_grad_, zero_grad, apply, and its
printing, with PyTorch's texts (torch/nn/modules/module.py).

Like PyTorch's, a module keeps `training`, `_parameters`, `_buffers`,
`_non_persistent_buffers_set` and `_modules` in its own attributes; program_attributes.py
hands `obj.name = v` and `del obj.name` to program_setattr / program_delattr, and a name not
found as an attribute reaches __getattr__ (the registered members). The iteration, state
dict, conversion and hook methods are the mixins' (members.py, state_dict.py,
conversion.py, hooks.py).
"""
from __future__ import annotations

from ...engine.tensor import Tensor
from ...errors import did_you_mean
from .. import suggestions
from ..program_exceptions import ProgramException, raise_python
from ..program_objects import ProgramObject
from ..unknown_names import not_provided
from .conversion import Conversions
from .hooks import Hooks, call_with_hooks
from .members import Members
from .native import call, has_attribute, native_class, object_setattr, program, typename
from .buffer import buffer_persistence
from .parameter import is_parameter
from .state_dict import StateDicts


def _remove_from(name, *dicts):
    for d in dicts:
        if name in d:
            if isinstance(d, dict):
                del d[name]
            else:
                d.discard(name)


def add_indent(text, spaces):
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    first = lines.pop(0)
    return first + "\n" + "\n".join((spaces * " ") + line if line.strip() else "" for line in lines)


# nn.Module's methods PyTorch has and agcli does not (the hint for them says so)
_PYTORCH_ONLY = frozenset((
    "bfloat16", "compile", "get_buffer", "get_extra_state", "get_parameter", "ipu", "mtia",
    "register_backward_hook",
    "register_load_state_dict_post_hook", "register_load_state_dict_pre_hook", "register_state_dict_post_hook",
    "register_state_dict_pre_hook", "set_extra_state", "set_submodule", "share_memory", "to_empty", "type", "xpu"))


class Module(Members, StateDicts, Conversions, Hooks, ProgramObject):
    """nn.Module: the base of every layer and of a program's own models."""

    @program("__init__")
    def init(self, *args, **kwargs):
        name = type(self).__name__
        if kwargs:
            raise_python(TypeError(f"{name}.__init__() got an unexpected keyword argument '{next(iter(kwargs))}'"))
        if args:
            raise_python(TypeError(f"{name}.__init__() takes 1 positional argument but {len(args) + 1} were given"))
        own = self.__dict__
        own["training"] = True
        own["_parameters"] = {}
        own["_buffers"] = {}
        own["_non_persistent_buffers_set"] = set()
        own["_modules"] = {}

    @program("forward")
    def forward(self, *args, **kwargs):
        raise_python(NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function'))

    @program("__call__")
    def call(self, *args, **kwargs):
        return call_with_hooks(self, args, kwargs)

    @program("__getattr__")
    def getattr(self, name):
        own = self.__dict__
        for members in ("_parameters", "_buffers", "_modules"):
            d = own.get(members)
            if d is not None and name in d:
                return d[name]
        known = [*own, *(n for m in ("_parameters", "_buffers", "_modules") for n in own.get(m, ())),
                 *(n for c in type(self).__mro__ for n in c.__dict__.get("_ns", ()))]
        python = None if name in _PYTORCH_ONLY else suggestions.for_module_attribute(name, known)
        error = ProgramException(AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'"),
                                 hint=not_provided(f"torch.nn.Module.{name}") if name in _PYTORCH_ONLY else None
                                 if python is not None else did_you_mean(name, [n for n in known if n[:1] != "_"]))
        error.suggestion = python       # (Python's report says it: the hint only when there is none)
        raise error

    def program_setattr(self, name, value):
        """Module.__setattr__: a Parameter, a Module or a buffer's name registers; anything else is an attribute."""
        own = self.__dict__
        params = own.get("_parameters")
        if is_parameter(value):
            if params is None:
                raise_python(AttributeError("cannot assign parameters before Module.__init__() call"))
            _remove_from(name, own, own["_buffers"], own["_modules"], own["_non_persistent_buffers_set"])
            return Module.register_parameter(self, name, value)
        if params is not None and name in params:
            if value is not None:
                raise_python(TypeError(f"cannot assign '{typename(value)}' as parameter '{name}' "
                                       "(torch.nn.Parameter or None expected)"))
            return Module.register_parameter(self, name, value)
        modules = own.get("_modules")
        if isinstance(value, Module):
            if modules is None:
                raise_python(AttributeError("cannot assign module before Module.__init__() call"))
            _remove_from(name, own, own["_parameters"], own["_buffers"], own["_non_persistent_buffers_set"])
            modules[name] = value
            return None
        if modules is not None and name in modules:
            if value is not None:
                raise_python(TypeError(f"cannot assign '{typename(value)}' as child module '{name}' "
                                       "(torch.nn.Module or None expected)"))
            modules[name] = value
            return None
        buffers = own.get("_buffers")
        persistent = buffer_persistence(value)      # (an nn.Buffer: None for anything else)
        if persistent is not None:
            if buffers is None:
                raise_python(AttributeError("cannot assign buffer before Module.__init__() call"))
            return Module.register_buffer(self, name, value, persistent)
        if buffers is not None and name in buffers:
            if value is not None and type(value) is not Tensor:
                raise_python(TypeError(f"cannot assign '{typename(value)}' as buffer '{name}' "
                                       "(torch.nn.Buffer, torch.Tensor or None expected)"))
            buffers[name] = value
            return None
        return object_setattr(self, name, value)

    def program_delattr(self, name):
        own = self.__dict__
        for members in ("_parameters", "_buffers", "_modules"):
            d = own.get(members)
            if d is not None and name in d:
                del d[name]
                own["_non_persistent_buffers_set"].discard(name)
                return
        if name not in own:
            raise_python(AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'"))
        del own[name]

    def _check_name(self, what, name, members):
        if members not in self.__dict__:
            raise_python(AttributeError(f"cannot assign {what} before Module.__init__() call"))
        if not isinstance(name, str):
            raise_python(TypeError(f"{what} name should be a string. Got {typename(name)}"))
        if "." in name:
            raise_python(KeyError(f'{what} name can\'t contain "."'))
        if name == "":
            raise_python(KeyError(f'{what} name can\'t be empty string ""'))
        if has_attribute(self, name) and name not in self.__dict__[members]:
            raise_python(KeyError(f"attribute '{name}' already exists"))

    @program("register_parameter")
    def register_parameter(self, name, param):
        self._check_name("parameter", name, "_parameters")
        if param is not None and not is_parameter(param):
            raise_python(TypeError(f"cannot assign '{typename(param)}' object to parameter '{name}' "
                                   "(torch.nn.Parameter or None required)"))
        if param is not None and param.grad_fn is not None:
            raise_python(ValueError(f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be "
                                    f"created explicitly. To express '{name}' as a function of another Tensor, "
                                    "compute the value in the forward() method."))
        self.__dict__["_parameters"][name] = param

    @program("register_buffer")
    def register_buffer(self, name, tensor, persistent=True):
        self._check_name("buffer", name, "_buffers")
        if tensor is not None and type(tensor) is not Tensor:
            raise_python(TypeError(f"cannot assign '{typename(tensor)}' object to buffer '{name}' "
                                   "(torch Tensor or None required)"))
        self.__dict__["_buffers"][name] = tensor
        if persistent:
            self.__dict__["_non_persistent_buffers_set"].discard(name)
        else:
            self.__dict__["_non_persistent_buffers_set"].add(name)

    @program("add_module")
    def add_module(self, name, module):
        if not isinstance(module, Module) and module is not None:
            raise_python(TypeError(f"{typename(module)} is not a Module subclass"))
        if not isinstance(name, str):
            raise_python(TypeError(f"module name should be a string. Got {typename(name)}"))
        if "_modules" not in self.__dict__:
            raise_python(AttributeError(f"'{type(self).__name__}' object has no attribute '_modules'"))
        if has_attribute(self, name) and name not in self.__dict__["_modules"]:
            raise_python(KeyError(f"attribute '{name}' already exists"))
        if "." in name:
            raise_python(KeyError(f'module name can\'t contain ".", got: {name}'))
        if name == "":
            raise_python(KeyError('module name can\'t be empty string ""'))
        self.__dict__["_modules"][name] = module

    @program("register_module")
    def register_module(self, name, module):
        Module.add_module(self, name, module)

    @program("train")
    def train(self, mode=True):
        if not isinstance(mode, bool):
            raise_python(ValueError("training mode is expected to be boolean"))
        object_setattr(self, "training", mode)
        for module in Members.children(self):
            call(module, "train", mode)
        return self

    @program("eval")
    def eval(self):
        return call(self, "train", False)

    @program("_get_name")
    def get_name(self):
        return type(self).__name__

    @program("extra_repr")
    def extra_repr(self):
        return ""

    @program("__repr__")
    def repr(self):
        extra = call(self, "extra_repr")
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({key}): {add_indent(repr(module), 2)}"
                       for key, module in self.__dict__["_modules"].items()]
        lines = extra_lines + child_lines
        main = call(self, "_get_name") + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                main += extra_lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"


native_class(Module, "torch.nn.modules.module")
