"""The in-place tensor ops an optimizer's step makes, computed as PyTorch's CPU kernels
compute them, so that float32 and float64 parameters come out bit for bit the same.

A step runs without recording (PyTorch's optimizers step under no_grad), so these
write the result into the tensor's array and count a new version, as an in-place op
does; each names the PyTorch call it stands for. A number taking part is first rounded
to the tensor's dtype (`Scalar.to<scalar_t>()`), as PyTorch's kernels do. What each
kernel computes (checked against PyTorch 2.13 on every position of vectors of many
lengths, so the vectorised body and the scalar tail alike):
- add(x, y, alpha=a) / add_: fma(y, a, x) (ufunc add's `vec::fmadd`; the tail is contracted too)
- lerp_(end, w): fma(w, end - x, x) when |w| < 0.5, else fma(w - 1, end - x, end)
- addcmul_(t1, t2, value=v): fma(v * t1, t2, x)
- addcdiv_(t1, t2, value=v): x + (v * t1) / t2 (no FMA: the division comes between)
- mul_(s), div(s), add_(s): one rounding each; sqrt: IEEE's, or MKL's with agcli[mkl] (engine/vml.py)
(lerp_, addcmul and addcdiv_ run the kernels of torch.lerp/addcmul/addcdiv, engine/ops/pairs.py.)
"""
from __future__ import annotations

from ...engine import backend as B
from ...engine.backend import xp
from ...engine.cpu_kernels import sqrt as sqrt_kernel
from ...engine.fma import fma
from ...engine.ops import pairs as P
from ...engine.tensor import Tensor, bump_version


def _number(value, like):
    """A Python number as the kernel sees it: rounded to the tensor's dtype."""
    return B.asarray(value, dtype=like.dtype)


def _write(x, array):
    B.setitem(x.data, ..., array)
    bump_version(x)
    return x


def _new(array, like):
    """A new tensor of array (a 0-d array: NumPy's ufuncs give a NumPy scalar for one, which takes no writes)."""
    return Tensor(array if array.ndim else B.asarray(array), device=like.device)


def add(x, y, alpha=1):
    """x.add(y, alpha=alpha): a new tensor."""
    if alpha == 1:
        return _new(x.data + y.data, x)
    return _new(fma(y.data, _number(alpha, y.data), x.data), x)


def add_(x, y, alpha=1):
    return _write(x, add(x, y, alpha).data)


def add_number_(x, number):
    """x.add_(eps)."""
    return _write(x, x.data + _number(number, x.data))


def mul_(x, number):
    return _write(x, x.data * _number(number, x.data))


def neg(x):
    return _new(-x.data, x)


def sqrt(x):
    return _new(sqrt_kernel(x.data), x)


def sqrt_(x):
    return _write(x, sqrt_kernel(x.data))


def div_number(x, number):
    """x / number: a new tensor."""
    return _new(x.data / _number(number, x.data), x)


def maximum_(x, other):
    """torch.maximum(x, other, out=x)."""
    return _write(x, xp.maximum(x.data, other.data))


def lerp_(x, end, weight):
    return _write(x, P.LERP.forward(x.data, end.data, weight))


def addcmul(x, t1, t2, value=1):
    """x.addcmul(t1, t2, value=value): a new tensor."""
    return _new(P.ADDCMUL.forward(x.data, t1.data, t2.data, value), x)


def addcmul_(x, t1, t2, value=1):
    return _write(x, addcmul(x, t1, t2, value).data)


def addcdiv_(x, t1, t2, value=1):
    return _write(x, P.ADDCDIV.forward(x.data, t1.data, t2.data, value))


def clone(x):
    return _new(B.copy(x.data), x)


def div_(x, y):
    """x.div_(y), y a tensor."""
    return _write(x, x.data / y.data)


def mul_tensor_(x, y):
    """x.mul_(y), y a tensor."""
    return _write(x, x.data * y.data)


def mul_number(x, number):
    """x * number: a new tensor."""
    return _new(x.data * _number(number, x.data), x)


def mul(x, y):
    """x * y, y a tensor: a new tensor."""
    return _new(x.data * y.data, x)


def sub(x, y):
    """x.sub(y): a new tensor."""
    return _new(x.data - y.data, x)


def reciprocal(x):
    return _new(_number(1, x.data) / x.data, x)


def abs(x):     # noqa: A001 (Tensor.abs)
    return _new(xp.abs(x.data), x)


def sign(x):
    """Tensor.sign: -1, 0 or 1 (nan stays nan)."""
    return _new(xp.sign(x.data), x)


def copy_(x, y):
    return _write(x, y.data)


def fill_number_(x, number):
    """x.fill_(number) (a 0-d step counter or scalar in the optimizer's state)."""
    return _write(x, _number(number, x.data))


def clamp_(x, low, high):
    """x.clamp_(low, high): nan stays nan, as PyTorch's clamp."""
    lo, hi = _number(low, x.data), _number(high, x.data)
    return _write(x, xp.minimum(xp.maximum(x.data, lo), hi))


def where_(x, mask, number):
    """x[mask] = number."""
    return _write(x, xp.where(mask, _number(number, x.data), x.data))
