"""Issue 14, finding 7: the REPL through a pseudo-terminal — comments in open
brackets and after a block's ':', exit() and help, a block recalled whole,
Tab completion."""
from __future__ import annotations

import time

import pytest

from terminal import repl  # noqa: F401  (the fixture)


def test_a_comment_inside_open_brackets_does_not_hang(repl):
    repl.type("x = (1 +  # one")
    repl.expect("... ")
    repl.type("  2)")
    repl.expect(">>> ")
    repl.type("x")
    assert repl.expect(">>> ").strip().startswith("x\n3")


def test_a_block_header_with_a_comment_opens_the_block(repl):
    repl.type("for i in range(2):  # a loop")
    repl.expect("... ")
    repl.type("    print(i * 10)")
    repl.expect("... ")
    repl.type("")
    assert "0\n10\n" in repl.expect(">>> ")


@pytest.mark.parametrize("word", ["exit()", "quit()"])
def test_exit_and_quit_end_the_session(repl, word):
    repl.type(word)
    assert repl.finish() == 0
    assert "Traceback" not in repl.seen and "error" not in repl.seen


@pytest.mark.parametrize("word", ["exit", "quit"])
def test_a_bare_exit_or_quit_says_how_to_leave_as_pythons_repl(repl, word):
    repl.type(word)
    assert "Use exit() or Ctrl-D (i.e. EOF) to exit" in repl.expect(">>> ")
    repl.type("quit()")
    assert repl.finish() == 0


def test_help_explains_the_repl(repl):
    repl.type("help")
    shown = repl.expect(">>> ")
    assert "A line ending in ':' opens a block" in shown and "exit()" in shown


def test_up_arrow_recalls_a_block_whole(repl):
    repl.type("for i in range(2):")
    repl.expect("... ")
    repl.type("    print(i + 7)")
    repl.expect("... ")
    repl.type("")
    repl.expect(">>> ")
    repl.send(b"\x1b[A")            # Up: the whole block comes back as one entry
    time.sleep(0.3)
    repl.send(b"\n")
    repl.expect("... ")             # an empty line still ends it, as in Python
    repl.type("")
    assert "7\n8\n" in repl.expect(">>> ")


def test_tab_completes_names_and_methods(repl):
    repl.type("weights = torch.ones(2)")
    repl.expect(">>> ")
    repl.send(b"weig\t")
    repl.expect("weights")
    repl.send(b".su\t")             # sum, sub, ...: a second Tab lists them
    repl.send(b"\t")
    repl.expect("weights.sum")
    repl.send(b"\x15")              # Ctrl-U: drop the line
    repl.send(b"torch.ones_l\t")      # completes to torch.ones_like, or the line below fails
    time.sleep(0.3)
    repl.type("(torch.ones(3)).sum()")
    repl.expect("tensor(3.)")
