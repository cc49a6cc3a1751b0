"""What a new user met typing each command's options from its --help (hunt 16): a flag mistyped
with its hyphen (--detect-anomali, --second-ordr), a command's own flag mistyped (graph's --sav),
`--version` after a command, and a binary file given to `agcli batch`, each refused in one error
with the option meant, never read as a binding or run line by line. The installed agcli, run as a
subprocess."""
from __future__ import annotations

import json

import pytest

from installed import run_in as agcli


@pytest.mark.parametrize("args, typed, meant", [
    (["grad", "sin(x)", "--x", "1", "--detect-anomali"], "--detect-anomali", "--detect-anomaly"),
    (["grad", "sin(x)", "--x", "1", "--detect-anomali", "--wrt", "x"], "--detect-anomali", "--detect-anomaly"),
    (["grad", "sin(x)", "--x", "1", "--grad-outpt", "1"], "--grad-outpt", "--grad-output"),
    (["check", "sin(x)", "--x", "1", "--second-ordr"], "--second-ordr", "--second-order"),
    (["jacobian", "sin(x)", "--x", "1", "--max-element", "9"], "--max-element", "--max-elements"),
    (["graph", "sin(x)", "--x", "1", "--sav"], "--sav", "--saved"),
    (["graph", "sin(x)", "--x", "1", "--sav", "--wrt", "x"], "--sav", "--saved"),
])
def test_a_mistyped_option_names_the_one_meant(tmp_path, args, typed, meant):
    proc = agcli(*args, cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith(f"error: unknown option {typed}\n"), proc.stderr
    assert f"hint: did you mean {meant}?" in proc.stderr
    assert "needs a value" not in proc.stderr and "is not a binding" not in proc.stderr


def test_a_hyphenated_typo_in_a_batch_line_is_the_lines_error(tmp_path):
    proc = agcli("batch", "-", "-f", "jsonl", cwd=tmp_path, input='"x*2" --x 1 --detect-anomali\n"x*3" --x 1\n')
    first, second = (json.loads(line) for line in proc.stdout.splitlines())
    assert first["error"]["message"] == "unknown option --detect-anomali"
    assert first["error"]["hint"].startswith("did you mean --detect-anomaly?")
    assert second["error"] is None and second["value"] == 3.0 and proc.returncode == 1


def test_a_name_with_a_hyphen_like_no_option_is_still_not_a_binding(tmp_path):
    proc = agcli("grad", "sin(x)", "--x", "1", "--foo-bar", "1", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: '--foo-bar' is not a binding: a variable name is letters, digits and _")


def test_a_near_option_that_the_expression_uses_stays_a_variable(tmp_path):
    proc = agcli("graph", "sav * 2", "--sav", "3", "-f", "json", cwd=tmp_path)
    assert proc.returncode == 0 and json.loads(proc.stdout)["value"] == 6.0


def test_version_after_a_command_points_at_agcli_version(tmp_path):
    proc = agcli("grad", "sin(x)", "--x", "1", "--version", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == ("error: --version is not an option of agcli grad\n"
                           "  hint: agcli --version prints agcli's version\n")
    used = agcli("grad", "version * 2", "--version", "4", "-f", "json", cwd=tmp_path)
    assert used.returncode == 0 and json.loads(used.stdout)["grads"] == {"version": 2.0}


@pytest.mark.parametrize("content, where", [
    (b"\x7fELF\x02\x01\x01\x00\x00\x00 binary\n\x00\x01 more\n", "line 1, byte 7"),
    (b'"x*2" --x 1\n"y\x00" --y 1\n', "line 2, byte 14"),
])
def test_a_binary_batch_file_is_refused_once(tmp_path, content, where):
    (tmp_path / "data.bin").write_bytes(content)
    for args, stdin in (((), None), (("-f", "jsonl"), None)):
        proc = agcli("batch", "data.bin", *args, cwd=tmp_path, input=stdin)
        assert proc.returncode == 2 and proc.stdout == ""
        assert proc.stderr == (f"error: data.bin is not text: it holds a NUL byte ({where})\n"
                               "  hint: a batch file holds lines of agcli grad's words, as UTF-8 text\n")
    piped = agcli("batch", "-", cwd=tmp_path, input=content.decode("latin-1"))
    assert piped.returncode == 2 and piped.stderr.startswith("error: standard input is not text")


def test_vjp_of_a_vector_without_grad_output_says_what_to_give(tmp_path):
    proc = agcli("vjp", "x * 2", "--x", "[1., 2.]", cwd=tmp_path)
    assert proc.returncode == 1
    assert ("error: The vector v can only be None if the user-provided function returns a single Tensor with a "
            "single element.\n  hint: the output has shape (2,): give v as --grad-output VALUE of that shape "
            "('ones(2)': the gradient of its sum)\n") in proc.stderr
