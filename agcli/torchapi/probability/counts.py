"""torch.distributions.Multinomial, computed as torch/distributions/multinomial.py computes it: a
Categorical's total_count draws counted with scatter_add_ (the same random stream), log_prob from lgamma
and the logits, entropy through a Binomial's support; printed `Multinomial()` (its probs and logits are
its Categorical's)."""
from __future__ import annotations

from ...engine import backend as B
from ...errors import AgcliError
from .. import creation as C
from .. import functions as T
from .. import special_math as SM
from ..autograd import setitem
from ..bitwise import bitwise_and
from ..dtypes import DType
from ..namespace import METHODS, Size
from ..in_place import scatter_add_
from .base import Constraint, Distribution, broadcast_all, real_vector, shape_of, simplex
from .binomial import Binomial
from .families import Categorical


class _Counts(Constraint):
    """constraints.multinomial(total_count): nonnegative counts that sum to at most it."""
    event_dim = 1

    def __init__(self, upper_bound):
        super().__init__()
        self.upper_bound = upper_bound

    def check(self, value):
        a = value.data
        return B.xp.all(a >= 0, axis=-1) & (B.xp.sum(a, axis=-1) <= self.upper_bound)

    def __repr__(self):
        return "Multinomial()"      # (PyTorch's Constraint repr: its class name without the underscore)


class Multinomial(Distribution):
    pytorch_module = "torch.distributions.multinomial"
    arg_constraints = {"probs": simplex, "logits": real_vector}
    program_attributes = {**Distribution.program_attributes, "probs": "probs", "logits": "logits",
                          "param_shape": "param_shape", "total_count": "total_count"}

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        if type(total_count) is not int:
            raise AgcliError("inhomogeneous total_count is not supported", kind="not_implemented")
        self.total_count = total_count
        self._categorical = Categorical(probs=probs, logits=logits)
        self._binomial = Binomial(total_count=total_count, probs=self.probs)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args=validate_args)

    probs = property(lambda self: self._categorical.probs)
    logits = property(lambda self: self._categorical.logits)
    param_shape = property(lambda self: self._categorical.param_shape)
    support = property(lambda self: _Counts(self.total_count))
    mean = property(lambda self: T.mul(self.probs, self.total_count))
    variance = property(lambda self: T.mul(T.mul(self.total_count, self.probs), T.sub(1, self.probs)))

    def sample(self, sample_shape=()):
        sample_shape = Size(shape_of(sample_shape))
        samples = self._categorical.sample(Size((self.total_count,)) + sample_shape)
        order = list(range(samples.data.ndim))
        order.append(order.pop(0))          # (total_count, sample, batch) -> (sample, batch, total_count)
        samples = T.permute(samples, order)
        counts = C.zeros(tuple(self._extended_shape(sample_shape)), dtype=DType(B.dtype_name(samples.data.dtype)),
                         device=samples.device)
        scatter_add_(counts, -1, samples, C.ones_like(samples))
        return METHODS["type_as"](counts, self.probs)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        logits = T.clone(logits)
        log_factorial_n = SM.lgamma(T.add(T.sum(value, -1), 1))
        log_factorial_xs = T.sum(SM.lgamma(T.add(value, 1)), -1)
        setitem(logits, bitwise_and(T.eq(value, 0), T.eq(logits, -float("inf"))), 0)
        log_powers = T.sum(T.mul(logits, value), -1)
        return T.add(T.sub(log_factorial_n, log_factorial_xs), log_powers)

    def entropy(self):
        n = C.tensor(self.total_count)
        term1 = T.sub(T.mul(n, self._categorical.entropy()), SM.lgamma(T.add(n, 1)))
        support = T.getitem(self._binomial.enumerate_support(expand=False), slice(1, None))
        binomial_probs = T.exp(self._binomial.log_prob(support))
        weights = SM.lgamma(T.add(support, 1))
        return T.add(term1, T.sum(T.mul(binomial_probs, weights), [0, -1]))

    def expand(self, batch_shape):
        new = object.__new__(Multinomial)
        batch_shape = Size(shape_of(batch_shape))
        new.total_count = self.total_count
        new._categorical = self._categorical.expand(batch_shape)
        new._binomial = self._binomial        # (as PyTorch: not expanded)
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new


CLASSES = {"Multinomial": Multinomial}
