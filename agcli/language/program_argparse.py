"""Python's `argparse` in programs, run by Python's own argparse on the program's plain values.

`agcli run` passes the program no arguments (sys.argv is [its path]), so parse_args() gives the
defaults, and parse_args(['--lr', '0.5']) reads the program's own list. A type= that is a program's
function is called through agcli's invoke (its TypeError or ValueError is argparse's "invalid ...
value", as Python's is); usage, --help and errors are written where Python writes them (stdout for
--help, stderr for errors, which exit 2); the result is a Namespace the program reads and changes.
"""
from __future__ import annotations

import argparse
import os
import sys

from ..errors import AgcliError
from .program_exceptions import ProgramException, python_errors, raise_python
from .program_objects import ProgramObject
from .program_runtime import ProgramExit, current
from .program_stdlib import Method
from .program_sys import ARGV, STDERR
from .program_values import type_name, value_repr

_NATIVE_TYPES = (int, float, str, complex)


class _Attributes(ProgramObject):
    """An object of attributes given as keywords, printed as Name(a=1, b=2)."""

    shown = "Namespace"

    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)

    def __repr__(self):
        shown = [f"{k}={value_repr(v)}" if k.isidentifier() else f"**{{{k!r}: {value_repr(v)}}}"
                 for k, v in self.__dict__.items()]
        return f"{self.shown}({', '.join(shown)})"


_Attributes._ns = {"__eq__": Method("__eq__", "__eq__", lambda self, other: type(other) is type(self) and
                                    vars(self) == vars(other))}


class Namespace(_Attributes):
    """argparse.Namespace: attributes the program reads, sets and passes to vars()."""


Namespace.__module__ = "argparse"
Namespace._ns = {"__contains__": Method("__contains__", "Namespace.__contains__", lambda self, key: key in vars(self))}


class SimpleNamespace(_Attributes):
    """types.SimpleNamespace (a config object of scripts)."""

    shown = "namespace"
    type_name = "types.SimpleNamespace"


SimpleNamespace.__module__ = "types"


def _program_type(fn):
    """A program's callable as argparse's type=: its TypeError and ValueError are argparse's to report."""
    def call(text):
        from .program_calls import invoke
        try:
            return invoke(fn, (text,), {})
        except ProgramException as e:
            if isinstance(e.value, (TypeError, ValueError, argparse.ArgumentTypeError)):
                raise e.value from None
            raise
    call.__name__ = getattr(fn, "name", None) or getattr(fn, "__name__", type_name(fn))
    return call


class _Parser(argparse.ArgumentParser):
    """Python's parser, writing and exiting as the program's."""

    def _print_message(self, message, file=None):
        if message:
            (STDERR.write if file is STDERR or file is sys.stderr else current().write)(message)

    def exit(self, status=0, message=None):
        if message:
            STDERR.write(message)
        raise ProgramExit(status)

    def print_usage(self, file=None):
        self._print_message(self.format_usage(), file)

    def print_help(self, file=None):
        self._print_message(self.format_help(), file)

    def error(self, message):
        self._print_message(self.format_usage(), STDERR)
        self.exit(2, f"{self.prog}: error: {message}\n")


_ACTIONS = ("store", "store_const", "store_true", "store_false", "append", "append_const", "count", "help",
            "version", "extend", argparse.BooleanOptionalAction)


def _checked_keywords(kwargs):
    action = kwargs.get("action")
    if action is not None and action not in _ACTIONS:
        if isinstance(action, str):
            raise_python(ValueError(f"unknown action {action!r}"))
        raise AgcliError("agcli's argparse takes Python's actions by name (action='store_true', 'count', ...), "
                         f"not a '{type_name(action)}'", kind="type")
    kind = kwargs.get("type")
    if kind is not None and kind not in _NATIVE_TYPES and kind is not bool:
        if not callable(kind):
            raise_python(ValueError(f"{value_repr(kind)} is not callable"))
        kwargs["type"] = _program_type(kind)
    return kwargs


class ArgumentParser:
    """argparse.ArgumentParser as a program's value (its methods, Python's parser inside)."""

    __slots__ = ("parser",)
    type_name = "ArgumentParser"
    pytorch_module = "argparse"
    program_methods = ("add_argument", "parse_args", "parse_known_args", "print_help", "print_usage",
                       "format_help", "format_usage", "set_defaults", "get_default", "add_argument_group",
                       "add_mutually_exclusive_group", "error")
    program_attributes = {"prog": "prog", "description": "description"}

    def __init__(self, prog=None, usage=None, description=None, epilog=None, parents=(), formatter_class=None,
                 prefix_chars="-", fromfile_prefix_chars=None, argument_default=None, conflict_handler="error",
                 add_help=True, allow_abbrev=True, exit_on_error=True):
        if formatter_class is not None:
            formatter_class = formatter_class.formatter
        self.parser = python_errors(_Parser)(
            prog=prog if prog is not None else os.path.basename(ARGV[0]), usage=usage, description=description,
            epilog=epilog, parents=[p.parser for p in parents], formatter_class=formatter_class or
            argparse.HelpFormatter, prefix_chars=prefix_chars, argument_default=argument_default,
            conflict_handler=conflict_handler, add_help=add_help, allow_abbrev=allow_abbrev)

    @property
    def prog(self):
        return self.parser.prog

    @property
    def description(self):
        return self.parser.description

    def add_argument(self, *names, **kwargs):
        return _call(self.parser.add_argument, *names, **_checked_keywords(kwargs))

    def add_argument_group(self, *args, **kwargs):
        return _Group(_call(self.parser.add_argument_group, *args, **kwargs))

    def add_mutually_exclusive_group(self, required=False):
        return _Group(_call(self.parser.add_mutually_exclusive_group, required=required))

    def parse_args(self, args=None, namespace=None):
        return _call(self.parser.parse_args, *self._arguments(args), namespace=namespace or Namespace())

    def parse_known_args(self, args=None, namespace=None):
        return _call(self.parser.parse_known_args, *self._arguments(args), namespace=namespace or Namespace())

    @staticmethod
    def _arguments(args):
        if args is None:
            return (ARGV[1:],)
        if not isinstance(args, (list, tuple)) or not all(type(a) is str for a in args):
            bad = args if not isinstance(args, (list, tuple)) else next(a for a in args if type(a) is not str)
            raise AgcliError(f"agcli's parse_args takes a list of strings, not a '{type_name(bad)}'", kind="type",
                             hint="parser.parse_args(['--lr', '0.5'])")
        return (list(args),)

    def set_defaults(self, **kwargs):
        return _call(self.parser.set_defaults, **kwargs)

    def get_default(self, dest):
        return _call(self.parser.get_default, dest)

    def print_help(self, file=None):
        self.parser.print_help(file)

    def print_usage(self, file=None):
        self.parser.print_usage(file)

    def format_help(self):
        return self.parser.format_help()

    def format_usage(self):
        return self.parser.format_usage()

    def error(self, message):
        self.parser.error(message)

    def __repr__(self):
        return (f"ArgumentParser(prog={self.parser.prog!r}, usage={self.parser.usage!r}, description="
                f"{self.parser.description!r}, formatter_class=<class 'argparse.HelpFormatter'>, conflict_handler="
                f"{self.parser.conflict_handler!r}, add_help={self.parser.add_help!r})")


class _Group:
    """An argument group (or a mutually exclusive one): add_argument only."""

    __slots__ = ("group",)
    type_name = "_ArgumentGroup"
    program_methods = ("add_argument",)

    def __init__(self, group):
        self.group = group

    def add_argument(self, *names, **kwargs):
        return _call(self.group.add_argument, *names, **_checked_keywords(kwargs))


def _call(fn, *args, **kwargs):
    """Python's argparse method, its errors the program's (an argument's misuse is its ValueError or TypeError)."""
    try:
        return python_errors(fn)(*args, **kwargs)
    except argparse.ArgumentError as e:
        e.args = (str(e),)      # (what the program's print(e) shows: Python's str of it)
        raise ProgramException(e) from None


class _Formatter:
    __slots__ = ("formatter", "name")
    type_name = "type"

    def __init__(self, formatter):
        self.formatter, self.name = formatter, formatter.__name__

    def __repr__(self):
        return f"<class 'argparse.{self.name}'>"


def entries(builtin_class) -> dict:
    formatters = {f.__name__: _Formatter(f) for f in (
        argparse.HelpFormatter, argparse.RawDescriptionHelpFormatter, argparse.RawTextHelpFormatter,
        argparse.ArgumentDefaultsHelpFormatter, argparse.MetavarTypeHelpFormatter)}
    return {"ArgumentParser": builtin_class("ArgumentParser", "argparse", ArgumentParser,
                                            python_errors(ArgumentParser)),
            "Namespace": builtin_class("Namespace", "argparse", Namespace, python_errors(Namespace)),
            "ArgumentTypeError": argparse.ArgumentTypeError, "ArgumentError": argparse.ArgumentError,
            "BooleanOptionalAction": argparse.BooleanOptionalAction, "SUPPRESS": argparse.SUPPRESS,
            "ONE_OR_MORE": argparse.ONE_OR_MORE, "ZERO_OR_MORE": argparse.ZERO_OR_MORE,
            "OPTIONAL": argparse.OPTIONAL, "REMAINDER": argparse.REMAINDER, **formatters}
