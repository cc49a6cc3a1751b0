"""Python's `logging` in programs: loggers, levels, basicConfig, StreamHandler and Formatter, run by
Python's own logging on a hierarchy of the program's own (agcli's process keeps its root untouched).

A message's `%` arguments are put in by agcli's `%` (a tensor shows as PyTorch shows it), so Python's
logging only ever formats strings; records go to stderr (or sys.stdout where the program hands it),
as Python writes them. Files (filename=, FileHandler) are not written.
"""
from __future__ import annotations

import logging

from ..errors import AgcliError
from .program_exceptions import ProgramException, python_errors, raise_python
from .program_format import percent
from .program_objects import Builtin
from .program_runtime import current
from .program_sys import STDERR, STDOUT
from .program_values import type_name, value_repr, value_str

_LEVELS = {"CRITICAL": 50, "FATAL": 50, "ERROR": 40, "WARNING": 30, "WARN": 30, "INFO": 20, "DEBUG": 10,
           "NOTSET": 0}


class _Stream:
    """What Python's StreamHandler writes to: the program's sys.stderr or sys.stdout."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, text):
        (current().write if self.stream is STDOUT else STDERR.write)(text)

    def flush(self):
        pass


def _message(msg, args):
    text = msg if type(msg) is str else value_str(msg)
    if args:
        if type(msg) is not str:
            raise_python(TypeError("not all arguments converted during string formatting"))
        text = percent(msg, args[0] if len(args) == 1 and type(args[0]) is dict else args)
    return text


def _level(level):
    if type(level) is str:
        if level not in _LEVELS:
            raise_python(ValueError(f"Unknown level: {level!r}"))
        return _LEVELS[level]
    if type(level) is not int:
        raise_python(TypeError(f"Level not an integer or a valid string: {level!r}"))
    return level


_PLACES = ("pathname", "filename", "module", "lineno", "funcName")


class Formatter:
    __slots__ = ("formatter",)
    type_name = "Formatter"
    program_methods = ()

    def __init__(self, fmt=None, datefmt=None, style="%", validate=True):
        if type(fmt) is str and any(f"{field}" in fmt for field in _PLACES):
            raise AgcliError("agcli's logging does not know a record's place in the program (its file, line or "
                             "function)", kind="value", hint="leave %(filename)s, %(lineno)d, %(funcName)s, "
                                                              "%(module)s and %(pathname)s out of the format")
        self.formatter = python_errors(logging.Formatter)(fmt, datefmt, style, validate)


class Handler:
    """StreamHandler (stderr, or the program's sys.stdout)."""

    __slots__ = ("handler",)
    type_name = "StreamHandler"
    program_methods = ("setFormatter", "setLevel")

    def __init__(self, stream=None):
        if stream is not None and stream is not STDERR and stream is not STDOUT:
            raise AgcliError(f"agcli's logging.StreamHandler writes to sys.stderr or sys.stdout, not a "
                             f"'{type_name(stream)}'", kind="type")
        self.handler = logging.StreamHandler(_Stream(stream or STDERR))

    def setFormatter(self, fmt):
        if type(fmt) is not Formatter:
            raise AgcliError(f"agcli's setFormatter takes a logging.Formatter, not a '{type_name(fmt)}'",
                             kind="type")
        self.handler.setFormatter(fmt.formatter)

    def setLevel(self, level):
        self.handler.setLevel(_level(level))

    def __repr__(self):
        return repr(self.handler)


class Logger:
    """A logger of the program's hierarchy."""

    __slots__ = ("logger",)
    type_name = "Logger"
    program_methods = ("debug", "info", "warning", "warn", "error", "critical", "fatal", "log", "setLevel",
                       "getEffectiveLevel", "isEnabledFor", "addHandler", "removeHandler", "hasHandlers",
                       "getChild")
    program_attributes = {"name": "name", "level": "level", "handlers": "handlers", "propagate": "propagate"}

    def __init__(self, logger):
        self.logger = logger

    name = property(lambda self: self.logger.name)
    level = property(lambda self: self.logger.level)
    propagate = property(lambda self: self.logger.propagate,
                         lambda self, value: setattr(self.logger, "propagate", value))
    program_writable = ("propagate",)
    handlers = property(lambda self: [_HANDLERS.get(id(h), h) for h in self.logger.handlers])

    def log(self, level, msg, *args, **kwargs):
        level = _level(level)
        if self.logger.isEnabledFor(level):
            try:
                text = _message(msg, args)
            except ProgramException as e:       # (Python's handler reports it on stderr, and the program goes on)
                STDERR.write(f"--- Logging error ---\n{type(e.value).__name__}: {e.value}\nMessage: {value_repr(msg)}\n"
                             f"Arguments: {value_repr(args)}\n")
                return
            self.logger.log(level, "%s", text, stacklevel=kwargs.get("stacklevel", 1))

    def debug(self, msg, *args, **kwargs):
        self.log(10, msg, *args, **kwargs)

    def info(self, msg, *args, **kwargs):
        self.log(20, msg, *args, **kwargs)

    def warning(self, msg, *args, **kwargs):
        self.log(30, msg, *args, **kwargs)

    warn = warning

    def error(self, msg, *args, **kwargs):
        self.log(40, msg, *args, **kwargs)

    def critical(self, msg, *args, **kwargs):
        self.log(50, msg, *args, **kwargs)

    fatal = critical

    def setLevel(self, level):
        self.logger.setLevel(_level(level))

    def getEffectiveLevel(self):
        return self.logger.getEffectiveLevel()

    def isEnabledFor(self, level):
        return self.logger.isEnabledFor(level)

    def addHandler(self, handler):
        if type(handler) is not Handler:
            raise AgcliError(f"agcli's addHandler takes a logging.StreamHandler, not a '{type_name(handler)}'",
                             kind="type")
        _HANDLERS[id(handler.handler)] = handler
        self.logger.addHandler(handler.handler)

    def removeHandler(self, handler):
        if type(handler) is Handler:
            self.logger.removeHandler(handler.handler)

    def hasHandlers(self):
        return self.logger.hasHandlers()

    def getChild(self, suffix):
        return get_logger(f"{self.logger.name}.{suffix}" if self.logger is not _ROOT[0] else suffix)

    def __repr__(self):
        return repr(self.logger)


_HANDLERS: dict = {}
_ROOT: list = []
_LOGGERS: dict = {}


def _hierarchy():
    """The program's root logger and manager (Python's classes, apart from Python's own root)."""
    if not _ROOT:
        root = logging.RootLogger(logging.WARNING)
        root.manager = logging.Manager(root)
        _ROOT.append(root)
    return _ROOT[0]


def get_logger(name=None):
    root = _hierarchy()
    if name is not None and type(name) is not str:
        raise_python(TypeError("A logger name must be a string"))
    logger = root if not name or name == "root" else root.manager.getLogger(name)
    if id(logger) not in _LOGGERS:
        _LOGGERS[id(logger)] = Logger(logger)
    return _LOGGERS[id(logger)]


def basic_config(**kwargs):
    """logging.basicConfig as Python's (stream, format, datefmt, style, level, force; no files)."""
    root = _hierarchy()
    if kwargs.pop("force", False):
        for h in root.handlers[:]:
            root.removeHandler(h)
    if "filename" in kwargs or "handlers" in kwargs:
        raise AgcliError("agcli's logging.basicConfig writes to stderr (or stream=sys.stdout), not to files "
                         "or handlers of its own", kind="value", hint="logging.basicConfig(level=logging.INFO)")
    if root.handlers:
        return
    style = kwargs.pop("style", "%")
    handler = Handler(kwargs.pop("stream", None))
    fmt = kwargs.pop("format", None)
    handler.handler.setFormatter(Formatter(fmt or logging._STYLES.get(style, ("", ""))[1], kwargs.pop(
        "datefmt", None), style).formatter)
    root.addHandler(handler.handler)
    level = kwargs.pop("level", None)
    if level is not None:
        root.setLevel(_level(level))
    if kwargs:
        raise_python(ValueError(f"Unrecognised argument(s): {', '.join(kwargs)}"))


def _module_function(name):
    def call(msg, *args, **kwargs):
        if not _hierarchy().handlers:
            basic_config()
        getattr(get_logger(), name)(msg, *args, **kwargs)
    return call


def _module_log(level, msg, *args, **kwargs):
    if not _hierarchy().handlers:
        basic_config()
    get_logger().log(level, msg, *args, **kwargs)


def entries(builtin_class) -> dict:
    functions = {name: _module_function(name) for name in ("debug", "info", "warning", "warn", "error",
                                                           "critical", "fatal")}
    functions.update(basicConfig=basic_config, getLogger=get_logger, getLevelName=logging.getLevelName,
                     log=_module_log)
    table = {name: Builtin(name, python_errors(fn)) for name, fn in functions.items()}
    table.update({name: builtin_class(name, "logging", cls, python_errors(cls)) for name, cls in (
        ("StreamHandler", Handler), ("Formatter", Formatter), ("Logger", Logger))})
    table["Logger"].constructor = None
    table.update(_LEVELS)
    return table
