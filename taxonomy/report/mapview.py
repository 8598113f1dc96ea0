"""The report's interactive concept map: an SVG drawn from the shared layout, and the data its script reads.

The page stays one self-contained file: the SVG is written into the HTML (so the map shows even
where scripts do not run), the data for hovering and clicking is a JSON block, and a small
hand-written script (``templates/map.js``) adds pan and zoom, the hover card, the paper list and the
legend switches. Labels are chosen here, not in the browser: each label gets the smallest zoom (½, 1, 2,
4 or 8) at which it overlaps no label of a more important concept, and the script shows it from
that zoom on, at a constant size on screen. Zoom 1 is the map about 650 pixels wide, as on a laptop;
a phone shows the whole map at about zoom ½, so it labels fewer concepts, at a readable size.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from markupsafe import Markup

from taxonomy.report.mapdata import MapData
from taxonomy.report.text import shorten

ZOOMS = (0.5, 1.0, 2.0, 4.0, 8.0)
MAX_LABEL = 24
MARGIN = 70.0  # layout units around the outermost bubbles
_CHAR = 0.64  # a label's width per character, in font sizes (DejaVu Sans: about 0.6, with room to spare)
_GAP = 0.3  # the space between a bubble and a label beside it, in font sizes


@dataclass(frozen=True, slots=True)
class ViewPoint:
    """A bubble and its label as the template writes them (SVG y points down)."""

    index: int
    id: str
    label: str  # as shown on the map: cut to MAX_LABEL characters (the hover card has it whole)
    group: str
    cx: float
    cy: float
    r: float
    color: str
    font: float  # label size in layout units at zoom 1
    zoom: float  # the zoom from which the label shows; 0 for never
    side: int  # 0: the label is centred on the bubble; -1: just above it; 1: below; 2: right; -2: left


@dataclass(frozen=True, slots=True)
class ViewLink:
    """A line between two bubbles."""

    a: int
    b: int
    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    color: str


@dataclass(frozen=True, slots=True)
class MapView:
    """Everything the template needs for the interactive map."""

    viewbox: str
    points: tuple[ViewPoint, ...]
    links: tuple[ViewLink, ...]
    data: MapData
    script_data: Markup  # the JSON block, safe inside <script>


def map_view(data: MapData) -> MapView:
    """The interactive map of ``data``."""
    xs, ys = [p.x for p in data.points], [-p.y for p in data.points]
    left, top = min(xs) - MARGIN, min(ys) - MARGIN
    width, height = max(xs) - min(xs) + 2 * MARGIN, max(ys) - min(ys) + 2 * MARGIN
    largest = max((p.papers for p in data.points), default=1) or 1
    fonts = [14.0 + 12.0 * math.sqrt(p.papers / largest) for p in data.points]
    radii = [round(p.size * 0.9, 1) for p in data.points]
    zooms = _label_zooms(data, fonts, radii)
    points = tuple(
        ViewPoint(
            i,
            p.id,
            shorten(p.label, MAX_LABEL),
            p.group,
            p.x,
            -p.y,
            radii[i],
            p.color,
            round(fonts[i], 1),
            *zooms[i],
        )
        for i, p in enumerate(data.points)
    )
    top_assoc = max((math.log(link.association) for link in data.links if link.association > 1), default=1.0)
    links = []
    for link in reversed(data.links):
        a, b = data.points[link.a], data.points[link.b]
        strength = max(0.0, math.log(link.association)) / top_assoc if top_assoc > 0 else 0.0
        colour = a.color if a.papers >= b.papers else b.color
        links.append(ViewLink(link.a, link.b, a.x, -a.y, b.x, -b.y, round(0.8 + 4.0 * strength, 2), colour))
    viewbox = f"{left:.1f} {top:.1f} {width:.1f} {height:.1f}"
    return MapView(viewbox, points, tuple(links), data, _script_data(data))


def _label_zooms(data: MapData, fonts: list[float], radii: list[float]) -> list[tuple[float, int]]:
    """For each label, the first zoom at which it overlaps no label placed before it (most papers
    first) and its side: 0 centred on its bubble, -1 just above it, 1 just below it, 2 to its right,
    -2 to its left."""
    order = sorted(range(len(data.points)), key=lambda i: (-data.points[i].papers, data.points[i].id))
    placed: dict[float, list[tuple[float, float, float, float]]] = {z: [] for z in ZOOMS}
    found: list[tuple[float, int]] = [(0.0, 0)] * len(data.points)
    labels = [shorten(p.label, MAX_LABEL) for p in data.points]
    for i in order:
        point = data.points[i]
        chosen = next(
            (
                (zoom, side)
                for zoom in ZOOMS
                for side in (0, -1, 1, 2, -2)
                if _free(placed, zoom, point.x, -point.y, radii[i], fonts[i], labels[i], side)
            ),
            None,
        )
        if chosen is None:
            continue
        found[i] = chosen
        zoom, side = chosen
        for z in ZOOMS:
            if z >= zoom:
                placed[z].append(_box(point.x, -point.y, radii[i], fonts[i], labels[i], z, side))
    return found


def _free(
    placed: dict[float, list[tuple[float, float, float, float]]],
    zoom: float,
    cx: float,
    cy: float,
    r: float,
    font: float,
    label: str,
    side: int,
) -> bool:
    """Whether a label shown from ``zoom`` on overlaps no label placed before it, at any zoom it shows."""
    for z in ZOOMS:
        if z >= zoom:
            box = _box(cx, cy, r, font, label, z, side)
            if any(_overlap(box, other) for other in placed[z]):
                return False
    return True


def _box(
    cx: float, cy: float, r: float, font: float, label: str, zoom: float, side: int
) -> tuple[float, float, float, float]:
    """A label's box in layout units at ``zoom``: text keeps its size on screen, the bubble grows."""
    half_w = _CHAR * font * len(label) / 2 / zoom
    half_h = 0.62 * font / zoom
    if abs(side) == 2:  # beside the bubble, right (2) or left (-2)
        x0 = cx + r + _GAP * font / zoom if side > 0 else cx - r - _GAP * font / zoom - 2 * half_w
        return (x0, cy - half_h, x0 + 2 * half_w, cy + half_h)
    y = cy + side * (r + half_h)
    return (cx - half_w, y - half_h, cx + half_w, y + half_h)


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _script_data(data: MapData) -> Markup:
    """The hover and click data as JSON that cannot end the script element (``<`` and ``&`` escaped)."""
    legend = {g.id: g.label for g in data.legend}
    points = [
        {
            "id": p.id,
            "label": p.label,
            "group": legend.get(p.group, ""),
            "family": p.is_family,
            "papers": p.papers,
            "primary": p.primary,
            "neighbours": [list(n) for n in p.neighbours],
            "examples": [list(e) for e in p.examples],
        }
        for p in data.points
    ]
    text = json.dumps({"points": points}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - JSON with every character that could close the script escaped
