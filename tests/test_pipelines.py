"""agcli in shell pipelines and on other platforms' terms, through the installed
command: output in any encoding, closed pipes, standard input and files
(`-`, `@FILE`, `@-`, `.npz`, BOMs, CSV), batch comments and summaries,
--color, help, completion, Windows' start method (simulated), and the
README's tour pasted as it is.
"""
from __future__ import annotations

import errno
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from installed import AGCLI, base_env

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120
ANSI = "\x1b["
BOM = "\ufeff"
BIG_BATCH = "\n".join(f'"(x * {i}).sum()" --x "[1., 2., 3.]"' for i in range(3000)) + "\n"


def agcli(tmp_path, *args, input=None, env=None, encoding="utf-8", timeout=TIMEOUT):
    """`agcli *args` in tmp_path: (exit code, stdout, stderr), decoded with `encoding`."""
    proc = subprocess.run([AGCLI, *map(str, args)], cwd=tmp_path, env=env or base_env(),
                          input=input.encode() if isinstance(input, str) else input,
                          stdin=subprocess.DEVNULL if input is None else None,
                          capture_output=True, timeout=timeout)
    out, err = proc.stdout.decode(encoding), proc.stderr.decode(encoding)
    assert "Traceback" not in err and "internal error" not in err, err
    return proc.returncode, out, err


def one_json(out: str) -> dict:
    lines = out.splitlines()
    assert len(lines) == 1, out
    return json.loads(lines[0])


# ---------------------------------------------------------------- 3. encodings
@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "ascii"])
def test_output_in_any_encoding_replaces_what_does_not_fit(tmp_path, encoding):
    env = base_env(PYTHONIOENCODING=encoding)
    code, out, err = agcli(tmp_path, "grad", "é*b + 中", "--é", "2", "--b", "3", "--中", "1",
                           env=env, encoding=encoding)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == ("?*b + ?" if encoding == "ascii" else "é*b + ?")
    assert lines[1] == "tensor(7., grad_fn=<AddBackward0>)"
    assert set(lines[lines.index("graph, in execution order") + 2]) == {"-"}     # ASCII rules
    assert "?      ()      1." in lines


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_errors_batches_and_programs_in_a_narrow_encoding(tmp_path, encoding):
    env = base_env(PYTHONIOENCODING=encoding)
    code, out, err = agcli(tmp_path, "grad", "é + * 中", "--é", "1", "--中", "2", env=env, encoding=encoding)
    assert code == 2 and out == ("é" if encoding == "cp1252" else "?") + " + * ?\n"    # the expression
    assert "unexpected '*'" in err and "+ * ?" in err
    (tmp_path / "lines.txt").write_text('"中 * 2" --中 3\n"x +" --x 1\n', encoding="utf-8")
    code, out, err = agcli(tmp_path, "batch", "lines.txt", env=env, encoding=encoding)
    assert code == 1
    assert "-- line 1 --" in out.splitlines() and "-- line 2 --" in out.splitlines()
    assert "?      ()      2." in out
    assert err.splitlines()[-1] == "batch: 1 of 2 lines failed (line 2)"
    code, out, err = agcli(tmp_path, "run", "-e", 'print("é中", torch.ones(2))', env=env, encoding=encoding)
    assert code == 0
    assert out == ("é?" if encoding == "cp1252" else "??") + " tensor([1., 1.])\n"


def test_non_ascii_variable_names(tmp_path):
    code, out, _ = agcli(tmp_path, "grad", "中文 * é", "--中文", "3", "--é", "2", "--format", "json")
    assert code == 0
    assert one_json(out)["grads"] == {"中文": 2.0, "é": 3.0}
    code, out, err = agcli(tmp_path, "grad", "x² * 2", "--x²", "2")
    assert code == 2
    assert err.startswith("error: '--x²' is not a binding")


def test_worker_start_method_is_one_the_platform_has(monkeypatch):
    import multiprocessing

    from agcli.evaluate import batch
    assert batch.start_method() == ("fork" if sys.platform.startswith("linux") else "spawn")
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])     # Windows
    assert batch.start_method() == "spawn"
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn", "fork", "forkserver"])
    monkeypatch.setattr(sys, "platform", "darwin")
    assert batch.start_method() == "spawn"


# A process that runs agcli's entry point on a platform without fork, as Windows is.
WITHOUT_FORK = """
import multiprocessing, sys
real = multiprocessing.get_context
def get_context(method=None):
    if method == "fork":
        raise ValueError("cannot find context for 'fork'")
    return real(method)
multiprocessing.get_context = get_context
multiprocessing.get_all_start_methods = lambda: ["spawn"]
from agcli.cli.main import main
sys.argv = ["agcli", *sys.argv[1:]]
main()
"""


def test_batch_workers_start_without_fork(tmp_path):
    lines = [f'"(tanh(x) * {i}).sum()" --x "[{i / 7}, -1.5]"' if i % 50 else f'"x * * {i}" --x 1'
             for i in range(240)]
    (tmp_path / "lines.txt").write_text("\n".join(lines) + "\n")
    env = base_env(AGCLI_DEVICE="cpu")
    one = agcli(tmp_path, "batch", "lines.txt", "--format", "jsonl", "--jobs", "1")
    spawned = subprocess.run([sys.executable, "-c", WITHOUT_FORK, "batch", "lines.txt", "--format", "jsonl",
                              "--jobs", "2"], cwd=tmp_path, env=env, capture_output=True, text=True,
                             timeout=TIMEOUT)
    assert spawned.returncode == one[0] == 1, spawned.stderr
    assert spawned.stdout == one[1]
    assert spawned.stderr == one[2] == "batch: 5 of 240 lines failed (lines 1, 51, 101, 151, 201)\n"
    # A closed pipe stops spawned workers quietly too (no word from them, nor from a resource tracker).
    (tmp_path / "lines.txt").write_text(BIG_BATCH)
    script = (f"set -o pipefail; {shlex.quote(sys.executable)} -c {shlex.quote(WITHOUT_FORK)} "
              "batch lines.txt --format jsonl | head -1")
    proc = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=TIMEOUT)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert json.loads(proc.stdout)["line"] == 1


BLAS_SETTING = """
import atexit, os, sys
import agcli.cli.main as entry
print("numpy imported:", "numpy" in sys.modules)
atexit.register(lambda: print("timeout:", os.environ.get("OPENBLAS_THREAD_TIMEOUT")))
sys.argv = ["agcli", "grad", "x * 2", "--x", "3", "--format", "json"]
entry.main()
"""


@pytest.mark.parametrize("theirs, expected", [(None, "4"), ("28", "28")])
def test_blas_threads_are_told_to_sleep_before_numpy_loads(tmp_path, theirs, expected):
    # OpenBLAS reads its spin time once, as NumPy loads it: agcli's entry point sets it
    # first (main.quiet_blas_threads), and leaves a user's own value alone.
    env = base_env()
    env.pop("OPENBLAS_THREAD_TIMEOUT", None)
    if theirs is not None:
        env["OPENBLAS_THREAD_TIMEOUT"] = theirs
    proc = subprocess.run([sys.executable, "-c", BLAS_SETTING], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=TIMEOUT)
    lines = proc.stdout.splitlines()
    assert proc.returncode == 0, proc.stderr
    assert lines[0] == "numpy imported: False"
    assert json.loads(lines[1])["grads"] == {"x": 2.0}
    assert lines[2] == f"timeout: {expected}"


# ---------------------------------------------------------------- 5. closed pipes


@pytest.mark.parametrize("command, reader", [
    ("batch lines.txt --format jsonl", "head -1"),                 # worker processes
    ("batch lines.txt --format jsonl --jobs 1", "head -1"),
    ("batch lines.txt", "head -3"),                                # rich blocks
    ("run prog.py", "head -1"),
    ("grad '(x*2).sum()' --x 'ones(100000)' --format json", "head -c1"),
])
def test_a_closed_pipe_ends_quietly_with_status_0(tmp_path, command, reader):
    (tmp_path / "lines.txt").write_text(BIG_BATCH)
    (tmp_path / "prog.py").write_text("import torch\nfor i in range(200000):\n    print(i)\n")
    script = f"set -o pipefail; {shlex.quote(AGCLI)} {command} | {reader} > /dev/null"
    proc = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=base_env(), capture_output=True, text=True,
                          timeout=TIMEOUT)
    assert (proc.returncode, proc.stderr) == (0, "")


def test_windows_says_a_closed_pipe_with_einval():
    from agcli.cli.sink import is_closed_pipe
    assert is_closed_pipe(BrokenPipeError(errno.EPIPE, "Broken pipe"), windows=False)
    assert is_closed_pipe(OSError(errno.EINVAL, "Invalid argument"), windows=True)
    assert not is_closed_pipe(OSError(errno.EINVAL, "Invalid argument"), windows=False)
    assert not is_closed_pipe(ValueError("x"), windows=True)


# ---------------------------------------------------------------- 9. standard input and files
def test_grad_reads_the_expression_from_stdin_or_a_file(tmp_path):
    code, out, _ = agcli(tmp_path, "grad", "-", "--x", "[1., 2.]", "--format", "json", input="(x**2).sum()\n")
    assert code == 0 and one_json(out)["grads"] == {"x": [2.0, 4.0]}
    (tmp_path / "expr.txt").write_text(BOM + "y = x * 3\n# a comment\ny.sum()\n", encoding="utf-8")
    code, out, _ = agcli(tmp_path, "grad", "@expr.txt", "--x", "[1., 2.]", "--format", "json")
    assert code == 0 and one_json(out)["value"] == 9.0
    code, out, err = agcli(tmp_path, "grad", "@missing.txt", "--x", "1")
    assert code == 2 and "cannot read the expression from missing.txt" in err


@pytest.mark.parametrize("stdin, expected", [
    ("[1, 2, 3]\n", [1.0, 2.0, 3.0]),
    ("1 2\n3 4\n", [[1.0, 2.0], [3.0, 4.0]]),
    (BOM + "1,2,3\n", [1.0, 2.0, 3.0]),
    ("5\n", 5.0),
])
def test_a_value_from_stdin(tmp_path, stdin, expected):
    code, out, err = agcli(tmp_path, "grad", "(x * x).sum()", "--x", "@-", "--format", "json", input=stdin)
    assert code == 0, err
    assert one_json(out)["grads"]["x"] == (np.asarray(expected) * 2).tolist()


def test_an_npy_value_from_stdin_and_stdin_read_once(tmp_path):
    import io
    buffer = io.BytesIO()
    np.save(buffer, np.array([[1.0, 2.0]]))
    code, out, _ = agcli(tmp_path, "grad", "x.sum()", "--x", "@-", "--format", "json", input=buffer.getvalue())
    assert code == 0 and one_json(out)["grads"] == {"x": [[1.0, 1.0]]}
    code, _, err = agcli(tmp_path, "grad", "-", "--x", "@-", input="x\n")
    assert code == 2 and "--x" in err and "standard input" in err


def test_out_writes_exactly_the_npz_it_names_and_reads_it_back(tmp_path):
    code, _, err = agcli(tmp_path, "grad", "(x**2).sum()", "--x", "[1., 2.]", "--out", "res.npy")
    assert code == 2 and "--out writes an .npz archive" in err and "--out res.npz" in err
    assert list(tmp_path.iterdir()) == []
    code, _, _ = agcli(tmp_path, "grad", "(x**2).sum()", "--x", "[1., 2.]", "--out", "res.npz")
    assert code == 0 and sorted(p.name for p in tmp_path.iterdir()) == ["res.npz"]
    code, out, _ = agcli(tmp_path, "grad", "g.sum() + v", "--g", "@res.npz:x", "--v", "@res.npz:value",
                         "--format", "json")
    assert code == 0 and one_json(out)["value"] == 6.0 + 5.0
    code, _, err = agcli(tmp_path, "grad", "g.sum()", "--g", "@res.npz")
    assert code == 2
    assert "error in --g: cannot read 'res.npz': name one of its arrays (it holds value, x)" in err
    assert "hint: @res.npz:value" in err
    code, _, err = agcli(tmp_path, "grad", "g.sum()", "--g", "@res.npz:y")
    assert code == 2 and "it holds no array 'y' (it holds value, x)" in err


def test_csv_reader_refuses_an_empty_field(tmp_path):
    (tmp_path / "m.csv").write_text("1,2,3\n4,,6\n")
    code, _, err = agcli(tmp_path, "grad", "m.sum()", "--m", "@m.csv")
    assert code == 2
    assert "cannot read 'm.csv': line 2, column 2 is empty" in err
    (tmp_path / "m.csv").write_text("# values\n1,2\n\n3,x\n")
    code, _, err = agcli(tmp_path, "grad", "m.sum()", "--m", "@m.csv")
    assert code == 2 and "line 4, column 2 is not a number" in err


def test_a_utf8_bom_and_windows_line_ends_are_accepted_everywhere(tmp_path):
    (tmp_path / "m.csv").write_text(BOM + "1,2\n3,4\n", encoding="utf-8")
    (tmp_path / "m.json").write_text(BOM + "[1, 2]", encoding="utf-8")
    code, out, _ = agcli(tmp_path, "grad", "m.sum() + n.sum()", "--m", "@m.csv", "--n", "@m.json", "--format", "json")
    assert code == 0 and one_json(out)["value"] == 13.0
    (tmp_path / "prog.py").write_text(BOM + "import torch\nprint(torch.ones(2) * 2)\n", encoding="utf-8")
    assert agcli(tmp_path, "run", "prog.py")[:2] == (0, "tensor([2., 2.])\n")
    assert agcli(tmp_path, "run", "-", input=BOM + "print(3)\n")[:2] == (0, "3\n")
    program = BOM + "import torch\r\nfor i in range(2):\r\n    print(i)\r\n"
    assert agcli(tmp_path, "run", "-", input=program)[:2] == (0, "0\n1\n")
    code, out, _ = agcli(tmp_path, "grad", "-", "--x", "2", "--format", "json", input=BOM + "y = x * 3\r\ny\r\n")
    assert code == 0 and one_json(out)["value"] == 6.0
    (tmp_path / "lines.txt").write_text(BOM + '"a*2" --a 1\n', encoding="utf-8")
    code, out, _ = agcli(tmp_path, "batch", "lines.txt", "--format", "jsonl")
    assert code == 0 and one_json(out)["value"] == 2.0
    code, out, _ = agcli(tmp_path, "batch", "-", "--format", "jsonl", input=BOM + '"a*3" --a 1\r\n')
    assert code == 0 and one_json(out)["value"] == 3.0


def test_batch_line_comments_and_json_format(tmp_path):
    lines = ['"a*b" --a 2 --b 3   # a comment',
             '"a*b  # the expression\'s own comment" --a 2 --b 4 #another',
             '"a + 1" --a 2 x#y  # x#y is a word, as in a shell: an argument too many',
             "'x.sum()' --x '[1, 2]' # it's fine"]
    (tmp_path / "lines.txt").write_text("\n".join(lines) + "\n")
    code, jsonl, err = agcli(tmp_path, "batch", "lines.txt", "--format", "jsonl")
    assert agcli(tmp_path, "batch", "lines.txt", "--format", "json")[1] == jsonl
    results = [json.loads(line) for line in jsonl.splitlines()]
    assert [r["value"] for r in results[:2]] == [6.0, 8.0] and results[3]["value"] == 3.0
    assert results[2]["error"]["message"] == "unexpected argument 'x#y' in the line"
    assert code == 1 and err == "batch: 1 of 4 lines failed (line 3)\n"


def test_batch_comments_split_as_a_shell_does():
    from agcli.cli.arguments import split_words
    assert split_words('"a" --x 1 # c') == ["a", "--x", "1"]
    assert split_words('"a#b" --x "#1"') == ["a#b", "--x", "#1"]
    assert split_words("a#b '#' \\#c # d") == ["a#b", "#", "#c"]
    assert split_words('"a \\" # b" # c') == ['a " # b']
    assert split_words("#all") == []


def test_rich_batch_usage_errors_keep_their_line_and_a_summary_ends_it(tmp_path):
    (tmp_path / "lines.txt").write_text('"a*2" --a 1\n\n"a*2" --a 1 --seed x\n"a*" --a 1\n"a" --a 1 --wrt b\n')
    code, out, err = agcli(tmp_path, "batch", "lines.txt")
    assert code == 2 - 1
    assert "error: --seed takes a whole number, got 'x'\n  --> batch line 3\n" in err
    assert "  --> batch line 4: expression, line 1, column 3" in err
    assert err.splitlines()[-1] == "batch: 3 of 4 lines failed (lines 3, 4, 5)"


# ---------------------------------------------------------------- 10. conventions
SEED = ("a*b + c*d**2/e", "--a", "2", "--b", "4", "--c", "6", "--d", "8", "--e", "10")


@pytest.mark.parametrize("args, env, coloured", [
    (("grad", *SEED), {}, False),
    (("grad", *SEED, "--color", "always"), {}, True),
    (("grad", *SEED), {"FORCE_COLOR": "1"}, True),
    (("grad", *SEED), {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
    (("grad", *SEED, "--color", "never"), {"FORCE_COLOR": "1"}, False),
    (("batch", "lines.txt", "--color", "always"), {}, True),
    (("batch", "lines.txt"), {"FORCE_COLOR": "1"}, True),
])
def test_color_option_and_environment_in_a_pipe(tmp_path, args, env, coloured):
    (tmp_path / "lines.txt").write_text('"a*2" --a 1\n')
    code, out, _ = agcli(tmp_path, *args, env=base_env(**env))
    assert code == 0
    assert (ANSI in out) is coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", out).count("MulBackward0") >= 1


@pytest.mark.parametrize("args, expected_code", [
    (("grad", "a +", "--a", "1"), 2),
    (("batch", "lines.txt"), 1),
    (("run", "-e", "x = torch.ones(2) @ torch.ones(3)"), 1),
    (("repl",), 0),
])
def test_every_command_takes_color(tmp_path, args, expected_code):
    (tmp_path / "lines.txt").write_text('"a +" --a 1\n')
    for mode, coloured in (("always", True), ("never", False)):
        code, out, err = agcli(tmp_path, *args, "--color", mode, input="" if args == ("repl",) else None)
        assert code == expected_code, err
        if args == ("repl",):
            assert err.startswith("agcli ")     # (a piped REPL's banner and prompts go to stderr, as Python's)
        else:
            assert (ANSI in err) is coloured, err


def test_grad_help_names_expr_and_has_one_options_heading(tmp_path):
    code, out, _ = agcli(tmp_path, "grad", "--help")
    assert code == 0
    assert "Usage: agcli grad [--NAME VALUE]... [OPTIONS] EXPR" in out
    assert "{" not in out and out.count("Options:") == 1
    for option in ("--wrt", "--grad-output", "--seed", "--dtype", "--format", "--out", "--max-elements",
                   "--device", "--define", "--color", "--debug"):
        assert option in out


def test_shell_completion(tmp_path):
    code, script, err = agcli(tmp_path, "--show-completion", "bash")
    assert code == 0 and "_AGCLI_COMPLETE" in script, err
    # The shell named is the one written for, whichever shell (if any) started agcli.
    code, script, err = agcli(tmp_path, "--show-completion", "zsh")
    assert code == 0 and script.startswith("#compdef agcli"), err
    bin_dir = os.path.dirname(AGCLI)
    completed = subprocess.run(
        ["bash", "-c", 'eval "$(agcli --show-completion bash)"; COMP_WORDS=(agcli grad x --w); COMP_CWORD=3; '
                       '_agcli_completion agcli; echo "${COMPREPLY[@]}"'],
        cwd=tmp_path, env=base_env(PATH=bin_dir + os.pathsep + os.environ["PATH"]), capture_output=True,
        text=True, timeout=TIMEOUT)
    assert completed.stdout.split() == ["--wrt"], completed.stderr
    home = tmp_path / "home"
    home.mkdir()
    code, out, _ = agcli(tmp_path, "--install-completion", "bash", env=base_env(HOME=str(home)))
    assert code == 0 and "_AGCLI_COMPLETE" in (home / ".bash_completions" / "agcli.sh").read_text()


def test_piped_grad_imports_only_what_it_needs(tmp_path):
    """The hot path: Typer and Rich are a large part of a short call's start-up, and pathlib (with
    urllib.parse, ipaddress, fnmatch) and string were 3.7% of its instructions. (An editable
    install's finder imports pathlib before agcli runs: only what agcli itself imports counts.)"""
    script = ("import atexit, sys\n"
              "before = set(sys.modules)\n"
              "atexit.register(lambda: sys.stderr.write(' '.join(m for m in ('rich', 'typer', 'click', 'pathlib', "
              "'string') if m in sys.modules and m not in before) or 'none'))\n"
              "sys.argv = ['agcli', 'grad', 'a*b', '--a', '2', '--b', '3']\n"
              "from agcli.cli.main import main\nmain()\n")
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=base_env(), capture_output=True,
                          text=True, timeout=TIMEOUT)
    assert proc.returncode == 0 and "tensor(6., grad_fn=<MulBackward0>)" in proc.stdout
    assert proc.stderr == "none"


def _tour_commands() -> list[str]:
    """The shell commands of README's tour, as a reader would paste them."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    tour = text[text.index("## A tour"):text.index("## The language")]
    commands = []
    for kind, block in re.findall(r"```(sh|console)\n(.*?)```", tour, re.S):
        lines = block.replace("\\\n", " ").splitlines()
        commands += [line[2:] for line in lines if line.startswith("$ ")] if kind == "console" else lines
    return [c for c in commands if c.strip()]


def _has(module: str) -> bool:
    import importlib.util
    return importlib.util.find_spec(module) is not None


def test_readme_tour_works_when_pasted(tmp_path):
    commands = _tour_commands()
    assert len(commands) >= 12 and any("samples/big.txt" in c for c in commands)
    shutil.copytree(ROOT / "samples", tmp_path / "samples")
    env = base_env(PATH=os.path.dirname(AGCLI) + os.pathsep + os.environ["PATH"])
    for command in commands:
        if "jq" in command and shutil.which("jq") is None:
            continue
        if command.startswith("agcli plot") and "--format json" not in command and not _has("uniplot"):
            continue        # the README says a text chart needs pip install 'agcli[plot]'
        proc = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=TIMEOUT)
        assert proc.returncode == 0 and "error" not in proc.stderr, (command, proc.stderr)


def test_a_piped_repl_runs_what_the_input_ends_in_and_refuses_an_indented_line(tmp_path):
    """As Python's REPL: a block the input ends in runs; an open bracket at the end is its
    SyntaxError; a line indented at the top level (after a rejected block header) is an
    IndentationError, not run."""
    code, out, err = agcli(tmp_path, "repl", input="for i in range(2):\n    print(i * 10)\n")
    assert code == 0 and out == "0\n10\n" and _only_prompts(err)
    code, out, err = agcli(tmp_path, "repl", input="z = (1\n")
    assert code == 0 and "'(' was never closed" in err
    code, out, err = agcli(tmp_path, "repl", input="x = 1\nif x > 0\n    print(111)\nprint(2)\n")
    assert "expected ':'" in err and "unexpected indent" in err and "111" not in out and "2\n" in out


def test_a_program_whose_first_statement_is_indented_is_an_indentation_error(tmp_path):
    (tmp_path / "indented.py").write_text("# a comment\n    print(1)\n")
    code, out, err = agcli(tmp_path, "run", "indented.py")
    assert (code, out) == (2, "") and "unexpected indent" in err and "line 2" in err


def test_max_elements_below_one_is_a_usage_error(tmp_path):
    code, out, err = agcli(tmp_path, "grad", "x", "--x", "1", "--max-elements", "-5")
    assert (code, out) == (2, "") and "at least 1" in err
    code, out, err = agcli(tmp_path, "run", "-e", "print(1)", "--max-elements", "0")
    assert code == 2 and "--max-elements" in err and out == ""


@pytest.mark.parametrize("expr", ["torch.outer(x, x).sum()", "(x[:, None] * x).sum()", "(x[:, None] @ x[None, :]).sum()",
                                  "torch.cat([x, x, x]).sum()", "torch.stack([x, x], 1).sum()", "x.expand(3, 100).sum()"])
def test_max_elements_is_held_below_a_million_too(tmp_path, expr):
    """--help: 'Refuse any tensor with more elements', a small limit too (results of small operands included)."""
    code, out, err = agcli(tmp_path, "grad", expr, "--x", "ones(100)", "--max-elements", "150")
    assert code != 0 and "over the limit of 150" in err and "grad" not in out
    assert agcli(tmp_path, "grad", expr, "--x", "ones(100)", "--max-elements", "100000")[0] == 0


def test_a_batch_line_that_is_not_utf8_fails_alone(tmp_path):
    """A byte that is not UTF-8 fails its own line (as in an argument), whatever --jobs; the others run."""
    lines = [b'"x*2" --x 1'] * 300 + [b'"x\xff" --x 1'] + [b'"x*3" --x 2'] * 300
    (tmp_path / "mixed.txt").write_bytes(b"\n".join(lines) + b"\n")
    for jobs in ("1", "2"):
        code, out, err = agcli(tmp_path, "batch", "mixed.txt", "--format", "jsonl", "--jobs", jobs)
        results = [json.loads(line) for line in out.splitlines()]
        assert code == 1 and len(results) == 601, err
        assert [r["line"] for r in results if r["error"]] == [301]
        assert results[300]["error"]["message"] == "byte 0xFF is not UTF-8 text"
        assert "1 of 601 lines failed (line 301)" in err


def test_exit_ends_a_program_as_python_does(tmp_path):
    """exit(n): that status and nothing said; exit('text'): the text on stderr, status 1; the REPL ends too."""
    assert agcli(tmp_path, "run", "-e", "print(1)\nexit(3)\nprint(2)") == (3, "1\n", "")
    assert agcli(tmp_path, "run", "-e", "raise SystemExit('bye')") == (1, "", "bye\n")
    assert agcli(tmp_path, "run", "-e", "exit()\nprint(2)") == (0, "", "")
    code, out, err = agcli(tmp_path, "repl", input="x = 1\nif x:\n    exit(4)\n\nprint('after')\n")
    assert code == 4 and "after" not in out and out == "" and _only_prompts(err)


def _only_prompts(err) -> bool:
    """A piped REPL's stderr: its banner and prompts (as Python's REPL writes them there), nothing else."""
    banner, _, prompts = err.partition("quits.\n")
    return banner.startswith("agcli ") and set(prompts.replace(">>> ", "").replace("... ", "")) <= {"\n"}


@pytest.mark.parametrize("args, said", [
    (("grad", "x*2", "--x", "1", "--jobs", "2"), "--jobs is an option of agcli batch"),
    (("grad", "x*2", "--x", "1", "--seed", "99999999999999999999"),
     "--seed takes a seed from -2**63 to 2**64 - 1"),
    (("jacobian", "2*3"), "nothing to differentiate: the expression has no variable"),
    (("hessian", "x*y", "--x", "1", "--y", "2", "--wrt="), "nothing to differentiate: --wrt names no variable"),
    (("grad", "lambda x: x", "--x", "1"), "a lambda is not allowed in an expression"),
])
def test_usage_errors_say_what_to_do(tmp_path, args, said):
    code, out, err = agcli(tmp_path, *args)
    assert code == 2 and said in err and "hint:" in err


def test_a_variable_defined_with_D_is_never_a_mistyped_option(tmp_path):
    code, out, err = agcli(tmp_path, "grad", "x*2", "--x", "1", "-D", "seed=3")
    assert code == 0 and "'seed' is bound but the expression does not use it" in err


@pytest.mark.parametrize("args, said", [
    (("jvp", "x.int()", "--x", "[2.3, 0.5]", "--vector", "x=[1, 1]"),
     "Only Tensors of floating point and complex dtype can require gradients"),
    (("jacobian", "x * 2", "--x", "zeros(2, 0)"), "stack expects a non-empty TensorList"),
    (("hessian", "x.norm()", "--x", "[]"), "stack expects a non-empty TensorList"),
    (("grad", "x.unique().sum() + x.sum()", "--x", "[2.5, 0, -1]"),
     "the derivative for '_unique2' is not implemented."),
])
def test_pytorchs_errors_where_it_has_no_answer(tmp_path, args, said):
    code, out, err = agcli(tmp_path, *args)
    assert code == 1 and said in err


def test_numpy_warnings_do_not_reach_the_terminal(tmp_path):
    for args in (("jacobian", "log1p(x) + y", "--x", "-1", "--y", "1"),
                 ("grad", "x*1", "--x", "1e300", "--dtype", "float32")):
        code, out, err = agcli(tmp_path, *args)
        assert code == 0 and "RuntimeWarning" not in err and ".py:" not in err, err
