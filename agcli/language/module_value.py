"""A module a program imports (`torch`, `torch.nn.functional`, `math`, `np`) as a value: its attributes
are agcli's declared names, and an unknown one is Python's AttributeError, worded as the real module's
would be (with Python's suggestion), or agcli's limit where the real module has the name."""
from __future__ import annotations

from ..errors import AgcliError, did_you_mean
from . import suggestions
from .program_exceptions import ProgramException, raise_python
from .unknown_names import not_provided, pytorch_has

_MISSING = object()


class ModuleValue:
    """`torch`, `torch.nn.functional`, `math`, `np`: a module as a program's value."""

    __slots__ = ("name", "entries", "spelling", "missing")
    type_name = "module"
    shared_by_copy = True       # (copy.deepcopy shares it, as Python's shares a module)

    def __init__(self, name, entries, spelling=None, missing=None):
        self.name, self.entries = name, entries
        self.spelling = spelling or name        # its prefix in pytorch_names.txt: torch, F, nn
        self.missing = missing                  # raises agcli's error for a name the real module has

    def attribute(self, name):
        value = self.entries.get(name, _MISSING)
        if value is _MISSING:
            self._missing(name)
        return value

    def _missing(self, name):
        """Python's AttributeError where the real module lacks the name too (with Python's suggestion,
        else agcli's); agcli's limit where it has it."""
        lacking = suggestions.missing_from_module(self.name, name)
        if lacking:
            message, python = lacking
            error = ProgramException(AttributeError(message), hint=None if python is not None else
                                     did_you_mean(name, [n for n in self.entries if not n.startswith("_")]))
            error.suggestion = python       # (the line says Python's suggestion: the hint only when there is none)
            raise error
        if self.missing is not None:
            self.missing(name)
        if lacking is False and not self.name.startswith("torch"):       # Python's or NumPy's module has it
            raise AgcliError(f"agcli's programs do not reach '{self.name}.{name}'", kind="name",
                             hint=f"what agcli provides of {self.name}: {', '.join(sorted(self.public()))}")
        pytorch = pytorch_has(name, self.spelling) if self.spelling in ("torch", "F", "nn") else lacking is False \
            and self.name.startswith("torch")
        hint = not_provided(f"{self.name}.{name}") if pytorch else \
            did_you_mean(name, [n for n in self.entries if not n.startswith("_")])
        raise_python(AttributeError(f"module '{self.name}' has no attribute '{name}'"), hint=hint)

    def public(self):
        return {n: v for n, v in self.entries.items() if not n.startswith("_")}

    def __repr__(self):
        return f"<module '{self.name}'>"        # (Python adds ' from ...' and the file)
