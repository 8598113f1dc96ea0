"""What the report's concept map shows: the shared layout, the strongest links, and per concept its
counts, its strongest neighbours and the example papers the statistics keep."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from taxonomy.graph.concepts import association
from taxonomy.graph.layout import concept_map
from taxonomy.rules import Taxonomy
from taxonomy.stats import CorpusStats

MAX_LINKS = 250  # the strongest co-occurrence links drawn; more only hide the bubbles
MAX_NEIGHBOURS = 5
MAX_PAPERS = 8


@dataclass(frozen=True, slots=True)
class MapPoint:
    """A concept or family on the map, with what hovering and clicking show."""

    id: str
    label: str
    group: str
    x: float
    y: float  # pointing up
    size: float
    color: str
    papers: int
    primary: int
    is_family: bool
    neighbours: tuple[tuple[str, int], ...]  # (label, shared papers), strongest first
    examples: tuple[
        tuple[str, str, str], ...
    ]  # (title, year or "", link or "") of papers naming it, from the stats' sample


@dataclass(frozen=True, slots=True)
class MapLegend:
    """A colour of the map and how many of its concepts are on it."""

    id: str
    label: str
    color: str
    count: int


@dataclass(frozen=True, slots=True)
class MapLink:
    """A line between two points (indexes into ``MapData.points``) that share papers: ``count`` of them,
    with their ``association``; a concept and its parent share all the concept's papers."""

    a: int
    b: int
    count: int
    association: float


@dataclass(frozen=True, slots=True)
class MapData:
    """The concept map of the report."""

    points: tuple[MapPoint, ...]
    legend: tuple[MapLegend, ...]
    links: tuple[MapLink, ...]
    hidden_links: int  # co-occurrence pairs not drawn


def map_data(taxonomy: Taxonomy, stats: CorpusStats) -> MapData | None:
    """The map of the concepts papers name (None when no paper names one)."""
    layout = concept_map(taxonomy, stats)
    # A catch-all concept ("...former models") is no concept to show; its papers show under its family.
    named = [node for node in layout.nodes if node.papers > 0 and not taxonomy.concepts[node.id].catch_all]
    if not named:
        return None
    index = {node.id: i for i, node in enumerate(named)}
    pairs = defaultdict(list)
    links = []
    for (a, b), count in stats.cooccur.items():
        if count and a in index and b in index:
            strength = association(count, stats.concept_papers[a], stats.concept_papers[b], stats.papers)
            links.append((count, strength, a, b))
            pairs[a].append((count, b))
            pairs[b].append((count, a))
    for node in named:  # a concept and its parent share every paper of the concept
        for parent in taxonomy.concepts[node.id].parents:
            if parent in index:
                parent_papers = stats.concept_papers[parent]
                strength = association(node.papers, node.papers, parent_papers, stats.papers)
                low, high = sorted((node.id, parent))
                links.append((node.papers, strength, low, high))
                pairs[node.id].append((node.papers, parent))
                pairs[parent].append((node.papers, node.id))
    links.sort(key=lambda link: (-link[0], -link[1], link[2], link[3]))
    drawn = tuple(MapLink(index[a], index[b], count, round(s, 3)) for count, s, a, b in links[:MAX_LINKS])
    examples = _examples(taxonomy, stats)
    points = []
    for node in named:
        near = sorted(pairs[node.id], key=lambda p: (-p[0], p[1]))[:MAX_NEIGHBOURS]
        points.append(
            MapPoint(
                node.id,
                node.label,
                node.group,
                node.x,
                node.y,
                node.size,
                node.color,
                node.papers,
                stats.concept_primary[node.id],
                taxonomy.concepts[node.id].is_family,
                tuple((taxonomy.concepts[other].label, count) for count, other in near),
                examples.get(node.id, ()),
            )
        )
    counts: dict[str, int] = defaultdict(int)
    for node in named:
        counts[node.group] += 1
    legend = tuple(MapLegend(g.id, g.label, g.color, counts[g.id]) for g in layout.groups if counts[g.id])
    return MapData(tuple(points), legend, drawn, max(0, len(links) - MAX_LINKS))


def _examples(taxonomy: Taxonomy, stats: CorpusStats) -> dict[str, tuple[tuple[str, str, str], ...]]:
    """Example papers per concept: those of the kept examples whose concept is it or one below it."""
    found: dict[str, dict[str, tuple[str, str, str]]] = defaultdict(dict)
    for family in sorted(stats.examples):
        for example in stats.family_examples(family):
            concept = taxonomy.concepts.get(example.concept)
            if concept is None:
                continue
            year = "" if example.year is None else str(example.year)
            for cid in (example.concept, *concept.ancestors):
                bucket = found[cid]
                if len(bucket) < MAX_PAPERS and example.paper_id not in bucket:
                    bucket[example.paper_id] = (example.title, year, example.link)
    return {cid: tuple(papers.values()) for cid, papers in found.items()}
