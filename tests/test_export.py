"""Graph exports read back by networkx and igraph, byte for byte stable, with golden files.

The graph is the concept graph of ``fixtures/graph`` (rules read with the real loader, hand-made
tagged papers). Set ``UPDATE_GOLDEN=1`` to rewrite ``fixtures/graph/golden`` after a deliberate change.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import igraph
import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taxonomy.errors import OutputError, UsageError
from taxonomy.export import GRAPH_FORMATS, write_graph, write_text, xml_safe
from taxonomy.graph import concept_graph
from taxonomy.models import ConceptHit, Paper, TaggedPaper
from taxonomy.rules import load_rules
from taxonomy.stats import CorpusStats

from .test_graph import _title_mentions

FIXTURES = Path(__file__).parent / "fixtures" / "graph"
GOLDEN = FIXTURES / "golden"
UPDATE = bool(os.environ.get("UPDATE_GOLDEN"))
ALL_FILES = [
    "concepts.graphml",
    "concepts.gexf",
    "concepts.json",
    "concepts-nodes.csv",
    "concepts-edges.csv",
    "concepts.cyjs",
    "concepts-vosviewer-map.txt",
    "concepts-vosviewer-network.txt",
]
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"
GEXF = "{http://www.gexf.net/1.2draft}"
VIZ = "{http://www.gexf.net/1.2draft/viz}"


def fixture_graph() -> nx.MultiDiGraph:
    taxonomy = load_rules(FIXTURES / "rules")
    stats = CorpusStats()
    for r in json.loads((FIXTURES / "papers.json").read_text(encoding="utf-8")):
        paper = Paper(id=r["id"], title=r["title"], date=r["date"])
        hits = tuple(ConceptHit(*hit) for hit in r["concepts"])
        mentions = _title_mentions(r["title"], r["concepts"])  # what each paper's own method holds
        stats.add(TaggedPaper(paper, mentions, hits, tuple(r["primary"]), tuple(r["mentioned"])), taxonomy)
    return concept_graph(taxonomy, stats)


@pytest.fixture(scope="module")
def graph() -> nx.MultiDiGraph:
    return fixture_graph()


@pytest.fixture(scope="module")
def written(graph: nx.MultiDiGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export")
    write_graph(graph, out, formats=GRAPH_FORMATS)
    return out


def read_igraph(path: Path) -> igraph.Graph:
    with warnings.catch_warnings():  # edge ids come from the "id" data key; igraph says so
        warnings.filterwarnings("ignore", message="Could not add edge ids")
        return igraph.Graph.Read_GraphML(str(path))


def nodes(graph: Any) -> dict[str, dict[str, Any]]:
    return {n: dict(d) for n, d in graph.nodes(data=True)}


def edges(graph: Any) -> dict[tuple[str, str, str], dict[str, Any]]:
    return {(u, v, k): dict(d) for u, v, k, d in graph.edges(keys=True, data=True)}


def exact(value: Any) -> tuple[type, Any]:
    """A value with its type, so that 1 == 1.0 == True do not pass for one another."""
    return (type(value), value)


def typed(table: dict[Any, dict[str, Any]]) -> dict[Any, dict[str, tuple[type, Any]]]:
    return {k: {name: exact(v) for name, v in d.items()} for k, d in table.items()}


def special_graph() -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    graph.add_node("a&b", label="A <b> & \"c\" 'd'", name="a&b", note="tab\there\nline\r\nbreak ]]>")
    graph.add_node("c", label="bell\x07 nul\x00 \ufffe end", name="c")
    attrs = {"relation": "x&y", "interaction": "x&y", "weight": 1.0, "examples": "<p1>; &p2"}
    graph.add_edge("a&b", "c", key="x&y:a&b:c", id="x&y:a&b:c", **attrs)
    return graph


# --- every format ------------------------------------------------------------------------------


def test_write_graph_returns_the_files_in_the_order_asked(graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    paths = write_graph(graph, tmp_path, formats=("json", "csv", "graphml", "json"))
    assert [p.name for p in paths] == [
        "concepts.json",
        "concepts-nodes.csv",
        "concepts-edges.csv",
        "concepts.graphml",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.name for p in paths
    )  # no temporary files left
    assert [p.name for p in write_graph(graph, tmp_path / "sub", stem="g")] == ["g.graphml"]


def test_same_graph_same_bytes_whatever_the_insertion_order(
    graph: nx.MultiDiGraph, written: Path, tmp_path: Path
) -> None:
    shuffled = type(graph)()
    shuffled.graph.update(dict(reversed(list(graph.graph.items()))))
    shuffled.add_nodes_from(
        (n, dict(reversed(list(d.items())))) for n, d in reversed(list(graph.nodes(data=True)))
    )
    shuffled.add_edges_from(
        (u, v, k, dict(reversed(list(d.items()))))
        for u, v, k, d in reversed(list(graph.edges(keys=True, data=True)))
    )
    write_graph(shuffled, tmp_path, formats=GRAPH_FORMATS)
    write_graph(fixture_graph(), tmp_path / "again", formats=GRAPH_FORMATS)
    for name in ALL_FILES:
        assert (tmp_path / name).read_bytes() == (written / name).read_bytes(), name
        assert (tmp_path / "again" / name).read_bytes() == (written / name).read_bytes(), name


@pytest.mark.parametrize("name", ALL_FILES)
def test_golden_files(written: Path, name: str) -> None:
    data = (written / name).read_bytes()
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        (GOLDEN / name).write_bytes(data)
    assert data == (GOLDEN / name).read_bytes()
    assert b"/work/" not in data and b"/tmp/" not in data  # no absolute paths


# --- GraphML -----------------------------------------------------------------------------------


def test_graphml_round_trips_through_networkx_with_types(graph: nx.MultiDiGraph, written: Path) -> None:
    back = nx.read_graphml(written / "concepts.graphml", force_multigraph=True)
    assert typed(nodes(back)) == typed(nodes(graph))
    assert typed(edges(back)) == typed(edges(graph))
    assert back.graph == {"node_default": {}, "edge_default": {}}  # graph attributes: JSON and GEXF only


def test_graphml_reads_in_igraph_with_the_same_counts_and_attributes(
    graph: nx.MultiDiGraph, written: Path
) -> None:
    ig = read_igraph(written / "concepts.graphml")
    assert not ig.is_directed()
    assert (ig.vcount(), ig.ecount()) == (graph.number_of_nodes(), graph.number_of_edges()) == (10, 28)
    assert ig.vs["name"] == list(graph)
    for vertex in ig.vs:
        for key, value in graph.nodes[vertex["name"]].items():
            assert vertex[key] == value, (vertex["name"], key)  # igraph numbers are floats: 3.0 == 3
    assert {a for n in graph for a in graph.nodes[n]} <= set(ig.vs.attributes())
    assert math.isnan(ig.vs.find(name="quirky")["first_year"])  # a missing number is NaN in igraph
    assert sorted(ig.es["id"]) == sorted(k for _, _, k in graph.edges(keys=True))
    for e in ig.es:
        source, target = ig.vs[e.source]["name"], ig.vs[e.target]["name"]
        data = graph.edges[source, target, e["id"]]
        assert {k: e[k] for k in data} == data


def test_graphml_declares_every_key_with_its_type(written: Path) -> None:
    root = ET.parse(written / "concepts.graphml").getroot()
    keys = {
        (k.get("for"), k.get("attr.name")): (k.get("id"), k.get("attr.type"))
        for k in root.iter(f"{GRAPHML}key")
    }
    assert keys["node", "label"] == ("node_label", "string")
    assert keys["node", "level"] == ("node_level", "int")
    assert keys["edge", "association"] == ("edge_association", "double")
    assert keys["edge", "directed"] == ("edge_directed", "boolean")
    assert keys["edge", "id"] == ("edge_id", "string")
    assert {scope for scope, _ in keys} == {"node", "edge"}  # Gephi reports for="graph" keys as errors
    assert not {"d3", "d7"} & {key_id for key_id, _ in keys.values()}  # Gephi reads those as yEd labels


def test_graphml_writes_every_node_before_any_edge(written: Path) -> None:
    graph_element = ET.parse(written / "concepts.graphml").getroot().find(f"{GRAPHML}graph")
    assert graph_element is not None
    tags = [e.tag for e in graph_element]
    kinds = [t for t in tags if t in (f"{GRAPHML}node", f"{GRAPHML}edge")]
    assert kinds == sorted(kinds, key=lambda t: t.endswith("edge"))


# --- GEXF, JSON, CSV ---------------------------------------------------------------------------


def test_gexf_round_trips_through_networkx_with_time_spells(graph: nx.MultiDiGraph, written: Path) -> None:
    back = nx.read_gexf(written / "concepts.gexf")
    assert back.graph["mode"] == "dynamic"
    expected = nodes(graph)
    for data in expected.values():
        if "first_year" in data:
            data.update(start=float(data["first_year"]), end=float(data["last_year"]))
        x, y, size, color = (data.pop(k) for k in ("x", "y", "size", "color"))
        rgb = {"r": int(color[1:3], 16), "g": int(color[3:5], 16), "b": int(color[5:7], 16), "a": 1.0}
        data["viz"] = {"color": rgb, "size": size, "position": {"x": x, "y": y, "z": 0.0}}
    assert typed(nodes(back)) == typed(expected)
    assert typed(edges(back)) == typed(edges(graph))


def test_gexf_gives_edges_their_relation_as_kind(written: Path) -> None:
    root = ET.parse(written / "concepts.gexf").getroot()
    graph_element = root.find(f"{GEXF}graph")
    assert graph_element is not None and graph_element.get("timeformat") == "double"
    kinds = {e.get("id"): e.get("kind") for e in root.iter(f"{GEXF}edge")}
    assert kinds["compared_with:mamba:vision-transformer"] == "compared_with"
    assert kinds["co_occurs:mamba:vision-transformer"] == "co_occurs"  # parallel, so Gephi keeps both
    mamba = next(n for n in root.iter(f"{GEXF}node") if n.get("id") == "mamba")
    assert (mamba.get("start"), mamba.get("end")) == ("2021", "2023")


def test_gexf_is_static_when_no_year_is_known(tmp_path: Path) -> None:
    (path,) = write_graph(special_graph(), tmp_path, formats=("gexf",))
    assert nx.read_gexf(path).graph["mode"] == "static"


def test_json_is_node_link_data_that_networkx_reads_back(graph: nx.MultiDiGraph, written: Path) -> None:
    data = json.loads((written / "concepts.json").read_text(encoding="utf-8"))
    assert sorted(data) == ["directed", "edges", "graph", "links", "multigraph", "nodes"]
    assert data["links"] == data["edges"]  # networkx before 3.6 reads "links" by default
    back = nx.node_link_graph(data)
    assert typed(nodes(back)) == typed(nodes(graph))
    assert typed(edges(back)) == typed(edges(graph))
    assert back.graph == graph.graph
    assert [e["id"] for e in data["edges"]] == sorted(e["id"] for e in data["edges"])


def test_csv_tables_hold_every_node_and_edge(graph: nx.MultiDiGraph, written: Path) -> None:
    with (written / "concepts-nodes.csv").open(encoding="utf-8", newline="") as f:
        node_rows = list(csv.DictReader(f))
    with (written / "concepts-edges.csv").open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        edge_rows = list(reader)
    assert [r["id"] for r in node_rows] == list(graph)
    assert reader.fieldnames is not None and reader.fieldnames[:4] == ["id", "source", "target", "kind"]
    assert all(r["kind"] == r["relation"] for r in edge_rows)  # Gephi keeps parallel edges of other kinds
    assert len(edge_rows) == graph.number_of_edges()
    assert len({r["id"] for r in edge_rows}) == len(edge_rows)
    quirky = next(r for r in node_rows if r["id"] == "quirky")
    assert (quirky["label"], quirky["first_year"], quirky["papers"]) == (
        graph.nodes["quirky"]["label"],
        "",
        "1",
    )
    compared = next(r for r in edge_rows if r["id"] == "compared_with:mamba:vision-transformer")
    assert (compared["examples"], compared["directed"], compared["jaccard"]) == (
        "2101.00001; 2306.00006",
        "true",
        "",
    )


# --- awkward text ------------------------------------------------------------------------------


def test_xml_special_characters_survive_every_format(tmp_path: Path) -> None:
    graph = special_graph()
    write_graph(graph, tmp_path, formats=GRAPH_FORMATS)
    clean = {
        n: {k: xml_safe(v) if isinstance(v, str) else v for k, v in d.items()}
        for n, d in nodes(graph).items()
    }
    assert clean["c"]["label"] == "bell\ufffd nul\ufffd \ufffd end"
    assert nodes(nx.read_graphml(tmp_path / "concepts.graphml")) == clean
    gexf = nodes(nx.read_gexf(tmp_path / "concepts.gexf"))
    assert gexf == clean
    ig = read_igraph(tmp_path / "concepts.graphml")
    assert ig.vs["label"] == [clean["a&b"]["label"], clean["c"]["label"]]
    assert ig.vs["note"][0] == "tab\there\nline\r\nbreak ]]>"
    assert ig.es["examples"] == ["<p1>; &p2"]
    assert nodes(
        nx.node_link_graph(json.loads((tmp_path / "concepts.json").read_text("utf-8")), edges="edges")
    ) == nodes(graph)
    with (tmp_path / "concepts-nodes.csv").open(encoding="utf-8", newline="") as f:
        assert next(csv.DictReader(f))["note"] == "tab\there\nline\r\nbreak ]]>"


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_any_text_reads_back_from_graphml_as_written(text: str) -> None:
    graph = nx.MultiDiGraph()
    graph.add_node("n", label=text)
    graph.add_edge("n", "n", key="e", id="e", relation=text)
    with tempfile.TemporaryDirectory() as out:
        (path,) = write_graph(graph, Path(out))
        back = nx.read_graphml(io.BytesIO(path.read_bytes()), force_multigraph=True)
    assert back.nodes["n"]["label"] == xml_safe(text)
    assert back.edges["n", "n", "e"]["relation"] == xml_safe(text)


# --- refusals ----------------------------------------------------------------------------------


def one_edge(**data: Any) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    graph.add_edge("a", "b", key="r:a:b", id="r:a:b", **data)
    return graph


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            None,
            "edge 'r:a:b' attribute 'x' is a NoneType, which cannot be exported (leave the attribute out instead)",
        ),
        (
            ["p1", "p2"],
            "edge 'r:a:b' attribute 'x' is a list, which cannot be exported (join the items into one string with '; ')",
        ),
        (
            {"a": 1},
            "edge 'r:a:b' attribute 'x' is a dict, which cannot be exported (use a str, int, float or bool)",
        ),
    ],
)
def test_values_no_format_can_hold_are_refused(tmp_path: Path, value: object, message: str) -> None:
    with pytest.raises(TypeError) as error:
        write_graph(one_edge(x=value), tmp_path)
    assert str(error.value) == message
    assert list(tmp_path.iterdir()) == []


def test_non_finite_numbers_are_refused(tmp_path: Path) -> None:
    with pytest.raises(
        ValueError, match=r"^edge 'r:a:b' attribute 'x' is nan: only finite numbers can be exported$"
    ):
        write_graph(one_edge(x=math.nan), tmp_path)


def test_an_attribute_with_two_types_is_refused_unless_both_are_numbers(tmp_path: Path) -> None:
    graph = one_edge(x=1)
    graph.add_edge("b", "a", key="r:b:a", id="r:b:a", x="one")
    with pytest.raises(
        TypeError, match=r"^edge 'r:b:a' attribute 'x' holds both (int and string|string and int) values"
    ):
        write_graph(graph, tmp_path)
    mixed = one_edge(x=1)
    mixed.add_edge("b", "a", key="r:b:a", id="r:b:a", x=2.5)
    (path,) = write_graph(mixed, tmp_path)
    assert {d["x"] for _, _, d in nx.read_graphml(path).edges(data=True)} == {1.0, 2.5}


def test_duplicate_edge_ids_are_refused(tmp_path: Path) -> None:
    graph = one_edge()
    graph.add_edge("b", "a", key="other", id="r:a:b")
    with pytest.raises(ValueError, match=r"^two edges have the id 'r:a:b'; edge ids must be unique$"):
        write_graph(graph, tmp_path)


def test_a_node_attribute_named_id_is_refused(tmp_path: Path) -> None:
    graph = nx.MultiDiGraph()
    graph.add_node("a", id="x")
    with pytest.raises(
        ValueError, match=r"^node 'a' has an attribute 'id', which clashes with the node id; rename it$"
    ):
        write_graph(graph, tmp_path)


def test_an_unknown_format_is_refused_with_a_hint(graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    with pytest.raises(UsageError) as error:
        write_graph(graph, tmp_path, formats=("graphml", "gefx"))
    assert (
        str(error.value)
        == "unknown graph format 'gefx' (did you mean 'gexf'?); choose from graphml, gexf, json, csv, vosviewer, cyjs"
    )
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_folder_is_an_output_error(graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(OutputError) as error:
        write_graph(graph, blocker)
    assert str(error.value) == f"{blocker}: is a file, not a folder; choose another output folder with -o DIR"
    with pytest.raises(
        OutputError, match=r"concepts.graphml: cannot be written \(.*\); choose another output folder"
    ):
        write_graph(graph, blocker / "deeper")


def test_a_file_whose_text_fails_to_be_made_is_not_left_half_written(tmp_path: Path) -> None:
    def parts() -> Iterator[str]:
        yield "<graphml>"
        raise ValueError("a value no format can hold")

    with pytest.raises(ValueError, match="no format can hold"):
        write_text(tmp_path / "concepts.graphml", parts())
    assert list(tmp_path.iterdir()) == []
    write_text(tmp_path / "concepts.graphml", iter(["<graphml>", "é</graphml>\n"]))
    assert (tmp_path / "concepts.graphml").read_bytes() == "<graphml>é</graphml>\n".encode()


# --- VOSviewer and Cytoscape.js ------------------------------------------------------------------

VOS_COLUMNS = ["id", "label", "description", "x", "y", "cluster"]
VOS_WEIGHTS = ["weight<Papers>", "weight<Links>", "weight<Total link strength>"]


def test_vosviewer_map_file_has_the_columns_vosviewer_documents(graph: nx.MultiGraph, written: Path) -> None:
    text = (written / "concepts-vosviewer-map.txt").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text), delimiter="\t"))
    assert rows[0] == VOS_COLUMNS + VOS_WEIGHTS
    body = rows[1:]
    assert len(body) == graph.number_of_nodes()
    assert [int(r[0]) for r in body] == list(range(1, len(body) + 1))  # positive integer ids
    by_label = {r[1]: r for r in body}
    assert set(by_label) == {d["label"] for _, d in graph.nodes(data=True)}
    for node, data in graph.nodes(data=True):
        row = by_label[data["label"]]
        assert row[2].startswith(node)
        assert (float(row[3]), float(row[4])) == (data["x"], data["y"])
        assert 1 <= int(row[5]) <= 1000 and int(row[5]) == data["cluster"]
        assert int(row[6]) == data["papers"] and int(row[7]) >= 0 and int(row[8]) >= int(row[7])
    # A label with a comma, semicolon or quote is quoted, as VOSviewer asks; no cell holds a tab.
    assert all(len(r) == len(rows[0]) for r in rows)


def test_vosviewer_network_file_holds_each_pair_once_with_its_papers(
    graph: nx.MultiGraph, written: Path
) -> None:
    lines = (written / "concepts-vosviewer-network.txt").read_text(encoding="utf-8").splitlines()
    ids = {node: i for i, node in enumerate(sorted(graph), start=1)}
    links = {}
    for line in lines:
        a, b, strength = line.split("\t")
        assert int(a) < int(b) and (int(a), int(b)) not in links
        links[int(a), int(b)] = int(strength)
    for u, v, d in graph.edges(data=True):
        if d["relation"] in ("co_occurs", "is_a") and d["count"]:
            assert links[tuple(sorted((ids[u], ids[v])))] == d["count"]
    assert sum(links.values()) == sum(
        d["count"] for _, _, d in graph.edges(data=True) if d["relation"] in ("co_occurs", "is_a")
    )


def test_cyjs_is_cytoscape_elements_json(graph: nx.MultiGraph, written: Path) -> None:
    data = json.loads((written / "concepts.cyjs").read_text(encoding="utf-8"))
    assert data["format_version"] == "1.0" and data["data"] == graph.graph
    nodes, edges = data["elements"]["nodes"], data["elements"]["edges"]
    node_ids = [n["data"]["id"] for n in nodes]
    assert node_ids == sorted(graph)
    assert len(set(node_ids) | {e["data"]["id"] for e in edges}) == len(nodes) + len(edges)  # one id space
    for node in nodes:
        own = graph.nodes[node["data"]["id"]]
        assert node["position"] == {"x": own["x"], "y": -own["y"] + 0.0}  # screen y points down
        assert node["data"]["color"] == own["color"]
    for item in edges:
        e = item["data"]
        assert e["source"] in graph and e["target"] in graph
        if e["directed"]:
            assert (e["source"], e["target"]) == (e["from"], e["to"])
    assert len(edges) == graph.number_of_edges()


def test_gexf_holds_viz_position_colour_and_size_on_every_node(written: Path) -> None:
    root = ET.parse(written / "concepts.gexf").getroot()
    for node in root.iter(f"{GEXF}node"):
        assert node.find(f"{VIZ}position") is not None, node.get("id")
        assert node.find(f"{VIZ}color") is not None and node.find(f"{VIZ}size") is not None
