"""`agcli plot WORDS...`: f and its derivative over a range of one variable,
drawn in text (uniplot), written as PNG/SVG (matplotlib), or as JSON; and
where a program's plt.show() and plt.savefig() go (ProgramFigures).

The words are `agcli grad`'s (bindings, --wrt, --dtype, --seed, --device,
--format rich|json, -D, --strict, --color, --debug) without --grad-output;
--out FILE.png|FILE.svg writes the picture instead of drawing text.
evaluate/plot.py computes, output/plot_render.py draws.
"""
from __future__ import annotations

import os
import shutil
import sys

from ..errors import AgcliError
from .arguments import GRAD_OPTIONS
from .grad import asks_for_json, expression_given, prepare
from .sink import Output, color_mode, crashed, unicode_rules

PLOT_OPTIONS = {option: entry for option, entry in GRAD_OPTIONS.items() if option != "--grad-output"}
PICTURES = {".png": "png", ".svg": "svg"}


def run_plot(words) -> int:
    """`agcli plot WORDS...`: returns the exit code."""
    output = Output()
    fmt = "json" if asks_for_json(words) else "rich"
    try:
        args = prepare(words, PLOT_OPTIONS, where="agcli plot")
        fmt = args.format or "rich"
        picture = None if args.out is None else _picture(args.out)
    except AgcliError as e:
        if fmt == "json":       # stdout stays one JSON object
            _write_json(_rejected(words, e))
        output.error(e)
        return e.exit_code
    from ..evaluate.plot import plot
    try:
        result = plot(args.expr, args.bindings, wrt=args.wrt, strict=bool(args.strict))
    except Exception as e:      # a bug in agcli: an error result (a traceback only with --debug)
        result = _as_plot(crashed(args.expr, e, args.debug))
    try:
        _show(output, result, fmt, picture, args.out)
    except Exception as e:      # a missing extra, a file not written; or a bug in drawing (said plainly)
        error = e if isinstance(e, AgcliError) else crashed(args.expr, e, args.debug).error
        output.warnings(result.warnings)
        output.error(error)
        return error.exit_code
    return output.show_warnings_and_error(result)


def _picture(path: str) -> str:
    fmt = PICTURES.get(os.path.splitext(path)[1].lower())
    if fmt is None:
        raise AgcliError(f"--out writes a PNG or SVG picture: name it .png or .svg, not {path!r}", kind="usage",
                         hint="--format json writes the numbers (to standard output)")
    return fmt


def _show(output, result, fmt, picture, path):
    from ..output import plot_render as draw
    if result.error is None and picture is not None:
        draw.save_figure(draw.plot_figure(result), path, picture)
    if fmt == "json":
        _write_json(result)
    elif result.error is None and picture is None:
        text = draw.figure_text(draw.plot_figure(result), **text_style(sys.stdout))
        output.write(text + "\n" + "".join(line + "\n" for line in draw.plot_captions(result)))


def text_style(stream) -> dict:
    """How a chart is drawn on `stream`: in colour on a terminal (or --color always), else plain
    ASCII; as wide as the terminal allows, 60 columns of plot in a pipe."""
    mode = color_mode()
    terminal = stream.isatty()
    colour = mode == "always" or (mode == "auto" and terminal)
    width = 60
    if terminal:
        width = max(30, min(shutil.get_terminal_size().columns - 16, 100))
    return {"colour": colour, "unicode": unicode_rules(stream), "width": width}


def _write_json(result):
    from ..output.plot_render import plot_json
    sys.stdout.write(plot_json(result) + "\n")


def _rejected(words, error):
    from ..evaluate.plot import Plot
    result = Plot(expression_given(words))
    result.error = error
    return result


def _as_plot(crashed_result):
    from ..evaluate.plot import Plot
    result = Plot(crashed_result.expr)
    result.error = crashed_result.error
    return result


class ProgramFigures:
    """Where a program's plt.show() and plt.savefig() go (language/program_pyplot.py: draw_with):
    the chart as text on stdout; the file through matplotlib. Without uniplot, show() notes
    once on stderr how to install it, and the program goes on."""

    def __init__(self, output: Output):
        self.output = output
        self.noted = False

    def show(self, figure):
        from ..output.plot_render import figure_text
        try:
            text = figure_text(figure, **text_style(sys.stdout))
        except AgcliError as e:
            if not self.noted:
                self.noted = True
                self.output.warnings([e.message])
            return
        self.output.write(text + "\n")

    def save(self, figure, path, fmt, options):
        from ..output.plot_render import save_figure
        save_figure(figure, path, fmt, options)
