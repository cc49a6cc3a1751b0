"""torch.nn's layers: Linear and Embedding (PyTorch's default initialisations, drawn from agcli's
copy of PyTorch's generator), Identity, Flatten, Unflatten and Dropout, as torch/nn/modules/linear.py,
sparse.py, flatten.py and dropout.py write them. Their forward calls PyTorch's functions by name, checked as a program's call of
them is (program_torch_calls.py): `functional` and `method`, which activations.py and
losses.py use too.
"""
from __future__ import annotations

import math

from ...engine import backend as B
from ...engine.tensor import Tensor
from ...errors import AgcliError
from ...torchapi import creation as C
from ...torchapi import namespace, nn_init
from ..program_torch_calls import TorchFunction
from ..program_names import receiver_tables
from .module import Module
from ..program_classes import instantiate
from ..program_exceptions import raise_python
from ..program_objects import ClassMethod
from ..program_values import type_name
from .native import NativeMethod, call, native_class, program, registered_or_member, typename
from .parameter import parameter

_FUNCTIONS = {}
# F's functions written in the language layer (an activation's inplace=True: language/nn/activations.py)
FUNCTIONAL_OVERRIDES = {}


def functional(name):
    """F.name as a program calls it (made on first use: a name another part of agcli adds later is found)."""
    fn = FUNCTIONAL_OVERRIDES.get(name) or _FUNCTIONS.get(name)
    if fn is None:
        if name not in namespace.FUNCTIONS:
            raise AgcliError(f"agcli does not provide torch.nn.functional.{name}, which this module calls",
                             kind="name")
        fn = _FUNCTIONS[name] = TorchFunction(name, namespace.FUNCTIONS[name], "torch.nn.functional")
    return fn


def method(x, name, *args):
    """x.name(*args), a tensor's method as a program's call of it (Python's error for another object:
    a pool's (values, indices) pair fed to Flatten)."""
    if type(x) is not Tensor:
        raise_python(AttributeError(f"'{typename(x)}' object has no attribute '{name}'"))
    return receiver_tables()[0][name](x, *args)


def init_with(module, **attributes):
    Module.init(module)
    for name, value in attributes.items():
        Module.program_setattr(module, name, value)


class Linear(Module):
    @program("__init__")
    def init(self, in_features, out_features, bias=True, device=None, dtype=None):
        init_with(self, in_features=in_features, out_features=out_features)
        # (torch.empty, as PyTorch's: reset_parameters fills them)
        Module.program_setattr(self, "weight", parameter(C.empty((out_features, in_features), device=device,
                                                                 dtype=dtype)))
        if bias:
            Module.program_setattr(self, "bias", parameter(C.empty(out_features, device=device, dtype=dtype)))
        else:
            Module.register_parameter(self, "bias", None)
        call(self, "reset_parameters")      # (a subclass's own, as PyTorch's self.reset_parameters())

    @program("reset_parameters")
    def reset_parameters(self):
        params = self.__dict__["_parameters"]
        nn_init.kaiming_uniform_(params["weight"], a=math.sqrt(5))
        if params["bias"] is not None:
            fan_in, _ = nn_init._calculate_fan_in_and_fan_out(params["weight"])
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            nn_init.uniform_(params["bias"], -bound, bound)

    @program("forward")
    def forward(self, input):
        weight, bias = registered_or_member(self, "weight"), registered_or_member(self, "bias")
        return functional("linear")(input, weight, bias)

    @program("extra_repr")
    def extra_repr(self):
        own = self.__dict__
        return f"in_features={own['in_features']}, out_features={own['out_features']}, " \
               f"bias={registered_or_member(self, 'bias') is not None}"


class Embedding(Module):
    @program("__init__")
    def init(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
             scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None):
        if padding_idx is not None:
            if padding_idx > 0 and padding_idx >= num_embeddings or padding_idx < 0 and padding_idx < -num_embeddings:
                raise AgcliError("Padding_idx must be within num_embeddings", kind="assert")
            if padding_idx < 0:
                padding_idx = num_embeddings + padding_idx
        init_with(self, num_embeddings=num_embeddings, embedding_dim=embedding_dim, padding_idx=padding_idx,
                  max_norm=max_norm, norm_type=norm_type, scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)
        weight = C.empty((num_embeddings, embedding_dim), device=device, dtype=dtype) if _weight is None else _weight
        Module.program_setattr(self, "weight", parameter(weight, requires_grad=not _freeze))
        if _weight is None:
            call(self, "reset_parameters")

    @program("reset_parameters")
    def reset_parameters(self):
        weight = self.__dict__["_parameters"]["weight"]
        nn_init.normal_(weight)
        padding_idx = self.__dict__["padding_idx"]
        if padding_idx is not None:         # (with torch.no_grad(): weight[padding_idx].fill_(0))
            B.setitem(weight.data, (padding_idx,), 0)

    @program("forward")
    def forward(self, input):
        own = self.__dict__
        return functional("embedding")(input, own["_parameters"]["weight"], own["padding_idx"], own["max_norm"],
                                       own["norm_type"], own["scale_grad_by_freq"], own["sparse"])

    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, sparse=False):
        """Embedding.from_pretrained (a classmethod): a layer whose weight is `embeddings`' storage."""
        if type(embeddings) is not Tensor:
            raise_python(AttributeError(f"'{type_name(embeddings)}' object has no attribute 'dim'"))
        if embeddings.data.ndim != 2:
            raise_python(AssertionError("Embeddings parameter is expected to be 2-dimensional"))
        rows, cols = embeddings.data.shape
        return instantiate(cls, (), dict(num_embeddings=rows, embedding_dim=cols, _weight=embeddings, _freeze=freeze,
                                         padding_idx=padding_idx, max_norm=max_norm, norm_type=norm_type,
                                         scale_grad_by_freq=scale_grad_by_freq, sparse=sparse))

    @program("extra_repr")
    def extra_repr(self):
        own = self.__dict__
        text = f"{own['num_embeddings']}, {own['embedding_dim']}"
        for name, default in (("padding_idx", None), ("max_norm", None), ("norm_type", 2), ("scale_grad_by_freq", False),
                              ("sparse", False)):
            if own[name] != default:
                text += f", {name}={own[name]}"
        return text


class Identity(Module):
    @program("__init__")
    def init(self, *args, **kwargs):
        Module.init(self)

    @program("forward")
    def forward(self, input):
        return input


class Flatten(Module):
    @program("__init__")
    def init(self, start_dim=1, end_dim=-1):
        init_with(self, start_dim=start_dim, end_dim=end_dim)

    @program("forward")
    def forward(self, input):
        return method(input, "flatten", self.__dict__["start_dim"], self.__dict__["end_dim"])

    @program("extra_repr")
    def extra_repr(self):
        return f"start_dim={self.__dict__['start_dim']}, end_dim={self.__dict__['end_dim']}"


class Unflatten(Module):
    @program("__init__")
    def init(self, dim, unflattened_size):
        if not isinstance(unflattened_size, (tuple, list)):
            raise AgcliError(f"unflattened_size must be a tuple of ints, but found type "
                             f"{type(unflattened_size).__name__}", kind="type")
        for i, size in enumerate(unflattened_size):
            if type(size) is not int:
                raise AgcliError(f"unflattened_size must be tuple of ints, but found element of type "
                                 f"{type(size).__name__} at pos {i}", kind="type")
        init_with(self, dim=dim, unflattened_size=unflattened_size)

    @program("forward")
    def forward(self, input):
        return method(input, "unflatten", self.__dict__["dim"], self.__dict__["unflattened_size"])

    @program("extra_repr")
    def extra_repr(self):
        return f"dim={self.__dict__['dim']}, unflattened_size={self.__dict__['unflattened_size']}"


class Dropout(Module):
    function = "dropout"

    @program("__init__")
    def init(self, p=0.5, inplace=False):
        if not 0 <= p <= 1:
            raise AgcliError(f"dropout probability has to be between 0 and 1, but got {p}", kind="value")
        init_with(self, p=p, inplace=inplace)

    @program("forward")
    def forward(self, input):
        own = self.__dict__
        return functional(self.function)(input, own["p"], own["training"], own["inplace"])

    @program("extra_repr")
    def extra_repr(self):
        return f"p={self.__dict__['p']}, inplace={self.__dict__['inplace']}"


class Dropout1d(Dropout):
    function = "dropout1d"


class Dropout2d(Dropout):
    function = "dropout2d"


class Dropout3d(Dropout):
    function = "dropout3d"


for _cls, _module in ((Linear, "linear"), (Embedding, "sparse"), (Identity, "linear"), (Flatten, "flatten"),
                     (Unflatten, "flatten"), (Dropout, "dropout"), (Dropout1d, "dropout"), (Dropout2d, "dropout"),
                     (Dropout3d, "dropout")):
    native_class(_cls, f"torch.nn.modules.{_module}")
Embedding._ns["from_pretrained"] = ClassMethod(NativeMethod(Embedding.from_pretrained, "from_pretrained",
                                                            "Embedding.from_pretrained"))

LAYERS = {cls.__name__: cls for cls in (Linear, Embedding, Identity, Flatten, Unflatten, Dropout, Dropout1d,
                                        Dropout2d, Dropout3d)}
