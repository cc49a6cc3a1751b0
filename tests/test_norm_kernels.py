"""Float32 layer and batch norms against PyTorch's bits (fixtures/torch_norms.json, recorded by
fixtures/record_norms.py): row lengths with and without leftovers past AVX2's lanes, several chunks,
(N, C) inputs summed by two threads' buffers, and the running statistics."""
import json
from pathlib import Path

import numpy as np
import pytest

from agcli.engine import backend_sums_kernel
from agcli.engine.tensor import Tensor
from agcli.torchapi import autograd
from agcli.torchapi.normalization import layer_norm, torch_batch_norm

CASES = json.loads((Path(__file__).parent / "fixtures" / "torch_norms.json").read_text())
ON_HOST = pytest.mark.skipif(not isinstance(Tensor(np.zeros(1, np.float32)).data, np.ndarray),
                             reason="ATen's float32 kernels are followed on the host only")


def _input(shape, seed):
    return (np.random.default_rng(seed).standard_normal(shape) * 3 - 1).astype(np.float32)


def _bits(t):
    return np.asarray(t.data).reshape(-1).view(np.int32).tolist()


@ON_HOST
@pytest.mark.parametrize("case", CASES["layer"], ids=[str(c["shape"]) for c in CASES["layer"]])
def test_a_float32_layer_norm_is_pytorchs_to_the_bit(case):
    (rows, n), i = case["shape"], case["seed"]
    x, w, b = (Tensor(_input(s, seed)) for s, seed in (((rows, n), i), ((n,), 100 + i), ((n,), 200 + i)))
    assert _bits(layer_norm(x, [n], w, b)) == case["affine"]
    assert _bits(layer_norm(x, [n], eps=1e-3)) == case["plain"]


@ON_HOST
@pytest.mark.parametrize("case", CASES["batch"], ids=[str(c["shape"]) for c in CASES["batch"]])
def test_a_float32_batch_norm_is_pytorchs_to_the_bit(case, monkeypatch):
    monkeypatch.setitem(backend_sums_kernel._machine, "threads", CASES["threads"])
    shape, seed = tuple(case["shape"]), case["seed"]
    x, w, b = Tensor(_input(shape, seed)), Tensor(_input(shape[1:2], seed + 100)), Tensor(_input(shape[1:2], seed + 200))
    mean, var = Tensor(np.zeros(shape[1], np.float32)), Tensor(np.ones(shape[1], np.float32))
    out = torch_batch_norm(x, w, b, mean, var, True, 0.1, 1e-5, False)
    assert (_bits(out), _bits(mean), _bits(var)) == (case["out"], case["running_mean"], case["running_var"])
    if "grads" in case:
        for leaf in (x, w, b):
            leaf.requires_grad = True
        y = torch_batch_norm(x, w, b, None, None, True, 0.1, 1e-5, False)
        grads = autograd.autograd_grad(y, [x, w, b], Tensor(_input(shape, seed + 300)))
        assert [_bits(g) for g in grads] == case["grads"]
