"""Binding arguments: `--a 2`, `--a=2`, `-D a=2`, and one batch line's words.

Typer parses the options it knows; the free-form `--NAME VALUE` bindings are
read here, and so is a whole batch line (which must not pay for a Click parse
per line).
"""
from __future__ import annotations

import re

from .errors import AgcliError

# Options a batch line may carry, with the key they set.
LINE_OPTIONS = {"--wrt": "wrt", "--grad-output": "grad_output", "--seed": "seed", "--dtype": "dtype"}


# Options of `agcli batch` itself, which a line cannot change.
BATCH_ONLY = ("--format", "--out", "--max-elements", "--progress", "--no-progress", "--debug")


class GradArgs:
    __slots__ = ("expr", "bindings", "wrt", "grad_output", "seed", "dtype")

    def __init__(self):
        self.expr = None
        self.bindings = {}
        self.wrt = None
        self.grad_output = None
        self.seed = None
        self.dtype = None


def _is_name(s: str) -> bool:
    return s.isidentifier() and not s.startswith("__")


def read_bindings(words, bindings=None, options=None) -> dict:
    """Consume `--NAME VALUE` / `--NAME=VALUE` / `-D NAME=VALUE` words into a dict.

    options: a dict of option word -> key; those are stored under "--key"
    entries of the result's `options` attribute instead of as bindings.
    """
    bindings = {} if bindings is None else bindings
    found = {}
    i = 0
    while i < len(words):
        word = words[i]
        if word in ("-D", "--define") or word.startswith("-D") and len(word) > 2:
            spec = word[2:] if word.startswith("-D") and len(word) > 2 else _next(words, i, word)
            i += 0 if word.startswith("-D") and len(word) > 2 else 1
            name, eq, value = spec.partition("=")
            if not eq or not _is_name(name):
                raise AgcliError(f"-D takes NAME=VALUE, got {spec!r}", kind="usage")
            _bind(bindings, name, value)
        elif word.startswith("--") and len(word) > 2:
            name, eq, value = word[2:].partition("=")
            if options is not None and "--" + name in BATCH_ONLY:
                raise AgcliError(f"--{name} applies to the whole batch: give it to `agcli batch`",
                                 kind="usage")
            if options is not None and "--" + name in options:
                if not eq:
                    value = _next(words, i, word)
                    i += 1
                found[options["--" + name]] = value
            else:
                if not _is_name(name):
                    raise AgcliError(f"'{word}' is not a binding: a variable name is letters, digits and _",
                                     kind="usage", hint="bind a variable with --NAME VALUE, e.g. --x 2")
                if not eq:
                    value = _next(words, i, word)
                    i += 1
                _bind(bindings, name, value)
        else:
            raise AgcliError(f"unexpected argument {word!r}", kind="usage",
                             hint="bindings are --NAME VALUE; quote the expression as one argument")
        i += 1
    return bindings if options is None else (bindings, found)


def _next(words, i, word):
    if i + 1 >= len(words):
        raise AgcliError(f"{word} needs a value", kind="usage")
    return words[i + 1]


def _bind(bindings, name, value):
    if name in bindings:
        raise AgcliError(f"--{name} is bound twice", kind="usage")
    bindings[name] = value


_LINE = re.compile(r"""\s*(?:(?:"[^"\\]*"|'[^']*'|[^\s"'\\])+\s*)*""")
_WORD = re.compile(r"""(?:"[^"\\]*"|'[^']*'|[^\s"'\\])+""")
_PART = re.compile(r""""([^"]*)"|'([^']*)'|([^"']+)""")


def split_words(line: str) -> list[str]:
    """Split a line as a POSIX shell would (shlex.split); a regex does the
    common case (quotes without backslashes) in a tenth of shlex's time."""
    if _LINE.fullmatch(line):
        return [w if '"' not in w and "'" not in w else "".join(a + b + c for a, b, c in _PART.findall(w))
                for w in _WORD.findall(line)]
    import shlex
    try:
        return shlex.split(line, comments=False)
    except ValueError as e:
        raise AgcliError(f"cannot split the line into arguments: {e}", kind="usage") from None


def _wants_value(word: str) -> bool:
    if word in ("-D", "--define"):
        return True
    return word.startswith("--") and "=" not in word


def parse_line(line: str) -> GradArgs:
    """One batch line: shell-quoted words of an `agcli grad` call."""
    words = split_words(line)
    if words and words[0] == "grad":
        words = words[1:]
    args = GradArgs()
    rest = []
    pending = False          # the previous word is an option waiting for its value
    for w in words:
        if pending:
            rest.append(w)
            pending = False
        elif w.startswith("--") or w.startswith("-D"):
            rest.append(w)
            pending = _wants_value(w)
        elif args.expr is None:
            args.expr = w
        else:
            rest.append(w)
    if args.expr is None:
        raise AgcliError("the line has no expression", kind="usage",
                         hint='write the expression first, e.g. "a*b + c" --a 2 --b 3 --c 1')
    bindings, opts = read_bindings(rest, options=LINE_OPTIONS)
    args.bindings = bindings
    for key, value in opts.items():
        setattr(args, key, value)
    if args.wrt is not None:
        args.wrt = split_names(args.wrt)
    if args.seed is not None:
        try:
            args.seed = int(args.seed)
        except ValueError:
            raise AgcliError(f"--seed takes a whole number, got {args.seed!r}", kind="usage") from None
    return args


def split_names(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    for n in names:
        if not _is_name(n):
            raise AgcliError(f"--wrt takes names separated by commas, got {text!r}", kind="usage")
    return names
