"""Print NumPy data exactly the way PyTorch prints a tensor.

This is a pure-NumPy port of ``torch/_tensor_str.py`` (PyTorch 2.13) for dense
CPU tensors, under the print options a program set (``state.print_options``:
torch.set_printoptions, print_options.py).  This module lays a tensor out
(rows, summaries, suffixes); number_format.py decides how each number looks
(torch's ``_Formatter``).  The functions keep torch's names and structure
(``_tensor_str``, ``_tensor_str_with_formatter``, ``get_summarized_data``,
``_add_suffixes``, ``_str_intern``) so the files can be read side by side.  A
NumPy array stands in for the tensor: ``ndim`` for ``dim()``, ``shape[0]``
for ``size(0)``, ``size`` for ``numel()``.

Public entry points: :func:`format_tensor` (the whole ``repr``) and
:func:`format_data` (only the bracketed numbers).
"""

from __future__ import annotations

import math

import numpy as np

from ..state import state
from .number_format import Formatter

__all__ = ["format_data", "format_tensor", "tensor_repr"]


def _scalar_str(self: np.ndarray, formatter1, formatter2=None) -> str:
    if formatter2 is not None:
        real_str = _scalar_str(self.real, formatter1)
        imag_str = (_scalar_str(self.imag, formatter2) + "j").lstrip()
        # handles negative numbers, +0.0, -0.0
        if imag_str[0] == "+" or imag_str[0] == "-":
            return real_str + imag_str
        else:
            return real_str + "+" + imag_str
    else:
        return formatter1.format(self.item())


def _vector_str(self: np.ndarray, indent, summarize, formatter1, formatter2=None) -> str:
    # length includes spaces and comma between elements
    element_length = formatter1.width() + 2
    if formatter2 is not None:
        # width for imag_formatter + an extra j for complex
        element_length += formatter2.width() + 1

    elements_per_line = max(
        1, math.floor((state.print_options.linewidth - indent) / (element_length))
    )

    def _val_formatter(val, formatter1=formatter1, formatter2=formatter2):
        if formatter2 is not None:
            real_str = formatter1.format(val.real)
            imag_str = (formatter2.format(val.imag) + "j").lstrip()
            # handles negative numbers, +0.0, -0.0
            if imag_str[0] == "+" or imag_str[0] == "-":
                return real_str + imag_str
            else:
                return real_str + "+" + imag_str
        else:
            return formatter1.format(val)

    edge = state.print_options.edgeitems
    if summarize and not edge:
        data = ["..."]
    elif summarize and self.shape[0] > 2 * edge:
        # " ..." takes an element's slot, so it counts for line wrapping too.
        data = (
            [_val_formatter(val) for val in self[:edge].tolist()]
            + [" ..."]
            + [_val_formatter(val) for val in self[-edge:].tolist()]
        )
    else:
        data = [_val_formatter(val) for val in self.tolist()]

    data_lines = [
        data[i : i + elements_per_line] for i in range(0, len(data), elements_per_line)
    ]
    lines = [", ".join(line) for line in data_lines]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


# formatter2 is only used for printing complex tensors.
# For complex tensors, formatter1 and formatter2 are the formatters for
# tensor.real and tensor.imag respectively
def _tensor_str_with_formatter(
    self: np.ndarray, indent, summarize, formatter1, formatter2=None
) -> str:
    dim = self.ndim

    if dim == 0:
        return _scalar_str(self, formatter1, formatter2)

    if dim == 1:
        return _vector_str(self, indent, summarize, formatter1, formatter2)

    edge = state.print_options.edgeitems
    if summarize and self.shape[0] > 2 * edge:
        slices = (
            [
                _tensor_str_with_formatter(
                    self[i], indent + 1, summarize, formatter1, formatter2
                )
                for i in range(edge)
            ]
            + ["..."]
            + [
                _tensor_str_with_formatter(
                    self[i], indent + 1, summarize, formatter1, formatter2
                )
                for i in range(len(self) - edge, len(self))
            ]
        )
    else:
        slices = [
            _tensor_str_with_formatter(
                self[i], indent + 1, summarize, formatter1, formatter2
            )
            for i in range(self.shape[0])
        ]

    # Sub-tensors of an n-d tensor are separated by n-1 newlines (a blank line
    # between matrices of a 3-d tensor) and aligned under the opening bracket.
    tensor_str = ("," + "\n" * (dim - 1) + " " * (indent + 1)).join(slices)
    return "[" + tensor_str + "]"


def _tensor_str(self: np.ndarray, indent: int) -> str:
    if self.size == 0:
        return "[]"

    summarize = self.size > state.print_options.threshold

    if self.dtype.kind == "c":
        real_formatter = Formatter(
            get_summarized_data(self.real) if summarize else self.real
        )
        imag_formatter = Formatter(
            get_summarized_data(self.imag) if summarize else self.imag
        )
        return _tensor_str_with_formatter(
            self, indent, summarize, real_formatter, imag_formatter
        )
    else:
        # When summarizing, only the printed edge items choose the format.
        formatter = Formatter(get_summarized_data(self) if summarize else self)
        return _tensor_str_with_formatter(self, indent, summarize, formatter)


def _add_suffixes(tensor_str, suffixes, indent, force_newline) -> str:
    tensor_strs = [tensor_str]
    # Kept as in torch (the "+ 1" over-counts by two when there is no newline).
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        suffix_len = len(suffix)
        if force_newline or last_line_len + suffix_len + 2 > state.print_options.linewidth:
            tensor_strs.append(",\n" + " " * indent + suffix)
            last_line_len = indent + suffix_len
            force_newline = False
        else:
            tensor_strs.append(", " + suffix)
            last_line_len += suffix_len + 2
    tensor_strs.append(")")
    return "".join(tensor_strs)


def get_summarized_data(self: np.ndarray) -> np.ndarray:
    """The elements a summarized print shows: edgeitems from each end of every
    dimension longer than 2 * edgeitems."""
    dim = self.ndim
    edge = state.print_options.edgeitems
    if dim == 0:
        return self
    if dim == 1:
        if self.shape[0] > 2 * edge:
            return np.concatenate((self[:edge], self[-edge:]))
        else:
            return self
    if not edge:
        return np.empty([0] * dim, dtype=self.dtype)
    elif self.shape[0] > 2 * edge:
        start = [self[i] for i in range(edge)]
        end = [self[i] for i in range(len(self) - edge, len(self))]
        return np.stack([get_summarized_data(x) for x in (start + end)])
    else:
        return np.stack([get_summarized_data(x) for x in self])


def _torch_dtype_name(dtype: np.dtype) -> str:
    # torch spells these dtypes like numpy: torch.float32, torch.int64, torch.bool...
    return "torch." + dtype.name


def _default_complex_dtype(default_dtype: np.dtype) -> np.dtype:
    # TODO in torch too: an API to map real -> complex dtypes
    return np.dtype(np.complex128 if default_dtype == np.float64 else np.complex64)


def _as_array(data, dtype) -> np.ndarray:
    dtype = np.dtype(dtype)
    if dtype.kind not in "biufc":
        raise ValueError(f"cannot print a tensor of dtype {dtype}")
    return np.asarray(data, dtype=dtype)


def _str_intern(
    self: np.ndarray,
    *,
    default_dtype: np.dtype,
    grad_fn: str | None,
    requires_grad: bool,
    prefix: str,
    device: str = "cpu",
    tangent: str | None = None,
) -> str:
    indent = len(prefix)
    # A tensor off the default device says where it is, first (torch/_tensor_str.py).
    suffixes = [] if device == "cpu" else [f"device='{device}'"]

    # int64 and bool (and the default float / complex dtypes) are what
    # torch.tensor() infers from Python numbers, so they are not printed.
    has_default_dtype = self.dtype in (
        default_dtype,
        _default_complex_dtype(default_dtype),
        np.dtype(np.int64),
        np.dtype(np.bool_),
    )
    if self.size == 0:
        # Explicitly print the shape if it is not (0,), to match NumPy behavior
        if self.ndim != 1:
            suffixes.append("size=" + str(tuple(self.shape)))

        # In an empty tensor, there are no elements to infer if the dtype
        # should be int64, so it must be shown explicitly.
        if self.dtype != default_dtype:
            suffixes.append("dtype=" + _torch_dtype_name(self.dtype))
        tensor_str = "[]"
    else:
        if not state.print_options.edgeitems:
            suffixes.append("size=" + str(tuple(self.shape)))

        if not has_default_dtype:
            suffixes.append("dtype=" + _torch_dtype_name(self.dtype))

        tensor_str = _tensor_str(self, indent)

    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{grad_fn}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    if tangent is not None:         # a dual tensor (forward AD): its tangent, as f"{tangent}" shows it
        suffixes.append(f"tangent={tangent}")

    return _add_suffixes(prefix + tensor_str, suffixes, indent, force_newline=False)


def format_tensor(
    data,
    *,
    dtype: str,
    default_dtype: str = "float32",
    grad_fn: str | None = None,
    requires_grad: bool = False,
    prefix: str = "tensor(",
    device: str = "cpu",
    tangent: str | None = None,
) -> str:
    """PyTorch's repr of a tensor holding `data` (a numpy array or numpy scalar).

    dtype: 'float32' | 'float64' | 'float16' | 'int64' | 'int32' | 'bool' ...
      (numpy dtype names); `data` is converted to it.
    default_dtype: the floating dtype treated as PyTorch's default (not
      printed); agcli's `grad` command uses 'float64', its program runner uses
      'float32'.
    grad_fn: e.g. 'AddBackward0' -> suffix 'grad_fn=<AddBackward0>'; it wins
      over requires_grad, which adds 'requires_grad=True'.
    prefix: what opens the repr; nested rows are indented by its length.
    tangent: a dual tensor's tangent as text (suffix 'tangent=...').
    """
    return _str_intern(
        _as_array(data, dtype),
        default_dtype=np.dtype(default_dtype),
        grad_fn=grad_fn,
        requires_grad=requires_grad,
        prefix=prefix,
        device=device,
        tangent=tangent,
    )


def format_data(data, *, dtype: str) -> str:
    """Only the bracketed numbers of the repr (no prefix, no suffixes), with
    nested rows indented as if there were no prefix, e.g. for tables."""
    return _tensor_str(_as_array(data, dtype), 0)


def tensor_repr(t) -> str:
    """`repr(t)` of an agcli Tensor, as PyTorch prints it."""
    from ..engine.backend import dtype_name, to_host
    from ..engine.tensor import fresh           # a view whose base changed in place shows its history now
    grad_fn = fresh(t).grad_fn
    text = format_tensor(to_host(t.data), dtype=dtype_name(t.data.dtype), default_dtype=state.default_float,
                         grad_fn=grad_fn.name if grad_fn else None,
                         requires_grad=t.requires_grad and t.grad_fn is None, device=t.device,
                         tangent=None if state.dual is None else _tangent_text(t))
    mark = getattr(t, "parameter", False)
    if mark == "uninitialized":         # (nn.LazyLinear's before its first call: language/nn/lazy.py)
        return "<UninitializedParameter>"
    return "Parameter containing:\n" + text if mark else text    # nn.Parameter's repr


def _tangent_text(t) -> str | None:
    """f"{tangent}" of a dual tensor, as PyTorch's repr shows it: a 0-d one is its Python
    number (Tensor.__format__), any other its repr; None when t is not dual."""
    from ..engine.backend import item, to_host
    from ..engine.forward import tangent_of
    from ..engine.tensor import Tensor
    tangent = tangent_of(t)
    if tangent is None:
        return None
    if not isinstance(tangent, Tensor):
        tangent = Tensor(tangent, device=t.device)
    if tangent.data.ndim == 0:
        return str(item(tangent.data))
    return tensor_repr(tangent)
