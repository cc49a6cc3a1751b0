"""The words of one `agcli grad` call: options, `--NAME VALUE` bindings, the expression.

One parser serves the command line and every line of a batch file, so the
two cannot drift apart. It is also the hot path's parser: `agcli grad` does
not pay for Typer's start-up (cli/main.py), and a batch line does not pay for a
Click parse.
"""
from __future__ import annotations

import re

from ..errors import AgcliError
from .line_words import split_words


def _whole_number(option, text):
    try:
        return int(text)
    except ValueError:
        raise AgcliError(f"{option} takes a whole number, got {text!r}", kind="usage") from None


def _seed(option, text):
    """A seed torch.manual_seed takes: -2**63 to 2**64 - 1."""
    n = _whole_number(option, text)
    if not -2**63 <= n < 2**64:
        raise AgcliError(f"{option} takes a seed from -2**63 to 2**64 - 1, got {text}", kind="usage",
                         hint="PyTorch's manual_seed takes no larger one (its ValueError: Overflow when unpacking "
                              "long long)")
    return n


def _count(option, text):
    """A whole number of at least 1 (--max-elements)."""
    n = _whole_number(option, text)
    if n < 1:
        raise AgcliError(f"{option} takes a whole number of at least 1, got {text!r}", kind="usage")
    return n


def _choice(*allowed):
    def check(option, text):
        if text not in allowed:
            raise AgcliError(f"{option} takes {' or '.join(allowed)}, got {text!r}", kind="usage")
        return text
    return check


def split_names(text: str, option: str = "--wrt") -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    for n in names:
        if not _is_name(n):
            raise AgcliError(f"{option} takes names separated by commas, got {text!r}", kind="usage")
    return names


# option word -> (GradArgs field, how to read its value; None for a flag)
GRAD_OPTIONS = {
    "--wrt": ("wrt", lambda option, text: split_names(text, option)),
    "--grad-output": ("grad_output", lambda option, text: text),
    "--seed": ("seed", _seed),
    "--dtype": ("dtype", _choice("float32", "float64")),
    "--format": ("format", _choice("rich", "json")),
    "-f": ("format", _choice("rich", "json")),
    "--out": ("out", lambda option, text: text),
    "--max-elements": ("max_elements", _count),
    "--device": ("device", _choice("cpu", "cuda")),
    "--debug": ("debug", None),
    "--color": ("color", _choice("auto", "always", "never")),
    "--strict": ("strict", None),
    "--detect-anomaly": ("detect_anomaly", None),
}


def _number(option, text):
    try:
        return float(text)
    except ValueError:
        raise AgcliError(f"{option} takes a number, got {text!r}", kind="usage") from None


# The calculus commands' words (evaluate/calculus.py), each with its options: grad's
# but --grad-output and --out, and its own. `--vector NAME=VALUE` may repeat (parse_words).
_CALCULUS_BASE = {o: entry for o, entry in GRAD_OPTIONS.items() if o not in ("--grad-output", "--out")}
_VECTOR = {"--vector": ("vectors", None)}
_CHECK = {"--eps": ("eps", _number), "--atol": ("atol", _number), "--rtol": ("rtol", _number),
          "--second-order": ("second_order", None)}
COMMAND_OPTIONS = {
    "grad": GRAD_OPTIONS,
    "jacobian": _CALCULUS_BASE,
    "hessian": _CALCULUS_BASE,
    "jvp": {**_CALCULUS_BASE, **_VECTOR},
    "vjp": {**_CALCULUS_BASE, "--grad-output": GRAD_OPTIONS["--grad-output"]},
    "hvp": {**_CALCULUS_BASE, **_VECTOR},
    "vhp": {**_CALCULUS_BASE, **_VECTOR},
    "check": {**_CALCULUS_BASE, **_CHECK},
}
# What a batch line may set for itself; the rest belongs to `agcli batch`.
LINE_OPTIONS = ("--wrt", "--grad-output", "--seed", "--dtype", "--vector", "--eps", "--atol", "--rtol",
                "--second-order", "--detect-anomaly")
_LINE_ALLOWED = {command: tuple(o for o in LINE_OPTIONS if o in options)
                 for command, options in COMMAND_OPTIONS.items()}


class GradArgs:
    __slots__ = ("expr", "bindings", "wrt", "grad_output", "seed", "dtype", "format", "out",
                 "max_elements", "device", "debug", "strict", "color", "saved", "command", "vectors",
                 "eps", "atol", "rtol", "second_order", "detect_anomaly", "defined")

    def __init__(self):
        # (plain stores: a loop of setattr over the slots cost as much as reading a batch line's words)
        self.expr = self.wrt = self.grad_output = self.seed = self.dtype = self.format = self.out = None
        self.max_elements = self.device = self.debug = self.strict = self.color = self.saved = None
        self.vectors = self.eps = self.atol = self.rtol = self.second_order = self.detect_anomaly = None
        self.defined = ()       # the names bound by -D (never a mistyped option)
        self.bindings = {}
        self.command = "grad"

    def options(self, command: str | None = None) -> dict:
        """The keyword options the command's function (evaluate/calculus.py) takes from these words."""
        command = command or self.command
        found = {"wrt": self.wrt, "strict": bool(self.strict)}
        if command in ("jvp", "hvp", "vhp"):
            found["vectors"] = self.vectors or {}
        if command == "vjp":
            found["grad_output"] = self.grad_output
        if command == "check":
            found.update({name: value for name, value in (("eps", self.eps), ("atol", self.atol),
                                                          ("rtol", self.rtol)) if value is not None})
            found["second_order"] = bool(self.second_order)
        return found


def _is_name(s: str) -> bool:
    return s.isidentifier() and not s.startswith("__")


def parse_words(words, allowed=tuple(GRAD_OPTIONS), where="the command", read_expr=None,
                options=GRAD_OPTIONS) -> GradArgs:
    """Read the words of a grad call; the first word that is not an option is EXPR
    (read_expr turns it into the expression's text: `-` and `@FILE` on the command line).
    options: another command's table in GRAD_OPTIONS' form (`agcli graph`, `explain`)."""
    args = GradArgs()
    if read_expr is not None or not _expression_and_bindings(words, options, args):
        _read_words(args, words, allowed, where, read_expr, options)
    if args.expr is None:
        raise AgcliError(f"{where} has no expression", kind="usage",
                         hint='write the expression first, e.g. "a*b + c" --a 2 --b 3 --c 1')
    for name in args.bindings:
        if len(name) >= 3 and name not in args.defined:      # (no option's name is shorter)
            _refuse_mistyped_option(name, args.expr, where, options)
    return args


def _expression_and_bindings(words, options, args) -> bool:
    """The commonest words, EXPR then `--NAME VALUE` pairs, read into args as
    _read_words reads them, without its tests a word; False (args untouched)
    for any other words, which _read_words then reads (and words its errors)."""
    if len(words) % 2 == 0 or words[0][:1] == "-":
        return False
    bindings = {}
    for option, value in zip(words[1::2], words[2::2]):
        name = option[2:]
        if (option[:2] != "--" or option in options or not name.isidentifier() or name[:2] == "__"
                or name == "define" or name in bindings):
            return False
        bindings[name] = value
    args.expr, args.bindings = words[0], bindings
    return True


def _read_words(args, words, allowed, where, read_expr, options):
    """parse_words' reading of each word in turn: options, bindings (-D, --NAME VALUE) and EXPR."""
    given = set()       # the options' fields read so far
    i = 0
    while i < len(words):
        word = words[i]
        if word in ("-D", "--define") or word.startswith(("-D", "--define=")):
            if word in ("-D", "--define"):
                spec = _value(words, i, word)
                i += 1
            else:
                spec = word[2:] if word.startswith("-D") else word[len("--define="):]
            name, eq, value = spec.partition("=")
            if not eq or not _is_name(name):
                raise AgcliError(f"-D takes NAME=VALUE, got {spec!r}", kind="usage")
            _bind(args.bindings, name, value)
            args.defined += (name,)
        elif "--vector" in options and (word == "--vector" or word.startswith("--vector=")):
            if word == "--vector":
                spec = _value(words, i, word)
                i += 1
            else:
                spec = word[len("--vector="):]
            name, eq, value = spec.partition("=")
            if not eq or not _is_name(name):
                raise AgcliError(f"--vector takes NAME=VALUE, got {spec!r}", kind="usage",
                                 hint="one --vector per variable, e.g. --vector x=\"[1, 0, 0]\"")
            args.vectors = args.vectors or {}
            if name in args.vectors:
                raise AgcliError(f"--vector {name} is given twice", kind="usage")
            args.vectors[name] = value
        elif word.startswith("--") or word in options:     # (a number never starts so)
            option, eq, value = word.partition("=")
            if option in options:
                if option not in allowed:
                    if option in _NOT_IN_BATCH:
                        raise AgcliError(f"{option} is not an option of a batch line", kind="usage",
                                         hint=_NOT_IN_BATCH[option])
                    why = " (the device is chosen once per run)" if option == "--device" else ""
                    raise AgcliError(f"{option} applies to the whole batch{why}: give it to `agcli batch`",
                                     kind="usage")
                field, read = options[option]
                if read is None:
                    value = True
                else:
                    if not eq:
                        value = _value(words, i, option)
                        i += 1
                    value = read(option, value)
                    if field in given:
                        if field != "wrt":
                            raise AgcliError(f"{option} is given twice", kind="usage", hint="give each option once")
                        value = args.wrt + [n for n in value if n not in args.wrt]   # --wrt x --wrt y: both
                    given.add(field)
                setattr(args, field, value)
            else:
                name = option[2:]
                if not _is_name(name) and any(option in table for table in COMMAND_OPTIONS.values()):
                    raise AgcliError(f"{option} is not an option of {where}", kind="usage",
                                     hint="each command's --help lists its options")
                if not _is_name(name):
                    _refuse_mistyped_option(name, "", where, options)     # --detect-anomali: an option's typo
                    raise AgcliError(f"'{word}' is not a binding: a variable name is letters, digits and _",
                                     kind="usage", hint="bind a variable with --NAME VALUE, e.g. --x 2")
                if not eq:
                    if i + 1 == len(words) or words[i + 1].startswith("--"):    # --strictt --x 1: a flag's typo?
                        _refuse_mistyped_option(name, args.expr or "", where, options)
                    value = _value(words, i, option)
                    i += 1
                _bind(args.bindings, name, value)
        elif args.expr is None:
            args.expr = word if read_expr is None else read_expr(word)
        else:
            raise AgcliError(f"unexpected argument {word!r} in {where}", kind="usage", hint=_stray_hint(word, where))
        i += 1


def _stray_hint(word, where):
    import os.path
    if where != "the line" and os.path.exists(word):     # `agcli grad x * y`: the shell's glob
        return "the shell replaced an unquoted * with the names of the files here: quote the expression"
    return "bindings are --NAME VALUE; quote the expression as one argument"


def _refuse_mistyped_option(name, expr, where, options):
    """--fromat json, --sed 0, --grad_output, jacobian's --vector, graph's --sav ...: a binding
    that the expression does not mention, named like an option (of any command, or of this one),
    is a mistyped option or one of another command, not a variable. So is a name with a hyphen
    (--detect-anomali), which no variable has."""
    if name == "version" and not re.search(r"(?<![\w.])version(?!\w)", expr):
        raise AgcliError(f"--version is not an option of {where}", kind="usage",
                         hint="agcli --version prints agcli's version")
    option = name.replace("_", "-")
    candidates = _option_names(options)
    if option not in candidates:
        if len(name) < 3 or not any(abs(len(name) - len(o)) <= 2 for o in candidates):
            return      # (the common case, before any regex or difflib)
        import difflib
        close = difflib.get_close_matches(option, candidates, n=1, cutoff=0.6)
        if not close:
            return
        option = close[0]
    if re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", expr):
        return      # a variable after all
    unused = (f"(--{name} would bind a variable '{name}', which the expression does not use)" if _is_name(name)
              else "(a variable's name has no hyphen)")
    if f"--{option}" in _BATCH_OPTIONS:
        raise AgcliError(f"--{name} is not an option of {where}", kind="usage",
                         hint=f"--{option} is an option of agcli batch, for the whole batch: "
                              f"agcli batch FILE --{option} ... {unused}")
    if f"--{option}" not in options:
        owners = ", ".join(f"agcli {c}" for c, table in COMMAND_OPTIONS.items() if f"--{option}" in table)
        raise AgcliError(f"--{name} is not an option of {where}", kind="usage",
                         hint=f"--{option} is an option of {owners} {unused}")
    raise AgcliError(f"unknown option --{name}", kind="usage", hint=f"did you mean --{option}? {unused}")


# grad's options that agcli batch has not, with what to do instead.
_NOT_IN_BATCH = {"--out": "a batch writes every line's result to standard output: redirect it to a file",
                 "--strict": "a batch warns of a binding the expression does not use; agcli grad --strict refuses it"}
_BATCH_OPTIONS = ("--jobs", "--cluster", "--progress", "--no-progress")     # (agcli batch's own, not a line's)
_OPTION_LIKE = sorted({o[2:] for table in COMMAND_OPTIONS.values() for o in table if o.startswith("--")} |
                      {o[2:] for o in _BATCH_OPTIONS})
_OPTION_NAMES: dict = {}      # id of a command's table -> _OPTION_LIKE and its own names (graph's saved)


def _option_names(options) -> list:
    names = _OPTION_NAMES.get(id(options))
    if names is None:
        names = _OPTION_NAMES[id(options)] = sorted(set(_OPTION_LIKE) | {o[2:] for o in options if o[:2] == "--"})
    return names


def _value(words, i, option):
    if i + 1 >= len(words):
        raise AgcliError(f"{option} needs a value", kind="usage")
    return words[i + 1]


def _bind(bindings, name, value):
    if name in bindings:
        raise AgcliError(f"--{name} is bound twice", kind="usage")
    bindings[name] = value


_NOT_LINE_COMMANDS = frozenset(("graph", "explain", "plot", "batch", "run", "repl"))


def parse_line(line: str, words: list[str] | None = None) -> GradArgs:
    """One batch line: the shell-quoted words of an `agcli grad` call, or of another
    command's when its word comes first (`hessian "x.pow(3).sum()" --x 2`). An
    expression that is one of those words follows `grad` (or another command's word):
    `grad hessian --hessian 2`. words: split_words(line), when the caller has them
    (a batch groups its lines by their words)."""
    if words is None:
        words = split_words(line)
    command = "grad"
    if words and words[0] in COMMAND_OPTIONS:
        command, words = words[0], words[1:]
    elif len(words) > 1 and words[0] in _NOT_LINE_COMMANDS and not words[1].startswith("--"):
        raise AgcliError(f"'{words[0]}' is not a command a batch line runs", kind="usage",
                         hint=f"a line is an `agcli grad` call, or starts with one of {', '.join(COMMAND_OPTIONS)}; "
                              f"run `agcli {words[0]}` for each expression instead")
    args = parse_words(words, allowed=_LINE_ALLOWED[command], where="the line", options=COMMAND_OPTIONS[command])
    args.command = command
    return args
