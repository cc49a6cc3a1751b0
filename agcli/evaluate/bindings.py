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
from .number_columns import number_columns
from .plans import plan_for


def parse_value(name: str, text: str):
    """The host array a binding's text denotes."""
    return binding_array(name, text)[0]


def binding_array(name: str, text: str):
    """(the host array a binding's text denotes, whether the text chose its floating dtype):
    an expression is evaluated in the default dtype, so a float array in another one was asked
    for (`tensor([1., 2.], dtype=torch.float32)`, `ones(3).half()`) and keeps it."""
    text = text.strip()
    first = text[:1]        # (a slice and two compares cost less than two startswith calls)
    if first == "[":
        array = _number_list(text)
        if array is not None:
            return array, False
    elif first == "@":
        return _load_file(name, text[1:]), False
    else:
        number = _plain_number(text)
        if number is not None:
            return numpy.asarray(number), False
    try:
        value = plan_for(text, ()).run({})   # parsed once per text (a batch repeats them)
    except AgcliError as e:
        e.origin = f"--{name}"
        if e.kind == "name":
            e.message += " (a binding's value is a constant expression: no variables)"
        if e.exit_code == 1:
            e.kind = "binding"
            e.exit_code = 2
        raise
    if isinstance(value, tuple):
        value = list(value)
    try:
        array = to_host(C.as_tensor(value).data)
    except AgcliError as e:
        raise AgcliError(e.message, (0, len(text)), kind="binding", source=text, origin=f"--{name}") from None
    return array, array.dtype.kind == "f"


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


_NUMBER_LIST = None     # (json's scanner, the fixes below, json.loads), made on first use
_FLOAT64 = numpy.dtype(float)
# What a number list holds: JSON's white space only (any other fails json's parse as well).
# (bytes.translate deleting them leaves nothing of such a text: cheaper than a regex's fullmatch)
_LIST_BYTES = b" \t\n\r[],0123456789eE.+-"


def _number_list(text: str):
    """`[[1, 2.], [.5, -3e2]]` read as JSON after a check that it is nothing but
    brackets, commas and numbers; anything else goes to the grammar."""
    global _NUMBER_LIST
    if not text.isascii() or text.encode().translate(None, _LIST_BYTES):
        return None
    if _NUMBER_LIST is None:
        import json
        import re
        scan_once = json.JSONDecoder().scan_once
        _NUMBER_LIST = (scan_once,
                        re.compile(r"(?<![0-9])\.(?=[0-9])"),      # .5  -> 0.5
                        re.compile(r"(?<=[0-9])\.(?![0-9])"),      # 2.  -> 2.0
                        re.compile(r"(?<![eE])\+"),                # +1  -> 1
                        _json_document(scan_once))
    try:
        value, end = _NUMBER_LIST[0](text, 0)   # what a program or a person usually writes (loads, spelled out)
        if end != len(text):
            raise ValueError
    except (ValueError, StopIteration):
        _, lead, trail, plus, loads = _NUMBER_LIST
        try:
            value = loads(plus.sub("", trail.sub(".0", lead.sub("0.", text))))
        except ValueError:
            return None
    try:
        return numpy.array(value, _FLOAT64)
    except ValueError:
        return None     # ragged: let the grammar's path say so, with a caret


def _json_document(scan_once):
    """json.loads for a stripped text, without its wrappers' cost (a bind is a few
    microseconds): the decoder's C scanner, as its raw_decode calls it."""
    def loads(text):
        try:
            value, end = scan_once(text, 0)
        except StopIteration:
            raise ValueError("expecting a JSON value") from None
        if end != len(text):
            raise ValueError("extra data after the JSON value")
        return value
    return loads


def _load_file(name: str, path: str):
    """`@PATH`: .npy, .npz with :KEY, .csv/.txt/.tsv/.dat or .json; `@-`: standard input."""
    origin = f"--{name}"
    if not path:
        raise AgcliError("@ names no file", kind="binding", origin=origin,
                         hint="write @PATH: a .npy, .npz, .csv, .txt or .json file (@- reads standard input)")
    if path == "-":
        return _load_stdin(name, origin)
    import os

    path, key = _archive_member(path)
    if not os.path.isfile(path):
        if os.path.isdir(path):
            raise AgcliError(f"'{path}' is a directory, not a file", kind="binding", origin=origin,
                             hint="@PATH names a .npy, .npz, .csv, .txt or .json file")
        colon = path.rfind(":")
        if colon > 0 and os.path.isfile(path[:colon]):     # (x.npy:key: only an .npz holds named arrays)
            raise AgcliError(f"'{path[:colon]}' holds one array: :{path[colon + 1:]} names an array in an .npz",
                             kind="binding", origin=origin, hint=f"write @{path[:colon]}")
        raise AgcliError(f"no such file '{path}'", kind="binding", origin=origin)
    lower = path.lower()
    try:
        if lower.endswith(".npz"):
            return _load_npz(path, key, origin)
        if lower.endswith(".npy"):
            with open(path, "rb") as f:
                return _read_npy(f, origin)
        if lower.endswith(".json"):
            return _json_array(_text(path))
        if lower.endswith((".csv", ".txt", ".tsv", ".dat")):
            return _table(_text(path))
    except AgcliError as e:
        raise AgcliError(f"cannot read '{path}': {e.message}", kind="binding", origin=origin,
                         hint=e.hint) from None
    except OSError as e:
        raise AgcliError(f"cannot read '{path}': {e.strerror or e}", kind="binding", origin=origin) from None
    except (ValueError, EOFError, LookupError):   # a damaged .npy or .npz (zlib's, zipfile's errors)
        raise AgcliError(f"cannot read '{path}': the file is damaged", kind="binding", origin=origin) from None
    raise AgcliError(f"'{path}' is not a .npy, .npz, .csv, .txt or .json file",
                     kind="binding", origin=origin)


def _archive_member(path: str):
    """'res.npz:a' -> ('res.npz', 'a'); any other path -> (path, None)."""
    cut = path.lower().rfind(".npz:")
    if cut < 0:
        return path, None
    return path[:cut + 4], path[cut + 5:]


def _text(path: str) -> str:
    """A text file as UTF-8 (a BOM, as Windows' editors write one, is skipped)."""
    with open(path, "rb") as f:
        data = f.read()
    return _decoded(data)


def _decoded(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig").replace("\r\n", "\n")     # a BOM skipped; Windows' line ends
    except UnicodeDecodeError as e:
        raise AgcliError(f"not UTF-8 text ({e.reason} at byte {e.start})", kind="binding") from None


_STDIN = None       # standard input's bytes, read once


def _load_stdin(name: str, origin: str):
    """`@-`: .npy bytes, or text: a literal such as [1, 2, 3], or numbers
    separated by commas or whitespace, a row per line (as in a .csv file)."""
    global _STDIN
    import sys
    if _STDIN is None:
        if sys.stdin is None:
            raise AgcliError("there is no standard input to read", kind="binding", origin=origin)
        _STDIN = sys.stdin.buffer.read()
    try:
        if _STDIN.startswith(b"\x93NUMPY"):
            import io
            return _read_npy(io.BytesIO(_STDIN), origin)
        text = _decoded(_STDIN).strip()
        if text.startswith("["):
            return parse_value(name, text)
        return _table(text)
    except AgcliError as e:
        if e.origin is not None:
            raise
        raise AgcliError(f"cannot read standard input: {e.message}", kind="binding", origin=origin) from None


def _load_npz(path, key, origin):
    """One array of an .npz archive (numpy.savez's, or --out's): `@res.npz:KEY`."""
    import zipfile
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise AgcliError("it is not an .npz archive", kind="binding") from None
    with archive:
        keys = [n[:-4] for n in archive.namelist() if n.endswith(".npy")]
        listed = ", ".join(keys) if keys else "no arrays"
        if key is None or key not in keys:
            what = "name one of its arrays" if key is None else f"it holds no array {key!r}"
            raise AgcliError(f"{what} (it holds {listed})", kind="binding",
                             hint=f"@{path}:{keys[0] if keys else 'KEY'}")
        with archive.open(key + ".npy") as f:
            return _read_npy(f, origin)


def _read_npy(f, origin):
    """An .npy file's array; its header is read first, so an oversized array is
    refused before it is loaded."""
    fmt = numpy.lib.format
    try:
        version = fmt.read_magic(f)
        reader = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
        shape, _, dtype = reader(f)
    except ValueError:
        raise AgcliError("it is not an .npy array", kind="binding") from None
    C.check_size(shape, f"the array in {origin}")
    if dtype.kind not in "biuf":
        what = {"U": "strings", "S": "bytes", "O": "Python objects", "c": "complex numbers", "M": "dates",
                "m": "time spans"}.get(dtype.kind, "records")
        raise AgcliError(f"the array holds {what}, not real numbers", kind="binding")   # (not NumPy's '<U1')
    f.seek(0)
    try:
        return fmt.read_array(f, allow_pickle=False)
    except ValueError:
        raise AgcliError("the array is cut short", kind="binding") from None


def _json_array(text: str):
    import json
    try:
        value = json.loads(text)
    except ValueError as e:
        raise AgcliError(f"it is not JSON (line {e.lineno}, column {e.colno})", kind="binding") from None
    return to_host(C.as_tensor(value).data)


def _table(text: str):
    """Numbers separated by commas (a CSV line) or whitespace, a row per line;
    blank lines and # comments are skipped. A CSV line's fields are never empty."""
    rows = []       # (line number, its cells)
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "," in line:
            cells = [cell.strip() for cell in line.split(",")]
            if "" in cells:
                raise AgcliError(f"line {number}, column {cells.index('') + 1} is empty", kind="binding",
                                 hint="every field of a CSV line holds a number")
        else:
            cells = line.split()
        rows.append((number, cells))
    if not rows:
        raise AgcliError("it holds no numbers", kind="binding")
    first, width = rows[0][0], len(rows[0][1])
    for number, cells in rows:
        if len(cells) != width:
            raise AgcliError(f"line {number} has {len(cells)} values, line {first} has {width}", kind="binding")
    C.check_size((len(rows), width))
    for number, cells in rows:     # say where, without echoing the file's text
        for column, cell in enumerate(cells, 1):
            try:
                float(cell)
            except ValueError:
                raise AgcliError(f"line {number}, column {column} is not a number", kind="binding", hint=None
                                 if number != first else "a header line? start it with # (a comment)") from None
    array = numpy.asarray([cells for _, cells in rows], dtype=float)
    if array.size == 1:
        return array.reshape(())        # one number is a scalar, as numpy.loadtxt reads it
    return array.reshape(-1) if width == 1 or len(rows) == 1 else array


def stacked_columns(columns, dtype):
    """stacked_values of each column of texts (lists of one length), or None if any is None.
    Texts that are their column's first but for their numbers are read at once (number_columns.py)."""
    firsts = [stacked_values(texts[:1], numpy.float64) for texts in columns]
    if any(first is None for first in firsts):
        return None
    if len(columns[0]) > 1:
        arrays = number_columns(columns, firsts)
        if arrays is not None:
            return [array.astype(dtype, copy=False) for array in arrays]
    arrays = []
    for texts in columns:
        array = stacked_values(texts, dtype)
        if array is None:
            return None
        arrays.append(array)
    return arrays


def stacked_values(texts, dtype):
    """What parse_value and bind make of each of these binding texts, stacked on a
    leading axis in `dtype`; None unless every text is a plain number or a number
    list that JSON reads as it is, and their shapes agree (a sweep: evaluate/sweeps.py)."""
    texts = [text.strip() for text in texts]
    values = _json_values(texts)
    if values is None:
        if texts[0].startswith("["):
            return None     # a list that JSON does not read as it is (it goes to the grammar alone)
        values = [_plain_number(text) for text in texts]     # numbers JSON does not write: +1, 1., .5
        if None in values:
            return None
    if int in map(type, values) and max(abs(v) for v in values if type(v) is int) >= 2**53:
        return None         # (not exact in a float)
    try:
        array = numpy.array(values, dtype=float)
    except (ValueError, TypeError, OverflowError):
        return None
    return array.astype(dtype, copy=False)


def _json_values(texts):
    """Each text's JSON value, in one parse of `[text, text, ...]` (a parse a text costs more than
    its numbers), or None unless each text alone is one value JSON reads as _number_list does:
    with as many [ as ] in each, the commas that join them are the outer list's, so the list holds
    as many values as texts only if each text is one value."""
    _number_list("[0]")                     # (makes json's decoder)
    loads = _NUMBER_LIST[4]
    if [text.count("[") for text in texts] != [text.count("]") for text in texts]:
        return None
    document = "[" + ", ".join(texts) + "]"
    if not document.isascii() or document.encode().translate(None, _LIST_BYTES):
        return None
    try:
        values = loads(document)
    except ValueError:
        return None
    return values if len(values) == len(texts) else None
