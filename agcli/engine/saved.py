"""What each node keeps for its backward, by the names PyTorch gives it.

PyTorch's generated nodes expose what they saved as `grad_fn._saved_<name>`
(`_saved_self`, `_saved_other`, `_saved_result`, `_saved_exponent`,
`_saved_dim`, ...): the names of derivatives.yaml's saved variables. This
table says, per grad_fn name, which of a node's arguments, parameters or
shapes each name holds, and when PyTorch saves a tensor at all (`x * w`
keeps `w` only if `x` needs a gradient). It also says which of an op's
arguments PyTorch counts as the node's inputs (`x ** 2` has one: the
exponent is a number), which next_functions, hooks and anomaly messages
count by. Keyed by name, so the engine's modules can all use it.
"""
from __future__ import annotations

from .backend import asarray, astype, getitem, strides, xp

INT64 = 2**64     # PyTorch hands an int64 argument to Python as unsigned: -1 reads 18446744073709551615
_REDUCTIONS = {"none": 0, "mean": 1, "sum": 2}


def _as_int64(v):
    if isinstance(v, tuple):
        return tuple(_as_int64(i) for i in v)
    return v + INT64 if isinstance(v, int) and not isinstance(v, bool) and v < 0 else v


class Field:
    """One saved name: how to read it from a node. `tensor`: it holds a tensor,
    which backward frees (a tensor field of a released node is an error)."""

    tensor = False
    when = None

    def saved(self, node) -> bool:
        """Did PyTorch save it? Only when an input whose formula reads it needs a gradient."""
        return self.when is None or any(k < len(node.next) and node.next[k] is not None for k in self.when)

    def value(self, node):
        raise NotImplementedError


class Arg(Field):
    """The op's argument `index` (a tensor, or the number PyTorch wraps into one)."""

    tensor = True

    def __init__(self, index, when=None):
        self.index, self.when = index, when

    def value(self, node):
        return node.inputs[self.index] if self.saved(node) else None


class Number(Arg):
    """An argument PyTorch takes as a Scalar (`x ** 2`'s exponent): a plain number."""

    tensor = False


class Result(Field):
    tensor = True

    def value(self, node):
        return node.out


class Param(Field):
    """A parameter of the call (dim, alpha, min, ...); int64 ones read as PyTorch shows them."""

    def __init__(self, name, default=None, int64=False, convert=None):
        self.name, self.default, self.int64, self.convert = name, default, int64, convert

    def value(self, node):
        v = node.params.get(self.name, self.default)
        if self.convert is not None:
            v = self.convert(v)
        return _as_int64(v) if self.int64 else v


class Constant(Field):
    def __init__(self, value):
        self.v = value

    def value(self, node):
        return self.v


class Sizes(Field):
    def __init__(self, index):
        self.index = index

    def value(self, node):
        return tuple(node.shapes[self.index])


class Numel(Sizes):
    def value(self, node):
        n = 1
        for s in node.shapes[self.index]:
            n *= s
        return n


class Strides(Field):
    def __init__(self, index, when):
        self.index, self.when = index, when

    def value(self, node):
        if not self.saved(node) or node.arrays is None:
            return ()
        return tuple(strides(node.arrays[self.index]))


class Computed(Field):
    """A value found from the node: a tensor PyTorch's forward computed on the side
    (max(dim)'s indices, nll's total weight), or sum_to's dims."""

    def __init__(self, compute, tensor=True):
        self.compute, self.tensor = compute, tensor

    def value(self, node):
        return self.compute(node)


def _size(i, d):
    """One size of an argument (addbmm's batch1.sym_size(0), ...)."""
    return Computed(lambda node: node.shapes[i][d], tensor=False)


def _reduced_dims(node):
    """sum_to's dims: the leading ones and those broadcast from size 1."""
    big, small = node.shapes[0], node.params["shape"]
    lead = len(big) - len(small)
    return tuple(range(lead)) + tuple(i + lead for i, n in enumerate(small) if n == 1 and big[i + lead] != 1)


def _picked(arg):
    def compute(node):
        idx = arg(node.arrays[0], axis=node.params["dim"])
        return xp.expand_dims(idx, axis=node.params["dim"]) if node.params["keepdim"] else idx
    return compute


def _total_weight(node):
    x, target = node.arrays[0], astype(node.arrays[1], "int64")
    if node.params["reduction"] == "none":
        return asarray(0, dtype=x.dtype)
    counted = astype(target != node.params["ignore_index"], x.dtype)
    weight = node.params.get("weight")
    if weight is not None:          # the class weights of the counted targets
        counted = counted * getitem(astype(weight, x.dtype), xp.where(target != node.params["ignore_index"], target, 0))
    return asarray(xp.sum(counted), dtype=x.dtype)


sort_order = None       # engine/ops/reductions.py installs it: the order sort() puts its values in


def _sort_indices(node):
    return sort_order(node.arrays[0], node.params["dim"], node.params["descending"], node.params.get("stable", False))


def _indices(key):
    """The index arguments as PyTorch keeps them: tensors, None for a full `:`."""
    return tuple(None if isinstance(k, slice) else k for k in key)


_SELF, _OTHER, _RESULT = Arg(0), Arg(1), Result()
_ALPHA = Param("alpha", 1)
_DIM, _KEEPDIM = Param("dim", int64=True), Param("keepdim")
_SIZES, _NUMEL = Sizes(0), Numel(0)
_REDUCTION = Param("reduction", convert=_REDUCTIONS.get)
_TOTAL_WEIGHT = Computed(_total_weight)
_CLASS_WEIGHT = Computed(lambda node: node.params.get("weight"))        # nll_loss's weight= (None without)
_INDEX = Computed(lambda node: node.params["index"])


def _scatter_index(node):
    """scatter's index; for max(dim)'s gradient (a mask of the chosen places), the place along dim."""
    if "index" in node.params:
        return node.params["index"]
    dim = node.params["dim"]
    return xp.expand_dims(xp.argmax(astype(node.params["chosen"], "int8"), axis=dim), axis=dim)

# grad_fn name -> {name: field}, names in dir()'s (alphabetical) order.
FIELDS = {
    "AddBackward0": {"alpha": _ALPHA},
    "SubBackward0": {"alpha": _ALPHA},
    "RsubBackward0": {"alpha": _ALPHA},
    "RsubBackward1": {"alpha": _ALPHA},
    "MulBackward0": {"other": Arg(1, when=(0,)), "self": Arg(0, when=(1,))},
    "DivBackward0": {"other": Arg(1, when=(0, 1)), "self": Arg(0, when=(1,))},
    "DivBackward1": {"other": Number(1)},
    "RemainderBackward1": {"other": Arg(1, when=(1,)), "self": Arg(0, when=(1,))},
    "ReciprocalBackward0": {"result": _RESULT},
    "PowBackward0": {"exponent": Number(1), "self": _SELF},
    "PowBackward1": {"exponent": _OTHER, "result": _RESULT, "self": _SELF},
    "PowBackward2": {"exponent": _OTHER, "result": _RESULT, "self": Number(0)},
    "ExpBackward0": {"result": _RESULT},
    "LogBackward0": {"self": _SELF},
    "SqrtBackward0": {"result": _RESULT},
    "RsqrtBackward0": {"result": _RESULT},
    "SinBackward0": {"self": _SELF},
    "CosBackward0": {"self": _SELF},
    "TanBackward0": {"result": _RESULT},
    "TanhBackward0": {"result": _RESULT},
    "SigmoidBackward0": {"result": _RESULT},
    "ReluBackward0": {"result": _RESULT},
    "AbsBackward0": {"self": _SELF},
    "SgnBackward0": {"result": _RESULT, "self": _SELF},
    "ClampBackward0": {"max": Arg(2), "min": Arg(1), "self": _SELF},     # tensor bounds (None: not given)
    "ClampBackward1": {"max": Param("max"), "min": Param("min"), "self": _SELF},
    "WhereBackward0": {"condition": Arg(0)},
    "MaskedFillBackward0": {"mask": Arg(1)},
    "MaximumBackward0": {"other": _OTHER, "self": _SELF},
    "Atan2Backward0": {"other": _OTHER, "self": _SELF},
    "MinimumBackward0": {"other": _OTHER, "self": _SELF},
    "ViewBackward0": {"self_sym_sizes": _SIZES},
    "ReshapeAliasBackward0": {"self_sym_sizes": _SIZES},
    "UnsafeViewBackward0": {"self_sym_sizes": _SIZES},
    "PermuteBackward0": {"dims": Param("dims", int64=True)},
    "TransposeBackward0": {"dim0": Param("dim0", int64=True), "dim1": Param("dim1", int64=True)},
    "SqueezeBackward0": {"self_sym_sizes": _SIZES},
    "SqueezeBackward1": {"dim": _DIM, "self_sym_sizes": _SIZES},
    "SqueezeBackward4": {"dim": _DIM, "self_sym_sizes": _SIZES},
    "UnsqueezeBackward0": {"dim": _DIM},
    "ExpandBackward0": {"self_sym_sizes": _SIZES},
    "CatBackward0": {"dim": _DIM},
    "StackBackward0": {"dim": _DIM},
    "SelectBackward0": {"dim": _DIM, "index": Param("index", int64=True), "self_sym_sizes": _SIZES},
    "UnbindBackward0": {"dim": _DIM},
    "SliceBackward0": {"dim": _DIM, "end": Param("stop", int64=True), "self_sym_sizes": _SIZES,
                       "start": Param("start", int64=True), "step": Param("step", int64=True)},
    "IndexBackward0": {"indices": Computed(lambda node: _indices(node.params["key"])), "self_sym_sizes": _SIZES},
    "IndexPutBackward0": {"accumulate": Constant(False),
                          "indices": Computed(lambda node: _indices(node.params["key"]))},
    "SumBackward0": {"self_sym_sizes": _SIZES},
    "SumBackward1": {"dim": _DIM, "keepdim": _KEEPDIM, "self_sym_sizes": _SIZES},
    "MeanBackward0": {"self_sym_numel": _NUMEL, "self_sym_sizes": _SIZES},
    "MeanBackward1": {"dim": _DIM, "keepdim": _KEEPDIM, "self_sym_numel": _NUMEL, "self_sym_sizes": _SIZES},
    "MaxBackward1": {"result": _RESULT, "self": _SELF},
    "MinBackward1": {"result": _RESULT, "self": _SELF},
    "AmaxBackward0": {"dim": _DIM, "keepdim": _KEEPDIM, "result": _RESULT, "self": _SELF},
    "AminBackward0": {"dim": _DIM, "keepdim": _KEEPDIM, "result": _RESULT, "self": _SELF},
    "MaxBackward0": {"dim": _DIM, "indices": Computed(_picked(xp.argmax)), "keepdim": _KEEPDIM,
                     "self_sym_sizes": _SIZES},
    "MinBackward0": {"dim": _DIM, "indices": Computed(_picked(xp.argmin)), "keepdim": _KEEPDIM,
                     "self_sym_sizes": _SIZES},
    "LinalgVectorNormBackward0": {"dim": _DIM, "keepdim": _KEEPDIM, "ord": Param("ord", 2), "result": _RESULT,
                                  "self": _SELF},
    "LogsumexpBackward0": {"dim": _DIM, "keepdim": _KEEPDIM, "result": _RESULT, "self": _SELF},
    "DotBackward0": {"self": Arg(0, when=(1,)), "tensor": Arg(1, when=(0,))},
    "MvBackward0": {"self": Arg(0, when=(1,)), "vec": Arg(1, when=(0,))},
    "MmBackward0": {"mat2": Arg(1, when=(0,)), "mat2_sym_sizes": Sizes(1), "mat2_sym_strides": Strides(1, (1,)),
                    "self": Arg(0, when=(1,)), "self_sym_sizes": _SIZES, "self_sym_strides": Strides(0, (0,))},
    "BmmBackward0": {"mat2": Arg(1, when=(0,)), "self": Arg(0, when=(1,))},
    "SoftmaxBackward0": {"dim": _DIM, "result": _RESULT},
    "SafeSoftmaxBackward0": {"dim": _DIM, "result": _RESULT},
    "CdistBackward0": {"p": Param("p"), "result": _RESULT, "x1": _SELF, "x2": _OTHER},
    "EuclideanDistBackward0": {"result": _RESULT, "x1": _SELF, "x2": _OTHER},
    "LogSoftmaxBackward0": {"dim": _DIM, "result": _RESULT},
    "BinaryCrossEntropyWithLogitsBackward0": {"pos_weight": Arg(3), "reduction": _REDUCTION,
                                              "self": _SELF, "target": _OTHER, "weight": Arg(2)},
    "MseLossBackward0": {"reduction": _REDUCTION, "self": _SELF, "target": _OTHER},
    "NllLossBackward0": {"ignore_index": Param("ignore_index", int64=True), "reduction": _REDUCTION,
                         "self": _SELF, "target": _OTHER, "total_weight": _TOTAL_WEIGHT,
                         "weight": _CLASS_WEIGHT},
    "NllLoss2DBackward0": {"ignore_index": Param("ignore_index", int64=True), "reduction": _REDUCTION,
                           "self": _SELF, "target": _OTHER, "total_weight": _TOTAL_WEIGHT, "weight": _CLASS_WEIGHT},
    "SmoothL1LossBackward0": {"beta": Param("beta"), "reduction": _REDUCTION, "self": _SELF, "target": _OTHER},
    "HuberLossBackward0": {"delta": Param("delta"), "reduction": _REDUCTION, "self": _SELF, "target": _OTHER},
    "LeakyReluBackward0": {"negative_slope": Param("negative_slope"), "self": _SELF},
    "EluBackward0": {"alpha": Param("alpha"), "input_scale": Param("input_scale"), "scale": Param("scale"),
                     "self": _SELF},
    "CeluBackward0": {"alpha": Param("alpha"), "self": _SELF},
    "EluBackward1": {"alpha": Param("alpha"), "input_scale": Param("input_scale"), "result": _RESULT,
                     "scale": Param("scale")},
    "CeluBackward1": {"alpha": Param("alpha"), "result": _RESULT},
    "ThresholdBackward1": {"self": _SELF, "threshold": Param("threshold")},
    "LogSigmoidBackward0": {"buffer": Computed(lambda node: xp.exp(-xp.abs(node.arrays[0]))), "self": _SELF},
    "SiluBackward0": {"self": _SELF},
    "Log1PBackward0": {"self": _SELF},
    "ClampMinBackward0": {"min": Param("min"), "self": _SELF},
    "ClampMaxBackward0": {"max": Param("max"), "self": _SELF},
    "ClampMinBackward1": {"min": _OTHER, "self": _SELF},
    "ClampMaxBackward1": {"max": _OTHER, "self": _SELF},
    "ProdBackward0": {"result": _RESULT, "self": _SELF},
    "ProdBackward1": {"dim": _DIM, "keepdim": _KEEPDIM, "result": _RESULT, "self": _SELF},
    "VarBackward0": {"correction": Param("correction"), "dim": _DIM, "keepdim": _KEEPDIM, "self": _SELF},
    "StdBackward0": {"correction": Param("correction"), "dim": _DIM, "keepdim": _KEEPDIM, "result": _RESULT,
                     "self": _SELF},
    "CumsumBackward0": {"dim": _DIM},
    "SortBackward0": {"dim": _DIM, "indices": Computed(_sort_indices), "self_sym_sizes": _SIZES},
    "SortBackward1": {"dim": _DIM, "indices": Computed(_sort_indices), "self_sym_sizes": _SIZES},
    "TraceBackward0": {"self_sym_sizes": _SIZES},
    "DiagonalBackward0": {"dim1": Param("dim1", int64=True), "dim2": Param("dim2", int64=True),
                          "offset": Param("offset", int64=True), "self_sym_sizes": _SIZES},
    "AddmmBackward0": {"alpha": Param("alpha", 1), "beta": Param("beta", 1), "mat1": Arg(1, when=(2,)),
                       "mat1_sym_sizes": Sizes(1), "mat1_sym_strides": Strides(1, (1,)), "mat2": Arg(2, when=(1,)),
                       "mat2_sym_sizes": Sizes(2), "mat2_sym_strides": Strides(2, (2,))},
    "AddmvBackward0": {"alpha": Param("alpha", 1), "beta": Param("beta", 1), "mat": Arg(1, when=(2,)),
                       "vec": Arg(2, when=(1,))},
    "AddrBackward0": {"alpha": Param("alpha", 1), "beta": Param("beta", 1), "vec1": Arg(1, when=(2,)),
                      "vec2": Arg(2, when=(1,))},
    "BaddbmmBackward0": {"alpha": Param("alpha", 1), "batch1": Arg(1, when=(2,)), "batch2": Arg(2, when=(1,)),
                         "beta": Param("beta", 1)},
    "AddbmmBackward0": {"alpha": Param("alpha", 1), "batch1": Arg(1, when=(2,)), "batch1_sym_argsize_0": _size(1, 0),
                        "batch1_sym_argsize_1": _size(1, 1), "batch2": Arg(2, when=(1,)),
                        "batch2_sym_argsize_2": _size(2, 2), "beta": Param("beta", 1)},
    "SoftplusBackward0": {"beta": Param("beta"), "self": _SELF, "threshold": Param("threshold")},
    "BinaryCrossEntropyBackward0": {"reduction": _REDUCTION, "self": _SELF, "target": _OTHER, "weight": Arg(2)},
    "IndexFillBackward0": {"dim": _DIM, "index": _INDEX},
    "IndexFillBackward1": {"dim": _DIM, "index": _INDEX},
    "IndexSelectBackward0": {"dim": _DIM, "index": _INDEX, "self_sym_sizes": _SIZES},
    "ScatterBackward0": {"dim": _DIM, "index": Computed(_scatter_index)},
    "GatherBackward0": {"dim": _DIM, "index": _INDEX, "self": _SELF, "sparse_grad": Constant(False)},
    "CumprodBackward0": {"dim": _DIM, "result": _RESULT, "self": _SELF},
    "LogitBackward0": {"eps": Constant(None), "self": _SELF},
    "ScatterBackward1": {"dim": _DIM, "index": _INDEX},
    "ScatterAddBackward0": {"dim": _DIM, "index": _INDEX},
    # the nodes of a differentiable gradient (create_graph=True)
    "TanhBackwardBackward0": {"grad_output": Arg(0), "output": _OTHER},
    "SigmoidBackwardBackward0": {"grad_output": Arg(0), "output": _OTHER},
    "ThresholdBackwardBackward0": {"self": _OTHER, "threshold": Param("threshold")},
    "SoftmaxBackwardDataBackward0": {"dim": _DIM, "grad_output": Arg(0), "output": _OTHER},
    "LogSoftmaxBackwardDataBackward0": {"dim": _DIM, "grad_output": Arg(0), "output": _OTHER},
    "MseLossBackwardBackward0": {"grad_output": Arg(0), "reduction": _REDUCTION, "self": _OTHER, "target": Arg(2)},
    "SoftplusBackwardBackward0": {"beta": Param("beta"), "grad_output": Arg(0), "self": _OTHER,
                                  "threshold": Param("threshold")},
    "BinaryCrossEntropyBackwardBackward0": {"grad_output": Arg(0), "reduction": _REDUCTION, "self": _OTHER,
                                            "target": Arg(2), "weight": Arg(3)},
    "NllLossBackwardBackward0": {"ignore_index": Param("ignore_index", int64=True), "reduction": _REDUCTION,
                                 "target": Arg(2), "weight": Constant(None)},
}

# sum_to (a broadcast undone in a differentiable gradient) records SumBackward1 too, with a shape.
_SUM_TO = {"dim": Computed(_reduced_dims, tensor=False), "keepdim": Constant(True), "self_sym_sizes": _SIZES}

def fields(node) -> dict:
    """{name: Field} of what `node` saved, as PyTorch names it ({} for an op that saves nothing)."""
    name = node.op.name
    if name == "SumBackward1" and "shape" in node.params:
        return _SUM_TO
    return FIELDS.get(name, {})


def inputs(node) -> tuple:
    """Positions of the node's arguments that PyTorch counts as its inputs: those with a
    derivative (a number exponent, a mask, a target or a condition has none: x ** 2 has one)."""
    op = getattr(node, "op", None)
    rules = op.vjps if op is not None and not op.variadic else None
    return tuple(i for i in range(len(node.next)) if rules is None or rules[i] is not None)


def saved_tensors(node):
    """The arguments (and result) `node` keeps as tensors, as PyTorch would save them; for an
    op this table does not know, what its rules read."""
    table = FIELDS.get(node.op.name)
    if table is None:
        if not node.op.saves:
            return []
        return [a for a in node.inputs] + ([node.out] if node.op.saves_out else [])
    return [f.value(node) for f in table.values() if type(f) in (Arg, Result) and f.saved(node)]


INFERENCE_IN_PLACE = ("Inplace update to inference tensor outside InferenceMode is not allowed.You can make a clone "
                      "to get a normal tensor before doing inplace update.See https://github.com/pytorch/rfcs/pull/17 "
                      "for more details.")
INFERENCE_SAVED = ("Inference tensors cannot be saved for backward. Please do not use Tensors created in inference "
                   "mode in computation tracked by autograd. To work around this, you can make a clone to get a "
                   "normal tensor and use it in autograd, or use `torch.no_grad()` instead of "
                   "`torch.inference_mode()`.")
