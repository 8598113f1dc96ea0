"""The concept map: one seeded force-directed layout, colour by family and size by papers.

Every output that shows the concepts in a plane (the GraphML, GEXF, JSON, Cytoscape and VOSviewer
files, ``figures/map.svg`` and the report's interactive map) takes its positions from here, so they
all show the same map. The layout is a Fruchterman-Reingold layout written for this purpose in
numpy (elementwise arithmetic only, no BLAS, no random state): the same counts give the same
positions, bit for bit, on every run and however the counts were gathered (``--jobs``, Dask), and
whichever networkx is installed.

Attraction between two concepts is their co-occurrence strength, papers naming both over the
geometric mean of the papers naming each (``c / sqrt(s_a * s_b)``, 1 for concepts that always come
together). A concept and its parent share every paper of the concept, so ``is_a`` pairs attract with
``sqrt(s_child / s_parent)``. Families start on a circle and each concept next to its family, so
families become regions of the map; concepts outside every family start near the middle.

``concept_map`` remembers its last answer: the graph files and the report of one run share one
layout, computed once (with every concept of the rules; the concepts no paper names are placed on a
small ring around a parent afterwards and only shown with ``--all-concepts``, so they move nothing).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from taxonomy.rules import Taxonomy
    from taxonomy.stats import CorpusStats

#: Colours of the families in id order (cycled when there are more), and of concepts outside every family.
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#c9a227",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#17becf",
    "#1f3b73",
    "#8f9c2b",
)
NO_FAMILY = "#9aa0a6"
NO_FAMILY_ID = ""  # the group of concepts outside every family
EXTENT = 500.0  # positions lie in [-EXTENT, EXTENT]; y points up
MIN_SIZE, MAX_SIZE = 4.0, 40.0
ITERATIONS = 300
_ROWS = 128  # nodes whose forces one step of the layout sums at a time


@dataclass(frozen=True, slots=True)
class MapGroup:
    """A colour of the map: a family, or the concepts outside every family."""

    id: str  # the family id; "" for no family
    label: str
    color: str  # "#rrggbb"
    cluster: int  # 1, 2, ... (VOSviewer's cluster number)


@dataclass(frozen=True, slots=True)
class MapNode:
    """A concept or family on the map."""

    id: str
    label: str
    group: str  # a MapGroup id
    x: float
    y: float
    size: float
    color: str
    cluster: int
    papers: int


@dataclass(frozen=True, slots=True)
class ConceptMap:
    """Positions, colours and sizes of the concepts, and the groups that colour them."""

    nodes: tuple[MapNode, ...]
    groups: tuple[MapGroup, ...]

    def by_id(self) -> dict[str, MapNode]:
        """The nodes by concept id."""
        return {node.id: node for node in self.nodes}


_LAST: list[tuple[object, ConceptMap]] = []


def concept_map(taxonomy: Taxonomy, stats: CorpusStats, *, all_concepts: bool = False) -> ConceptMap:
    """The map of every family and every concept a paper names (all concepts with ``all_concepts``)."""
    key = _fingerprint(taxonomy, stats)
    if _LAST and _LAST[0][0] == key:
        full = _LAST[0][1]
    else:
        full = _compute(taxonomy, stats, True)
        _LAST[:] = [(key, full)]
    if all_concepts:
        return full
    # The concepts no paper names are left out; everything else is where it is with all of them.
    concepts = taxonomy.concepts
    kept = tuple(n for n in full.nodes if n.papers > 0 or concepts[n.id].is_family)
    return ConceptMap(kept, full.groups)


def groups(taxonomy: Taxonomy) -> dict[str, MapGroup]:
    """The colour groups: each family in id order, then the concepts outside every family."""
    found = {
        fid: MapGroup(fid, taxonomy.concepts[fid].label, PALETTE[i % len(PALETTE)], i + 1)
        for i, fid in enumerate(sorted(taxonomy.families))
    }
    found[NO_FAMILY_ID] = MapGroup(NO_FAMILY_ID, "no family", NO_FAMILY, len(found) + 1)
    return found


def group_of(taxonomy: Taxonomy, cid: str) -> str:
    """The group a concept is coloured by: its first family, or no family."""
    families = taxonomy.concepts[cid].families
    return families[0] if families else NO_FAMILY_ID


def _fingerprint(taxonomy: Taxonomy, stats: CorpusStats) -> object:
    papers = tuple(sorted((c, n) for c, n in stats.concept_papers.items() if n))
    pairs = tuple(sorted((p, n) for p, n in stats.cooccur.items() if n))
    return (taxonomy.version, papers, pairs)


def _compute(taxonomy: Taxonomy, stats: CorpusStats, all_concepts: bool) -> ConceptMap:
    import numpy as np

    concepts = taxonomy.concepts
    papers = {cid: stats.concept_papers[cid] for cid in concepts}
    placed = sorted(cid for cid, c in concepts.items() if c.is_family or papers[cid] > 0)
    index = {cid: i for i, cid in enumerate(placed)}
    n = len(placed)
    weights = np.zeros((n, n))
    for (a, b), count in stats.cooccur.items():
        if count and a in index and b in index and papers[a] and papers[b]:
            w = count / math.sqrt(papers[a] * papers[b])
            weights[index[a], index[b]] = weights[index[b], index[a]] = w
    for cid in placed:
        for parent in concepts[cid].parents:
            if parent in index and papers[parent] and papers[cid]:
                w = math.sqrt(papers[cid] / papers[parent])
                i, j = index[cid], index[parent]
                weights[i, j] = weights[j, i] = max(weights[i, j], w)
    colour = groups(taxonomy)
    start = _start(taxonomy, placed)
    pos = _force_layout(np.array(start, dtype=float), weights) if n else np.zeros((0, 2))
    coords = {cid: (float(pos[i, 0]), float(pos[i, 1])) for i, cid in enumerate(placed)}
    fit = _fit(coords)  # from the placed nodes alone, so that leaving the rest out moves nothing
    if all_concepts:
        for cid in sorted(set(concepts) - set(placed)):
            coords[cid] = _near_parent(taxonomy, cid, coords)
    coords = {cid: fit(x, y) for cid, (x, y) in coords.items()}
    top = max((papers[c] for c in coords), default=0) or 1
    nodes = []
    for cid in sorted(coords):
        group = colour[group_of(taxonomy, cid)]
        size = MIN_SIZE + (MAX_SIZE - MIN_SIZE) * math.sqrt(papers[cid] / top)
        x, y = coords[cid]
        nodes.append(
            MapNode(
                cid,
                concepts[cid].label,
                group.id,
                x,
                y,
                round(size, 1),
                group.color,
                group.cluster,
                papers[cid],
            )
        )
    return ConceptMap(tuple(nodes), tuple(colour.values()))


def _jitter(cid: str) -> tuple[float, float]:
    """Two numbers in [-1, 1) from the id: a fixed, well spread start for each concept."""
    digest = hashlib.sha256(cid.encode("utf-8")).digest()
    return (int.from_bytes(digest[:4], "big") / 2**31 - 1.0, int.from_bytes(digest[4:8], "big") / 2**31 - 1.0)


def _start(taxonomy: Taxonomy, placed: list[str]) -> list[tuple[float, float]]:
    families = sorted(taxonomy.families)
    anchor = {
        fid: (math.cos(2 * math.pi * k / len(families)), math.sin(2 * math.pi * k / len(families)))
        for k, fid in enumerate(families)
    }
    start = []
    for cid in placed:
        jx, jy = _jitter(cid)
        if taxonomy.concepts[cid].is_family:
            ax, ay = anchor[cid]
            start.append((ax + 0.02 * jx, ay + 0.02 * jy))
        elif taxonomy.concepts[cid].families:
            ax, ay = anchor[taxonomy.concepts[cid].families[0]]
            start.append((0.8 * ax + 0.25 * jx, 0.8 * ay + 0.25 * jy))
        else:
            start.append((0.2 * jx, 0.2 * jy))
    return start


def _force_layout(pos: Any, weights: Any) -> Any:
    """Fruchterman-Reingold with a weak pull to the middle (keeps unlinked nodes on the map).

    x and y are kept as separate arrays: n x n arrays of one coordinate each run about seven times
    faster than n x n x 2 ones (610 concepts: about 1 s instead of 5 s here). The forces are summed
    over ``_ROWS`` nodes at a time: the same numbers, bit for bit (each row is summed whole), without
    the n x n arrays of every step at once (about 8 MB each for 1,000 concepts, and a step makes seven).
    """
    import numpy as np

    start = np.asarray(pos, dtype=float)
    w = np.asarray(weights, dtype=float)
    n = len(start)
    if n < 2:
        return start
    x, y = start[:, 0].copy(), start[:, 1].copy()
    k = 1.6 / math.sqrt(
        n
    )  # the natural spacing; larger than the textbook 1/sqrt(n), to leave room for labels
    pull = 0.05 * math.sqrt(n)
    temperature = 0.1
    cool = temperature / (ITERATIONS + 1)
    mx, my = np.empty(n), np.empty(n)
    for _ in range(ITERATIONS):
        for lo in range(0, n, _ROWS):
            hi = min(n, lo + _ROWS)
            own = (np.arange(hi - lo), np.arange(lo, hi))  # each node's own cell in these rows
            dx = x[lo:hi, None] - x[None, :]
            dy = y[lo:hi, None] - y[None, :]
            distance = np.sqrt(dx * dx + dy * dy)
            distance[own] = 1.0
            distance = np.maximum(distance, 0.01)
            force = (
                k * k / (distance * distance) - w[lo:hi] * distance / k
            )  # repulsion minus attraction, per unit of delta
            force[own] = 0.0
            mx[lo:hi] = (dx * force).sum(axis=1) - pull * x[lo:hi]
            my[lo:hi] = (dy * force).sum(axis=1) - pull * y[lo:hi]
        length = np.maximum(np.sqrt(mx * mx + my * my), 1e-9)
        step = np.minimum(length, temperature) / length
        x, y = x + mx * step, y + my * step
        temperature -= cool
    return np.stack([x, y], axis=1)


def _near_parent(taxonomy: Taxonomy, cid: str, coords: dict[str, tuple[float, float]]) -> tuple[float, float]:
    """A concept no paper names: on a small ring around its first placed parent, or the middle."""
    concept = taxonomy.concepts[cid]
    base = next((coords[p] for p in (*concept.parents, *concept.ancestors) if p in coords), (0.0, 0.0))
    jx, jy = _jitter(cid)
    angle = math.pi * (jx + 1.0)
    radius = 0.05 + 0.05 * (jy + 1.0)
    return (base[0] + radius * math.cos(angle), base[1] + radius * math.sin(angle))


def _fit(coords: dict[str, tuple[float, float]]) -> Callable[[float, float], tuple[float, float]]:
    """The map from layout to file positions: centred, the wider side of ``coords`` scaled to
    [-EXTENT, EXTENT], rounded to 0.1, and held inside [-EXTENT, EXTENT]."""
    xs = [x for x, _ in coords.values()] or [0.0]
    ys = [y for _, y in coords.values()] or [0.0]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    half = max(max(xs) - min(xs), max(ys) - min(ys)) / 2 or 1.0
    scale = EXTENT / half

    def place(x: float, y: float) -> tuple[float, float]:
        fx = min(EXTENT, max(-EXTENT, round((x - cx) * scale, 1)))
        fy = min(EXTENT, max(-EXTENT, round((y - cy) * scale, 1)))
        return (fx + 0.0, fy + 0.0)

    return place
