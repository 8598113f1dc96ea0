"""The concept map: one layout shared by the graph files and the report, drawn as figures/map.svg."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from taxonomy.graph import concept_graph, concept_map, layout
from taxonomy.graph.layout import _compute
from taxonomy.report import render_report
from taxonomy.report.mapdata import map_data
from taxonomy.rules import Taxonomy
from taxonomy.stats import CorpusStats

from .fixtures.report import corpus

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def counts() -> tuple[Taxonomy, CorpusStats]:
    taxonomy = corpus.taxonomy()
    return taxonomy, corpus.stats(taxonomy)


def test_the_report_map_and_the_graph_files_share_one_layout(counts: tuple[Taxonomy, CorpusStats]) -> None:
    taxonomy, stats = counts
    graph = concept_graph(taxonomy, stats)
    data = map_data(taxonomy, stats)
    assert data is not None
    for point in data.points:
        node = graph.nodes[point.id]
        assert (node["x"], node["y"], node["color"], node["size"]) == (
            point.x,
            point.y,
            point.color,
            point.size,
        )
    assert {p.id for p in data.points} == {n for n, d in graph.nodes(data=True) if d["papers"] > 0}


def test_the_layout_is_computed_once_and_is_the_same_when_computed_again(
    counts: tuple[Taxonomy, CorpusStats],
) -> None:
    taxonomy, stats = counts
    first = concept_map(taxonomy, stats)
    full = concept_map(taxonomy, stats, all_concepts=True)
    assert concept_map(taxonomy, stats, all_concepts=True) is full  # computed once, then shared
    assert concept_map(taxonomy, stats) == first
    assert _compute(taxonomy, stats, False) == first  # and it does not depend on anything but the counts
    everything = concept_map(taxonomy, stats, all_concepts=True).by_id()
    assert all(everything[n.id] == n for n in first.nodes)  # --all-concepts moves no node


def test_layout_places_every_node_inside_the_extent_with_family_colours(
    counts: tuple[Taxonomy, CorpusStats],
) -> None:
    taxonomy, stats = counts
    layout = concept_map(taxonomy, stats, all_concepts=True)
    assert {n.id for n in layout.nodes} == set(taxonomy.concepts)
    assert all(-500 <= n.x <= 500 and -500 <= n.y <= 500 for n in layout.nodes)
    assert len({(n.x, n.y) for n in layout.nodes}) == len(layout.nodes)  # no two on one spot
    families = {g.id: g.color for g in layout.groups}
    for node in layout.nodes:
        concept = taxonomy.concepts[node.id]
        assert node.color == families[concept.families[0] if concept.families else ""]


def test_map_svg_heads_the_report_with_labels_and_a_legend(
    counts: tuple[Taxonomy, CorpusStats], tmp_path: Path
) -> None:
    taxonomy, stats = counts
    render_report(taxonomy, stats, tmp_path)
    root = ET.parse(tmp_path / "figures" / "map.svg").getroot()
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    data = map_data(taxonomy, stats)
    assert data is not None
    biggest = sorted(data.points, key=lambda p: (-p.papers, p.id))[:3]
    for point in biggest:  # the most important concepts are always labelled
        assert point.label in texts, point.label
    for entry in data.legend:
        assert entry.label in texts
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert markdown.index("](figures/map.svg)") < markdown.index("**Contents**")
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert html.index('id="map-view"') < html.index('id="summary"')


def test_every_map_file_is_byte_identical_with_one_or_two_worker_processes(tmp_path: Path) -> None:
    # Dask is checked the same way in test_distributed.py (concepts.graphml and report.html hold the map).
    from taxonomy.cli import main

    # The small rules (two families, one area) keep the map's every part while compiling in a fraction
    # of the bundled rules' time, in this process and in each worker.
    from .conftest import SMALL_RULES

    formats = "graphml,gexf,json,csv,vosviewer,cyjs"
    for jobs in ("1", "2"):
        argv = ["build", "-o", str(tmp_path / jobs), "--jobs", jobs, "--graph-format", formats]
        argv += ["--rules", str(SMALL_RULES)]
        assert main([*argv, "--batch-size", "5", "--no-paper-graph"]) == 0
    names = sorted(p.relative_to(tmp_path / "1") for p in (tmp_path / "1").rglob("*") if p.is_file())
    assert Path("figures/map.svg") in names and Path("concepts-vosviewer-map.txt") in names
    for name in names:
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes(), name


def _whole_arrays(pos: np.ndarray, w: np.ndarray, iterations: int) -> np.ndarray:
    """The layout's steps over whole n x n arrays (as before they were summed a block at a time)."""
    n = len(pos)
    x, y = pos[:, 0].copy(), pos[:, 1].copy()
    k, pull, temperature = 1.6 / math.sqrt(n), 0.05 * math.sqrt(n), 0.1
    cool = temperature / (layout.ITERATIONS + 1)
    for _ in range(iterations):
        dx, dy = x[:, None] - x[None, :], y[:, None] - y[None, :]
        distance = np.sqrt(dx * dx + dy * dy)
        np.fill_diagonal(distance, 1.0)
        distance = np.maximum(distance, 0.01)
        force = k * k / (distance * distance) - w * distance / k
        np.fill_diagonal(force, 0.0)
        mx, my = (dx * force).sum(axis=1) - pull * x, (dy * force).sum(axis=1) - pull * y
        length = np.maximum(np.sqrt(mx * mx + my * my), 1e-9)
        step = np.minimum(length, temperature) / length
        x, y = x + mx * step, y + my * step
        temperature -= cool
    return np.stack([x, y], axis=1)


@pytest.mark.parametrize("n", [2, 3, layout._ROWS - 1, layout._ROWS, layout._ROWS + 1, 2 * layout._ROWS + 5])
def test_forces_summed_a_block_of_nodes_at_a_time_give_the_same_bits(
    n: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(n)
    pos = rng.uniform(-1, 1, (n, 2))
    w = rng.uniform(0, 1, (n, n)) * (rng.uniform(0, 1, (n, n)) < 0.1)
    w = np.maximum(w, w.T)
    monkeypatch.setattr(layout, "ITERATIONS", 20)
    assert layout._force_layout(pos, w).tobytes() == _whole_arrays(pos, w, 20).tobytes()
