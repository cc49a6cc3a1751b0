"""torch.nn's recurrent cells: RNNCell, LSTMCell and GRUCell (torch/nn/modules/rnn.py), and the cells'
arithmetic that nn.RNN, nn.LSTM and nn.GRU (recurrent.py) run too, composed of PyTorch's ops as ATen's
CPU code composes it (aten/src/ATen/native/RNN.cpp: SimpleCell, LSTMCell, GRUCell), so that each
step records PyTorch's nodes: AddmmBackward0 for each linear, the gates' UnsafeSplitBackward0, the
in-place sigmoid_/tanh_/add_/mul_ as SigmoidBackward0, TanhBackward0, AddBackward0, MulBackward0.

A cell's weights are (w_ih, w_hh, b_ih, b_hh), a bias None when there is none; `pre`: the input is
already linear(input, w_ih, b_ih) (the layers compute it for the whole sequence at once).
"""
from __future__ import annotations

import math

from ...engine.tensor import Tensor
from ...errors import AgcliError
from ...torchapi import creation as C
from ...torchapi import nn_init
from ...torchapi.dtypes import dtype_name
from ..program_exceptions import raise_python
from ..program_iteration import iterate
from .layers import functional, init_with, method
from .module import Module
from .native import call, native_class, program
from .parameter import parameter


# ------------------------------------------------------------------ the cells' arithmetic
def linear_ih(weights, input):
    return functional("linear")(input, weights[0], weights[2])


def _linear_hh(weights, hidden):
    return functional("linear")(hidden, weights[1], weights[3])


def _gates(weights, input, hidden, pre):
    """linear(hidden, w_hh, b_hh).add_(pre ? input : linear(input, w_ih, b_ih))"""
    return method(_linear_hh(weights, hidden), "add_", input if pre else linear_ih(weights, input))


def tanh_cell(input, hidden, weights, pre=False):
    return method(_gates(weights, input, hidden, pre), "tanh")


def relu_cell(input, hidden, weights, pre=False):
    return method(_gates(weights, input, hidden, pre), "relu")


def lstm_cell(input, hidden, weights, pre=False):
    """(hy, cy) from (hx, cx)."""
    hx, cx = hidden
    chunks = method(_gates(weights, input, hx, pre), "unsafe_chunk", 4, 1)
    ingate = method(chunks[0], "sigmoid_")
    forgetgate = method(chunks[1], "sigmoid_")
    cellgate = method(chunks[2], "tanh_")
    outgate = method(chunks[3], "sigmoid_")
    cy = method(method(forgetgate, "mul", cx), "add_", method(ingate, "mul", cellgate))
    hy = method(outgate, "mul", method(cy, "tanh"))
    return hy, cy


def gru_cell(input, hidden, weights, pre=False):
    igates = method(input if pre else linear_ih(weights, input), "unsafe_chunk", 3, 1)
    hgates = method(_linear_hh(weights, hidden), "unsafe_chunk", 3, 1)
    reset_gate = method(method(hgates[0], "add_", igates[0]), "sigmoid_")
    input_gate = method(method(hgates[1], "add_", igates[1]), "sigmoid_")
    new_gate = method(method(igates[2], "add", method(hgates[2], "mul_", reset_gate)), "tanh_")
    return method(method(method(hidden, "sub", new_gate), "mul_", input_gate), "add_", new_gate)


def reset_uniform(module):
    """reset_parameters of the recurrent modules: each parameter uniform in +-1/sqrt(hidden_size), in order."""
    hidden_size = module.__dict__["hidden_size"]
    stdv = 1.0 / math.sqrt(hidden_size) if hidden_size > 0 else 0
    for weight in module.__dict__["_parameters"].values():
        if weight is not None:
            nn_init.uniform_(weight, -stdv, stdv)


def zeros_for(input, *shape):
    """torch.zeros(*shape, dtype=input.dtype, device=input.device): a hidden state not given."""
    return C.zeros(*shape, dtype=dtype_name(input.data.dtype), device=input.device)


def _dim(x):
    return method(x, "dim")


# ------------------------------------------------------------------ ATen's checks of a cell's call
def _check_input(input, input_size):
    if input.shape[1] != input_size:
        raise AgcliError(f"input has inconsistent input_size: got {input.shape[1]} expected {input_size}")


def _check_hidden(input, hx, hidden_size, label):
    if input.shape[0] != hx.shape[0]:
        raise AgcliError(f"Input batch size {input.shape[0]} doesn't match hidden{label} batch size {hx.shape[0]}")
    if hx.shape[1] != hidden_size:
        raise AgcliError(f"hidden{label} has inconsistent hidden_size: got {hx.shape[1]}, expected {hidden_size}")


# ------------------------------------------------------------------ the modules
class RNNCellBase(Module):
    kind = "RNNCellBase"
    pytorch_owners = {"extra_repr": "RNNCellBase", "reset_parameters": "RNNCellBase"}

    @program("__init__")
    def init(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        init_with(self, input_size=input_size, hidden_size=hidden_size, bias=bias)
        for name, size in (("weight_ih", input_size), ("weight_hh", hidden_size)):
            Module.program_setattr(self, name, parameter(C.empty((num_chunks * hidden_size, size), device=device,
                                                                 dtype=dtype)))
        for name in ("bias_ih", "bias_hh"):
            if bias:
                Module.program_setattr(self, name, parameter(C.empty(num_chunks * hidden_size, device=device,
                                                                     dtype=dtype)))
            else:
                Module.register_parameter(self, name, None)
        call(self, "reset_parameters")

    @program("extra_repr")
    def extra_repr(self):
        own = self.__dict__
        text = f"{own['input_size']}, {own['hidden_size']}"
        if "bias" in own and own["bias"] is not True:
            text += f", bias={own['bias']}"
        if "nonlinearity" in own and own["nonlinearity"] != "tanh":
            text += f", nonlinearity={own['nonlinearity']}"
        return text

    @program("reset_parameters")
    def reset_parameters(self):
        reset_uniform(self)

    def weights(self):
        params = self.__dict__["_parameters"]
        return params["weight_ih"], params["weight_hh"], params["bias_ih"], params["bias_hh"]

    def batched(self, input, hx):
        """The Python forward's checks and unbatched input, then ATen's checks: (input, the hidden
        states as a batch, is_batched)."""
        name, lstm = self.kind, self.kind == "LSTMCell"
        if _dim(input) not in (1, 2):
            raise AgcliError(f"{name}: Expected input to be 1D or 2D, got {_dim(input)}D instead", kind="value")
        hiddens = () if hx is None else tuple(iterate(hx)) if lstm else (hx,)     # (a tensor: its rows, as Python's)
        for idx, value in enumerate(hiddens):
            if _dim(value) not in (1, 2):
                what = f"hx[{idx}]" if lstm else "hidden"
                raise AgcliError(f"{name}: Expected {what} to be 1D or 2D, got {_dim(value)}D instead", kind="value")
        is_batched = _dim(input) == 2
        if not is_batched:
            input = method(input, "unsqueeze", 0)
        if hx is None:
            zeros = zeros_for(input, input.shape[0], self.__dict__["hidden_size"])
            hiddens = (zeros, zeros) if self.kind == "LSTMCell" else (zeros,)
        elif not is_batched:
            hiddens = tuple(method(h, "unsqueeze", 0) for h in hiddens[:2])
        elif lstm and type(hx) is Tensor:
            raise_python(TypeError("lstm_cell(): argument 'hx' (position 2) must be tuple of Tensors, not Tensor"))
        if lstm and len(hiddens) != 2:
            raise AgcliError("lstm_cell expects two hidden states")
        weights = self.weights()
        _check_input(input, weights[0].shape[1])
        for label, h in enumerate(hiddens):
            _check_hidden(input, h, weights[1].shape[1], label)
        return input, hiddens, is_batched


class RNNCell(RNNCellBase):
    kind = "RNNCell"

    @program("__init__")
    def init(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        RNNCellBase.init(self, input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        Module.program_setattr(self, "nonlinearity", nonlinearity)

    @program("forward")
    def forward(self, input, hx=None):
        input, (hx,), is_batched = self.batched(input, hx)
        nonlinearity = self.__dict__["nonlinearity"]
        if nonlinearity not in ("tanh", "relu"):
            raise AgcliError(f"Unknown nonlinearity: {nonlinearity}")
        ret = (tanh_cell if nonlinearity == "tanh" else relu_cell)(input, hx, self.weights())
        return ret if is_batched else method(ret, "squeeze", 0)


class LSTMCell(RNNCellBase):
    kind = "LSTMCell"

    @program("__init__")
    def init(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        RNNCellBase.init(self, input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    @program("forward")
    def forward(self, input, hx=None):
        input, hx, is_batched = self.batched(input, hx)
        hy, cy = lstm_cell(input, hx, self.weights())
        return (hy, cy) if is_batched else (method(hy, "squeeze", 0), method(cy, "squeeze", 0))


class GRUCell(RNNCellBase):
    kind = "GRUCell"

    @program("__init__")
    def init(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        RNNCellBase.init(self, input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    @program("forward")
    def forward(self, input, hx=None):
        input, (hx,), is_batched = self.batched(input, hx)
        ret = gru_cell(input, hx, self.weights())
        return ret if is_batched else method(ret, "squeeze", 0)


for _cls in (RNNCellBase, RNNCell, LSTMCell, GRUCell):
    native_class(_cls, "torch.nn.modules.rnn")

CELLS = {cls.__name__: cls for cls in (RNNCellBase, RNNCell, LSTMCell, GRUCell)}
