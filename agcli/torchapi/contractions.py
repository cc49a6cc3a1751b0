"""torch.tensordot, torch.kron and torch.cartesian_prod, composed as PyTorch composes them (so the
graph holds its nodes: permute, view, mm; views and a mul; meshgrid, flatten, stack), and
torch.tril_indices / triu_indices (constants: an int64 tensor of the positions, row by row)."""
from __future__ import annotations

from ..engine import backend as B
from ..engine.ops import shapes as S
from ..engine.tensor import Tensor, apply, data
from ..errors import python_type_name
from .arithmetic import mul
from .dtypes import dtype_of
from .checks import dim_index, fail, ndim_of, numel, shape_of, tensors_only
from .linalg import dot, mm
from .reductions import sum
from .shaping import flatten, meshgrid, permute, reshape, stack


def tensordot(a, b, dims=2):
    """torch.tensordot: dims an int (the last dims of a with the first of b), two lists, or a tensor of either."""
    tensors_only("tensordot", a=a, b=b)
    if type(dims) is Tensor:
        dims = B.tolist(dims.data)
    if isinstance(dims, bool) or not isinstance(dims, (int, tuple, list)):
        fail(f"tensordot expects dims to be int or tuple[list[int], list[int]] or list[list[int]] containing two "
             f"lists, but got dims={dims}")
    if isinstance(dims, int):
        if dims < 0:
            fail(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(ndim_of(a), ndim_of(b)):
            fail(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        dims1, dims2 = list(range(-dims, 0)), list(range(dims))
    else:
        dims1, dims2 = dims
        dims1, dims2 = ([d] if isinstance(d, int) else list(d) for d in (dims1, dims2))
    return _tensordot(a, b, dims1, dims2)


def _tensordot(input1, input2, dims1, dims2):
    """at::tensordot: a contracted dim of size one summed right away, the rest permuted to the
    end of input1 and the front of input2, one mm (a dot for one number out), a view back."""
    if len(dims1) != len(dims2):
        fail("both dimension lists should have same length")
    if data(input1).dtype != data(input2).dtype:
        fail("both inputs should have same dtype")
    s1, s2 = shape_of(input1), shape_of(input2)
    dims1 = [dim_index(d, len(s1)) for d in dims1]
    dims2 = [dim_index(d, len(s2)) for d in dims2]
    t1, t2, csize = input1, input2, 1
    for d1, d2 in zip(dims1, dims2):
        if s2[d2] == 1:
            t1 = sum(t1, d1, True)
        elif s1[d1] == 1:
            t2 = sum(t2, d2, True)
        else:
            if s1[d1] != s2[d2]:
                fail(f"contracted dimensions need to match, but first has size {s1[d1]} in dim {d1} and second "
                     f"has size {s2[d2]} in dim {d2}")
            csize *= s1[d1]
    kept1 = [i for i in range(len(s1)) if i not in dims1]
    kept2 = [i for i in range(len(s2)) if i not in dims2]
    rsizes = tuple(shape_of(t1)[i] for i in kept1) + tuple(shape_of(t2)[i] for i in kept2)
    size1, size2 = numel(rsizes[:len(kept1)]), numel(rsizes[len(kept1):])
    t1, t2 = permute(t1, *(kept1 + dims1)), permute(t2, *(dims2 + kept2))
    if size1 == size2 == 1:         # one number out: a dot of the two flattened
        t1, t2 = (t if ndim_of(t) == 1 else reshape(t, (csize,)) for t in (t1, t2))
        return reshape(dot(t1, t2), rsizes)
    return reshape(mm(reshape(t1, (size1, csize)), reshape(t2, (csize, size2))), rsizes)


def kron(input, other):
    """torch.kron: each operand viewed with size-1 dims interleaved, multiplied (broadcast), viewed back."""
    tensors_only("kron", input=input, other=other)
    s1, s2 = shape_of(input), shape_of(other)
    n = max(len(s1), len(s2))
    s1, s2 = (1,) * (n - len(s1)) + s1, (1,) * (n - len(s2)) + s2
    a = tuple(x for d in s1 for x in (d, 1))
    b = tuple(x for d in s2 for x in (1, d))
    product = mul(_unsafe_view(input, a), _unsafe_view(other, b))
    return _unsafe_view(product, tuple(x * y for x, y in zip(s1, s2)))


def _unsafe_view(x, shape):
    return apply(S.UNSAFE_VIEW, x, shape=tuple(shape))


def cartesian_prod(*tensors):
    """torch.cartesian_prod: meshgrid(indexing='ij'), each grid flattened, stacked as columns."""
    for t in tensors:
        if type(t) is not Tensor:
            fail(f"cartesian_prod(): argument 'tensors' must be tuple of Tensors, not {python_type_name(t)}", "type")
        if ndim_of(t) != 1:
            fail(f"Expect a 1D vector, but got shape [{', '.join(map(str, shape_of(t)))}]")
    if len(tensors) == 1:
        return tensors[0]
    return stack([flatten(g) for g in meshgrid(*tensors, indexing="ij")], 1)


def _triangle_indices(name, lower):
    def indices(row, col, offset=0, *, dtype=None, device=None, layout=None, requires_grad=False):
        for param, v in (("row", row), ("col", col), ("offset", offset)):
            if isinstance(v, bool) or not isinstance(v, int):
                fail(f"{name}(): argument '{param}' must be int, not {python_type_name(v)}", "type")
        if row < 0:
            fail(f"row must be non-negative, got{row}")
        if col < 0:
            fail(f"col must be non-negative, got{col}")
        rows, cols = B.xp.meshgrid(B.xp.arange(row), B.xp.arange(col), indexing="ij")
        keep = (cols - rows <= offset) if lower else (cols - rows >= offset)
        pairs = B.xp.stack([rows[keep], cols[keep]])
        return Tensor(B.astype(pairs, dtype_of(dtype) or "int64"))
    indices.__name__ = name
    return indices


tril_indices = _triangle_indices("tril_indices", True)
triu_indices = _triangle_indices("triu_indices", False)

FUNCTIONS = {"tensordot": tensordot, "kron": kron, "cartesian_prod": cartesian_prod}
METHODS = {"kron": kron}
LITERALS = {"tril_indices": tril_indices, "triu_indices": triu_indices}
