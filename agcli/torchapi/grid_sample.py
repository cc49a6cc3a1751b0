"""torch.nn.functional's affine_grid (AffineGridGeneratorBackward0, 2-d and 3-d) and grid_sample
(GridSampler2DBackward0: a 4-d input, bilinear or nearest), the spatial transformer's pair,
checked in functional.py's and ATen's order and words. grid_sample of a 5-d input
(GridSampler3DBackward0) and mode='bicubic' are not provided: agcli says so."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.ops import affine_grid as AG, grid_sample as GS
from ..engine.tensor import Tensor, apply, data
from ..errors import AgcliError, python_type_name, torch_type_name
from ..state import state
from .checks import fail, shape_of

_DEFAULT = ("UserWarning: Default grid_sample and affine_grid behavior has changed to align_corners=False since "
            "1.3.0. Please specify align_corners=True if the old behavior is desired. See the documentation of "
            "grid_sample for details.")


def _sizes(shape) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


def _dtype(x) -> str:
    return torch_type_name(B.dtype_name(data(x).dtype))


def _align(align_corners) -> bool:
    if align_corners is None:
        state.warn(_DEFAULT)
        return False
    return bool(align_corners)


def affine_grid(theta, size, align_corners=None):
    align = _align(align_corners)
    if type(theta) is not Tensor:
        fail(f"'{python_type_name(theta)}' object has no attribute 'is_floating_point'", "attribute")
    if B.kind(data(theta).dtype) != "f":
        fail(f"Expected theta to have floating point type, but got torch.{B.dtype_name(data(theta).dtype)}", "value")
    shape = shape_of(theta)
    text = f"torch.Size({_sizes(shape)})"
    if len(size) == 4:
        if len(shape) != 3 or shape[-2] != 2 or shape[-1] != 3:
            fail(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size!r}. Got {text}.", "value")
    elif len(size) == 5:
        if len(shape) != 3 or shape[-2] != 3 or shape[-1] != 4:
            fail(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size!r}. Got {text}.", "value")
    else:
        fail("affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, respectively. "
             f"Got size {size!r}.", "not_implemented")
    spatial = tuple(size[2:])
    if align and min(spatial) == 1:
        state.warn("UserWarning: Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
                   "align_corners=True. This is not an intended use case of affine_grid. See the documentation "
                   "of affine_grid for details.")
    elif min(size) <= 0:
        fail(f"Expected non-zero, positive output size. Got {size!r}", "value")
    if shape[0] != size[0]:         # (bmm's check of the base grid against theta transposed)
        fail(f"Expected size for first two dimensions of batch2 tensor to be: [{size[0]}, {shape[2]}] but got: "
             f"[{shape[0]}, {shape[2]}].")
    return apply(AG.AFFINE_GRID, theta, size=tuple(int(v) for v in size), align=align)


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    if mode not in ("bilinear", "nearest", "bicubic"):
        fail("nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: "
             f"'{mode}'", "value")
    if padding_mode not in ("zeros", "border", "reflection"):
        fail("nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or 'reflection', but got: "
             f"'{padding_mode}'", "value")
    align = _align(align_corners)
    for name, v, at in (("input", input, 1), ("grid", grid, 2)):
        if type(v) is not Tensor:
            fail(f"grid_sampler(): argument '{name}' (position {at}) must be Tensor, not {python_type_name(v)}",
                 "type")
    si, sg = shape_of(input), shape_of(grid)
    if si[:1] != sg[:1]:
        fail("grid_sampler(): expected grid and input to have same batch size, but got input with sizes "
             f"{_sizes(si)} and grid with sizes {_sizes(sg)}")
    if sg[-1] != len(si) - 2:
        fail(f"grid_sampler(): expected grid to have size {len(si) - 2} in last dimension, but got grid with sizes "
             f"{_sizes(sg)}")
    for i in range(2, len(si)):
        if si[i] <= 0:
            fail("grid_sampler(): expected input to have non-empty spatial dimensions, but input has sizes "
                 f"{_sizes(si)} with dimension {i} being empty")
    if len(si) == 5 or mode == "bicubic":
        raise AgcliError("agcli does not provide grid_sample " + ("over a 5-d input (GridSampler3DBackward0)"
                         if len(si) == 5 else "with mode='bicubic'"), kind="not_implemented",
                         hint="a 4-d input, mode='bilinear' or 'nearest', is provided")
    if len(si) != 4 or len(sg) != 4:
        fail("grid_sampler(): expected 4D input and grid with same number of dimensions, but got input with sizes "
             f"{_sizes(si)} and grid with sizes {_sizes(sg)}")
    if B.kind(data(input).dtype) != "f":
        fail(f'"grid_sampler_2d_cpu_kernel_impl" not implemented for \'{_dtype(input)}\'', "not_implemented")
    if data(grid).dtype != data(input).dtype:
        fail(f"expected scalar type {_dtype(input)} but found {_dtype(grid)}")
    return apply(GS.GRID_SAMPLER_2D, input, grid, mode=mode, padding=padding_mode, align=align)


# For the namespace (rarer_names.py): recorded ops of their inputs
RECORDED = {"affine_grid": affine_grid, "grid_sample": grid_sample}
