"""torch.nn's recurrent layers: RNN (tanh or relu), LSTM and GRU, as torch/nn/modules/rnn.py writes
them (attributes, parameters in PyTorch's order and initialisation, checks, warnings, printing), their
forward composed as ATen's CPU code composes it (aten/src/ATen/native/RNN.cpp: rnn_tanh, rnn_relu,
gru, lstm; _rnn_impl, apply_layer_stack, FullLayer, FullBidirectionalLayer) from the cells of
cells.py, so that the graph is PyTorch's node for node. (PyTorch's float32 LSTM on a CPU runs
oneDNN's kernel instead, one MkldnnRnnLayerBackward0 node a layer: agcli runs this composite path
for every dtype.) A PackedSequence (torch.nn.utils.rnn) runs through recurrent_packed.py's packed
layers. Projections (proj_size) are not provided.
"""
from __future__ import annotations

import numbers

from ...errors import AgcliError
from ...state import state
from ...torchapi import creation as C
from ...torchapi import functions as Fn
from ...torchapi.dtypes import dtype_name
from ..program_items import getitem
from ..program_objects import Property
from .cells import gru_cell, linear_ih, lstm_cell, relu_cell, reset_uniform, tanh_cell, zeros_for
from .layers import functional, init_with, method
from .module import Module
from .native import call, native_class, program
from .parameter import parameter
from .recurrent_packed import packed_forward
from .rnn_utils import PackedSequence

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}
_CELLS = {"LSTM": lstm_cell, "GRU": gru_cell, "RNN_TANH": tanh_cell, "RNN_RELU": relu_cell}


def _set_up(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
            bidirectional=False, proj_size=0, device=None, dtype=None):
    """RNNBase.__init__: the checks, the attributes, each layer's and direction's parameters, reset_parameters."""
    init_with(self, mode=mode, input_size=input_size, hidden_size=hidden_size, num_layers=num_layers, bias=bias,
              batch_first=batch_first, dropout=float(dropout), bidirectional=bidirectional, proj_size=proj_size)
    num_directions = 2 if bidirectional else 1
    if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
        raise AgcliError("dropout should be a number in range [0, 1] representing the probability of an element "
                         "being zeroed", kind="value")
    if dropout > 0 and num_layers == 1:
        state.warn("UserWarning: dropout option adds dropout after all but last recurrent layer, so non-zero "
                   f"dropout expects num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}")
    for name, value in (("bias", bias), ("batch_first", batch_first)):
        if not isinstance(value, bool):
            raise AgcliError(f"{name} should be of type bool, got: {type(value).__name__}", kind="type")
    for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
        if not isinstance(value, int):
            raise AgcliError(f"{name} should be of type int, got: {type(value).__name__}", kind="type")
        if value <= 0:
            raise AgcliError(f"{name} must be greater than zero", kind="value")
    if num_layers <= 0:
        raise AgcliError("num_layers must be greater than zero", kind="value")
    if proj_size < 0:
        raise AgcliError("proj_size should be a positive integer or zero to disable projections", kind="value")
    if proj_size >= hidden_size:
        raise AgcliError("proj_size has to be smaller than hidden_size", kind="value")
    if proj_size:
        raise AgcliError("agcli's LSTM has no projections: proj_size must be 0", kind="not_implemented")
    if mode not in _GATES:
        raise AgcliError("Unrecognized RNN mode: " + mode, kind="value")
    gate_size = _GATES[mode] * hidden_size
    names = []
    for layer in range(num_layers):
        for direction in range(num_directions):
            layer_input_size = input_size if layer == 0 else hidden_size * num_directions
            suffix = "_reverse" if direction == 1 else ""
            shapes = {f"weight_ih_l{layer}{suffix}": (gate_size, layer_input_size),
                      f"weight_hh_l{layer}{suffix}": (gate_size, hidden_size)}
            if bias:
                shapes.update({f"bias_ih_l{layer}{suffix}": (gate_size,), f"bias_hh_l{layer}{suffix}": (gate_size,)})
            for name, shape in shapes.items():
                Module.program_setattr(self, name, parameter(C.empty(shape, device=device, dtype=dtype)))
            names.append(list(shapes))
    Module.program_setattr(self, "_flat_weights_names", [name for layer in names for name in layer])
    Module.program_setattr(self, "_all_weights", names)
    call(self, "reset_parameters")


_set_up.__qualname__ = "RNNBase.__init__"       # (Python's words for a call that does not fit it)


def _no_projections(kwargs):
    if "proj_size" in kwargs:
        raise AgcliError("proj_size argument is only supported for LSTM, not RNN or GRU", kind="value")


# ------------------------------------------------------------------ ATen's layers
def _run_steps(steps, hidden, weights, cell, lstm):
    """FullLayer over precomputed inputs: the step outputs and the last hidden state."""
    outputs = []
    for step in steps:
        hidden = cell(step, hidden, weights, True)
        outputs.append(hidden[0] if lstm else hidden)
    return outputs, hidden


def _layer_stack(own, input, hiddens, weights, cell, lstm):
    """apply_layer_stack: each layer (both directions when bidirectional) on the last one's output,
    dropout between layers in training; (output, the final hidden states in (layer, direction) order)."""
    layer_input, finals = input, []
    directions = 2 if own["bidirectional"] else 1
    for layer in range(own["num_layers"]):
        k = layer * directions
        steps = Fn.unbind(linear_ih(weights[k], layer_input), 0)
        fw_outputs, fw_hidden = _run_steps(steps, hiddens[k], weights[k], cell, lstm)
        if not fw_outputs:
            raise AgcliError("Expected sequence length to be larger than 0 in RNN")
        output = Fn.stack(fw_outputs, 0)
        finals.append(fw_hidden)
        if directions == 2:
            steps = Fn.unbind(linear_ih(weights[k + 1], layer_input), 0)[::-1]
            rev_outputs, rev_hidden = _run_steps(steps, hiddens[k + 1], weights[k + 1], cell, lstm)
            rev_output = Fn.stack(rev_outputs[::-1], 0)
            output = Fn.cat([output, rev_output], output.ndim - 1)
            finals.append(rev_hidden)
        layer_input = output
        if own["dropout"] != 0 and own["training"] and layer < own["num_layers"] - 1:
            layer_input = functional("dropout")(layer_input, own["dropout"], True)
    return layer_input, finals


# ------------------------------------------------------------------ the modules
class RNNBase(Module):
    pytorch_owners = {"extra_repr": "RNNBase", "reset_parameters": "RNNBase", "flatten_parameters": "RNNBase"}
    kind = "RNNBase"
    dims_words = "tensor instead"

    @program("__init__")
    def init(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
             bidirectional=False, proj_size=0, device=None, dtype=None):
        _set_up(self, mode, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                proj_size, device, dtype)

    @program("reset_parameters")
    def reset_parameters(self):
        reset_uniform(self)

    @program("flatten_parameters")
    def flatten_parameters(self):
        """cuDNN's one block of weights: nothing to do on a CPU, as PyTorch's returns there."""
        return None

    @program("extra_repr")
    def extra_repr(self):
        own = self.__dict__
        text = f"{own['input_size']}, {own['hidden_size']}"
        if own["proj_size"] != 0:
            text += f", proj_size={own['proj_size']}"
        if own["num_layers"] != 1:
            text += f", num_layers={own['num_layers']}"
        if own["bias"] is not True:
            text += f", bias={own['bias']}"
        if own["batch_first"] is not False:
            text += f", batch_first={own['batch_first']}"
        if own["dropout"] != 0:
            text += f", dropout={own['dropout']}"
        if own["bidirectional"] is not False:
            text += f", bidirectional={own['bidirectional']}"
        return text

    def prepare(self, input, hx, lstm=False):
        """The Python forward's checks, unbatched input and default hidden states: (input, hx as
        a batch, is_batched, the batch dim)."""
        own = self.__dict__
        if method(input, "dim") not in (2, 3):
            raise AgcliError(f"{self.kind}: Expected input to be 2D or 3D, got {input.ndim}D {self.dims_words}",
                             kind="value")
        is_batched, batch_dim = input.ndim == 3, 0 if own["batch_first"] else 1
        if not is_batched:
            input = method(input, "unsqueeze", batch_dim)
        given = () if hx is None else (getitem(hx, 0), getitem(hx, 1)) if lstm else (hx,)   # (Python's errors)
        if given and not lstm and method(hx, "dim") != (3 if is_batched else 2):
            raise AgcliError(f"For {'batched 3' if is_batched else 'unbatched 2'}-D input, hx should also be "
                             f"{3 if is_batched else 2}-D but got {method(hx, 'dim')}-D tensor")
        dims = [method(h, "dim") for h in given] if lstm else ()
        if dims and (dims[0] != 3 - (not is_batched) or dims[1] != 3 - (not is_batched)):
            raise AgcliError(f"For {'batched 3' if is_batched else 'unbatched 2'}-D input, hx and cx should also "
                             f"be {3 if is_batched else 2}-D but got ({dims[0]}-D, {dims[1]}-D) tensors")
        if given and not is_batched:
            given = tuple(method(h, "unsqueeze", 1) for h in given)
        batch = input.shape[0 if own["batch_first"] else 1]
        layers = own["num_layers"] * (2 if own["bidirectional"] else 1)
        if not given:
            given = tuple(zeros_for(input, layers, batch, own["hidden_size"]) for _ in range(2 if lstm else 1))
        self.check_input(input)
        expected = (layers, batch, own["hidden_size"])
        for k, h in enumerate(given):
            if tuple(h.shape) != expected:
                what = f"hidden[{k}]" if lstm else "hidden"
                raise AgcliError(f"Expected {what} size {expected}, got {list(h.shape)}")
        if lstm and is_batched and isinstance(hx, (tuple, list)) and len(hx) != 2:
            raise AgcliError("lstm expects two hidden states")      # (ATen's; unbatched, Python keeps two)
        return input, given, is_batched, batch_dim

    def check_input(self, input):
        own = self.__dict__
        weight = own["_parameters"][own["_flat_weights_names"][0]]
        if input.data.dtype != weight.data.dtype:
            have, want = dtype_name(input.data.dtype), dtype_name(weight.data.dtype)
            raise AgcliError(f"RNN input dtype (torch.{have}) does not match weight dtype (torch.{want}). Convert "
                             f"input: input.to(torch.{want}), or convert model: model.to(torch.{have})",
                             kind="value")
        if input.ndim != 3:
            raise AgcliError(f"input must have 3 dimensions, got {input.ndim}")
        if own["input_size"] != input.shape[-1]:
            raise AgcliError(f"input.size(-1) must be equal to input_size. Expected {own['input_size']}, "
                             f"got {input.shape[-1]}")

    def weights(self):
        """Each layer's and direction's (w_ih, w_hh, b_ih, b_hh), in PyTorch's order."""
        own = self.__dict__
        params, names = own["_parameters"], own["_flat_weights_names"]
        per = 4 if own["bias"] else 2
        return [tuple(params[n] for n in names[k:k + per]) + (None,) * (4 - per) for k in range(0, len(names), per)]

    def run(self, input, hx):
        """rnn_tanh, rnn_relu, gru: (output, h_n) of a batch, the input (seq, batch, feature)."""
        own = self.__dict__
        if own["batch_first"]:
            input = method(input, "transpose", 0, 1)
        output, finals = _layer_stack(own, input, Fn.unbind(hx, 0), self.weights(), _CELLS[own["mode"]], False)
        hidden = Fn.stack(finals, 0)
        if own["batch_first"]:
            method(output, "transpose_", 0, 1)
        return output, hidden

    def forward_one(self, input, hx):
        """RNN's and GRU's forward."""
        if isinstance(input, PackedSequence):
            return packed_forward(self, input, hx, _CELLS[self.__dict__["mode"]])
        input, (hx,), is_batched, batch_dim = self.prepare(input, hx)
        output, hidden = self.run(input, hx)
        if not is_batched:
            output, hidden = method(output, "squeeze", batch_dim), method(hidden, "squeeze", 1)
        return output, hidden


class RNN(RNNBase):
    kind = "RNN"

    @program("__init__")
    def init(self, *args, **kwargs):
        _no_projections(kwargs)
        if len(args) > 3:
            nonlinearity, args = args[3], args[:3] + args[4:]
        else:
            nonlinearity = kwargs.pop("nonlinearity", "tanh")
        self.__dict__["nonlinearity"] = nonlinearity     # (set before Module.__init__, as PyTorch's)
        if nonlinearity not in ("tanh", "relu"):
            raise AgcliError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.", kind="value")
        _set_up(self, "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", *args, **kwargs)

    @program("forward")
    def forward(self, input, hx=None):
        return self.forward_one(input, hx)


class GRU(RNNBase):
    kind = "GRU"
    dims_words = "instead"

    @program("__init__")
    def init(self, *args, **kwargs):
        _no_projections(kwargs)
        _set_up(self, "GRU", *args, **kwargs)

    @program("forward")
    def forward(self, input, hx=None):
        return self.forward_one(input, hx)


class LSTM(RNNBase):
    kind = "LSTM"
    dims_words = "instead"

    @program("__init__")
    def init(self, *args, **kwargs):
        _set_up(self, "LSTM", *args, **kwargs)

    @program("forward")
    def forward(self, input, hx=None):
        own = self.__dict__
        if isinstance(input, PackedSequence):
            return packed_forward(self, input, hx, lstm_cell, lstm=True)
        input, (h0, c0), is_batched, batch_dim = self.prepare(input, hx, lstm=True)
        if own["batch_first"]:
            input = method(input, "transpose", 0, 1)
        hiddens = list(zip(Fn.unbind(h0, 0), Fn.unbind(c0, 0)))
        output, finals = _layer_stack(own, input, hiddens, self.weights(), lstm_cell, True)
        hy, cy = Fn.stack([h for h, _ in finals], 0), Fn.stack([c for _, c in finals], 0)
        if own["batch_first"]:
            output = method(output, "transpose", 0, 1)
        if not is_batched:
            return method(output, "squeeze", batch_dim), (method(hy, "squeeze", 1), method(cy, "squeeze", 1))
        return output, (hy, cy)


def _all_weights(self):
    """rnn.all_weights (a property): each layer's and direction's parameters, in their order."""
    params = self.__dict__["_parameters"]
    return [[params[name] for name in names] for names in self.__dict__["_all_weights"]]


for _cls in (RNNBase, RNN, LSTM, GRU):
    native_class(_cls, "torch.nn.modules.rnn")
    _cls._ns["all_weights"] = Property(_all_weights)

RECURRENT = {cls.__name__: cls for cls in (RNNBase, RNN, LSTM, GRU)}
