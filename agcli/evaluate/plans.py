"""Parsed and lowered expressions, kept per (expression, bound names): a
batch that repeats an expression parses it once more, then never again."""
from __future__ import annotations

from ..language.lower import lower
from ..language.syntax import parse
from ..state import state

# Enough for a batch that cycles through hundreds of expressions; more would
# only give the garbage collector a larger heap to walk.
CACHE_SIZE = 1024

_plans: dict = {}
# The hashes of the keys seen once. A plan is kept from its second sighting on: a
# batch of distinct expressions would otherwise keep a thousand plans it never reads
# again, and a working set that large slows every line (the caches of the processor).
# (A collision of hashes only keeps a plan early.)
_seen_once: dict = {}


def plan_for(expr: str, names, repeats: bool = False):
    """The lowered plan of `expr` with these names bound (kept once seen twice, or at once
    if the caller knows that lines of it follow: `repeats`)."""
    key = (expr, frozenset(names), state.detect_anomaly)     # anomaly mode's plans note where nodes are made
    plan = _plans.get(key)
    if plan is None:
        plan = lower(parse(expr), names)
        seen = hash(key)
        if repeats or seen in _seen_once:
            forget_oldest(_plans)
            _plans[key] = plan
        else:
            forget_oldest(_seen_once)
            _seen_once[seen] = None
    return plan


def forget_oldest(cache: dict):
    """Keep a cache under CACHE_SIZE: drop its older half (dicts keep insertion order)."""
    if len(cache) >= CACHE_SIZE:
        for key in list(cache)[:CACHE_SIZE // 2]:
            del cache[key]
