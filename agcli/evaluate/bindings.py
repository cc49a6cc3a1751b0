"""Binding values: `--a 2`, `--x "[1,2,3]"`, `--w "randn(5,3)"`, `--m @matrix.npy`.

A value is a constant expression in agcli's own language (no variables), or
`@PATH` naming a .npy, .csv/.txt (comma or whitespace separated) or .json
file. Errors name the binding they came from.

A value is a host NumPy array: evaluate's bind sends it to the device.
"""
from __future__ import annotations

import numpy

from ..torchapi import creation as C
from ..engine.backend import to_host
from ..errors import AgcliError
from .plans import plan_for


def parse_value(name: str, text: str):
    """The host array a binding's text denotes."""
    origin = f"--{name}"
    text = text.strip()
    if text.startswith("@"):
        return _load_file(name, text[1:])
    if text.startswith("["):
        array = _number_list(text)
        if array is not None:
            return array
    else:
        number = _plain_number(text)
        if number is not None:
            return numpy.asarray(number)
    try:
        value = plan_for(text, ()).run({})   # parsed once per text (a batch repeats them)
    except AgcliError as e:
        e.origin = origin
        if e.kind == "name":
            e.message += " (a binding's value is a constant expression: no variables)"
        if e.exit_code == 1:
            e.kind = "binding"
            e.exit_code = 2
        raise
    if isinstance(value, tuple):
        value = list(value)
    try:
        return to_host(C.as_tensor(value).data)
    except AgcliError as e:
        raise AgcliError(e.message, (0, len(text)), kind="binding", source=text, origin=origin) from None


def _plain_number(text: str):
    """`2`, `-3.5`, `1e-3` without starting the parser (most bindings are numbers)."""
    digits = text.lstrip("+-")
    if digits.isdigit():
        return int(text) if len(text) - len(digits) <= 1 else None
    if not (digits[:1].isdigit() or digits[:1] == "."):   # float() also reads 'nan' and 'inf':
        return None                                       # names are the language's
    try:
        return float(text)
    except ValueError:
        return None


_NUMBER_LIST = None     # (the checks below, json.loads), made on first use


def _number_list(text: str):
    """`[[1, 2.], [.5, -3e2]]` read as JSON after a check that it is nothing but
    brackets, commas and numbers; anything else goes to the grammar."""
    global _NUMBER_LIST
    if _NUMBER_LIST is None:
        import json
        import re
        _NUMBER_LIST = (re.compile(r"[\s\[\],0-9eE.+\-]*"),
                        re.compile(r"(?<![0-9])\.(?=[0-9])"),      # .5  -> 0.5
                        re.compile(r"(?<=[0-9])\.(?![0-9])"),      # 2.  -> 2.0
                        re.compile(r"(?<![eE])\+"),                # +1  -> 1
                        _json_document(json.JSONDecoder().raw_decode))
    shape_ok, lead, trail, plus, loads = _NUMBER_LIST
    if not shape_ok.fullmatch(text):
        return None
    try:
        value = loads(text)             # what a program or a person usually writes
    except ValueError:
        try:
            value = loads(plus.sub("", trail.sub(".0", lead.sub("0.", text))))
        except ValueError:
            return None
    try:
        return numpy.array(value, dtype=float)
    except ValueError:
        return None     # ragged: let the grammar's path say so, with a caret


def _json_document(raw_decode):
    """json.loads for a stripped text, without its wrappers' cost (a bind is a few microseconds)."""
    def loads(text):
        value, end = raw_decode(text)
        if end != len(text):
            raise ValueError("extra data after the JSON value")
        return value
    return loads


def _load_file(name: str, path: str):
    origin = f"--{name}"
    import os

    if not os.path.isfile(path):
        raise AgcliError(f"no such file '{path}'", kind="binding", origin=origin)
    lower = path.lower()
    try:
        if lower.endswith(".npy"):
            return _load_npy(path, origin)
        if lower.endswith(".json"):
            import json
            with open(path, encoding="utf-8") as f:
                return to_host(C.as_tensor(json.load(f)).data)
        if lower.endswith((".csv", ".txt", ".tsv", ".dat")):
            return _load_text(path)
    except AgcliError as e:
        raise AgcliError(f"cannot read '{path}': {e.message}", kind="binding",
                         origin=origin) from None
    except (ValueError, OSError, UnicodeDecodeError) as e:
        raise AgcliError(f"cannot read '{path}': {e}", kind="binding", origin=origin) from None
    raise AgcliError(f"'{path}' is not a .npy, .csv, .txt or .json file",
                     kind="binding", origin=origin)


def _load_npy(path, origin):
    # Read the header first so an oversized array is refused before it is loaded.
    with open(path, "rb") as f:
        fmt = numpy.lib.format
        version = fmt.read_magic(f)
        reader = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
        shape, _, dtype = reader(f)
    C.check_size(shape, f"the array in {origin}")
    array = numpy.load(path, allow_pickle=False)
    if array.dtype.kind not in "biuf":
        raise AgcliError(f"{origin}: arrays of dtype {dtype} are not numbers", kind="binding")
    return array


def _load_text(path):
    with open(path, encoding="utf-8") as f:
        rows = [line.replace(",", " ").split() for line in f
                if line.strip() and not line.lstrip().startswith("#")]
    if not rows:
        raise AgcliError("the file holds no numbers", kind="binding")
    width = len(rows[0])
    for i, r in enumerate(rows, 1):
        if len(r) != width:
            raise AgcliError(f"row {i} has {len(r)} values, the first row has {width}", kind="binding")
    C.check_size((len(rows), width))
    for r, row in enumerate(rows, 1):     # say where, without echoing the file's text
        for c, cell in enumerate(row, 1):
            try:
                float(cell)
            except ValueError:
                raise AgcliError(f"row {r}, value {c} is not a number", kind="binding") from None
    array = numpy.asarray(rows, dtype=float)
    if width == 1:
        array = array.reshape(-1)
    elif len(rows) == 1:
        array = array.reshape(-1)
    return array
