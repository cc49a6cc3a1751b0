"""The op table, by family. Every op is declared once, in one of these
modules: its grad_fn name, forward kernel, one VJP rule per input and the
rules in words (engine/op.py says how to read an entry).

`ALL` lists every op; tests hold each to finite differences. The families are
imported when `FAMILIES` or `ALL` is first read, not with the package: a
module of this package imports it first, and `agcli grad` needs only a few
families (benchmarks/README.md, start-up)."""
_FAMILY_NAMES = (
    "pointwise", "elementary", "pairs", "special", "rounding", "bounds", "shapes", "pieces", "triangles",
    "reductions", "ranks", "scans", "running", "twofold", "vector_norms", "nans", "linalg", "products",
    "arrangements", "counts", "determinants", "lookups", "convolution", "transposed", "pooling", "adaptive",
    "adaptive_max", "normalization", "group_norm", "upsample", "padding_modes", "nn", "losses", "margins",
    "activations", "piecewise", "writes", "sampled", "channels", "further", "indexed", "nanmedians", "windows",
    "bessel", "scatter_reduce", "takes", "bags", "packing", "folding", "cholesky", "gamma", "dirichlet",
    "distances", "attention", "decompositions", "matrix_functions", "least_squares", "weight_norm", "puts",
    "affine_grid", "grid_sample", "unpool", "pdist", "own_nodes", "strided", "ctc")


def families() -> tuple:
    """Every family's module, imported now if it was not yet."""
    return globals().get("FAMILIES") or __getattr__("FAMILIES")


def __getattr__(name):
    if name not in ("FAMILIES", "ALL"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module
    from ..op import Op
    families = tuple(import_module(f"{__name__}.{family}") for family in _FAMILY_NAMES)
    every = tuple(value for family in families for key, value in vars(family).items()
                  if isinstance(value, Op) and key.isupper())
    globals().update(FAMILIES=families, ALL=every)
    return globals()[name]
