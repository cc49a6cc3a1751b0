"""torch.distributions: Normal, Uniform, Bernoulli, Categorical, Independent and kl_divergence."""
from .base import broadcast_tensors
from .families import CLASSES, Distribution
from .independent import Independent
from .kl import kl_divergence

CLASSES = {**CLASSES, "Independent": Independent}

__all__ = ["CLASSES", "Distribution", "broadcast_tensors", "kl_divergence"]
