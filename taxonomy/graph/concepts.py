"""The concept graph: families and concepts with their counts, joined by is_a, co_occurs and typed relations.

The graph is undirected (a ``networkx.MultiGraph``), because ``co_occurs`` and ``combined_with`` are
symmetric and every reader (networkx, igraph, Gephi, Cytoscape) then counts degree, PageRank and
neighbours right. The directed relations (``is_a``, ``compared_with``, ``builds_on``) carry their
direction in ``from`` and ``to``, ``directed`` = true, and every file writes them from ``from`` to ``to``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from taxonomy.errors import UsageError
from taxonomy.export import FROM, TO, Value, xml_safe
from taxonomy.graph.layout import concept_map
from taxonomy.rules import Concept, Taxonomy
from taxonomy.stats import CorpusStats

if TYPE_CHECKING:
    import networkx as nx

#: Relations whose direction carries no meaning: the edge goes from the smaller id to the larger.
SYMMETRIC_RELATIONS = frozenset({"co_occurs", "combined_with"})
SEPARATOR = "; "
_DIGITS = 6  # association strength and Jaccard are rounded, so files stay short and stable
_LABELS = {
    "is_a": "is a",
    "co_occurs": "co-occurs with",
    "compared_with": "compared with",
    "combined_with": "combined with",
    "builds_on": "builds on",
}

Attrs = dict[str, Value]
Edge = tuple[str, str, Attrs]


def concept_graph(
    taxonomy: Taxonomy,
    stats: CorpusStats,
    *,
    min_count: int = 1,
    all_concepts: bool = False,
) -> nx.MultiGraph:
    """The concept graph: families and concepts with counts, joined by is_a, co_occurs and typed relations.

    Nodes carry the map (``taxonomy.graph.layout``): ``x``, ``y``, ``size``, ``color``, ``cluster``.
    """
    import networkx as nx  # here, so that writing the paper graph does not load networkx

    if min_count < 1:
        raise UsageError(f"--min-count must be at least 1, not {min_count}")
    _check_known(taxonomy, stats)
    concepts = taxonomy.concepts
    kept = {
        cid for cid, c in concepts.items() if c.is_family or all_concepts or stats.concept_papers[cid] > 0
    }
    years = _year_ranges(stats)
    layout = concept_map(taxonomy, stats, all_concepts=all_concepts).by_id()
    graph = nx.MultiGraph()
    graph.graph.update({"min_count": min_count, "papers": stats.papers, "rules_version": taxonomy.version})
    for cid in sorted(kept):
        attrs = concept_attrs(concepts[cid], taxonomy)
        attrs.update(papers=stats.concept_papers[cid], papers_primary=stats.concept_primary[cid])
        attrs["mentions"] = stats.concept_mentions[cid]
        if cid in years:
            attrs["first_year"], attrs["last_year"] = years[cid]
        place = layout[cid]
        attrs.update(x=place.x, y=place.y, size=place.size, color=place.color, cluster=place.cluster)
        graph.add_node(cid, **dict(sorted(attrs.items())))
    _add_areas(graph, taxonomy, stats, layout)
    edges = [
        *_counted(is_a_edges(taxonomy, kept), stats),
        *_area_edges(taxonomy, stats),
        *_cooccur_edges(stats, kept, min_count),
        *_relation_edges(taxonomy, stats, kept, min_count),
    ]
    for source, target, attrs in sorted(edges, key=lambda e: str(e[2]["id"])):
        graph.add_edge(source, target, key=attrs["id"], **dict(sorted(attrs.items())))
    return graph


#: The colour of an area node (areas group families of every colour).
AREA_COLOR = "#6b7280"


def _add_areas(graph: nx.MultiGraph, taxonomy: Taxonomy, stats: CorpusStats, layout: dict[str, Any]) -> None:
    """Area nodes above the families (``kind`` area, ``level`` -1), placed at their families' mean."""
    for aid, area in taxonomy.areas.items():
        places = [layout[f] for f in area.families if f in layout]
        x = round(sum(p.x for p in places) / len(places), 4) if places else 0.0
        y = round(sum(p.y for p in places) / len(places), 4) if places else 0.0
        attrs: Attrs = {
            "description": xml_safe(area.description),
            "kind": "area",
            "label": xml_safe(area.label),
            "level": -1,
            "name": aid,
            "papers": stats.area_papers[aid],
            "papers_primary": stats.area_primary[aid],
            "mentions": 0,
            "x": x,
            "y": y,
            "size": max((p.size for p in places), default=1.0),
            "color": AREA_COLOR,
            "cluster": 0,
        }
        graph.add_node(aid, **dict(sorted(attrs.items())))


def _area_edges(taxonomy: Taxonomy, stats: CorpusStats) -> list[Edge]:
    """``is_a`` edges from each family to its area, with the family's papers as ``count``."""
    return [
        (family, aid, {**edge_attrs("is_a", family, aid), "count": stats.concept_papers[family]})
        for aid, area in sorted(taxonomy.areas.items())
        for family in area.families
    ]


def concept_attrs(concept: Concept, taxonomy: Taxonomy) -> Attrs:
    """The attributes a concept node has in every graph: label, name, kind, family, level, description.

    ``family`` is left out for a concept outside every family (PEFT, in-context learning), and its
    ``level`` counts from 1 as for a concept below a family: level 0 is a family's alone.
    """
    attrs: Attrs = {
        "description": xml_safe(concept.description),
        "kind": "family" if concept.is_family else "concept",
        "label": xml_safe(concept.label),
        "level": graph_level(taxonomy, concept.id),
        "name": concept.id,
    }
    if concept.families:
        attrs["family"] = SEPARATOR.join(concept.families)
    return attrs


def graph_level(taxonomy: Taxonomy, cid: str) -> int:
    """0 for a family; 1 for a concept without parents; else 1 + the smallest level of its parents."""
    concepts = taxonomy.concepts
    seen: dict[str, int] = {}

    def level(c: str) -> int:
        if c not in seen:
            concept = concepts[c]
            if concept.is_family:
                seen[c] = 0
            else:
                seen[c] = 1 + min((level(p) for p in concept.parents), default=0)
        return seen[c]

    return level(cid)


def edge_attrs(
    relation: str, source: str, target: str, *, directed: bool = True, weight: float = 1.0
) -> Attrs:
    """The attributes every edge has: id, relation, interaction (Cytoscape's name), name, label, weight;
    and ``from``/``to`` on a directed relation."""
    attrs: Attrs = {
        "directed": directed,
        "id": f"{relation}:{source}:{target}",
        "interaction": relation,
        "label": _LABELS.get(relation, relation.replace("_", " ")),
        "name": f"{source} ({relation}) {target}",
        "relation": relation,
        "weight": weight,
    }
    if directed:
        attrs[FROM], attrs[TO] = source, target
    return attrs


def _counted(edges: list[Edge], stats: CorpusStats) -> list[Edge]:
    """``is_a`` edges with ``count``: the papers naming both, which are the child's papers."""
    return [(a, b, {**attrs, "count": stats.concept_papers[a]}) for a, b, attrs in edges]


def is_a_edges(taxonomy: Taxonomy, kept: Iterable[str]) -> list[Edge]:
    """``is_a`` edges from each kept concept to each of its kept parents."""
    keep = set(kept)
    return [
        (cid, parent, edge_attrs("is_a", cid, parent))
        for cid in sorted(keep)
        for parent in taxonomy.concepts[cid].parents
        if parent in keep
    ]


def _cooccur_edges(stats: CorpusStats, kept: set[str], min_count: int) -> list[Edge]:
    edges = []
    n = stats.papers
    for (a, b), count in stats.cooccur.items():
        if count < min_count or a not in kept or b not in kept:
            continue
        sa, sb = stats.concept_papers[a], stats.concept_papers[b]
        attrs = edge_attrs("co_occurs", a, b, directed=False, weight=float(count))
        attrs["count"] = count
        attrs["association"] = round(association(count, sa, sb, n), _DIGITS)
        attrs["jaccard"] = round(count / (sa + sb - count), _DIGITS) if sa + sb > count else 0.0
        edges.append((a, b, attrs))
    return edges


def association(count: int, papers_a: int, papers_b: int, papers: int) -> float:
    """Observed over expected co-occurrence, one paper added to each: ``(c + 1) / (s_a * s_b / N + 1)``.

    1 is chance, 2 twice as often as chance; the added paper keeps a pair seen once between two rare
    concepts from reading as thousands of times chance (at most ``count + 1``).
    """
    expected = papers_a * papers_b / papers if papers else 0.0
    return (count + 1) / (expected + 1)


def _relation_edges(taxonomy: Taxonomy, stats: CorpusStats, kept: set[str], min_count: int) -> list[Edge]:
    edges = []
    concepts = taxonomy.concepts
    for (relation, a, b), count in stats.relations.items():
        if count < min_count or a not in kept or b not in kept or a == b:
            continue
        if a in concepts[b].ancestors or b in concepts[a].ancestors:
            continue  # "transformer-based ViT": a concept built on its own ancestor is what is_a says
        attrs = edge_attrs(relation, a, b, directed=relation not in SYMMETRIC_RELATIONS, weight=float(count))
        attrs["count"] = count
        examples = sorted(stats.relation_examples.get((relation, a, b), ()))
        attrs["examples"] = xml_safe(SEPARATOR.join(examples))
        edges.append((a, b, attrs))
    return edges


def _year_ranges(stats: CorpusStats) -> dict[str, tuple[int, int]]:
    ranges: dict[str, tuple[int, int]] = {}
    for (cid, year), count in stats.years.items():
        if cid and count:
            first, last = ranges.get(cid, (year, year))
            ranges[cid] = (min(first, year), max(last, year))
    return ranges


def _check_known(taxonomy: Taxonomy, stats: CorpusStats) -> None:
    named = set(stats.concept_papers) | {c for pair in stats.cooccur for c in pair}
    named |= {c for _, a, b in stats.relations for c in (a, b)}
    unknown = sorted(named - set(taxonomy.concepts))
    if unknown:
        shown = ", ".join(unknown[:5]) + (", ..." if len(unknown) > 5 else "")
        raise UsageError(
            f"the counts name {len(unknown)} concept(s) the rules do not define ({shown}); "
            "build the graph with the rules the papers were tagged with (--rules DIR)"
        )
