"""dirichlet_grad_one<float, double> (ATen's Distributions.h) for float32 tensors: the parts ATen computes in
the tensor's float (digamma_one<float, double>, the two small-x series, beta = total - alpha and the boundary)
computed in float32 here too (std::log and std::pow of floats as the float rounding of the double ones,
glibc's logf and powf being within a rounding of them); the rest in double (engine/ops/dirichlet.py)."""
from __future__ import annotations

import math

from ..backend import host

F = host.float32
_PSI_10 = 2.25175258906672110764
_A = (8.33333333333333333333E-2, -2.10927960927960927961E-2, 7.57575757575757575758E-3, -4.16666666666666666667E-3,
      3.96825396825396825397E-3, -8.33333333333333333333E-3, 8.33333333333333333333E-2)
_BIG = float(F(1.0e17))


def _log(x):
    return F(math.log(float(x)))


def _pow(x, y):
    return F(math.pow(float(x), float(y)))


def digamma_float(x):
    """digamma_one<float, double> of a positive float: the sums in double, the steps on x in float."""
    x = F(x)
    if x == 0:
        return F(math.inf)
    result = 0.0
    while x < 10:
        result -= float(F(1) / x)
        x = x + F(1)
    if x == 10:
        return F(result + _PSI_10)
    y = 0.0
    if float(x) < _BIG:
        z = 1.0 / float(x * x)
        poly = 0.0
        for a in _A:
            poly = poly * z + a
        y = z * poly
    return F(result + float(_log(x)) - float(F(0.5) / x) - y)


def grad_alpha_small(x, alpha, beta):
    factor = digamma_float(alpha) - digamma_float(alpha + beta) - _log(x)
    numer = F(1)
    series = numer / alpha * (factor + F(1) / alpha)
    for i in range(1, 11):
        ci = F(i)
        numer = numer * ((ci - beta) * x / ci)
        denom = alpha + ci
        series = series + numer / denom * (factor + F(1) / denom)
    result = x * _pow(F(1) - x, -beta) * series
    return F(0) if math.isnan(result) else result


def grad_beta_small(x, alpha, beta):
    factor = digamma_float(alpha + beta) - digamma_float(beta)
    numer, betas, dbetas, series = F(1), F(1), F(0), factor / alpha
    for i in range(1, 9):
        ci = F(i)
        numer = numer * (-x / ci)
        dbetas = dbetas * (beta - ci) + betas
        betas = betas * (beta - ci)
        series = series + numer / (alpha + ci) * (dbetas + factor * betas)
    result = -_pow(F(1) - x, F(1) - beta) * series
    return F(0) if math.isnan(result) else result


def dirichlet_grad_float(x, alpha, total, in_double):
    """The float32 kernel; in_double(x, alpha, total, beta) gives the double branches (ATen's accscalar_t)."""
    x, alpha, total = F(x), F(alpha), F(total)
    beta = total - alpha
    boundary = total * x * (F(1) - x)
    if x <= F(0.5) and boundary < F(2.5):
        return float(grad_alpha_small(x, alpha, beta))
    if x >= F(0.5) and boundary < F(0.75):
        return float(-grad_beta_small(F(1) - x, beta, alpha))
    return float(F(in_double(float(x), float(alpha), float(total), float(alpha) > 6 and beta > 6)))
