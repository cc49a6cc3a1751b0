"""What names mean (torchapi.namespace), imported when lowering first needs a name that is
not bound: an expression of operators and bound names alone (`agcli grad "a*b + c"`)
never loads the namespace and the dozens of modules behind it (start-up)."""
from __future__ import annotations

_loaded = None


def namespace():
    """torchapi.namespace, imported on the first call."""
    global _loaded
    if _loaded is None:
        from ..torchapi import namespace as loaded
        _loaded = loaded
    return _loaded


class Table:
    """A class attribute that is the namespace's table of its name in capitals
    (`functions = Table()`: FUNCTIONS), read on first use and kept on the class."""

    def __set_name__(self, owner, name):
        self.owner, self.name = owner, name

    def __get__(self, instance, owner):
        table = getattr(namespace(), self.name.upper())
        setattr(self.owner, self.name, table)
        return table


_dim_required = {}


def dim_required(name):
    """torch.softmax or torch.log_softmax as x.softmax() calls it: its dim has no default
    (torchapi.nn's dim_required), made on first use."""
    made = _dim_required.get(name)
    if made is None:
        from ..torchapi.nn import dim_required as requiring
        made = _dim_required[name] = requiring(name)
    return made
