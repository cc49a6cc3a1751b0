"""PyTorch's sort of axes by their strides (TensorIterator's reorder_dimensions, infer_dense_strides): an
insertion sort that tolerates pairs it cannot order, for result layouts (layouts.py) and for the order a
reduction visits its input in (backend_sums_iteration.py)."""
from __future__ import annotations


def ambiguously_sorted(items: list, outer) -> list:
    """items sorted in place by PyTorch's insertion sort (reorder_dimensions, infer_dense_strides): outer(a, b)
    is 1 when a goes after b, -1 before, 0 when it cannot tell, and then the sort steps over b (so b keeps
    its place while another item moves past it)."""
    for i in range(1, len(items)):
        moving = i
        for j in range(i - 1, -1, -1):
            told = outer(items[j], items[moving])
            if told > 0:
                items[j], items[moving] = items[moving], items[j]
                moving = j
            elif told < 0:
                break
    return items
