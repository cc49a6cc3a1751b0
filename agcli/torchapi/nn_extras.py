"""torch.nn.functional's later additions, gathered for the namespace (namespace.py, at its size
limit, reads RECORDED, VALUED and TORCH_ONLY here): group_norm, interpolate and the upsample aliases,
pad's every mode, the adaptive max pools, pairwise_distance, the composed losses,
gumbel_softmax and embedding_bag, affine_grid and grid_sample, the max unpools, ctc_loss."""
from __future__ import annotations

from . import adaptive_max, ctc, embedding_bag, grid_sample, group_norm, gumbel, interpolate, nn_losses_more
from . import padding, unpool

# recorded ops of their inputs, which a batch may replay
RECORDED = {**group_norm.RECORDED, **interpolate.RECORDED, **padding.RECORDED, **nn_losses_more.RECORDED}
# torch's own, where its arguments differ from torch.nn.functional's (language/program_modules.py)
TORCH_ONLY = {**group_norm.TORCH_ONLY, "ctc_loss": ctc.ctc_loss_torch}
# values recorded, but indices read with them or values checked: no replay
VALUED = {**adaptive_max.VALUED, **nn_losses_more.VALUED, **gumbel.RANDOM,
          **embedding_bag.RECORDED,      # (embedding_bag's indices: parameters of its op)
          **grid_sample.RECORDED,        # (their warnings: once, as the line runs)
          **unpool.VALUED, **ctc.FUNCTIONS}    # (ctc_loss: its lengths and labels checked)
