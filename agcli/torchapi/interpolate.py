"""torch.nn.functional's interpolate (and the deprecated upsample, upsample_nearest,
upsample_bilinear): F's checks in its order and words, the output size ATen computes from a scale
factor (truncated), then the upsampling op (engine/ops/upsample.py), or 'area' as F's adaptive
average pool."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.ops import upsample as UP
from ..engine.tensor import Tensor, apply, data
from ..errors import python_type_name, torch_type_name
from ..state import state
from .adaptive import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d
from .checks import fail, is_int, ndim_of, shape_of

_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
_LINEAR = {"linear": 1, "bilinear": 2, "trilinear": 3}
_NAMES = {1: "linear", 2: "bilinear", 3: "trilinear"}


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) or is_int(v)


def _output_size(input, size, scale_factor, dim):
    """(output_size, scale_factors) as F works them out."""
    spatial = list(shape_of(input)[2:])
    if size is not None and scale_factor is not None:
        fail("only one of size or scale_factor should be defined", "value")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                fail("Input and output must have the same number of spatial dimensions, but got input with spatial "
                     f"dimensions of {spatial} and output size of {_shown(size)}. Please provide input tensor in (N, "
                     "C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.", "value")
            if not all(is_int(v) for v in size):
                types = ", ".join(f"<class '{python_type_name(v)}'>" for v in size)
                fail("expected size to be one of int or Tuple[int] or Tuple[int, int] or Tuple[int, int, int], but "
                     f"got size with types [{types}]", "type")
            return [int(v) for v in size], None
        return [size] * dim, None
    if scale_factor is None:
        fail("either size or scale_factor should be defined", "value")
    if isinstance(scale_factor, (list, tuple)):
        if len(scale_factor) != dim:
            fail("Input and scale_factor must have the same number of spatial dimensions, but got input with spatial "
                 f"dimensions of {spatial} and scale_factor of shape {_shown(scale_factor)}. Please provide input "
                 "tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.", "value")
        return None, list(scale_factor)
    return None, [scale_factor] * dim


def _shown(v):
    return repr(tuple(v)) if isinstance(v, tuple) else repr(list(v))


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None, recompute_scale_factor=None,
                antialias=False):
    """F.interpolate: nearest, nearest-exact, linear, bilinear, trilinear and area."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            fail("align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | "
                 "trilinear", "value")
    elif align_corners is None:
        align_corners = False
    if type(input) is not Tensor:
        fail(f"'{python_type_name(input)}' object has no attribute 'dim'", "attribute")
    n = ndim_of(input)
    output_size, scales = _output_size(input, size, scale_factor, n - 2)
    if recompute_scale_factor and size is not None:
        fail("recompute_scale_factor is not meaningful with an explicit size.", "value")
    if mode == "area" and output_size is None:
        recompute_scale_factor = True
    if recompute_scale_factor:
        output_size = [int(s * float(f)) for s, f in zip(shape_of(input)[2:], scales)]
        scales = None
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and n == 4):
        fail("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires a 4-D tensor as "
             "input", "value")
    d = n - 2
    if n in (3, 4, 5) and mode == "area":
        return (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[d - 1](input, output_size)
    if n in (3, 4, 5) and (mode in ("nearest", "nearest-exact") or _LINEAR.get(mode) == d):
        if antialias or mode in ("bicubic", "lanczos"):
            fail(f"agcli's interpolate has no antialias nor mode '{mode}'", "not_implemented")
        return _upsample(input, "linear" if mode in _LINEAR else mode, output_size, scales, bool(align_corners))
    if n in (3, 4, 5) and mode in _LINEAR:
        fail(f"Got {n}D input, but {mode} mode needs {_LINEAR[mode] + 2}D input", "not_implemented")
    if n == 4 and mode in ("bicubic", "lanczos"):
        fail(f"agcli's interpolate has no mode '{mode}'", "not_implemented")
    fail(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {n}D) for the modes: {_MODES} (got {mode})",
         "not_implemented")


def _upsample(input, mode, output_size, scales, align):
    shape = shape_of(input)
    d = len(shape) - 2
    sizes = [int(v) for v in output_size] if output_size is not None else \
        [int(n * float(s)) for n, s in zip(shape[2:], scales)]     # (ATen truncates the product)
    if any(v <= 0 for v in sizes):
        names = "DHW"[3 - d:]
        have = ", ".join(f"{a}: {v}" for a, v in zip(names, shape[2:]))
        want = ", ".join(f"{a}: {v}" for a, v in zip(names, sizes))
        fail(f"Input and output sizes should be greater than 0, but got input ({have}){' and' if d == 1 else ''} "
             f"output ({want})")
    kind = B.kind(data(input).dtype)
    name = B.dtype_name(data(input).dtype)
    if kind != "f" and not (name == "uint8" and mode != "linear"):
        if kind == "u" and d == 2:
            fail("agcli's bilinear interpolate takes floating point tensors only", "not_implemented")
        kernel = f"upsample_{'nearest' if mode != 'linear' else 'bilinear'}2d_channels_last" if d == 2 else \
            f"compute_indices_weights_{'nearest' if mode != 'linear' else 'linear'}"
        fail(f'"{kernel}" not implemented for \'{torch_type_name(name)}\'', "not_implemented")
    scales = (None,) * d if scales is None else tuple(float(s) for s in scales)
    return apply(UP.UPSAMPLE[mode, d], input, mode=mode, in_shape=tuple(shape), out_sizes=tuple(sizes),
                 scales=scales, align=align)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None, recompute_scale_factor=None):
    state.warn("UserWarning: `nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.")
    return interpolate(input, size, scale_factor, mode, align_corners, recompute_scale_factor)


def upsample_nearest(input, size=None, scale_factor=None):
    state.warn("UserWarning: `nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` "
               "instead.")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    state.warn("UserWarning: `nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` "
               "instead.")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# For the namespace (torchapi/namespace.py): recorded ops of their inputs, which a batch may replay.
RECORDED = {"interpolate": interpolate, "upsample": upsample, "upsample_nearest": upsample_nearest,
            "upsample_bilinear": upsample_bilinear}
