"""Regenerate agcli/language/_parser.py and _tables.py from grammar/agcli.lark.

A developer's tool (it needs Lark; agcli does not at run time):

    python tools/gen_parser.py

_parser.py is Lark's standalone parser (used to word syntax errors and to lex
programs of several lines); _tables.py is its parse table, rules and
terminals as plain literals, which agcli.language.syntax drives with its own
loop so that start-up builds no parser.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:       # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from agcli.language.syntax import _lark_parser, _passes_up, _ToAst  # noqa: E402

PACKAGE = ROOT / "agcli" / "language"


def regenerate():
    """Write agcli/_parser.py from grammar/agcli.lark with Lark's standalone tool,
    then agcli/_tables.py from it.

    The first line of each records the grammar's hash, so a test can tell a
    stale parser (Lark's output is not byte-for-byte repeatable, the hash is).
    """
    import subprocess

    grammar = grammar_path()
    here = PACKAGE
    generated = subprocess.run([sys.executable, "-m", "lark.tools.standalone", "--maybe_placeholders",
                                str(grammar)], check=True, capture_output=True, text=True).stdout
    (here / "_parser.py").write_text(f"# {grammar_stamp()}\n" + generated)
    print(f"wrote {here / '_parser.py'}")
    # A fresh process imports the _parser.py just written.
    write = "import sys; from tools.gen_parser import tables_source; sys.stdout.write(tables_source())"
    tables = subprocess.run([sys.executable, "-c", write], check=True, capture_output=True, text=True,
                            cwd=ROOT).stdout
    (here / "_tables.py").write_text(tables)
    print(f"wrote {here / '_tables.py'}")


# Python's regex tries the alternatives of Lark's terminal pattern in order,
# and most of an expression is names, spaces, brackets and separators. These
# are tried first: the punctuation begins with characters no other terminal
# begins with, and a name, refused where a string with a prefix begins (f"..."
# is a STRING), begins where no terminal tried before it in Lark's order can
# match. The tokens stay the same (a test checks every short text against
# Lark's order), in about half the time.
TRIED_FIRST = ("__IGNORE_0", "LPAR", "RPAR", "LSQB", "RSQB", "COMMA", "SEMICOLON", "COLON", "NAME")
_NOT_A_STRING_PREFIX = "(?![fFrR]{1,2}['\"])"


def tried_first(pattern: str) -> str:
    """Lark's terminal pattern, (?P<NAME>...)|(?P<NAME>...)|..., with TRIED_FIRST moved to the front."""
    import re
    alternatives = re.split(r"\|(?=\(\?P<)", pattern)
    name_of = {a[len("(?P<"):a.index(">")]: a for a in alternatives}
    if not set(TRIED_FIRST) <= set(name_of) or "[fFrR]{0,2}" not in name_of.get("STRING", ""):
        raise ValueError("the lexer's terminals are not those tried_first was written for")
    first = [name_of[n] for n in TRIED_FIRST]
    first[-1] = first[-1].replace("(?P<NAME>", "(?P<NAME>" + _NOT_A_STRING_PREFIX, 1)
    return "|".join(first + [a for a in alternatives if a[len("(?P<"):a.index(">")] not in TRIED_FIRST])


def tables_source() -> str:
    """The text of _tables.py: _parser.py's parse table, rules and terminals as literals."""
    import functools
    import inspect

    P, lark = _lark_parser()
    parser = lark.parser.parser.parser
    table = parser.parse_table
    callbacks = parser.callbacks
    if any(isinstance(key, str) for key in callbacks):
        raise TypeError("terminal callbacks are not written to _tables.py")

    def spec(f):
        if isinstance(f, P.ChildFilterLALR_NoPlaceholders):
            return ("filter", tuple((i, to_expand, 0) for i, to_expand in f.to_include), 0, spec(f.node_builder))
        if isinstance(f, P.ChildFilterLALR):
            return ("filter", tuple(tuple(t) for t in f.to_include), f.append_none, spec(f.node_builder))
        if isinstance(f, P.ExpandSingleChild):
            return ("expand1", spec(f.node_builder))
        if isinstance(f, functools.partial) and f.func is P.Tree and not f.keywords and len(f.args) == 1:
            return ("tree", str(f.args[0]))
        if inspect.ismethod(f) and isinstance(f.__self__, _ToAst):
            return ("method", f.__name__)
        raise TypeError(f"_tables.py cannot write down the callback {f!r}")

    rules = list(callbacks)
    index = {id(rule): i for i, rule in enumerate(rules)}
    rows = {state: {symbol: arg if action is P.Shift else -1 - index[id(arg)]
                    for symbol, (action, arg) in actions.items()}
            for state, actions in table.states.items()}
    rule_rows = tuple((len(r.expansion), r.origin.name, _passes_up(r, callbacks), spec(callbacks[r]))
                      for r in rules)

    root = lark.parser.lexer.lexer.root_lexer      # the contextual lexer's lexer of every terminal
    (pattern,) = root.scanner._mres                # one alternation: _one_line_tokens needs it so
    keywords = {}
    for kind, retype in root.callback.items():     # NAME -> the keywords it may be
        for terminal in lark.terminals:
            if terminal.pattern.type != "str":
                continue
            retyped = retype(P.Token(kind, terminal.pattern.value)).type
            if retyped != kind:
                if terminal.pattern.flags:         # "if"i: a dict of exact texts would miss "IF"
                    raise TypeError(f"_tables.py cannot write down the keyword {terminal.name}")
                keywords.setdefault(kind, {})[terminal.pattern.value] = retyped

    def literal(name, value):
        return f"{name} = {value!r}\n"

    def one_per_line(name, items, open_, close):      # a rule or a state a line
        return f"{name} = {open_}\n" + "".join(f"    {item},\n" for item in items) + f"{close}\n"

    return (f"# {grammar_stamp()}\n"
            '"""_parser.py\'s LALR table, rules and terminals as literals: see agcli/language/syntax.py."""\n'
            + literal("PATTERN", tried_first(pattern.pattern)) + literal("FLAGS", pattern.flags)
            + literal("IGNORE", tuple(sorted(root.ignore_types))) + literal("KEYWORDS", keywords)
            + literal("START", table.start_states["start"]) + literal("END", table.end_states["start"])
            + "# (size, symbol made, passes its value up, callback)\n"
            + one_per_line("RULES", map(repr, rule_rows), "(", ")")
            + "# state: {symbol: n >= 0 to shift to state n, n < 0 to reduce by rule -1 - n}\n"
            + one_per_line("TABLE", (f"{state}: {row!r}" for state, row in rows.items()), "{", "}"))


def grammar_stamp() -> str:
    """What the first line of _parser.py must say for the grammar it was built from."""
    import hashlib
    digest = hashlib.sha256(grammar_path().read_bytes()).hexdigest()
    return f"generated by `python tools/gen_parser.py` from grammar/agcli.lark, sha256 {digest}; do not edit"


def grammar_path():
    """The grammar file of this checkout."""
    return ROOT / "grammar" / "agcli.lark"


if __name__ == "__main__":
    regenerate()
