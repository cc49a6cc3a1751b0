"""torch.addmm, addmv, addr, addbmm and baddbmm (beta * input + alpha * product), as functions,
Tensor methods and in-place methods: PyTorch's checks, in its order and words, and the one node
each records (engine/ops/products.py)."""
from __future__ import annotations

from ..engine.backend import dtype_name, kind
from ..engine.ops import products as P
from ..engine.tensor import Tensor, apply, data
from ..errors import python_type_name, torch_type_name
from .checks import dim_index, dims_text, fail, ndim_of, refuse_huge, shape_of
from .dtypes import result_type
from .in_place import _in_place_unary
from .shaping import expand

_ARGUMENTS = {"addmm": ("mat1", "mat2"), "addmv": ("mat", "vec"), "addr": ("vec1", "vec2"),
              "addbmm": ("batch1", "batch2"), "baddbmm": ("batch1", "batch2")}
# (torch.addmm and torch.baddbmm have a second overload, with out_dtype: PyTorch lists both)
_FORMS = ("{0}() received an invalid combination of arguments - got ({1}), but expected one of:\n"
          " * (Tensor input, Tensor {2}, Tensor {3}, *, Number beta = 1, Number alpha = 1, Tensor out = None)\n"
          " * (Tensor input, Tensor {2}, Tensor {3}, torch.dtype out_dtype, *, Number beta = 1, Number alpha = 1, "
          "Tensor out = None)\n")


def _dtype(x) -> str:
    return torch_type_name(data(x).dtype)


def _scalars(name, beta, alpha, method, dtype):
    """beta and alpha as numbers (a 0-d tensor gives its value); for an integer result a float
    is taken toward zero, as PyTorch's kernels cast their Scalars."""
    out = []
    for param, s in (("beta", beta), ("alpha", alpha)):
        if type(s) is Tensor and s.data.ndim == 0:
            s = s.data.item()
        if type(s) not in (int, float, bool):
            if name in ("addmm", "baddbmm") and not method:
                got = f"Tensor, Tensor, Tensor, {param}={python_type_name(s)}"
                fail(_FORMS.format(name, got, *_ARGUMENTS[name]), "type")
            fail(f"{name}{'_' if method == '_' else ''}(): argument '{param}' must be Number, not "
                 f"{python_type_name(s)}", "type")
        out.append(int(s) if kind(dtype) in "iu" and type(s) is float else s)
    return out


def _product(name, check):
    """torch.NAME(input, a, b, *, beta=1, alpha=1), input.NAME(a, b, ...) and input.NAME_(a, b, ...)."""
    first, second = _ARGUMENTS[name]

    def run(input, a, b, beta, alpha, method):
        arguments = {"input": input, first: a, second: b}
        for position, (param, v) in enumerate(arguments.items(), 0 if method else 1):    # (a method: from a)
            if position and type(v) is not Tensor:
                fail(f"{name}{'_' if method == '_' else ''}(): argument '{param}' (position {position}) must be "
                     f"Tensor, not {python_type_name(v)}", "type")
        cast = check(input, a, b)
        beta, alpha = _scalars(name, beta, alpha, method, cast or data(a).dtype)
        params = {k: v for k, v in (("beta", beta), ("alpha", alpha)) if v != 1}
        return apply(getattr(P, name.upper()), input, a, b, cast=cast, **params)

    def function(input, a, b, *, beta=1, alpha=1):
        return run(input, a, b, beta, alpha, False)

    def method(input, a, b, *, beta=1, alpha=1):
        return run(input, a, b, beta, alpha, True)

    def in_place(input, a, b, *, beta=1, alpha=1):
        if name == "addr" and (ndim_of(input) != 2 or shape_of(input) != (shape_of(a)[:1] + shape_of(b)[:1])) \
                and ndim_of(a) == ndim_of(b) == 1:
            fail(f"size mismatch, input: [{', '.join(map(str, shape_of(input)))}], v1: [{shape_of(a)[0]}], "
                 f"v2: [{shape_of(b)[0]}]")
        return _in_place_unary(lambda t: _same_size(t, run(t, a, b, beta, alpha, "_")))(input)
    function.__name__, method.__name__, in_place.__name__ = name, name, name + "_"
    return function, method, in_place


def _same_size(input, result):
    if shape_of(result) != shape_of(input):
        fail(f"Bad in-place call: input tensor size [{', '.join(map(str, shape_of(input)))}] and output tensor "
             f"size [{', '.join(map(str, shape_of(result)))}] should match")
    return result


def _no_bools(x, kernel):
    if kind(data(x).dtype) == "b":
        fail(f'"{kernel}" not implemented for \'Bool\'', "not_implemented")


def _check_addmm(input, mat1, mat2):
    for name, m in (("self", input), ("mat1", mat1)):
        if data(m).dtype != data(mat2).dtype:
            fail(f"{name} and mat2 must have the same dtype, but got {_dtype(m)} and {_dtype(mat2)}")
    for name, m in (("mat1", mat1), ("mat2", mat2)):
        if ndim_of(m) != 2:
            fail(f"{name} must be a matrix, got {ndim_of(m)}-D tensor")
    s1, s2 = shape_of(mat1), shape_of(mat2)
    if s1[1] != s2[0]:
        fail(f"mat1 and mat2 shapes cannot be multiplied ({dims_text(s1)} and {dims_text(s2)})")
    expand(data(input), (s1[0], s2[1]))          # PyTorch's expand, for its message
    _no_bools(mat1, "addmm_impl_cpu_")
    refuse_huge(lambda: (s1[0], s2[1]), s1[0] * s2[1])


def _check_addmv(input, mat, vec):
    if not (ndim_of(mat) == 2 and ndim_of(vec) == 1 and ndim_of(input) <= 1):
        fail(f"vector + matrix @ vector expected, got {ndim_of(input)}, {ndim_of(mat)}, {ndim_of(vec)}")
    (n, m), rows = shape_of(mat), shape_of(input)[0] if ndim_of(input) else shape_of(mat)[0]
    if m != shape_of(vec)[0] or rows not in (1, n):
        fail(f"size mismatch, got input ({rows}), mat ({n}x{m}), vec ({shape_of(vec)[0]})")
    if not data(input).dtype == data(mat).dtype == data(vec).dtype:
        fail(f"addmv input tensors must have the same dtype, but got {_dtype(input)}, {_dtype(mat)}, and "
             f"{_dtype(vec)}")
    _no_bools(mat, "addmv_impl_cpu")


def _check_addr(input, vec1, vec2):
    for name, v in (("vec1", vec1), ("vec2", vec2)):
        if ndim_of(v) != 1:
            fail(f"addr: Expected 1-D argument {name}, but got {ndim_of(v)}-D")
    expand(data(input), shape_of(vec1) + shape_of(vec2))
    return result_type(input, vec1, vec2)


def _check_scalars_of_addr(name):
    """addr refuses a float beta or alpha for an integer result, and a bool one but for bools."""
    function, method, in_place = _product(name, _check_addr)

    def checked(run):
        def call(input, vec1, vec2, *, beta=1, alpha=1):
            cast = _check_addr(input, vec1, vec2) if all(type(v) is Tensor for v in (input, vec1, vec2)) else None
            for param, s in (("beta", beta), ("alpha", alpha)):
                if cast is not None and kind(cast) != "f" and type(s) is float:
                    fail(f"For integral input tensors, argument {param} must not be a floating point number.")
                if cast is not None and kind(cast) != "b" and type(s) is bool:
                    fail(f"Boolean {param} only supported for Boolean results.")
            return run(input, vec1, vec2, beta=beta, alpha=alpha)
        call.__name__ = run.__name__
        return call
    return checked(function), checked(method), checked(in_place)


def _check_addbmm(input, batch1, batch2):
    dim_index(2, ndim_of(batch2))          # (PyTorch reads batch2.size(2) first)
    dim_index(1, ndim_of(batch1))
    expand(data(input), (shape_of(batch1)[1], shape_of(batch2)[2]))
    if ndim_of(batch1) != 3:
        fail("batch1 must be a 3D tensor")
    if ndim_of(batch2) != 3:
        fail("batch2 must be a 3D tensor")
    (b, n, m), (b2, m2, p) = shape_of(batch1), shape_of(batch2)
    if b != b2:
        fail(f"batch1 and batch2 must have same number of batches, got {b} and {b2}")
    if m != m2:
        fail(f"Incompatible matrix sizes for bmm ({n}x{m} and {m2}x{p})")
    for name, x in (("self", input), ("mat1", batch1)):
        if data(x).dtype != data(batch2).dtype:
            fail(f"{name} and mat2 must have the same dtype, but got {_dtype(x)} and {_dtype(batch2)}")
    _no_bools(batch1, "addmm_impl_cpu_")


def _check_baddbmm(input, batch1, batch2):
    dim_index(2, ndim_of(batch2))
    dim_index(1, ndim_of(batch1))
    expand(data(input), (shape_of(batch1)[0], shape_of(batch1)[1], shape_of(batch2)[2]))
    if ndim_of(batch1) != 3:
        fail("batch1 must be a 3D tensor")
    if ndim_of(batch2) != 3:
        fail("batch2 must be a 3D tensor")
    (b, n, m), (b2, m2, p) = shape_of(batch1), shape_of(batch2)
    if (b2, m2) != (b, m):
        fail(f"Expected size for first two dimensions of batch2 tensor to be: [{b}, {m}] but got: [{b2}, {m2}].")
    if not data(input).dtype == data(batch1).dtype:
        fail(f"Input dtypes must be the same, got: input {_name(input)}, batch1: {_name(batch1)}, "
             f"batch2: {_name(batch2)}")
    if data(batch1).dtype != data(batch2).dtype:
        fail(f"expected scalar type {_dtype(batch1)} but found {_dtype(batch2)}")
    _no_bools(batch1, "baddbmm")
    refuse_huge(lambda: (b, n, p), b * n * p)


def _name(x) -> str:
    """A dtype as c10's toString prints it lowercased (float, double, long)."""
    name = dtype_name(data(x).dtype)
    return {"float32": "float", "float64": "double", "int64": "long", "int32": "int", "int16": "short",
            "int8": "char", "uint8": "unsigned char", "float16": "half"}.get(name, name)


addmm, addmm_method, addmm_ = _product("addmm", _check_addmm)
addmv, addmv_method, addmv_ = _product("addmv", _check_addmv)
addr, addr_method, addr_ = _check_scalars_of_addr("addr")
addbmm, addbmm_method, addbmm_ = _product("addbmm", _check_addbmm)
baddbmm, baddbmm_method, baddbmm_ = _product("baddbmm", _check_baddbmm)

FUNCTIONS = {"addmm": addmm, "addmv": addmv, "addr": addr, "addbmm": addbmm, "baddbmm": baddbmm}
METHODS = {"addmm": addmm_method, "addmv": addmv_method, "addr": addr_method, "addbmm": addbmm_method,
           "baddbmm": baddbmm_method}
IN_PLACE = {"addmm_": addmm_, "addmv_": addmv_, "addr_": addr_, "addbmm_": addbmm_, "baddbmm_": baddbmm_}
