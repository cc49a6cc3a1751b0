"""torch.distributions' shared parts, as torch/distributions/distribution.py, constraints.py and utils.py
have them: a distribution's batch and event shapes, the checks of its parameters and of a value given to
log_prob (PyTorch validates by default, with these words), its printing, and broadcast_all.

A distribution is computed with agcli's torch functions, in PyTorch's order, so its tensors' graphs are
the ones PyTorch records (a sample is drawn from the same random stream)."""
from __future__ import annotations

import math

from ...engine import backend as B
from ...engine.tensor import Tensor, set_grad_enabled
from ...errors import AgcliError
from ...state import state
from .. import creation as C
from .. import functions as T
from ..dtypes import DType, get_default_dtype
from ..namespace import Size
from ..printing import tensor_repr
from ..stacking import broadcast_tensors


def finfo(t):
    """torch.finfo of a tensor's dtype (eps, tiny, min, max as Python floats), on any backend."""
    return B.host.finfo(B.dtype_name(t.data.dtype))


def value_error(message):
    raise AgcliError(message, kind="value")


def shown(v) -> str:
    """f"{v}": a 0-d tensor formats as its number (Tensor.__format__), another as it prints."""
    if type(v) is Tensor:
        return str(B.item(v.data)) if v.data.ndim == 0 else tensor_repr(v)
    return str(v)


def is_number(v) -> bool:
    return type(v) in (int, float)


def broadcast_all(*values):
    """utils.broadcast_all: numbers become tensors of the first tensor's dtype (else the default dtype)."""
    if not all(type(v) is Tensor or is_number(v) for v in values):
        value_error("Input arguments must all be instances of Number, torch.Tensor or objects implementing "
                    "__torch_function__.")
    like = next((v for v in values if type(v) is Tensor), None)
    dtype = get_default_dtype() if like is None else DType(B.dtype_name(like.data.dtype))
    device = None if like is None else like.device
    return broadcast_tensors(*[v if type(v) is Tensor else C.tensor(v, dtype=dtype, device=device)
                               for v in values])


def shape_of(sample_shape) -> tuple:
    if isinstance(sample_shape, int):
        raise AgcliError("'int' object is not iterable", kind="type")
    return tuple(sample_shape)


# ------------------------------------------------------------------------------------------ constraints
class Constraint:
    """What a parameter or a value must satisfy: check() gives a bool array (True where it does)."""

    event_dim = 0

    def __init__(self, **bounds):
        self.bounds = bounds

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{k}={shown(v)}' for k, v in self.bounds.items())})"

    def check(self, value):
        raise NotImplementedError


def _array(v):
    return v.data if type(v) is Tensor else v


class Real(Constraint):
    def check(self, value):
        a = value.data
        return a == a                       # (nan is not a real number)


class GreaterThan(Constraint):
    def __init__(self, lower_bound):
        super().__init__(lower_bound=lower_bound)

    def check(self, value):
        return _array(self.bounds["lower_bound"]) < value.data


class LessThan(Constraint):
    def __init__(self, upper_bound):
        super().__init__(upper_bound=upper_bound)

    def check(self, value):
        return value.data < _array(self.bounds["upper_bound"])


class Interval(Constraint):
    def __init__(self, lower_bound, upper_bound):
        super().__init__(lower_bound=lower_bound, upper_bound=upper_bound)

    def check(self, value):
        return (_array(self.bounds["lower_bound"]) <= value.data) & (value.data <= _array(self.bounds["upper_bound"]))


class IntegerInterval(Interval):
    def check(self, value):
        return (value.data % 1 == 0) & super().check(value)


class Boolean(Constraint):
    def check(self, value):
        return (value.data == 0) | (value.data == 1)


class Simplex(Constraint):
    event_dim = 1

    def check(self, value):
        a = value.data
        return B.xp.all(a >= 0, axis=-1) & (B.xp.abs(B.xp.sum(a, axis=-1) - 1) < 1e-6)


class IndependentConstraint(Constraint):
    def __init__(self, base, reinterpreted):
        super().__init__()
        self.base, self.reinterpreted = base, reinterpreted
        self.event_dim = base.event_dim + reinterpreted

    def __repr__(self):
        return f"IndependentConstraint({self.base!r}, {self.reinterpreted})"

    def check(self, value):
        ok = self.base.check(value)
        return B.xp.all(B.xp.reshape(ok, ok.shape[:ok.ndim - self.reinterpreted] + (-1,)), axis=-1)


real, positive, unit_interval, boolean = Real(), GreaterThan(0.0), Interval(0.0, 1.0), Boolean()
simplex, real_vector = Simplex(), IndependentConstraint(Real(), 1)


# ------------------------------------------------------------------------------------------ Distribution
class Distribution:
    """What every distribution shares (torch.distributions.Distribution)."""

    pytorch_module = "torch.distributions.distribution"
    has_rsample = False
    has_enumerate_support = False
    arg_constraints: dict = {}
    program_methods = frozenset(("sample", "rsample", "log_prob", "entropy", "cdf", "icdf", "perplexity",
                                 "sample_n", "enumerate_support", "expand"))
    program_attributes = {n: n for n in ("batch_shape", "event_shape", "mean", "mode", "stddev", "variance",
                                         "support", "arg_constraints", "has_rsample", "has_enumerate_support")}

    def __init__(self, batch_shape=(), event_shape=(), validate_args=None):
        self._batch_shape, self._event_shape = Size(batch_shape), Size(event_shape)
        self._validate_args = state.validate_distributions if validate_args is None else bool(validate_args)
        if self._validate_args:
            for name, constraint in self.arg_constraints.items():
                if name not in self.__dict__:       # (a lazy parameter not made yet: probs of logits)
                    continue
                check_parameter(self, name, constraint, self.__dict__[name])

    @property
    def batch_shape(self):
        return self._batch_shape

    @property
    def event_shape(self):
        return self._event_shape

    @property
    def stddev(self):
        return T.sqrt(self.variance)

    def _extended_shape(self, sample_shape=()):
        return Size(shape_of(sample_shape) + self._batch_shape + self._event_shape)

    def sample(self, sample_shape=()):
        with set_grad_enabled(False):
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=()):
        raise AgcliError("", kind="not_implemented",      # (PyTorch's has no words)
                         hint=f"{type(self).__name__}'s samples are not reparameterized: sample() draws them")

    def sample_n(self, n):
        state.warn("FutureWarning: `sample_n(n)` will be deprecated. Use `sample((n,))` instead.")
        return self.sample((n,))

    def expand(self, batch_shape):
        """The distribution with its parameters expanded to batch_shape (their trailing event dims kept),
        checked no more (each family's expand in PyTorch)."""
        batch_shape = Size(shape_of(batch_shape))
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        kept = len(self._batch_shape)
        for name in self.arg_constraints:
            value = self.__dict__.get(name)
            if type(value) is Tensor:
                new.__dict__[name] = T.expand(value, tuple(batch_shape) + tuple(value.data.shape[kept:]))
                if self.__dict__.get("_param") is value:
                    new._param = new.__dict__[name]
        self._expand_parts(new, batch_shape)
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _expand_parts(self, new, batch_shape):
        """What a family holds beside its parameters, expanded too (OneHotCategorical's Categorical)."""

    def perplexity(self):
        return T.exp(self.entropy())

    def _validate_sample(self, value):
        if type(value) is not Tensor:
            value_error("The value argument to log_prob must be a Tensor")
        actual, event = Size(value.data.shape), self._event_shape
        if actual[len(actual) - len(event):] != event:
            value_error(f"The right-most size of value must match event_shape: {actual!r} vs {event!r}.")
        expected = self._batch_shape + event
        for i, j in zip(reversed(actual), reversed(expected)):
            if i != 1 and j != 1 and i != j:
                value_error(f"Value is not broadcastable with batch_shape+event_shape: {actual!r} vs "
                            f"{Size(expected)!r}.")
        support = self.support
        if not bool(B.item(B.xp.all(support.check(value)))):
            value_error(f"Expected value argument (Tensor of shape {tuple(actual)}) to be within the support "
                        f"({support!r}) of the distribution {self!r}, but found invalid values:\n{shown(value)}")

    def __repr__(self):
        shown_params = []
        for name in self.arg_constraints:
            if name in self.__dict__:
                v = self.__dict__[name]
                shown_params.append(f"{name}: {shown(v) if v.data.size == 1 else repr(Size(v.data.shape))}")
        return f"{type(self).__name__}({', '.join(shown_params)})"


def check_parameter(d, name, constraint, value):
    """PyTorch's ValueError for a parameter outside its constraint (a property's too: HalfNormal's scale)."""
    if not bool(B.item(B.xp.all(constraint.check(value)))):
        value_error(f"Expected parameter {name} (Tensor of shape {tuple(value.data.shape)}) of distribution {d!r} "
                    f"to satisfy the constraint {constraint!r}, but found invalid values:\n{shown(value)}")


def set_default_validate_args(value):
    """Distribution.set_default_validate_args: whether distributions made later check their arguments."""
    if value not in [True, False]:
        raise AgcliError("", kind="value")
    state.validate_distributions = bool(value)


LOG_SQRT_TWO_PI = math.log(math.sqrt(2 * math.pi))


def batch_shape_of(values, param) -> tuple:
    """A distribution made of numbers only has no batch dimensions, else its broadcast parameter's."""
    return () if all(is_number(v) for v in values) else param.data.shape
