"""Forward mode: tensors that carry a tangent (dual numbers), PyTorch's forward AD.

Inside a dual level (`state.dual` is a DualLevel), `apply` hands every op's
output to `carry`: its tangent is the sum, in input order, of the op's JVP
rules for the inputs that carry one (engine/op.py: `jvps`), as PyTorch's
generated code adds derivatives.yaml's terms and skips an input without a
tangent (its zero tangent is not computed with); an op whose formula picks
between tangents has one rule for all inputs instead. A tangent has shape
(*batch, *primal.shape): the calculus commands give a leaf a batch of
tangents at once (the rows of an identity: a whole Jacobian in one pass,
evaluate/jacobians.py); a program gives one (torch.autograd.forward_ad,
torchapi/forward_ad.py).

A tangent is a raw array, or a tensor when it has a graph of its own: when a
tangent or a primal it is computed from requires grad (reverse mode over
forward mode), the rules run on tensors and record. They run with the level
switched off, so what they compute carries no tangent of its own.
"""
from __future__ import annotations

import weakref

from ..errors import AgcliError
from ..state import state
from .backend import astype, float_errors_ignored, kind, setitem, xp, zeros
from .ops.shapes import expand, lined_up, to_dtype
from .tensor import Tensor


class DualLevel:
    """One forward-mode level: the tensors given a tangent in it lose it when it ends."""

    __slots__ = ("duals", "prune_at", "made", "unpacked")

    def __init__(self):
        self.duals = []         # weak references: a tensor the program dropped is not kept alive
        self.prune_at = 1024
        self.made = []          # make_dual's views (weak): their primal takes no tangent from them
        self.unpacked = {}      # id(raw tangent) -> the tensor unpack_dual gave for it (the same one each time)

    def give(self, t: Tensor, tangent):
        t.tangent = tangent
        self.duals.append(weakref.ref(t))
        if len(self.duals) > self.prune_at:     # (a long loop in one level: forget the dead ones)
            self.duals = [ref for ref in self.duals if ref() is not None]
            self.prune_at = 2 * len(self.duals) + 1024

    def give_in_place(self, t: Tensor, tangent):
        """t changed in place now carries `tangent`; a view's base takes it in the view's part (zeros
        elsewhere if it had none), as PyTorch's in-place op sets a view's forward grad into its base's.
        Not through make_dual's view: its primal gets no tangent. (A tangent with a graph: t's only.)"""
        self.give(t, tangent)
        info = t.view_of
        if info is None or type(tangent) is Tensor or any(ref() is t for ref in self.made):
            return
        from .views import positions        # (views.py reaches the ops this module's callers import)
        base = info.base
        old = tangent_of(base)
        if type(old) is Tensor:
            return
        try:
            where = xp.reshape(positions(info), (-1,))
        except AgcliError:          # (a base laid out anew since the view was taken)
            return
        batch = tuple(tangent.shape[:len(tangent.shape) - len(t.data.shape)])
        rows = xp.reshape(tangent, (-1, int(t.data.size)))          # (one row per tangent of the batch)
        flat = zeros((rows.shape[0], base.data.size), dtype=tangent.dtype) if old is None \
            else xp.reshape(astype(old, tangent.dtype), (rows.shape[0], -1)) + 0      # (+ 0: a copy to write into)
        for i in range(rows.shape[0]):
            setitem(flat, (i, where), rows[i, ...])
        self.give(base, xp.reshape(flat, batch + tuple(base.data.shape)))

    def as_tensor(self, tangent, device):
        """A raw tangent as a tensor: the same tensor each time it is asked for (PyTorch's unpack_dual
        gives the one tangent tensor), sharing the array."""
        seen = self.unpacked.get(id(tangent))
        if seen is not None and seen.data is tangent:
            return seen
        if len(self.unpacked) > 1024:       # (a long loop in one level: forget the old ones)
            self.unpacked = {}
        seen = self.unpacked[id(tangent)] = Tensor(tangent, device=device)
        return seen

    def close(self):
        for ref in self.duals:
            t = ref()
            if t is not None:
                try:
                    del t.tangent
                except AttributeError:
                    pass
        self.duals = []
        self.made = []
        self.unpacked = {}

    def carry(self, op, args, arrays, params, cast, result):
        """Give `result` (op's output on these arguments) its tangent, if an input has one."""
        tangents = None
        for i, a in enumerate(args):
            if type(a) is Tensor:
                t = tangent_of(a)
                if t is not None:
                    if tangents is None:
                        tangents = [None] * len(args)
                    tangents[i] = t
        if tangents is None or op.jvps is None or kind(result.data.dtype) != "f":
            return
        graph = any(type(t) is Tensor and t.requires_grad for t in tangents if t is not None) or (
            state.grad_enabled and any(type(a) is Tensor and a.requires_grad for a in args))
        if graph:       # the rules run on tensors then: a raw tangent too (an array never meets a tensor)
            tangents = [t if t is None or type(t) is Tensor else Tensor(t, device=result.device) for t in tangents]
        state.dual = None       # what the rules compute carries no tangent
        try:
            # (quietly: a rule may compute inf where it masks it out, as backward's rules do; a
            # tangent that ends up non-finite is for the caller to report)
            with float_errors_ignored():
                total = output_tangent(op, tangents, args if graph else arrays, result if graph else result.data,
                                       params, cast)
        finally:
            state.dual = self
        if total is not None:
            self.give(result, total)


def tangent_of(t):
    """t's tangent at the open level, or None (a tensor that is not dual)."""
    try:
        return t.tangent
    except AttributeError:
        return None


def output_tangent(op, tangents, inputs, out, params, cast=None):
    """The tangent of op's output `out` on `inputs` (arrays; or the result tensor and the
    op's arguments, for a tangent with a graph), given each input's tangent or None:
    the sum of the rules' parts, shaped (*batch, *out.shape), in out's dtype; None
    when no rule applies."""
    out_shape = tuple(out.shape)
    rules = op.jvps
    if callable(rules):         # one rule for the list of tangents (where, cat_jvp, ...)
        return _together(rules, tangents, inputs, out, out_shape, params, cast, op.broadcasts)
    total = batch = None
    for i, t in enumerate(tangents):
        if t is None:
            continue
        rule = rules[i]
        if rule is None:
            continue
        x = inputs[i]
        in_ndim = len(getattr(x, "shape", ()))
        if batch is None:
            batch = tuple(t.shape[:len(t.shape) - in_ndim])
        if cast is not None and type(t) is not Tensor and t.dtype != cast:
            t = astype(t, cast)
        if op.broadcasts:
            t = lined_up(t, in_ndim, len(out_shape))
        part = rule(t, out, *inputs, **params)
        part = lined_up(part, len(part.shape) - len(batch), len(out_shape))     # parts add up as they broadcast
        total = part if total is None else total + part
    if total is None:
        return None
    return _in_dtype(_fit(total, batch, out_shape), out)


def _together(rule, tangents, inputs, out, out_shape, params, cast, broadcasts):
    ts, batch = [], None
    for i, t in enumerate(tangents):
        if t is not None:
            in_ndim = len(getattr(inputs[i], "shape", ()))
            if batch is None:
                batch = tuple(t.shape[:len(t.shape) - in_ndim])
            if cast is not None and type(t) is not Tensor and t.dtype != cast:
                t = astype(t, cast)
            if broadcasts:
                t = lined_up(t, in_ndim, len(out_shape))
        ts.append(t)
    if batch is None:
        return None
    total = rule(ts, out, *inputs, **params)
    total = lined_up(total, len(total.shape) - len(batch), len(out_shape))
    return _in_dtype(_fit(total, batch, out_shape), out)


def _in_dtype(total, out):
    """The tangent in the output's dtype."""
    dtype = out.dtype if type(out) is not Tensor else out.data.dtype
    if type(total) is Tensor:
        return to_dtype(total, dtype)
    return total if total.dtype == dtype else astype(total, dtype)


def _fit(total, batch, out_shape):
    """A part that broadcasts to the output, spread to (*batch, *out.shape)."""
    want = batch + out_shape
    if tuple(total.shape) == want:
        return total
    if type(total) is Tensor:
        return expand(total, want)
    return xp.broadcast_to(total, want)


# ------------------------------------------------------------------ levels
def enter_level() -> DualLevel:
    """Open the dual level (one at a time, as PyTorch)."""
    if state.dual is not None:
        raise AgcliError("Nested forward mode AD is not supported at the moment")
    state.dual = DualLevel()
    return state.dual


def exit_level(level: DualLevel | None = None):
    """Close the dual level: every tangent given in it is dropped."""
    current = state.dual
    if current is None or (level is not None and level is not current):
        raise AgcliError("Trying to exit a forward AD level that was not the last one that was created. "
                         "This is not supported.")
    state.dual = None
    current.close()


class dual_level:
    """`with dual_level(): ...`: a level for the block, closed however it ends."""

    __slots__ = ("level",)

    def __enter__(self):
        self.level = enter_level()
        return 0            # PyTorch's `with dual_level() as lvl` gives the level's number

    def __exit__(self, *exc):
        exit_level(self.level)
