"""Where the report's figures are drawn: in this process, or in a worker process started early.

Loading matplotlib and its fonts takes about 0.4 s, and drawing the figures (two charts, each wide
and narrow) about 0.35 s more. ``taxonomy build`` knows from the start that it will draw them, so it
starts a worker process that loads matplotlib while this process reads and tags, and draws the
figures when the statistics are final. A short rebuild from the cache is mostly such fixed costs:
this takes about 0.4 s off one. (Two workers, drawing the wide and the narrow figures side by side,
measured no faster on two cores: loading matplotlib twice competes with the tagging.) The SVG is the
same wherever it is drawn (same code, fixed style, no dates, fixed id salt), and if the worker
cannot be started or dies, the figures are drawn here instead.
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from types import TracebackType

from taxonomy.report.data import ReportData, SvgFigure

# SvgFigure lives with the data, not with the drawing code: unpickling it here loads no matplotlib.
Figures = dict[str, SvgFigure]


def draw_figures(data: ReportData, *, narrow: bool = False) -> Figures:
    """The figures the data supports, by name (map, families, cooccurrence)."""
    from taxonomy.report import figures

    drawn: Figures = {}
    if data.concept_map is not None:
        from taxonomy.report.mapfigure import map_chart

        drawn["map"] = map_chart(
            data.concept_map,
            "Concept map: bubbles sized by papers and coloured by family, lines for concepts that share papers.",
            narrow=narrow,
        )
    if data.tagged and data.families:
        drawn["families"] = figures.family_chart(
            data.families,
            "Bar chart: papers per method family, split into primary and mentioned only.",
            narrow=narrow,
        )
    if data.heatmap is not None:
        drawn["cooccurrence"] = figures.heatmap(
            data.heatmap,
            "Heatmap: how much more or less often two families share papers than chance would give.",
            narrow=narrow,
        )
    return drawn


def draw_here(data: ReportData) -> tuple[Figures, Figures]:
    """The wide and the narrow figures, drawn in this process."""
    return draw_figures(data), draw_figures(data, narrow=True)


def _warm() -> None:
    """Worker start-up: load matplotlib and lay out some text, which loads the font."""
    from taxonomy.report import figures

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops the worker
    figures.warm_up()


class FigureWorkers:
    """A process that loads matplotlib now and draws the wide and narrow figures later.

    Use as a context manager around the work that comes before the report; ``draw`` has the
    signature of ``draw_here``. Where processes cannot be forked (not Linux), it draws here.
    """

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        if not sys.platform.startswith("linux"):
            return  # spawned workers would import everything again: slower than drawing here
        try:
            context = multiprocessing.get_context("fork")
            self._pool = ProcessPoolExecutor(1, mp_context=context, initializer=_warm)
            self._started: Future[None] = self._pool.submit(_nothing)  # starts the worker now
        except (OSError, RuntimeError):
            self._pool = None

    def draw(self, data: ReportData) -> tuple[Figures, Figures]:
        """The wide and the narrow figures, drawn by the worker (here if it failed)."""
        return self.submit(data)()

    def submit(self, data: ReportData) -> Callable[[], tuple[Figures, Figures]]:
        """Start drawing; the function returned waits for the figures (drawn here if the worker failed)."""
        if self._pool is None:
            return lambda: draw_here(data)
        sent = replace(data, table=None)  # the figures do not show the paper table (7 MB pickled)
        try:
            wide = self._pool.submit(draw_figures, sent)
            narrow = self._pool.submit(draw_figures, sent, narrow=True)
        except (BrokenProcessPool, OSError, RuntimeError):
            self.close()
            return lambda: draw_here(data)

        def result() -> tuple[Figures, Figures]:
            try:
                return wide.result(), narrow.result()
            except (BrokenProcessPool, OSError, RuntimeError):
                self.close()
                return draw_here(data)

        return result

    def close(self) -> None:
        """Stop the worker (at once: nothing it could still be doing is needed)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> FigureWorkers:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _nothing() -> None:
    return None
