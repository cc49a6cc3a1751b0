"""PyTorch's words for backward's errors: a graph run twice, a saved tensor changed in place."""
from __future__ import annotations

import re

from ..errors import torch_type_name
from ..state import state
from .tensor import FORWARD_STACKS, AccumulateGrad, version_of

SECOND_BACKWARD = (
    "Trying to backward through the graph a second time (or directly access "
    "saved tensors after they have already been freed). Saved intermediate "
    "values of the graph are freed when you call .backward() or autograd.grad(). "
    "Specify retain_graph=True if you need to backward through the graph a second "
    "time or if you need to access saved tensors after calling backward.")


def modified_message(node, tensor, saved_version, maker):
    """PyTorch's words; `maker` is the node that made the tensor when it was saved
    (PyTorch names its op: "output 0 of Exp"; nothing for a leaf)."""
    shape = ", ".join(map(str, tensor.data.shape))
    name = torch_type_name(tensor.data.dtype)       # (a bool tensor has no legacy type: ATen's own name)
    kind = "CPUBoolType" if name == "Bool" else f"torch.{name}Tensor"
    which = f", which is output 0 of {forward_name(maker.name)}," \
        if maker is not None and type(maker) is not AccumulateGrad else ""
    return (f"one of the variables needed for gradient computation has been modified by an inplace "
            f"operation: [{kind} [{shape}]]{which} is at version "
            f"{version_of(tensor)}; expected version {saved_version} instead. Hint: {_hint(node)}")


def _hint(node) -> str:
    """The version error's last words: anomaly mode has shown where the forward ran (PyTorch's warning)."""
    if not state.detect_anomaly:
        return ("enable anomaly detection to find the operation that failed to compute its gradient, with "
                "torch.autograd.set_detect_anomaly(True, check_nan=False).")
    state.warn(anomaly_warning(node))
    return ("the backtrace further above shows the operation that failed to compute its gradient. The variable "
            "in question was changed in there or anywhere later. Good luck!")


def anomaly_warning(node) -> str:
    """PyTorch's warning of a node whose backward failed under anomaly mode: with the stack of the
    program that made it (FORWARD_STACKS), as python_anomaly_mode.cpp writes it."""
    stack = FORWARD_STACKS.get(node)
    if stack is None:       # (an expression's, or a node made before anomaly mode)
        return f"UserWarning: Error detected in {node.name}."
    return (f"UserWarning: Error detected in {node.name}. Traceback of forward call that caused the error:\n{stack} "
            "(Triggered internally at /__w/pytorch/pytorch/torch/csrc/autograd/python_anomaly_mode.cpp:122.)")


def forward_name(name: str) -> str:
    """How PyTorch's messages name a node (Node::forward_op_name): its op, Exp for ExpBackward0
    and Fill2 for FillBackward2; C++ nodes in full."""
    if name in ("CopySlices", "CopyBackwards", "NotImplemented"):     # (C++ nodes)
        return f"torch::autograd::{name}"
    found = re.fullmatch(r"(.*)Backward([0-9]*)", name)
    return name if found is None else found[1] + ("" if found[2] in ("", "0") else found[2])
