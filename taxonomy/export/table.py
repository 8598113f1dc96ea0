"""A graph checked and flattened once for writing: sorted nodes and edges with typed attributes."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from taxonomy.export.values import Value, merge_type, value_type

SCOPES = ("node", "edge")
FROM, TO = "from", "to"  # the source and target of a directed relation in an undirected graph
_IGNORED_GRAPH_KEYS = ("node_default", "edge_default")  # added by networkx's readers


@dataclass(frozen=True, slots=True)
class Table:
    """Sorted nodes and edges with their attributes, and the type of every attribute."""

    directed: bool
    graph: dict[str, Value]
    nodes: list[tuple[str, dict[str, Value]]]
    edges: list[tuple[str, str, str, dict[str, Value]]]  # (id, source, target, attributes without id)
    types: dict[tuple[str, str], str]
    originals: dict[str, Any]  # node id as text -> the node as networkx holds it

    def columns(self, scope: str) -> list[str]:
        """The attribute names of ``scope`` (``node``, ``edge`` or ``graph``), sorted."""
        return sorted(n for s, n in self.types if s == scope)


def edges(graph: Any) -> Iterator[tuple[str, Any, Any, dict[str, Any]]]:
    """(id, source, target, data) of every edge; the id is the ``id`` attribute, else the key.

    In an undirected graph an edge is written from its ``from`` attribute to its ``to`` attribute
    when it has them (a directed relation in an undirected graph), else from the node whose id sorts
    first: networkx lists an undirected edge in whichever order its adjacency happens to hold.
    """
    multi = graph.is_multigraph()
    for edge in graph.edges(keys=True, data=True) if multi else graph.edges(data=True):
        u, v, data = edge[0], edge[1], edge[-1]
        edge_id = str(data["id"]) if "id" in data else (str(edge[2]) if multi else f"{u}->{v}")
        if not graph.is_directed():
            if FROM in data and TO in data and {str(data[FROM]), str(data[TO])} == {str(u), str(v)}:
                if str(u) != str(data[FROM]):
                    u, v = v, u
            elif str(v) < str(u):
                u, v = v, u
        yield edge_id, u, v, data


def table(graph: Any) -> Table:
    """Check every value of ``graph`` and flatten it; ``TypeError``/``ValueError`` say what cannot be written."""
    types: dict[tuple[str, str], str] = {}

    def check(scope: str, ident: str, data: Mapping[str, Any]) -> dict[str, Value]:
        for name, value in data.items():
            where = f"{scope} '{ident}' attribute '{name}'"
            key = (scope, str(name))
            types[key] = merge_type(types.get(key), value_type(value, where), where)
        return {str(k): v for k, v in sorted(data.items())}

    graph_data = {k: v for k, v in graph.graph.items() if k not in _IGNORED_GRAPH_KEYS}
    gdata = check("graph", "graph", graph_data)
    nodes = []
    originals = {}
    for node, data in graph.nodes(data=True):
        if "id" in data:
            raise ValueError(
                f"node '{node}' has an attribute 'id', which clashes with the node id; rename it"
            )
        nodes.append((str(node), check("node", str(node), data)))
        originals[str(node)] = node
    nodes.sort(key=lambda n: n[0])
    if len(originals) != len(nodes):
        raise ValueError("two nodes have the same id once written as text; give nodes distinct string ids")
    rows = []
    for edge_id, u, v, data in edges(graph):
        rest = {k: val for k, val in data.items() if k != "id"}
        rows.append((edge_id, str(u), str(v), check("edge", edge_id, rest)))
    rows.sort(key=lambda e: e[0])
    for (a, *_), (b, *_) in itertools.pairwise(rows):  # sorted, so a repeated id is a neighbour
        if a == b:
            raise ValueError(f"two edges have the id '{a}'; edge ids must be unique")
    return Table(graph.is_directed(), gdata, nodes, rows, types, originals)
