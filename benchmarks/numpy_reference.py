"""NumPy baseline for the big-matmul benchmark: out = sum(tanh(a @ b) @ c).

    python benchmarks/numpy_reference.py A.npy B.npy C.npy OUT.npz

Loads the three arrays, runs the forward pass and the hand-written backward
pass, and saves what `agcli grad "sum(tanh(a @ b) @ c)" ... --out OUT.npz`
saves: value, a, b, c (the gradients), uncompressed.
"""
import sys

import numpy as np


def main(pa, pb, pc, out):
    a, b, c = np.load(pa), np.load(pb), np.load(pc)
    h = np.tanh(a @ b)                   # forward
    value = (h @ c).sum()
    gy = np.ones((a.shape[0], c.shape[1]))   # backward of sum
    gc = h.T @ gy
    gz = (gy @ c.T) * (1 - h * h)        # through tanh
    ga = gz @ b.T
    gb = a.T @ gz
    np.savez(out, value=np.asarray(value), a=ga, b=gb, c=gc)


if __name__ == "__main__":
    main(*sys.argv[1:5])
