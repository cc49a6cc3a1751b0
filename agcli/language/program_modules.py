"""The modules a program may import (torch and its submodules, math, numpy) as values whose attributes are
agcli's declared names, PyTorch's classes a program names (torch.Tensor, torch.Size, torch.device, torch.dtype,
torch.Generator), and what an import finds or raises.

A module's attributes are looked up when the program reaches them, so an unknown one is Python's AttributeError
then (with "PyTorch has it, but agcli does not provide it" where PyTorch has it), and an import of a module agcli
does not run is ModuleNotFoundError when the import line runs.
"""
from __future__ import annotations

from collections import OrderedDict, defaultdict

import math
from random import Random

from ..engine.tensor import Tensor
from ..errors import did_you_mean
from ..state import state
from ..torchapi import creation as C
from ..torchapi import devices as D
from ..torchapi import namespace, nn_extras, normalization, optim, probability
from ..torchapi import in_place, legacy_types, multi_grad_hook, nn_init, nn_init_more, saved_hooks
from ..torchapi import nn as nn_functions
from ..torchapi.dtypes import DType
from ..torchapi.memory_formats import MemoryFormat
from .program_autograd_function import Function, once_differentiable
from .program_calculus import PythonFunction
from . import nn as nn_classes
from .nn.activations import functional_leaky_relu, functional_relu
from .nn.layers import FUNCTIONAL_OVERRIDES
from .nn import rnn_utils
from .nn import spectral_norm as spectral_norms, weight_norm as weight_norms
from .nn.functional_call import functional_call, stack_module_state
from .nn.state_dict import StateDict
from .program_exceptions import TORCH_EXCEPTIONS, python_errors, raise_python, tensor_number
from .program_names import PROGRAM_FUNCTIONS, QUALIFIED, receiver_tables
from .program_numpy import NUMPY_ATTRIBUTES, NUMPY_FUNCTIONS, RANDOM_FUNCTIONS, module_attribute, \
    random_attribute
from .program_objects import Builtin
from .program_pyplot import PYPLOT
from .program_random import random_module
from .program_torch_calls import TorchFunction, torch_function
from .module_value import ModuleValue
from . import program_checkpoint, program_copy, program_optimizer, program_serialization, program_sys, utils_data
from .unknown_names import module_has, not_provided, pytorch_has
from .suggestions import missing_from_module

# torch.__version__: the PyTorch (CPU build) whose behaviour agcli reproduces, so that a program
# gated on it (torch.__version__ >= "2.0") takes that PyTorch's branch; `agcli --version` names agcli.
PYTORCH_VERSION = "2.13.0+cpu"


class BuiltinClass:
    """One of PyTorch's classes a program names: isinstance() asks it, calling it makes one
    (torch.Tensor(...), torch.device('cpu')), and torch.Tensor.NAME is a method through it."""

    __slots__ = ("name", "module", "constructor", "instance_of", "methods")
    type_name = "type"
    shared_by_copy = True
    program_attributes = {"__name__": "name", "__qualname__": "name", "__module__": "module"}

    def __init__(self, name, module, instance_of, constructor=None, methods=None):
        self.name, self.module, self.instance_of = name, module, instance_of
        self.constructor, self.methods = constructor, methods

    def is_instance(self, value) -> bool:
        return isinstance(value, self.instance_of)

    def __call__(self, *args, **kwargs):
        if self.constructor is None:
            raise_python(TypeError(f"cannot create '{self.module}.{self.name}' instances"))
        return self.constructor(*args, **kwargs)

    def __repr__(self):
        return f"<class '{self.name}'>" if self.module == "builtins" else f"<class '{self.module}.{self.name}'>"


_MISSING = object()


def _tensor_methods():
    methods, _ = receiver_tables()
    return {name: TorchFunction(name, fn, "torch.Tensor") for name, fn in methods.items()}


TENSOR = BuiltinClass("Tensor", "torch", Tensor, TorchFunction("Tensor", namespace.FUNCTIONS["Tensor"]))
SIZE = BuiltinClass("Size", "torch", namespace.Size, TorchFunction("Size", namespace.FUNCTIONS["Size"]))
DEVICE = BuiltinClass("device", "torch", D.Device, TorchFunction("device", namespace.FUNCTIONS["device"]))
DTYPE = BuiltinClass("dtype", "torch", DType)
MEMORY_FORMAT = BuiltinClass("memory_format", "torch", MemoryFormat)
GENERATOR = BuiltinClass("Generator", "torch._C", PROGRAM_FUNCTIONS["Generator"],
                         torch_function("Generator", PROGRAM_FUNCTIONS["Generator"]))


# ------------------------------------------------------------ math
def _real(v):
    """A math function's argument as Python's float protocol reads it (a one-element tensor: its item)."""
    if type(v) is Tensor:
        return tensor_number(v, as_float=True)
    return v


def _math_function(name):
    fn = python_errors(getattr(math, name))

    def call(*args, **kwargs):      # (keywords as math's own take them: isclose's rel_tol=, prod's start=)
        return fn(*[_real(a) for a in args], **{k: _real(v) for k, v in kwargs.items()})
    call.__name__ = name
    return call


_MATH_FUNCTIONS = ("acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "ceil", "comb", "copysign", "cos",
                   "cosh", "degrees", "dist", "erf", "erfc", "exp", "expm1", "fabs", "factorial", "floor", "fmod",
                   "frexp", "fsum", "gamma", "gcd", "hypot", "isclose", "isfinite", "isinf", "isnan", "isqrt",
                   "lcm", "ldexp", "lgamma", "log", "log10", "log1p", "log2", "modf", "perm", "pow", "prod",
                   "radians", "remainder", "sin", "sinh", "sqrt", "tan", "tanh", "trunc")


def _math_module():
    entries = {name: Builtin(name, _math_function(name)) for name in _MATH_FUNCTIONS}
    entries.update(pi=math.pi, e=math.e, tau=math.tau, inf=math.inf, nan=math.nan)
    return ModuleValue("math", entries)


# ------------------------------------------------------------ torch
def _numbers(data):
    """A list's tensors as their numbers (Tensor.item(), as torch.tensor reads a list of tensors)."""
    if isinstance(data, (list, tuple)):
        return [_numbers(v) for v in data]
    if type(data) is Tensor:
        return tensor_number(data, as_float=True)
    return data


def tensor(data, dtype=None, requires_grad=False, device=None):
    """torch.tensor(data) in a program: a list holding tensors holds their numbers (an expression's
    list literal stacks them instead, so that their gradients flow)."""
    if isinstance(data, (list, tuple)):
        data = _numbers(data)
    elif type(data) is Tensor:
        state.warn("UserWarning: To copy construct from a tensor, it is recommended to use "
                   "sourceTensor.detach().clone() or sourceTensor.detach().clone().requires_grad_(True), rather "
                   "than torch.tensor(sourceTensor).")
    return C.tensor(data, dtype=dtype, requires_grad=requires_grad, device=device)


def _functions(module):
    """agcli's functions that PyTorch's `module` has (one table for all: no F.exp, no torch.gelu)."""
    entries = {name: TorchFunction(name, fn, module) for name, fn in namespace.FUNCTIONS.items()
               if module_has(module, name)}
    if module == "torch":
        entries["tensor"] = TorchFunction("tensor", tensor, module)
        entries.update({name: TorchFunction(name, fn, module) for name, fn in {**normalization.TORCH_ONLY,
                                                                                 **nn_extras.TORCH_ONLY}.items()})
    return entries


def _qualified(prefix):     # (a value, as torch.default_generator, is itself)
    return {q[len(prefix) + 1:]: fn if isinstance(fn, Builtin) or not callable(fn) else
            TorchFunction(q.rpartition(".")[2], fn, prefix)
            for q, fn in QUALIFIED.items() if q.rpartition(".")[0] == prefix}


_OPTIM_FILES = {"Optimizer": "optimizer", "SGD": "sgd", "Adam": "adam", "AdamW": "adamw", "RMSprop": "rmsprop",
                "Adagrad": "adagrad", "Adadelta": "adadelta", "NAdam": "nadam", "RAdam": "radam", "Adamax": "adamax",
                "Rprop": "rprop", "ASGD": "asgd", "LBFGS": "lbfgs"}


def _optim_module():
    """torch.optim: the optimizers and lr_scheduler (torchapi/optim), as PyTorch's classes."""
    def classes(table, file=None):
        return {n: BuiltinClass(n, f"torch.optim.{file or _OPTIM_FILES[n]}", cls, python_errors(cls))
                for n, cls in table.items()}
    schedulers = ModuleValue("torch.optim.lr_scheduler", classes(optim.SCHEDULERS, "lr_scheduler"))
    return ModuleValue("torch.optim", {**classes(optim.OPTIMIZERS), "lr_scheduler": schedulers})


def _distributions_modules():
    """torch.distributions and its submodules (torchapi/probability), as PyTorch's classes."""
    # (each in its own module, named as PyTorch's: torch.distributions.log_normal, studentT, ...)
    classes = {n: BuiltinClass(n, cls.pytorch_module, cls, python_errors(cls)) for n, cls in probability.CLASSES.items()}
    kl = TorchFunction("kl_divergence", probability.kl_divergence, "torch.distributions.kl")
    modules = {c.module: ModuleValue(c.module, {n: c}) for n, c in classes.items()}
    modules["torch.distributions.kl"] = ModuleValue("torch.distributions.kl", {"kl_divergence": kl})
    modules["torch.distributions"] = ModuleValue("torch.distributions", {
        **classes, "kl_divergence": kl, "Distribution": BuiltinClass(
            "Distribution", "torch.distributions.distribution", probability.Distribution, methods={
                "set_default_validate_args": Builtin("set_default_validate_args",
                                                     python_errors(probability.set_default_validate_args))}),
        **{name.rpartition(".")[2]: m for name, m in modules.items()}})
    return modules


def _weight_norm_modules():
    """nn.utils.weight_norm, spectral_norm and their remove_*, nn.utils.parametrizations and parametrize."""
    def functions(module, table):
        return ModuleValue(module, {n: PythonFunction(n, python_errors(fn)) for n, fn in table.items()})
    return {**{n: PythonFunction(n, python_errors(fn)) for n, fn in {**weight_norms.UTILS,
                                                                         **spectral_norms.UTILS}.items()},
            "parametrizations": functions("torch.nn.utils.parametrizations", {**weight_norms.PARAMETRIZATIONS,
                                                                             **spectral_norms.PARAMETRIZATIONS}),
            "parametrize": functions("torch.nn.utils.parametrize", weight_norms.PARAMETRIZE)}


# torch.sin_(x) and the like: the in-place methods PyTorch's torch module has as functions too
_TORCH_IN_PLACE = ("relu_", "sin_", "cos_", "tan_", "exp_", "log_", "log1p_", "sqrt_", "sigmoid_", "tanh_", "abs_",
                   "neg_", "zero_", "fill_", "clamp_", "clamp_min_", "clamp_max_", "reciprocal_")
# torch.functional's __all__ (the ones agcli has; torch.<name> is the same function)
_TORCH_FUNCTIONAL = ("atleast_1d", "atleast_2d", "atleast_3d", "broadcast_shapes", "broadcast_tensors",
                     "cartesian_prod", "block_diag", "cdist", "chain_matmul", "einsum", "istft", "lu", "norm",
                     "meshgrid", "pca_lowrank", "split", "stft", "svd_lowrank", "tensordot", "unique",
                     "unique_consecutive", "unravel_index")


def _make_modules():
    functional = ModuleValue("torch.nn.functional", {
        **_functions("torch.nn.functional"), "relu_": TorchFunction("relu_", in_place.relu_, "torch.nn.functional"),
        "relu": TorchFunction("relu", functional_relu, "torch.nn.functional"),
        "leaky_relu_": TorchFunction("leaky_relu_", in_place.leaky_relu_, "torch.nn.functional"),
        "leaky_relu": TorchFunction("leaky_relu", functional_leaky_relu, "torch.nn.functional"),
        "softmax": TorchFunction("softmax", nn_functions.functional_softmax, "torch.nn.functional"),
        "log_softmax": TorchFunction("log_softmax", nn_functions.functional_log_softmax, "torch.nn.functional"),
        **FUNCTIONAL_OVERRIDES},
        "F")
    nn = ModuleValue("torch.nn", {"functional": functional, **nn_classes.entries()}, "nn")
    rnn = ModuleValue("torch.nn.utils.rnn", {n: Builtin(n, python_errors(fn)) for n, fn in rnn_utils.FUNCTIONS.items()})
    rnn.entries["PackedSequence"] = BuiltinClass("PackedSequence", "torch.nn.utils.rnn", rnn_utils.PackedSequence,
                                                 python_errors(rnn_utils.PackedSequence))
    nn.entries["utils"] = ModuleValue("torch.nn.utils", {**{n: Builtin(n, python_errors(fn))
                                                           for n, fn in nn_classes.UTILS.items()}, "rnn": rnn,
                                                        **_weight_norm_modules()})
    init = {**nn_init.FUNCTIONS, **nn_init_more.FUNCTIONS}
    nn.entries["init"] = ModuleValue("torch.nn.init", {n: TorchFunction(n, fn, "torch.nn.init") for n, fn in
                                                      {**init, **nn_init_more.deprecated_names(init)}.items()})
    autograd = ModuleValue("torch.autograd", {
        **{n: torch_function(n, PROGRAM_FUNCTIONS[n], "torch.autograd") for n in (
            "Variable", "set_detect_anomaly", "detect_anomaly", "no_grad", "enable_grad", "set_grad_enabled",
            "inference_mode")},
        **_qualified("torch.autograd")})
    autograd.entries["Function"] = Function         # a program's custom functions derive from it
    v = autograd.entries["Variable"]        # (older code's Variable: a class; isinstance() asks for a tensor)
    autograd.entries["Variable"] = BuiltinClass("Variable", "torch.autograd.variable", Tensor, v)
    autograd.entries["function"] = ModuleValue("torch.autograd.function", {
        "Function": Function, "once_differentiable": Builtin("once_differentiable", once_differentiable)})
    autograd.entries["functional"] = ModuleValue("torch.autograd.functional", _qualified("torch.autograd.functional"))
    autograd.entries["forward_ad"] = ModuleValue("torch.autograd.forward_ad", _qualified("torch.autograd.forward_ad"))
    autograd.entries["graph"] = ModuleValue("torch.autograd.graph", {
        **{n: Builtin(n, python_errors(getattr(saved_hooks, n))) for n in (
            "saved_tensors_hooks", "save_on_cpu", "disable_saved_tensors_hooks")},
        "register_multi_grad_hook": PythonFunction("register_multi_grad_hook",
                                                   python_errors(multi_grad_hook.register_multi_grad_hook))})
    submodules = {
        "nn": nn, "autograd": autograd, "optim": _optim_module(),
        "cuda": ModuleValue("torch.cuda", {**_qualified("torch.cuda"),
                                           "OutOfMemoryError": TORCH_EXCEPTIONS["OutOfMemoryError"]}),
        "random": ModuleValue("torch.random", _qualified("torch.random")),
        "accelerator": ModuleValue("torch.accelerator", _qualified("torch.accelerator")),
        # (the CPU build's answers; cudnn's flags may be set, as seeding snippets do, and change nothing)
        "backends": ModuleValue("torch.backends", {
            "mps": ModuleValue("torch.backends.mps", _qualified("torch.backends.mps")),
            "cudnn": ModuleValue("torch.backends.cudnn", {**_qualified("torch.backends.cudnn"), "enabled": True,
                                                          "deterministic": False, "benchmark": False})}),
        "version": ModuleValue("torch.version", {"cuda": None, "hip": None}),
        "linalg": ModuleValue("torch.linalg", {**_functions("torch.linalg"),
                                               **{n: TorchFunction(n, fn, "torch.linalg") for n, fn in
                                                  namespace.LINALG.items()},
                                               "LinAlgError": TORCH_EXCEPTIONS["LinAlgError"]}),
        "special": ModuleValue("torch.special", {**_functions("torch.special"), **{
            n: TorchFunction(n, fn, "torch.special") for n, fn in namespace.SPECIAL.items()}}),
        "func": ModuleValue("torch.func", {**_qualified("torch.func"), "functional_call": PythonFunction(
            "functional_call", python_errors(functional_call)), "stack_module_state": PythonFunction(
            "stack_module_state", python_errors(stack_module_state))}),
        "utils": ModuleValue("torch.utils", {"data": ModuleValue("torch.utils.data", utils_data.CLASSES),
                                             "checkpoint": ModuleValue("torch.utils.checkpoint", {
                                                 n: PythonFunction(n, python_errors(getattr(program_checkpoint, n)))
                                                 for n in ("checkpoint", "checkpoint_sequential")})}),
    }
    distributions = _distributions_modules()
    submodules["distributions"] = distributions["torch.distributions"]
    torch = ModuleValue("torch", {
        **_functions("torch"),
        **{n: torch_function(n, fn) for n, fn in PROGRAM_FUNCTIONS.items()},
        **_qualified("torch"), **namespace.MODULE_ATTRIBUTES, **submodules,
        **{n: TorchFunction(n, getattr(in_place, n)) for n in _TORCH_IN_PLACE},
        **{n: TorchFunction(n, getattr(program_serialization, n)) for n in ("save", "load")},
        **{n: TorchFunction(n, nn_functions.dim_required(n)) for n in ("softmax", "log_softmax")},
        "Tensor": TENSOR, "Size": SIZE, "device": DEVICE, "dtype": DTYPE, "__version__": PYTORCH_VERSION,
        "memory_format": MEMORY_FORMAT,
        **{n: BuiltinClass(n, "torch", t, TorchFunction(n, t.construct)) for n, t in legacy_types.TYPES.items()},
        **{n: TORCH_EXCEPTIONS[n] for n in ("OutOfMemoryError", "AcceleratorError")}, "Generator": GENERATOR,
    })
    # torch.functional: the home of some of torch's own functions (introyt's `import torch.functional as F`)
    torch.entries["functional"] = ModuleValue("torch.functional", {
        n: torch.entries[n] for n in _TORCH_FUNCTIONAL if n in torch.entries})
    TENSOR.methods = _tensor_methods()
    numpy_random = ModuleValue("numpy.random", RANDOM_FUNCTIONS, missing=random_attribute)
    numpy = ModuleValue("numpy", {**NUMPY_FUNCTIONS, **NUMPY_ATTRIBUTES, "random": numpy_random},
                        missing=module_attribute)
    modules = {"torch": torch, "math": _math_module(), "numpy": numpy,
               "random": ModuleValue("random", random_module(Random())), "numpy.random": numpy_random}
    for name, module in submodules.items():
        modules[f"torch.{name}"] = module
    modules["torch.nn.functional"] = functional
    modules["torch.functional"] = torch.entries["functional"]
    modules.update(distributions)
    modules["torch.utils.data"] = submodules["utils"].entries["data"]
    modules["torch.utils.checkpoint"] = submodules["utils"].entries["checkpoint"]
    modules["torch.nn.utils"] = nn.entries["utils"]
    modules["torch.nn.utils.rnn"] = nn.entries["utils"].entries["rnn"]
    for name in ("parametrizations", "parametrize"):
        modules[f"torch.nn.utils.{name}"] = nn.entries["utils"].entries[name]
    modules["torch.optim.lr_scheduler"] = submodules["optim"].entries["lr_scheduler"]
    modules["torch.nn.init"] = nn.entries["init"]
    modules["torch.autograd.functional"] = autograd.entries["functional"]
    modules["torch.autograd.forward_ad"] = autograd.entries["forward_ad"]
    modules["torch.autograd.function"] = autograd.entries["function"]
    modules["torch.autograd.graph"] = autograd.entries["graph"]
    pyplot = ModuleValue("matplotlib.pyplot", {n: Builtin(n, python_errors(fn)) for n, fn in PYPLOT.items()})
    modules["matplotlib"] = ModuleValue("matplotlib", {"pyplot": pyplot})    # agcli's stand-in (program_pyplot.py)
    modules["matplotlib.pyplot"] = pyplot
    # collections.OrderedDict: the state dicts' class (printed as Python 3.11 prints one), for
    # nn.Sequential(OrderedDict(...)); defaultdict: Python's (a training loop's metrics), its factory a program's
    modules["collections"] = ModuleValue("collections", {
        "OrderedDict": BuiltinClass("OrderedDict", "collections", OrderedDict, python_errors(StateDict)),
        "defaultdict": BuiltinClass("defaultdict", "collections", defaultdict, python_errors(defaultdict))})
    modules["copy"] = ModuleValue("copy", {name: Builtin(name, python_errors(getattr(program_copy, name)))
                                           for name in ("copy", "deepcopy")})
    from . import program_warnings as W     # (the program's filters in front of PyTorch's warnings)
    modules["warnings"] = ModuleValue("warnings", {**{name: Builtin(name, python_errors(fn)) for name, fn in
                                                      W.names().items()},
                                                   "catch_warnings": Builtin("catch_warnings",
                                                                             python_errors(W.catch_warnings))})
    from . import program_dataclasses, program_itertools, program_pprint, program_stdlib
    for name, entries in (("functools", program_stdlib.functools_entries), ("contextlib", program_stdlib.
                          contextlib_entries), ("dataclasses", program_dataclasses.dataclasses_entries),
                          ("itertools", program_itertools.itertools_entries)):
        modules[name] = ModuleValue(name, entries())
    modules["collections"].entries.update(program_stdlib.collections_entries(BuiltinClass))
    modules["pprint"] = ModuleValue("pprint", program_pprint.pprint_entries(BuiltinClass))
    modules["sys"] = ModuleValue("sys", program_sys.entries())
    from . import program_typing
    modules["typing"] = ModuleValue("typing", program_typing.typing_entries())
    modules["__future__"] = ModuleValue("__future__", program_typing.future_entries())
    import time     # (Python's, for the timing lines of training loops: what they print differs run to run)
    modules["time"] = ModuleValue("time", {name: Builtin(name, python_errors(getattr(time, name))) for name in (
        "time", "perf_counter", "monotonic", "process_time", "sleep", "time_ns", "perf_counter_ns")})
    return modules


_MODULES = {}


def modules() -> dict:
    """Every module a program may import, by its dotted name (made on first use)."""
    if not _MODULES:
        _MODULES.update(_make_modules())
    return _MODULES


_OUTSIDE_HINT = ("agcli runs programs on its own engine: import torch (torch.nn, torch.nn.functional, "
                 "torch.autograd), math, random, time, copy, warnings, sys, functools, itertools, dataclasses, "
                 "typing, contextlib, pprint, collections.OrderedDict, defaultdict, Counter and deque, os and "
                 "os.path, argparse, json, logging, operator, statistics, string, heapq, bisect, textwrap, re, "
                 "datetime, abc, enum, pathlib.Path, csv, inspect, types.SimpleNamespace, open() of text files, "
                 "numpy and matplotlib.pyplot work; files outside the current directory are outside agcli's scope")


def import_module(dotted: str) -> ModuleValue:
    """`import dotted`: the module, or ModuleNotFoundError as Python raises it."""
    module = modules().get(dotted)
    if module is None:
        top, _, rest = dotted.partition(".")
        known = top in ("torch", "numpy") and rest and pytorch_has(rest.partition(".")[0], "torch")
        missing = dotted if top in ("torch", "numpy", "math") else top     # (Python names the first one missing)
        raise_python(ModuleNotFoundError(f"No module named '{missing}'"),
                     hint=not_provided(dotted) if known or top in ("torchvision", "torchaudio") else
                     _OUTSIDE_HINT)
    return module


def import_name(module: ModuleValue, name: str):
    """`from module import name`: the attribute, or Python's ImportError."""
    value = module.entries.get(name, _MISSING)
    if value is _MISSING:
        pytorch = module.spelling in ("torch", "F", "nn") and pytorch_has(name, module.spelling)
        if not module.name.startswith("torch") and missing_from_module(module.name, name) is False:
            module.attribute(name)      # (Python's module has it: agcli's limit, said by name)
        raise_python(ImportError(f"cannot import name '{name}' from '{module.name}'"),
                     hint=not_provided(f"{module.name}.{name}") if pytorch else
                     did_you_mean(name, list(module.public())))
    return value
