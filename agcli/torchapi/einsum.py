"""PyTorch's einsum, computed as ATen computes it (Linear.cpp), so the graph
holds the nodes PyTorch's does: each operand's repeated labels taken as
diagonals, missing labels unsqueezed and every operand permuted into one
order; then the operands contracted left to right in pairs, a pair by a
product (no label to sum) or by permute, reshape, bmm, view and permute
(sumproduct_pair); the summed labels dropped at the end by a view (one
operand: a sum)."""
from __future__ import annotations

from ..engine.backend import tolist
from ..engine.ops import shapes as S
from ..engine.tensor import Tensor, apply
from .arithmetic import mul
from .checks import fail, ndim_of, numel, shape_of
from .linalg import bmm
from .reductions import sum

_LETTERS = 26
# The labels an equation may use (string.ascii_letters, spelled out: importing string costs start-up)
_ASCII_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ELLIPSIS = 2 * _LETTERS           # the code of "..." among the 52 labels


def einsum(equation, *operands):
    """torch.einsum(equation, *operands), the operands also as one list; or the
    sublist form einsum(op0, [0, 1], op1, [1, 2], [0, 2])."""
    if not operands:
        fail("einsum(): must specify the equation string and at least one operand, or at least one operand and "
             "its subscripts list", "value")
    if type(equation) is Tensor:
        equation, operands = _from_sublists((equation,) + operands)
    elif not isinstance(equation, str):
        fail(f"einsum(): argument 'equation' (position 1) must be str, not {type(equation).__name__}", "type")
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])          # the old interface: the operands as one list
    for i, operand in enumerate(operands):
        if type(operand) is not Tensor:
            fail(f"expected Tensor as element {i} in argument 1, but got {type(operand).__name__}", "type")
    if not operands:
        fail("einsum(): must provide at least one operand")
    return _contract(equation, operands)


def _from_sublists(args):
    """The sublist form as an equation: subscripts 0-25 are A-Z, 26-51 a-z, Ellipsis is '...'."""
    def letters(sublist):
        if type(sublist) is Tensor:
            sublist = tolist(sublist.data)
        out = ""
        for s in sublist:
            if s is Ellipsis:
                out += "..."
            elif isinstance(s, int) and 0 <= s < 2 * _LETTERS:
                out += chr(ord("A") + s) if s < _LETTERS else chr(ord("a") + s - _LETTERS)
            else:
                fail("einsum(): subscript in subscript list is not within the valid range [0, 52)", "value")
        return out
    equation = ",".join(letters(s) for s in args[1::2])
    if len(args) % 2 == 1:
        return equation + "->" + letters(args[-1]), args[:-1:2]
    return equation, args[::2]


def _code(c):
    return ord(c) - ord("A") if c.isupper() else ord(c) - ord("a") + _LETTERS


def _letter(code):
    return chr(ord("A") + code) if code < _LETTERS else chr(ord("a") + code - _LETTERS)


def _ellipsis_at(text, i):
    return i + 2 < len(text) and text[i + 1] == "." and text[i + 2] == "."


def _input_labels(lhs, n):
    """Each operand's label codes (and _ELLIPSIS), with PyTorch's errors."""
    labels, ellipsis, current, i = [[] for _ in range(n)], False, 0, 0
    while i < len(lhs):
        c = lhs[i]
        if c == ".":
            if ellipsis:
                fail(f"einsum(): found '.' for operand {current} for which an ellipsis was already found")
            if not _ellipsis_at(lhs, i):
                fail(f"einsum(): found '.' for operand {current} that is not part of any ellipsis")
            labels[current].append(_ELLIPSIS)
            ellipsis, i = True, i + 2
        elif c == ",":
            current += 1
            if current >= n:
                fail("einsum(): fewer operands were provided than specified in the equation")
            ellipsis = False
        elif c != " ":
            if c not in _ASCII_LETTERS:
                fail(f"einsum(): invalid subscript given at index {i} in the equation string, subscripts must be "
                     f"in [a-zA-Z]")
            labels[current].append(_code(c))
        i += 1
    if current != n - 1:
        fail("einsum(): more operands were provided than specified in the equation")
    return labels


def _contract(equation, operands):
    n = len(operands)
    arrow = equation.find("->")
    lhs = equation if arrow < 0 else equation[:arrow]
    labels = _input_labels(lhs, n)
    count, ell_num_dim = [0] * _ELLIPSIS, 0
    for i, (operand, mine) in enumerate(zip(operands, labels)):
        ndims, nlabels, has_ellipsis = ndim_of(operand), len(mine), _ELLIPSIS in mine
        for label in mine:
            if label == _ELLIPSIS:
                nlabels -= 1
                ell_num_dim = max(ell_num_dim, ndims - nlabels)
            else:
                count[label] += 1
        if (nlabels > ndims) if has_ellipsis else (nlabels != ndims):
            fail(f"einsum(): the number of subscripts in the equation ({nlabels}) "
                 + (f"is more than the number of dimensions ({ndims}) for operand {i}" if has_ellipsis else
                    f"does not match the number of dimensions ({ndims}) for operand {i} and no ellipsis was given"))

    # Where each label goes: the output's dims first, then the ones summed out.
    place, perm_index, ell_index, ell_in_output = [-1] * _ELLIPSIS, 0, 0, False
    if arrow < 0:               # implicit output: the ellipsis, then the labels seen once, sorted
        perm_index, ell_in_output = ell_num_dim, True
        for label in range(_ELLIPSIS):
            if count[label] == 1:
                place[label], perm_index = perm_index, perm_index + 1
    else:
        rhs, i = equation[arrow + 2:], 0
        while i < len(rhs):
            c = rhs[i]
            if c == ".":
                if ell_in_output:
                    fail("einsum(): found '.' for output but an ellipsis (...) was already found")
                if not _ellipsis_at(rhs, i):
                    fail("einsum(): found '.' for output that is not part of any ellipsis (...)")
                ell_index, perm_index, ell_in_output, i = perm_index, perm_index + ell_num_dim, True, i + 2
            elif c != " ":
                if c not in _ASCII_LETTERS:
                    fail(f"einsum(): invalid subscript given at index {len(lhs) + 2 + i} in the equation string, "
                         f"subscripts must be in [a-zA-Z]")
                label = _code(c)
                if not (count[label] > 0 and place[label] == -1):
                    fail(f"einsum(): output subscript {c}" + (" appears more than once in the output"
                         if place[label] > -1 else " does not appear in the equation for any input operand"))
                place[label], perm_index = perm_index, perm_index + 1
            i += 1
    out_num_dim = perm_index
    if not ell_in_output:
        ell_index, perm_index = perm_index, perm_index + ell_num_dim
    for label in range(_ELLIPSIS):
        if count[label] > 0 and place[label] == -1:
            place[label], perm_index = perm_index, perm_index + 1

    ops, dim_counts = _aligned(operands, labels, place, perm_index, ell_index, ell_num_dim)
    while len(ops) > 1:
        a, b = ops.pop(0), ops.pop(0)
        sum_dims, a_sums, b_sums = [], [], []
        for d in range(out_num_dim, perm_index):
            sa, sb = shape_of(a)[d], shape_of(b)[d]
            if sa != 1 and sb != 1:
                dim_counts[d] -= 1
                if dim_counts[d] == 1:
                    sum_dims.append(d)
                    dim_counts[d] = 0
            elif dim_counts[d] == 1:
                if sa != 1:
                    a_sums.append(d)
                    dim_counts[d] = 0
                elif sb != 1:
                    b_sums.append(d)
                    dim_counts[d] = 0
        if a_sums:
            a = sum(a, tuple(a_sums), True)
        if b_sums:
            b = sum(b, tuple(b_sums), True)
        ops.insert(0, _sumproduct_pair(a, b, sum_dims))
    if perm_index == out_num_dim:
        return ops[0]
    if n > 1:                   # the summed dims are all 1 by now
        return apply(S.VIEW, ops[0], shape=shape_of(ops[0])[:out_num_dim])
    return sum(ops[0], tuple(range(out_num_dim, perm_index)))


def _aligned(operands, labels, place, perm_index, ell_index, ell_num_dim):
    """Each operand with its repeated labels' diagonals taken and its dims unsqueezed and
    permuted into the common order; and per dim, how many operands have it larger than 1."""
    label_size, ell_sizes, dim_counts, ops = [1] * _ELLIPSIS, [1] * ell_num_dim, [0] * perm_index, []
    for i, operand in enumerate(operands):
        op, permutation, dim = operand, [-1] * perm_index, 0
        for label in labels[i]:
            if label == _ELLIPSIS:
                covered = ndim_of(operand) - (len(labels[i]) - 1)
                for j in range(ell_num_dim - covered, ell_num_dim):
                    size = shape_of(op)[dim]
                    if size != 1:
                        if ell_sizes[j] not in (1, size):
                            fail(f"einsum(): dimension {dim} covered by ellipsis in operand {i}has size {size} which "
                                 f"does not broadcast with previously seen ellipsis with size {ell_sizes[j]} for "
                                 f"the respective dimension")
                        ell_sizes[j] = size
                        dim_counts[ell_index + j] += 1
                    permutation[ell_index + j], dim = dim, dim + 1
            elif permutation[place[label]] == -1:
                size = shape_of(op)[dim]
                if size != 1:
                    if label_size[label] not in (1, size):
                        fail(f"einsum(): subscript {_letter(label)} has size {size} for operand {i} which does not "
                             f"broadcast with previously seen size {label_size[label]}")
                    label_size[label] = size
                    dim_counts[place[label]] += 1
                permutation[place[label]], dim = dim, dim + 1
            else:                # a repeated label: its diagonal, moved to the first one's place
                prev = permutation[place[label]]
                if shape_of(op)[dim] != shape_of(op)[prev]:
                    fail(f"einsum(): subscript {_letter(label)} is repeated for operand {i} but the sizes don't "
                         f"match, {shape_of(op)[dim]} != {shape_of(op)[prev]}")
                op = _movedim_last(S.diagonal(op, 0, prev, dim), prev)
        for k in range(perm_index):
            if permutation[k] == -1:
                op = apply(S.UNSQUEEZE, op, dim=dim)
                permutation[k], dim = dim, dim + 1
        ops.append(apply(S.PERMUTE, op, dims=tuple(permutation)))
    return ops, dim_counts


def _movedim_last(x, to):
    """x.movedim(-1, to): a permute, recorded even when it moves nothing (as PyTorch's)."""
    rest = list(range(ndim_of(x) - 1))
    return apply(S.PERMUTE, x, dims=tuple(rest[:to] + [ndim_of(x) - 1] + rest[to:]))


def _sumproduct_pair(left, right, sum_dims):
    """(left * right).sum(sum_dims, keepdim=True) by permute, reshape and bmm (ATen's sumproduct_pair)."""
    if not sum_dims:
        return mul(left, right)
    lro, lo, ro, sum_size = [], [], [], 1
    for i in range(ndim_of(left)):
        sl, sr = shape_of(left)[i] != 1, shape_of(right)[i] != 1
        if i in sum_dims:
            if sl and sr:
                if shape_of(left)[i] != shape_of(right)[i]:
                    fail("non-broadcast dimensions must match")
                sum_size *= shape_of(left)[i]
            elif sl:
                left = sum(left, (i,), True)
            elif sr:
                right = sum(right, (i,), True)
        elif sl and sr:
            if shape_of(left)[i] != shape_of(right)[i]:
                fail("non-broadcast dimensions must match")
            lro.append(i)
        elif sl:
            lo.append(i)
        else:
            ro.append(i)
    sl, sr = shape_of(left), shape_of(right)
    lro_size, lo_size, ro_size = numel(sl[d] for d in lro), numel(sl[d] for d in lo), numel(sr[d] for d in ro)
    out_size = tuple(sl[d] for d in lro + lo) + (1,) * len(sum_dims) + tuple(sr[d] for d in ro)
    order = lro + lo + sum_dims + ro
    left = S.reshape(apply(S.PERMUTE, left, dims=tuple(order)), (lro_size, lo_size, sum_size))
    right = S.reshape(apply(S.PERMUTE, right, dims=tuple(lro + sum_dims + ro + lo)), (lro_size, sum_size, ro_size))
    result = apply(S.VIEW, bmm(left, right), shape=out_size)
    back = [0] * len(order)
    for i, d in enumerate(order):
        back[d] = i
    return apply(S.PERMUTE, result, dims=tuple(back))
