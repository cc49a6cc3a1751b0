"""Python's `csv` in programs: reader, writer, DictReader and DictWriter by Python's own csv, on the
text files a program opened (program_files.py) or on lists of lines, writing rows of Python's values
(a tensor in a row is written as its str(), as Python's csv writes PyTorch's).
"""
from __future__ import annotations

import csv

from .program_exceptions import ProgramException
from .program_objects import Builtin
from .program_plain import is_plain, plain_function
from .program_values import value_str

def _csv_errors(fn):
    """fn, with csv's errors and Python's (a file's too) the program's; its StopIteration ends a loop."""
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (csv.Error, ValueError, TypeError, LookupError, AttributeError, OSError) as e:
            raise ProgramException(e) from None
    return call


class _Rows:
    """A reader (or DictReader): Python's, iterated by the program (next(reader) skips a header)."""

    __slots__ = ("reader",)
    native_iterator = True
    program_attributes = {"line_num": "line_num", "fieldnames": "fieldnames"}

    def __init__(self, reader):
        self.reader = reader

    line_num = property(lambda self: self.reader.line_num)
    fieldnames = property(lambda self: _csv_errors(lambda: self.reader.fieldnames)())

    def __iter__(self):
        return self

    def __next__(self):
        return _csv_errors(next)(self.reader)


class Reader(_Rows):
    __slots__ = ()
    type_name = "_csv.reader"


class DictReader(_Rows):
    __slots__ = ()
    type_name = "DictReader"


def _field(v):
    """A field as Python's csv writes it: str() of a value that is not Python's own (a tensor's text)."""
    return v if is_plain(v) else value_str(v)


def _row(row):
    """A row as Python's csv reads it: its fields' texts (a value it cannot iterate: as it is, for csv's error)."""
    from .program_iteration import iterate
    if isinstance(row, dict):
        return {k: _field(v) for k, v in row.items()}
    if is_plain(row) and not isinstance(row, (list, tuple)):
        return row
    return [_field(v) for v in iterate(row)]


class _Writing:
    """A writer (or DictWriter): Python's, each row's fields as Python's csv writes them."""

    __slots__ = ("writer",)
    program_methods = ("writerow", "writerows", "writeheader")
    program_attributes = {"fieldnames": "fieldnames"}

    def __init__(self, writer):
        self.writer = writer

    fieldnames = property(lambda self: self.writer.fieldnames)

    def writerow(self, row):
        return _csv_errors(self.writer.writerow)(_row(row))

    def writerows(self, rows):
        from .program_iteration import iterate
        return _csv_errors(self.writer.writerows)([_row(r) for r in iterate(rows)])

    def writeheader(self):
        return _csv_errors(self.writer.writeheader)()


class Writer(_Writing):
    __slots__ = ()
    type_name = "_csv.writer"
    program_methods = ("writerow", "writerows")


class DictWriter(_Writing):
    __slots__ = ()
    type_name = "DictWriter"


def _lines(f):
    """What Python's csv reads lines from: a program's file as it is, a list of lines as it is."""
    from .program_iteration import iterate
    return iterate(f)


def reader(f, dialect="excel", **options):
    return Reader(_csv_errors(csv.reader)(_lines(f), dialect, **options))


def dict_reader(f, fieldnames=None, restkey=None, restval=None, dialect="excel", **options):
    return DictReader(_csv_errors(csv.DictReader)(_lines(f), fieldnames, restkey, restval, dialect, **options))


def writer(f, dialect="excel", **options):
    return Writer(_csv_errors(csv.writer)(f, dialect, **options))


def dict_writer(f, fieldnames, restval="", extrasaction="raise", dialect="excel", **options):
    plain = plain_function("csv", "DictWriter", lambda *a, **k: None)
    plain.fn(fieldnames, restval, extrasaction, dialect)        # (Python's values only)
    return DictWriter(_csv_errors(csv.DictWriter)(f, fieldnames, restval, extrasaction, dialect, **options))


def entries(builtin_class) -> dict:
    return {"reader": Builtin("reader", reader), "writer": Builtin("writer", writer),
            "DictReader": builtin_class("DictReader", "csv", DictReader, dict_reader),
            "DictWriter": builtin_class("DictWriter", "csv", DictWriter, dict_writer),
            "Error": csv.Error, **{name: getattr(csv, name) for name in (
                "QUOTE_MINIMAL", "QUOTE_ALL", "QUOTE_NONNUMERIC", "QUOTE_NONE")}}
