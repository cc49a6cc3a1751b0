"""torch.distributions: Normal, Uniform, Bernoulli, Categorical, Exponential, Laplace, OneHotCategorical,
Independent, MultivariateNormal, LogNormal, Gamma, Beta, Dirichlet, Distribution.expand and kl_divergence."""
from . import dirichlet, families_more, gamma, log_normal, multivariate_normal
from .base import set_default_validate_args
from .families import CLASSES, Distribution
from .independent import Independent
from .kl import kl_divergence

CLASSES = {**CLASSES, **families_more.CLASSES, "Independent": Independent, **multivariate_normal.CLASSES,
           **log_normal.CLASSES, **gamma.CLASSES, **dirichlet.CLASSES}

__all__ = ["CLASSES", "Distribution", "kl_divergence", "set_default_validate_args"]
