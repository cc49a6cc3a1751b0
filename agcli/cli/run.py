"""`agcli run`: run a PyTorch autograd program; its print() writes to stdout.

An error stops the program and shows once on stderr, with the line and a
caret (exit 1, or 2 if the program was refused before it ran).
"""
from __future__ import annotations

import sys

from ..errors import EXIT_INPUT, EXIT_OK, AgcliError, as_uncaught
from .sink import Output, crashed, program_exit, reading_terminal


def run_file(file=None, program=None, *, device=None, seed=None, dtype="float32", max_iterations=10**6,
             max_elements=10**8, debug=False, detect_anomaly=False) -> int:
    """`agcli run FILE`, `-` (standard input) or `-e PROGRAM`: returns the exit code."""
    output = Output()
    if (file is None) == (program is None):
        message = ("give one program: a FILE or -e PROGRAM, not both" if file is not None else
                   "give a program FILE, - for standard input, or -e PROGRAM")
        output.error(AgcliError(message, kind="usage"))
        return EXIT_INPUT
    where = "-e" if program is not None else ("<stdin>" if file == "-" else file)
    if program is None:
        try:
            if file == "-" and sys.stdin is None:     # (`<&-`: the shell closed it)
                output.error(AgcliError("there is no standard input to read the program from", kind="usage",
                                        hint="give a program FILE, or pipe one in: agcli run - < program.py"))
                return EXIT_INPUT
            if file == "-":     # UTF-8 whatever the locale says; a BOM (Windows' editors) is skipped
                reading_terminal("the program")
                program = sys.stdin.buffer.read().decode("utf-8-sig", "surrogateescape").replace("\r\n", "\n")
            else:       # (a byte that is not UTF-8 is kept, for run_program to point at: Python's refusal)
                with open(file, encoding="utf-8-sig", errors="surrogateescape") as f:
                    program = f.read()
        except OSError as e:
            import os
            hint = (f"agcli run takes the file's name itself, without grad's @: agcli run {file[1:]}"
                    if file.startswith("@") and os.path.isfile(file[1:]) else None)
            output.error(AgcliError(f"cannot read {file}: {e.strerror or e}", kind="usage", hint=hint))
            return EXIT_INPUT
    try:
        program_setup(output, device, dtype, seed, max_elements, detect_anomaly=detect_anomaly)
        from ..language.program import run_program
        from ..language.warning_places import once_per_place
        from ..state import state
        import os
        filename = "<string>" if file is None else "<stdin>" if file == "-" else os.path.abspath(file)
        state.warn = once_per_place(state.warn, program, filename)
        from ..language.program_sys import ARGV
        ARGV[:] = ["-c" if file is None else "-" if file == "-" else file]      # (Python's sys.argv[0])
        from ..language.forward_stacks import stack_of_program
        state.forward_stack = stack_of_program(filename, program)      # (anomaly mode's traceback of each node)
        state.watch_nodes = state.watched()
        run_program(program, output.write, max_iterations=max_iterations)
    except AgcliError as e:
        sys.stdout.flush()
        if e.kind == "exit":        # exit(code): no error to frame
            return program_exit(e)
        output.error(as_uncaught(e), where=where)
        return e.exit_code
    except Exception as e:  # a bug in agcli: said plainly, a traceback only with --debug
        error = crashed(where, e, debug).error
        output.error(error, where=where)
        return error.exit_code
    return EXIT_OK


def program_setup(output, device, dtype, seed, max_elements, detect_anomaly=False):
    """The device, then the run's settings (the engine's first import), PyTorch's
    warnings on stderr, and where plt's figures go: what `run` and `repl` do before a program.
    detect_anomaly: torch.autograd.set_detect_anomaly(True) from the start (--detect-anomaly),
    so that the program is lowered noting where each node is made."""
    from ..device import choose
    choose(device)
    from ..evaluate import run as api
    from ..state import state
    api.configure(dtype=dtype, seed=seed, max_elements=max_elements, detect_anomaly=detect_anomaly)

    def warn(message):      # (once per place: language/warning_places.py)
        from ..output.render import Line
        output.show([Line((message, "yellow"))], stderr=True)
    state.warn = warn
    from ..language.program_pyplot import draw_with
    from .plot import ProgramFigures
    draw_with(ProgramFigures(output))       # plt.show(): text on stdout; plt.savefig(): a file (cli/plot.py)
