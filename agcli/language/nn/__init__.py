"""torch.nn in programs: Module (module.py, with its members, state dict and conversion
mixins), Parameter (parameter.py), the layers (layers.py, activations.py), containers
(containers.py) and loss modules (losses.py), each a Python class whose program-visible
methods native.py lists in its `_ns`, so that a program subclasses them as its own classes.
"""
from __future__ import annotations

from .activations import ACTIVATIONS
from .attention import ATTENTION
from .bags import BAGS
from .buffer import BUFFER
from .cells import CELLS
from .channels import CHANNELS
from .conv import CONVOLUTIONS
from .normalization import NORMALIZATIONS
from .padding import PADDINGS
from .containers import ModuleDict, ModuleList, Sequential
from .distance import DISTANCES
from .folding import FOLDING
from .layers import LAYERS
from .lazy import LAZY
from .losses import LOSSES
from .lp_pool import LP_POOLS
from .losses_more import MORE_LOSSES
from .module import Module
from .parameter import PARAMETER, UNINITIALIZED_PARAMETER, ParameterClass, is_parameter
from .parameter_dict import ParameterDict
from .parameter_list import ParameterList
from .recurrent import RECURRENT
from .transformer import TRANSFORMERS
from .transformer_decoder import DECODERS
from .unpool import UNPOOLS
from .upsampling import UPSAMPLING
from .utils import UTILS


def entries() -> dict:
    """The names torch.nn gives a program (beside functional and init)."""
    return {"Module": Module, "Parameter": PARAMETER, "UninitializedParameter": UNINITIALIZED_PARAMETER,
            "Buffer": BUFFER, "Sequential": Sequential, "ModuleList": ModuleList,
            "ModuleDict": ModuleDict, "ParameterList": ParameterList,
            "ParameterDict": ParameterDict, **LAYERS, **CONVOLUTIONS, **NORMALIZATIONS,
            **ACTIVATIONS, **LOSSES, **RECURRENT, **CELLS, **UPSAMPLING,
            **PADDINGS, **MORE_LOSSES, **CHANNELS, **BAGS, **FOLDING, **ATTENTION,
            **TRANSFORMERS, **DECODERS, **DISTANCES, **LP_POOLS, **LAZY, **UNPOOLS}


__all__ = ["entries", "Module", "PARAMETER", "ParameterClass", "UTILS", "is_parameter"]
