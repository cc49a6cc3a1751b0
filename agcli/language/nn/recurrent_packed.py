"""nn.RNN, nn.LSTM and nn.GRU given a PackedSequence (torch.nn.utils.rnn): the Python forward's
permutation of the hidden states and its checks, then ATen's packed layers (aten/src/ATen/native/
RNN.cpp: PackedLayer, ReversedPackedLayer, PackedBidirectionalLayer): each step runs the cell on
that step's batch, the hidden states of sequences that ended set aside (narrow) and concatenated
back at the end (cat), so that the graph is PyTorch's node for node.
"""
from __future__ import annotations

from ...errors import AgcliError
from ...torchapi import functions as Fn
from ...torchapi.dtypes import dtype_name
from .cells import linear_ih, zeros_for
from .layers import functional, method
from .rnn_utils import PackedSequence, int_list


def _slice(hidden, start, stop, lstm):
    """hidden_slice: rows start..stop of the hidden state (both of an LSTM's)."""
    if lstm:
        return tuple(method(h, "narrow", 0, start, stop - start) for h in hidden)
    return method(hidden, "narrow", 0, start, stop - start)


def _concat(hiddens, lstm):
    if lstm:
        return tuple(Fn.cat([h[k] for h in hiddens], 0) for k in (0, 1))
    return Fn.cat(list(hiddens), 0)


def _forward_layer(data, sizes, hidden, weights, cell, lstm):
    """PackedLayer: step by step, the rows of the sequences that ended kept aside."""
    outputs, finals, offset, last = [], [], 0, sizes[0]
    for size in sizes:
        step = method(data, "narrow", 0, offset, size)
        offset += size
        if last > size:
            finals.append(_slice(hidden, size, last, lstm))
            hidden = _slice(hidden, 0, size, lstm)
        last = size
        hidden = cell(step, hidden, weights, True)
        outputs.append(hidden[0] if lstm else hidden)
    finals.append(hidden)
    return Fn.cat(outputs, 0), _concat(finals[::-1], lstm)


def _reversed_layer(data, sizes, given, weights, cell, lstm):
    """ReversedPackedLayer: from the last step back, rows of the given hidden state joined as the batch grows."""
    outputs, offset, last = [], data.shape[0], sizes[-1]
    hidden = _slice(given, 0, sizes[-1], lstm)
    for size in reversed(sizes):
        if size > last:
            hidden = _concat([hidden, _slice(given, last, size, lstm)], lstm)
        step = method(data, "narrow", 0, offset - size, size)
        offset -= size
        last = size
        hidden = cell(step, hidden, weights, True)
        outputs.append(hidden[0] if lstm else hidden)
    return Fn.cat(outputs[::-1], 0), hidden


def _layer_stack(own, data, sizes, hiddens, weights, cell, lstm):
    """apply_layer_stack over packed data: (the last layer's data, the final hidden states)."""
    layer_input, finals = data, []
    directions = 2 if own["bidirectional"] else 1
    for layer in range(own["num_layers"]):
        k = layer * directions
        output, hidden = _forward_layer(linear_ih(weights[k], layer_input), sizes, hiddens[k], weights[k], cell, lstm)
        finals.append(hidden)
        if directions == 2:
            reverse, hidden = _reversed_layer(linear_ih(weights[k + 1], layer_input), sizes, hiddens[k + 1],
                                              weights[k + 1], cell, lstm)
            output = Fn.cat([output, reverse], output.ndim - 1)
            finals.append(hidden)
        layer_input = output
        if own["dropout"] != 0 and own["training"] and layer < own["num_layers"] - 1:
            layer_input = functional("dropout")(layer_input, own["dropout"], True)
    return layer_input, finals


def _permuted(hx, permutation, lstm):
    """permute_hidden: the hidden states' batch in the packed order (index_select on dim 1)."""
    if permutation is None:
        return hx
    if lstm:
        return method(hx[0], "index_select", 1, permutation), method(hx[1], "index_select", 1, permutation)
    return method(hx, "index_select", 1, permutation)


def _check(module, data, hx, mini_batch):
    """RNN's and GRU's check_forward_args for packed data (2-D)."""
    own = module.__dict__
    weight = own["_parameters"][own["_flat_weights_names"][0]]
    if data.data.dtype != weight.data.dtype:
        have, want = dtype_name(data.data.dtype), dtype_name(weight.data.dtype)
        raise AgcliError(f"RNN input dtype (torch.{have}) does not match weight dtype (torch.{want}). Convert "
                         f"input: input.to(torch.{want}), or convert model: model.to(torch.{have})", kind="value")
    if data.ndim != 2:
        raise AgcliError(f"input must have 2 dimensions, got {data.ndim}")
    if own["input_size"] != data.shape[-1]:
        raise AgcliError(f"input.size(-1) must be equal to input_size. Expected {own['input_size']}, "
                         f"got {data.shape[-1]}")
    expected = (own["num_layers"] * (2 if own["bidirectional"] else 1), mini_batch, own["hidden_size"])
    if tuple(hx.shape) != expected:
        raise AgcliError(f"Expected hidden size {expected}, got {list(hx.shape)}")


def packed_forward(module, packed, hx, cell, lstm=False):
    """The forward of a recurrent module given a PackedSequence: (a PackedSequence, h_n or (h_n, c_n))."""
    own = module.__dict__
    data, batch_sizes, sorted_indices, unsorted_indices = packed
    sizes = int_list(batch_sizes)
    layers = own["num_layers"] * (2 if own["bidirectional"] else 1)
    if hx is None:
        hx = tuple(zeros_for(data, layers, sizes[0], own["hidden_size"]) for _ in range(2 if lstm else 1))
        hx = hx if lstm else hx[0]
    else:
        hx = _permuted(hx, sorted_indices, lstm)
    if lstm:
        if len(hx) != 2:
            raise AgcliError("lstm expects two hidden states")
        hiddens = list(zip(Fn.unbind(hx[0], 0), Fn.unbind(hx[1], 0)))
    else:
        _check(module, data, hx, sizes[0])
        hiddens = Fn.unbind(hx, 0)
    output, finals = _layer_stack(own, data, sizes, hiddens, module.weights(), cell, lstm)
    if lstm:
        hidden = (Fn.stack([h for h, _ in finals], 0), Fn.stack([c for _, c in finals], 0))
    else:
        hidden = Fn.stack(finals, 0)
    return PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices), \
        _permuted(hidden, unsorted_indices, lstm)
