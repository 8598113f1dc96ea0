"""The concept graph and the paper graph, built from a fixture taxonomy and hand-made tagged papers.

The taxonomy is ``fixtures/graph/rules`` (read with the real loader) and the papers are
``fixtures/graph/papers.json``, so these tests do not move when the bundled rules grow.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import warnings
from pathlib import Path

import igraph
import networkx as nx
import pytest

from taxonomy.errors import UsageError
from taxonomy.export import xml_attr as xml_escape
from taxonomy.graph import GraphLayout, PaperGraphSink, concept_graph
from taxonomy.models import ConceptHit, Mention, Paper, TaggedPaper
from taxonomy.rules import Taxonomy, load_rules
from taxonomy.stats import CorpusStats

FIXTURES = Path(__file__).parent / "fixtures" / "graph"
GOLDEN = FIXTURES / "golden"
UPDATE = bool(os.environ.get("UPDATE_GOLDEN"))


def _title_mentions(title: str, hits: list[list[object]]) -> tuple[Mention, ...]:
    """The concepts a paper proposes or uses, as named in its title: what its own method holds."""
    return tuple(
        Mention(str(c), "title", 0, len(title), title, title, 0, role, f"{c}:alias")  # type: ignore[arg-type]
        for c, _, _, role in hits
        if role in ("proposes", "uses")
    )


def load_papers() -> list[TaggedPaper]:
    records = json.loads((FIXTURES / "papers.json").read_text(encoding="utf-8"))
    return [
        TaggedPaper(
            paper=Paper(id=r["id"], title=r["title"], date=r["date"]),
            mentions=_title_mentions(r["title"], r["concepts"]),
            concepts=tuple(ConceptHit(*hit) for hit in r["concepts"]),
            families_primary=tuple(r["primary"]),
            families_mentioned=tuple(r["mentioned"]),
        )
        for r in records
    ]


def collect(papers: list[TaggedPaper], taxonomy: Taxonomy) -> CorpusStats:
    stats = CorpusStats()
    for tp in papers:
        stats.add(tp, taxonomy)
    return stats


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_rules(FIXTURES / "rules")


@pytest.fixture(scope="module")
def papers() -> list[TaggedPaper]:
    return load_papers()


@pytest.fixture
def stats(taxonomy: Taxonomy, papers: list[TaggedPaper]) -> CorpusStats:
    return collect(papers, taxonomy)


@pytest.fixture
def graph(taxonomy: Taxonomy, stats: CorpusStats) -> nx.MultiDiGraph:
    return concept_graph(taxonomy, stats)


def edge(graph: nx.MultiDiGraph, edge_id: str) -> dict[str, object]:
    _, source, target = edge_id.split(":")
    return dict(graph.edges[source, target, edge_id])


def relations(graph: nx.MultiDiGraph, relation: str) -> set[str]:
    return {k for _, _, k, d in graph.edges(keys=True, data=True) if d["relation"] == relation}


# --- nodes -------------------------------------------------------------------------------------


def test_nodes_are_the_families_and_the_concepts_that_occur(graph: nx.MultiDiGraph) -> None:
    assert list(graph) == [
        "diffusion", "dit", "hybrid-ssm-attention", "mamba", "quirky", "s4", "ssm", "transformer",
        "vision-mamba", "vision-transformer",
    ]  # fmt: skip
    assert "rwkv" not in graph  # defined, but no paper names it


def test_all_concepts_adds_the_rest_of_the_taxonomy(taxonomy: Taxonomy, stats: CorpusStats) -> None:
    graph = concept_graph(taxonomy, stats, all_concepts=True)
    assert set(graph) == set(taxonomy.concepts)
    assert graph.nodes["rwkv"]["papers"] == 0
    assert "first_year" not in graph.nodes["rwkv"]
    assert graph.has_edge("rwkv", "ssm", "is_a:rwkv:ssm")


def test_a_family_no_paper_names_is_still_a_node(taxonomy: Taxonomy, papers: list[TaggedPaper]) -> None:
    graph = concept_graph(taxonomy, collect(papers[:1], taxonomy))
    assert graph.nodes["diffusion"]["papers"] == 0
    assert "dit" not in graph


def test_concept_node_attributes(graph: nx.MultiDiGraph) -> None:
    mamba = dict(graph.nodes["mamba"])
    place = {k: mamba.pop(k) for k in ("x", "y", "size", "color", "cluster")}
    assert isinstance(place["x"], float) and isinstance(place["y"], float) and place["size"] > 4
    assert place["color"].startswith("#") and place["cluster"] >= 1
    assert mamba == {
        "description": "Selective state space model.",
        "family": "ssm",
        "first_year": 2021,
        "kind": "concept",
        "label": "Mamba",
        "last_year": 2023,
        "level": 1,
        "mentions": 4,
        "name": "mamba",
        "papers": 3,
        "papers_primary": 3,
    }
    assert graph.nodes["vision-mamba"]["family"] == "ssm; transformer"
    assert graph.nodes["vision-mamba"]["level"] == 2
    assert graph.nodes["ssm"]["kind"] == "family"
    assert graph.nodes["vision-transformer"]["papers_primary"] == 0  # only ever compared against


def test_years_are_left_out_when_no_paper_has_a_date(graph: nx.MultiDiGraph) -> None:
    assert "first_year" not in graph.nodes["quirky"]
    assert "last_year" not in graph.nodes["quirky"]


def test_text_xml_cannot_hold_is_replaced_when_the_graph_is_built(graph: nx.MultiDiGraph) -> None:
    assert graph.nodes["quirky"]["label"] == "Q<&>\"uirk's \ufffdformer"
    assert "\x02" not in graph.nodes["quirky"]["description"]


# --- edges -------------------------------------------------------------------------------------


def test_is_a_edges_follow_every_parent_in_the_rules(graph: nx.MultiDiGraph) -> None:
    assert relations(graph, "is_a") == {
        "is_a:dit:diffusion", "is_a:dit:transformer", "is_a:hybrid-ssm-attention:ssm",
        "is_a:hybrid-ssm-attention:transformer", "is_a:mamba:ssm", "is_a:quirky:transformer", "is_a:s4:ssm",
        "is_a:vision-mamba:mamba", "is_a:vision-mamba:vision-transformer", "is_a:vision-transformer:transformer",
    }  # fmt: skip
    assert edge(graph, "is_a:vision-mamba:mamba") == {
        "count": graph.nodes["vision-mamba"]["papers"],  # papers naming both: the child's
        "directed": True,
        "from": "vision-mamba",
        "id": "is_a:vision-mamba:mamba",
        "interaction": "is_a",
        "label": "is a",
        "name": "vision-mamba (is_a) mamba",
        "relation": "is_a",
        "to": "mamba",
        "weight": 1.0,
    }


def test_co_occurs_has_count_association_and_jaccard(graph: nx.MultiDiGraph) -> None:
    # 6 papers; mamba in 3, vision-transformer in 2, both in 2
    assert edge(graph, "co_occurs:mamba:vision-transformer") == {
        "association": 1.5,  # (2 + 1) / (3 * 2 / 6 + 1)
        "count": 2,
        "directed": False,
        "id": "co_occurs:mamba:vision-transformer",
        "interaction": "co_occurs",
        "jaccard": 0.666667,  # 2 / (3 + 2 - 2)
        "label": "co-occurs with",
        "name": "mamba (co_occurs) vision-transformer",
        "relation": "co_occurs",
        "weight": 2.0,
    }


def test_no_co_occurs_between_a_concept_and_its_ancestor(taxonomy: Taxonomy, graph: nx.MultiDiGraph) -> None:
    pairs = [(u, v) for u, v, d in graph.edges(data=True) if d["relation"] == "co_occurs"]
    assert pairs
    for u, v in pairs:
        assert u not in taxonomy.concepts[v].ancestors and v not in taxonomy.concepts[u].ancestors
    assert not graph.has_edge("vision-mamba", "mamba", "co_occurs:mamba:vision-mamba")


def test_typed_relations_carry_counts_and_example_papers(graph: nx.MultiDiGraph) -> None:
    compared = edge(graph, "compared_with:mamba:vision-transformer")
    assert (compared["count"], compared["examples"], compared["directed"]) == (
        2,
        "2101.00001; 2306.00006",
        True,
    )
    combined = edge(graph, "combined_with:dit:mamba")
    assert (combined["count"], combined["examples"], combined["directed"]) == (1, "2202.00002", False)
    assert relations(graph, "combined_with") == {
        "combined_with:diffusion:ssm", "combined_with:dit:mamba", "combined_with:ssm:transformer",
    }  # fmt: skip
    assert edge(graph, "compared_with:quirky:s4")["examples"] == "doi:10.1000/q&a<4>"


def test_any_relation_name_in_the_counts_becomes_an_edge(taxonomy: Taxonomy, stats: CorpusStats) -> None:
    stats.relations[("builds_on", "dit", "mamba")] += 3
    stats.relation_examples[("builds_on", "dit", "mamba")] = ["b", "a"]
    graph = concept_graph(taxonomy, stats)
    built = edge(graph, "builds_on:dit:mamba")
    assert (built["count"], built["examples"], built["interaction"], built["directed"]) == (
        3,
        "a; b",
        "builds_on",
        True,
    )
    assert (built["from"], built["to"], built["label"]) == ("dit", "mamba", "builds on")


def test_a_relation_to_an_ancestor_is_left_to_is_a(taxonomy: Taxonomy, stats: CorpusStats) -> None:
    stats.relations[("builds_on", "vision-mamba", "mamba")] += 3  # "Mamba-based Vision Mamba"
    stats.relations[("builds_on", "ssm", "mamba")] += 1
    graph = concept_graph(taxonomy, stats)
    assert relations(graph, "builds_on") == set()


def test_symmetric_relations_are_undirected_and_directed_ones_carry_their_ends(
    graph: nx.MultiGraph,
) -> None:
    assert not graph.is_directed()
    for _, _, d in graph.edges(data=True):
        assert d["directed"] == (d["relation"] not in ("co_occurs", "combined_with"))
        assert ("from" in d and "to" in d) == d["directed"]
        if d["directed"]:
            assert d["id"] == f"{d['relation']}:{d['from']}:{d['to']}"


def test_pairs_seen_once_have_a_modest_association(taxonomy: Taxonomy, stats: CorpusStats) -> None:
    from taxonomy.graph.concepts import association

    assert association(1, 1, 1, 3000) < 2.0  # lift would say 3,000
    assert association(100, 100, 100, 100) == 1.0  # always together, but so is every paper: chance
    assert association(50, 50, 50, 10_000) == pytest.approx(51 / 1.25)


def test_min_count_prunes_weak_edges_but_keeps_is_a(
    taxonomy: Taxonomy, stats: CorpusStats, graph: nx.MultiDiGraph
) -> None:
    pruned = concept_graph(taxonomy, stats, min_count=2)
    assert relations(pruned, "is_a") == relations(graph, "is_a")
    assert relations(pruned, "compared_with") == {"compared_with:mamba:vision-transformer"}
    assert relations(pruned, "combined_with") == set()
    assert all(d["count"] >= 2 for _, _, d in pruned.edges(data=True) if d["relation"] != "is_a")
    assert set(pruned) == set(graph)  # nodes are never pruned
    assert pruned.graph["min_count"] == 2


def test_min_count_below_one_is_refused(taxonomy: Taxonomy, stats: CorpusStats) -> None:
    with pytest.raises(UsageError, match=r"^--min-count must be at least 1, not 0$"):
        concept_graph(taxonomy, stats, min_count=0)


def test_every_edge_is_keyed_by_its_unique_id(graph: nx.MultiDiGraph) -> None:
    keys = [k for _, _, k in graph.edges(keys=True)]
    assert len(keys) == len(set(keys)) == graph.number_of_edges() == 28
    for u, v, k, d in graph.edges(keys=True, data=True):
        assert k == d["id"] and k in (f"{d['relation']}:{u}:{v}", f"{d['relation']}:{v}:{u}")
        assert d["interaction"] == d["relation"]


def test_no_none_and_no_lists_anywhere(graph: nx.MultiDiGraph) -> None:
    values = [*graph.graph.values()]
    values += [v for _, d in graph.nodes(data=True) for v in d.values()]
    values += [v for _, _, d in graph.edges(data=True) for v in d.values()]
    assert all(type(v) in (str, int, float, bool) for v in values)
    assert all(math.isfinite(v) for v in values if isinstance(v, float))


def test_graph_level_attributes(graph: nx.MultiDiGraph, taxonomy: Taxonomy) -> None:
    assert graph.graph == {"min_count": 1, "papers": 6, "rules_version": taxonomy.version}


def test_the_graph_does_not_depend_on_paper_order_or_how_counts_were_split(
    taxonomy: Taxonomy, papers: list[TaggedPaper], graph: nx.MultiDiGraph
) -> None:
    merged = collect(papers[3:][::-1], taxonomy).merge(collect(papers[:3], taxonomy))
    other = concept_graph(taxonomy, merged)
    assert list(other.nodes(data=True)) == list(graph.nodes(data=True))
    assert list(other.edges(keys=True, data=True)) == list(graph.edges(keys=True, data=True))


def test_counts_from_other_rules_are_refused(taxonomy: Taxonomy, stats: CorpusStats) -> None:
    stats.concept_papers["perceiver"] += 1
    with pytest.raises(UsageError) as error:
        concept_graph(taxonomy, stats)
    assert str(error.value) == (
        "the counts name 1 concept(s) the rules do not define (perceiver); "
        "build the graph with the rules the papers were tagged with (--rules DIR)"
    )


def test_a_concept_outside_every_family_has_no_family_and_a_concept_level() -> None:
    from taxonomy.graph import concept_attrs

    bundled = load_rules()
    peft = concept_attrs(bundled.concepts["parameter-efficient-finetuning"], bundled)
    lora = concept_attrs(bundled.concepts["lora"], bundled)
    assert "family" not in peft and "family" not in lora
    assert (peft["kind"], peft["level"], lora["level"]) == ("concept", 1, 2)  # level 0 is for families
    assert concept_attrs(bundled.concepts["ssm"], bundled)["level"] == 0


# --- the paper graph ---------------------------------------------------------------------------


def test_every_concept_of_the_paper_graph_is_in_the_concept_graph(
    tmp_path: Path, taxonomy: Taxonomy, papers: list[TaggedPaper]
) -> None:
    # A paper that names a concept but no family is untagged: the counts leave it out, and so do its edges.
    untagged = TaggedPaper(Paper(id="u1", title="S4 alone"), concepts=(ConceptHit("s4", 1, 1.0, "uses"),))
    only = [untagged, *[tp for tp in papers if all(h.concept != "s4" for h in tp.concepts)]]
    write_papers(tmp_path / "papers.graphml", taxonomy, only)
    back = nx.read_graphml(tmp_path / "papers.graphml", force_multigraph=True)
    concepts = concept_graph(taxonomy, collect(only, taxonomy))
    assert {n.removeprefix("concept:") for n in back if n.startswith("concept:")} <= set(concepts)
    assert back.degree("paper:u1") == 0


def write_papers(
    path: Path, taxonomy: Taxonomy, papers: list[TaggedPaper], base: GraphLayout | None = None
) -> bytes:
    with PaperGraphSink(path, taxonomy, base=base) as sink:
        for tp in papers:
            sink.add(tp)
    return path.read_bytes()


def test_paper_graph_links_papers_to_the_concepts_they_name(
    tmp_path: Path, taxonomy: Taxonomy, papers: list[TaggedPaper]
) -> None:
    write_papers(tmp_path / "papers.graphml", taxonomy, papers)
    graph = nx.read_graphml(tmp_path / "papers.graphml", force_multigraph=True)
    paper_nodes = sorted(n for n, d in graph.nodes(data=True) if d["kind"] == "paper")
    assert paper_nodes == sorted(f"paper:{tp.paper.id}" for tp in papers)
    concepts = {n for n, d in graph.nodes(data=True) if d["kind"] != "paper"}
    named = {hit.concept for tp in papers for hit in tp.concepts}
    with_ancestors = named | {a for c in named for a in taxonomy.concepts[c].ancestors}
    assert concepts == {f"concept:{c}" for c in with_ancestors}
    assert graph.nodes["paper:2101.00001"] == {
        "families_mentioned": "ssm; transformer",
        "families_primary": "ssm",
        "kind": "paper",
        "label": "Mamba beats ViT <fast> & cheap",
        "name": "2101.00001",
        "title": "Mamba beats ViT <fast> & cheap",
        "year": 2021,
    }
    assert "year" not in graph.nodes["paper:doi:10.1000/q&a<4>"]
    assert graph.nodes["paper:doi:10.1000/q&a<4>"]["title"] == 'Quirk\ufffd "former" & <co>'
    assert graph.degree("paper:2205.00005") == 0  # untagged papers are nodes too
    hit_edges = [d for _, _, d in graph.edges(data=True) if d["relation"] != "is_a"]
    assert len(hit_edges) == sum(len(tp.concepts) for tp in papers)
    assert dict(graph.edges["paper:2101.00001", "concept:mamba", "proposes:2101.00001:mamba"]) == {
        "count": 2,
        "id": "proposes:2101.00001:mamba",
        "interaction": "proposes",
        "relation": "proposes",
        "role": "proposes",
        "score": 6.0,
    }
    assert graph.has_edge(
        "concept:vision-mamba", "concept:vision-transformer", "is_a:vision-mamba:vision-transformer"
    )


def read_igraph(path: Path) -> igraph.Graph:
    with warnings.catch_warnings():  # edge ids come from the "id" data key; igraph says so
        warnings.filterwarnings("ignore", message="Could not add edge ids")
        return igraph.Graph.Read_GraphML(str(path))


def test_paper_graph_reads_in_igraph_with_the_same_counts(
    tmp_path: Path, taxonomy: Taxonomy, papers: list[TaggedPaper]
) -> None:
    path = tmp_path / "papers.graphml"
    write_papers(path, taxonomy, papers)
    nxg = nx.read_graphml(path, force_multigraph=True)
    ig = read_igraph(path)
    assert (ig.vcount(), ig.ecount()) == (nxg.number_of_nodes(), nxg.number_of_edges()) == (16, 21)
    assert sorted(ig.es["id"]) == sorted(k for _, _, k in nxg.edges(keys=True))
    assert ig.vs.find(name="2306.00006")["year"] == 2023


def test_paper_graph_lists_papers_in_the_order_they_came_after_the_concepts(
    tmp_path: Path, taxonomy: Taxonomy, papers: list[TaggedPaper]
) -> None:
    text = write_papers(tmp_path / "papers.graphml", taxonomy, papers[::-1]).decode("utf-8")
    nodes = [line.split('"')[1] for line in text.splitlines() if line.startswith("    <node ")]
    concepts = [n for n in nodes if n.startswith("concept:")]
    assert nodes == concepts + [f"paper:{xml_escape(tp.paper.id)}" for tp in papers[::-1]]
    assert concepts == sorted(concepts)
    assert text.rindex("<node ") < text.index("<edge ")  # every node before every edge
    sources = [line.split('source="')[1].split('"')[0] for line in text.splitlines() if "<edge " in line]
    papers_first = [s for s in sources if s.startswith("paper:")]
    assert papers_first == sorted(papers_first, key=[n for n in nodes if n.startswith("paper:")].index)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["papers.graphml"]  # no leftovers


def test_paper_graph_writes_a_paper_seen_twice_once(
    tmp_path: Path, taxonomy: Taxonomy, papers: list[TaggedPaper]
) -> None:
    once = write_papers(tmp_path / "a.graphml", taxonomy, papers)
    twice = write_papers(tmp_path / "b.graphml", taxonomy, papers + papers[:2])
    assert once == twice


@pytest.mark.parametrize("split", [0, 1, 3, 6])
def test_a_paper_graph_extended_with_more_papers_is_the_graph_of_all_of_them(
    tmp_path: Path, taxonomy: Taxonomy, papers: list[TaggedPaper], split: int
) -> None:
    path = tmp_path / "papers.graphml"
    with PaperGraphSink(path, taxonomy) as sink:
        for tp in papers[:split]:
            sink.add(tp)
    first = sink.layout
    assert first is not None and first.size == path.stat().st_size
    assert GraphLayout.from_dict(json.loads(json.dumps(first.to_dict()))) == first
    with PaperGraphSink(path, taxonomy, dedupe=False, base=first) as sink:
        for tp in papers[split:]:
            sink.add(tp)
    whole = write_papers(tmp_path / "whole.graphml", taxonomy, papers)
    assert path.read_bytes() == whole
    assert (
        sink.layout is not None
        and sink.layout.digest == hashlib.blake2b(whole, digest_size=32, person=b"taxonomy-file").hexdigest()
    )
    start, end = sink.layout.nodes
    assert whole[start:end].decode("utf-8").count("<node ") == len(papers)


def test_paper_graph_golden_file(tmp_path: Path, taxonomy: Taxonomy, papers: list[TaggedPaper]) -> None:
    written = write_papers(tmp_path / "papers.graphml", taxonomy, papers)
    golden = GOLDEN / "papers.graphml"
    if UPDATE:
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(written)
    assert written == golden.read_bytes()


def test_a_failed_run_leaves_no_paper_graph_behind(
    tmp_path: Path, taxonomy: Taxonomy, papers: list[TaggedPaper]
) -> None:
    with (
        pytest.raises(RuntimeError),
        PaperGraphSink(tmp_path / "papers.graphml", taxonomy) as sink,
    ):
        for tp in papers:
            sink.add(tp)
        raise RuntimeError("the tagger crashed")
    assert list(tmp_path.iterdir()) == []


def test_paper_graph_refuses_papers_after_close(
    tmp_path: Path, taxonomy: Taxonomy, papers: list[TaggedPaper]
) -> None:
    sink = PaperGraphSink(tmp_path / "papers.graphml", taxonomy)
    sink.close()
    sink.close()  # closing twice is harmless
    with pytest.raises(ValueError, match="already closed"):
        sink.add(papers[0])


def test_paper_graph_refuses_concepts_the_rules_do_not_define(tmp_path: Path, taxonomy: Taxonomy) -> None:
    tp = TaggedPaper(paper=Paper(id="x1", title="T"), concepts=(ConceptHit("perceiver", 1, 1.0, "uses"),))
    with pytest.raises(UsageError) as error:
        PaperGraphSink(tmp_path / "papers.graphml", taxonomy).add(tp)
    assert str(error.value) == (
        "paper 'x1' names concepts the rules do not define (perceiver); "
        "use the rules the papers were tagged with (--rules DIR)"
    )


@pytest.mark.parametrize(
    "paper",
    [
        Paper(id="p1", title="Plain title", date="2024-03"),
        Paper(id="a&b<c>\"d'", title='Title with <b>tags</b> & "quotes"\r and\ttabs'),
        Paper(id="ctl\x01\x1f", title="Control \x00\x08 characters \ufffe and \U0001f600 emoji", date="1999"),
    ],
)
def test_paper_records_are_what_the_general_graphml_writer_writes(paper: Paper) -> None:
    # One GraphML writer for both graphs: the paper graph's compiled rows give the bytes of
    # GraphMLKeys.node and .edge, which the concept graph uses.
    from taxonomy.export import xml_safe
    from taxonomy.graph.papers import _PAPER_KEYS, _paper_record

    hits = (
        ConceptHit("z-last", 2, 1.5, "uses"),
        ConceptHit("a&<first>", 1, 0.1 + 0.2, "compares"),
        ConceptHit("mid", 30, 7.0, "proposes"),
    )
    for concepts in ((), hits):
        tp = TaggedPaper(
            paper, concepts=concepts, families_primary=("f<1>",), families_mentioned=("f<1>", "g&2")
        )
        node = f"paper:{paper.id}"
        attrs: dict[str, object] = {
            "families_mentioned": "f<1>; g&2",
            "families_primary": "f<1>",
            "kind": "paper",
            "label": xml_safe(paper.title),
            "name": xml_safe(paper.id),
            "title": xml_safe(paper.title),
        }
        if paper.year is not None:
            attrs["year"] = paper.year
        edges = "".join(
            _PAPER_KEYS.edge(
                f"{h.role}:{paper.id}:{h.concept}",
                node,
                f"concept:{h.concept}",
                {
                    "count": h.count,
                    "id": xml_safe(f"{h.role}:{paper.id}:{h.concept}"),
                    "interaction": h.role,
                    "relation": h.role,
                    "role": h.role,
                    "score": h.score,
                },
            )
            for h in sorted(concepts, key=lambda h: h.concept)
        )
        assert _paper_record(tp) == (paper.id, _PAPER_KEYS.node(node, attrs), edges)  # type: ignore[arg-type]


def test_a_score_that_cannot_be_exported_is_named() -> None:
    from taxonomy.graph.papers import _paper_record

    tp = TaggedPaper(Paper(id="p1", title="T"), concepts=(ConceptHit("c", 1, math.nan, "uses"),))
    tp = dataclasses.replace(tp, families_mentioned=("f",))  # an untagged paper has no edges to check
    with pytest.raises(ValueError, match="only finite numbers can be exported"):
        _paper_record(tp)


def test_areas_are_nodes_above_their_families() -> None:
    from taxonomy.stats import collect
    from taxonomy.tag import Tagger

    rules = load_rules(Path(__file__).parent / "fixtures" / "tagging")  # areas: sequences, attention
    papers = [Paper(id="a", title="Mamba for speech"), Paper(id="b", title="A Vision Transformer")]
    graph = concept_graph(rules, collect(Tagger(rules).tag_batch(papers), rules))
    area = graph.nodes["sequences"]
    assert (area["kind"], area["level"], area["papers"], area["label"]) == ("area", -1, 1, "Sequence models")
    (edge,) = [
        d for _, _, d in graph.edges("ssm", data=True) if d["relation"] == "is_a" and d["to"] == "sequences"
    ]
    assert edge["from"] == "ssm" and edge["count"] == 1
