"""Every differentiable op's VJP against central finite differences (float64).

Through the API: for an op expression E over inputs a, b, ... the test
evaluates `sum((E) * W)`, where W is a fixed random tensor of E's shape bound
as a variable outside --wrt (so the output is a scalar and each output element
has its own weight), takes agcli's gradients, and compares them with central
differences of the same expression evaluated by agcli's forward pass.
Inputs are drawn by a seeded RNG and kept away from kinks (relu/abs/clamp at
their corners, ties of max/min/maximum) by construction.

Then the create_graph path (second derivatives, in process) and a
100,000-op chain.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from agcli.evaluate import run as api
from agcli.torchapi import adaptive as ADAPT
from agcli.torchapi import adaptive_max as AMAX
from agcli.torchapi import attention as ATT
from agcli.torchapi import convolution as CONV
from agcli.torchapi import folding as FOLD
from agcli.torchapi import distances as DIST
from agcli.torchapi import functions
from agcli.torchapi import grid_sample as GRID
from agcli.torchapi import group_norm as GN
from agcli.torchapi import interpolate as UP
from agcli.torchapi import padding as PADS
from agcli.torchapi import further_shapes as FS
from agcli.torchapi import normalization as NORM
from agcli.torchapi import strided as STR
from agcli.torchapi import nn_channels as NC
from agcli.torchapi import transposed as TRANS
from agcli.engine.backend import from_host as D, to_host
from agcli.engine.backward import backward
from agcli.engine.tensor import Tensor, apply

EPS = 1e-6
RTOL, ATOL = 1e-6, 1e-8


@pytest.fixture(autouse=True)
def _float64():
    api.configure(dtype="float64", seed=None, max_elements=10**8)


# ------------------------------------------------------------ input makers
# Each maker takes the RNG and returns one array.

def normal(*shape):
    return lambda rng: rng.standard_normal(shape)


def uniform(lo, hi, *shape):
    return lambda rng: rng.uniform(lo, hi, shape)


def away(*shape, points=(0.0,), gap=0.1, lo=-2.0, hi=2.0):
    """Uniform in [lo, hi] but at least `gap` from each of `points` (kinks)."""
    def make(rng):
        v = rng.uniform(lo, hi, shape)
        while True:
            bad = np.zeros(v.shape, dtype=bool)
            for p in points:
                bad |= np.abs(v - p) < gap
            if not bad.any():
                return v
            v = np.where(bad, rng.uniform(lo, hi, shape), v)
    return make


def distinct(*shape, gap=0.3):
    """Values at least `gap` apart (no ties for max/min to split)."""
    def make(rng):
        n = int(np.prod(shape, dtype=int))
        v = (rng.permutation(n) - n / 2) * gap + rng.uniform(-gap / 4, gap / 4, n)
        return v.reshape(shape)
    return make


def with_zeros(*shape, at=()):
    """Normal values with exact zeros at the positions `at` (prod's gradient without dividing)."""
    def make(rng):
        v = rng.standard_normal(shape)
        for position in at:
            v[position] = 0.0
        return v
    return make


def probabilities(*shape):
    """Positive rows summing to 1 along the last dim (soft targets)."""
    def make(rng):
        v = rng.uniform(0.1, 1.0, shape)
        return v / v.sum(axis=-1, keepdims=True)
    return make


def separated_pair(shape_a, shape_b, gap=0.2):
    """(a, b) that broadcast together with |a - b| >= gap everywhere (maximum/minimum)."""
    def make(rng):
        b = rng.standard_normal(shape_b)
        full = np.broadcast_shapes(shape_a, shape_b)
        offset = rng.choice([-1.0, 1.0], full) * rng.uniform(gap, 1.0, full)
        a = (b + offset)
        # a must have shape_a: when shape_a is the broadcast shape this is exact
        assert a.shape == tuple(shape_a)
        return a, b
    return make


def _between_multiples(shape, rng):
    """(a, b) with a / b at least 0.2 from a whole number: % is smooth there."""
    b = rng.uniform(1.0, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    a = b * (rng.integers(-3, 3, shape) + rng.uniform(0.2, 0.8, shape))
    return a, b


# ---------------------------------------------------------------- the cases
def case(expr, pair=None, fixed=None, **inputs):
    """One op expression. inputs: name -> maker, differentiated; pair: (name_a, name_b,
    maker) for two drawn together; fixed: name -> maker, bound but not in --wrt."""
    fixed = fixed or {}

    def make(rng):
        values = {name: mk(rng) for name, mk in inputs.items()}
        if pair is not None:
            na, nb, mk = pair
            values[na], values[nb] = mk(rng)
        return dict(sorted(values.items())), {name: mk(rng) for name, mk in fixed.items()}

    wrt, const = make(np.random.default_rng(0))
    shapes = " ".join(f"{n}{tuple(v.shape)}" for n, v in {**wrt, **const}.items())
    return pytest.param(expr, make, id=f"{expr} | {shapes}")


CASES = [
    # ---- + - * / with broadcasting, both orders, python numbers
    case("a + b", a=normal(3, 1), b=normal(1, 4)),
    case("a + b", a=normal(2, 3), b=normal(3)),
    case("a + b", a=normal(), b=normal(2, 3)),
    case("b + a", a=normal(2, 3), b=normal(3)),
    case("a + 2.5", a=normal(2, 3)),
    case("2.5 + a", a=normal(2, 3)),
    case("a.add(b, alpha=2)", a=normal(2, 3), b=normal(3)),
    case("a - b", a=normal(3, 1), b=normal(1, 4)),
    case("b - a", a=normal(2, 3), b=normal(3)),
    case("a - b", a=normal(), b=normal(2, 3)),
    case("a - 1.5", a=normal(2, 3)),
    case("torch.rsub(a, b, alpha=0.5)", a=normal(3, 1), b=normal(1, 4)),
    case("torch.rsub(a, 2.5, alpha=3)", a=normal(2, 3)),
    case("1.5 - a", a=normal(2, 3)),
    case("a * b", a=normal(3, 1), b=normal(1, 4)),
    case("b * a", a=normal(2, 3), b=normal(3)),
    case("a * b", a=normal(), b=normal(2, 3)),
    case("a * 2.5", a=normal(2, 3)),
    case("2.5 * a", a=normal(2, 3)),
    case("a / b", a=normal(3, 1), b=away(1, 4, gap=0.5)),
    case("b / a", a=away(2, 3, gap=0.5), b=normal(3)),
    case("a / b", a=normal(2, 3), b=away(gap=0.5)),
    case("a / 2.5", a=normal(2, 3)),
    case("2.5 / b", b=away(2, 3, gap=0.5)),
    case("-a", a=normal(2, 3)),
    case("a.neg()", a=normal(4)),
    case("a % b", pair=("a", "b", lambda rng: _between_multiples((2, 3), rng))),
    case("a.masked_fill(a < 0, 0.5)", a=away(2, 3)),
    # ---- powers
    case("a ** 3", a=normal(2, 3)),
    case("pow(a, 2)", a=normal(2, 3)),
    case("b ** 2.5", b=uniform(0.5, 2.0, 2, 3)),
    case("b ** -1.5", b=uniform(0.5, 2.0, 2, 3)),
    case("b ** a", a=normal(2, 3), b=uniform(0.5, 2.0, 2, 3)),
    case("b ** a", a=normal(3), b=uniform(0.5, 2.0, 2, 1)),
    case("2.0 ** a", a=normal(2, 3)),
    case("0.5 ** a", a=normal(4)),
    # ---- elementwise functions
    case("exp(a)", a=normal(2, 3)),
    case("log(b)", b=uniform(0.5, 3.0, 2, 3)),
    case("log1p(b)", b=uniform(-0.5, 3.0, 2, 3)),
    case("sqrt(b)", b=uniform(0.5, 3.0, 2, 3)),
    case("sin(a)", a=normal(2, 3)),
    case("cos(a)", a=normal(2, 3)),
    case("tan(a)", a=uniform(-1.2, 1.2, 2, 3)),
    case("tanh(a)", a=normal(2, 3)),
    case("sigmoid(a)", a=normal(2, 3)),
    case("relu(a)", a=away(2, 3)),
    case("abs(a)", a=away(2, 3)),
    case("clamp(a, -0.5, 0.5)", a=away(3, 4, points=(-0.5, 0.5))),
    case("clamp(a, min=0.2)", a=away(3, 4, points=(0.2,))),
    case("a.clamp(max=-0.3)", a=away(3, 4, points=(-0.3,))),
    # tensor bounds (ClampBackward0, ClampMinBackward1, ClampMaxBackward1): each bound has a gradient too
    case("clamp(a, min=b)", a=normal(3, 4), b=normal(3, 4)),
    case("clamp(a, max=c)", a=normal(3, 4), c=normal(4)),
    case("clamp(a, b, c)", a=normal(3, 4), b=uniform(-1.5, -0.5, 3, 4), c=uniform(0.5, 1.5, 3, 1)),
    case("clamp(a, b, c)", a=normal(3, 4), b=uniform(0.5, 1.5, 3, 4), c=uniform(-1.5, -0.5, 4)),   # min > max
    case("a.clamp_min(b)", a=normal(3, 4), b=normal(3, 4)),
    case("a.clamp_max(b)", a=normal(3, 4), b=normal(3, 4)),
    case("a.clamp_min(0.2)", a=away(3, 4, points=(0.2,))),
    case("a.clamp_max(-0.3)", a=away(3, 4, points=(-0.3,))),
    case("a % 1.5", a=away(2, 3, lo=-1.4, hi=1.4)),
    # ---- triangles and diagonals
    case("a.tril()", a=normal(3, 3)),
    case("triu(a, 1)", a=normal(2, 3, 4)),
    case("diag(a)", a=normal(3)),
    case("a.diag(-1)", a=normal(3)),
    case("diag(a, 1)", a=normal(3, 4)),
    # ---- picks by rank (distinct values: no ties to refuse)
    case("a.topk(2, dim=1)[0]", a=normal(2, 4)),
    case("topk(a, 2, largest=False).values", a=normal(5)),
    case("a.median()", a=normal(2, 3)),
    case("a.median(1)[0]", a=normal(2, 3)),
    case("median(a, 0, keepdim=True).values", a=normal(3, 2)),
    case("a.kthvalue(2, 1)[0] + kthvalue(a, 1, 1, keepdim=True).values.sum()", a=normal(2, 4)),
    # ---- running extremes, two outputs
    case("a.cummax(1)[0] * cummin(a, 0).values", a=normal(3, 4)),
    case("logcumsumexp(a, 1) + a.logcumsumexp(0)", a=normal(3, 4)),
    case("std_mean(a, 1, keepdim=True)[0] * std_mean(a)[1] + var_mean(a, 0, keepdim=True)[0].sum() * var_mean(a)[1]",
         a=normal(3, 4)),
    case("aminmax(a)[0] * aminmax(a, dim=1)[1]", a=normal(3, 4)),
    case("embedding(tensor([[2, 0], [2, 1]]), a) * F.embedding(tensor([1, 1]), a, padding_idx=0)", a=normal(3, 4)),
    case("torch.linalg.inv(a + 3 * eye(3)) @ inverse(b + 3 * eye(3)).sum(0)", a=normal(3, 3), b=normal(2, 3, 3)),
    case("torch.linalg.solve(a + 3 * eye(3), v) * torch.linalg.solve(b + 3 * eye(3), m).sum(-1)",
         a=normal(3, 3), v=normal(3), b=normal(2, 3, 3), m=normal(2, 3, 4)),
    # ---- pieces and tiles
    case("a.masked_select(m > 0)", fixed=dict(m=normal(2, 3)), a=normal(2, 3)),
    case("roll(a, 2) * a.roll((1, -1), (0, 1))", a=normal(2, 3)),
    case("masked_select(a, m > 0)", fixed=dict(m=normal(3)), a=normal(2, 3)),
    case("a.index_select(1, tensor([2, 0, 2]))", a=normal(2, 3)),
    case("a.narrow(1, 1, 2) * a.movedim(0, 1).unflatten(0, (3, 1))[1:, 0].t().tile(1, 2)[:, :2]", a=normal(2, 3)),
    case("a.repeat(2, 1, 2)", a=normal(2, 3)),
    case("pad(a, (1, 2)) * 2 + pad(a, (-1, 1, 0, 1), value=3.).sum()", a=normal(2, 3)),
    case("a.squeeze((0, 2)) * a.squeeze(()).sum()", a=normal(1, 3, 1)),
    case("nansum(a) + a.nansum(1, keepdim=True) * nanmean(a, 0) + diff(a, dim=0).sum()", a=normal(2, 3)),
    case("a.split(2, 1)[1]", a=normal(2, 3)),
    case("a.split([1, 2], dim=1)[1]", a=normal(2, 3)),
    case("a.chunk(2)[0]", a=normal(4, 3)),
    # ---- more functions of one value
    case("log2(b) + b.log10()", b=uniform(0.5, 3.0, 2, 3)),
    case("exp2(a) * a.expm1()", a=normal(2, 3)),
    case("rsqrt(b)", b=uniform(0.5, 3.0, 2, 3)),
    case("sinh(a) + a.cosh()", a=normal(2, 3)),
    case("asin(a) * acos(a)", a=uniform(-0.9, 0.9, 2, 3)),
    case("atan(a) + a.erf()", a=normal(2, 3)),
    case("erfc(a) + asinh(a) * acosh(b) + a.atanh()", a=uniform(-0.9, 0.9, 2, 3), b=uniform(1.5, 3.0, 2, 3)),
    # ---- functions of two tensors, special functions
    case("atan2(a, b) + b.arctan2(a)", a=normal(2, 3), b=away(3, gap=0.3)),
    case("hypot(a, b) * logaddexp(a, b)", a=away(2, 3, gap=0.2), b=normal(3)),
    case("xlogy(a, b) + xlogy(2.5, b) + a.xlogy(1.7)", a=normal(2, 3), b=uniform(0.5, 3.0, 3)),
    case("copysign(a, b) + a.copysign(-1.5)", a=away(2, 3), b=away(3)),
    case("lerp(a, b, 0.3) + a.lerp(b, 0.8) + lerp(a, b, w)", a=normal(2, 3), b=normal(3), w=normal(2, 3)),
    case("lgamma(b) + digamma(b) + polygamma(1, b) + b.polygamma(2)", b=uniform(0.5, 3.0, 2, 3)),
    case("erfinv(a) + logit(b) + b.logit(eps=0.01)", a=uniform(-0.9, 0.9, 2, 3), b=uniform(0.1, 0.9, 2, 3)),
    case("sinc(a) + deg2rad(a) * a.rad2deg() + nan_to_num(a)", a=away(2, 3, gap=0.2)),
    # ---- piecewise activations, away from their corners
    case("hardtanh(a) + relu6(a * 4) + hardtanh(a, -0.5, 1.5)", a=away(2, 3, points=(-1.0, -0.5, 0.0, 1.0, 1.5))),
    case("hardsigmoid(a * 2) + hardswish(a * 2)", a=away(2, 3, points=(-1.5, 1.5))),
    case("threshold(a, 0.1, 2.0)", a=away(2, 3, points=(0.1,))),
    case("softshrink(a) + hardshrink(a, 0.3)", a=away(2, 3, points=(-0.5, -0.3, 0.3, 0.5))),
    case("mish(a) + softsign(a) + tanhshrink(a)", a=away(2, 3)),
    case("addcmul(a, b, c, value=0.3) + a.addcdiv(b, c, value=-0.7) + addcmul(a, b, c)", a=normal(2, 3), b=normal(3),
         c=uniform(0.5, 2.0, 2, 3)),
    # ---- rounding: a zero gradient away from the jumps (frac's is the gradient itself)
    case("round(a)", a=away(2, 3, points=(-1.5, -0.5, 0.5, 1.5))),
    case("a.round(decimals=1)", a=lambda rng: np.round(rng.uniform(-2, 2, (2, 3)), 1) + 0.02),
    case("floor(a)", a=away(2, 3, points=(-1.0, 0.0, 1.0))),
    case("a.ceil()", a=away(2, 3, points=(-1.0, 0.0, 1.0))),
    case("trunc(a)", a=away(2, 3, points=(-1.0, 0.0, 1.0))),
    case("a.frac()", a=away(2, 3, points=(-1.0, 0.0, 1.0))),
    case("sign(a)", a=away(2, 3)),
    case("a.div(b, rounding_mode='trunc')", a=normal(2, 3), b=away(3, gap=0.5)),
    case("div(a, 0.7, rounding_mode='floor')", a=normal(2, 3)),
    case("fmod(a, 1.5)", a=away(2, 3, points=(-1.5, 0.0, 1.5))),
    case("a.fmod(b)", a=normal(2, 3), b=away(3, gap=0.5)),
    # ---- where / maximum / minimum
    case("where(m > 0, a, b)", fixed=dict(m=normal(2, 1)), a=normal(2, 3), b=normal(3)),
    case("where(m > 0, a, 0.0)", fixed=dict(m=normal(2, 3)), a=normal(2, 3)),
    case("maximum(a, b)", pair=("a", "b", separated_pair((2, 3), (2, 3)))),
    case("maximum(a, b)", pair=("a", "b", separated_pair((2, 3), (3,)))),
    case("minimum(a, b)", pair=("a", "b", separated_pair((2, 3), (2, 3)))),
    case("minimum(a, b)", pair=("a", "b", separated_pair((3, 4), (4,)))),
    # ---- reductions
    case("a.sum()", a=normal(2, 3)),
    case("sum(a, dim=0)", a=normal(2, 3)),
    case("a.sum(1, keepdim=True)", a=normal(2, 3)),
    case("a.sum(dim=(0, 2))", a=normal(2, 3, 4)),
    case("a.mean()", a=normal(2, 3)),
    case("mean(a, dim=1)", a=normal(2, 3)),
    case("a.mean(dim=(0, 1), keepdim=True)", a=normal(2, 3, 4)),
    case("a.max()", a=distinct(3, 4)),
    case("a.min()", a=distinct(3, 4)),
    case("max(a, dim=1).values", a=distinct(3, 4)),
    case("a.max(0)[0]", a=distinct(3, 4)),
    case("a.min(dim=1, keepdim=True).values", a=distinct(3, 4)),
    case("min(a, -1).values", a=distinct(2, 3, 4)),
    case("amax(a, dim=0)", a=distinct(3, 4)),
    case("amin(a, dim=(0, 2))", a=distinct(2, 3, 4)),
    case("a.norm()", a=normal(3, 4)),
    case("norm(a, dim=1)", a=normal(3, 4)),
    case("a.norm(dim=0, keepdim=True)", a=normal(3, 4)),
    case("norm(a, p=1, dim=1)", a=away(3, 4)),
    case("norm(a, p=3)", a=away(3, 4)),
    case("norm(a, p=-1.5) + norm(a, p=-inf, dim=1).sum()", a=away(3, 4)),
    case("logsumexp(a, dim=1)", a=normal(3, 4)),
    case("a.logsumexp(dim=0, keepdim=True)", a=normal(3, 4)),
    case("logsumexp(a, dim=(0, 2))", a=normal(2, 3, 4)),
    case("a.prod()", a=away(2, 3, gap=0.3)),
    case("a.prod()", a=with_zeros(2, 3, at=((0, 1),))),
    case("prod(a, 1)", a=with_zeros(3, 4, at=((0, 2), (1, 0), (1, 3)))),
    case("a.prod(0, keepdim=True)", a=away(3, 4, gap=0.3)),
    case("a.std()", a=normal(3, 4)),
    case("std(a, dim=(0, 2), keepdim=True)", a=normal(2, 3, 4)),
    case("a.var(1, unbiased=False)", a=normal(3, 4)),
    case("var(a, 0, correction=2)", a=normal(4, 3)),
    case("a.cumsum(1)", a=normal(3, 4)),
    case("cumsum(a, dim=0)", a=normal(3)),
    case("a.sort().values", a=distinct(3, 4)),
    case("sort(a, dim=0, descending=True, stable=True)[0]", a=distinct(3, 4)),
    case("a.trace()", a=normal(3, 4)),
    case("a.diagonal()", a=normal(3, 4)),
    case("diagonal(a, 1, 2, 0)", a=normal(3, 2, 4)),
    # ---- linear algebra: matmul in every dispatch case
    case("a @ b", a=normal(3), b=normal(3)),
    case("a @ b", a=normal(2, 3), b=normal(3)),
    case("a @ b", a=normal(3), b=normal(3, 4)),
    case("a @ b", a=normal(2, 3), b=normal(3, 4)),
    case("a @ b", a=normal(2, 2, 3), b=normal(2, 3, 4)),
    case("a @ b", a=normal(2, 2, 3), b=normal(3, 4)),
    case("a @ b", a=normal(2, 3), b=normal(2, 3, 4)),
    case("a @ b", a=normal(2, 2, 3), b=normal(3)),
    case("a @ b", a=normal(3), b=normal(2, 3, 4)),
    case("a @ b", a=normal(1, 2, 3), b=normal(2, 3, 4)),
    case("a @ b", a=normal(2, 1, 2, 3), b=normal(3, 3, 4)),
    case("a.mT @ b", a=normal(2, 3, 2), b=normal(2, 3, 4)),
    case("matmul(a, b.mT)", a=normal(2, 2, 3), b=normal(4, 3)),
    case("mm(a, b)", a=normal(2, 3), b=normal(3, 4)),
    case("mv(a, b)", a=normal(2, 3), b=normal(3)),
    case("dot(a, b)", a=normal(4), b=normal(4)),
    case("outer(a, b)", a=normal(3), b=normal(4)),
    case("F.linear(a, w, b)", a=normal(4, 3), w=normal(2, 3), b=normal(2)),
    case("F.linear(a, w, b)", a=normal(2, 4, 3), w=normal(2, 3), b=normal(2)),
    case("einsum('bij,bjk->bik', a, b)", a=normal(2, 2, 3), b=normal(2, 3, 4)),
    case("einsum('ij,kj,k->i', a, b, c)", a=normal(2, 3), b=normal(4, 3), c=normal(4)),
    case("einsum('iij,j->i', a, b)", a=normal(3, 3, 2), b=normal(2)),
    # ---- shapes
    case("a.reshape(3, 4)", a=normal(2, 6)),
    case("a.reshape(-1)", a=normal(2, 3, 2)),
    case("a.t().reshape(-1)", a=normal(2, 3)),
    case("a.view(4, 3)", a=normal(2, 6)),
    case("a.view(-1)", a=normal(2, 3)),
    case("a.t()", a=normal(2, 3)),
    case("t(a)", a=normal(3)),
    case("a.T", a=normal(2, 3, 4)),
    case("a.mT", a=normal(2, 3, 4)),
    case("a.transpose(0, 2)", a=normal(2, 3, 4)),
    case("transpose(a, 1, 0)", a=normal(2, 3)),
    case("a.permute(2, 0, 1)", a=normal(2, 3, 4)),
    case("a.squeeze()", a=normal(1, 3, 1)),
    case("a.squeeze(1)", a=normal(2, 1, 3)),
    case("a.unsqueeze(1)", a=normal(2, 3)),
    case("unsqueeze(a, -1)", a=normal(2, 3)),
    case("a.expand(4, 3)", a=normal(3)),
    case("a.expand(2, -1, 3)", a=normal(2, 1)),
    case("a.flatten()", a=normal(2, 3, 2)),
    case("flatten(a, 1)", a=normal(2, 3, 2)),
    case("cat([a, b], dim=1)", a=normal(2, 3), b=normal(2, 2)),
    case("cat([a, b, a])", a=normal(2, 3), b=normal(1, 3)),
    case("stack([a, b])", a=normal(2, 3), b=normal(2, 3)),
    case("stack([a, b], dim=2)", a=normal(2, 3), b=normal(2, 3)),
    # ---- indexing
    case("a[0]", a=normal(3, 4)),
    case("a.unbind(1)[2] * unbind(a)[0][1]", a=normal(3, 4)),
    case("a[1:]", a=normal(3, 4)),
    case("a[:, 0]", a=normal(3, 4)),
    case("a[-1]", a=normal(3, 4)),
    case("a[::2]", a=normal(5, 2)),
    case("a[[0, 2]]", a=normal(3, 4)),
    case("a[tensor([0, 2, 0])]", a=normal(3, 4)),
    case("a[1:, :2]", a=normal(3, 4)),
    case("a[..., -1]", a=normal(2, 3, 4)),
    case("a[None]", a=normal(3)),
    case("a[0, 1]", a=normal(3, 4)),
    case("a[...]", a=normal(3, 4)),
    case("a[:]", a=normal(3, 4)),
    # ---- index_fill, scatter, scatter_add, gather (repeated indices where they add up)
    case("index_fill(a, 1, tensor([0, 2, 0]), 0.5)", a=normal(2, 3)),
    case("a.index_fill(0, tensor([1]), v)", a=normal(2, 3), v=normal()),
    case("a.index_fill(-1, tensor([2, 0, 2]), v)", a=normal(2, 3), v=normal()),
    case("scatter(a, 1, tensor([[2, 0], [1, 2]]), b)", a=normal(2, 3), b=normal(2, 2)),
    case("a.scatter(0, tensor([[1, 0, 1]]), 2.5)", a=normal(2, 3)),
    case("scatter_add(a, 0, tensor([[1, 0, 1], [1, 1, 0]]), b)", a=normal(2, 3), b=normal(2, 3)),
    case("gather(a, 1, tensor([[0, 0, 2], [1, 2, 0]]))", a=normal(2, 3)),
    case("a.gather(0, tensor([[1, 1, 0]]))", a=normal(2, 3)),
    # ---- neural-network functions and losses
    case("softmax(a, dim=1)", a=normal(3, 4)),
    case("softmax(a, dim=0)", a=normal(3, 4)),
    case("log_softmax(a, dim=-1)", a=normal(3, 4)),
    case("log_softmax(a, dim=1)", a=normal(2, 3, 4)),
    case("binary_cross_entropy_with_logits(z, y)", z=normal(3, 4), y=uniform(0.0, 1.0, 3, 4)),
    case("binary_cross_entropy_with_logits(z, y, reduction='sum')", z=normal(5), y=uniform(0.0, 1.0, 5)),
    case("binary_cross_entropy_with_logits(z, y, reduction='none')", z=normal(2, 3), y=uniform(0.0, 1.0, 2, 3)),
    case("mse_loss(a, b)", a=normal(3, 4), b=normal(3, 4)),
    case("mse_loss(a, b, reduction='sum')", a=normal(5), b=normal(5)),
    case("mse_loss(a, b, reduction='none')", a=normal(2, 3), b=normal(2, 3)),
    case("cross_entropy(x, tensor([0, 2, 1]))", x=normal(3, 4)),
    case("cross_entropy(x, tensor([3, 0]), reduction='sum')", x=normal(2, 4)),
    case("cross_entropy(x, tensor([1, 1, 0]), reduction='none')", x=normal(3, 2)),
    case("cross_entropy(x, p)", x=normal(3, 4), p=probabilities(3, 4)),
    case("F.softplus(a)", a=normal(3, 4)),
    case("F.softplus(a, beta=2, threshold=1)", a=away(3, 4, points=(0.5,))),
    case("F.binary_cross_entropy(p, y)", p=uniform(0.1, 0.9, 3, 4), y=uniform(0.0, 1.0, 3, 4)),
    case("F.binary_cross_entropy(p, y, weight=w, reduction='sum')", fixed=dict(w=uniform(0.5, 2.0, 4)),
         p=uniform(0.1, 0.9, 3, 4), y=uniform(0.0, 1.0, 3, 4)),
    case("F.binary_cross_entropy(p, y, reduction='none')", p=uniform(0.1, 0.9, 5), y=uniform(0.0, 1.0, 5)),
    # ---- the losses and activations of torch.nn.functional (torchapi/nn_losses.py, engine/ops/losses.py,
    # activations.py); |a - b| kept away from the kinks at 0 and beta / delta
    case("F.l1_loss(a, b)", a=uniform(0.5, 2.0, 3, 4), b=uniform(-2.0, -0.5, 3, 4)),
    case("F.smooth_l1_loss(a, b)", a=away(3, 4, points=(-1.0, 1.0)), b=with_zeros(1, at=((0,),))),
    case("F.smooth_l1_loss(a, b, reduction='sum', beta=0.5)", a=away(5, points=(-0.5, 0.5)), b=with_zeros(1, at=((0,),))),
    case("F.smooth_l1_loss(a, b, reduction='none')", a=away(2, 3, points=(-1.0, 1.0)), b=with_zeros(1, at=((0,),))),
    case("F.huber_loss(a, b)", a=away(3, 4, points=(-1.0, 1.0)), b=with_zeros(1, at=((0,),))),
    case("F.huber_loss(a, b, reduction='sum', delta=0.5)", a=away(5, points=(-0.5, 0.5)), b=with_zeros(1, at=((0,),))),
    case("F.huber_loss(a, b, reduction='none', delta=2.0)", a=away(2, 3, points=(-2.0, 2.0), lo=-3, hi=3),
         b=with_zeros(1, at=((0,),))),
    case("F.binary_cross_entropy_with_logits(z, y, weight=w, pos_weight=q)", z=normal(3, 4),
         y=uniform(0.0, 1.0, 3, 4), fixed=dict(w=uniform(0.5, 2.0, 3, 4), q=uniform(0.5, 3.0, 4))),
    case("F.binary_cross_entropy_with_logits(z, y, pos_weight=q, reduction='none')", z=normal(2, 3),
         y=uniform(0.0, 1.0, 2, 3), fixed=dict(q=uniform(0.5, 3.0, 3))),
    case("F.nll_loss(x, tensor([0, 2, 1, 2]), weight=w)", x=normal(4, 3), fixed=dict(w=uniform(0.5, 2.0, 3))),
    case("F.nll_loss(x, tensor([0, 2, 1, 2]), weight=w, reduction='none', ignore_index=1)", x=normal(4, 3),
         fixed=dict(w=uniform(0.5, 2.0, 3))),
    case("F.nll_loss(x, tensor([[[0, 1], [2, 1]], [[2, 2], [0, 1]]]), ignore_index=1)", x=normal(2, 3, 2, 2)),
    case("F.nll_loss(x, tensor([[0, 1, 2], [2, 2, 0]]), reduction='none', weight=w)", x=normal(2, 3, 3),
         fixed=dict(w=uniform(0.5, 2.0, 3))),
    case("F.cross_entropy(x, tensor([0, 2, 1]), weight=w, label_smoothing=0.2)", x=normal(3, 4),
         fixed=dict(w=uniform(0.5, 2.0, 4))),
    case("F.cross_entropy(x, p, weight=w, label_smoothing=0.1, reduction='sum')", x=normal(3, 4),
         p=probabilities(3, 4), fixed=dict(w=uniform(0.5, 2.0, 4))),
    case("F.leaky_relu(a, 0.2)", a=away(3, 4)),
    case("F.elu(a, alpha=0.7)", a=away(3, 4)),
    case("F.selu(a)", a=away(3, 4)),
    case("F.celu(a, 0.7)", a=away(3, 4)),
    case("F.silu(a)", a=normal(3, 4)),
    case("F.gelu(a)", a=normal(3, 4)),
    case("F.gelu(a, approximate='tanh')", a=normal(3, 4)),
    case("F.logsigmoid(a)", a=normal(3, 4, )),
    case("F.softmin(a, dim=1)", a=normal(3, 4)),
    case("F.normalize(a, p=3, dim=0)", a=normal(3, 4)),
    # ---- convolutions and pools
    case("conv2d(a, w, b, stride=(2, 1), padding=1, dilation=(1, 2), groups=2)", a=normal(2, 4, 5, 6),
         w=normal(4, 2, 2, 3), b=normal(4)),
    case("F.conv1d(a, w, padding='same')[:, :4] + conv2d(a.unsqueeze(-1), w.unsqueeze(-1))[..., 0]",
         a=normal(3, 5), w=normal(2, 3, 2)),
    case("max_pool2d(a, 3, stride=2, padding=1, ceil_mode=True) * max_pool1d(a[0], 2, dilation=2).sum()",
         a=normal(2, 5, 6)),
    case("max_pool3d(a, (2, 1, 2), return_indices=True)[0].sum() * avg_pool3d(a, 2, stride=1, divisor_override=3)",
         a=normal(1, 3, 4, 3)),
    case("avg_pool2d(a, 2, padding=1, ceil_mode=True, count_include_pad=False) * avg_pool1d(a, 3, 2, 1).sum()",
         a=normal(2, 3, 4)),
    case("adaptive_avg_pool2d(a, (2, 3)) * adaptive_avg_pool1d(a, 4).sum() + adaptive_avg_pool2d(a, 1)",
         a=normal(2, 3, 5)),
    case("F.conv_transpose2d(a, w, b, stride=(2, 1), padding=1, output_padding=(1, 0), dilation=(1, 2))",
         a=normal(2, 4, 3, 4), w=normal(4, 3, 2, 3), b=normal(3)),
    case("conv_transpose1d(a, w, groups=2, stride=2)"
         " * conv_transpose3d(a[None, ..., None, None], w[..., None, None]).sum()",
         a=normal(4, 3), w=normal(4, 1, 2)),
    # ---- normalisation
    case("F.layer_norm(a, (3, 4), w, b) + layer_norm(a, [4]) * w", a=normal(2, 3, 4), w=normal(3, 4), b=normal(3, 4)),
    case("F.batch_norm(a, None, None, w, b, training=True) + batch_norm(a, zeros(3), ones(3) * 2, w, b)",
         a=normal(4, 3, 2), w=normal(3), b=normal(3)),
    # ---- unsafe_chunk / unsafe_split (the LSTM's and GRU's gates: pieces that are not views)
    case("a.unsafe_chunk(3, 1)[1] * torch.unsafe_split(a, 2, 1)[2] + a.unsafe_split_with_sizes([1, 2, 3], 1)[1]",
         a=normal(2, 6)),
    # ---- beta * input + alpha * product (addmm's kin)
    case("torch.addmm(c, a, b, beta=0.5, alpha=2)", c=normal(4), a=normal(2, 3), b=normal(3, 4)),
    case("c.addmm(a.t(), b)", c=normal(3, 4), a=normal(2, 3), b=normal(2, 4)),
    case("torch.addmv(c, a, b, alpha=3)", c=normal(2), a=normal(2, 3), b=normal(3)),
    case("torch.addr(c, a, b, beta=2, alpha=-0.5)", c=normal(2, 4), a=normal(2), b=normal(4)),
    case("torch.addbmm(c, a, b, alpha=0.5)", c=normal(1, 4), a=normal(3, 2, 3), b=normal(3, 3, 4)),
    case("torch.baddbmm(c, a, b, beta=2)", c=normal(2, 4), a=normal(3, 2, 3), b=normal(3, 3, 4)),
    # ---- tensordot, kron, cartesian_prod (composites of permute, view, mm, mul, stack)
    case("torch.tensordot(a, b, dims=([1, 2], [1, 0])) + torch.tensordot(a[:, :1], b, dims=([1], [1])).sum((1, 2))",
         a=normal(2, 3, 4), b=normal(4, 3, 5)),
    case("torch.kron(a, b) + torch.tensordot(a, b, 0).reshape(6, 12)", a=normal(2, 3), b=normal(3, 4)),
    case("torch.cartesian_prod(a, b) * torch.tensordot(a, a, 1)", a=normal(3), b=normal(2)),
    # ---- cross, diag_embed, rot90
    case("torch.linalg.cross(a, b) + torch.cross(a[:1], b, dim=1)", a=normal(4, 3), b=normal(4, 3)),
    case("torch.diag_embed(a, 1, 0, 2) * 2 + torch.diag_embed(a[0], -1)[None]", a=normal(4, 3)),
    case("torch.rot90(a) * torch.rot90(a, -1, [1, 0]) + a.rot90(2, [0, -1]).sum()", a=normal(4, 3)),
    # ---- mode (distinct values: each row's smallest)
    case("a.mode(1)[0] + torch.mode(a, 0, keepdim=True).values.sum()", a=distinct(3, 4)),
    # ---- det
    case("torch.det(a) + torch.linalg.det(a[:, :2, :2] * 3).sum()", a=normal(2, 3, 3)),
    # ---- quantile (sort, gathers, an in-place lerp and squeeze; distinct values)
    case("torch.quantile(a, 0.3, dim=1) + a.nanquantile(torch.tensor([0.2, 0.9]), dim=1, keepdim=True).sum(0)[:, 0]",
         a=distinct(3, 5)),
    # ---- block_diag (a matrix, a vector, a number)
    case("torch.block_diag(a, b, a[1, 2]) * 2", a=normal(2, 3), b=normal(4)),
    # ---- slogdet, logdet (the sign's gradient: none)
    case("torch.linalg.slogdet(a)[1] + torch.logdet(a @ a.mT) + torch.slogdet(a)[0]", a=normal(2, 3, 3)),
    # ---- group norm (NativeGroupNormBackward0; a transposed input through CloneBackward0)
    case("F.group_norm(a, 2, w, b) + group_norm(a.transpose(1, 2).transpose(1, 2), 4, w) * b[:, None]",
         a=normal(2, 4, 3), w=normal(4), b=normal(4)),
    # ---- interpolate (nearest, nearest-exact, linear: each an op a dim count)
    case("F.interpolate(a, scale_factor=2.5) * F.interpolate(a, size=7, mode='nearest-exact')"
         " + F.interpolate(a, size=7, mode='linear')"
         " + F.interpolate(a, scale_factor=2.5, mode='linear', align_corners=True)", a=normal(1, 2, 3)),
    case("F.interpolate(a, scale_factor=2) * F.interpolate(a, size=(6, 1), mode='nearest-exact')"
         " + F.interpolate(a, scale_factor=2, mode='bilinear')"
         " + F.interpolate(a, size=(90, 50), mode='bilinear')[..., :6, :4]", a=normal(1, 9, 3, 2)),
    case("F.interpolate(a, scale_factor=2) * F.interpolate(a, size=(4, 6, 4), mode='nearest-exact')"
         " + F.interpolate(a, size=(4, 6, 4), mode='trilinear', align_corners=True)", a=normal(1, 1, 2, 3, 2)),
    # ---- adaptive max pools (AdaptiveMaxPool2DBackward0; 1-d through unsqueeze/squeeze)
    case("F.adaptive_max_pool2d(a, (2, 3)) * F.adaptive_max_pool1d(a[0], 3).sum()"
         " + F.adaptive_max_pool2d(a, 2, return_indices=True)[0].sum()", a=normal(2, 5, 7)),
    # ---- F.pad's reflect and replicate modes (an op a mode and dim count)
    case("F.pad(a, (2, 1), mode='reflect') * F.pad(a, (0, 3), mode='replicate')", a=normal(2, 3, 4)),
    case("F.pad(a, (2, 1, 1, 2), mode='reflect') * F.pad(a, (0, 3, 2, 1), mode='replicate')", a=normal(2, 3, 4)),
    case("F.pad(a, (1, 1, 0, 1, 1, 0), mode='reflect') * F.pad(a, (2, 0, 1, 0, 0, 1), mode='replicate')",
         a=normal(1, 2, 3, 2)),
    # ---- pairwise_distance (NormBackward1) and the composed losses
    case("F.pairwise_distance(a, b) * F.pairwise_distance(a, c, p=1.5, keepdim=True)", a=normal(3, 4), b=normal(3, 4),
         c=normal(4)),
    case("F.cosine_embedding_loss(a, b, torch.tensor([1., -1., 1.]), margin=-0.5)"
         " + F.triplet_margin_loss(a, b, c, margin=3.0, swap=True) + F.multilabel_soft_margin_loss(a, c.sigmoid())",
         a=normal(3, 4), b=normal(3, 4), c=normal(3, 4)),
    case("F.poisson_nll_loss(a, b) + F.poisson_nll_loss(b.exp(), c.exp(), log_input=False, full=True)"
         " + F.gaussian_nll_loss(a, b, c.exp())", a=normal(3, 4), b=normal(3, 4), c=normal(3, 4)),
    case("F.soft_margin_loss(a, b.sign()) + F.soft_margin_loss(a, b, reduction='sum')"
         " * F.soft_margin_loss(a, b, reduction='none')", a=normal(3, 4), fixed={"b": normal(3, 4)}),
    case("F.multi_margin_loss(a, torch.tensor([0, 3, 1])) + F.multi_margin_loss(a, torch.tensor([2, 0, 1]), p=2,"
         " margin=0.5, reduction='none')", a=normal(3, 4)),
    # ---- the channel-wise layers (engine/ops/channels.py): prelu's weight viewed over the channels, glu,
    # the shuffles, rrelu in evaluation (leaky_relu's slope), local_response_norm (composed)
    case("F.prelu(a, w) + F.prelu(a[:, :1], w[0]) + torch.prelu(a[0], w[:1])", a=away(3, 4, 2), w=normal(4)),
    case("F.glu(a, 1) * F.glu(a, -1).sum()", a=normal(2, 4, 4)),
    case("F.pixel_shuffle(a, 2) * F.pixel_unshuffle(a.reshape(2, 2, 4, 4), 2).sum()", a=normal(2, 8, 2, 2)),
    case("F.channel_shuffle(a, 2) * a + F.channel_shuffle(a, 3)", a=normal(2, 6, 3)),
    case("F.local_response_norm(a, 3, alpha=0.5) + F.local_response_norm(a[..., None], 2, beta=1.5, k=2)[..., 0]",
         a=normal(2, 5, 3)),
    case("F.rrelu(a, 0.1, 0.3) * a", a=away(3, 4)),
    case("F.bilinear(a, b, w, c) + F.bilinear(a[0], b[1], w).sum()", a=normal(2, 3), b=normal(2, 4), w=normal(5, 3, 4),
         c=normal(5)),
    # ---- composed: matrix_power, multi_dot, vecdot, cov, corrcoef, trapezoid, float_power, ndtr
    case("torch.linalg.matrix_power(a, 5) + torch.matrix_power(a, -2) + a.matrix_power(0) + a.matrix_power(1)",
         a=normal(3, 3)),
    case("torch.linalg.multi_dot([a, b, a.mT, b]) + torch.linalg.vecdot(a, b)[0]", a=normal(3, 3), b=normal(3, 3)),
    case("torch.cov(a) + torch.corrcoef(a) + torch.cov(a, correction=0, aweights=w)", a=normal(3, 5),
         w=uniform(0.5, 2, 5)),
    case("torch.trapezoid(a) + torch.trapezoid(a, x, dim=0).sum() + torch.cumulative_trapezoid(a, dx=0.5)[:, 1]",
         a=normal(4, 4), x=normal(4)),
    case("torch.float_power(a, 3) + torch.float_power(a.abs(), b) + torch.special.ndtr(b)", a=normal(3), b=normal(3)),
    # ---- fmax, fmin, logaddexp2, entr, xlog1py, dist
    case("torch.fmax(a, b) + torch.fmin(a, b[0]) * 2 + torch.logaddexp2(a, b)", a=normal(3, 4), b=normal(4)),
    case("torch.special.entr(a) + torch.special.xlog1py(b, a)", a=uniform(0.2, 2, 3), b=normal(3)),
    case("torch.dist(a, b) + torch.dist(a, b, 3) + a.dist(b[0], 1) + torch.dist(a, b, 0.5)", a=normal(2, 3),
         b=normal(3)),
    # ---- index_add (a repeated index), index_copy
    case("torch.index_add(a, 0, torch.tensor([0, 2, 0]), b, alpha=0.5) * torch.index_copy(a, 1, torch.tensor([2, 0]), "
         "b[:, :2])", a=normal(3, 3), b=normal(3, 3)),
    # ---- nanmedian (distinct values)
    case("torch.nanmedian(a) + torch.nanmedian(a, 1)[0].sum() + a.nanmedian(0, keepdim=True).values", a=distinct(3, 4)),
    # ---- unfold (overlapping windows)
    case("a.unfold(1, 3, 1) ** 2 + a.unfold(1, 3, 2).sum(1, keepdim=True)", a=normal(2, 5)),
    # ---- i0, i1 (both series: beyond 8 too)
    case("torch.i0(a) + torch.special.i1(a * 4) + torch.special.i0(a * 5)", a=normal(2, 3)),
    # ---- scatter_reduce (each reduction, with and without self; distinct values for amax/amin)
    case("torch.scatter_reduce(a, 0, torch.tensor([0, 1, 0, 1, 2]), b, 'sum') * torch.scatter_reduce(a, 0, "
         "torch.tensor([0, 1, 0, 1, 2]), b, 'mean', include_self=False)", a=normal(4), b=normal(5)),
    case("torch.scatter_reduce(a, 0, torch.tensor([0, 1, 0, 1, 2]), b, 'prod') + a.scatter_reduce(0, "
         "torch.tensor([0, 1, 0, 1, 2]), b, 'amax', include_self=False) + torch.scatter_reduce(a, 0, "
         "torch.tensor([2, 1, 0, 1, 2]), b, 'amin')", a=distinct(4), b=distinct(5)),
    # ---- log_ndtr (both branches, and below erfc's underflow)
    case("torch.special.log_ndtr(a * 3) + torch.special.log_ndtr(a - 40)", a=normal(2, 3)),
    # ---- take, put (an index twice, a negative one), combinations
    case("torch.take(a, torch.tensor([[0, 5], [-1, 5]])).sum() * a + torch.put(a, torch.tensor([1, -2, 1]), b, "
         "accumulate=True) * torch.put(a, torch.tensor([0, 4, 3]), b ** 2)", a=normal(2, 3), b=normal(3)),
    case("torch.combinations(b, 2) ** 2 + torch.combinations(b, 2, with_replacement=True)[:3]", b=normal(3)),
    # ---- embedding_bag (each mode, an empty bag, a repeated index, the padding index, per-sample weights)
    case("F.embedding_bag(torch.tensor([1, 2, 0, 1, 3]), a, torch.tensor([0, 2, 2]), mode='mean') * "
         "F.embedding_bag(torch.tensor([1, 2, 0, 1, 3]), a, torch.tensor([0, 3, 3]), mode='max', padding_idx=2) + "
         "F.embedding_bag(torch.tensor([1, 2, 0, 1, 3]), a, torch.tensor([0, 1, 4]), mode='sum', "
         "per_sample_weights=b)", a=distinct(4, 3), b=normal(5)),
    # ---- cholesky, solve_triangular (each side, each triangle, unit diagonal), cholesky_inverse
    case("torch.linalg.cholesky(a @ a.mT + 3 * eye(3)) + torch.linalg.cholesky(b @ b.mT + 3 * eye(3), "
         "upper=True).sum(0)", a=normal(3, 3), b=normal(2, 3, 3)),
    case("torch.linalg.solve_triangular(a.tril() + 3 * eye(3), m, upper=False) + torch.linalg.solve_triangular("
         "a.triu() + 3 * eye(3), m.mT, upper=True, left=False).mT + torch.linalg.solve_triangular(a, m, upper=False, "
         "unitriangular=True)", a=normal(3, 3), m=normal(3, 4)),
    case("torch.cholesky_inverse(a.tril() + 3 * eye(3)) + (a.triu() + 3 * eye(3)).cholesky_inverse(True)",
         a=normal(3, 3)),
    # ---- cdist: the kernel for each p (CdistBackward0), the matrix-multiply form (EuclideanDistBackward0)
    case("torch.cdist(a, b) * torch.cdist(a, b, p=1.5) + torch.cdist(a, b, p=3.0) + torch.cdist(a, b, p=1)",
         a=normal(3, 4), b=normal(5, 4)),
    case("torch.cdist(a, b, p=0.5) + torch.cdist(a, b, p=torch.inf)", a=normal(2, 3, 4), b=normal(1, 5, 4)),
    case("torch.cdist(a, b, compute_mode='use_mm_for_euclid_dist') + torch.cdist(a[0], b[0], "
         "compute_mode='use_mm_for_euclid_dist')", a=normal(2, 3, 4), b=normal(2, 5, 4)),
    # ---- scaled_dot_product_attention: the math path (SafeSoftmaxBackward0) and the flash kernel
    case("F.scaled_dot_product_attention(a, b, c, is_causal=True) + F.scaled_dot_product_attention(a, b, c, "
         "scale=0.7)", a=normal(2, 3, 4), b=normal(2, 3, 4), c=normal(2, 3, 5)),
    case("F.scaled_dot_product_attention(a, b, c) + F.scaled_dot_product_attention(a, b, c, is_causal=True)",
         a=normal(1, 2, 3, 4), b=normal(1, 2, 5, 4), c=normal(1, 2, 5, 4)),
    # ---- qr (tall, wide, complete; Q and R both), eigh (a symmetric input; UPLO), svd (U, S, Vh; torch.svd's V)
    case("torch.linalg.qr(a)[0].sum(0) * torch.linalg.qr(a).R.sum(1) + torch.linalg.qr(b)[0].pow(3).sum()"
         " + torch.linalg.qr(b, mode='complete')[1].sum(1)[:3]", a=normal(4, 3), b=normal(3, 5)),
    case("torch.linalg.eigh(a + a.mT)[0] + torch.linalg.eigh(a @ a.mT, UPLO='U')[1].pow(2).sum(0)"
         " * torch.linalg.eigvalsh(a + a.mT)", a=normal(3, 3)),
    # (full_matrices of a square matrix only: the extra columns of U or rows of Vh PyTorch's rules leave out)
    case("torch.linalg.svdvals(a) + torch.linalg.svd(a, full_matrices=False)[0].pow(2).sum(0)"
         " * torch.linalg.svd(a, full_matrices=False)[1] + torch.linalg.svd(b[:, 1:4])[2].pow(2).sum(0)"
         " + torch.svd(b).V.pow(2).sum(0)", a=normal(4, 3), b=normal(3, 5)),
    # ---- pinv (tall, wide, hermitian), matrix_exp (each Taylor degree's norms and the scaled and squared), cond
    case("torch.linalg.pinv(a).sum(1) * torch.linalg.pinv(b)[:, :3].sum(0) + torch.linalg.pinv(a[:3] @ a[:3].mT,"
         " hermitian=True)[0] + torch.linalg.cond(a) + torch.linalg.cond(b[:, :3], 'nuc')", a=normal(4, 3),
         b=normal(3, 5)),
    case("torch.linalg.matrix_exp(a * 1e-3) + torch.linalg.matrix_exp(a * 0.02) + torch.linalg.matrix_exp(a * 0.1)"
         " + torch.linalg.matrix_exp(a * 0.3) * torch.linalg.matrix_exp(a)", a=normal(3, 3)),
    # ---- lstsq (a matrix and a vector right-hand side; the residuals of gelsd)
    case("torch.linalg.lstsq(a, b).solution.sum(1) + torch.linalg.lstsq(a, b[:, 0]).solution"
         " * torch.linalg.lstsq(a, b, driver='gelsd').residuals.sum()", a=normal(5, 3), b=normal(5, 2)),
    case("torch.vdot(a, b) * a + b.vdot(a)", a=normal(4), b=normal(4)),
    # ---- masked_scatter (an unused tail of source), index_put with accumulate (a repeated index)
    case("a.masked_scatter(torch.tensor([[True, False, True], [False, True, True]]), b) ** 2 + a.index_put("
         "(torch.tensor([0, 1, 0]),), b[:3], accumulate=True)", a=normal(2, 3), b=normal(6)),
    # ---- slice_scatter (a step), select_scatter (a negative index), diagonal_scatter (an offset)
    case("torch.slice_scatter(a, b[:, :2] ** 2, 1, 0, 3, 2) * torch.select_scatter(a, b[1], 0, -1) + "
         "torch.diagonal_scatter(a, b[0, :2], 1) ** 2", a=normal(2, 3), b=normal(2, 3)),
    # ---- affine_grid (2-d and 3-d), grid_sample (bilinear, nearest; each padding; align_corners both ways)
    case("F.affine_grid(a, (2, 1, 3, 4), align_corners=False) ** 2 + F.affine_grid(a, (2, 3, 3, 4), "
         "align_corners=True)", a=normal(2, 2, 3)),
    case("F.affine_grid(a, (1, 1, 2, 3, 2), align_corners=False) ** 2", a=normal(1, 3, 4)),
    case("F.grid_sample(a, b, align_corners=False) * F.grid_sample(a, b, padding_mode='border', align_corners=True)"
         " + F.grid_sample(a, b * 1.3, padding_mode='reflection', align_corners=False) ** 2"
         " + F.grid_sample(a, b, mode='nearest', align_corners=False)", a=normal(2, 2, 3, 4), b=uniform(-1.1, 1.1, 2, 3, 2, 2)),
    # ---- max_unpool1d/2d/3d (MaxUnpool2D/3DBackward0 at max_pool's indices), adaptive_max_pool3d
    case("F.max_unpool2d(F.max_pool2d(a, 2) * 2, F.max_pool2d(a, 2, return_indices=True)[1], 2) ** 2"
         " + F.max_unpool1d(F.max_pool1d(a[0], 2).exp(), F.max_pool1d(a[0], 2, return_indices=True)[1], 2)",
         a=normal(2, 3, 4, 4)),
    case("F.max_unpool3d(F.max_pool3d(a, 2) * 3, F.max_pool3d(a, 2, return_indices=True)[1], 2) ** 2",
         a=normal(1, 2, 2, 4, 4)),
    case("F.adaptive_max_pool3d(a, (2, 3, 2)) ** 2 + F.adaptive_max_pool3d(a, 1, return_indices=True)[0]",
         a=normal(2, 3, 5, 4)),
    # ---- pdist (PdistBackward0: its kernel for p 2, 1, inf and a general p)
    case("F.pdist(a) * 2 + torch.pdist(a, 1) * F.pdist(a, torch.inf) + F.pdist(a, 3) ** 2 + F.pdist(a, 1.5)",
         a=distinct(4, 5)),
    # ---- frexp's mantissa (FrexpBackward0), narrow_copy (NarrowCopyBackward0)
    case("torch.frexp(a * 3).mantissa * a.frexp()[0] + torch.narrow_copy(b, 1, 1, 2).sum(1) * b.narrow_copy(0, 0, 1)[:, :2]",
         a=away(2, 2, points=(-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0), gap=0.1), b=normal(2, 3)),
    # ---- as_strided (AsStridedBackward0): overlapping windows, a view's storage read past the view
    case("a.as_strided((3, 4), (2, 1)) ** 2 + torch.as_strided(a, (4,), (2,), 1)"
         " * a[3:].as_strided((3, 4), (1, 1), 3) * a.view(2, 5).t().as_strided((4,), (2,), 2)"
         " + torch.cat([torch.zeros(3), a])[3:].as_strided((3, 4), (1, 2), 1) ** 3", a=normal(10)),
    # ---- ctc_loss (CtcLossBackward0: PyTorch's gradient is log_softmax's input's, so through it), every reduction
    case("F.ctc_loss(a.log_softmax(2), torch.tensor([[1, 2, 2], [3, 1, 0]]), (5, 4), (3, 2), reduction='none')"
         " + F.ctc_loss(a.log_softmax(2), torch.tensor([1, 1, 3]), torch.tensor([4, 5]), torch.tensor([2, 1]), blank=2)"
         " * F.ctc_loss(a.log_softmax(2)[:, 1], torch.tensor([2]), (3,), (1,), reduction='sum', zero_infinity=True)",
         a=normal(5, 2, 4)),
]


# ------------------------------------------------------------------ helpers
def _forward_value(expr, bindings):
    """The expression's value by agcli's forward pass alone (nothing requires grad,
    so the backward step reports an error, which does not concern us here)."""
    result = api.evaluate(expr, bindings, wrt=[])
    assert result.value is not None, result.error
    return result.value


def _objective(expr, inputs, rng, fixed=()):
    fixed = dict(fixed)
    shape = _forward_value(expr, {**inputs, **fixed}).shape
    weight = rng.standard_normal(shape)
    return f"sum(({expr}) * W)", {**inputs, **fixed, "W": weight}


def _numeric_grad(program, bindings, name):
    base = np.asarray(bindings[name], dtype=np.float64)
    grad = np.zeros_like(base)
    for idx in np.ndindex(base.shape):
        values = []
        for step in (EPS, -EPS):
            moved = base.copy()
            moved[idx] += step
            values.append(float(_forward_value(program, {**bindings, name: moved})))
        grad[idx] = (values[0] - values[1]) / (2 * EPS)
    return grad


@pytest.mark.parametrize("expr, make", CASES)
def test_vjp_matches_finite_differences(request, expr, make):
    rng = np.random.default_rng(zlib.crc32(request.node.callspec.id.encode()))
    inputs, fixed = make(rng)
    program, bindings = _objective(expr, inputs, rng, fixed)

    result = api.evaluate(program, bindings, wrt=list(inputs))
    assert result.error is None, result.error
    assert result.value.shape == ()
    assert set(result.grads) == set(inputs)        # neither W nor the fixed inputs
    for name, x in inputs.items():
        got = result.grads[name]
        assert got is not None, f"no gradient reached {name}"
        assert got.shape == x.shape
        want = _numeric_grad(program, bindings, name)
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg=f"d/d{name} of {program}")


def test_finite_differences_catch_a_wrong_gradient():
    """The harness itself: a deliberately wrong 'gradient' must not pass."""
    rng = np.random.default_rng(1)
    a = rng.standard_normal((2, 3))
    program, bindings = _objective("sin(a)", {"a": a}, rng)
    want = _numeric_grad(program, bindings, "a")
    np.testing.assert_allclose(want, np.cos(a) * bindings["W"], rtol=1e-7, atol=1e-9)
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(-np.sin(a) * bindings["W"], want, rtol=RTOL, atol=ATOL)


# ------------------------------------------------- second order (create_graph)
# f maps leaf tensors to a scalar tensor; the test compares the Hessian-vector
# product from differentiating the create_graph gradient with central
# differences of the (first-order) gradient along the same vector.

def _leaves(arrays):
    return [Tensor(D(np.array(a, dtype=np.float64)), requires_grad=True) for a in arrays]


def _gradient(f, arrays):
    xs = _leaves(arrays)
    grads = backward(f(*xs), None, accumulate=False)
    return [to_host(grads[x].data) for x in xs]


def _hvp(f, arrays, vectors, **backward_options):
    xs = _leaves(arrays)
    grads = backward(f(*xs), None, create_graph=True, accumulate=False, **backward_options)
    gs = [grads[x] for x in xs]
    for g in gs:
        assert type(g) is Tensor and g.grad_fn is not None and g.requires_grad, "the gradient is not differentiable"
    inner = functions.sum(functions.mul(gs[0], D(vectors[0])))
    for g, v in zip(gs[1:], vectors[1:]):
        inner = functions.add(inner, functions.sum(functions.mul(g, D(v))))
    second = backward(inner, None, accumulate=False)
    return [to_host(second[x].data) if x in second else np.zeros(x.shape) for x in xs]


def _numeric_hvp(f, arrays, vectors):
    plus = _gradient(f, [a + EPS * v for a, v in zip(arrays, vectors)])
    minus = _gradient(f, [a - EPS * v for a, v in zip(arrays, vectors)])
    return [(p - m) / (2 * EPS) for p, m in zip(plus, minus)]


R = np.random.default_rng(7)
W34 = R.standard_normal((3, 4))      # host arrays: D(...) sends them to the engine's device
W3 = R.standard_normal(3)

SECOND_ORDER = [
    pytest.param(lambda x: functions.sum(functions.mul(functions.sin(x), D(W3))), [R.standard_normal(3)], id="sin"),
    pytest.param(lambda x: functions.sum(functions.mul(functions.exp(x), D(W3))), [R.standard_normal(3)], id="exp"),
    pytest.param(lambda x: functions.sum(functions.mul(functions.tanh(x), D(W34))), [R.standard_normal((3, 4))], id="tanh"),
    pytest.param(lambda x, y: functions.sum(functions.mul(functions.mul(x, y), D(W34))),
                 [R.standard_normal((3, 1)), R.standard_normal(4)], id="mul-broadcast"),
    pytest.param(lambda w: functions.sum(functions.pow(functions.embedding(
        Tensor(D(np.array([[2, 0], [2, 1]]))), w, padding_idx=1), 3)), [R.standard_normal((3, 4))], id="embedding"),
    pytest.param(lambda x, y: functions.sum(functions.mul(functions.div(x, y), D(W34))),
                 [R.standard_normal((3, 4)), R.uniform(0.5, 2.0, (3, 4))], id="div"),
    pytest.param(lambda x: functions.sum(functions.mul(functions.pow(x, 3), D(W34))), [R.standard_normal((3, 4))], id="pow-number"),
    pytest.param(lambda x, y: functions.sum(functions.mul(functions.pow(x, y), D(W34))),
                 [R.uniform(0.5, 2.0, (3, 4)), R.standard_normal((3, 4))], id="pow-tensor"),
    pytest.param(lambda x, y: functions.sum(functions.mul(functions.matmul(x, y), D(W34))),
                 [R.standard_normal((3, 2)), R.standard_normal((2, 4))], id="matmul"),
    pytest.param(lambda x, y: functions.sum(functions.mul(functions.sin(functions.matmul(x, y)), D(W34))),
                 [R.standard_normal((2, 3, 2)), R.standard_normal((2, 4))], id="matmul-batched-sin"),
    pytest.param(lambda x: functions.sum(functions.mul(functions.softmax(x, 1), D(W34))), [R.standard_normal((3, 4))], id="softmax"),
    pytest.param(lambda x: functions.sum(functions.mul(functions.log_softmax(x, 0), D(W34))), [R.standard_normal((3, 4))],
                 id="log_softmax"),
    pytest.param(lambda x: functions.sum(functions.mul(functions.pow(functions.sum(x, 1), 2), D(W3))), [R.standard_normal((3, 4))], id="sum"),
    pytest.param(lambda x: functions.sum(functions.mul(functions.pow(functions.expand(x, (3, 4)), 3), D(W34))), [R.standard_normal((3, 1))],
                 id="expand"),
    pytest.param(lambda x: functions.sum(functions.mul(functions.sigmoid(functions.getitem(x, (slice(1, None),))), D(W34[1:]))),
                 [R.standard_normal((3, 4))], id="slice-sigmoid"),
    pytest.param(lambda x: functions.sum(functions.mul(functions.tanh(functions.getitem(x, (1,))), D(W34[1]))),
                 [R.standard_normal((3, 4))], id="select-tanh"),
    pytest.param(lambda x: functions.sum(functions.mul(functions.exp(functions.getitem(x, ([0, 2, 0],))), D(W34))),
                 [R.standard_normal((3, 4))], id="index-repeated-exp"),
    pytest.param(lambda x: functions.mul(functions.prod(x), 2.0), [np.array([[0.5, 0.0, 1.5], [2.0, 0.0, -1.0]])],
                 id="prod-two-zeros"),
    pytest.param(lambda x: functions.sum(functions.mul(functions.prod(x, 1), D(W3))),
                 [np.array([[0.5, 0.0, 1.5, 2.0], [2.0, 0.0, -1.0, 0.0], [1.5, -0.5, 2.0, 0.7]])], id="prod-dim-zeros"),
    pytest.param(lambda x: functions.sum(functions.mul(functions.prod(x, 0), D(W34[0]))), [R.uniform(0.5, 2.0, (3, 4))],
                 id="prod-dim"),
    pytest.param(lambda x: functions.sum(functions.mul(functions.pow(functions.std(x, 1), 3), D(W3))),
                 [R.standard_normal((3, 4))], id="std"),
    pytest.param(lambda x: functions.sum(functions.mul(functions.pow(functions.cumsum(x, 1), 2), D(W34))),
                 [R.standard_normal((3, 4))], id="cumsum"),
    pytest.param(lambda x: functions.sum(functions.mul(functions.pow(functions.sort(x, 1).values, 3), D(W34))),
                 [np.arange(12.0).reshape(3, 4)[:, ::-1] * 0.3 - 1.0], id="sort"),
    pytest.param(lambda x: functions.pow(functions.trace(functions.mul(x, x)), 2), [R.standard_normal((3, 4))],
                 id="trace"),
    pytest.param(lambda x: functions.sum(functions.mul(functions.pow(functions.diagonal(x), 3), D(W3))),
                 [R.standard_normal((3, 4))], id="diagonal"),
    # PyTorch's own backward ops and the nodes of its formulas (ThresholdBackwardBackward0, SgnBackward0, ...)
    pytest.param(lambda x: functions.sum(functions.mul(functions.sin(functions.relu(x)), D(W34))),
                 [R.uniform(0.2, 2.0, (3, 4)) * R.choice([-1.0, 1.0], (3, 4))], id="relu"),
    pytest.param(lambda x: functions.sum(functions.mul(functions.sin(functions.abs(x)), D(W34))),
                 [R.uniform(0.2, 2.0, (3, 4)) * R.choice([-1.0, 1.0], (3, 4))], id="abs"),
    pytest.param(lambda x: functions.sum(functions.mul(functions.tan(x), D(W34))), [R.uniform(-1.2, 1.2, (3, 4))],
                 id="tan"),
    pytest.param(lambda x, y: functions.sum(functions.mul(functions.sin(functions.remainder(x, y)), D(W34))),
                 [np.array([[0.5, -1.3, 2.6, 3.4]] * 3), np.array([1.2, -1.5, 1.1, 1.4])], id="remainder"),
    pytest.param(lambda x: functions.sin(functions.max(x)), [np.arange(12.0).reshape(3, 4) * 0.2 - 1.0],
                 id="max-whole"),
    pytest.param(lambda x: functions.sum(functions.mul(functions.sin(functions.min(x, 1).values), D(W3))),
                 [np.arange(12.0).reshape(3, 4)[:, ::-1] * 0.2 - 1.0], id="min-dim"),
    pytest.param(lambda x, y: functions.sin(functions.mse_loss(x, y)), [R.standard_normal((3, 4)), R.standard_normal((3, 4))],
                 id="mse_loss"),
    pytest.param(lambda x: functions.sin(functions.nll_loss(functions.log_softmax(x, 1), Tensor(D(np.array([0, 3, 1]))))),
                 [R.standard_normal((3, 4))], id="nll_loss"),
    pytest.param(lambda x: functions.sum(functions.mul(functions.sin(functions.softplus(x, 2, 1)), D(W34))),
                 [R.uniform(-1.5, 0.3, (3, 4))], id="softplus"),
    # (its target's gradient takes logit(self): LogitBackward0)
    pytest.param(lambda x, y: functions.sin(functions.binary_cross_entropy(x, y)),
                 [R.uniform(0.1, 0.9, (3, 4)), R.uniform(0.0, 1.0, (3, 4))], id="binary_cross_entropy"),
    pytest.param(lambda x, v: functions.sum(functions.mul(functions.sin(functions.index_fill(
                     x, 1, Tensor(D(np.array([0, 2]))), functions.mul(v, v))), D(W34))),
                 [R.standard_normal((3, 4)), R.standard_normal(())], id="index_fill-tensor-value"),
    # the losses and activations PyTorch differentiates twice with its own backward ops (engine/ops/losses.py,
    # activations.py); inputs away from the kinks at +-1 (beta, delta) and 0
    pytest.param(lambda x, y: functions.sin(functions.smooth_l1_loss(x, y)),
                 [np.array([[0.3, -1.6, 0.7], [1.4, -0.2, -0.6]]), np.zeros((2, 3))], id="smooth_l1_loss"),
    pytest.param(lambda x, y: functions.sin(functions.huber_loss(x, y, reduction="sum")),
                 [np.array([[0.3, -1.6, 0.7], [1.4, -0.2, -0.6]]), np.zeros((2, 3))], id="huber_loss"),
    pytest.param(lambda x: functions.sum(functions.mul(functions.sin(functions.leaky_relu(x, 0.2)), D(W34))),
                 [R.uniform(0.2, 2.0, (3, 4)) * R.choice([-1.0, 1.0], (3, 4))], id="leaky_relu"),
    pytest.param(lambda x: functions.sum(functions.mul(functions.sin(functions.elu(x, 0.7)), D(W34))),
                 [R.uniform(0.2, 2.0, (3, 4)) * R.choice([-1.0, 1.0], (3, 4))], id="elu"),
    pytest.param(lambda x: functions.sum(functions.mul(functions.sin(functions.celu(x, 0.7)), D(W34))),
                 [R.uniform(0.2, 2.0, (3, 4)) * R.choice([-1.0, 1.0], (3, 4))], id="celu"),
    pytest.param(lambda x: functions.sum(functions.mul(functions.logsigmoid(x), D(W34))), [R.standard_normal((3, 4))],
                 id="logsigmoid"),
    pytest.param(lambda x: functions.sum(functions.mul(functions.sin(functions.hardtanh(x)), D(W34))),
                 [R.uniform(0.2, 1.8, (3, 4)) * R.choice([-1.0, 1.0], (3, 4))], id="hardtanh"),
    pytest.param(lambda x: functions.sum(functions.mul(functions.hardswish(x), D(W34))),
                 [R.uniform(-2.8, 2.8, (3, 4))], id="hardswish"),
    pytest.param(lambda x: functions.sum(functions.mul(functions.sin(functions.softshrink(x)), D(W34))),
                 [R.uniform(0.6, 2.0, (3, 4)) * R.choice([-1.0, 1.0], (3, 4))], id="softshrink"),
    pytest.param(lambda x: functions.sum(functions.mul(functions.sin(functions.hardshrink(x, 0.3)), D(W34))),
                 [R.uniform(0.4, 2.0, (3, 4)) * R.choice([-1.0, 1.0], (3, 4))], id="hardshrink"),
    pytest.param(lambda x: functions.sum(functions.mul(functions.gelu(x), D(W34))), [R.standard_normal((3, 4))],
                 id="gelu"),
    pytest.param(lambda x: functions.sum(functions.mul(functions.gelu(x, approximate="tanh"), D(W34))),
                 [R.standard_normal((3, 4))], id="gelu-tanh"),
    pytest.param(lambda x: functions.sin(functions.nll_loss(x, Tensor(D(np.array([[[0, 1], [2, 1]], [[2, 2], [0, 1]]]))),
                                                            reduction="sum")),
                 [R.standard_normal((2, 3, 2, 2))], id="nll_loss2d"),
    pytest.param(lambda x, w: functions.sum(functions.pow(CONV.conv2d(x, w, padding=1, stride=(1, 2)), 3)),
                 [R.standard_normal((2, 2, 4, 3)), R.standard_normal((3, 2, 2, 2))], id="conv2d"),
    pytest.param(lambda x, w, b: functions.sum(functions.pow(CONV.conv3d(x, w, b, groups=2), 3)),
                 [R.standard_normal((1, 2, 3, 2, 3)), R.standard_normal((2, 1, 2, 1, 2)), R.standard_normal(2)],
                 id="conv3d-bias"),
    pytest.param(lambda x: functions.sum(functions.pow(CONV.max_pool2d(x, 2, stride=1, padding=1), 3)),
                 [R.standard_normal((2, 3, 4))], id="max_pool2d"),
    pytest.param(lambda x: functions.sum(functions.pow(CONV.max_pool3d(x, 2, ceil_mode=True), 3)),
                 [R.standard_normal((1, 3, 3, 4))], id="max_pool3d"),
    pytest.param(lambda x: functions.sum(functions.pow(CONV.avg_pool2d(x, 3, stride=2, padding=1), 3)),
                 [R.standard_normal((2, 5, 4))], id="avg_pool2d"),
    pytest.param(lambda x: functions.sum(functions.pow(CONV.avg_pool3d(x, (1, 2, 2), count_include_pad=False), 3)),
                 [R.standard_normal((1, 2, 3, 4))], id="avg_pool3d"),
    pytest.param(lambda x: functions.sum(functions.pow(ADAPT.adaptive_avg_pool2d(x, (2, 3)), 3)),
                 [R.standard_normal((2, 3, 5))], id="adaptive_avg_pool2d"),
    pytest.param(lambda x: functions.sum(functions.pow(ADAPT.adaptive_avg_pool3d(x, (2, 1, 3)), 3)),
                 [R.standard_normal((1, 3, 2, 4))], id="adaptive_avg_pool3d"),
    pytest.param(lambda x, w: functions.sum(functions.pow(TRANS.conv_transpose2d(x, w, stride=2, padding=1,
                                                                                  output_padding=1), 3)),
                 [R.standard_normal((1, 2, 3, 2)), R.standard_normal((2, 2, 2, 3))], id="conv_transpose2d"),
    pytest.param(lambda x, w, b: functions.sum(functions.pow(NORM.layer_norm(x, (3,), w, b), 3)),
                 [R.standard_normal((2, 3)), R.standard_normal(3), R.standard_normal(3)], id="layer_norm"),
    pytest.param(lambda x, w, b: functions.sum(functions.pow(NORM.batch_norm(x, None, None, w, b, True), 3)),
                 [R.standard_normal((3, 2, 2)), R.standard_normal(2), R.standard_normal(2)], id="batch_norm"),
    pytest.param(lambda x, w: functions.sum(functions.pow(NORM.batch_norm(
        x, Tensor(D(np.array([0.5, -1.0]))), Tensor(D(np.array([2.0, 0.5]))), w), 3)),
                 [R.standard_normal((3, 2)), R.standard_normal(2)], id="batch_norm-eval"),
    pytest.param(lambda x, w, b: functions.sum(functions.pow(GN.group_norm(x, 2, w, b), 3)),
                 [R.standard_normal((2, 4, 3)), R.standard_normal(4), R.standard_normal(4)], id="group_norm"),
    pytest.param(lambda x: functions.sum(functions.pow(UP.interpolate(x, scale_factor=1.5, mode="bilinear"), 3)),
                 [R.standard_normal((1, 2, 3, 2))], id="interpolate-bilinear"),
    pytest.param(lambda x: functions.sum(functions.pow(UP.interpolate(x, size=5, mode="nearest-exact"), 3)),
                 [R.standard_normal((1, 2, 3))], id="interpolate-nearest-exact"),
    pytest.param(lambda x: functions.sum(functions.pow(AMAX.adaptive_max_pool2d(x, (2, 3)), 3)),
                 [R.standard_normal((2, 5, 7))], id="adaptive_max_pool2d"),
    pytest.param(lambda x: _cubes([PADS.pad(_first(x), (2, 1), mode=m) for m in ("reflect", "replicate")] +
                                  [PADS.pad(x, (1, 0, 2, 1), mode=m) for m in ("reflect", "replicate")] +
                                  [PADS.pad(x, (1, 0, 1, 1, 0, 1), mode=m) for m in ("reflect", "replicate")]),
                 [R.standard_normal((1, 2, 3, 4))], id="pad-reflect-replicate"),
    pytest.param(lambda x: _cubes([UP.interpolate(_first(x), scale_factor=2),
                                   UP.interpolate(_first(x), size=5, mode="linear"), UP.interpolate(x, size=(5, 3)),
                                   UP.interpolate(x, scale_factor=1.5, mode="nearest-exact"),
                                   UP.interpolate(functions.unsqueeze(x, 0), scale_factor=2),
                                   UP.interpolate(functions.unsqueeze(x, 0), size=(3, 4, 3), mode="nearest-exact"),
                                   UP.interpolate(functions.unsqueeze(x, 0), scale_factor=1.5, mode="trilinear")]),
                 [R.standard_normal((1, 2, 3, 2))], id="interpolate-every-op"),
    pytest.param(lambda x, w: functions.sum(functions.pow(NC.prelu(x, w), 3)),
                 [R.uniform(0.2, 2.0, (2, 3, 2)) * R.choice([-1.0, 1.0], (2, 3, 2)), R.standard_normal(3)], id="prelu"),
    pytest.param(lambda x: functions.sum(functions.pow(NC.glu(x, 1), 3)), [R.standard_normal((2, 4, 3))], id="glu"),
    pytest.param(lambda x: functions.sum(functions.pow(NC.pixel_unshuffle(NC.pixel_shuffle(x, 2), 2), 3)),
                 [R.standard_normal((1, 4, 2, 2))], id="pixel_shuffle"),
    pytest.param(lambda x: functions.sum(functions.pow(NC.channel_shuffle(x, 2), 3)),
                 [R.standard_normal((2, 4, 3))], id="channel_shuffle"),
    pytest.param(lambda x: functions.sum(functions.pow(NC.rrelu(x, 0.1, 0.3), 3)),
                 [R.uniform(0.2, 2.0, (3, 4)) * R.choice([-1.0, 1.0], (3, 4))], id="rrelu"),
    pytest.param(lambda x, y, w: functions.sum(functions.pow(NC.bilinear(x, y, w), 3)),
                 [R.standard_normal((2, 3)), R.standard_normal((2, 2)), R.standard_normal((2, 3, 2))], id="bilinear"),
    pytest.param(lambda x: functions.sum(functions.mul(functions.pow(FS.unfold(x, 1, 3, 1), 3), D(W34[:, :2, None]))),
                 [R.standard_normal((3, 4))], id="unfold"),
    pytest.param(lambda x: _cubes([_pack_padded(x, (4, 2, 1), False), _pack_padded(x, (3, 2, 2, 1), True)]),
                 [R.standard_normal((4, 3, 2))], id="pack_padded_sequence"),
    pytest.param(lambda x: _cubes([FOLD.unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
                                   FOLD.fold(FOLD.unfold(x, 2), (4, 5), 2), FOLD.unfold(_first(x), 3, padding=1)]),
                 [R.standard_normal((2, 2, 4, 5))], id="unfold-fold"),
    pytest.param(lambda a, b: functions.sum(functions.pow(DIST.cdist(a, b, compute_mode="use_mm_for_euclid_dist"), 3)),
                 [R.standard_normal((2, 3, 4)), R.standard_normal((2, 5, 4))], id="cdist-mm"),
    pytest.param(lambda q, k, v: functions.sum(functions.pow(ATT.scaled_dot_product_attention(q, k, v), 3)),
                 [R.standard_normal((2, 3, 4)), R.standard_normal((2, 5, 4)), R.standard_normal((2, 5, 3))],
                 id="scaled_dot_product_attention-math"),
    pytest.param(lambda x: functions.sum(functions.pow(AMAX.adaptive_max_pool3d(x, (2, 3, 2)), 3)),
                 [R.standard_normal((2, 3, 5, 4))], id="adaptive_max_pool3d"),
    pytest.param(lambda x: functions.sum(functions.pow(GRID.affine_grid(x, (2, 1, 3, 4), False), 3)),
                 [R.standard_normal((2, 2, 3))], id="affine_grid"),
    pytest.param(lambda x, g: _cubes([GRID.grid_sample(x, g, align_corners=False),
                                      GRID.grid_sample(x, g, padding_mode="border", align_corners=True),
                                      GRID.grid_sample(x, g, padding_mode="reflection", align_corners=False)]),
                 [R.standard_normal((1, 2, 3, 4)), R.uniform(-1.2, 1.2, (1, 2, 3, 2))], id="grid_sample"),
    pytest.param(lambda x: _cubes([STR.as_strided(x, (3, 4), (2, 1)), STR.as_strided(x, (2, 2), (3, 1), 1),
                                   STR.as_strided(functions.narrow(x, 0, 4, 5), (2, 3), (1, 2), 4)]),
                 [R.standard_normal(10)], id="as_strided"),
]


def _first(x):
    return functions.select(x, 0, 0)


def _pack_padded(x, lengths, batch_first):
    """torch.nn.utils.rnn.pack_padded_sequence's data (lengths sorted, one a sequence)."""
    from agcli.engine.ops.packing import PACK_PADDED
    return apply(PACK_PADDED, x, lengths=tuple(lengths), batch_first=batch_first)


def _cubes(outs):
    """The sum of each tensor's cubes, added (a second derivative through each of their ops)."""
    total = None
    for out in outs:
        cube = functions.sum(functions.pow(out, 3))
        total = cube if total is None else functions.add(total, cube)
    return total


@pytest.mark.parametrize("f, arrays", SECOND_ORDER)
def test_second_derivative_matches_finite_differences(f, arrays):
    vectors = [np.random.default_rng(3).standard_normal(np.shape(a)) for a in arrays]
    # torch.autograd.grad(create_graph=True) retains the graph; say so explicitly
    # (see test_create_graph_retains_the_graph_by_default).
    got = _hvp(f, arrays, vectors, retain_graph=True)
    want = _numeric_hvp(f, arrays, vectors)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-6, atol=1e-8)


def test_second_derivative_of_sin_is_minus_sin():
    x = np.array([0.3, -1.2, 2.0])
    got = _hvp(lambda t: functions.sum(functions.sin(t)), [x], [np.ones(3)], retain_graph=True)[0]
    np.testing.assert_allclose(got, -np.sin(x), rtol=1e-12)


def test_second_derivative_when_a_leaf_is_used_twice():
    # the two gradients reaching x are summed as tensors, in the graph of the gradient
    # d/dx sum(sin(x) * x) = cos(x) x + sin(x); d2 = 2 cos(x) - x sin(x)
    x = np.array([0.3, -1.2, 2.0])
    got = _hvp(lambda t: functions.sum(functions.mul(functions.sin(t), t)), [x], [np.ones(3)], retain_graph=True)[0]
    np.testing.assert_allclose(got, 2 * np.cos(x) - x * np.sin(x), rtol=1e-12)


def test_create_graph_retains_the_graph_by_default():
    x = np.array([0.3, -1.2, 2.0])
    got = _hvp(lambda t: functions.sum(functions.exp(t)), [x], [np.ones(3)])[0]
    np.testing.assert_allclose(got, np.exp(x), rtol=1e-12)


# --------------------------------------------------------------- long chains
def test_a_100000_op_chain_runs_backward_without_recursion():
    n = 100_000
    x = Tensor(D(np.array([1.5, -2.0])), requires_grad=True)
    y = x
    for _ in range(n):
        y = functions.mul(y, 1.0000001)
    backward(functions.sum(y))          # a RecursionError would escape here
    np.testing.assert_allclose(to_host(x.grad.data), np.full(2, 1.0000001 ** n), rtol=1e-9)
    np.testing.assert_allclose(to_host(y.data), np.array([1.5, -2.0]) * 1.0000001 ** n, rtol=1e-9)


def test_a_long_expression_chain_through_the_api():
    # 30,000 ops: far past Python's recursion limit in parsing, lowering, running
    # and backward, yet quick (parsing dominates; 100,000 works too, in ~8 s).
    n = 30_000
    result = api.evaluate("x" + " * 1.0000001" * n, {"x": "[1.5, -2.0]"}, grad_output="[1.0, 1.0]")
    assert result.error is None, result.error
    assert len(result.nodes) == n
    np.testing.assert_allclose(result.value, np.array([1.5, -2.0]) * 1.0000001 ** n, rtol=1e-9)
    np.testing.assert_allclose(result.grads["x"], np.full(2, 1.0000001 ** n), rtol=1e-9)


# ------------------------------------------------------------- op coverage
# Ops whose gradients are checked elsewhere, each with where and why.
CHECKED_ELSEWHERE = {
    "GridSampler2DDoubleBackward": "grid_sample's second derivative: agcli refuses a third (fixture 358)",
    "Unique2Backward0": "unique: PyTorch has no derivative (transcript 234_unique_has_no_derivative)",
    "UniqueConsecutiveBackward0": "unique_consecutive: PyTorch has no derivative (fixture 356)",
    "UniqueDimBackward0": "unique(dim=): PyTorch has no derivative (fixture 673_unique_dim_and_consecutive)",
    "MaskedScatterBackwardBackward0": "masked_scatter's gradient with create_graph: torch_double_backward.json, "
                                      "fixture 671_masked_scatter",
    "EmbeddingBagBackwardBackward0": "embedding_bag's gradient with create_graph: PyTorch has no derivative of it "
                                     "(transcript 345_embedding_bag)",
    "NotImplemented": "floor_divide, hardsigmoid's gradient: PyTorch records them but their backward fails "
                      "(fixture in torch_cases.json, transcript 259)",
    "CopySlices": "index assignment: the program transcripts (tests/fixtures/programs) hold its gradients",
    "IndexPutBackward0": "x[mask] = v: CopySlices's rules; transcript 63_names_of_index_assignment_and_sizes",
    "ToCopyBackward0": "dtype conversions: tests/test_dtype_arguments.py against PyTorch fixtures",
    "Identity": "unpack_dual's primal, an identity view: tests/test_jvp.py; transcript 87_forward_ad",
    "CopyBackwards": "the first .grad accumulated with create_graph (an identity): program transcripts; "
                     "x.copy_(src): tests/test_in_place.py",
    # A random draw's zero gradient (finite differences would see a fresh draw): tests/test_random_numbers.py
    **{name: "a draw's zero gradient: tests/test_random_numbers.py and transcript 85_random_numbers" for name in (
        "NormalBackward0", "NormalBackward1", "NormalBackward2", "NormalBackward3", "UniformBackward0",
        "BernoulliBackward0", "BernoulliBackward1", "BernoulliBackward2", "RandomBackward0", "RandomBackward1",
        "RandomBackward2", "ExponentialBackward0", "PoissonBackward0")},
    # In-place ops and views changed in place, which expressions cannot write: tests/test_in_place.py
    **{name: "in place: tests/test_in_place.py (finite differences)" for name in (
        "AsStridedBackward0", "TBackward1", "TransposeBackward1", "UnsqueezeBackward1", "SqueezeBackward3",
        "SqueezeBackward5", "ZeroBackward0", "FillBackward2", "FillBackward3", "LeakyReluBackward1", "EluBackward1",
        "CeluBackward1", "ThresholdBackward1")},
    "RreluWithNoiseBackward1": "F.rrelu_: program 555 (PyTorch's values) and torch_double_backward.json",
    # A reparameterized draw (finite differences would see a fresh draw): its gradient's values are PyTorch's
    "StandardGammaBackward0": "Gamma.rsample: fixture 594_gamma holds PyTorch's gradients bit for bit",
    "_DirichletBackward": "Dirichlet and Beta rsample: fixture 595_dirichlet_and_beta holds PyTorch's gradients",
    "CdistBackwardBackward0": "cdist's gradient: PyTorch cannot differentiate it (program 560)",
    "PdistBackwardBackward0": "pdist's gradient: PyTorch cannot differentiate it (fixture 360)",
    **{f"{name}Backward1": f"x.{name.lower()}_(): PyTorch's in-place version has no derivative (fixture 361)"
       for name in ("Asinh", "Acosh", "Atanh")},
    "CauchyBackward0": "x.cauchy_()'s zero gradient (a draw): tests/test_random_numbers.py, program 713",
    **{f"{name}Backward0": f"x.{method}()'s zero gradient (a draw): tests/test_random_numbers.py, program 760"
       for name, method in (("LogNormal", "log_normal_"), ("Geometric", "geometric_"))},
    "WeightNormInterfaceBackward0": "torch._weight_norm (a private name expressions do not reach): "
                                    "tests/test_weight_norm.py (finite differences), program 715 (PyTorch's bits)",
}


def _ops_applied(run, ops):
    """The names of the ops that `run()` applied to tensors (engine.tensor.apply calls op.forward)."""
    seen = set()

    def spy(op, forward):
        def forward_and_note(*args, **params):
            seen.add(op.name)
            return forward(*args, **params)
        return forward_and_note
    saved = [(op, op.forward) for op in ops]
    try:
        for op, forward in saved:
            op.forward = spy(op, forward)
        run()
    finally:
        for op, forward in saved:
            op.forward = forward
    return seen


def test_every_op_has_a_gradient_test():
    """A new op in engine/ops/ must come with a case above (or a reason in CHECKED_ELSEWHERE)."""
    from agcli.engine.ops import ALL
    rng = np.random.default_rng(0)
    seen = set()
    for case in CASES:
        expr, make = case.values
        inputs, fixed = make(rng)
        program, bindings = _objective(expr, inputs, rng, fixed)
        seen |= _ops_applied(lambda: api.evaluate(program, bindings, wrt=list(inputs)), ALL)
    for case in SECOND_ORDER:
        f, arrays = case.values
        vectors = [np.ones(np.shape(a)) for a in arrays]
        seen |= _ops_applied(lambda: _hvp(f, arrays, vectors, retain_graph=True), ALL)
    differentiable = {op.name for op in ALL if op.vjps is not None}
    missing = sorted(differentiable - seen - set(CHECKED_ELSEWHERE))
    assert not missing, f"ops with no gradient test: {missing}"
