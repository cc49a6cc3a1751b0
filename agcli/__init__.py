"""agcli: differentiate an expression from the shell and see what PyTorch would say.

    >>> import agcli
    >>> r = agcli.grad("a*b + c*d**2/e", a=2, b=4, c=6, d=8, e=10)
    >>> r.grad_fn, float(r.value), float(r.grads["d"])
    ('AddBackward0', 46.4, 9.600000000000001)

The names below load on first use, so `import agcli` (and the CLI's start-up)
stays cheap.
"""
__version__ = "0.1.0"

__all__ = ["grad", "evaluate", "Result", "AgcliError", "jacobian", "jvp", "__version__"]
_CALCULUS = ("jacobian", "jvp", "hessian", "vjp", "hvp", "vhp", "check")


def __getattr__(name):
    if name in ("grad", "evaluate", "Result"):
        from .evaluate import run
        return getattr(run, name)
    if name in _CALCULUS:             # agcli.jacobian("tanh(W @ x)", W=..., x=...).answer["x"]
        from .evaluate.calculus import python_api
        return python_api(name)
    if name == "AgcliError":
        from .errors import AgcliError
        return AgcliError
    raise AttributeError(f"module 'agcli' has no attribute {name!r}")
