"""``figures/map.svg``: the concept map drawn the way VOSviewer users know it.

Bubbles at the shared layout's positions, sized by papers and coloured by family; lines for the
strongest co-occurrences, wider for a stronger association; labels for the concepts with most papers
first, each placed only where it overlaps no label already placed (centred on its bubble, else just
above or below it); a legend of the families. Drawn with the style and the finishing of the other
figures (``figures._style``, ``figures._finish``), so it is as deterministic as they are.
"""

from __future__ import annotations

import math

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.transforms import Bbox

from taxonomy.report.data import SvgFigure
from taxonomy.report.figures import INK, NARROW, WIDE, _finish, _style
from taxonomy.report.mapdata import MapData
from taxonomy.report.text import shorten

MAX_LABELS = 70
_PAD = 2.0  # pixels kept free around each label


def map_chart(data: MapData, title: str, *, narrow: bool = False) -> SvgFigure:
    """The concept map as an SVG figure named ``map`` (``map-narrow`` for phones)."""
    width = NARROW if narrow else WIDE
    scale = 0.55 if narrow else 1.0  # bubbles and text shrink with the page
    xs, ys = [p.x for p in data.points], [p.y for p in data.points]
    margin = 70.0  # room for the bubbles and labels at the edges, in layout units
    left, right = min(xs) - margin, max(xs) + margin
    bottom, top = min(ys) - margin, max(ys) + margin
    aspect = min(1.1, max(0.55, (top - bottom) / (right - left)))
    with _style():
        fig = Figure(figsize=(width, width * aspect + (0.9 if narrow else 0.6)), layout="constrained")
        FigureCanvasAgg(fig)  # text extents are measured with this canvas's renderer
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.set_xlim(left, right)
        ax.set_ylim(bottom, top)
        ax.set_aspect("equal", adjustable="box")
        top_assoc = max(
            (math.log(link.association) for link in data.links if link.association > 1), default=1.0
        )
        segments, colours, widths = [], [], []
        for link in reversed(data.links):  # the strongest drawn last, on top
            a, b = data.points[link.a], data.points[link.b]
            segments.append([(a.x, a.y), (b.x, b.y)])
            colours.append(a.color if a.papers >= b.papers else b.color)
            strength = max(0.0, math.log(link.association)) / top_assoc if top_assoc > 0 else 0.0
            widths.append(scale * (0.3 + 1.8 * strength))
        ax.add_collection(LineCollection(segments, colors=colours, linewidths=widths, alpha=0.28, zorder=1))
        order = sorted(range(len(data.points)), key=lambda i: (-data.points[i].papers, data.points[i].id))
        ax.scatter(
            [data.points[i].x for i in order],
            [data.points[i].y for i in order],
            s=[(scale * 0.62 * data.points[i].size) ** 2 for i in order],
            c=[data.points[i].color for i in order],
            alpha=0.85,
            edgecolors="white",
            linewidths=0.5 * scale,
            zorder=2,
        )
        _labels(fig, ax, data, order, scale)
        handles = [
            Line2D([], [], marker="o", linestyle="", markersize=7 * scale + 2, color=g.color)
            for g in data.legend
        ]
        fig.legend(
            handles,
            [shorten(g.label, 26) for g in data.legend],
            loc="outside lower center",
            ncols=2 if narrow else 4,
            fontsize=7 if narrow else 8,
            handletextpad=0.3,
            columnspacing=1.2,
        )
        return _finish(fig, "map" + ("-narrow" if narrow else ""), title)


def _labels(fig: Figure, ax: object, data: MapData, order: list[int], scale: float) -> None:
    """Label the concepts with most papers first wherever a label overlaps none already placed."""
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    fig.draw_without_rendering()  # fixes the constrained layout, so that extents are final
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    placed: list[Bbox] = []
    frame = ax.get_window_extent(renderer)
    top = max((p.papers for p in data.points), default=1) or 1
    most = MAX_LABELS if scale == 1.0 else MAX_LABELS // 2
    for i in order[: most * 3]:
        if len(placed) >= most:
            break
        point = data.points[i]
        size = max(5.0, scale * (6.0 + 5.0 * math.sqrt(point.papers / top)))
        radius = scale * 0.62 * point.size / 2 + 1  # points
        for dy, va in ((0.0, "center"), (radius, "bottom"), (-radius, "top")):
            text = ax.annotate(
                shorten(point.label, 30),
                (point.x, point.y),
                xytext=(0, dy),
                textcoords="offset points",
                ha="center",
                va=va,
                fontsize=size,
                color=INK,
                weight="bold" if point.is_family else "normal",
                zorder=3,
            )
            box = text.get_window_extent(renderer).expanded(1.0, 1.0).padded(_PAD)
            inside = frame.containsx(box.x0) and frame.containsx(box.x1) and frame.containsy(box.y1)
            if inside and not any(box.overlaps(other) for other in placed):
                placed.append(box)
                break
            text.remove()
