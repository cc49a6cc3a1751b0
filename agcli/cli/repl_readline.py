"""The REPL's line editing where readline exists: history kept in
~/.agcli_history (a block as one entry), and Tab completion of names and,
after a dot, of methods and attributes."""
from __future__ import annotations

import keyword
import os

_MODULES = {"torch", "torch.nn", "torch.nn.functional", "F", "nn", "torch.autograd", "functional"}


class Readline:
    def __init__(self, readline, env: dict, path: str):
        self.readline = readline
        self.env = env
        self.path = path
        self.matches: list[str] = []

    @classmethod
    def start(cls, env: dict):
        """Readline set up for the session, or None where Python has no readline."""
        try:
            import readline
        except ImportError:
            return None
        self = cls(readline, env, os.path.join(os.path.expanduser("~"), ".agcli_history"))
        try:
            readline.read_history_file(self.path)
        except OSError:
            pass
        readline.set_completer_delims(" \t\n`~!@#$%^&*()-=+[{]}\\|;:'\",<>/?")    # not '.'
        readline.set_auto_history(False)       # remember() adds each chunk, a block as one entry
        readline.set_completer(self.complete)
        readline.parse_and_bind("tab: complete")
        return self

    def remember(self, lines: list[str]):
        """Each chunk run is one history entry: Up-arrow recalls a block whole."""
        entry = "\n".join(line for line in lines if line.strip())
        r = self.readline
        try:
            last = r.get_current_history_length()
            if entry and (last == 0 or r.get_history_item(last) != entry):
                r.add_history(entry)
        except UnicodeError:    # (readline holds the locale's encoding: 'é' has no place in C's ASCII)
            pass

    def save(self):
        try:
            self.readline.write_history_file(self.path)
        except OSError:
            pass

    def complete(self, text: str, state: int):
        if not self.readline.get_line_buffer()[:self.readline.get_endidx()].strip():
            # Tab at the start of a line indents, as in Python's REPL (rlcompleter): a tab, not every name
            if state == 0:
                self.readline.insert_text("\t")
                self.readline.redisplay()
                return ""
            return None
        if state == 0:
            self.matches = candidates(text, self.env)
        return self.matches[state] if state < len(self.matches) else None


def candidates(text: str, env: dict) -> list[str]:
    """What `text` (a name, or `obj.prefix`) may complete to, sorted."""
    from ..language.program_builtins import builtins
    from ..language.program_names import receiver_tables
    from ..torchapi import namespace
    if "." in text:
        obj, _, prefix = text.rpartition(".")
        if obj in _MODULES:
            names = set(namespace.FUNCTIONS) | set(namespace.MODULE_ATTRIBUTES)
        else:
            methods, attributes = receiver_tables()
            names = set(methods) | set(attributes)
        return sorted(f"{obj}.{n}" for n in names if n.startswith(prefix) and not n.startswith("_"))
    names = {n for n in env if not n.startswith("_")} | {n for n in builtins() if not n.startswith("_")}
    names |= set(keyword.kwlist)
    return sorted(n for n in names if n.startswith(text))
