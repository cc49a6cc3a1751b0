"""torch.distributions: Normal, Uniform, Bernoulli, Categorical, Exponential, Laplace, OneHotCategorical,
Independent, MultivariateNormal, LogNormal, Gamma, Beta, Dirichlet, Geometric,
Poisson, Binomial, Cauchy, StudentT, Chi2, HalfNormal, Gumbel, Multinomial, Distribution.expand and kl_divergence."""
from . import (binomial, counts, dirichlet, families_more, gamma, geometric, heavy_tails, log_normal, multivariate_normal,
               poisson, transformed)
from .base import set_default_validate_args
from .families import CLASSES, Distribution
from .independent import Independent
from .kl import kl_divergence

CLASSES = {**CLASSES, **families_more.CLASSES, "Independent": Independent, **multivariate_normal.CLASSES,
           **log_normal.CLASSES, **gamma.CLASSES, **dirichlet.CLASSES,
           **geometric.CLASSES, **poisson.CLASSES, **binomial.CLASSES, **heavy_tails.CLASSES,
           **transformed.CLASSES, **counts.CLASSES}

__all__ = ["CLASSES", "Distribution", "kl_divergence", "set_default_validate_args"]
