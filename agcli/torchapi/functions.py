"""Every PyTorch function agcli provides, gathered from the family modules,
so that the namespace and the language read them in one place (`functions.add`).

Each name is imported from its family when first read (PEP 562's module
__getattr__), then kept here: an expression of + and * never loads linalg,
einsum or the losses, which start-up would otherwise pay for."""
from importlib import import_module

_FAMILIES = {
    # The array side the language reaches (raw arrays that escape a function, what .numpy() gives):
    "..engine.backend": "asarray host_ndarray host_types item kind ndarray to_host xp",
    "..engine.ops.shapes": "sum_to",
    "..engine.tensor": "data",
    "..errors": "torch_type_name",
    ".arithmetic": """abs acos acosh add add_function asin asinh atan atanh cos cosh div divide eq erf erfc exp exp2
        expm1 floor_divide fmod ge gt le log log1p log2 log10 lt masked_fill maximum minimum mul multiply ne neg pow
        reciprocal relu remainder rsqrt rsub sigmoid sin sinh sqrt sub subtract tan tanh where""",
    ".clamping": "clamp clamp_max clamp_min",
    ".checks": "dim_index dims_tuple fail ndim_of shape_of size_tuple",
    ".bitwise": "bitwise_and bitwise_left_shift bitwise_or bitwise_right_shift bitwise_xor invert",
    ".dtypes": "dtype_name result_type",
    ".indexing": """checked_key count_nonzero getitem index lone_key_of_0d nonzero positions_key read_key select unbind
        unique views_first whole_key""",
    ".einsum": "einsum",
    ".linalg": "bmm dot inner inv linear matmul mm mv outer solve",
    ".nn": """binary_cross_entropy celu elu gelu hardshrink hardsigmoid hardswish hardtanh leaky_relu log_softmax
        logsigmoid mish normalize relu6 selu silu softmax softmin softplus softshrink softsign tanhshrink threshold
        one_hot cosine_similarity pad embedding""",
    ".nn_losses": """binary_cross_entropy_with_logits cross_entropy huber_loss kl_div l1_loss mse_loss nll_loss
        smooth_l1_loss""",
    ".reductions": """ValuesIndices amax amin argmax argmin argsort cumprod cumsum median topk logsumexp logcumsumexp max
        mean min nanmean nansum norm prod sort std sum trace var""",
    ".logical": "isclose",
    ".rounding": "ceil floor frac round sgn sign trunc",
    ".triangles": "diag tril triu",
    ".scatter": "gather index_fill index_select masked_select scatter scatter_add",
    ".pieces": "chunk split unsafe_chunk unsafe_split unsafe_split_with_sizes",
    ".shaping": """attr_mT attr_T cat clone contiguous data_of detach diagonal expand flatten flip fliplr flipud hstack
        meshgrid movedim narrow permute repeat reshape roll squeeze stack t tile transpose unflatten unsqueeze view
        vstack""",
}
_FAMILY_OF = {name: family for family, names in _FAMILIES.items() for name in names.split()}
__all__ = sorted(_FAMILY_OF)


def __getattr__(name):
    family = _FAMILY_OF.get(name)
    if family is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = globals()[name] = getattr(import_module(family, __package__), name)
    return value


def __dir__():
    return __all__
