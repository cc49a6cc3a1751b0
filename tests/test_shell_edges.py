"""The shell's edges (hunt 12): the REPL as Python's REPL behaves on a pseudo-terminal and in a
pipe (`_`, Tab that indents, Ctrl-D that ends a block, a line of spaces inside a pasted
function, UTF-8 whatever the locale), closed standard streams, and a program's bytes that
Python refuses (a NUL, a byte that is not UTF-8, tabs and spaces mixed: TabError). The
installed agcli, as a subprocess or on a pseudo-terminal."""
from __future__ import annotations

import subprocess

import pytest

from installed import AGCLI, base_env
from terminal import Terminal, repl  # noqa: F401  (the fixture)

TIMEOUT = 120


def agcli(tmp_path, *args, input: bytes | str | None = None, env=None):
    """`agcli ARGS` in tmp_path: (exit code, stdout, stderr); never a traceback nor an internal error."""
    proc = subprocess.run([AGCLI, *args], cwd=tmp_path, env=env or base_env(),
                          input=input.encode() if isinstance(input, str) else input,
                          stdin=subprocess.DEVNULL if input is None else None, capture_output=True, timeout=TIMEOUT)
    out, err = proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err and "internal error" not in err, err
    return proc.returncode, out, err


def in_shell(tmp_path, command: str):
    """A shell command line with `agcli` in it (a redirection such as `>&-` needs a shell)."""
    proc = subprocess.run(["bash", "-c", command.replace("agcli", f"'{AGCLI}'", 1)], cwd=tmp_path,
                          env=base_env(), stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


# ---------------------------------------------------------------- the REPL, as Python's

def test_underscore_is_the_last_value_shown_as_in_pythons_repl(repl):
    for line, shown in [("3 + 4", "7"), ("_ * 2", "14"), ("x = 5", None), ("None", None), ("_", "14")]:
        repl.type(line)
        echo = repl.expect(">>> ")
        assert (shown + "\n" in echo) if shown else echo == f"{line}\n>>> ", echo
    repl.type("_ = 'mine'")       # the session's own `_` wins over the echo's, as a global over builtins._
    repl.expect(">>> ")
    repl.type("10")
    repl.expect(">>> ")
    repl.type("_")
    assert "'mine'\n" in repl.expect(">>> ")


def test_tab_at_the_start_of_a_line_indents(repl):
    repl.type("if True:")
    repl.expect("... ")
    repl.send(b"\tprint('tabbed')\n")     # a tab, not the list of every name
    repl.expect("... ")
    repl.type("")
    shown = repl.expect(">>> ")
    assert "tabbed\n" in shown and "error" not in shown and "possibilities" not in shown


def test_ctrl_d_in_a_block_runs_it_and_the_session_goes_on(repl):
    repl.type("if True:")
    repl.expect("... ")
    repl.type("    y = 41")
    repl.expect("... ")
    repl.send(b"\x04")                     # Ctrl-D at '... ': the block ends, as in Python's REPL
    repl.expect(">>> ")
    repl.type("y + 1")
    assert "42\n" in repl.expect(">>> ")
    repl.send(b"\x04")                     # at '>>> ': the session ends
    assert repl.finish() == 0


@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "ascii"}, {"LC_ALL": "C", "PYTHONUTF8": "0"}])
def test_a_terminal_in_an_ascii_locale_never_ends_the_session(tmp_path, monkeypatch, env):
    """What the locale cannot decode is read as UTF-8 (as a pipe's lines); readline's history, which
    holds the locale's encoding, skips what it cannot; output in ASCII is '?' for the rest."""
    import terminal
    monkeypatch.setattr(terminal, "base_env", lambda **extra: base_env(**extra, **env))
    t = Terminal(tmp_path)
    try:
        t.expect(">>> ")
        t.type("print('caf\u00e9', 6 * 7)")
        assert "caf? 42\n" in t.expect(">>> ")
        t.type("2 + 2")
        assert "4\n" in t.expect(">>> ")
        if "PYTHONIOENCODING" in env:     # (C's readline takes the bytes of a 'π' for keys of its own)
            t.type("\u03c0 = 3")
            t.expect(">>> ")
            t.type("\u03c0 * 2")
            assert "6\n" in t.expect(">>> ")
        t.type("exit()")
        assert t.finish() == 0 and "internal error" not in t.seen
    finally:
        t.close()


def test_a_line_of_spaces_inside_a_pasted_function_does_not_end_it(tmp_path):
    """Python's REPL ends a block at an empty line only: an editor's indented blank line does not."""
    program = "def f():\n    a = 1\n    \n    return a + 1\n\nprint(f())\n"
    code, out, err = agcli(tmp_path, "repl", input=program)
    assert (code, out) == (0, "2\n") and "error" not in err


@pytest.mark.parametrize("program, printed", [
    ("x = 0\nif x: y = 1\nelse: y = 2\n\nprint(y)\n", "2\n"),         # a one-line `if` that an else follows
    ("@torch.no_grad()\ndef g(v):\n    return v * 2\n\nprint(g(torch.ones(1, requires_grad=True)))\n",
     "tensor([2.])\n"),                                                  # a decorator opens its def
    ('s = """a\n# not a comment\nb"""\nprint(s)\n', "a\n# not a comment\nb\n"),     # a triple-quoted string
    ("z = 1 + \\\n    2\nprint(z)\n", "3\n"),                           # a backslash at the end of a line
    ('print("if: x")\nfor_ = 3\nfor_\n', "if: x\n3\n"),                 # not compound statements
])
def test_a_pasted_program_continues_where_pythons_repl_does(tmp_path, program, printed):
    code, out, err = agcli(tmp_path, "repl", input=program)
    assert (code, out) == (0, printed) and "error" not in err, err


@pytest.mark.parametrize("env", [{"LC_ALL": "C", "PYTHONIOENCODING": "ascii"}, {"PYTHONIOENCODING": "latin-1"}, {}])
def test_a_piped_repl_reads_utf8_whatever_the_locale(tmp_path, env):
    """As `agcli run -` and `agcli batch -` read: UTF-8; output follows the stream's encoding."""
    code, out, err = agcli(tmp_path, "repl", input="π = 2\nπ * 3\n", env=base_env(**env))
    assert (code, out, "error" in err) == (0, "6\n", False), err


def test_a_piped_repl_line_that_is_not_utf8_is_an_error_and_the_session_goes_on(tmp_path):
    code, out, err = agcli(tmp_path, "repl", input=b'print("caf\xe9")\nprint("ok")\n')
    assert (code, out) == (0, "ok\n")
    assert "error: byte 0xE9 is not UTF-8 text\n  --> input, line 1, column 11\n" in err


# ---------------------------------------------------------------- closed standard streams

@pytest.mark.parametrize("command, code", [
    ("agcli grad 'x*2' --x 1 >&-", 0),
    ("agcli grad 'x*' --x 1 2>&-", 2),
    ("agcli grad 'x.view(5)' --x '[1, 2]' >&- 2>&-", 1),
    ("printf 'print(1)\\n' | agcli run - >&-", 0),
    ("printf '\"x*2\" --x 1\\n\"x +\" --x 1\\n' | agcli batch - --format jsonl >&-", 1),
    ("printf '1 + 1\\n' | agcli repl >&- 2>&-", 0),
])
def test_a_closed_stream_drops_what_goes_there_and_the_status_still_tells(tmp_path, command, code):
    """`>&-` / `2>&-` as Python's print() takes a stream that is None: the null device."""
    status, out, err = in_shell(tmp_path, command)
    assert status == code and "internal error" not in err and "Traceback" not in err, err


@pytest.mark.parametrize("command, said", [
    ("agcli batch - <&-", "error: there is no standard input to read the batch's lines from"),
    ("agcli run - <&-", "error: there is no standard input to read the program from"),
])
def test_a_closed_standard_input_is_said_so(tmp_path, command, said):
    status, out, err = in_shell(tmp_path, command)
    assert status == 2 and err.startswith(said + "\n  hint: "), err
    status, out, err = in_shell(tmp_path, "agcli repl <&-")     # Python's REPL: the input's end at once
    assert status == 0 and "internal error" not in err


# ---------------------------------------------------------------- bytes Python refuses in a program

@pytest.mark.parametrize("source, message, where, caret", [
    (b'x = 1\nprint("caf\xe9")\n', "byte 0xE9 is not UTF-8 text", "line 2, column 11",
     '   | print("caf?")\n   |           ^'),
    (b"# caf\xe9\nprint(1)\n", "byte 0xE9 is not UTF-8 text", "line 1, column 6", None),
    (b'x = 1\nprint("a\x00b")\n', "source code cannot contain null bytes", "line 2, column 9", None),
    (b"if True:\n\tx = 1\n        y = 2\n", "inconsistent use of tabs and spaces in indentation", "line 3, column 9",
     "   |         y = 2\n   |         ^"),
    (b"if 1:\n        x = 1\n\ty = 2\n", "inconsistent use of tabs and spaces in indentation", "line 3, column 2",
     None),
    (b"if 1:\n  \tx = 1\n\tprint(x)\n", "inconsistent use of tabs and spaces in indentation", "line 3, column 2", None),
])
def test_bytes_python_refuses_are_refused_before_the_program_runs(tmp_path, source, message, where, caret):
    (tmp_path / "p.py").write_bytes(b"print('ran')\n" + source)
    line, column = where.split(", ")
    where = f"line {int(line.split()[1]) + 1}, {column}"
    for args, name in ((("run", "p.py"), "p.py"), (("run", "-"), "<stdin>")):
        code, out, err = agcli(tmp_path, *args, input=(tmp_path / "p.py").read_bytes() if name == "<stdin>" else None)
        assert (code, out) == (2, ""), err
        assert err.startswith(f"error: {message}\n  --> {name}, {where}\n"), err
        assert caret is None or caret in err
        assert "  hint: " in err


def test_tabs_used_consistently_and_tabs_inside_brackets_are_fine(tmp_path):
    code, out, err = agcli(tmp_path, "run", "-e", "if 1:\n\tif 1:\n\t\tx = (1,\n  \t 2)\n\tprint(x)\nprint(3)\n")
    assert (code, out, err) == (0, "(1, 2)\n3\n", "")


# ---------------------------------------------------------------- Click's refusals, in agcli's words

@pytest.mark.parametrize("args, said", [
    (("batch", "lines.txt", "--jobs", "0"),
     "error: invalid value for '--jobs' / '-j': 0 is not in the range x>=1\n"
     "  hint: agcli batch --help lists its options\n"),
    (("batch", "lines.txt", "--jbos", "2"),
     "error: no such option: --jbos (Possible options: --jobs)\n  hint: agcli batch --help lists its options\n"),
    (("batch", "lines.txt", "--format"),
     "error: option '--format' requires an argument\n  hint: agcli batch --help lists its options\n"),
    (("batch",), "error: missing argument 'FILE'\n  hint: agcli batch --help lists its options\n"),
    (("repl", "--dtype", "float16"), "error: invalid value for '--dtype': 'float16' is not one of 'float32', "
                                     "'float64'\n  hint: agcli repl --help lists its options\n"),
    (("gard", "x"), "error: no such command 'gard'. Did you mean 'grad'?\n  hint: agcli --help lists the commands\n"),
])
def test_a_refused_option_or_command_is_one_error_line_and_where_to_look(tmp_path, args, said):
    (tmp_path / "lines.txt").write_text('"x*2" --x 1\n')
    code, out, err = agcli(tmp_path, *args)
    assert (code, out, err) == (2, "", said)


def test_help_version_and_the_bare_command_are_as_before(tmp_path):
    code, out, err = agcli(tmp_path)
    assert code == 2 and "Usage: agcli [OPTIONS] COMMAND" in out + err and "Commands:" in out + err
    code, out, err = agcli(tmp_path, "batch", "--help")
    assert code == 0 and out.startswith("Usage: agcli batch [OPTIONS] FILE") and err == ""
    code, out, err = agcli(tmp_path, "--version")
    assert (code, err) == (0, "") and out.startswith("agcli ")
    assert agcli(tmp_path, "run", "-e", "exit(3)")[0] == 3


@pytest.mark.parametrize("command", ["batch", "run"])
def test_a_file_named_with_grads_at_sign_is_told_to_drop_it(tmp_path, command):
    (tmp_path / "lines.txt").write_text('"x*2" --x 1\n')
    code, out, err = agcli(tmp_path, command, "@lines.txt")
    assert code == 2 and err == (f"error: cannot read @lines.txt: No such file or directory\n  hint: agcli {command} "
                                 f"takes the file's name itself, without grad's @: agcli {command} lines.txt\n")


def test_a_utf16_program_or_batch_is_refused_once_in_words(tmp_path):
    """Windows' "Unicode" (PowerShell's `>`): UTF-16 with its byte-order mark, not a NUL per character."""
    (tmp_path / "p.py").write_bytes("print(1)\n".encode("utf-16"))
    (tmp_path / "lines.txt").write_bytes('"x*2" --x 1\n"x+1" --x 2\n'.encode("utf-16"))
    code, out, err = agcli(tmp_path, "run", "p.py")
    assert (code, out) == (2, "")
    assert err.startswith("error: the text is UTF-16, not UTF-8\n  --> p.py, line 1, column 1")
    assert "hint: save it as UTF-8 (iconv -f utf-16 -t utf-8 FILE)" in err
    for args, name in ((("lines.txt",), "lines.txt"), (("-",), "standard input")):
        code, out, err = agcli(tmp_path, "batch", *args, "--format", "jsonl",
                               input=(tmp_path / "lines.txt").read_bytes() if args == ("-",) else None)
        assert (code, out, err) == (2, "", f"error: {name} is UTF-16 text, not UTF-8\n"
                                           "  hint: save it as UTF-8: iconv -f utf-16 -t utf-8 FILE > NEW_FILE\n")


@pytest.mark.parametrize("args, what, typed, printed", [
    (("run", "-"), "the program", b"print(7)\n", "7\n"),
    (("batch", "-", "--format", "jsonl"), "the batch's lines", b'"x*2" --x 1\n', '"value": 2.0'),
    (("grad", "-", "--x", "2"), "the expression", b"x*3\n", "tensor(6., grad_fn=<MulBackward0>)"),
])
def test_dash_on_a_terminal_says_what_it_waits_for(tmp_path, args, what, typed, printed):
    """`-` reads standard input; on a terminal, rather than a silent wait, one line says so and how to end."""
    import os
    import pty
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen([AGCLI, *args], cwd=tmp_path, env=base_env(), stdin=slave,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    finally:
        os.close(slave)
    os.write(master, typed + b"\x04")       # the line, then Ctrl-D: the input's end
    out, err = proc.communicate(timeout=TIMEOUT)
    os.close(master)
    assert proc.returncode == 0 and printed in out.decode(), err
    assert err.decode() == f"reading {what} from the terminal; end with Ctrl-D\n"
    # a pipe or a file says nothing
    assert agcli(tmp_path, *args, input=typed)[2] == ""


@pytest.mark.parametrize("args, said", [
    (("run", "-e", "x = 1", "-e", "print(x)"), "error: -e is given twice\n  hint: give the program as one -e "
                                               "(statements separated by ; or new lines), or a FILE\n"),
    (("run", "-e", "print(1)", "--seed", "1", "--seed=2"),
     "error: --seed is given twice\n  hint: give each option once\n"),
    (("batch", "lines.txt", "-j", "2", "--jobs", "3"), "error: -j and --jobs are both given\n"
                                                      "  hint: give each option once\n"),
    (("repl", "--dtype", "float64", "--dtype", "float32"), "error: --dtype is given twice\n"
                                                           "  hint: give each option once\n"),
])
def test_an_option_given_twice_is_refused_as_grad_refuses_it(tmp_path, args, said):
    """Click would keep the last value silently (`run -e A -e B` would drop A)."""
    (tmp_path / "lines.txt").write_text('"x*2" --x 1\n')
    assert agcli(tmp_path, *args) == (2, "", said)
    code, out, err = agcli(tmp_path, "run", "-e", "print('--seed')", "--seed", "1")    # a value that looks like one
    assert (code, out) == (0, "--seed\n")
