"""LBFGS's strong Wolfe line search (_strong_wolfe and _cubic_interpolate of torch/optim/lbfgs.py).
Its values are Python floats and 0-d tensors mixed as PyTorch mixes them: an operator with a tensor
on either side is the tensor op (the number rounded to the tensor's dtype), Python's otherwise;
max() and min() pick as Python's do (the second value only if it compares greater or smaller)."""
from __future__ import annotations

import math

from ...engine import backend as B
from ...engine.backend import xp
from ...engine.fma import fma
from ...engine.tensor import Tensor
from .. import functions as F
from ..autograd import truth
from . import updates as U


def _t(value):
    return type(value) is Tensor


def _add(a, b):
    if _t(a) or _t(b):
        return F.add(a, b) if _t(a) else F.add(b, a)
    return a + b


def _sub(a, b):
    if _t(a):
        return F.sub(a, b)
    if _t(b):
        return F.add(F.neg(b), a)         # number - tensor: rsub, one rounding as a - b
    return a - b


def _mul(a, b):
    if _t(a) or _t(b):
        return F.mul(a, b) if _t(a) else F.mul(b, a)
    return a * b


def _div(a, b):
    if _t(a):
        return F.div(a, b)
    if _t(b):
        return F.mul(F.reciprocal(b), a)      # number / tensor: tensor.reciprocal() * number
    return a / b


def _lt(a, b):
    if _t(a):
        return truth(F.lt(a, b))
    if _t(b):
        return truth(F.gt(b, a))
    return a < b


def _le(a, b):
    if _t(a):
        return truth(F.le(a, b))
    if _t(b):
        return truth(F.ge(b, a))
    return a <= b


def _max(a, b):
    return b if _lt(a, b) else a


def _min(a, b):
    return b if _lt(b, a) else a


def _abs(a):
    return F.abs(a) if _t(a) else abs(a)


def dot(a, b):
    """a.dot(b) in PyTorch's order (MKL's, measured) where it is known: float64 vectors of up to 24
    elements add in 8 lanes (16 from 16 elements on) with FMA, float32 ones of up to 8 in 4 lanes
    without; then the lanes fold (float64: in halves, float32: neighbours first). Other vectors go
    through agcli's torch.dot (BLAS's order: the last bits may differ)."""
    n, name = a.data.shape[0], B.dtype_name(a.data.dtype)
    if name != B.dtype_name(b.data.dtype) or not (name == "float64" and n <= 24 or name == "float32" and n <= 8):
        return F.dot(a, b)
    lanes = 4 if name == "float32" else 8 if n < 16 else 16
    rows = -(-n // lanes)
    padded = [xp.reshape(xp.concat([t.data, B.zeros((rows * lanes - n,), dtype=t.data.dtype)]), (rows, lanes))
              for t in (a, b)]
    acc = B.zeros((lanes,), dtype=a.data.dtype)
    for i in range(rows):
        x, y = padded[0][i, :], padded[1][i, :]
        acc = fma(x, y, acc) if name == "float64" else acc + x * y
    while acc.shape[0] > 1:
        half = acc.shape[0] // 2
        acc = acc[:half] + acc[half:] if name == "float64" else acc[0::2] + acc[1::2]
    return Tensor(xp.reshape(acc, ()), device=a.device)


def cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if _le(x1, x2) else (x2, x1)
    d1 = _sub(_add(g1, g2), _div(_mul(3, _sub(f1, f2)), _sub(x1, x2)))
    d2_square = _sub(_mul(d1, d1) if not _t(d1) else F.pow(d1, 2), _mul(g1, g2))
    if _le(0, d2_square):
        d2 = F.sqrt(d2_square) if _t(d2_square) else math.sqrt(d2_square)
        if _le(x1, x2):
            min_pos = _sub(x2, _mul(_sub(x2, x1), _div(_sub(_add(g2, d2), d1), _add(_sub(g2, g1), _mul(2, d2)))))
        else:
            min_pos = _sub(x1, _mul(_sub(x1, x2), _div(_sub(_add(g1, d2), d1), _add(_sub(g1, g2), _mul(2, d2)))))
        return _min(_max(min_pos, xmin_bound), xmax_bound)
    return _div(_add(xmin_bound, xmax_bound), 2.0)


def strong_wolfe(obj_func, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    d_norm = F.max(F.abs(d))
    g = U.clone(g)
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = 1
    gtd_new = dot(g_new, d)
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if _lt(_add(f, _mul(_mul(c1, t), gtd)), f_new) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, U.clone(g_new)], [gtd_prev, gtd_new]
            break
        if _le(_abs(gtd_new), _mul(-c2, gtd)):
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if _le(0, gtd_new):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, U.clone(g_new)], [gtd_prev, gtd_new]
            break
        min_step = _add(t, _mul(0.01, _sub(t, t_prev)))
        max_step = _mul(t, 10)
        tmp = t
        t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, U.clone(g_new), gtd_new
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = dot(g_new, d)
        ls_iter += 1
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]
    insuf_progress = False
    low_pos, high_pos = (0, 1) if _le(bracket_f[0], bracket_f[-1]) else (1, 0)
    while not done and ls_iter < max_ls:
        if _lt(_mul(_abs(_sub(bracket[1], bracket[0])), d_norm), tolerance_change):
            break
        t = cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1])
        top, bottom = _max(bracket[0], bracket[1]), _min(bracket[0], bracket[1])
        eps = _mul(0.1, _sub(top, bottom))
        if _lt(_min(_sub(top, t), _sub(t, bottom)), eps):
            if insuf_progress or _le(top, t) or _le(t, bottom):
                if _lt(_abs(_sub(t, top)), _abs(_sub(t, bottom))):
                    t = _sub(top, eps)
                else:
                    t = _add(bottom, eps)
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = dot(g_new, d)
        ls_iter += 1
        if _lt(_add(f, _mul(_mul(c1, t), gtd)), f_new) or _le(bracket_f[low_pos], f_new):
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = U.clone(g_new), gtd_new
            low_pos, high_pos = (0, 1) if _le(bracket_f[0], bracket_f[1]) else (1, 0)
        else:
            if _le(_abs(gtd_new), _mul(-c2, gtd)):
                done = True
            elif _le(0, _mul(gtd_new, _sub(bracket[high_pos], bracket[low_pos]))):
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos], bracket_gtd[high_pos] = bracket_g[low_pos], bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = U.clone(g_new), gtd_new
    t = bracket[low_pos]
    return bracket_f[low_pos], bracket_g[low_pos], t, ls_func_evals
