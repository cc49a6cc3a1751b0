"""Results as JSON lines: one (result_json_line), or a batch's many at once
(json_texts), which writes the same text faster.

A line's numbers are most of its text, and Python writes a float (repr: its
shortest digits that read back the same) slowly, one at a time. A batch's
lines are written a block at a time: every number of the block's quiet lines
(nothing to say but finite float values and gradients) is written by one
float_reprs call, and each line is its shape's template filled in.
"""
from __future__ import annotations

import math

import numpy as np

from ..evaluate.result import QUIET_END
from .float_text import float_reprs
from .run_text import run_text, run_text_from_rows
from .render import _string_json, encode_json, jsonable, _plain


def result_json_line(result, line: int | None = None) -> str:
    """result_json(result) (plus `line`) as one line of text.

    What every result of one replay shares (expr, shape, dtype, grad_fn,
    nodes) comes first and is encoded once, in result.json_cache; the rest
    is encoded in one call.
    """
    fixed = _head(result)
    tail = _plain_tail(result)
    if tail is not None:
        return f'{fixed}{tail}}}' if line is None else f'{fixed}{tail}, "line": {line}}}'
    rest = {"value": None, "grads": None, "no_grad": result.no_grad, "warnings": result.warnings,
            "error": None if result.error is None else result.error.to_json()}
    if line is not None:
        rest["line"] = line
    try:    # most results are finite: encode them as they are, convert only when that fails
        rest["value"] = _plain(result.value)
        rest["grads"] = {k: _plain(v) for k, v in result.grads.items()}
        return fixed + encode_json(rest)[1:]
    except ValueError:
        rest["value"] = jsonable(result.value)
        rest["grads"] = {k: jsonable(v) for k, v in result.grads.items()}
        return fixed + encode_json(rest)[1:]


def json_texts(numbered) -> list:
    """result_json_line(result, number) of each (number, Result) of a list whose line is quiet
    (a grad line with finite float values and gradients and nothing else to say), None for the
    others: the caller writes those one by one."""
    texts = [None] * len(numbered)
    runs = _quiet_runs(numbered)
    numbers, skipped = _numbers(runs)
    at = 0
    for k, end, template, count, _ in runs:
        for i in range(k, end):
            if i not in skipped:
                number, result = numbered[i]
                texts[i] = f'{_head(result)}{template % numbers[at:at + count]}, "line": {number}}}'
            at += count
    return texts


def json_pieces(numbered) -> list:
    """The JSON lines of each (number, Result) of a list, in order, each ended by a line break, as
    pieces: a str is the text of one or more quiet lines (as json_texts), an int k stands for
    numbered[k]'s line, which the caller writes alone. A sweep's lines are one piece, written
    together (output/run_text.py)."""
    runs, written = [], {}
    for run in _quiet_runs(numbered):
        text = None if run[1] - run[0] < 2 else _swept_text(numbered, run)
        if text is None:
            runs.append(run)
        else:
            written[run[0]] = run[1], text
    numbers, skipped = _numbers(runs)
    pieces, done, at = [], 0, 0
    for k, end, template, count, _ in runs:
        if k > done:
            pieces += _written(written, done, k)
        done = end
        if end - k > 1 and skipped.isdisjoint(range(k, end)):
            pieces.append(run_text(_head(numbered[k][1]), template, count, numbers[at:at + (end - k) * count],
                                   [number for number, _ in numbered[k:end]]))
            at += (end - k) * count
            continue
        for i in range(k, end):
            if i in skipped:
                pieces.append(i)
            else:
                number, result = numbered[i]
                pieces.append(f'{_head(result)}{template % numbers[at:at + count]}, "line": {number}}}\n')
            at += count
    return pieces + _written(written, done, len(numbered))


def _written(written, start, stop) -> list:
    """The pieces of lines start..stop-1, none of them a quiet run left to write: a sweep's
    text (`written` holds its end and text by its first line's index), or the line's index."""
    pieces, k = [], start
    while k < stop:
        if k in written:
            k, text = written[k]
            pieces.append(text)
        else:
            pieces.append(k)
            k += 1
    return pieces


def _swept_text(numbered, run):
    """A sweep's run of two lines or more written from its numbers' rows (run_text_from_rows), or None."""
    k, end, template, count, arrays = run
    values = np.ascontiguousarray(arrays[0], dtype=np.float64).reshape(-1)
    return run_text_from_rows(_head(numbered[k][1]), template, count, values,
                              [number for number, _ in numbered[k:end]])


def _quiet_runs(numbered) -> list:
    """Runs of consecutive quiet lines of one tail template (start, end, template, its count of
    numbers, their arrays), a run more than a line only if its lines are a sweep's (its array:
    a row of numbers a line)."""
    runs, k = [], 0
    while k < len(numbered):
        parts = _quiet_parts(numbered[k][1])
        if parts is None:
            k += 1
            continue
        (template, count), line_arrays = parts
        swept = getattr(numbered[k][1], "swept", None)
        end = k + 1 if swept is None else _sweep_run_end(numbered, k, swept)
        if end > k + 1:     # consecutive lines of one sweep: their numbers are rows of its arrays
            first = numbered[k][1]
            line_arrays = [first.swept.rows(first.index, first.index + end - k)]
        runs.append((k, end, template, count, line_arrays))
        k = end
    return runs


def _numbers(runs):
    """(numbers, skipped): the runs' numbers as text (a tuple: a line's slice of it fills its
    template), and the indexes of their lines whose numbers are not all finite (each line must
    then be written alone)."""
    if not runs:
        return (), set()
    # (raveled first: concatenate's axis=None ravels each array more slowly)
    flat = np.concatenate([a.ravel() for *_, arrays in runs for a in arrays], dtype=np.float64)
    numbers = tuple(float_reprs(flat))
    if np.isfinite(flat).all():
        return numbers, set()
    quiet = [i for k, end, *_ in runs for i in range(k, end)]
    counts = [count for k, end, _, count, _ in runs for _ in range(k, end)]
    return numbers, {quiet[i] for i in _not_finite(flat, counts)}


def _sweep_run_end(numbered, k, swept) -> int:
    """The end of the run of results from k on that are consecutive lines of the sweep of
    numbered[k]'s result (evaluate/sweeps.py: SweptResult)."""
    end, first = k + 1, numbered[k][1]
    while end < len(numbered) and getattr(numbered[end][1], "swept", None) is swept \
            and numbered[end][1].index == first.index + end - k:
        end += 1
    return end


def _quiet_parts(result):
    """((the tail's template, its count of numbers), [value, grads...]) of a quiet line, else None."""
    if result.error is not None or result.no_grad or result.warnings \
            or getattr(result, "command", "grad") != "grad":
        return None
    grads = result.grads
    arrays = [result.value, *grads.values()]
    for a in arrays:
        dtype = getattr(a, "dtype", None)
        if dtype is None or dtype.char not in "fd":
            return None
    return _tail_template((arrays[0].shape, *[(name, g.shape) for name, g in grads.items()])), arrays


# A list's template by its shape, and a gradient's (`"x": [%s, %s]`) by its name and shape: distinct
# lines repeat few of them, but seldom a whole tail's (a sweep makes its tail's once).
_LISTS: dict = {}
_GRADS: dict = {}
_KEPT = 4096                # templates of each kind kept
_LARGEST_KEPT = 4096        # numbers in a kept template


def _tail_template(key):
    """(`"value": %s, "grads": {"x": [%s, %s]}, ` + QUIET_END, its count of %s) for `key`: the
    value's shape, then each gradient's (name, shape)."""
    value_shape, *grads = key
    value, count = _LISTS.get(value_shape) or _list_template(value_shape)
    pieces = []
    for name_shape in grads:
        text, n = _GRADS.get(name_shape) or _grad_template(name_shape)
        pieces.append(text)
        count += n
    return f'"value": {value}, "grads": {{{", ".join(pieces)}}}, {QUIET_END}', count


def _grad_template(name_shape):
    name, shape = name_shape
    text, n = _list_template(shape)
    return _keep(_GRADS, name_shape, (f"{_key_json(name).replace('%', '%%')}: {text}", n), n)


def _list_template(shape):
    """(repr(a.tolist()) of an array of this shape with %s for each number, their count)."""
    kept = _LISTS.get(shape)
    if kept is not None:
        return kept
    text = "%s"
    for n in reversed(shape):
        text = "[" + ", ".join([text] * n) + "]"
    return _keep(_LISTS, shape, (text, math.prod(shape)), math.prod(shape))


def _keep(kept: dict, key, template, count):
    if count <= _LARGEST_KEPT:
        if len(kept) >= _KEPT:
            kept.clear()
        kept[key] = template
    return template


def _not_finite(flat, counts) -> set:
    """The indexes of the quiet lines whose numbers are not all finite."""
    starts = np.cumsum([0] + counts[:-1])
    bad = np.flatnonzero(~np.isfinite(flat))
    return set((np.searchsorted(starts, bad, side="right") - 1).tolist())


def _head(result) -> str:
    """`{"expr": ..., "nodes": [...], `, kept in the result's json_cache (shared by a replay's results)."""
    cache = result.json_cache
    fixed = None if cache is None else cache.get("fixed")
    if fixed is None:
        fixed = _head_json(result)
        if cache is not None:
            cache["fixed"] = fixed
    return fixed


def _plain_tail(result):
    """`"value": ..., "grads": {...}, "no_grad": {}, "warnings": [], "error": null` of a result
    whose numbers are all finite floats and that has nothing else to say (most lines), written
    without the encoder; else None."""
    if result.no_grad or result.warnings or result.error is not None:
        return None
    value = _floats_json(result.value)
    if value is None:
        return None
    grads = []
    for name, g in result.grads.items():
        text = _floats_json(g)
        if text is None:
            return None
        grads.append(f"{_key_json(name)}: {text}")
    return f'"value": {value}, "grads": {{{", ".join(grads)}}}, {QUIET_END}'


def _floats_json(a):
    """A float32/float64 array (or NumPy number) of finite values as JSON: the repr of its
    list, which writes each number by float.__repr__ and separates them by ", ", as the
    encoder does; None for anything else (nan and inf are the only reprs with an "n")."""
    dtype = getattr(a, "dtype", None)
    if dtype is None or dtype.char not in "fd":
        return None
    text = repr(a.tolist())
    return None if "n" in text else text


def _key_json(name: str) -> str:
    """A name as the encoder writes a key (an ASCII identifier needs no escapes)."""
    return f'"{name}"' if name.isascii() and name.isidentifier() else encode_json(name)


def _head_json(result) -> str:
    """`{"expr": ..., "shape": ..., "dtype": ..., "grad_fn": ..., "nodes": [...], ` as the
    encoder writes them, written out directly."""
    expr, value, dtype, grad_fn = result.expr, result.value, result.dtype, result.grad_fn
    return (f'{{"expr": {_string_json(expr) if type(expr) is str else encode_json(expr)}, '
            f'"shape": {"null" if value is None else repr(list(value.shape))}, '
            f'"dtype": {"null" if dtype is None else _string_json(dtype)}, '
            f'"grad_fn": {"null" if grad_fn is None else _string_json(grad_fn)}, '
            f'"nodes": {_nodes_json(result)}, ')


# A node's JSON by (name, grad_fn, shape): a batch's nodes repeat few of them.
_NODE_JSON: dict = {}
_NODES_KEPT = 4096


def _nodes_json(result) -> str:
    """The result's nodes as JSON, written out directly: cheaper than the encoder on small objects."""
    records = result.node_records       # (name, grad_fn, shape, value) tuples, until nodes are read
    if records is None:
        records = [(n.name, n.grad_fn, n.shape, None) for n in result.nodes]
    known = _NODE_JSON.get
    try:        # (a key built from the unpacked record: cheaper than a slice of it)
        texts = [known((name, grad_fn, shape)) or _node_json((name, grad_fn, shape))
                 for name, grad_fn, shape, _ in records]
    except TypeError:       # an unhashable shape (a list): not kept
        texts = [_node_text(*record[:3]) for record in records]
    return f'[{", ".join(texts)}]'


def _node_json(key) -> str:
    if len(_NODE_JSON) >= _NODES_KEPT:
        _NODE_JSON.clear()
    return _NODE_JSON.setdefault(key, _node_text(*key))


def _node_text(name, grad_fn, shape) -> str:      # (grad_fn names are PyTorch's identifiers)
    return (f'{{"name": {"null" if name is None else encode_json(name)}, '
            f'"grad_fn": "{grad_fn}", "shape": {list(shape)!r}}}')
