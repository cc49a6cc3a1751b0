"""agcli[mkl]: the functions PyTorch's CPU build computes with Intel MKL's vector math
(sqrt, exp, log, sin, ...: agcli/engine/vml.py), bit for bit.

tests/fixtures/torch_vml.json (record_vml.py) holds PyTorch 2.13's values of each function
in float32 and float64 on special and random inputs, as the integers of their bits. The
checks that need MKL are skipped where the extra is not installed (`pip install '.[test,mkl]'`)
or where MKL takes other code for the processor than where they were recorded; the rest hold
with or without it.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from agcli.engine import cpu_kernels
from agcli.engine.ops import elementary as E, pointwise as P, special as S
from vector_math import mkl_differs

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "torch_vml.json").read_text())
BITS = {"float16": np.uint16, "float32": np.uint32, "float64": np.uint64}
OPS = {"sqrt": P.SQRT, "exp": P.EXP, "log": P.LOG, "log2": E.LOG2, "log10": E.LOG10, "sin": P.SIN, "cos": P.COS,
       "tan": P.TAN, "tanh": P.TANH, "asin": E.ASIN, "acos": E.ACOS, "atan": E.ATAN, "erf": E.ERF, "erfc": E.ERFC,
       "erfinv": S.ERFINV}

# (MKL picks its code by the processor, each with its own last bits: the fixture's is compared where MKL takes it)
needs_mkl = pytest.mark.skipif(bool(mkl_differs(FIXTURE["mkl_code"])), reason=str(mkl_differs(FIXTURE["mkl_code"])))


def _name(case):
    return f"{case['function']}-{case['dtype']}"


def _values(bits, dtype):
    return np.array(bits, dtype=BITS[dtype]).view(dtype)


def _bits(values):
    values = np.asarray(values)
    return values.view(BITS[str(values.dtype)]).tolist()


@needs_mkl
@pytest.mark.parametrize("case", FIXTURE["cases"], ids=_name)
def test_values_are_pytorchs_bit_for_bit(case):
    x = _values(case["inputs"], case["dtype"])
    assert _bits(OPS[case["function"]].forward(x)) == case["pytorch"]


@needs_mkl
@pytest.mark.parametrize("case", FIXTURE["cases"][::7], ids=_name)
def test_every_length_gives_the_same_bits(case):
    """PyTorch hands MKL pieces of its tensors (and vectors have a tail): each prefix alone is the whole's."""
    x = _values(case["inputs"], case["dtype"])
    for n in FIXTURE["sizes"]:
        assert _bits(OPS[case["function"]].forward(x[:n].copy())) == case["pytorch"][:n], n


@needs_mkl
@pytest.mark.parametrize("case", FIXTURE["cases"][1::5], ids=_name)
def test_strided_zero_dim_and_empty_inputs(case):
    op, dtype, want = OPS[case["function"]], case["dtype"], case["pytorch"]
    x = _values(case["inputs"], dtype)
    assert _bits(op.forward(x[::3])) == want[::3]
    assert _bits(op.forward(x[::-1])) == want[::-1]
    square = x[:36].reshape(6, 6)
    out = op.forward(square.T)
    assert _bits(out.T.ravel()) == want[:36]
    assert out.strides == np.positive(square.T).strides        # (NumPy's ufunc's layout: PyTorch's strides)
    one = op.forward(x[20:21].reshape(()))          # (a NumPy scalar, as NumPy's ufuncs give for a 0-d array)
    assert type(one) is np.dtype(dtype).type and _bits(np.reshape(one, 1)) == want[20:21]
    empty = op.forward(np.empty((0, 3), dtype=dtype))
    assert empty.shape == (0, 3) and empty.dtype == dtype


@needs_mkl
def test_writes_nothing_into_its_input():
    x = np.linspace(0.5, 2.0, 10)
    before = x.copy()
    P.SQRT.forward(x)
    assert _bits(x) == _bits(before)


@needs_mkl
def test_numpys_floating_point_errors_are_kept():
    """agcli's "inf or nan" warning reads NumPy's error state: MKL's results signal as NumPy's would."""
    with np.errstate(invalid="raise"):
        with pytest.raises(FloatingPointError):
            P.SQRT.forward(np.array([4.0, -1.0]))
        with pytest.raises(FloatingPointError):
            P.LOG.forward(np.array([-1.0], dtype=np.float32))
            assert _bits(P.SQRT.forward(np.array([4.0, 9.0]))) == _bits(np.array([2.0, 3.0]))


def test_other_dtypes_keep_numpys_kernels():
    half = np.array([0.5, 2.0, 3.0], dtype=np.float16)
    assert _bits(P.SQRT.forward(half)) == _bits(np.sqrt(half))
    assert P.EXP.forward(half).dtype == np.float16


def test_start_up_does_not_look_for_mkl():
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "agcli", "grad", "a*b", "--a", "1", "--b", "2"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "agcli.engine.cpu_kernels" in proc.stderr and "agcli.engine.vml" not in proc.stderr


def test_mkl_is_loaded_at_the_first_call_of_such_a_function_only_where_it_is():
    source = ("import sys, numpy\nfrom agcli.engine.ops import pointwise as P\n"
              "print('agcli.engine.vml' in sys.modules)\nP.SIN.forward(numpy.arange(3.0))\n"
              "print('agcli.engine.vml' in sys.modules)\n")
    proc = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True, timeout=60)
    assert proc.stdout == ("False\nTrue\n" if cpu_kernels.mkl_vector_math() else "False\nFalse\n"), proc.stderr


@needs_mkl
def test_logit_takes_mkls_log_of_a_dense_input_only():
    """PyTorch's logit kernel hands a contiguous input to MKL's log (LogitMKLKernel), a strided one to its
    vectorised log (99.6% of whose float32 values agree with float64's rounded once, as agcli computes them)."""
    x = np.linspace(0.01, 0.99, 400, dtype=np.float32)
    ratio = x / (1 - x)
    assert _bits(S.LOGIT.forward(x)) == _bits(P.LOG.forward(ratio))
    assert _bits(S.LOGIT.forward(x.reshape(20, 20).T).T.ravel()) == _bits(P.LOG.forward(ratio))
    assert _bits(S.LOGIT.forward(x[::2])) == _bits(cpu_kernels.log(ratio[::2]))
    assert _bits(S.LOGIT.forward(x[::2])) != _bits(P.LOG.forward(ratio[::2]))
