"""Read the concept graph files with whatever networkx is installed and describe what came back.

Run as a script (``python graph_readback.py FOLDER``) by ``test_export_readers.py`` under the oldest
networkx ``pyproject.toml`` allows, and imported by it under the installed one. Needs nothing but
networkx and the standard library, so a venv with ``pip install networkx==3.1`` is enough. Prints
one JSON object: per file, the node and edge counts, whether the graph is directed, the nodes
without a position, and whether degree and PageRank over ``co_occurs`` equal those of an
explicitly undirected copy.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import networkx as nx


def _pagerank(graph: Any) -> dict[str, float]:
    """networkx's pure-Python PageRank: the default one needs scipy, which the small venv lacks."""
    from networkx.algorithms.link_analysis import pagerank_alg

    return dict(pagerank_alg._pagerank_python(graph, weight=None, tol=1e-12, max_iter=1000))


def _cooccurrence_agrees(graph: Any) -> bool:
    """Degree and PageRank of the ``co_occurs`` edges as read equal those of an undirected copy."""
    read = graph.edge_subgraph(
        [(u, v, k) for u, v, k, d in graph.edges(keys=True, data=True) if d.get("relation") == "co_occurs"]
    )
    explicit = nx.Graph()
    explicit.add_nodes_from(read)
    explicit.add_edges_from((min(u, v), max(u, v)) for u, v in read.edges())
    if dict(read.degree()) != dict(explicit.degree()):
        return False
    ours, theirs = _pagerank(nx.Graph(read)), _pagerank(explicit)
    return all(abs(ours[n] - theirs[n]) < 1e-9 for n in explicit)


def _positions(graph: Any, gexf: bool) -> list[str]:
    """Nodes without a position and a colour (``viz`` in GEXF, ``x``/``y``/``color`` elsewhere)."""
    missing = []
    for node, data in graph.nodes(data=True):
        if gexf:
            viz = data.get("viz", {})
            ok = "position" in viz and "color" in viz and "size" in viz
        else:
            ok = all(k in data for k in ("x", "y", "color", "size"))
        if not ok:
            missing.append(str(node))
    return sorted(missing)


def describe(folder: Path) -> dict[str, Any]:
    """What networkx reads from each concept graph file in ``folder``."""
    readers = {
        "concepts.graphml": lambda p: nx.read_graphml(p, force_multigraph=True),
        "concepts.gexf": nx.read_gexf,
        "concepts.json": lambda p: nx.node_link_graph(json.loads(p.read_text(encoding="utf-8"))),
    }
    found: dict[str, Any] = {"networkx": nx.__version__}
    papers = folder / "papers.graphml"
    if papers.exists():
        graph = nx.read_graphml(papers, force_multigraph=True)
        kinds = sorted({str(d.get("kind")) for _, d in graph.nodes(data=True)})
        found["papers.graphml"] = {
            "nodes": graph.number_of_nodes(),
            "edges": graph.number_of_edges(),
            "directed": graph.is_directed(),
            "kinds": kinds,
        }
    for name, read in readers.items():
        path = folder / name
        if not path.exists():
            continue
        graph = read(path)
        found[name] = {
            "nodes": graph.number_of_nodes(),
            "edges": graph.number_of_edges(),
            "directed": graph.is_directed(),
            "unplaced": _positions(graph, name.endswith(".gexf")),
            "cooccurrence_undirected": _cooccurrence_agrees(graph),
            "labels": sorted(str(d.get("label", "")) for _, d in graph.nodes(data=True))[:3],
        }
    return found


if __name__ == "__main__":
    print(json.dumps(describe(Path(sys.argv[1])), sort_keys=True))
