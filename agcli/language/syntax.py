"""Text -> AST: Lark's LALR parser (generated from grammar/agcli.lark) and a
transformer that builds the frozen AST nodes of ast.py as it parses.

`python tools/gen_parser.py` writes two modules from the grammar, and a test
checks both are up to date:
- `_parser.py`, Lark's standalone parser: no Lark import and no grammar
  build at start-up;
- `_tables.py`, its parse table, rules and terminals as plain literals. Most
  texts are parsed by `_Driver` from these alone, so start-up does not build
  Lark's parser either (half of agcli's start-up beyond NumPy's). Lark's
  parser is built when a text needs it: to word a syntax error, and to lex a
  text of several lines (indentation).
"""
from __future__ import annotations

from itertools import chain

from . import ast as A
from ..errors import AgcliError

_driver = None      # _Driver on _tables.py, made on the first parse
_lark = None        # (the _parser module, Lark's parser), made when first needed

# What the parser's terminal names mean to a person reading an error.
_TERMINALS = {
    "NAME": "a name", "NUMBER": "a number", "STRING": "a string", "LPAR": "'('", "RPAR": "')'",
    "LSQB": "'['", "RSQB": "']'", "COMMA": "','", "COLON": "':'", "DOT": "'.'", "EQUAL": "'='",
    "ADD_OP": "'+' or '-'", "MUL_OP": "'*', '/' or '@'", "POW": "'**'", "COMPARE": "a comparison",
    "SEMICOLON": "';'", "_NL": "the end of the line", "$END": "the end of the input",
    "ELLIPSIS": "'...'",
}
_OPERAND_START = {"NAME", "NUMBER", "STRING", "LPAR", "LSQB", "ADD_OP"}


def _fast_driver():
    global _driver
    if _driver is None:
        from . import _tables
        _driver = _Driver(_tables, _ToAst())
    return _driver


def _lark_parser():
    """(the _parser module, Lark's standalone parser with our transformer and indenter)."""
    global _lark
    if _lark is None:
        from . import _parser as P

        class Indenter(P.Indenter):
            NL_type = "_NL"
            OPEN_PAREN_types = ["LPAR", "LSQB"]
            CLOSE_PAREN_types = ["RPAR", "RSQB"]
            INDENT_type = "_INDENT"
            DEDENT_type = "_DEDENT"
            tab_len = 8

        _lark = (P, P.Lark_StandAlone(transformer=_ToAst(), postlex=Indenter()))
    return _lark


class _Driver:
    """Lark's LALR table (as _tables.py writes it down) with _ToAst's callbacks,
    driven by a loop that skips the reductions which only pass a value up a
    level of precedence.

    An operand climbs about ten such levels (atom -> postfix -> ... -> expr)
    before the parser can use it, and Lark's loop pays for each. A run of
    these unit reductions pops one state and pushes one, so the state below
    stays put: where it ends depends only on (state below, state on top,
    next token), and is looked up once. Anything unexpected (a syntax error)
    is left to Lark's own parse, which says what went wrong.
    """

    def __init__(self, tables, transformer):
        import re
        self.pattern = re.compile(tables.PATTERN, tables.FLAGS)
        self.ignore = frozenset(tables.IGNORE)
        self.keywords = tables.KEYWORDS             # NAME -> {text: a keyword's terminal}
        rules = [(size, symbol, _callback(spec, transformer), passes_up)
                 for size, symbol, passes_up, spec in tables.RULES]
        self.table = _Table(tables.TABLE, rules)
        self.start, self.end = tables.START, tables.END
        self.climbs = {}

    def parse(self, text: str):
        table, climbs, end = self.table, self.climbs, self.end
        stack = _Stack([self.start])
        state_stack = stack.states
        value_stack = []
        if text.find("\n") == len(text) - 1 and "\r" not in text:
            tokens = self._one_line_tokens(text)
        else:                                       # indentation: Lark's lexer and indenter
            P, lark = _lark_parser()
            tokens = lark.parser.lexer.lex(P.LexerState(P.TextSlice.cast_from(text)), stack)
        for token in chain(tokens, _END):
            kind = token.type
            while True:
                shift, arg = table[state_stack[-1]][kind]
                if shift:
                    state_stack.append(arg)
                    value_stack.append(token)
                    break
                size, symbol, callback, passes_up = arg
                if passes_up:               # skip the run of reductions that pass a value up
                    key = (state_stack[-2], state_stack[-1], kind)
                    top = climbs.get(key)
                    if top is None:
                        top = climbs[key] = self._climb(*key)
                    state_stack[-1] = top
                    continue
                if size:                    # reduce
                    children = value_stack[-size:]
                    del state_stack[-size:]
                    del value_stack[-size:]
                else:
                    children = []
                state_stack.append(table[state_stack[-1]][symbol][1])
                value_stack.append(callback(children))
                if state_stack[-1] == end:  # the start rule, after $END
                    return value_stack[-1]

    def _one_line_tokens(self, text):
        """The tokens of a text that is one line: one scan with the regex of all
        terminals (as Lark's basic lexer), no indentation to track."""
        keywords, ignore = self.keywords, self.ignore
        pos = 0
        for m in self.pattern.finditer(text):
            start, stop = m.span()
            if start != pos:
                raise _NotOneLine          # a character no terminal matches: Lark's lexer says which
            kind = m.lastgroup
            if kind not in ignore:
                token = _Token(m.group())
                token.type = keywords[kind].get(token, kind) if kind in keywords else kind
                token.start_pos = start
                token.end_pos = stop
                yield token
            pos = stop
        if pos != len(text):
            raise _NotOneLine

    def _climb(self, below, top, kind):
        """The state a run of pass-up reductions ends in."""
        table = self.table
        while True:
            shift, arg = table[top].get(kind, (True, None))
            if shift or not arg[3]:
                return top
            top = table[below][arg[1]][1]


class _Table(dict):
    """state -> {symbol: (True, next state) to shift, or (False, rule) to reduce},
    a rule being (how many values it takes, the symbol it makes, its callback,
    whether it only passes its value up). A state's row is made from
    _tables.TABLE (n >= 0: shift to state n; n < 0: reduce by rule -1 - n)
    when first asked for."""

    def __init__(self, rows, rules):
        super().__init__()
        self.rows, self.rules = rows, rules

    def __missing__(self, state):
        rules = self.rules
        row = self[state] = {symbol: (True, n) if n >= 0 else (False, rules[-1 - n])
                             for symbol, n in self.rows[state].items()}
        return row


def _callback(spec, transformer):
    """What a rule's reduction calls, from its description in _tables.RULES
    (which writes down the callbacks Lark's parse-tree builder makes)."""
    kind = spec[0]
    if kind == "method":                        # a method of _ToAst
        return getattr(transformer, spec[1])
    if kind == "tree":                          # a rule _ToAst leaves alone: a tree to splice
        name = spec[1]
        return lambda children: _Tree(name, children)
    if kind == "expand1":                       # ?rule: one child passes up as it is
        build = _callback(spec[1], transformer)
        return lambda children: children[0] if len(children) == 1 else build(children)
    _, to_include, append_none, inner = spec    # "filter": drop punctuation, splice _rules
    build = _callback(inner, transformer)

    def filtered(children):                     # as Lark's ChildFilterLALR
        kept = []
        for i, to_expand, add_none in to_include:
            if add_none:
                kept += [None] * add_none
            if to_expand:
                if kept:
                    kept += children[i].children
                else:
                    kept = children[i].children
            else:
                kept.append(children[i])
        if append_none:
            kept += [None] * append_none
        return build(kept)
    return filtered


class _Tree:
    """A rule's children, to be spliced into its parent's (Lark's Tree, as far as it is used)."""

    __slots__ = ("data", "children")

    def __init__(self, data, children):
        self.data, self.children = data, children


class _Token(str):
    """What the callbacks read of a token: its text, terminal and span (Lark's
    Token carries line and column too, and costs twice as much to make)."""

    __slots__ = ("type", "start_pos", "end_pos")


_END = (_Token(""),)          # what follows the last token
_END[0].type = "$END"


class _NotOneLine(Exception):
    """The fast lexer cannot read this text: Lark's lexer will."""


class _Stack:
    """What Lark's contextual lexer asks of the parser: its current state."""

    __slots__ = ("states",)

    def __init__(self, states):
        self.states = states

    @property
    def position(self):
        return self.states[-1]


def _passes_up(rule, callbacks) -> bool:
    """Is `rule` a `?rule` with one symbol, whose callback hands its one child back?"""
    if len(rule.expansion) != 1 or rule.alias or not rule.options.expand1:
        return False
    child = object()
    try:
        return callbacks[rule]([child]) is child
    except Exception:
        return False


class _ToAst:
    """Callbacks named after the grammar's rules; each returns an AST node."""

    @staticmethod
    def _span(node):
        if hasattr(node, "span"):
            return node.span
        return (node.start_pos, node.end_pos)

    def start(self, items):
        return tuple(items)

    # ---------------------------------------------------------- statements
    def assign(self, items):
        *targets, value = items
        for t in targets:
            _check_target(t)
        return A.Assign(tuple(targets), value, (self._span(targets[0])[0], self._span(value)[1]))

    def augassign(self, items):
        target, op, value = items
        if not isinstance(target, (A.Name, A.Index, A.Attribute)):
            raise AgcliError("illegal expression for augmented assignment", self._span(target), kind="syntax")
        return A.AugAssign(target, str(op)[:-1], value, (self._span(target)[0], self._span(value)[1]),
                           (op.start_pos, op.end_pos))

    def pass_(self, items):
        return A.Pass(None)

    def break_(self, items):
        return A.Break(None)

    def continue_(self, items):
        return A.Continue(None)

    def return_(self, items):
        (value,) = items
        return A.Return(value, None if value is None else self._span(value))

    def import_(self, items):
        module, alias = items
        return A.Import(module[0], None, None if alias is None else str(alias), module[1])

    def import_from(self, items):
        module, name, alias = items
        return A.Import(module[0], str(name), None if alias is None else str(alias), module[1])

    def dotted(self, items):
        return ".".join(str(t) for t in items), (items[0].start_pos, items[-1].end_pos)

    def del_(self, items):
        (target,) = items
        return A.Delete(target, self._span(target))

    def suite(self, items):
        return tuple(items)

    def if_stmt(self, items):
        test, body, *elifs, orelse = items
        for e_test, e_body in reversed(elifs):
            orelse = (A.If(e_test, e_body, orelse or (), self._span(e_test)),)
        return A.If(test, body, orelse or (), self._span(test))

    def elif_clause(self, items):
        return tuple(items)

    def while_stmt(self, items):
        test, body = items
        return A.While(test, body, self._span(test))

    def for_stmt(self, items):
        targets, iterable, body = items
        return A.For(targets[0], iterable, body, targets[1])

    def for_target(self, items):
        return tuple(str(t) for t in items), (items[0].start_pos, items[-1].end_pos)

    def def_stmt(self, items):
        name, params, body = items
        return A.FunctionDef(str(name), tuple(params or ()), body, (name.start_pos, name.end_pos))

    def parameters(self, items):
        return items

    def parameter(self, items):
        name, default = items
        return (str(name), default)

    def with_stmt(self, items):
        context, alias, body = items
        return A.With(context, None if alias is None else str(alias), body, self._span(context))

    def try_stmt(self, items):
        body = items[0]
        handlers = tuple(i for i in items[1:] if isinstance(i, A.ExceptHandler))
        rest = [i for i in items[1:] if isinstance(i, tuple)]
        final = rest[0] if rest else ()
        first = body[0] if body else None
        span = getattr(first, "span", None)
        return A.Try(body, handlers, final, span)

    def except_clause(self, items):
        kind, name, body = items
        return A.ExceptHandler(kind, None if name is None else str(name), body,
                               None if kind is None else self._span(kind))

    # --------------------------------------------------------- expressions
    def or_(self, items):
        left, right = items
        return A.BoolOp("or", left, right, (self._span(left)[0], self._span(right)[1]))

    def and_(self, items):
        left, right = items
        return A.BoolOp("and", left, right, (self._span(left)[0], self._span(right)[1]))

    def not_(self, items):
        (operand,) = items
        return A.Not(operand, self._span(operand))

    def ifexp(self, items):
        body, test, orelse = items
        return A.IfExp(test, body, orelse, (self._span(body)[0], self._span(orelse)[1]))

    def compare(self, items):
        operands, ops, spans = [items[0]], [], []
        pending = None
        for item in items[1:]:
            if hasattr(item, "type") and not hasattr(item, "span"):  # an operator token
                text = str(item)
                if pending is None:
                    pending = (text, (item.start_pos, item.end_pos))
                else:   # 'not in', 'is not'
                    pending = (pending[0] + " " + text, (pending[1][0], item.end_pos))
            else:
                ops.append(pending[0])
                spans.append(pending[1])
                operands.append(item)
                pending = None
        if len(ops) == 1 and ops[0] in _COMPARE_OPS:
            left, right = operands
            return A.BinOp(ops[0], left, right, (self._span(left)[0], self._span(right)[1]), spans[0])
        return A.Compare(tuple(ops), tuple(operands),
                         (self._span(operands[0])[0], self._span(operands[-1])[1]), tuple(spans))

    def name(self, items):
        (tok,) = items
        return A.Name(str(tok), (tok.start_pos, tok.end_pos))

    def number(self, items):
        (tok,) = items
        text = str(tok)
        value = float(text) if any(c in text for c in ".eE") else int(text)
        return A.Number(value, (tok.start_pos, tok.end_pos))

    def string(self, items):
        pieces = [_string_literal(tok) for tok in items]
        span = (items[0].start_pos, items[-1].end_pos)
        if not any(isinstance(p, list) for p in pieces):
            return A.String("".join(pieces), span)
        parts = []
        for p in pieces:
            parts.extend(p if isinstance(p, list) else [p])
        return A.FString(tuple(parts), span)

    def _seq_span(self, items, fallback=(0, 0)):
        items = [i for i in items if i is not None]
        if not items:
            return fallback
        return (self._span(items[0])[0], self._span(items[-1])[1])

    def list(self, items):
        items = tuple(i for i in items if i is not None)
        return A.ListLit(items, self._seq_span(items))

    def tuple(self, items):
        items = tuple(i for i in items if i is not None)
        return A.TupleLit(items, self._seq_span(items))

    def binop(self, items):
        left, op, right = items
        return A.BinOp(str(op), left, right, (self._span(left)[0], self._span(right)[1]),
                       (op.start_pos, op.end_pos))

    def unary(self, items):
        op, operand = items
        return A.Unary(str(op), operand, (op.start_pos, self._span(operand)[1]))

    def call(self, items):
        func, arguments = items
        args, kwargs = [], []
        for a in arguments or ():
            if isinstance(a, A.Keyword):
                kwargs.append(a)
            elif kwargs:
                raise AgcliError("positional argument follows keyword argument", a.span, kind="syntax")
            else:
                args.append(a)
        end = self._span((arguments or [func])[-1])[1] + 1
        return A.Call(func, tuple(args), tuple(kwargs), (self._span(func)[0], end))

    def arguments(self, items):
        return items

    def keyword(self, items):
        name, value = items
        return A.Keyword(str(name), value, (name.start_pos, self._span(value)[1]))

    def attribute(self, items):
        obj, name = items
        return A.Attribute(obj, str(name), (self._span(obj)[0], name.end_pos),
                           (name.start_pos, name.end_pos))

    def index(self, items):
        obj, subs = items
        end = max(self._span(obj)[1], self._seq_span(subs)[1]) + 1
        return A.Index(obj, tuple(subs), (self._span(obj)[0], end))

    def subscripts(self, items):
        return items

    def slice(self, items):
        start, stop, step = items
        parts = [p for p in items if p is not None]
        return A.Slice(start, stop, step, self._seq_span(parts))

    def ellipsis(self, items):
        (tok,) = items
        return A.EllipsisLit((tok.start_pos, tok.end_pos))


_COMPARE_OPS = ("<", "<=", ">", ">=", "==", "!=")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "0": "\0",
            "a": "\a", "b": "\b", "f": "\f", "v": "\v", "\n": ""}


def _check_target(node):
    if isinstance(node, A.TupleLit):
        for item in node.items:
            _check_target(item)
    elif not isinstance(node, (A.Name, A.Index, A.Attribute)):
        raise AgcliError("cannot assign to this expression", node.span, kind="syntax",
                         hint="assign to a name, x[...] or x.attribute")


def _unescape(body: str) -> str:
    if "\\" not in body:
        return body
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c != "\\" or i + 1 == len(body):
            out.append(c)
            i += 1
            continue
        nxt = body[i + 1]
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[nxt]
            digits = body[i + 2:i + 2 + width]
            try:
                out.append(chr(int(digits, 16)))
                i += 2 + width
            except ValueError:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _string_literal(tok):
    """A STRING token -> its text, or for an f-string a list of parts:
    str pieces and (field text, offset of the field in the source, format spec)."""
    text = str(tok)
    prefix = ""
    while text[0] in "fFrR":
        prefix += text[0].lower()
        text = text[1:]
    quote = 3 if text[:3] in ('"""', "'''") else 1
    body = text[quote:-quote]
    body_start = tok.start_pos + len(prefix) + quote
    if "f" not in prefix:
        return body if "r" in prefix else _unescape(body)
    parts, i, piece = [], 0, []
    while i < len(body):
        c = body[i]
        if c in "{}" and body[i:i + 2] in ("{{", "}}"):
            piece.append(c)
            i += 2
        elif c == "{":
            depth, j = 0, i + 1
            while j < len(body) and not (body[j] in "}:!" and depth == 0):
                depth += body[j] in "([{"
                depth -= body[j] in ")]}"
                j += 1
            field_end = j
            spec = ""
            if j < len(body) and body[j] == "!":     # !r / !s: agcli prints str() either way
                j += 2
            if j < len(body) and body[j] == ":":
                k = body.find("}", j)
                spec, j = body[j + 1:k], k
            if j >= len(body) or body[j] != "}":
                raise AgcliError("f-string: expecting '}'", (body_start + i, body_start + i + 1), kind="syntax")
            if piece:
                parts.append(_unescape("".join(piece)) if "r" not in prefix else "".join(piece))
                piece = []
            parts.append((body[i + 1:field_end], body_start + i + 1, spec))
            i = j + 1
        elif c == "}":
            raise AgcliError("f-string: single '}' is not allowed", (body_start + i, body_start + i + 1),
                             kind="syntax")
        else:
            piece.append(c)
            i += 1
    if piece:
        parts.append(_unescape("".join(piece)) if "r" not in prefix else "".join(piece))
    return parts


def parse(text: str) -> A.Program:
    """Parse a program (one or more statements); raise AgcliError on bad syntax."""
    driver = _driver or _fast_driver()
    source = text if text.endswith("\n") else text + "\n"
    try:
        body = driver.parse(source)
    except AgcliError as e:
        raise e.at(e.span, text)
    except Exception:      # something the driver does not expect (a syntax error): Lark's parse says what
        body = _lark_parse(source, text)
    if not body:
        raise AgcliError("empty expression", (0, 0), kind="syntax", source=text,
                         hint="write an expression, e.g. \"a*b + c\"")
    return A.Program(tuple(body), text)


def _lark_parse(source, text):
    P, lark = _lark_parser()
    try:
        return lark.parse(source)
    except P.UnexpectedInput as e:
        raise _syntax_error(P, e, text) from None
    except P.VisitError as e:       # an error raised inside a callback
        if isinstance(e.orig_exc, AgcliError):
            raise e.orig_exc.at(e.orig_exc.span, text) from None
        raise


def _syntax_error(P, e, text) -> AgcliError:
    pos = min(getattr(e, "pos_in_stream", None) or 0, len(text))
    if isinstance(e, P.UnexpectedCharacters):
        ch = text[pos] if pos < len(text) else ""
        message = f"unexpected character {ch!r}"
        span = (pos, pos + 1)
        expected = None
    else:
        tok = e.token
        if tok.type in ("$END", "_NL") or tok.start_pos is None or tok.start_pos >= len(text):
            message = "unexpected end of input"
            end = len(text.rstrip())
            span = (end, end + 1)
        else:
            message = f"unexpected {str(tok)!r}"
            span = (tok.start_pos, tok.end_pos)
        expected = _parser_accepts(e) or getattr(e, "expected", None)
    hint = None if not expected else "expected " + _expected_text(set(expected))
    return AgcliError(message, span, kind="syntax", hint=hint, source=text)


def _parser_accepts(e):
    """The terminals the parser's state takes (the lexer's own list is wider)."""
    state = getattr(e, "state", None)
    try:
        return {t for t in state.parse_conf.parse_table.states[state.position] if t.isupper() or t == "_NL"}
    except AttributeError:
        return None


_OPERATORS = {"ADD_OP", "MUL_OP", "POW", "COMPARE", "AND", "OR", "IN", "IS", "NOT", "IF", "DOT",
              "LSQB", "LPAR", "AUGOP", "EQUAL", "ELSE", "AS"}
_CLOSERS = {"RPAR": "')'", "RSQB": "']'", "COMMA": "','", "COLON": "':'", "SEMICOLON": "';'"}


def _expected_text(expected: set) -> str:
    """A short account of what the parser would have taken instead."""
    if expected >= _OPERAND_START:
        return "an operand (a name, a number, '(' or '[')"
    parts = [text for t, text in _CLOSERS.items() if t in expected]
    if expected & _OPERATORS:
        parts.append("an operator")
    if expected & {"_NL", "$END"}:
        parts.append("the end of the line")
    others = sorted(_TERMINALS.get(t, t.lower()) for t in expected - _OPERATORS - set(_CLOSERS)
                    - {"_NL", "$END"} - _OPERAND_START if not t.startswith("_"))
    parts = others + parts
    if not parts:
        return "something else"
    return ", ".join(parts[:-1]) + (" or " if len(parts) > 1 else "") + parts[-1]
