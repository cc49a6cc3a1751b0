"""torch.nn.functional.ctc_loss (and torch.ctc_loss with its reduction as a number), as ATen's ctc_loss_impl
composes it: CtcLossBackward0 (engine/ops/ctc.py) of log_probs (T, N, C), or of (T, C) unsqueezed to one
batch item; zero_infinity's where (WhereBackward0), then 'mean' divides each loss by its target length
(at least 1) and takes the mean over the batch (DivBackward0, MeanBackward0), 'sum' sums and 'none' keeps
the losses (squeezed back for an unbatched input: SqueezeBackward1). Targets are padded (N, S) or
concatenated 1-D; the lengths tuples of ints or integer tensors. PyTorch's checks, in its order, and words."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.ops.ctc import CTC_LOSS
from ..engine.tensor import Tensor, apply, data
from ..errors import python_type_name, torch_type_name
from .arithmetic import divide, eq, where
from .checks import fail, is_int, ndim_of, shape_of
from .clamping import clamp_min
from .nn import _reduction
from .reductions import mean, sum
from .shaping import squeeze, unsqueeze

_OPTIONS = ("(Tensor log_probs, Tensor targets, tuple of ints input_lengths, tuple of ints target_lengths, "
            "int blank = 0, int reduction = at::Reduction::Mean, bool zero_infinity = False)",
            "(Tensor log_probs, Tensor targets, Tensor input_lengths, Tensor target_lengths, "
            "int blank = 0, int reduction = at::Reduction::Mean, bool zero_infinity = False)")
_WHERE = " (while checking arguments for ctc_loss_allocate_outputs)"


def _int_tuple(v) -> bool:
    return isinstance(v, (tuple, list)) and all(is_int(e) for e in v)


def _described(v) -> str:
    """A value as PyTorch's "invalid combination" message names it."""
    if isinstance(v, (tuple, list)):
        inside = ", ".join(python_type_name(e) if type(e) is not Tensor else "Tensor" for e in v)
        return f"tuple of ({inside}{',' if len(v) == 1 else ''})" if isinstance(v, tuple) else f"list of [{inside}]"
    return "Tensor" if type(v) is Tensor else python_type_name(v)


def _invalid(args, kwargs=None):
    """torch's parser matched neither signature: its TypeError. Only a Tensor matches a type here: its
    reading of "int blank = 0" takes "int blank =" for the type, and "tuple of ints" is no value's."""
    kwargs = kwargs or {}
    keywords = list(reversed(kwargs))       # (PyTorch's hash order of keywords: the last given first)
    got = [_named(a) for a in args] + [f"{k}={_named(kwargs[k])}" for k in keywords]
    message = f"ctc_loss() received an invalid combination of arguments - got ({', '.join(got)}), but expected " \
              "one of:\n"
    for option in _OPTIONS:
        params = [a.rpartition(" ") for a in option[1:-1].split(", ")]
        message += f" * {option}\n"
        if len(args) + len(kwargs) == len(params):
            shown = []
            for i in range(len(params)):
                keyword = i >= len(args)
                name, kind = params[i][2], params[i][0]
                value = kwargs.get(name) if keyword else args[i]
                text = (f"{name}=" if keyword else "") + _described(value)
                shown.append(text if kind == "Tensor" and type(value) is Tensor else f"!{text}!")
            message += f"      didn't match because some of the arguments have invalid types: ({', '.join(shown)})\n"
    fail(message, "type")


def _named(v) -> str:
    return "Tensor" if type(v) is Tensor else python_type_name(v)


def _lengths(name, v) -> tuple:
    """An integer tensor's values (any shape) as PyTorch's fast path reads them."""
    if B.kind(v.data.dtype) not in "iu":
        fail(f"{name} must be integral")
    return tuple(int(n) for n in B.tolist(B.xp.reshape(v.data, (-1,))))


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    """F.ctc_loss: its reduction's name checked, then torch.ctc_loss with the reduction as ATen's number."""
    reduction = _reduction(reduction)
    args = (log_probs, targets, input_lengths, target_lengths, blank, ("none", "mean", "sum").index(reduction),
            zero_infinity)
    if not _fits(*args):
        _invalid(args)
    return _ctc(log_probs, targets, input_lengths, target_lengths, blank, reduction, zero_infinity)


_NAMES = ("log_probs", "targets", "input_lengths", "target_lengths", "blank", "reduction", "zero_infinity")


def ctc_loss_torch(*args, **kwargs):
    """torch.ctc_loss: reduction 1 is a mean, 2 a sum, any other number none (its default, 0 as the parser
    reads at::Reduction::Mean)."""
    bound = dict(zip(_NAMES, args))
    if len(args) > len(_NAMES) or any(k not in _NAMES or k in bound for k in kwargs):
        _invalid(args, kwargs)
    bound.update(kwargs)
    if any(n not in bound for n in _NAMES[:4]):
        _invalid(args, kwargs)
    bound = {"blank": 0, "reduction": 0, "zero_infinity": False, **bound}
    if not _fits(*(bound[n] for n in _NAMES)):
        _invalid(args, kwargs)
    reduction = {1: "mean", 2: "sum"}.get(int(bound["reduction"]), "none")
    return _ctc(*(bound[n] for n in _NAMES[:5]), reduction, bound["zero_infinity"])


def _fits(log_probs, targets, input_lengths, target_lengths, blank, reduction, zero_infinity) -> bool:
    """Does the call bind one of torch.ctc_loss's two signatures?"""
    as_tuples = _int_tuple(input_lengths) and _int_tuple(target_lengths)
    as_tensors = type(input_lengths) is Tensor and type(target_lengths) is Tensor
    return type(log_probs) is Tensor and type(targets) is Tensor and (as_tuples or as_tensors) and is_int(blank) \
        and is_int(reduction) and type(zero_infinity) is bool


def _ctc(log_probs, targets, input_lengths, target_lengths, blank, reduction, zero_infinity):
    """ATen's ctc_loss (its fast path for tensors of lengths) and ctc_loss_impl."""
    if type(input_lengths) is Tensor:
        input_lengths = _lengths("input_lengths", input_lengths)
        target_lengths = _lengths("target_lengths", target_lengths)
    input_lengths = tuple(int(n) for n in input_lengths)
    target_lengths = tuple(int(n) for n in target_lengths)
    batched = ndim_of(log_probs) == 3
    lp = log_probs if batched else unsqueeze(log_probs, 1)
    tg = _checked(lp, targets, input_lengths, target_lengths, int(blank))
    res = apply(CTC_LOSS, lp, targets=tg, input_lengths=input_lengths, target_lengths=target_lengths,
                blank=int(blank), zero_infinity=zero_infinity)
    if zero_infinity:
        res = where(eq(res, float("inf")), Tensor(B.zeros((), dtype=res.data.dtype), device=res.device), res)
    if reduction == "mean":
        lengths = Tensor(B.asarray(list(target_lengths), dtype=res.data.dtype), device=res.device)
        return mean(divide(res, clamp_min(lengths, 1)))
    if reduction == "sum":
        return sum(res)
    return res if batched else squeeze(res, 0)


def _checked(lp, targets, input_lengths, target_lengths, blank):
    """ATen's checks (ctc_loss_cpu_template, ctc_loss_allocate_outputs), in its order; the targets as
    int64 values (ctc_loss_impl's targets.to(kLong))."""
    dtype = B.dtype_name(data(lp).dtype)
    if dtype not in ("float32", "float64"):
        fail(f'"ctc_loss_cpu" not implemented for \'{torch_type_name(dtype)}\'', "not_implemented")
    shape = shape_of(lp)
    if not data(lp).size:
        fail("log_probs tensor must not be empty")
    if len(shape) != 3:
        fail(f"Expected 3-dimensional tensor, but got {len(shape)}-dimensional tensor for argument #1 'log_probs'"
             + _WHERE)
    tshape = shape_of(targets)
    if not 1 <= len(tshape) < 3:
        fail(f"Expected 1 to 2 dimensions, but got {len(tshape)}-dimensional tensor for argument #2 'targets'"
             + _WHERE)
    frames, batch, labels = shape
    if not 0 <= blank < labels:
        fail("blank must be in label range")
    if len(input_lengths) != batch:
        fail("input_lengths must be of size batch_size")
    if len(target_lengths) != batch:
        fail("target_lengths must be of size batch_size")
    for n in target_lengths:
        if n < 0:
            fail(f"Expected target_lengths to have value at least 0, but got value {n}" + _WHERE)
    if len(tshape) == 1:
        _size(tshape, 0, _total(target_lengths))
    else:
        _size(tshape, 0, batch)
        longest = max(target_lengths, default=0)
        if tshape[1] < longest:
            fail(f"Expected tensor to have size at least {longest} at dimension 1, but got size {tshape[1]} for "
                 f"argument #2 'targets'" + _WHERE)
    for n in input_lengths:
        if n < 0:
            fail(f"Expected input_lengths to have value at least 0, but got value {n}" + _WHERE)
        if n > frames:
            fail(f"Expected input_lengths to have value at most {frames}, but got value {n}" + _WHERE)
    tg = B.to_host(B.astype(data(targets), B.dtype("int64")))
    _labels_in_range(tg, tshape, target_lengths, labels)
    return tg


def _total(values) -> int:
    total = 0
    for n in values:
        total += n
    return total


def _size(tshape, dim, want):
    if tshape[dim] != want:
        fail(f"Expected tensor to have size {want} at dimension {dim}, but got size {tshape[dim]} for argument #2 "
             f"'targets'" + _WHERE)


def _labels_in_range(tg, tshape, target_lengths, labels):
    """A label past the classes: PyTorch's kernel reads outside log_probs (no error, no defined value)."""
    used = [tg[b, :n] for b, n in enumerate(target_lengths)] if len(tshape) == 2 else [tg]
    for row in used:
        bad = [int(v) for v in row.tolist() if not 0 <= v < labels]
        if bad:
            fail(f"ctc_loss: target label {bad[0]} is not a class of log_probs (0 to {labels - 1}): PyTorch reads "
                 "memory outside log_probs there, whose values agcli cannot reproduce", "value")


FUNCTIONS = {"ctc_loss": ctc_loss}
