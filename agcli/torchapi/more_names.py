"""The names torchapi/products.py, contractions.py and arrangements.py give, gathered for
namespace.py (torch's functions, Tensor methods, torch.linalg's, constants) and the program's
in-place methods (language/program_names.py)."""
from __future__ import annotations

from . import arrangements as AR, contractions as CT, products as PR

FUNCTIONS = {**PR.FUNCTIONS, **CT.FUNCTIONS, **AR.FUNCTIONS}
METHODS = {**PR.METHODS, **CT.METHODS, **AR.METHODS}
LINALG = dict(AR.LINALG)
LITERALS = dict(CT.LITERALS)
IN_PLACE = dict(PR.IN_PLACE)
