"""The report's figures, drawn with matplotlib and returned as SVG text.

Figures are ``matplotlib.figure.Figure`` objects saved straight to SVG, never through pyplot, so
the report neither needs a display nor changes the caller's backend. Output is deterministic: no date in the metadata, a fixed hash salt for clip-path ids, and text kept
as ``<text>`` (``svg.fonttype = none``), laid out with DejaVu Sans, which matplotlib ships, so every
machine measures labels the same way. Labels come from the rules and the corpus, so math parsing is
off (a ``$`` in a label is just a dollar sign) and matplotlib escapes them as XML text. Ids inside
each SVG get the figure's name as a prefix, so several figures can sit inline in one HTML page.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import matplotlib
from markupsafe import escape
from matplotlib.axis import Axis
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LinearSegmentedColormap, Normalize, to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FixedLocator
from matplotlib.typing import RcKeyType

from taxonomy.report.data import FamilyRow, Heatmap, SvgFigure
from taxonomy.report.text import shorten

INK = "#1f2933"
MUTED = "#616e7c"
RULE = "#d3d8de"
PRIMARY = "#2b5c8a"
MENTIONED = "#a9c3dd"
EMPTY = "#f1f0ec"
WEAK_EVIDENCE = 3  # heatmap cells from fewer shared papers are faded
_HEAT = LinearSegmentedColormap.from_list("association", ["#3f6e9c", "#f4f3ef", "#b9472f"])

_RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "taxonomy-report",
    "font.family": ["sans-serif"],
    # Metrics come from DejaVu Sans; viewers without it fall back to fonts of similar or smaller width.
    "font.sans-serif": ["DejaVu Sans", "Verdana", "Arial", "Helvetica"],
    "font.size": 9,
    "text.parse_math": False,
    "text.color": INK,
    "axes.labelcolor": INK,
    "axes.edgecolor": RULE,
    "axes.titlesize": 9,
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": MUTED,
    "ytick.color": INK,
    "figure.facecolor": "none",
    "axes.facecolor": "none",
    "savefig.facecolor": "none",
    "legend.frameon": False,
    # More room at the edges than the default 3 points: browsers measure text a little differently.
    "figure.constrained_layout.w_pad": 0.1,
    "figure.constrained_layout.h_pad": 0.08,
}
TIMES = "\u00d7"  # the multiplication sign
_METADATA: dict[str, str | None] = {"Date": None, "Creator": None, "Format": None, "Type": None}
_TAG = re.compile(r"<[a-zA-Z][^<>]*>")
_ID = re.compile(r'(\sid=")([^"]*)"')
_HREF = re.compile(r'(href="#)([^"]*)"')
_URL = re.compile(r"(url\(#)([^)]*)\)")
_LABEL = 34


@contextmanager
def _style() -> Iterator[None]:
    with matplotlib.rc_context(_RC):
        yield


WIDE = 7.2  # inches; about 700 CSS pixels, the width of the report's text column
NARROW = 3.7  # for phones, about 355 CSS pixels


def warm_up() -> None:
    """Lay out and write a tiny figure with text: loads the font, so that a later figure need not."""
    with _style():
        fig = Figure(figsize=(1, 1), layout="constrained")
        fig.add_subplot().set_title("0")
        fig.savefig(io.StringIO(), format="svg", metadata=_METADATA, bbox_inches="tight")


def family_chart(rows: Sequence[FamilyRow], title: str, *, narrow: bool = False) -> SvgFigure:
    """Horizontal bars: papers per family, split into primary and mentioned-only."""
    step = 0.46 if narrow else 0.34
    with _style():
        fig = Figure(figsize=(NARROW if narrow else WIDE, 0.7 + step * len(rows)), layout="constrained")
        ax = fig.add_subplot()
        y = list(range(len(rows)))
        bar = 0.42 if narrow else 0.62
        ax.barh(y, [r.primary for r in rows], height=bar, color=PRIMARY)
        ax.barh(y, [r.mentioned for r in rows], left=[r.primary for r in rows], height=bar, color=MENTIONED)
        top = max((r.papers for r in rows), default=0) or 1
        for i, row in enumerate(rows):
            note = f"{row.papers}" + (f"  ({row.primary} primary)" if row.papers else "")
            ax.text(row.papers + top * 0.015, i, note, va="center", fontsize=8, color=MUTED)
            if narrow:  # labels above the bars leave the whole width to the bars
                ax.text(0, i - bar / 2 - 0.06, shorten(row.label, 44), va="bottom", fontsize=8.5)
        if narrow:
            ax.set_yticks([])
            ax.set_ylim(len(rows) - 0.5, -0.85)
        else:
            ax.set_yticks(y, [shorten(r.label, _LABEL) for r in rows])
            ax.invert_yaxis()
        ax.set_xlim(0, top * (1.45 if narrow else 1.28))
        ax.xaxis.set_visible(False)
        ax.spines["bottom"].set_visible(False)
        ax.spines["left"].set_visible(not narrow)
        ax.tick_params(axis="y", length=0)
        fig.legend(
            [Patch(color=PRIMARY), Patch(color=MENTIONED)],
            ["primary" if narrow else "primary: the paper is about the family", "mentioned only"],
            loc="outside upper left",
            ncols=2,
            fontsize=8,
            handlelength=1.2,
        )
        return _finish(fig, "families" + ("-narrow" if narrow else ""), title)


def heatmap(data: Heatmap, title: str, *, narrow: bool = False) -> SvgFigure:
    """Lower-triangle heatmap of family association strength, log-scaled around 1 (chance)."""
    n = len(data.labels)
    rows, cols = range(1, n), range(n - 1)
    strongest = max((abs(math.log2(v)) for r in data.lift for v in r if v), default=1.0)
    limit = min(3.0, max(1.0, strongest))
    norm = Normalize(-limit, limit)
    cell = min(0.5, 2.3 / (n - 1)) if narrow else 0.5
    side = cell * (n - 1)
    size = (NARROW, 1.9 + side) if narrow else (min(9.0, 3.4 + side), 1.6 + side)
    with _style():
        fig = Figure(figsize=size, layout="constrained")
        ax = fig.add_subplot()
        for i in rows:
            for j in range(i):
                value, count = data.lift[i][j], data.counts[i][j]
                x, yy = j, i - 1
                if not count or not value:
                    ax.add_patch(_cell(x, yy, EMPTY))
                    continue
                shade = float(norm(math.log2(value)))
                weak = count < WEAK_EVIDENCE  # one or two shared papers: show the colour, but faded
                ax.add_patch(_cell(x, yy, _blend(_HEAT(shade), EMPTY, 0.6) if weak else _HEAT(shade)))
                ink = "white" if abs(shade - 0.5) > 0.33 and not weak else INK
                if cell >= 0.4:
                    ax.text(x, yy - 0.1, f"{value:.1f}", ha="center", va="center", fontsize=8, color=ink)
                    ax.text(x, yy + 0.22, f"n={count}", ha="center", va="center", fontsize=6, color=ink)
                elif cell >= 0.26:
                    ax.text(x, yy, f"{value:.1f}", ha="center", va="center", fontsize=6, color=ink)
        ax.set_xlim(-0.5, n - 1.5)
        ax.set_ylim(n - 1.5, -0.5)
        ax.set_aspect("equal")
        short = 18 if narrow else 26
        ax.set_xticks(list(cols), [shorten(label, short) for label in data.labels[:-1]])
        ax.set_yticks(
            [i - 1 for i in rows], [shorten(label, short if narrow else _LABEL) for label in data.labels[1:]]
        )
        ax.tick_params(length=0, labelsize=7.5 if narrow else 9)
        ax.tick_params(axis="x", colors=INK)
        for label in ax.get_xticklabels():
            label.set_rotation(40)
            label.set_horizontalalignment("right")
            label.set_rotation_mode("anchor")
        for spine in ax.spines.values():
            spine.set_visible(False)
        mappable = ScalarMappable(norm=norm, cmap=_HEAT)
        axis: Axis
        if narrow:
            bar = fig.colorbar(mappable, ax=ax, location="bottom", shrink=0.8, aspect=30, pad=0.02)
            axis = bar.ax.xaxis
        else:
            bar = fig.colorbar(mappable, ax=ax, shrink=0.7, aspect=24, pad=0.03)
            axis = bar.ax.yaxis
        ticks = [t for t in (-3, -2, -1, 0, 1, 2, 3) if -limit <= t <= limit]
        axis.set_major_locator(FixedLocator(ticks))
        axis.set_ticklabels([_times(t) for t in ticks], fontsize=8)
        bar.set_label("shared papers: observed ÷ expected", fontsize=8, color=MUTED)
        bar.outline.set_visible(False)
        bar.ax.tick_params(length=0, colors=MUTED)
        return _finish(fig, "cooccurrence" + ("-narrow" if narrow else ""), title)


def _cell(x: float, y: float, color: Any) -> Rectangle:
    return Rectangle((x - 0.48, y - 0.48), 0.96, 0.96, facecolor=color, edgecolor="none")


def _blend(color: Any, other: str, amount: float) -> tuple[float, float, float]:
    """``color`` moved ``amount`` of the way towards ``other``."""
    a, b = to_rgb(color), to_rgb(other)
    return (a[0] + (b[0] - a[0]) * amount, a[1] + (b[1] - a[1]) * amount, a[2] + (b[2] - a[2]) * amount)


def _times(exponent: int) -> str:
    """A colour-bar tick: 2 to the power ``exponent`` followed by a multiplication sign."""
    names = {-3: "⅛", -2: "¼", -1: "½"}
    return names.get(exponent, str(2**exponent)) + TIMES


def _finish(fig: Figure, name: str, title: str) -> SvgFigure:
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": f"taxonomy-{name}"}):
        # A tight box keeps every label inside the drawing, even where the layout engine leaves one
        # hanging over the edge (long labels next to an equal-aspect heatmap).
        fig.savefig(buffer, format="svg", metadata=_METADATA, bbox_inches="tight", pad_inches=0.08)
    return SvgFigure(name, title, _prepare(buffer.getvalue(), name, title))


def _prepare(svg: str, name: str, title: str) -> str:
    """Drop the XML prolog, prefix every id, scope the style sheet, add an accessible title."""
    svg = svg[svg.index("<svg") :].rstrip()
    prefix = f"fig-{name}"

    def tag(match: re.Match[str]) -> str:
        text = _ID.sub(lambda m: f'{m.group(1)}{prefix}-{m.group(2)}"', match.group(0))
        text = _HREF.sub(lambda m: f'{m.group(1)}{prefix}-{m.group(2)}"', text)
        return _URL.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)})", text)

    svg = _TAG.sub(tag, svg)
    svg = svg.replace('<style type="text/css">*{', f'<style type="text/css">#{prefix} *{{', 1)
    head_end = svg.index(">") + 1
    head = svg[: head_end - 1] + f' id="{prefix}" role="img" aria-labelledby="{prefix}-title">'
    return f'{head}\n <title id="{prefix}-title">{escape(title)}</title>{svg[head_end:]}'
