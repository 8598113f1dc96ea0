"""JSON formats: networkx node-link data, and Cytoscape.js / Cytoscape desktop JSON (``.cyjs``).

``json`` holds networkx's node-link data with the edge list twice, under ``"edges"`` (the key
networkx 3.6 reads by default) and ``"links"`` (the key networkx 3.1 to 3.5 read by default), so
``nx.node_link_graph(data)`` reads it in every networkx ``pyproject.toml`` allows; it is written
here, not by ``nx.node_link_data``, whose keyword for the edge key changed in 3.4.

``cyjs`` is the elements JSON Cytoscape.js takes (``cytoscape({elements: data.elements})`` or
``cy.json(data)``) and Cytoscape desktop imports (File > Import > Network from File): nodes and
edges as ``{"data": {...}}`` objects, nodes with a ``position`` (``x``, and ``y`` pointing down as
on a screen, so the map is the right way up), edges with ``source`` and ``target``.
(networkx's ``cytoscape_graph`` wants a ``value`` in every node's data, which Cytoscape does not.)
"""

from __future__ import annotations

import json
from typing import Any

from taxonomy.export.table import Table
from taxonomy.export.values import Value

_ELEMENT_KEYS = ("source", "target", "parent")  # Cytoscape.js reads these data keys as structure


def render_node_link(table: Table) -> str:
    """networkx node-link data, edges sorted by id, under both ``edges`` and ``links``."""
    nodes = [{**data, "id": table.originals[node]} for node, data in table.nodes]
    edges: list[dict[str, Any]] = []
    for edge_id, u, v, data in table.edges:
        edges.append(
            {
                **data,
                "id": edge_id,
                "key": edge_id,
                "source": table.originals[u],
                "target": table.originals[v],
            }
        )
    document = {
        "directed": table.directed,
        "edges": edges,
        "graph": table.graph,
        "links": edges,
        "multigraph": True,
        "nodes": nodes,
    }
    return _dump(document)


def render_cyjs(table: Table) -> str:
    """Cytoscape.js elements JSON: a ``position`` for each node with ``x`` and ``y``."""
    nodes = []
    for node, data in table.nodes:
        element: dict[str, Any] = {"data": {**_safe(data, "node", node), "id": node}}
        x, y = data.get("x"), data.get("y")
        if isinstance(x, int | float) and isinstance(y, int | float):
            element["position"] = {"x": x, "y": -y if y else 0.0}
        nodes.append(element)
    edges = [
        {"data": {**_safe(data, "edge", edge_id), "id": edge_id, "source": u, "target": v}}
        for edge_id, u, v, data in table.edges
    ]
    document = {
        "data": table.graph,
        "directed": table.directed,
        "elements": {"edges": edges, "nodes": nodes},
        "format_version": "1.0",
        "generated_by": "taxonomy",
        "multigraph": True,
        "target_cytoscapejs_version": "~2.1",
    }
    return _dump(document)


def _safe(data: dict[str, Value], scope: str, ident: str) -> dict[str, Value]:
    clash = sorted(set(data) & set(_ELEMENT_KEYS))
    if clash:
        raise ValueError(f"{scope} '{ident}' attribute '{clash[0]}' is structure in Cytoscape.js; rename it")
    return dict(data)


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"
