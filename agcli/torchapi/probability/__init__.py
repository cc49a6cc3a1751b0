"""torch.distributions: Normal, Uniform, Bernoulli, Categorical and kl_divergence."""
from .base import broadcast_tensors
from .families import CLASSES, Distribution
from .kl import kl_divergence

__all__ = ["CLASSES", "Distribution", "broadcast_tensors", "kl_divergence"]
