"""torch.nn.functional's later additions, gathered for the namespace (namespace.py, at its size
limit, reads RECORDED and TORCH_ONLY here): group_norm, interpolate and the upsample aliases."""
from __future__ import annotations

from . import group_norm, interpolate

# recorded ops of their inputs, which a batch may replay
RECORDED = {**group_norm.RECORDED, **interpolate.RECORDED}
# torch's own, where its arguments differ from torch.nn.functional's (language/program_modules.py)
TORCH_ONLY = {**group_norm.TORCH_ONLY}
