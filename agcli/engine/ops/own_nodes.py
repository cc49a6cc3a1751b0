"""Ops PyTorch records under a node of their own where a relative's would do:
* frexp (FrexpBackward0): the mantissa, in [0.5, 1) with x's sign (frexp's exponent, an int32 tensor,
  is read beside it); its gradient grad / exponent.exp2(), the power of two a float32 tensor as
  PyTorch's exp2 of an int tensor makes it (0 or inf out of float32's range), a division create_graph
  records (DivBackward0); forward mode the same.
* narrow_copy (NarrowCopyBackward0): narrow's values in a new tensor (no view), its gradient
  slice_backward's (SliceBackwardBackward0 with create_graph).
* x.asinh_(), x.acosh_(), x.atanh_() (AsinhBackward1, AcoshBackward1, AtanhBackward1): asinh's values in
  place, but derivatives.yaml gives the in-place versions not_implemented: backward and forward mode
  raise PyTorch's NotImplementedError."""
from __future__ import annotations

from ...errors import AgcliError
from ..backend import copy, from_host, getitem, host as np, to_host
from ..op import FILE_AN_ISSUE, Op, forward_ad_not_implemented
from ..saved import FIELDS, Computed, Param, Sizes
from ..tensor import Tensor, apply, data
from .elementary import ACOSH, ASINH, ATANH
from .layout import _embed, slice_key
from .pointwise import div
from .shapes import SLICE_BACKWARD


def frexp_parts(x):
    """(mantissa, exponent) of an array, exponent int32 (std::frexp: 0, inf and nan keep 0)."""
    m, e = np.frexp(to_host(x))
    return from_host(m.astype(to_host(x).dtype)), from_host(e.astype(np.int32))


def _power(x):
    """exponent.exp2(): float32 powers of two."""
    _, e = np.frexp(to_host(x))
    return from_host((2.0 ** e.astype(np.float64)).astype(np.float32))


def _frexp_rule(g, out, x):
    power = _power(data(x))
    return div(g, Tensor(power)) if type(g) is Tensor else g / power


FREXP = Op("FrexpBackward0", lambda x: frexp_parts(x)[0], (_frexp_rule,), ("grad / exponent.exp2()",),
           jvps=(lambda t, out, x: _frexp_rule(t, out, x),))


def _narrow(x, dim, start, stop):
    return copy(getitem(x, slice_key(dim, start, stop, 1)))


def _narrow_rule(g, out, x, dim, start, stop):
    if type(g) is Tensor:
        return apply(SLICE_BACKWARD, g, shape=x.shape, dim=dim, start=start, stop=stop, step=1)
    return _embed(g, x.shape, slice_key(dim, start, stop, 1))


def _narrow_tangent(t, out, x, dim, start, stop):
    d = dim + t.ndim - x.ndim
    return apply(NARROW_COPY, t, dim=d, start=start, stop=stop) if type(t) is Tensor else _narrow(t, d, start, stop)


NARROW_COPY = Op("NarrowCopyBackward0", _narrow, (_narrow_rule,),
                 ("slice_backward_symint(grad, self.sym_sizes(), dim, start, start + length, 1)",), saves=False,
                 jvps=(_narrow_tangent,))


def _not_implemented(name):
    def rule(*args, **params):
        raise AgcliError(f"the derivative for 'inplace version of {name}' is not implemented.",
                         kind="not_implemented")
    return rule


def _no_forward(name):       # (PyTorch's in-place refusal: its second sentence ends sooner)
    return forward_ad_not_implemented(f"{name}_", FILE_AN_ISSUE[:FILE_AN_ISSUE.index(" or submit")] + ".")


ASINH_ = Op("AsinhBackward1", ASINH.forward, (_not_implemented("asinh"),), ('not_implemented("inplace version of '
            'asinh")',), saves=False, jvps=(_no_forward("asinh"),))
ACOSH_ = Op("AcoshBackward1", ACOSH.forward, (_not_implemented("acosh"),), ('not_implemented("inplace version of '
            'acosh")',), saves=False, jvps=(_no_forward("acosh"),))
ATANH_ = Op("AtanhBackward1", ATANH.forward, (_not_implemented("atanh"),), ('not_implemented("inplace version of '
            'atanh")',), saves=False, jvps=(_no_forward("atanh"),))
IN_PLACE = {"asinh": ASINH_, "acosh": ACOSH_, "atanh": ATANH_}


def _exponent(node):
    x = node.arrays[0] if node.arrays is not None else data(node.inputs[0])
    return Tensor(frexp_parts(x)[1], device=node.out.device)


FIELDS["FrexpBackward0"] = {"exponent": Computed(_exponent)}
FIELDS["NarrowCopyBackward0"] = {"dim": Param("dim"), "length": Computed(lambda n: n.params["stop"] - n.params[
    "start"], tensor=False), "self_sym_sizes": Sizes(0), "start": Param("start")}


# ------------------------------------------- batching rules (engine/batching.py)
from ..batching import LOOP, declare_rest  # noqa: E402  (after the entries)

declare_rest(globals(), LOOP)       # line by line
