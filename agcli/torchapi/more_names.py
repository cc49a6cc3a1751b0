"""The names torchapi/products.py, contractions.py, arrangements.py, counting.py, quantiles.py and takes.py
give, gathered for namespace.py (torch's functions, Tensor methods, torch.linalg's, constants) and
the program's in-place methods (language/program_names.py)."""
from __future__ import annotations

from . import decompositions as DE, linalg as LA, matrix_functions as MF
from . import further_names as FN
from . import nn_channels as NC
from . import arrangements as AR, contractions as CT, counting as CO, products as PR, quantiles as QU
from . import in_place_more as IPM, own_nodes as ON, shape_extras as SHX, takes as TK

FUNCTIONS = {**PR.FUNCTIONS, **CT.FUNCTIONS, **AR.FUNCTIONS, **CO.FUNCTIONS, "det": LA.det, **FN.FUNCTIONS,
             **TK.RECORDED, **ON.BOTH}
METHODS = {**PR.METHODS, **CT.METHODS, **AR.METHODS, **CO.METHODS, "det": LA.det, **NC.METHODS, **FN.METHODS,
           **ON.BOTH}
# torch.nn.functional's channel-wise functions: recorded ops (NN), or random draws (NN_RANDOM)
NN, NN_RANDOM = NC.RECORDED, NC.RANDOM
# (their values depend on the input's values beyond any recorded op, or they give two tensors: never replayed)
_DETERMINANTS = {"logdet": LA.logdet, "slogdet": lambda A: LA.slogdet(A, _name="slogdet")}
# (take's and put's indices are parameters of the op recorded: a replay would keep the first ones)
VALUED_FUNCTIONS = {**CO.VALUED_FUNCTIONS, **QU.FUNCTIONS, **_DETERMINANTS, **FN.VALUED_FUNCTIONS, **TK.VALUED,
                    **DE.FUNCTIONS, **MF.BOTH, **ON.VALUED}
VALUED_METHODS = {**CO.VALUED_METHODS, **QU.FUNCTIONS, **_DETERMINANTS, **FN.VALUED_METHODS,
                  **{n: TK.VALUED[n] for n in ("take", "put", "gcd", "lcm")}, **DE.METHODS, **MF.BOTH, **ON.VALUED}
LINALG = {**AR.LINALG, "det": LA.det, **FN.LINALG}
SPECIAL = dict(FN.SPECIAL)
# (torch.linalg's, their results named linalg_slogdet, ...; declared as torch's)
LINALG_NEVER = {"slogdet": LA.slogdet, "qr": DE.qr, "svd": DE.svd}
# (torch.linalg's own)
LINALG_VALUED = {**{name: DE.LINALG[name] for name in ("eigh", "eigvalsh", "svdvals")}, **MF.LINALG}
FIELDS = dict(DE.FIELDS)
LITERALS = dict(CT.LITERALS)
IN_PLACE = {**PR.IN_PLACE, **CO.IN_PLACE, **FN.IN_PLACE, **TK.IN_PLACE, **IPM.IN_PLACE, **SHX.IN_PLACE,
            **ON.IN_PLACE}
PROGRAM_FUNCTIONS = dict(FN.PROGRAM_FUNCTIONS)
