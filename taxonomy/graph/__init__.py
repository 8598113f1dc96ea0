"""Build graphs from the rules and the corpus counts: the concept graph and the paper graph.

The **concept graph** (``concept_graph``) is an undirected ``networkx.MultiGraph`` built from a ``Taxonomy``
and a ``CorpusStats``. Its nodes are every family and every concept that occurs in the corpus
(``all_concepts=True`` adds the rest of the taxonomy); its edges are ``is_a`` (child to parent, from
the rules), ``co_occurs`` (papers naming both; never between a concept and its ancestor) and the
typed relations the tagger found (``compared_with``, ``combined_with``, ``builds_on`` and any other
relation name the counts hold). Every edge is keyed by its ``id``, ``"<relation>:<source>:<target>"``;
directed relations say their ends in ``from`` and ``to``. Nodes carry the map (``concept_map``):
one seeded layout with colour by family and size by papers, shared by every file and the report.

The **paper graph** is written by ``PaperGraphSink`` straight to ``papers.graphml``: paper nodes
linked to the concepts they name, in the order the papers come (the order of ``papers.jsonl``), so
that a later run can extend the file with new papers by copying the old ones' bytes. Papers pass
through temporary files on disk, so memory stays O(concepts) for any corpus.

Values are only ``str``/``int``/``float``/``bool``: an unknown year is a missing attribute, not
``None``, and lists are joined with ``"; "``. Text from rules and papers goes through ``xml_safe``,
so what is in memory is exactly what every format reads back. ``docs/graph.md`` lists every attribute.
"""

from __future__ import annotations

from taxonomy.graph.concepts import (
    SEPARATOR,
    SYMMETRIC_RELATIONS,
    Attrs,
    Edge,
    concept_attrs,
    concept_graph,
    edge_attrs,
    graph_level,
    is_a_edges,
)
from taxonomy.graph.layout import ConceptMap, MapGroup, MapNode, concept_map
from taxonomy.graph.papers import GraphLayout, PaperGraphSink

__all__ = [
    "SEPARATOR",
    "SYMMETRIC_RELATIONS",
    "Attrs",
    "ConceptMap",
    "Edge",
    "GraphLayout",
    "MapGroup",
    "MapNode",
    "PaperGraphSink",
    "concept_attrs",
    "concept_graph",
    "concept_map",
    "edge_attrs",
    "graph_level",
    "is_a_edges",
]
