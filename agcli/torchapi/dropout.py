"""F.dropout on the CPU, as ATen's _dropout writes it (aten/src/ATen/native/Dropout.cpp):
the input times a mask of bernoulli_(1 - p) draws divided by 1 - p (MulBackward0); the
input itself when not training, when p is 0 or when it is empty; times a zero for p = 1.
F.dropout1d/2d/3d: its feature_dropout, one draw a sample and channel (a (N, C, 1, ...) mask).

The mask is drawn as PyTorch draws bernoulli_(number) on CPUs other than Intel's
(sampling.py). On Intel CPUs PyTorch's MKL build draws it from MKL's own generator, so
there its masks differ from agcli's (README, "Where agcli differs").
"""
from __future__ import annotations

from . import distributions as Dn
from .arithmetic import mul
from .checks import fail, numel, shape_of
from .generator import chosen
from .in_place import mul_
from .sampling import drawn_like
from ..engine import backend as B
from ..engine.ops.shapes import squeeze, unsqueeze
from ..engine.tensor import Tensor
from ..state import state


def dropout(input, p=0.5, training=True, inplace=False):
    if not 0.0 <= p <= 1.0:
        fail(f"dropout probability has to be between 0 and 1, but got {p}", "value")
    return _dropped(input, p, training, inplace, None)


def _feature_dropout(input, p, training, inplace):
    """ATen's feature_dropout: whole channels (dim 1) zeroed, a draw a sample and channel."""
    shape = shape_of(input)
    return _dropped(input, p, training, inplace, shape[:2] + (1,) * max(len(shape) - 2, 0))


def _dropped(input, p, training, inplace, noise_shape):
    """ATen's _dropout_impl: the input times a mask of bernoulli_(1 - p) draws over 1 - p, the mask
    shaped as the input (None) or as `noise_shape` (feature dropout's, one draw a channel)."""
    if not training or p == 0 or numel(shape_of(input)) == 0:
        return input
    if noise_shape is not None and len(noise_shape) < 2:
        fail("Feature dropout requires at least 2 dimensions in the input")
    d = B.dtype_name(input.data.dtype)
    if p == 1:
        noise = Tensor(B.zeros((), dtype=B.dtype(d)), device=input.device)
    else:
        keep = 1 - p
        g = chosen(None)
        like = input if noise_shape is None else Tensor(B.empty(noise_shape, dtype=B.dtype(d)), device=input.device)
        mask = drawn_like(like, lambda n, contiguous, _: Dn.bernoulli_scalar(g, n, keep).astype(d))
        # (noise.div_(1 - p), in its dtype)
        noise = Tensor(mask / B.asarray(keep, dtype=B.dtype(d)), device=input.device)
    return mul_(input, noise) if inplace else mul(input, noise)


def _channels(name, input, p, training, inplace, dims):
    """dropout1d/3d: a channel dim and `dims` spatial dims, a batch dim or not (unbatched: one sample)."""
    if not 0.0 <= p <= 1.0:
        fail(f"dropout probability has to be between 0 and 1, but got {p}", "value")
    n = len(shape_of(input))
    if n not in (dims + 1, dims + 2):
        if dims == 1:
            fail(f"dropout1d: Expected 2D or 3D input, but received a {n}D input. Note that dropout1d exists to "
                 "provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an "
                 "optional batch dimension (i.e. 2D or 3D inputs).")
        _dims_warning(name, n, dims)
    if n == dims + 2:
        return _feature_dropout(input, p, training, inplace)
    if inplace:
        return _feature_dropout(input, p, training, True)      # (one sample: its channels' draws, in order)
    return squeeze(_feature_dropout(unsqueeze(input, 0), p, training, False), 0)


def _dims_warning(name, n, dims):
    kind = {2: "2 spatial dimensions", 3: "3 spatial dimensions"}[dims]
    state.warn(f"UserWarning: {name}: Received a {n}-D input to {name}, which is deprecated and will result in an "
               f"error in a future release. To retain the behavior and silence this warning, please use dropout "
               f"instead. Note that {name} exists to provide channel-wise dropout on inputs with {kind}, a channel "
               f"dimension, and an optional batch dimension (i.e. {dims + 1}D or {dims + 2}D inputs).")


def dropout1d(input, p=0.5, training=True, inplace=False):
    return _channels("dropout1d", input, p, training, inplace, 1)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Channels of a (N, C, H, W) input; a 3-d input is read as (N, C, L), with PyTorch's warnings."""
    if not 0.0 <= p <= 1.0:
        fail(f"dropout probability has to be between 0 and 1, but got {p}", "value")
    n = len(shape_of(input))
    if n not in (3, 4):
        _dims_warning("dropout2d", n, 2)
    if n == 3:
        state.warn("UserWarning: dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
                   "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is the channel "
                   "dim. This behavior will change in a future release to interpret the input as one without a "
                   "batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please "
                   "switch to using dropout1d instead.")
    return _feature_dropout(input, p, training, inplace)


def dropout3d(input, p=0.5, training=True, inplace=False):
    return _channels("dropout3d", input, p, training, inplace, 3)
