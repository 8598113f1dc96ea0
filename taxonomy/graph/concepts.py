"""The concept graph: families and concepts with their counts, joined by is_a, co_occurs and typed relations."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from taxonomy.errors import UsageError
from taxonomy.export import Value, xml_safe
from taxonomy.rules import Concept, Taxonomy
from taxonomy.stats import CorpusStats

if TYPE_CHECKING:
    import networkx as nx

#: Relations whose direction carries no meaning: the edge goes from the smaller id to the larger.
SYMMETRIC_RELATIONS = frozenset({"co_occurs", "combined_with"})
SEPARATOR = "; "
_DIGITS = 6  # association strength and Jaccard are rounded, so files stay short and stable

Attrs = dict[str, Value]
Edge = tuple[str, str, Attrs]


def concept_graph(
    taxonomy: Taxonomy,
    stats: CorpusStats,
    *,
    min_count: int = 1,
    all_concepts: bool = False,
) -> nx.MultiDiGraph:
    """The concept graph: families and concepts with counts, joined by is_a, co_occurs and typed relations."""
    import networkx as nx  # here, so that writing the paper graph does not load networkx

    if min_count < 1:
        raise UsageError(f"--min-count must be at least 1, not {min_count}")
    _check_known(taxonomy, stats)
    concepts = taxonomy.concepts
    kept = {
        cid for cid, c in concepts.items() if c.is_family or all_concepts or stats.concept_papers[cid] > 0
    }
    years = _year_ranges(stats)
    graph = nx.MultiDiGraph()
    graph.graph.update({"min_count": min_count, "papers": stats.papers, "rules_version": taxonomy.version})
    for cid in sorted(kept):
        attrs = concept_attrs(concepts[cid])
        attrs.update(papers=stats.concept_papers[cid], papers_primary=stats.concept_primary[cid])
        attrs["mentions"] = stats.concept_mentions[cid]
        if cid in years:
            attrs["first_year"], attrs["last_year"] = years[cid]
        graph.add_node(cid, **dict(sorted(attrs.items())))
    edges = [
        *is_a_edges(taxonomy, kept),
        *_cooccur_edges(stats, kept, min_count),
        *_relation_edges(stats, kept, min_count),
    ]
    for source, target, attrs in sorted(edges, key=lambda e: str(e[2]["id"])):
        graph.add_edge(source, target, key=attrs["id"], **dict(sorted(attrs.items())))
    return graph


def concept_attrs(concept: Concept) -> Attrs:
    """The attributes a concept node has in every graph: label, name, kind, family, level, description."""
    return {
        "description": xml_safe(concept.description),
        "family": SEPARATOR.join(concept.families),
        "kind": "family" if concept.is_family else "concept",
        "label": xml_safe(concept.label),
        "level": concept.level,
        "name": concept.id,
    }


def edge_attrs(
    relation: str, source: str, target: str, *, directed: bool = True, weight: float = 1.0
) -> Attrs:
    """The attributes every edge has: id, relation, interaction (Cytoscape's name), name, weight."""
    return {
        "directed": directed,
        "id": f"{relation}:{source}:{target}",
        "interaction": relation,
        "name": f"{source} ({relation}) {target}",
        "relation": relation,
        "weight": weight,
    }


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
        attrs["association"] = round(count * n / (sa * sb), _DIGITS) if sa and sb else 0.0
        attrs["jaccard"] = round(count / (sa + sb - count), _DIGITS) if sa + sb > count else 0.0
        edges.append((a, b, attrs))
    return edges


def _relation_edges(stats: CorpusStats, kept: set[str], min_count: int) -> list[Edge]:
    edges = []
    for (relation, a, b), count in stats.relations.items():
        if count < min_count or a not in kept or b not in kept:
            continue
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
