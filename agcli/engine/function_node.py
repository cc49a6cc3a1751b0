"""A node whose backward is supplied from outside the op table: a program's
torch.autograd.Function (language/program_autograd_function.py makes it).

An op's node calls one VJP rule per input; a FunctionNode's backward is one
callable that takes the gradients of all its outputs and gives those of all
its inputs at once. backward.py asks the node for its edges (`edges`) where
it would read an op's rules, so the callable runs once per backward pass,
after the node's pre-hooks and before its post-hooks, with grad mode on only
under create_graph (a gradient built by it is then differentiable too).
The engine checks what it gives as PyTorch's engine does (validate_outputs:
a gradient's shape must broadcast to its input's; its dtype becomes the
input's) and knows nothing else of it.

A function of several outputs gives each output a Port, the output's
grad_fn, whose one edge carries its gradient to the FunctionNode tagged with
the output's number (`Parts`), so that the node sees them apart.
"""
from __future__ import annotations

from ..errors import AgcliError
from .op import Op
from .tensor import Node, Tensor


class FunctionNode(Node):
    """The node of one call of a custom Function: `next` has one edge per tensor
    input (None where it needs no gradient), as PyTorch's next_functions lists them."""

    __slots__ = ("backward_fn", "outputs", "tensor_inputs", "context", "reached")
    module = "torch.autograd.function."     # how PyTorch's repr names its class

    def __init__(self, name, tensors, outputs, out, backward_fn):
        # out: the one output, or for several (each with its Port) a stand-in no program sees
        super().__init__(Op(name, None, None, saves=False), tuple([t.edge() for t in tensors]), tuple(tensors),
                         out, {})
        self.tensor_inputs = tensors
        self.outputs = outputs          # what forward returned, in order (tensors or other values)
        self.backward_fn = backward_fn  # [gradient of each output or None] -> [gradient of each tensor input or None]
        self.context = None             # what its maker keeps with it (a program's ctx), for readers of the node

    def edges(self, g, create_graph):
        """Run the backward on g (the output's gradient, or Parts) and give the edges that
        carry its answer: one (rule, params, shape, dtype, target) per input it reached."""
        grads = g.grads if type(g) is Parts else [g]
        device = self.out.device
        answers = self.backward_fn([gi if gi is None or type(gi) is Tensor else Tensor(gi, device=device)
                                    for gi in grads])
        edges = []
        self.reached = []       # the inputs the edges go to, in order (hooks.py: post-hooks see them in place)
        for k, (t, nxt, gi) in enumerate(zip(self.tensor_inputs, self.next, answers)):
            if nxt is None or gi is None:
                continue
            self.reached.append(k)
            if gi.data.shape != t.data.shape and not _broadcasts(t.data.shape, gi.data.shape):
                raise AgcliError(f"Function {self.name} returned an invalid gradient at index {k} - got "
                                 f"{_size(gi.data.shape)} but expected shape compatible with {_size(t.data.shape)}")
            value = gi if create_graph else gi.data
            edges.append((_constant(value), {}, t.data.shape, t.data.dtype, nxt))
        return edges


def _constant(value):
    return lambda g, out, *args: value


def _broadcasts(shape, to) -> bool:
    """Does `shape` expand to `to` (the gradient may be of a broadcast shape: summed back)?"""
    if len(shape) > len(to):
        return False
    return all(n == m or n == 1 for n, m in zip(shape[::-1], to[::-1]))


def _size(shape) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


class Parts:
    """The gradients of a FunctionNode's outputs, each in its place (None: none came);
    edges add them place by place."""

    __slots__ = ("grads",)
    shape = ()          # what propagate compares with a Port's edge: nothing to sum back

    def __init__(self, grads):
        self.grads = grads

    def __add__(self, other):
        return Parts([b if a is None else a if b is None else a + b for a, b in zip(self.grads, other.grads)])


class Port(Node):
    """Output k of a FunctionNode of several outputs: its grad_fn (hooks and
    retain_grad on the output are the Port's), whose edge hands the output's
    gradient to the function's node in its place."""

    __slots__ = ("function", "index")
    module = FunctionNode.module

    def __init__(self, function, index, out):
        n = len(function.outputs)

        def rule(g, out, *args):
            grads = [None] * n
            grads[index] = g
            return Parts(grads)
        super().__init__(Op(function.name, None, (rule,), saves=False), (function,), (None,), out, {})
        self.function, self.index = function, index
