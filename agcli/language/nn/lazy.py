"""nn.LazyLinear and the UninitializedParameter it holds until its first call, as torch/nn/modules/lazy.py,
linear.py and parameter.py make them.

An UninitializedParameter is a Parameter (the same Tensor object) whose `parameter` mark is UNINITIALIZED:
an empty leaf of the default dtype that requires grad, printed `<UninitializedParameter>`. The first call
reads in_features from the input's last size, gives each parameter its shape in place (materialize: the
same object, so an optimizer made before holds it), draws Linear's initialisation from the generator then,
and the module becomes a Linear (PyTorch sets its __class__), printed as one.
"""
from __future__ import annotations

from ...engine import backend as B
from ...engine.tensor import Tensor, set_grad_enabled
from ...errors import AgcliError
from ..program_exceptions import raise_python
from .layers import Linear
from .module import Module
from .native import call, native_class, program
from .parameter import uninitialized_parameter

UNINITIALIZED = "uninitialized"     # the `parameter` mark of an UninitializedParameter (truthy: a Parameter)
_USE = ("Attempted to use an uninitialized parameter in <method '{}' of 'torch._C.TensorBase' objects>. This error "
        "happens when you are using a `LazyModule` or explicitly manipulating "
        "`torch.nn.parameter.UninitializedParameter` objects. When using LazyModules Call `forward` with a dummy "
        "batch to initialize the parameters before calling torch functions")
_SHAPE = ("Can't access the shape of an uninitialized parameter or buffer. This error usually happens in "
          "`load_state_dict` when trying to load an uninitialized parameter into an initialized one. Call "
          "`forward` to initialize the parameters before accessing their attributes.")
# the tensor methods a program most often reaches for before the first call: PyTorch's error for them
# (any other op on the empty stand-in computes on it, where PyTorch refuses)
REFUSED = frozenset(("numel", "nelement", "dim", "ndimension", "shape", "uniform_", "normal_", "zero_", "fill_",
                     "copy_", "item", "tolist", "sum", "mean", "norm", "std", "abs", "view", "reshape", "t",
                     "matmul", "mm", "add", "mul", "add_", "mul_", "clone", "detach", "numpy", "max", "min"))


def is_uninitialized(t) -> bool:
    return getattr(t, "parameter", False) == UNINITIALIZED


def refuse(t, name):
    """PyTorch's error for `name` on an UninitializedParameter (its shape, or a torch function)."""
    if name == "shape":
        raise AgcliError(_SHAPE)
    raise_python(ValueError(_USE.format({"nelement": "numel", "ndimension": "dim"}.get(name, name))))


def materialize(p, shape):
    """UninitializedParameter.materialize: an empty tensor of `shape` (its own dtype) in place; a Parameter now."""
    p.data = B.zeros(shape, dtype=p.data.dtype)        # (reset_parameters fills it)
    p.parameter = True


def _uninitialized(module) -> bool:
    """LazyModuleMixin.has_uninitialized_params."""
    own = module.__dict__
    return any(is_uninitialized(t) for t in (*own["_parameters"].values(), *own["_buffers"].values()))


class LazyLinear(Linear):
    @program("__init__")
    def init(self, out_features, bias=True, device=None, dtype=None):
        # (Linear.__init__(0, 0, False), whose reset_parameters, this class's, draws nothing)
        Linear.init(self, 0, 0, False)
        Module.program_setattr(self, "weight", uninitialized_parameter(device=device, dtype=dtype))
        Module.program_setattr(self, "out_features", out_features)
        if bias:
            Module.program_setattr(self, "bias", uninitialized_parameter(device=device, dtype=dtype))

    @program("reset_parameters")
    def reset_parameters(self):
        if not _uninitialized(self) and self.__dict__["in_features"] != 0:
            Linear.reset_parameters(self)

    @program("has_uninitialized_params")
    def has_uninitialized_params(self):
        return _uninitialized(self)

    @program("initialize_parameters")
    def initialize_parameters(self, input):
        if _uninitialized(self):
            with set_grad_enabled(False):
                if type(input) is not Tensor:
                    raise_python(AttributeError(f"'{type(input).__name__}' object has no attribute 'shape'"))
                if not input.data.shape:
                    raise_python(IndexError("tuple index out of range"))
                own = self.__dict__
                own["in_features"] = input.data.shape[-1]
                params = own["_parameters"]
                materialize(params["weight"], (own["out_features"], own["in_features"]))
                if params["bias"] is not None:
                    materialize(params["bias"], (own["out_features"],))
                call(self, "reset_parameters")

    @program("forward")
    def forward(self, input):
        # (PyTorch's forward pre-hook, _infer_parameters: the parameters' shapes, then the class is Linear's)
        call(self, "initialize_parameters", input)
        if _uninitialized(self):
            raise AgcliError(f"module {call(self, '_get_name')} has not been fully initialized")
        if type(self) is LazyLinear:
            self.__class__ = Linear
        return Linear.forward(self, input)


native_class(LazyLinear, "torch.nn.modules.linear")
LAZY = {"LazyLinear": LazyLinear}
__all__ = ["LAZY", "REFUSED", "UNINITIALIZED", "is_uninitialized", "refuse"]
