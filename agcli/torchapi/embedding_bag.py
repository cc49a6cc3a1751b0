"""F.embedding_bag (nn.EmbeddingBag's forward): torch/nn/functional.py's checks in its words, then
ATen's (indices, offsets, padding index), the bags laid out as ATen's offset2bag, and the op
(engine/ops/bags.py: EmbeddingBagBackward0)."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.ops import bags as BG
from ..engine.tensor import Tensor, apply
from ..errors import AgcliError, torch_type_name
from ..state import state
from .checks import fail
from .nn import _embedding_renorm
from .shaping import reshape

_MODES = {"sum": BG.SUM, "mean": BG.MEAN, "max": BG.MAX}


def _size_text(t) -> str:
    return f"torch.Size([{', '.join(map(str, t.data.shape))}])"


def _type_text(t) -> str:
    name = B.dtype_name(t.data.dtype)
    return f"torch.{'FloatTensor' if name == 'float32' else torch_type_name(name) + 'Tensor'}"


def _value_error(message):
    raise AgcliError(message, kind="value")


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    if type(input) is not Tensor or type(weight) is not Tensor:
        fail("embedding_bag(): argument 'input' and 'weight' must be tensors", "type")
    if B.kind(weight.data.dtype) in "iu" and B.kind(input.data.dtype) == "f":
        state.warn("UserWarning: Argument order of nn.functional.embedding_bag was changed. Usage `embedding_bag("
                   "weight, input, ...)` is deprecated, and should now be `embedding_bag(input, weight, ...)`.")
        weight, input = input, weight
    if per_sample_weights is not None and input.data.shape != per_sample_weights.data.shape:
        _value_error(f"embedding_bag: If per_sample_weights ({_size_text(per_sample_weights)}) is not None, then it "
                     f"must have the same shape as the input ({_size_text(input)})")
    if weight.data.ndim != 2:
        _value_error(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.data.ndim}")
    if input.data.ndim == 2:
        if offsets is not None:
            _value_error("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed "
                         f"length sequences. However, found offsets of type {_class_text(offsets)}")
        rows, columns = input.data.shape
        starts = B.host.arange(0, rows * columns, columns) if columns else B.host.zeros(rows, dtype="int64")
        include_last_offset, indices = False, B.to_host(input.data).reshape(-1)
        weights = None if per_sample_weights is None else reshape(per_sample_weights, (-1,))
    elif input.data.ndim == 1:
        if offsets is None:
            _value_error("offsets has to be a 1D Tensor but got None")
        if type(offsets) is not Tensor or offsets.data.ndim != 1:
            _value_error("offsets has to be a 1D Tensor")
        starts, indices = B.to_host(offsets.data), B.to_host(input.data)
        weights = per_sample_weights
    else:
        _value_error(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.data.ndim}")
    if mode not in _MODES:
        _value_error("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        _value_error("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        _value_error("max mode does not support sparse weights")
    if scale_grad_by_freq or sparse:
        fail("agcli's embedding_bag takes no scale_grad_by_freq nor sparse", "not_implemented")
    if max_norm is not None:
        _embedding_renorm(weight, B.from_host(indices), max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise AgcliError("embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for "
                         f"mode='sum' (got mode='{mode}'). Please open a feature request on GitHub.",
                         kind="not_implemented")
    return _bags(input, weight, indices, starts, weights, _MODES[mode], include_last_offset, padding_idx)


def _class_text(value) -> str:
    return "<class 'torch.Tensor'>" if type(value) is Tensor else f"<class '{type(value).__name__}'>"


def _bags(input, weight, indices, starts, weights, mode, include_last_offset, padding_idx):
    """ATen's _embedding_bag: its checks, offset2bag, the op (`weights`: the per-sample weights, flat)."""
    if B.dtype_name(input.data.dtype) not in ("int64", "int32"):
        fail(f"Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but "
             f"got {_type_text(input)} instead (while checking arguments for embedding_bag)")
    if weights is not None and weights.data.dtype != weight.data.dtype:
        fail(f"Expected tensor for argument #1 'weight' to have the same type as tensor for argument #1 "
             f"'per_sample_weights'; but type {_type_text(weight)} does not equal {_type_text(weights)} "
             "(while checking arguments for embedding_bag)")
    rows, n = weight.data.shape[0], int(indices.shape[0])
    if padding_idx is not None:
        if not -rows <= padding_idx < rows:
            fail(f"padding_idx must be within the number of embeddings, -{rows} through {rows - 1}, but got "
                 f"{padding_idx}")
        padding_idx %= rows
    if starts.shape[0] and int(starts[0]) != 0:
        fail("offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from position 0. "
             f"However, got {int(starts[0])}\n[ torch.LongTensor{{}} ]")
    if starts.shape[0] and int(starts[-1]) > n:
        fail(f"offsets[-1] can not be greater than input's length {n} but got offsets[-1] of {int(starts[-1])}")
    if starts.shape[0] > 1 and bool(B.host.any(B.host.diff(starts) < 0)):
        fail("Expected i < index_size to be true, but got false.  (Could this error message be improved?  If so, "
             "please report an enhancement request to PyTorch.)")
    bad = B.host.flatnonzero((indices < 0) | (indices >= rows))
    if bad.size:
        fail(f"Index {int(bad[0])} of input takes value {int(indices[bad[0]])} which is not in the valid range "
             f"[0, {rows})")
    bags = max(starts.shape[0] - 1, 0) if include_last_offset else starts.shape[0]
    bag_of = B.host.searchsorted(starts[:bags] if bags else starts[:0], B.host.arange(n), side="right") - 1
    inside = (bag_of >= 0) & (B.host.arange(n) < (int(starts[bags]) if include_last_offset and bags else n))
    if not bags:
        inside[:] = False
    keep = B.host.flatnonzero(inside)
    indices, bag_of = (B.from_host(B.host.asarray(a[keep], dtype="int64")) for a in (indices, bag_of))
    weighted = weights is not None
    if weights is None:
        weights = Tensor(B.zeros((0,), dtype=weight.data.dtype), device=weight.device)
    elif keep.size != n:        # (include_last_offset's entries after the last offset: in no bag)
        if weights.requires_grad:
            fail("agcli's embedding_bag takes per_sample_weights that require grad only with every index in a bag",
                 "not_implemented")
        weights = Tensor(B.getitem(weights.data, (B.from_host(keep),)), device=weight.device)
    return apply(BG.EMBEDDING_BAG, weight, weights, indices=indices, bag_of=bag_of, bags=bags, mode=mode,
                 padding_idx=padding_idx, weighted=weighted)


RECORDED = {"embedding_bag": embedding_bag}
