"""Programs run by Python's rules (issue 10): every tests/fixtures/python_programs/NNN_name.py
is a small program of the Python learners write around PyTorch — lists, dicts, strings,
comprehensions, generators, classes, exceptions, imports — in its ordinary use and in its
errors (caught and printed as `type(e).__name__, e`); its .out is what Python 3.11 with
PyTorch 2.13 printed (tests/fixtures/record_programs.py python_programs). `agcli run`
must print exactly that.

Every agcli call is a subprocess of the installed command, in a fresh temporary
directory, stdin closed, with a timeout.
"""
from __future__ import annotations

import subprocess

import pytest

from installed import AGCLI, base_env, without_addresses
from transcripts import assert_prints_the_transcript, check_folder, programs

TIMEOUT = 60


def test_there_are_python_programs():
    check_folder("python_programs", at_least=30)


@pytest.mark.parametrize("program", programs("python_programs"))
def test_python_program_prints_what_python_with_pytorch_prints(program, tmp_path):
    assert_prints_the_transcript(program, tmp_path, TIMEOUT)


def _run(source, tmp_path):
    proc = subprocess.run([AGCLI, "run", "-e", source], cwd=tmp_path, env=base_env(HOME=str(tmp_path)),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, encoding="utf-8",
                          timeout=TIMEOUT)
    proc.stdout, proc.stderr = without_addresses(proc.stdout), without_addresses(proc.stderr)
    return proc


@pytest.mark.parametrize("source, printed, status, words", [
    # an error Python raises when the line runs: what ran before stays printed, exit status 1
    ("print('a')\nx = undefined\nprint('b')", "a\n", 1, "NameError: name 'undefined' is not defined"),
    ("import torch\nprint('a')\ntorch.ones(2).nope()", "a\n", 1, "'Tensor' object has no attribute 'nope'"),
    ("print('a')\nimport scipy", "a\n", 1, "ModuleNotFoundError: No module named 'scipy'"),
    ("print('a')\nraise ValueError('bad value')", "a\n", 1, "ValueError: bad value"),
    ("print('a')\nassert 1 > 2, 'no'", "a\n", 1, "AssertionError: no"),
    ("print('a')\n'x'.encode()", "a\n", 1, "agcli's programs hold no bytes (str.encode)"),
    ("print('a')\nimport torch\nvars(torch.nn.Linear(1, 1))", "a\n", 1,
     "agcli's programs do not reach their namespaces"),
    # what Python refuses when it compiles: nothing runs, exit status 2
    ("print('a')\nreturn 3", "", 2, "'return' outside function"),
    ("print('a')\nfor i in range(2):\n    pass\nbreak", "", 2, "'break' outside loop"),
    ("print('a')\ndef f():\n    nonlocal x\n", "", 2, "no binding for nonlocal 'x' found"),
    ("print('a')\nx = (1,\ny = 2\n", "", 2, "'(' was never closed"),
    ("print('a')\nfrom __future__ import annotations", "", 2,
     "from __future__ imports must occur at the beginning of the file"),
    ("'Doc.'\nfrom __future__ import annotations, nope", "", 2, "future feature nope is not defined"),
    ("from __future__ import braces", "", 2, "not a chance"),
    ("'Doc.'\nfrom __future__ import annotations\nx: int = 3\nprint(x)", "3\n", 0, ""),
    # a name Python's module has and agcli lacks is agcli's refusal, not a false ImportError
    ("print('a')\nfrom math import ulp", "a\n", 1, "agcli's programs do not reach 'math.ulp'"),
    # exit() ends the program
    ("print('a')\nexit()\nprint('b')", "a\n", 0, ""),
    # sys.exit ends it with its status; print(file=sys.stderr) writes to stderr
    ("import sys\nprint('a')\nprint('to stderr', file=sys.stderr)\nsys.exit(3)\nprint('b')", "a\n", 3, "to stderr\n"),
    ("import sys\nsys.stderr.write('progress\\n')\nsys.exit('failed')", "", 1, "progress\nfailed"),
])
def test_an_error_is_raised_when_its_line_runs(source, printed, status, words, tmp_path):
    proc = _run(source, tmp_path)
    assert "Traceback" not in proc.stderr
    assert (proc.stdout, proc.returncode) == (printed, status), proc.stderr
    assert words in proc.stderr


def test_a_hint_says_what_pytorch_has_and_agcli_lacks(tmp_path):
    proc = _run("import torch\nx = torch.fft.fft(torch.ones(4))", tmp_path)
    assert proc.returncode == 1
    assert "module 'torch' has no attribute 'fft'" in proc.stderr
    assert "PyTorch has torch.fft, but agcli does not provide it" in proc.stderr
    proc = _run("import torch\nx = torch.ones(2)\nx.tanhh()", tmp_path)      # (Python's own suggestion)
    assert "AttributeError: 'Tensor' object has no attribute 'tanhh'. Did you mean: 'tanh'?\n" in proc.stderr
    proc = _run("import torch\nm = torch.nn.LSTM(2, 3)\nm.parametrs()", tmp_path)
    assert "object has no attribute 'parametrs'. Did you mean: 'parameters'?\n" in proc.stderr


def test_the_repl_keeps_functions_and_classes_between_chunks():
    from agcli.cli.repl import run_repl
    lines = iter(["def f(x):", "    return x.nope()", "", "class A:", "    def __repr__(self):",
                  "        return 'an A'", "", "A()", "import torch", "f(torch.ones(2))", "[A(), 1]"])
    out, errors = [], []

    def read(prompt):
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None
    run_repl(read, out.append, errors.append, max_iterations=1000, version="test")
    shown = "".join(out).splitlines()
    assert "an A" in shown and "[an A, 1]" in shown
    (error,) = errors
    assert error.message == "AttributeError: 'Tensor' object has no attribute 'nope'"
    assert error.context() == ("    return x.nope()", "             ^^^^")      # in the chunk that defined f


@pytest.mark.parametrize("source, line", [
    # Python 3.11's report: the nearest name by its Levenshtein distance, locals, then globals, then builtins
    ("import torch\nx = torch.ones(2, requires_grad=True)\nloss = (x * 2).sum()\nlos.backward()",
     "NameError: name 'los' is not defined. Did you mean: 'loss'?"),
    ("import torch\nprnt(torch.ones(1))", "NameError: name 'prnt' is not defined. Did you mean: 'print'?"),
    ("def f(total):\n    return totl + 1\nf(1)", "NameError: name 'totl' is not defined. Did you mean: 'total'?"),
    ("import torch\ny = (torch.ones(1, requires_grad=True) * 2)\ny.grad_fun",
     "AttributeError: 'Tensor' object has no attribute 'grad_fun'. Did you mean: 'grad_fn'?"),
    ("import torch\ntorch.ones(1).backwards()",
     "AttributeError: 'Tensor' object has no attribute 'backwards'. Did you mean: 'backward'?"),
    ("import torch\ntorch.nn.Linear(2, 2).wieght",
     "AttributeError: 'Linear' object has no attribute 'wieght'. Did you mean: 'weight'?"),
    ("import torch\nclass Net(torch.nn.Module):\n    def __init__(self):\n        super().__init__()\n"
     "        self.hidden = torch.nn.Linear(2, 3)\nNet().hiden",
     "AttributeError: 'Net' object has no attribute 'hiden'. Did you mean: 'hidden'?"),
    ("class Plain:\n    def __init__(self):\n        self.total = 0\nPlain().totl",
     "AttributeError: 'Plain' object has no attribute 'totl'. Did you mean: 'total'?"),
    ("zzzqqq", "NameError: name 'zzzqqq' is not defined"),       # (nothing near: no suggestion)
    # a module's attribute: dir() of PyTorch's module (recorded), or of Python's or NumPy's own
    ("import torch.nn as nn\nnn.Linaer(2, 3)", "AttributeError: module 'torch.nn' has no attribute 'Linaer'. "
                                               "Did you mean: 'Linear'?"),
    ("import torch.nn.functional as F\nF.rlu", "AttributeError: module 'torch.nn.functional' has no attribute "
                                              "'rlu'. Did you mean: 'elu'?"),
    ("import torch\ntorch.optim.Adan", "AttributeError: module 'torch.optim' has no attribute 'Adan'. "
                                       "Did you mean: 'Adam'?"),
    ("import torch\ntorch.tensr([1.])", "AttributeError: module 'torch' has no attribute 'tensr'"),   # (750+ names)
    ("import math\nmath.sqr(2)", "AttributeError: module 'math' has no attribute 'sqr'. Did you mean: 'sqrt'?"),
    ("import numpy as np\nnp.arrange(3)", "AttributeError: module 'numpy' has no attribute 'arrange'. "
                                          "Did you mean: 'arange'?"),
    ("import numpy as np\nnp.float", "AttributeError: module 'numpy' has no attribute 'float'."),   # (NumPy's words)
    ("import sys\nsys.path", "agcli's programs do not reach 'sys.path'"),        # (Python has it: agcli's limit)
    # another value's attribute: dir() of Python's own values and NumPy's, or of PyTorch's objects (recorded)
    ("losses = []\nlosses.apend(1.0)", "AttributeError: 'list' object has no attribute 'apend'. "
                                       "Did you mean: 'append'?"),
    ("'{}'.fromat(1)", "AttributeError: 'str' object has no attribute 'fromat'. Did you mean: 'format'?"),
    ("(1, 2).apend(3)", "AttributeError: 'tuple' object has no attribute 'apend'"),
    ("import numpy as np\nnp.zeros(3).shap", "AttributeError: 'numpy.ndarray' object has no attribute 'shap'. "
                                             "Did you mean: 'shape'?"),
    ("import torch\ntorch.ones(2).shape.numl()", "AttributeError: 'torch.Size' object has no attribute 'numl'. "
                                                 "Did you mean: 'numel'?"),
    ("import torch\ntorch.float32.is_floating_pont", "AttributeError: 'torch.dtype' object has no attribute "
                                                     "'is_floating_pont'. Did you mean: 'is_floating_point'?"),
    ("import torch\nopt = torch.optim.SGD([torch.ones(1, requires_grad=True)], lr=0.1)\nopt.zero_grd()",
     "AttributeError: 'SGD' object has no attribute 'zero_grd'. Did you mean: 'zero_grad'?"),
    ("import torch\nopt = torch.optim.SGD([torch.ones(1, requires_grad=True)], lr=0.1)\n"
     "torch.optim.lr_scheduler.StepLR(opt, 2).get_last_l()",
     "AttributeError: 'StepLR' object has no attribute 'get_last_l'. Did you mean: 'get_last_lr'?"),
    ("import torch\n(torch.ones(2, requires_grad=True) * 2).sum().grad_fn.nxt_functions",
     "AttributeError: 'SumBackward0' object has no attribute 'nxt_functions'. Did you mean: 'next_functions'?"),
    ("import torch\ntorch.ones(3).max(0).valus",
     "AttributeError: 'torch.return_types.max' object has no attribute 'valus'. Did you mean: 'values'?"),
])
def test_an_uncaught_name_or_attribute_error_says_what_python_suggests(source, line, tmp_path):
    proc = _run(source, tmp_path)
    assert proc.returncode == 1 and proc.stderr.splitlines()[0] == f"error: {line}", proc.stderr


def test_dir_lists_what_python_lists_or_says_it_cannot(tmp_path):
    proc = _run("import torch\nprint(dir(torch.nn.Linear(2, 3)))", tmp_path)
    assert proc.returncode == 1 and "agcli does not know the names of a Linear object" in proc.stderr, proc.stderr
    proc = _run("print(dir())", tmp_path)
    assert proc.returncode == 1 and "dir() without an argument" in proc.stderr, proc.stderr
    proc = _run("print(dir(1, 2))", tmp_path)
    assert "TypeError: dir expected at most 1 argument, got 2" in proc.stderr, proc.stderr


def test_a_caught_error_says_no_suggestion_as_str_of_pythons_does_not(tmp_path):
    proc = _run("loss = 1\ntry:\n    los\nexcept NameError as e:\n    print(e)", tmp_path)
    assert (proc.returncode, proc.stdout) == (0, "name 'los' is not defined\n"), proc.stderr


def test_a_set_display_of_constants_iterates_in_cpythons_order(tmp_path):
    """CPython compiles {1, 33, 13, 46, 27} as set().update(frozenset(...)): another order than adding in turn."""
    source = "x = 46\nprint({1, 33, 13, 46, 27}, {1, -33, 13, 46, 27, (1, 2)}, {1, 33, 13, x, 27}, {46, 27})"
    proc = _run(source, tmp_path)
    x = 46
    assert proc.stdout == f"{ {1, 33, 13, 46, 27} } { {1, -33, 13, 46, 27, (1, 2)} } { {1, 33, 13, x, 27} } { {46, 27} }\n"
