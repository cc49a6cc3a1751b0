"""Python's standard-library modules in programs, where what matters is on stderr, in the exit status
or on the disk (what stdout shows is in python_programs' fixtures 040-072): argparse's usage and
errors, logging's records, os's writes inside the current directory only, and agcli's refusals.
Each expected text is what Python 3.11 with PyTorch 2.13 writes for the same program.
"""
from __future__ import annotations

import subprocess
import sys

import pytest

from installed import AGCLI, base_env

TIMEOUT = 60


def _run(source, tmp_path):
    return subprocess.run([AGCLI, "run", "-e", source], cwd=tmp_path, env=base_env(HOME=str(tmp_path)),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, encoding="utf-8",
                          timeout=TIMEOUT)


_PARSER = "import argparse\np = argparse.ArgumentParser()\np.add_argument('--n', type=int, default=1)\n"


@pytest.mark.parametrize("source, stdout, stderr, status", [
    # argparse: a bad command line is usage and the error on stderr, exit 2 (`python -c`'s prog is -c)
    (_PARSER + "print('a')\np.parse_args(['--n', 'x'])\nprint('b')", "a\n",
     "usage: -c [-h] [--n N]\n-c: error: argument --n: invalid int value: 'x'\n", 2),
    (_PARSER + "p.parse_args(['--zzz'])", "", "usage: -c [-h] [--n N]\n-c: error: unrecognized arguments: --zzz\n", 2),
    (_PARSER + "p.error('bad input')", "", "usage: -c [-h] [--n N]\n-c: error: bad input\n", 2),
    # --help prints on stdout and exits 0; no arguments: the defaults
    (_PARSER + "p.parse_args(['-h'])\nprint('not reached')", "usage: -c [-h] [--n N]\n\noptions:\n"
     "  -h, --help  show this "
     "help message and exit\n  --n N\n", "", 0),
    (_PARSER + "print(p.parse_args())", "Namespace(n=1)\n", "", 0),
    # logging: the root's WARNING level and format when nothing is configured
    ("import logging\nlogging.info('hidden')\nlogging.warning('shown %d', 3)\nprint('out')", "out\n",
     "WARNING:root:shown 3\n", 0),
    # a named logger before any configuration: Python's last resort writes the message alone
    ("import logging\nlog = logging.getLogger(__name__)\nlog.info('hidden')\nlog.warning('w')", "", "w\n", 0),
    ("import logging\nlogging.basicConfig(level=logging.DEBUG, format='%(levelname)s|%(name)s|%(message)s')\n"
     "logging.getLogger('a.b').debug('x=%s', [1, 2])\nlogging.error('e')", "",
     "DEBUG|a.b|x=[1, 2]\nERROR|root|e\n", 0),
    ("import torch, logging\nlogging.basicConfig(level='INFO')\nlogging.info('t %s', torch.ones(2))", "",
     "INFO:root:t tensor([1., 1.])\n", 0),
    # a message its arguments do not fit: Python's handler reports it and the program goes on (Python's report
    # has its traceback inside the logging module between the first two lines)
    ("import logging\nlogging.warning('%d', 'x')\nprint('after')", "after\n",
     "--- Logging error ---\nTypeError: %d format: a real number is required, not str\nMessage: '%d'\n"
     "Arguments: ('x',)\n", 0),
])
def test_stderr_and_status_are_pythons(source, stdout, stderr, status, tmp_path):
    proc = _run(source, tmp_path)
    assert (proc.stdout, proc.stderr, proc.returncode) == (stdout, stderr, status)


@pytest.mark.parametrize("source, words", [
    ("import os\nos.makedirs('../outside', exist_ok=True)", "os.makedirs() makes folders inside the current "
     "directory only: '../outside' is outside it"),
    ("import os\nos.remove('/etc/hostname')", "os.remove() deletes files inside the current directory only"),
    ("import os\nos.listdir('/')", "os.listdir() reads folders inside the current directory only"),
    ("import os\nos.system('ls')", "agcli's programs do not reach 'os.system'"),
    ("open('../outside.txt', 'w')", "open() writes files inside the current directory only: '../outside.txt' is "
     "outside it"),
    ("print(open('/etc/hostname').read())", "open() reads files inside the current directory only"),
    ("open('x.bin', 'wb')", "agcli's open() reads and writes text files only, not binary mode 'wb'"),
    ("open(1)", "agcli's open() opens files by their path, not by a file descriptor"),
    ("import pathlib\npathlib.Path('../outside.txt').write_text('x')", "Path.write_text() writes files inside the "
     "current directory only: '../outside.txt' is outside it"),
    ("from pathlib import Path\nprint(list(Path('.').glob('../*')))", "Path.glob() reads folders inside the current "
     "directory only"),
    ("from pathlib import Path\nPath.home()", "agcli's programs read and write inside the current directory only"),
    ("from datetime import timezone", "agcli's programs do not reach 'datetime.timezone'"),
    ("import logging\nlogging.basicConfig(filename='log.txt')", "agcli's logging.basicConfig writes to stderr"),
    ("import logging\nlogging.Formatter('%(lineno)d %(message)s')", "agcli's logging does not know a record's place"),
    ("import torch, heapq\nheapq.heappush([], (1.0, torch.ones(1)))",
     "agcli's heapq.heappush takes Python's numbers, strings and lists of them, not a 'Tensor'"),
    ("import torch, statistics\nstatistics.median([torch.ones(1)])", "agcli's statistics.median takes Python's"),
    ("import torch, re\nre.match('a', torch.ones(1))", "agcli's re.match takes Python's numbers"),
    ("import argparse\nargparse.ArgumentParser().parse_args([1])", "agcli's parse_args takes a list of strings"),
    ("from enum import verify", "agcli's programs do not reach 'enum.verify'"),
    ("import inspect\ndef f(x: int):\n    pass\nprint(inspect.signature(f))", "agcli does not keep the annotations "
     "of f(): it does not print its signature"),
    ("import inspect, torch\ninspect.signature(torch.nn.Linear)", "agcli's inspect.signature reads the program's own "
     "functions and classes, not the class Linear"),
    ("import inspect, torch\nprint(inspect.isfunction(torch.sin))", "agcli's inspect.isfunction answers for the "
     "program's own functions"),
])
def test_what_agcli_does_not_do_is_refused_clearly(source, words, tmp_path):
    proc = _run(source, tmp_path)
    assert proc.returncode == 1 and proc.stdout == ""
    assert words in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path.parent / "outside").exists() and not (tmp_path / "log.txt").exists()
    assert not (tmp_path.parent / "outside.txt").exists() and not (tmp_path / "x.bin").exists()


def test_os_writes_and_deletes_inside_the_current_directory(tmp_path):
    (tmp_path / "f.txt").write_text("x")
    proc = _run("import os\nos.makedirs('a/b')\nos.mkdir('c')\nos.remove('f.txt')\nos.rmdir('a/b')", tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "c"] and not (tmp_path / "a" / "b").exists()


def test_files_are_written_inside_the_current_directory_and_errors_are_pythons(tmp_path):
    proc = _run("from pathlib import Path\nwith open('a.txt', 'w') as f:\n    print('x', 1, file=f)\n"
                "Path('d').mkdir()\n(Path('d') / 'b.json').write_text('{}')\nprint(open('a.txt').read(), end='')\n"
                "open('missing.txt')\nprint('not reached')", tmp_path)
    assert (proc.stdout, proc.returncode) == ("x 1\n", 1)
    assert proc.stderr.splitlines()[0] == "error: FileNotFoundError: [Errno 2] No such file or directory: 'missing.txt'"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.txt", "b.json", "d"]
    assert (tmp_path / "a.txt").read_text() == "x 1\n" and (tmp_path / "d" / "b.json").read_text() == "{}"


def test_a_file_left_open_is_written_when_the_program_ends(tmp_path):
    proc = _run("f = open('log.txt', 'w')\nf.write('kept')\nprint(f.closed)", tmp_path)
    assert (proc.stdout, proc.returncode) == ("False\n", 0), proc.stderr
    assert (tmp_path / "log.txt").read_text() == "kept"


def test_argparse_reads_no_arguments_of_agcli_s_own(tmp_path):
    """sys.argv is [the program's path]: agcli's own options never reach the program's parser."""
    (tmp_path / "train.py").write_text("import sys, argparse\nprint(sys.argv)\n"
                                       "print(argparse.ArgumentParser().parse_args())\n")
    proc = subprocess.run([AGCLI, "run", "--seed", "1", "train.py"], cwd=tmp_path, env=base_env(), capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=TIMEOUT)
    assert (proc.stdout, proc.returncode) == ("['train.py']\nNamespace()\n", 0), proc.stderr


def test_a_run_that_imports_none_of_them_does_not_load_them():
    script = ("import sys; from agcli.cli.run import run_file; code = run_file(program='import torch, math\\n"
              "print(1)'); sys.stderr.write(' '.join(m for m in ('argparse', 'statistics', 'agcli.language.program_os',"
              " 'agcli.language.program_pure', 'agcli.language.program_logging', 'agcli.language.program_files', "
              "'agcli.language.program_pathlib', 'agcli.language.program_datetime', 'agcli.language.program_csv', "
              "'csv', 'agcli.language.program_enum') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=TIMEOUT,
                          env=base_env())
    assert (proc.stdout, proc.stderr) == ("1\n", "")
