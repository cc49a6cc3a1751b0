"""The rarer groups of PyTorch's names (convolutions, normalization, the channel-wise and newer
functions), declared into namespace.py's tables by `declare()`: when lowering first misses a name
(language/lower.py) or a program starts (language/program_names.py). Importing them at start-up
took a twentieth of `agcli grad`'s time (benchmarks/README.md, start-up)."""
from __future__ import annotations

from . import adaptive as ADAPT, convolution as CONV, nn_extras as EXTRA, normalization as NORM, transposed as TRANS
from ..engine import backend as B
from . import attention as ATT, compound, distances as DIST, folding, functions, more_names as LN, multihead as MHA
from . import indexing as IX, linalg as LA, multinomial, pool_variants as POOLS, predicates as PRED, shape_extras as SHX
from . import pdist as PDIST, special_math as SM
from . import splitting as SP, stacking as ST
from . import twofold as TW
from . import weight_norm as WN
from .dropout import dropout, dropout1d, dropout2d, dropout3d
from .poisson import binomial, poisson
from .namespace import (ATTRIBUTES, FUNCTIONS, LINALG, LITERAL, METHODS, NEVER, SAFE, SPECIAL, TORCH_ONLY,
                        VALUE_ARGUMENTS, declare as _declare)

_DONE = []


def declare() -> bool:
    """Declare the groups' names once; True the first time (a name missed before may be here now)."""
    if _DONE:
        return False
    _declare(FUNCTIONS, NEVER, {"multinomial": multinomial.multinomial, "poisson": poisson, "binomial": binomial,
                                **LN.VALUED_FUNCTIONS})
    _declare(METHODS, NEVER, {"multinomial": multinomial.multinomial, **LN.VALUED_METHODS})
    # two tensors each (their values recorded, the indices read with them): no replay
    twofold = {"aminmax": TW.aminmax, "cummax": TW.cummax, "cummin": TW.cummin, "kthvalue": TW.kthvalue,
               "mode": TW.mode}
    _declare(FUNCTIONS, NEVER, {**twofold, "std_mean": TW.std_mean, "var_mean": TW.var_mean})
    _declare(METHODS, NEVER, twofold)
    _declare(FUNCTIONS, LITERAL, LN.LITERALS)
    _declare(FUNCTIONS, NEVER, {"dropout": dropout, "dropout1d": dropout1d, "dropout2d": dropout2d,   # (random:
                                "dropout3d": dropout3d})                                             # no replay)
    _declare(FUNCTIONS, SAFE, {**CONV.RECORDED, **NORM.RECORDED, **EXTRA.RECORDED, **ADAPT.RECORDED,
                               **TRANS.RECORDED, **LN.NN, **folding.RECORDED, **POOLS.RECORDED})
    _declare(FUNCTIONS, NEVER, {**CONV.VALUED, **NORM.VALUED, **EXTRA.VALUED, **LN.NN_RANDOM, **POOLS.VALUED})
    _declare(FUNCTIONS, SAFE, {"cdist": DIST.cdist, **PDIST.RECORDED})     # (torch's only: no Tensor method)
    _declare(FUNCTIONS, NEVER, WN.FUNCTIONS)        # (torch._weight_norm and its parts: torch's only)
    _declare(FUNCTIONS, NEVER, {**ATT.FUNCTIONS, **MHA.FUNCTIONS})        # (dropout's draws: no replay)
    TORCH_ONLY.update(NORM.TORCH_ONLY)
    LINALG.update(LN.LINALG_NEVER)      # (a name declared never above, with torch's own)
    _declare(LINALG, SAFE, LN.LINALG)
    _declare(LINALG, NEVER, LN.LINALG_VALUED)
    _declare(ATTRIBUTES, SAFE, LN.FIELDS)       # (a named tuple's: result.Q, .eigenvalues, .logabsdet, ...)
    # Functions of two tensors and special functions (torchapi/special_math.py): recorded ops of their inputs.
    both = {"addcmul": compound.addcmul, "addcdiv": compound.addcdiv, "diff": compound.diff,
            "nansum": functions.nansum, "nanmean": functions.nanmean}
    _declare(FUNCTIONS, SAFE, {**SM.BOTH, **SM.FUNCTIONS_ONLY, **both, **LN.FUNCTIONS})
    _declare(METHODS, SAFE, {**SM.BOTH, **SM.METHODS_ONLY, **both, **LN.METHODS})
    _declare(FUNCTIONS, NEVER, {**ST.BOTH, **ST.FUNCTIONS_ONLY, **SP.FUNCTIONS_ONLY})   # (values, not ops)
    _declare(METHODS, NEVER, {**ST.BOTH, **SP.METHODS_ONLY})
    SPECIAL.update({**SM.SPECIAL, **LN.SPECIAL})
    VALUE_ARGUMENTS.update({"logit": {"eps": 1}, "nan_to_num": {"nan": 1, "posinf": 2, "neginf": 3}})
    # a view's base (the root of its views, as in PyTorch); a detached or cloned tensor is no view
    _declare(ATTRIBUTES, NEVER, {"_base": _view_base})
    _declare(FUNCTIONS, NEVER, PRED.FUNCTIONS_VALUED)     # (answers about a tensor, bool tensors: values)
    _declare(METHODS, NEVER, PRED.METHODS_VALUED)
    _declare(FUNCTIONS, SAFE, {**PRED.RECORDED, "vdot": LA.vdot})
    _declare(METHODS, SAFE, {**PRED.RECORDED, **PRED.METHODS_ONLY, "vdot": LA.vdot})
    _declare(ATTRIBUTES, SAFE, PRED.ATTRIBUTES)
    _declare(ATTRIBUTES, NEVER, PRED.ATTRIBUTES_VALUED)
    _declare(FUNCTIONS, NEVER, {**SHX.FUNCTIONS, "unique_consecutive": IX.unique_consecutive})   # (indices,
    _declare(METHODS, NEVER, {**SHX.METHODS, "unique_consecutive": IX.unique_consecutive})       # pieces: no replay)
    _declare(METHODS, NEVER, {"_is_view": lambda x: bool(x.is_view), "data_ptr": _data_ptr})
    _DONE.append(True)      # (last: a caller never sees it done before every name is there)
    return True


def _view_base(x):
    """x._base: the tensor x's views were first taken of (not `x.base`, which a detached tensor shares)."""
    info = x.view_of if x.is_view else None
    return None if info is None else info.base


def _data_ptr(x) -> int:
    """x.data_ptr(): where its first element is; a view's and its base's agree as in PyTorch (0: no elements)."""
    return B.address(x.data) if x.data.size else 0
