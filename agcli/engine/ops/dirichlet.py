"""Dirichlet's reparameterized sample (torch/distributions/dirichlet.py's _Dirichlet Function, its node
_DirichletBackward): a draw made above the engine (torchapi/gamma_sampling.py), whose gradient is
_Dirichlet_backward's, grad * (grad_output - (x * grad_output).sum(-1, True)) with grad =
_dirichlet_grad(x, concentration, total), ATen's dirichlet_grad_one (Distributions.h) element by element.
It is once_differentiable, as PyTorch's: computed without a graph.
ATen computes parts of dirichlet_grad_one in the tensor's float: so does agcli (engine/ops/dirichlet_float.py).
float64 gradients were measured to be ATen's bit for bit, float32 ones likewise as far as measured."""
from __future__ import annotations

import math

from ..backend import dtype_name, from_host, host, reduce_sum, to_host, xp
from ..op import Op
from ..tensor import data
from . import dirichlet_float as DF
from .gamma import digamma_one


def _grad_alpha_small(x, alpha, beta):
    factor = digamma_one(alpha) - digamma_one(alpha + beta) - math.log(x)
    numer = 1.0
    series = numer / alpha * (factor + 1 / alpha)
    for i in range(1, 11):
        numer *= (i - beta) * x / i
        denom = alpha + i
        series += numer / denom * (factor + 1 / denom)
    result = x * math.pow(1 - x, -beta) * series
    return 0.0 if math.isnan(result) else result


def _grad_beta_small(x, alpha, beta):
    factor = digamma_one(alpha + beta) - digamma_one(beta)
    numer, betas, dbetas, series = 1.0, 1.0, 0.0, factor / alpha
    for i in range(1, 9):
        numer *= -x / i
        dbetas = dbetas * (beta - i) + betas
        betas = betas * (beta - i)
        series += numer / (alpha + i) * (dbetas + factor * betas)
    result = -math.pow(1 - x, 1 - beta) * series
    return 0.0 if math.isnan(result) else result


def _grad_alpha_mid(x, alpha, beta):
    total = alpha + beta
    mean = alpha / total
    std = math.sqrt(alpha * beta / (total + 1)) / total
    if mean - 0.1 * std <= x <= mean + 0.1 * std:
        poly = 47 * x * (beta * beta) * (beta * beta) + alpha * (
            (43 + 20 * (16 + 27 * beta) * x) * (beta * beta) * beta + alpha * (
                3 * (59 + 180 * beta - 90 * x) * (beta * beta) + alpha * (
                    (453 + 1620 * beta * (1 - x) - 455 * x) * beta + alpha * (8 * (1 - x) * (135 * beta - 11)))))
        prefactor_num = (1 + 12 * alpha) * (1 + 12 * beta) / (total * total)
        prefactor_den = 12960 * alpha * alpha * alpha * beta * beta * (1 + 12 * total)
        return prefactor_num / (1 - x) * poly / prefactor_den
    prefactor = -x / math.sqrt(2 * alpha * beta / total)
    stirling = ((1 + 1 / (12 * alpha) + 1 / (288 * alpha * alpha)) * (1 + 1 / (12 * beta) + 1 / (288 * beta * beta))
                / (1 + 1 / (12 * total) + 1 / (288 * total * total)))
    term1_num = 2 * (alpha * alpha) * (x - 1) + alpha * beta * (x - 1) - x * (beta * beta)
    axbx = alpha * (x - 1) + beta * x
    term1 = term1_num / (math.sqrt(2 * alpha / beta) * math.pow(total, 1.5) * axbx * axbx)
    term2 = 0.5 * math.log(alpha / (total * x))
    term3 = math.sqrt(8 * alpha * beta / total) / (beta * x + alpha * (x - 1))
    term4 = math.pow(beta * math.log(beta / (total * (1 - x))) + alpha * math.log(alpha / (total * x)), -1.5)
    return stirling * prefactor * (term1 + term2 * (term3 + (term4 if x < mean else -term4)))


_C = ((((1.003668233, -0.01061107488, -0.0657888334, 0.01201642863),
        (0.6336835991, -0.3557432599, 0.05486251648, -0.001465281033),
        (-0.03276231906, 0.004474107445, 0.002429354597, -0.0001557569013)),
       ((0.221950385, -0.3187676331, 0.01799915743, 0.01074823814),
        (-0.2951249643, 0.06219954479, 0.01535556598, 0.001550077057),
        (0.02155310298, 0.004170831599, 0.001292462449, 6.976601077e-05)),
       ((-0.05980841433, 0.008441916499, 0.01085618172, 0.002319392565),
        (0.02911413504, 0.01400243777, -0.002721828457, 0.000751041181),
        (0.005900514878, -0.001936558688, -9.495446725e-06, 5.385558597e-05))),
      (((1, -0.02924021934, -0.04438342661, 0.007285809825),
        (0.6357567472, -0.3473456711, 0.05454656494, -0.002407477521),
        (-0.03301322327, 0.004845219414, 0.00231480583, -0.0002307248149)),
       ((0.5925320577, -0.1757678135, 0.01505928619, 0.000564515273),
        (0.1014815858, -0.06589186703, 0.01272886114, -0.0007316646956),
        (-0.007258481865, 0.001096195486, 0.0003934994223, -4.12701925e-05)),
       ((0.06469649321, -0.0236701437, 0.002902096474, -5.896963079e-05),
        (0.001925008108, -0.002869809258, 0.0008000589141, -6.063713228e-05),
        (-0.0003477407336, 6.959756487e-05, 1.097287507e-05, -1.650964693e-06))))


def dirichlet_grad_one(x: float, alpha: float, total: float) -> float:
    """-(d/dalpha cdf(x; alpha, total - alpha)) / pdf(x; alpha, total - alpha) / (1 - x), in double."""
    beta = total - alpha
    boundary = total * x * (1 - x)
    if x <= 0.5 and boundary < 2.5:
        return _grad_alpha_small(x, alpha, beta)
    if x >= 0.5 and boundary < 0.75:
        return -_grad_beta_small(1 - x, beta, alpha)
    return _in_double(x, alpha, total, alpha > 6 and beta > 6)


def _in_double(x, alpha, total, mid, digamma=digamma_one):
    """The branches ATen computes in double: Rice's expansion for large alpha and beta, else a rational
    correction to an analytic approximation (its digamma in the tensor's float: `digamma`)."""
    beta = total - alpha
    if mid:
        return _grad_alpha_mid(x, alpha, beta)
    u = math.log(x)
    a = math.log(alpha) - u
    b = math.log(total) - a
    pow_u, pow_a = (1, u, u * u), (1, a, a * a)
    p = q = 0.0
    for i in range(3):
        for j in range(3):
            ua = pow_u[i] * pow_a[j]
            cp, cq = _C[0][i][j], _C[1][i][j]
            p += ua * (cp[0] + b * (cp[1] + b * (cp[2] + b * cp[3])))
            q += ua * (cq[0] + b * (cq[1] + b * (cq[2] + b * cq[3])))
    approx = x * (float(digamma(total)) - float(digamma(alpha))) / beta
    return p / q * approx


def _float_in_double(x, alpha, total, mid):
    return _in_double(x, alpha, total, mid, DF.digamma_float)


def _grad_of(dtype: str):
    if dtype == "float32":
        return lambda x, alpha, total: DF.dirichlet_grad_float(x, alpha, total, _float_in_double)
    return dirichlet_grad_one


def _grad(g, out, concentration, values):
    """_Dirichlet_backward, on arrays (once_differentiable)."""
    g, x, alpha = data(g), data(out), data(concentration)
    total = xp.broadcast_to(reduce_sum(alpha, axis=-1, keepdims=True), tuple(alpha.shape))
    rows = zip(*(to_host(a).ravel().tolist() for a in (x, alpha, total)))
    name = dtype_name(x.dtype)
    one = _grad_of(name)
    grad = host.asarray([one(*row) for row in rows], dtype=name).reshape(x.shape)
    return from_host(grad) * (g - reduce_sum(x * g, axis=-1, keepdims=True))


def _no_tangent(*args, **params):       # (a Python Function of PyTorch's without a jvp)
    from ...errors import AgcliError
    raise AgcliError("You must implement the jvp function for custom autograd.Function to use it with forward mode "
                     "AD.", kind="not_implemented")


DIRICHLET = Op("_DirichletBackward", lambda concentration, values: values, (_grad,),
               ("_dirichlet_grad(x, concentration, total) * (grad - (x * grad).sum(-1, True))",), saves_out=True,
               jvps=(_no_tangent,))


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries it declares)

declare_rest(globals(), LOOP)       # each kernel and rule line by line
