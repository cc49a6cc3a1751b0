"""Sweeps: consecutive batch lines of one expression, with bindings of the same
names and shapes, evaluated as one replay over stacked arrays.

A batch hands in its lines a block at a time (blocks grow 1, 2, 4, ... up to
LOOK_AHEAD lines, so that the first results come at once; a worker gets them a
chunk at a time). In a block or chunk, a run of lines whose words differ only
in their values (same expression, same `--NAME`s, no per-line option), up to
GROUP_LINES of them, is a group: its values are parsed together
(bindings.py: stacked_values), and once evaluate has a checked recording of
the expression for those shapes (run.py: checked_replay; the group's first
two lines, run alone, make it: expect_repeats), the rest of the group runs as one replay
(engine/sweep_replay.py) whose ops map the stacked axis by their batching
rules (engine/batching.py). Each line's Result is cut out of it.

What a sweep gives is what the lines give run one by one, byte for byte,
or the lines run one by one: a group falls back to them on anything
unusual (a value that is not a number or a number list, shapes that change
midway (the group is halved until they agree), floating-point trouble in
any line, a gradient that is not finite or missing, an op without a rule).
Lines of the sweep are checked against the same lines run alone, bit for
bit: several in the first group of an expression and shapes, one in each of
the next groups, then one in every fourth group (the bits a rule gives
depend on shapes and layouts, which the recording fixes, not on values); a
mismatch turns sweeps off for that recording and runs the group line by line.
"""
from __future__ import annotations

from ..engine.backend import ON_HOST
from ..engine.backend_watch import float_errors, watch
from ..engine.sweep_replay import can_batch, run_stacked
from ..engine.tensor import Tensor
from ..state import state
from . import run as api
from .bindings import stacked_columns
from .finite import all_finite
from .result import NodeInfo, Result

LOOK_AHEAD = 256        # lines a block may hold, and a group of a block (a worker's chunk may hold more)
GROUP_LINES = 512       # lines a group of a worker's chunk may hold (a group has a fixed cost)
_GROUP_NUMBERS = 1 << 20    # binding numbers a group of more than LOOK_AHEAD lines may stack, else it is halved
_WARM_UP = 4            # lines of a group run alone, at most, for evaluate to check a recording
_FIRST_CHECKS = 4       # lines of the first group of an expression and shapes checked against lines run alone
_ALWAYS_CHECKED = 8     # groups of a recording with a line checked each; after them, one group in _CHECK_EVERY
_CHECK_EVERY = 4
_checked: dict = {}     # id(replay) -> (replay, groups checked); False: sweeps gave other bits: never again
_plain: dict = {}       # (expression, option words) -> whether lines of those words parse as plain bindings
_templates: dict = {}   # the same -> their _template (or None), made when the words first make a group


def results(batch, lines):
    """(number, Result) for each (number, text) of `lines` (a list), in order."""
    if not _sweepable(batch):
        for number, text in lines:
            yield number, batch.run(text)
        return
    i, n = 0, len(lines)
    split = _split(batch, lines)
    while i < n:
        j = i + 1
        signature = split[i][0]
        if signature is None or j == n or split[j][0] != signature:
            # a line alone (most lines of a file of distinct lines): no group to look for
            number, text = lines[i]
            yield number, batch.run(text, _words(split[i]))
            i = j
            continue
        while j < n and split[j][0] == signature and j - i < GROUP_LINES:
            j += 1
        if _plain_words(batch, lines[i][1], split[i]):
            yield from _group(batch, lines[i:j], signature, split[i:j])
        else:
            for k in range(i, j):
                number, text = lines[k]
                yield number, batch.run(text, _words(split[k]))
        i = j


def blocks(numbered, largest=LOOK_AHEAD):
    """The lines in lists of 1, 2, 4, ... up to `largest`, read as they are asked for."""
    from itertools import islice
    numbered = iter(numbered)
    size = 1
    while block := list(islice(numbered, size)):
        yield block
        size = min(size * 2, largest)


def _sweepable(batch) -> bool:
    """Can any lines of this batch be swept? (Not with options a replay does not take.)"""
    return batch.split is not None and batch.grad_output is None and not batch.detect_anomaly and ON_HOST \
        and watch is None


def _split(batch, lines):
    """(signature, words, values) of each line. signature: (expression, the option words) for a
    line of `"EXPR" --NAME VALUE ...` words, else None. words: as the front end splits them, once
    (they go on to the line's run: Batch.run), or None (they did not split). A line that its
    group's template reads (a line written as most are) is not split, a third of its time: its
    words are None, its values read (else None), and _words makes its words if they are needed."""
    split, signature, template, previous = [], None, None, None
    for _, text in lines:
        match = template.fullmatch(text) if template is not None and "\\" not in text else None
        if match is not None:
            # (a value's quoted or bare group: one of the two matched)
            split.append((signature, None, [value for value in match.groups() if value is not None]))
            previous = text
            continue
        try:
            words = batch.split(text)
        except Exception:       # (its error is the line's own: run alone, it says so)
            words = None
        if words is None or len(words) < 3 or len(words) % 2 == 0:
            split.append((None, words, None))
            signature = template = None
            continue
        line = ((words[0], tuple(words[1::2])), words, None)
        if line[0] == signature:        # a group's second line: a template reads the next ones
            _plain_words(batch, previous, split[-1])
        signature = line[0]
        split.append(line)
        previous = text
        template = _templates.get(signature)
    return split


def _words(line):
    """A line's words (an entry of _split): split, or made from its signature and values."""
    signature, words, values = line
    if values is not None:
        words = [signature[0]]
        for option, value in zip(signature[1], values):
            words += (option, value)
    return words


def _values(line):
    """A line's values (an entry of _split with a signature)."""
    return line[2] if line[2] is not None else line[1][2::2]


def _template(signature):
    """A regex reading the values of a line of these words written `"EXPR" --NAME VALUE ...`,
    each VALUE in double quotes or bare, without backslashes or other quotes. The front end
    splits lines as a POSIX shell does, which gives such a line's words as they are written
    (the quotes taken off). None if the expression is not written so simply. It reads lines
    without backslashes only (_split), so a quoted value is anything but a quote: a single
    character's complement is the regex engine's fastest loop."""
    import re
    expr, options = signature
    if '"' in expr or "\\" in expr:
        return None
    value = r"""\s+(?:"([^"]*)"|([^\s"'\\#]+))"""
    return re.compile(f'"{re.escape(expr)}"' + "".join(rf"\s+{re.escape(o)}{value}" for o in options))


def _plain_words(batch, text, line) -> bool:
    """Do lines of this line's signature parse to their expression and `--NAME VALUE` bindings,
    nothing else? (The values never change how a line parses, so one line tells.) Asked when
    lines make a group, not of every line: a line alone runs as it is."""
    signature = line[0]
    plain = _plain.get(signature)
    if plain is None:
        if len(_plain) > 4096:
            _plain.clear()
            _templates.clear()
        plain = _plain[signature] = _plain_bindings(batch, text, _words(line))
        # Its later lines are read by a template: compiling one costs about what a distinct line does.
        _templates[signature] = _template(signature) if plain else None
    return plain


def _plain_bindings(batch, text, words) -> bool:
    """Does the line parse to its expression and `--NAME VALUE` bindings, nothing else?"""
    try:
        args = batch.parse(text, words)
    except Exception:
        return False
    fresh = type(args)()
    names = [w[2:] for w in words[1::2]]
    return (args.command == "grad" and args.expr == words[0] and list(args.bindings) == names
            and list(args.bindings.values()) == words[2::2]
            and all(getattr(args, f) == getattr(fresh, f) for f in type(args).__slots__
                    if f not in ("expr", "bindings", "command")))


def _group(batch, lines, signature, split):
    """The lines of one signature (their _split entries): run alone until evaluate has a checked
    recording, then swept."""
    expr, options = signature
    names = [o[2:] for o in options]
    wanted = set(names) if batch.wrt is None else set(batch.wrt)
    api.configure(dtype=batch.dtype, seed=batch.seed, max_elements=batch.max_elements, detect_anomaly=False)
    columns = _columns([_values(line) for line in split], names)
    if columns is not None and len(lines) > LOOK_AHEAD \
            and sum(column.size for column in columns.values()) > _GROUP_NUMBERS:
        columns = None      # (a long group of large arrays: halved, as below)
    if columns is None or not wanted <= set(names) or not _plain_plan(expr, names):
        if columns is None and len(lines) >= 4:      # shapes that change midway: each half its own group
            half = len(lines) // 2
            yield from _group(batch, lines[:half], signature, split[:half])
            yield from _group(batch, lines[half:], signature, split[half:])
            return
        for (number, text), line in zip(lines, split):
            yield number, batch.run(text, _words(line))
        return
    shapes = [(name, columns[name].shape[1:]) for name in names]
    start = 0
    replay = api.checked_replay(expr, shapes, wanted)
    if replay is None:
        api.expect_repeats(expr, shapes, wanted)
    while replay is None and start < min(_WARM_UP, len(lines)):
        number, text = lines[start]
        yield number, batch.run(text, _words(split[start]))
        start += 1
        replay = api.checked_replay(expr, shapes, wanted)
    rest = lines[start:]
    if not rest:
        return
    swept = None
    if replay is not None and len(rest) >= 2 and can_batch(replay) and _checks(replay) is not False:
        stacked = {name: column[start:] for name, column in columns.items()}
        swept = _sweep(replay, expr, stacked, len(rest))
        if swept is not None and not _matches(swept, replay, expr, stacked):
            _checked[id(replay)] = (replay, False)
            swept = None
    if swept is None:
        for (number, text), line in zip(rest, split[start:]):
            yield number, batch.run(text, _words(line))
        return
    for i, (number, _) in enumerate(rest):
        yield number, SweptResult(swept, i)


def _plain_plan(expr, names) -> bool:
    """Does the expression lower, reading every binding? (Else its lines run alone and say why.)"""
    try:
        return not api.plan_for(expr, names, repeats=True).unused     # (a group: its lines follow)
    except Exception:
        return False


def _columns(values, names):
    """Each binding's values over the lines (their value texts), stacked; None if any cannot be (bindings.py)."""
    arrays = stacked_columns([list(texts) for texts in zip(*values)], state.default_float)
    if arrays is None or any(array[0].size > state.max_elements for array in arrays):
        return None
    return dict(zip(names, arrays))


class Swept:
    """One sweep's arrays: values by slot and gradients by leaf, each with the lines' axis."""

    __slots__ = ("replay", "expr", "values", "grads")

    def __init__(self, replay, expr, values, grads):
        self.replay, self.expr, self.values, self.grads = replay, expr, values, grads

    def rows(self, start, stop):
        """Lines start..stop-1's numbers, a row each: the value's, then each gradient's (in
        `grads` order), each in C order, as output/json_lines.py writes a line's numbers."""
        import numpy
        columns = [self.values[self.replay.output_slot], *self.grads.values()]
        return numpy.concatenate([column[start:stop].reshape(stop - start, -1) for column in columns], axis=1)


def _sweep(replay, expr, stacked, size):
    """A Swept for these lines, or None when they must run alone (see the module's docstring)."""
    trouble = []
    try:
        with float_errors(lambda kind, flag: trouble.append(kind)):
            values, grads = run_stacked(replay, stacked, size)
            forward_trouble = bool(trouble)
    except Exception:       # Unbatchable, or anything a rule did not foresee: the lines run alone
        return None
    if forward_trouble:
        return None
    leaf_dtype = {name: stacked[name].dtype for name, _ in replay.leaf_slots}
    kept = {}
    for name, slot in replay.grad_slots:
        grad = grads.get(slot)
        if grad is None or grad.dtype.kind != "f":
            return None
        grad = grad.astype(leaf_dtype[name], copy=False)
        if not all_finite(grad):
            return None
        kept[name] = grad
    return Swept(replay, expr, values, kept)


def _matches(swept, replay, expr, stacked) -> bool:
    """Lines of the sweep against the same lines replayed alone, bit for bit."""
    size = next(iter(stacked.values())).shape[0]
    done = _checks(replay)
    if done == 0:
        picks = sorted({round(k * (size - 1) / (_FIRST_CHECKS - 1)) for k in range(_FIRST_CHECKS)})
    elif done < _ALWAYS_CHECKED or done % _CHECK_EVERY == 0:
        picks = [(done * 7) % size]
    else:
        picks = []
    for i in picks:
        leaves = {}
        for name, _ in replay.leaf_slots:
            leaf = Tensor(stacked[name][i, ...].copy(), name=name)
            leaf.requires_grad = any(name == n for n, _ in replay.grad_slots)
            leaves[name] = leaf
        alone = api.replayed(replay, expr, leaves)
        if alone is None or alone.warnings or not _same(alone, SweptResult(swept, i)):
            return False
    if len(_checked) > 4096:
        _checked.clear()
    _checked[id(replay)] = (replay, done + 1)
    return True


def _checks(replay):
    """How many groups of this recording were checked (False: one did not match)."""
    entry = _checked.get(id(replay))
    return entry[1] if entry is not None and entry[0] is replay else 0


def _same(a, b) -> bool:
    def same(x, y):
        return x is not None and y is not None and x.shape == y.shape and x.dtype == y.dtype \
            and x.tobytes() == y.tobytes()
    return (same(a.value, b.value) and a.grad_fn == b.grad_fn and a.grads.keys() == b.grads.keys()
            and all(same(a.grads[k], b.grads[k]) for k in a.grads))


class SweptResult(Result):
    """One line's Result, cut out of a sweep (its node values are cut only when read)."""

    requires_grad = True
    error = None
    node_records = None     # (its nodes are made only when read: `nodes`)

    def __init__(self, swept, i):
        self.expr = swept.expr
        self.grad_fn = swept.replay.grad_fn
        self.warnings = []
        self.no_grad = {}
        self.json_cache = swept.replay.json_cache
        self.swept = swept
        self.index = i      # the line's place in the sweep

    @property
    def value(self):
        return self.swept.values[self.swept.replay.output_slot][self.index, ...]

    @property
    def grads(self):
        return {name: grad[self.index, ...] for name, grad in self.swept.grads.items()}

    @property
    def nodes(self):
        values, i = self.swept.values, self.index
        return [NodeInfo(name, grad_fn, shape, values[slot][i, ...])
                for name, grad_fn, shape, slot in self.swept.replay.nodes]
