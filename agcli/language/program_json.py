"""Python's `json` in programs: dumps and loads by Python's own json, on the program's plain values.

A value json cannot write (a tensor, a program's object) is Python's TypeError "Object of type
Tensor is not JSON serializable", unless the program's default= (its own function, called through
agcli) turns it into one it can; object_hook= and the other hooks of loads are the program's
functions too. dump and load write and read a file the program opened (program_files.py), as
Python's write the text of dumps and read the text loads reads.
"""
from __future__ import annotations

import json

from .program_exceptions import ProgramException, python_errors
from .program_objects import Builtin
from .program_values import type_name


def _program_hook(fn):
    """A program's callable as json's hook (called through agcli's invoke)."""
    if fn is None:
        return None

    def call(*args):
        from .program_calls import invoke
        return invoke(fn, args, {})
    return call


def _unserializable(o):
    raise TypeError(f"Object of type {type_name(o)} is not JSON serializable")


def dumps(obj, *, skipkeys=False, ensure_ascii=True, check_circular=True, allow_nan=True, cls=None, indent=None,
          separators=None, default=None, sort_keys=False):
    if cls is not None:
        _refuse_cls("dumps")
    return json.dumps(obj, skipkeys=skipkeys, ensure_ascii=ensure_ascii, check_circular=check_circular,
                      allow_nan=allow_nan, indent=indent, separators=separators, sort_keys=sort_keys,
                      default=_program_hook(default) or _unserializable)


def loads(s, *, cls=None, object_hook=None, parse_float=None, parse_int=None, parse_constant=None,
          object_pairs_hook=None):
    if cls is not None:
        _refuse_cls("loads")
    if not isinstance(s, (str, bytes, bytearray)):
        raise TypeError(f"the JSON object must be str, bytes or bytearray, not {type_name(s)}")
    try:
        return json.loads(s, object_hook=_program_hook(object_hook), parse_float=_program_hook(parse_float),
                          parse_int=_program_hook(parse_int), parse_constant=_program_hook(parse_constant),
                          object_pairs_hook=_program_hook(object_pairs_hook))
    except json.JSONDecodeError as e:
        raise ProgramException(e) from None


def dump(obj, fp, *, skipkeys=False, ensure_ascii=True, check_circular=True, allow_nan=True, cls=None, indent=None,
         separators=None, default=None, sort_keys=False):
    if cls is not None:
        _refuse_cls("dump")
    _file_method(fp, "write")       # (Python's json writes the text piece by piece: what came before a failure stays)
    json.dump(obj, fp, skipkeys=skipkeys, ensure_ascii=ensure_ascii, check_circular=check_circular,
              allow_nan=allow_nan, indent=indent, separators=separators, sort_keys=sort_keys,
              default=_program_hook(default) or _unserializable)


def load(fp, **kwargs):
    return loads(_file_method(fp, "read")(), **kwargs)


def _file_method(fp, name):
    if not getattr(type(fp), "program_file", False):
        raise AttributeError(f"'{type_name(fp)}' object has no attribute '{name}'")
    return getattr(fp, name)


def _refuse_cls(name):
    from ..errors import AgcliError
    raise AgcliError(f"agcli's json.{name} takes no encoder or decoder class (cls=)", kind="type",
                     hint="give default= (or object_hook=) a function instead")


def entries(builtin_class=None) -> dict:
    return {"dumps": Builtin("dumps", python_errors(dumps)), "loads": Builtin("loads", python_errors(loads)),
            "dump": Builtin("dump", python_errors(dump)), "load": Builtin("load", python_errors(load)),
            "JSONDecodeError": json.JSONDecodeError}
