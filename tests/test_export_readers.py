"""Every concept graph file reads in the newest and the oldest networkx ``pyproject.toml`` allows, and in igraph.

The oldest is checked by running ``graph_readback.py`` with the Python named by
``TAXONOMY_OLD_NETWORKX_PYTHON``: a venv holding only ``networkx==3.1`` (``.ci/run`` makes one; the
test installs nothing itself). Without it the test is skipped, unless ``TAXONOMY_REQUIRE_OLD_NETWORKX=1``
(set by CI) makes that a failure.

Cytoscape.js and graphology (the JavaScript graph library behind Gephi Lite and sigma.js) read the
Cytoscape JSON and the GEXF when ``TAXONOMY_NODE_MODULES`` names a ``node_modules`` folder holding
``cytoscape``, ``graphology`` and ``graphology-gexf`` (``.ci/run`` installs them with npm when it can).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import igraph
import networkx as nx
import pytest

from taxonomy.export import GRAPH_FORMATS, write_graph
from taxonomy.graph import PaperGraphSink, concept_graph
from taxonomy.models import ConceptHit, Paper, TaggedPaper
from taxonomy.rules import load_rules
from taxonomy.stats import CorpusStats

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures" / "graph"
OLD_PYTHON = os.environ.get("TAXONOMY_OLD_NETWORKX_PYTHON", "")
OLD_REQUIRED = os.environ.get("TAXONOMY_REQUIRE_OLD_NETWORKX", "") not in ("", "0")
NODE_MODULES = os.environ.get("TAXONOMY_NODE_MODULES", "")
FILES = ("concepts.graphml", "concepts.gexf", "concepts.json")


def _readback() -> ModuleType:
    spec = importlib.util.spec_from_file_location("graph_readback", HERE / "graph_readback.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[nx.MultiGraph, Path]:
    """Every concept graph format and papers.graphml of the graph fixture, in one folder."""
    taxonomy = load_rules(FIXTURES / "rules")
    stats = CorpusStats()
    out = tmp_path_factory.mktemp("readers")
    with PaperGraphSink(out / "papers.graphml", taxonomy) as sink:
        for r in json.loads((FIXTURES / "papers.json").read_text(encoding="utf-8")):
            paper = Paper(id=r["id"], title=r["title"], date=r["date"])
            hits = tuple(ConceptHit(*hit) for hit in r["concepts"])
            tp = TaggedPaper(paper, (), hits, tuple(r["primary"]), tuple(r["mentioned"]))
            stats.add(tp, taxonomy)
            sink.add(tp)
    graph = concept_graph(taxonomy, stats)
    write_graph(graph, out, formats=GRAPH_FORMATS)
    return graph, out


def _expected(graph: nx.MultiGraph) -> dict[str, Any]:
    labels = sorted(str(d["label"]) for _, d in graph.nodes(data=True))[:3]
    counts = {
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "directed": False,
        "unplaced": [],
        "cooccurrence_undirected": True,
        "labels": labels,
    }
    expected: dict[str, Any] = {name: counts for name in FILES}
    expected["papers.graphml"] = {
        "nodes": 6 + len(graph),  # the fixture's six papers and the concepts they name
        "edges": 0,  # not known here: compared with the newest networkx below
        "directed": True,
        "kinds": ["concept", "family", "paper"],
    }
    return expected


def test_the_installed_networkx_reads_every_file(written: tuple[nx.MultiGraph, Path]) -> None:
    graph, out = written
    found = _readback().describe(out)
    assert found.pop("networkx") == nx.__version__
    expected = _expected(graph)
    expected["papers.graphml"]["edges"] = found["papers.graphml"]["edges"]
    assert found["papers.graphml"]["edges"] > 0
    assert found == expected


@pytest.mark.skipif(
    not OLD_PYTHON and not OLD_REQUIRED,
    reason="set TAXONOMY_OLD_NETWORKX_PYTHON to a Python with networkx 3.1",
)
def test_the_oldest_networkx_allowed_reads_every_file(written: tuple[nx.MultiGraph, Path]) -> None:
    assert OLD_PYTHON, "TAXONOMY_REQUIRE_OLD_NETWORKX is set but TAXONOMY_OLD_NETWORKX_PYTHON is not"
    _, out = written
    run = subprocess.run(
        [OLD_PYTHON, str(HERE / "graph_readback.py"), str(out)],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONNOUSERSITE": "1"},
    )
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout)
    minimum = _pyproject_minimum()
    assert found.pop("networkx") == minimum  # the venv holds the oldest version pyproject.toml allows
    newest = _readback().describe(out)
    newest.pop("networkx")
    assert found == newest  # the oldest networkx reads every file as the newest does
    assert set(found) == {*FILES, "papers.graphml"}


def _pyproject_minimum() -> str:
    text = (HERE.parent / "pyproject.toml").read_text(encoding="utf-8")
    line = next(part for part in text.split('"') if part.startswith("networkx>="))
    return line.removeprefix("networkx>=")


def test_igraph_reads_the_graphml_undirected_with_cooccurrence_as_an_undirected_copy(
    written: tuple[nx.MultiGraph, Path],
) -> None:
    graph, out = written
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Could not add edge ids")
        ig = igraph.Graph.Read_GraphML(str(out / "concepts.graphml"))
    assert not ig.is_directed()
    assert (ig.vcount(), ig.ecount()) == (graph.number_of_nodes(), graph.number_of_edges())
    co = ig.subgraph_edges(ig.es.select(relation="co_occurs"), delete_vertices=False)
    pairs = sorted({tuple(sorted(e.tuple)) for e in co.es})
    explicit = igraph.Graph(n=ig.vcount(), edges=pairs, directed=False)
    assert co.degree() == explicit.degree()
    assert co.pagerank() == pytest.approx(explicit.pagerank(), abs=1e-12)
    assert all(isinstance(v, float) for v in ig.vs["x"])  # the layout comes through
    assert set(ig.vs["color"]) <= {c for _, c in graph.nodes(data="color")}


@pytest.mark.skipif(
    not NODE_MODULES, reason="set TAXONOMY_NODE_MODULES to node_modules with cytoscape and graphology"
)
def test_cytoscape_js_and_graphology_read_the_json_and_the_gexf(written: tuple[nx.MultiGraph, Path]) -> None:
    graph, out = written
    env = {"PATH": os.environ.get("PATH", ""), "NODE_PATH": NODE_MODULES}
    run = subprocess.run(
        ["node", str(HERE / "js_readback.js"), str(out)], capture_output=True, text=True, check=False, env=env
    )
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout)
    n, m = graph.number_of_nodes(), graph.number_of_edges()
    assert found["cytoscape"] == {"nodes": n, "edges": m, "positioned": n}
    seen = found["graphology"]
    assert (seen["type"], seen["multi"], seen["nodes"], seen["edges"], seen["placed"]) == (
        "undirected",
        True,
        n,
        m,
        n,
    )
    co = nx.Graph((u, v) for u, v, d in graph.edges(data=True) if d["relation"] == "co_occurs")
    assert seen["degree"] == dict(co.degree())  # graphology counts co-occurrence as networkx does
