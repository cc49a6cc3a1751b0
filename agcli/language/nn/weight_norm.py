"""Weight normalisation of a module's parameter, both of PyTorch's ways (torch/nn/utils/weight_norm.py,
parametrizations.py and parametrize.py):

- nn.utils.weight_norm (deprecated, with PyTorch's FutureWarning): the parameter becomes NAME_g and NAME_v
  (registered after the others), and a forward pre-hook (WeightNorm) sets NAME = _weight_norm(v, g, dim)
  as a plain attribute before each call; remove_weight_norm puts a Parameter back.
- nn.utils.parametrizations.weight_norm: register_parametrization with _WeightNorm(dim): the module's
  class becomes Parametrized<Class> whose NAME is a property computing the ParametrizationList under
  `parametrizations.NAME` (original0 = g, original1 = v) at each read; printed as PyTorch prints it.
The layers read such a weight through `member` (native.py)."""
from __future__ import annotations

from ...engine.tensor import Tensor, set_grad_enabled
from ...state import state
from ...torchapi import weight_norm as WN
from ..program_classes import instantiate
from ..program_exceptions import raise_python
from ..program_objects import MISSING, Property, class_lookup
from ..program_values import type_name, value_str
from ...engine.backend import dtype_name
from ...torchapi.namespace import Size
from .containers import ModuleDict, ModuleList
from .hooks import call_with_hooks
from .lazy import is_uninitialized
from .module import Module
from .native import call, member, native_class, program
from .parameter import parameter

DEPRECATED = ("FutureWarning: `torch.nn.utils.weight_norm` is deprecated in favor of "
              "`torch.nn.utils.parametrizations.weight_norm`.")
UNINITIALIZED = ("The module passed to `WeightNorm` can't have uninitialized parameters. Make sure to run the dummy "
                 "forward before applying weight normalization")


class WeightNorm:
    """The old weight_norm's forward pre-hook: NAME computed from NAME_g and NAME_v."""

    __slots__ = ("name", "dim")
    type_name = "WeightNorm"
    pytorch_module = "torch.nn.utils.weight_norm"
    program_attributes = {"name": "name", "dim": "dim"}

    def __init__(self, name, dim):
        self.name, self.dim = name, dim

    def compute_weight(self, module):
        return WN._weight_norm(member(module, self.name + "_v"), member(module, self.name + "_g"), self.dim)

    def __call__(self, module, inputs):
        Module.program_setattr(module, self.name, self.compute_weight(module))

    def __repr__(self):
        return f"<torch.nn.utils.weight_norm.WeightNorm object at {id(self):#x}>"


def _pre_hooks(module):
    return module.__dict__.get("_forward_pre_hooks") or {}


def weight_norm(module, name="weight", dim=0):
    state.warn(DEPRECATED)
    for hook in _pre_hooks(module).values():
        if isinstance(hook, WeightNorm) and hook.name == name:
            raise_python(RuntimeError(f"Cannot register two weight_norm hooks on the same parameter {name}"))
    fn = WeightNorm(name, -1 if dim is None else dim)
    weight = member(module, name)
    if is_uninitialized(weight):
        raise_python(ValueError(UNINITIALIZED))
    del module.__dict__["_parameters"][name]
    Module.register_parameter(module, name + "_g", parameter(WN.norm_except_dim(weight, 2, fn.dim).detach()))
    Module.register_parameter(module, name + "_v", parameter(weight.detach()))
    Module.program_setattr(module, name, fn.compute_weight(module))
    Module.register_forward_pre_hook(module, fn)
    return module


def remove_weight_norm(module, name="weight"):
    def weight_of(hook):
        with set_grad_enabled(False):
            return hook.compute_weight(module)
    return remove_norm_hook(module, name, WeightNorm, "weight_norm", weight_of,
                            (("_parameters", name + "_g"), ("_parameters", name + "_v")))


def remove_norm_hook(module, name, hook_class, what, weight_of, members):
    """remove_weight_norm and remove_spectral_norm: the weight as its hook last made it becomes a parameter
    again; the hook and its members ((dict, key) pairs) go."""
    hooks = _pre_hooks(module)
    for key, hook in list(hooks.items()):
        if isinstance(hook, hook_class) and hook.name == name:
            weight = weight_of(hook)
            own = module.__dict__
            own.pop(name, None)
            for table, key_of_member in members:
                del own[table][key_of_member]
            Module.program_setattr(module, name, parameter(weight.detach()))
            del hooks[key]
            own["_forward_pre_hooks_with_kwargs"].pop(key, None)
            return module
    raise_python(ValueError(f"{what} of '{name}' not found in {value_str(module)}"))


# ------------------------------------------------------------------ parametrizations
class _WeightNorm(Module):
    @program("__init__")
    def init(self, dim=0):
        Module.init(self)
        Module.program_setattr(self, "dim", -1 if dim is None else dim)

    @program("forward")
    def forward(self, weight_g, weight_v):
        return WN._weight_norm(weight_v, weight_g, self.__dict__["dim"])

    @program("right_inverse")
    def right_inverse(self, weight):
        return WN.norm_except_dim(weight, 2, self.__dict__["dim"]), weight


class ParametrizationList(ModuleList):
    @program("forward")
    def forward(self):
        own = self.__dict__
        modules = own["_modules"]
        if own["is_tensor"]:
            x = call_with_hooks(modules["0"], (member(self, "original"),), {})
        else:
            originals = tuple(member(self, f"original{i}") for i in range(own["ntensors"]))
            x = call_with_hooks(modules["0"], originals, {})
        k = 1
        while str(k) in modules:
            x = call_with_hooks(modules[str(k)], (x,), {})
            k += 1
        return x


def _parametrization_list(parametrization, original, unsafe):
    """ParametrizationList([parametrization], original, unsafe): the originals its right_inverse gives; unless
    unsafe, the parametrization run once on them (a spectral norm's power iteration) and its result checked."""
    plist = instantiate(ParametrizationList, ([parametrization],), {})
    with set_grad_enabled(False):
        inverse = class_lookup(type(parametrization), "right_inverse")
        new = original if inverse is MISSING else call(parametrization, "right_inverse", original)
    own = plist.__dict__
    own["unsafe"], own["is_tensor"] = True, type(new) is Tensor
    own["ntensors"] = 1 if own["is_tensor"] else len(new)
    for i, value in enumerate((new,) if own["is_tensor"] else new):
        Module.register_parameter(plist, "original" if own["is_tensor"] else f"original{i}",
                                  parameter(value, original.requires_grad))
    own["unsafe"] = unsafe
    if not unsafe:
        _checked(call_with_hooks(plist, (), {}), original, "unparametrized", "parametrized", "`unsafe` flag")
    return plist


def _checked(z, y, before, after, flag):
    """PyTorch's consistency checks of a parametrization's result z against the tensor y it stands for."""
    if type(z) is not Tensor:
        raise_python(ValueError(f"A parametrization must return a tensor. Got {type_name(z)}."))
    for what, got, want in (("dtype", z.data.dtype, y.data.dtype), ("shape", z.data.shape, y.data.shape)):
        if got != want:
            show = (lambda d: f"torch.{dtype_name(d)}") if what == "dtype" else (lambda s: repr(Size(s)))
            raise_python(ValueError(f"Registering a parametrization may not change the {what} of the tensor, unless "
                                    f"{flag} is enabled.\n{before} {what}: {show(want)}\n{after} {what}: {show(got)}"))


def _parametrized_class(cls):
    """Parametrized<Class>: the module's own new class (one a module, as PyTorch's _inject_new_class), with
    a property per parametrized tensor."""
    made = type(f"Parametrized{cls.__name__}", (cls,), {"_ns": {}})
    made.__module__ = "torch.nn.utils.parametrize"
    return made


def register_parametrization(module, tensor_name, parametrization, *, unsafe=False):
    own = module.__dict__
    Module.train(parametrization, own["training"])
    if is_parametrized(module, tensor_name):        # (one more on the list, run after the others)
        plist = own["_modules"]["parametrizations"].__dict__["_modules"][tensor_name]
        if not unsafe:
            y = member(module, tensor_name)
            _checked(call_with_hooks(parametrization, (y,), {}), y, f"module.{tensor_name}",
                     f"parametrization(module.{tensor_name})", "the `unsafe` flag")
        modules = plist.__dict__["_modules"]
        modules[str(len(modules))] = parametrization
        plist.__dict__["unsafe"] |= unsafe
        return module
    if tensor_name not in own["_parameters"] and tensor_name not in own["_buffers"]:
        raise_python(ValueError(f"Module '{value_str(module)}' does not have a parameter, a buffer, or a "
                                f"parametrized element with name '{tensor_name}'"))
    original = member(module, tensor_name)
    plist = _parametrization_list(parametrization, original, unsafe)
    own["_parameters"].pop(tensor_name, None)
    own["_buffers"].pop(tensor_name, None)
    if not is_parametrized(module):
        module.__class__ = _parametrized_class(type(module))
        Module.program_setattr(module, "parametrizations", instantiate(ModuleDict, (), {}))
    type(module)._ns[tensor_name] = Property(
        lambda m: call_with_hooks(m.__dict__["_modules"]["parametrizations"].__dict__["_modules"][tensor_name],
                                  (), {}))
    own["_modules"]["parametrizations"].__dict__["_modules"][tensor_name] = plist
    return module


def parametrized_weight_norm(module, name="weight", dim=0):
    """nn.utils.parametrizations.weight_norm."""
    return register_parametrization(module, name, instantiate(_WeightNorm, (dim,), {}), unsafe=True)


def is_parametrized(module, tensor_name=None):
    plists = module.__dict__["_modules"].get("parametrizations") if isinstance(module, Module) else None
    if plists is None or not isinstance(plists, ModuleDict):
        return False
    return bool(plists.__dict__["_modules"]) if tensor_name is None else tensor_name in plists.__dict__["_modules"]


for _cls, _module in ((_WeightNorm, "torch.nn.utils.parametrizations"),
                      (ParametrizationList, "torch.nn.utils.parametrize")):
    native_class(_cls, _module)

UTILS = {"weight_norm": weight_norm, "remove_weight_norm": remove_weight_norm}
PARAMETRIZATIONS = {"weight_norm": parametrized_weight_norm}
PARAMETRIZE = {"register_parametrization": register_parametrization, "is_parametrized": is_parametrized}
