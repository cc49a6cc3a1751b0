"""Sweeps (evaluate/sweeps.py): lines of one expression evaluated as one replay
over stacked arrays must give exactly what the lines give one by one.

The reference is the same file read from standard input, which `agcli batch`
runs line by line (no look-ahead); the sweeps run from the file, in one
process and in worker processes. Outputs are compared byte for byte.
"""
from __future__ import annotations

import random
import re
import subprocess

import pytest

from agcli.cli.arguments import parse_line, split_words
from agcli.cli.batch import _json_chunk, _json_line
from agcli.cli.sink import crashed
from agcli.engine import batching
from agcli.engine.ops import ALL
from agcli.evaluate import sweeps
from agcli.evaluate.batch import Batch
from agcli.output.json_lines import json_pieces, json_texts
from installed import AGCLI, base_env



def _json_lines(numbered) -> list:
    """(number, text, whether it shows an error) of each (number, Result): the quiet lines
    written together by json_texts, the others one by one (cli/batch.py: _json_line)."""
    texts = json_texts(numbered)
    return [(number, text + "\n", False) if text is not None else _json_line(number, result)
            for text, (number, result) in zip(texts, numbered)]


def test_every_op_has_a_batching_rule_or_is_declared_unbatched():
    kinds = (batching.Reduction, batching.Mapped)
    missing = [op.name for op in ALL if not (op.batch in (batching.ELEMENTWISE, batching.LOOP, batching.UNBATCHED)
                                             or isinstance(op.batch, kinds))]
    assert missing == [], "give each a batching rule (engine/batching.py); a family module's last lines declare its rest"
    # the ops sweeps vectorize, and the ones they must never batch
    from agcli.engine.ops import linalg, pointwise, reductions, sampled, shapes, writes
    assert all(isinstance(op.batch, batching.Mapped) for op in (linalg.MV, linalg.MM, shapes.T_2D, shapes.SELECT))
    assert pointwise.SIN.batch is batching.ELEMENTWISE and pointwise.MUL.batch is batching.ELEMENTWISE
    assert isinstance(reductions.SUM.batch, batching.Reduction) and reductions.MEAN.batch.scale
    assert all(v.batch is batching.UNBATCHED for m in (sampled, writes) for k, v in vars(m).items()
               if k.isupper() and v in ALL)


# ------------------------------------------------------------ random sweeps
SHAPES = {"S": (), "N": (3,), "W": (2,), "M": (2, 3), "T": (3, 2)}
UNARY = ["sin({})", "cos({})", "tanh({})", "torch.sigmoid({})", "relu({})", "abs({})", "-{}", "({})**2",
         "({})**3", "torch.sqrt(1 + ({})**2)", "log(1 + ({})**2)", "torch.clamp({}, -0.5, 0.5)",
         "1 / (2 + sin({}))", "({}).exp().tanh()", "exp(tanh({}))", "({}) * 3", "2 - ({})", "({}) / 4"]


def _expr(kind, depth, rng):
    """A random expression of the given kind of shape."""
    leaves = {"S": ["a"], "N": ["v", "u"], "W": ["w"], "M": ["m"], "T": ["m.t()", "m.T"]}
    if depth == 0:
        return rng.choice(leaves[kind])
    pick = rng.random()
    sub = lambda k: _expr(k, depth - 1, rng)        # noqa: E731
    if pick < 0.4:
        return rng.choice(UNARY).format(sub(kind))
    if pick < 0.7:
        other = rng.choice(["S", kind])
        op = rng.choice(["+", "-", "*"])
        return f"({sub(kind)} {op} {sub(other)})" if rng.random() < 0.5 else f"({sub(other)} {op} {sub(kind)})"
    changes = {
        "S": ["({}).sum()".format(sub("N")), "torch.mean({})".format(sub("M")), "{} @ {}".format(sub("N"), sub("N")),
              "({})[1]".format(sub("N")), "torch.logsumexp({}, 0)".format(sub("W")), "({}).amax()".format(sub("N")),
              "torch.sum({} @ {})".format(sub("M"), sub("T"))],
        "N": ["{} @ {}".format(sub("W"), sub("M")), "({}).sum(0)".format(sub("M")), "torch.softmax({}, 0)".format(sub("N")),
              "torch.cumsum({}, 0)".format(sub("N")), "({})[0]".format(sub("M"))],
        "W": ["{} @ {}".format(sub("M"), sub("N")), "({}).mean(1)".format(sub("M")), "({})[:, 1]".format(sub("M"))],
        "M": ["({}).t()".format(sub("T")), "({}).repeat(2).reshape(2, 3)".format(sub("N"))],
        "T": ["({}).t()".format(sub("M")), "({}).transpose(0, 1)".format(sub("M"))],
    }
    return rng.choice(changes[kind])


def _value(shape, rng, scale=1.0):
    if not shape:
        return f"{rng.uniform(-2, 2) * scale:.3f}"
    return "[" + ", ".join(_value(shape[1:], rng, scale) for _ in range(shape[0])) + "]"


def _sweep_file(seed, lines=360):
    """Runs of lines of random expressions with new values: some lines fail or change shape."""
    rng = random.Random(seed)
    exprs = []
    for _ in range(8):
        exprs.append(rng.choice(["sum({})", "({}).sum()", "torch.mean({})"]).format(
            _expr(rng.choice(list(SHAPES)), rng.randint(1, 3), rng)))
    exprs.append("sum(torch.log(v) * u)")          # log of a negative: nan, a warning on that line only
    exprs.append("sum(exp(v * 400) + u)")          # overflow on some lines
    out = []
    while len(out) < lines:
        expr = rng.choice(exprs)
        names = [n for n in ("a", "v", "u", "w", "m") if re.search(rf"\b{n}\b", expr)]
        shapes = {"a": (), "v": (3,), "u": (3,), "w": (2,), "m": (2, 3)}
        for _ in range(rng.randint(1, 40)):
            words = [f'"{expr}"']
            for name in names:
                shape = shapes[name]
                luck = rng.random()
                if luck < 0.02:
                    text = "[1, 2"                          # a bad binding
                elif luck < 0.04:
                    text = "[[1, 2], [3]]"                  # ragged
                elif luck < 0.07 and shape:
                    text = _value(shape[:-1] + (shape[-1] + 1,), rng)   # a shape change midway
                elif luck < 0.08:
                    text = "1e999"                          # inf
                elif luck < 0.10:
                    text = _value(shape, rng).replace("0.", ".")   # fix-ups the JSON path makes
                else:
                    text = _value(shape, rng)
                words += [f"--{name}", f'"{text}"' if " " in text else text]
            if rng.random() < 0.01:
                words.append("--wrt a")                     # a per-line option
            out.append(" ".join(words))
    return "\n".join(out[:lines]) + "\n"


def _agcli(args, stdin=None):
    return subprocess.run([AGCLI, *args], input=stdin, capture_output=True, text=True, env=base_env(), timeout=300)


@pytest.mark.parametrize("seed", [1, 2])
def test_random_sweeps_give_the_lines_own_output(tmp_path, seed):
    text = _sweep_file(seed)
    path = tmp_path / "sweep.txt"
    path.write_text(text)
    alone = _agcli(["batch", "-", "--format", "jsonl"], stdin=text)       # line by line
    assert alone.stdout.count("\n") == 360
    assert '"error": null' in alone.stdout and '"error": {' in alone.stdout
    for jobs in (["--jobs", "1"], []):
        swept = _agcli(["batch", str(path), "--format", "jsonl", *jobs])
        assert swept.stdout == alone.stdout
        assert swept.stderr == alone.stderr and swept.returncode == alone.returncode


def test_swept_text_output_and_float32(tmp_path):
    text = _sweep_file(3, lines=120)
    path = tmp_path / "sweep.txt"
    path.write_text(text)
    for extra in ([], ["--dtype", "float32", "--format", "jsonl"]):
        alone = _agcli(["batch", "-", *extra], stdin=text)
        swept = _agcli(["batch", str(path), "--jobs", "1", *extra])
        assert swept.stdout == alone.stdout and swept.stderr == alone.stderr


def _in_process(lines, split):
    batch = Batch(parse_line, crashed, split=split)
    numbered = list(enumerate(lines, 1))
    return [_json_line(n, r)[1] for n, r in batch.results(numbered)], batch


def test_sweeps_are_used_and_match_in_process():
    lines = [f'"sum(tanh(m @ v) * w) + (v ** 2).mean()" --m "{_value((2, 3), random.Random(i))}" '
             f'--v "{_value((3,), random.Random(-i))}" --w "{_value((2,), random.Random(i + 99))}"' for i in range(200)]
    alone, _ = _in_process(lines, None)
    batch = Batch(parse_line, crashed, split=split_words)
    results = list(batch.results(list(enumerate(lines, 1))))
    assert sum(type(r) is sweeps.SweptResult for _, r in results) > 150     # (the first lines make the recording)
    assert [_json_line(n, r)[1] for n, r in results] == alone
    assert [text for _, text, _ in _json_lines(results)] == alone       # (the numbers written together)
    pieces = json_pieces(results)
    assert _json_chunk(results) == (len(alone), "".join(alone), [])
    assert all(type(p) is str for p in pieces) and len(pieces) < 50      # (a sweep's lines: one piece)


def test_a_new_expression_sweeps_from_its_third_line_and_is_lowered_once(monkeypatch):
    # The group's first line records the ops (run.py: expect_repeats), its second checks the
    # recording, the rest are swept; the plan is kept from the group's first sight of it.
    from agcli.evaluate import plans
    lowered = []
    real = plans.lower
    monkeypatch.setattr(plans, "lower", lambda tree, names: lowered.append(tree.source) or real(tree, names))
    expr = "(sin(v) * 0.123456789 + v ** 2).sum()"        # (seen by no other test: nothing cached)
    lines = [f'"{expr}" --v "{_value((3,), random.Random(i))}"' for i in range(40)]
    alone, _ = _in_process(lines, None)
    lowered.clear()
    monkeypatch.setattr(plans, "_plans", {})
    monkeypatch.setattr(sweeps.api, "_replays", {})
    batch = Batch(parse_line, crashed, split=split_words)
    results = list(sweeps.results(batch, list(enumerate(lines, 1))))
    assert [type(r) is sweeps.SweptResult for _, r in results] == [False, False] + [True] * 38
    assert lowered == [expr]
    assert [_json_line(n, r)[1] for n, r in results] == alone


def test_a_swept_line_that_is_not_finite_is_written_alone():
    lines = [f'"sum(sin(v) * w)" --v "{_value((3,), random.Random(i))}" --w 2' for i in range(60)]
    batch = Batch(parse_line, crashed, split=split_words)
    results = list(batch.results(list(enumerate(lines, 1))))
    k = next(i for i, (_, r) in enumerate(results) if type(r) is sweeps.SweptResult) + 5
    swept = results[k][1].swept
    swept.grads = {name: grad.copy() for name, grad in swept.grads.items()}
    swept.grads["v"][results[k][1].index, 1] = float("nan")
    pieces = json_pieces(results)
    assert k in pieces and all(type(p) is str for p in pieces if p != k)
    count, text, failed = _json_chunk(results)
    assert count == 60 and failed == [] and text == "".join(_json_line(n, r)[1] for n, r in results)
    assert '"nan"' in text.splitlines()[k]         # (as jsonable writes it, alone)


@pytest.mark.parametrize("expr, shapes, swept", [
    ("sum(tanh(a @ b))", {"a": (2, 3), "b": (3, 4)}, True),            # K <= 3: each term added in turn
    ("sum((a @ b.t()) ** 2)", {"a": (3, 2), "b": (5, 2)}, True),       # a transposed operand
    ("sum(sin(a @ b @ c))", {"a": (2, 2), "b": (2, 3), "c": (3, 2)}, True),
    ("sum(tanh(a @ b))", {"a": (4, 5), "b": (5, 3)}, False),           # NumPy's matmul, slice by slice
])
def test_matrix_products_are_swept_and_match(expr, shapes, swept):
    lines = [f'"{expr}" ' + " ".join(f'--{n} "{_value(s, random.Random(i * 7 + k))}"' for k, (n, s) in
                                       enumerate(shapes.items())) for i in range(150)]
    alone, _ = _in_process(lines, None)
    batch = Batch(parse_line, crashed, split=split_words)
    results = list(batch.results(list(enumerate(lines, 1))))
    assert [_json_line(n, r)[1] for n, r in results] == alone
    from agcli.engine.backend import ON_HOST
    if swept and ON_HOST:   # (matmul's bits on stacks are checked, not assumed: they may turn sweeps off elsewhere)
        assert sum(type(r) is sweeps.SweptResult for _, r in results) > 120


def test_a_rule_that_gives_other_bits_turns_sweeps_off(monkeypatch):
    """A wrong rule must never give a wrong number: the check catches it and the lines run alone."""
    from agcli.engine.ops import pointwise

    class Off(batching._Elementwise):
        def forward(self, op, args, batched, params, shape, size):
            out = super().forward(op, args, batched, params, shape, size)
            return out if op is not pointwise.COS else out * (1 + 2**-40)

    lines = [f'"sum(cos(v) * 3)" --v "{_value((3,), random.Random(i))}"' for i in range(100)]
    alone, _ = _in_process(lines, None)
    monkeypatch.setattr(pointwise.COS, "batch", Off())
    swept, _ = _in_process(lines, split_words)
    assert swept == alone


def test_blocks_start_at_once():
    """Streaming: the first block is one line, read before any other is asked for."""
    read = []

    def numbered():
        for i in range(1, 1000):
            read.append(i)
            yield i, f'"sum(v)" --v "[{i}, 1]"'

    blocks = sweeps.blocks(numbered())
    assert next(blocks) == [(1, '"sum(v)" --v "[1, 1]"')] and read == [1]
    assert [len(next(blocks)) for _ in range(9)] == [2, 4, 8, 16, 32, 64, 128, 256, 256]


def test_a_chunk_runs_on_to_the_end_of_its_expression():
    """Workers: each run of one expression in one chunk, so that one worker warms up to it (the
    first chunks, 1, 2, 4, ... lines, runs longer than the stretch and the input's tail excepted)."""
    from agcli.evaluate.batch import _RUN_STRETCH, _TAIL_PARTS, chunked
    lines = [(i, f'"sum(v * {i // 300})" --v "[{i}, 1]"') for i in range(3000)]
    chunks = list(chunked(iter(lines), 2, 128))
    assert [len(c) for c in chunks[:7]] == [1, 2, 4, 8, 16, 32, 64]
    assert [n for c in chunks for n, _ in c] == list(range(3000))
    tail = 3000 - 2 * 128
    ends = {c[-1][0] for c in chunks[7:] if c[-1][0] < tail - 128}
    assert ends == {299 + 300 * k for k in range(8)}
    assert max(len(c) for c in chunks) <= 128 * _RUN_STRETCH
    longest = [(i, f'"sum(v)" --v "[{i}, 1]"') for i in range(3000)]
    chunks = list(chunked(iter(longest), 2, 128))
    assert {len(c) for c in chunks[7:] if c[-1][0] < tail - 128} == {128 * _RUN_STRETCH}
    last = [c for c in chunks[7:] if len(c) <= 128 // _TAIL_PARTS]    # the tail, in small chunks for both workers
    assert last == chunks[-len(last):] and sum(map(len, last)) >= 128
    assert {len(c) for c in last[:-1]} == {128 // _TAIL_PARTS}


def test_a_long_chunk_makes_groups_of_group_lines_at_most(monkeypatch):
    from agcli.evaluate.batch import run_chunk
    lines = [f'"sum(sin(v) * w)" --v "{_value((3,), random.Random(i))}" --w {i / 7}' for i in range(600)]
    alone, _ = _in_process(lines, None)
    sizes, group = [], sweeps._group
    monkeypatch.setattr(sweeps, "_group", lambda batch, group_lines, *rest:
                        sizes.append(len(group_lines)) or group(batch, group_lines, *rest))
    encoded = run_chunk(Batch(parse_line, crashed, split=split_words), _json_lines, list(enumerate(lines, 1)))
    assert [text for _, text, _ in encoded] == alone
    assert sizes == [sweeps.GROUP_LINES, 600 - sweeps.GROUP_LINES]
    sizes.clear()
    monkeypatch.setattr(sweeps, "_GROUP_NUMBERS", 1000)     # a long group of too many numbers: halved
    encoded = run_chunk(Batch(parse_line, crashed, split=split_words), _json_lines, list(enumerate(lines, 1)))
    assert [text for _, text, _ in encoded] == alone
    assert sizes == [sweeps.GROUP_LINES, sweeps.GROUP_LINES // 2, sweeps.GROUP_LINES // 2, 600 - sweeps.GROUP_LINES]


def test_a_template_reads_the_words_the_front_end_splits():
    lines = ['"sum(sin(v)) * w" --v "[1, 2]" --w 3', '"sum(sin(v)) * w" --v "[3, 4]" --w -1.5',
             '"sum(sin(v)) * w"  --v  "[5, #6]"   --w 2', '"sum(sin(v)) * w" --v "[\'7\', 8]" --w "4"',
             '"sum(sin(v)) * w" --v "[9,\\ 10]" --w 5', '"sum(sin(v)) * w" --v "[\\"1\\", 2]" --w 5',
             '"sum(sin(v)) * w" --v "[1, 2]" --w 5 # a comment', '"sum(sin(v)) * w" --v "" --w 5',
             '"sum(sin(v)) * w" --v "[1, 2]" --w 5\\ 6']
    batch = Batch(parse_line, crashed, split=split_words)
    sweeps._split(batch, list(enumerate(lines[:2], 1)))        # (a group's second line: its template is made)
    split = sweeps._split(batch, list(enumerate(lines, 1)))
    assert [words is None for _, words, _ in split] == [False, True, True, True, False, False, False, True, False]
    for text, line in zip(lines, split):
        assert sweeps._words(line) == split_words(text)


def test_shape_changes_midway_split_the_group():
    rng = random.Random(5)
    lines = [f'"sum(sin(v))" --v "{_value((3 if i < 37 else 4,), rng)}"' for i in range(90)]
    alone, _ = _in_process(lines, None)
    swept, _ = _in_process(lines, split_words)
    assert swept == alone


def test_a_sweep_holds_each_line_laid_out_as_alone(monkeypatch):
    """A sum of an expanded array adds in the order its layout gives (PyTorch's, as a line
    alone has it); a sweep that stacked the lines' expansions added otherwise, wrong in the
    last bit for some values only: lines no check picked gave other bits than alone."""
    odd = "[-2.871062, 2.025468, 0.338726, 0.853766]"     # PyTorch: 1.0406940000000011
    rng = random.Random(5)
    values = [odd if i in (20, 30, 33) else str([rng.randint(-3, 3) for _ in range(4)]) for i in range(40)]
    lines = [f'"x.unsqueeze(0).expand(3, 4).sum()" --x "{v}"' for v in values]
    monkeypatch.setattr(sweeps.api, "_replays", {})         # (a recording of its own, swept first)
    monkeypatch.setattr(sweeps, "_checked", {})
    swept, _ = _in_process(lines, split_words)
    alone, _ = _in_process(lines, None)
    assert swept == alone
    assert all('"value": 1.0406940000000011,' in alone[i] for i in (20, 30, 33))
