"""torch.cdist as torch/functional.py and ATen's Distance.cpp write it: compute_mode's three names,
the argument checks and words, and the kernel ATen picks. p=2 with more than 25 rows on either side
(or compute_mode='use_mm_for_euclid_dist') takes the matrix-multiply form: _euclidean_dist
(EuclideanDistBackward0), of the inputs expanded to one batch, contiguous and viewed as 3 dims
when the batch has more than one matrix, then viewed to the result's shape (ViewBackward0). Else
_cdist_forward (CdistBackward0), empty inputs included."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.ops import distances as DI
from ..engine.tensor import Tensor, apply, data
from ..errors import python_type_name, torch_type_name
from .checks import broadcast_shapes, fail, numel, shape_of, tensors_only
from .shaping import contiguous, expand, view

_MODES = {"use_mm_for_euclid_dist_if_necessary": 0, "use_mm_for_euclid_dist": 1, "donot_use_mm_for_euclid_dist": 2}


def _mode(compute_mode) -> int:
    try:
        return _MODES[compute_mode]
    except (KeyError, TypeError):
        fail(f"{compute_mode} is not a valid value for compute_mode", "value")


def _p(p) -> float:
    if type(p) is Tensor and not shape_of(p):
        p = B.item(p.data)
    if type(p) not in (int, float, bool):
        fail(f"cdist(): argument 'p' (position 3) must be float, not {python_type_name(p)}", "type")
    return float(p)


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    mode = _mode(compute_mode)
    tensors_only("cdist", x1=x1, x2=x2)
    p = _p(p)
    s1, s2 = shape_of(x1), shape_of(x2)
    for name, s in (("X1", s1), ("X2", s2)):
        if len(s) < 2:
            fail(f"cdist only supports at least 2D tensors, {name} got: {len(s)}D")
    if s1[-1] != s2[-1]:
        fail(f"X1 and X2 must have the same number of columns. X1: {s1[-1]} X2: {s2[-1]}")
    for name, x in (("X1", x1), ("X2", x2)):
        if B.kind(data(x).dtype) != "f":
            fail(f"cdist only supports floating-point dtypes, {name} got: {torch_type_name(data(x).dtype)}")
    if not p >= 0:
        fail("cdist only supports non-negative p values")
    batch = broadcast_shapes(s1[:-2], s2[:-2])
    euclidean = p == 2 and (mode == 1 or (mode == 0 and (s1[-2] > 25 or s2[-2] > 25)))
    d1, d2 = data(x1).dtype, data(x2).dtype
    if euclidean and numel(s1) and numel(s2) and numel(batch) and s1[-2] and s2[-2] and s1[-1]:
        if d1 != d2:
            fail(f"expected m1 and m2 to have the same dtype, but got: {_c_name(d1)} != {_c_name(d2)}")
        return _euclidean(x1, x2, batch)
    if d1 != d2:
        fail(f"expected scalar type {torch_type_name(d1)} but found {torch_type_name(d2)}")
    if B.dtype_name(d1) in ("float16", "bfloat16"):
        fail(f"\"cdist\" not implemented for '{torch_type_name(d1)}'", "not_implemented")
    return apply(DI.CDIST, x1, x2, p=p)


def _c_name(dtype) -> str:
    """ATen's C++ scalar names in at::mm's dtype check (double, float, c10::Half)."""
    name = B.dtype_name(dtype)
    return {"float64": "double", "float32": "float", "float16": "c10::Half", "bfloat16": "c10::BFloat16"}.get(name,
                                                                                                            name)


def _euclidean(x1, x2, batch):
    s1, s2 = shape_of(x1), shape_of(x2)
    count = numel(batch)
    out_shape = batch + (s1[-2], s2[-2])
    if count == 1:
        return view(apply(DI.EUCLIDEAN_DIST, x1, x2), out_shape)
    t1 = view(contiguous(expand(x1, batch + s1[-2:])), (count,) + s1[-2:])
    t2 = view(contiguous(expand(x2, batch + s2[-2:])), (count,) + s2[-2:])
    return view(apply(DI.EUCLIDEAN_DIST, t1, t2), out_shape)
