"""How each number of a printed tensor looks: torch's ``_Formatter``
(torch/_tensor_str.py, PyTorch 2.13), on NumPy data, under the print options
a program set (``state.print_options``); printing.py lays the numbers out."""

from __future__ import annotations

import math

import numpy as np

from ..state import state


class Formatter:
    """Decides one common width and style (int / fixed / scientific) for every
    element of a tensor, from the values that will actually be printed."""

    def __init__(self, tensor: np.ndarray):
        self.opts = opts = state.print_options
        self.floating_dtype = tensor.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1

        tensor_view = tensor.reshape(-1)

        if not self.floating_dtype:
            # ints and bools: the width of the longest str(), e.g. "False".
            for value in tensor_view.tolist():
                value_str = f"{value}"
                self.max_width = max(self.max_width, len(value_str))

        else:
            # Zeros, nan and inf say nothing about the scale, so only the
            # nonzero finite values choose the style.
            nonzero_finite_vals = tensor_view[
                np.isfinite(tensor_view) & (tensor_view != 0)
            ]

            if nonzero_finite_vals.size == 0:
                # no valid number, do nothing
                return

            # torch converts to double for the min/max and the ratio below.
            nonzero_finite_abs = np.abs(nonzero_finite_vals).astype(np.float64)
            nonzero_finite_min = float(nonzero_finite_abs.min())
            nonzero_finite_max = float(nonzero_finite_abs.max())

            # The ceil is taken in the tensor's own dtype, as in torch.
            if np.any(nonzero_finite_vals != np.ceil(nonzero_finite_vals)):
                self.int_mode = False

            self.sci_mode = (
                nonzero_finite_max / nonzero_finite_min > 1000.0
                or nonzero_finite_max > 1.0e8
                or nonzero_finite_min < 1.0e-4
                if opts.sci_mode is None
                else opts.sci_mode
            )

            # .tolist() gives Python floats, like torch's value.item(), so the
            # formatting below is the same Python float formatting torch uses.
            values = nonzero_finite_vals.tolist()
            if self.sci_mode:
                # (torch writes this branch twice, for int_mode and not: the same)
                for value in values:
                    value_str = f"{{:.{opts.precision}e}}".format(value)
                    self.max_width = max(self.max_width, len(value_str))
            elif self.int_mode:
                # in int_mode for floats, all numbers are integers, and we
                # append a decimal to nonfinites to indicate that the tensor is
                # of floating type. add 1 to the len to account for this.
                for value in values:
                    value_str = f"{value:.0f}"
                    self.max_width = max(self.max_width, len(value_str) + 1)
            else:
                for value in values:
                    value_str = f"{{:.{opts.precision}f}}".format(value)
                    self.max_width = max(self.max_width, len(value_str))

    def width(self) -> int:
        return self.max_width

    def format(self, value) -> str:
        opts = self.opts
        if self.floating_dtype:
            if self.sci_mode:
                ret = f"{{:{self.max_width}.{opts.precision}e}}".format(value)
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{{:.{opts.precision}f}}".format(value)
        else:
            ret = f"{value}"
        # Right-align; values wider than max_width (nan, inf, -0.) overflow.
        return (self.max_width - len(ret)) * " " + ret
