"""torch.set_printoptions: the settings tensors print with, kept in
`state.print_options` (printing.py and number_format.py read them)."""
from __future__ import annotations

import math

from ..state import PrintOptions, state

# profile= sets these four; sci_mode is set by every call (None: chosen per tensor), as in PyTorch.
PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    options = state.print_options._asdict()
    if profile is not None:
        options.update(PROFILES.get(profile, {}))     # an unknown profile changes nothing, as in PyTorch
    given = dict(precision=precision, threshold=threshold, edgeitems=edgeitems, linewidth=linewidth)
    options.update({name: value for name, value in given.items() if value is not None})
    options["sci_mode"] = sci_mode
    state.print_options = PrintOptions(**options)
    return None
