"""torch.distributions.Geometric (failures before the first success), computed as torch/distributions/geometric.py
computes it: samples floor(log(u) / log1p(-probs)) of u drawn as probs.new(shape).uniform_(tiny, 1)."""
from __future__ import annotations

from ...engine import backend as B
from ...engine.ops.shapes import CLONE
from ...engine.tensor import Tensor, apply, set_grad_enabled
from .. import creation as C
from .. import functions as T
from .. import sampling as RS
from ..autograd import setitem
from ..printing import tensor_repr
from .base import Constraint, batch_shape_of, broadcast_all, finfo, value_error
from .families import Bernoulli, _ProbsOrLogits, empty_like


class IntegerGreaterThanEq(Constraint):
    """constraints.nonnegative_integer: IntegerGreaterThan(lower_bound=0), whole numbers from the bound up."""

    def __init__(self, lower_bound):
        super().__init__(lower_bound=lower_bound)

    def __repr__(self):
        return f"IntegerGreaterThan(lower_bound={self.bounds['lower_bound']})"

    def check(self, value):
        return (value.data % 1 == 0) & (value.data >= self.bounds["lower_bound"])


class Geometric(_ProbsOrLogits):
    pytorch_module = "torch.distributions.geometric"
    arg_constraints = Bernoulli.arg_constraints
    support = IntegerGreaterThanEq(0)
    _probs, _logits = Bernoulli._probs, Bernoulli._logits

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._parameter(probs, logits, lambda name, v: broadcast_all(v)[0])
        super().__init__(batch_shape_of((probs if probs is not None else logits,), self._param),
                         validate_args=validate_args)
        if self._validate_args and probs is not None:
            value = self.probs
            valid = value.data > 0
            if not bool(B.item(B.xp.all(valid))):
                invalid = Tensor(B.getitem(value.data, ~valid))
                value_error(f"Expected parameter probs (Tensor of shape {tuple(value.data.shape)}) of distribution "
                            f"{self!r} to be positive but found invalid values:\n{tensor_repr(invalid)}")

    mean = property(lambda self: T.sub(T.div(1.0, self.probs), 1.0))
    mode = property(lambda self: C.zeros_like(self.probs))
    variance = property(lambda self: T.div(T.sub(T.div(1.0, self.probs), 1.0), self.probs))

    def sample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        tiny = float(finfo(self.probs).tiny)
        with set_grad_enabled(False):
            u = RS.uniform_(empty_like(self.probs, shape), tiny, 1)
            return T.floor(T.div(T.log(u), T.log1p(T.neg(self.probs))))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value, probs = broadcast_all(value, self.probs)
        probs = apply(CLONE, probs, memory_format="contiguous")        # (probs.clone(contiguous_format))
        setitem(probs, T.bitwise_and(T.eq(probs, 1), T.eq(value, 0)), 0)
        return T.add(T.mul(value, T.log1p(T.neg(probs))), T.log(self.probs))

    def entropy(self):
        return T.div(T.binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none"), self.probs)

    def enumerate_support(self, expand=True):
        from ...errors import AgcliError
        raise AgcliError("", kind="not_implemented")


CLASSES = {"Geometric": Geometric}
