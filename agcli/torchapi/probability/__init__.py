"""torch.distributions: Normal, Uniform, Bernoulli, Categorical, Exponential, Laplace, OneHotCategorical,
Independent, MultivariateNormal, LogNormal, Gamma, Beta, Dirichlet, Geometric,
Poisson, Binomial, Distribution.expand and kl_divergence."""
from . import binomial, dirichlet, families_more, gamma, geometric, log_normal, multivariate_normal, poisson
from .base import set_default_validate_args
from .families import CLASSES, Distribution
from .independent import Independent
from .kl import kl_divergence

CLASSES = {**CLASSES, **families_more.CLASSES, "Independent": Independent, **multivariate_normal.CLASSES,
           **log_normal.CLASSES, **gamma.CLASSES, **dirichlet.CLASSES,
           **geometric.CLASSES, **poisson.CLASSES, **binomial.CLASSES}

__all__ = ["CLASSES", "Distribution", "kl_divergence", "set_default_validate_args"]
