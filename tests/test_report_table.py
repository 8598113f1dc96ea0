"""The paper table of report.html: every paper up to the limit as one escaped JSON block, the strongest
of each family past it, names that lead to it from the rest of the report."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from taxonomy.models import Paper
from taxonomy.report import render_report
from taxonomy.report.context import build
from taxonomy.report.papertable import table_json
from taxonomy.rules import Taxonomy, load_rules
from taxonomy.rules.yamlfile import default_rules_dir
from taxonomy.stats import CorpusStats, collect
from taxonomy.tag import Tagger

from .fixtures.report import corpus


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return corpus.taxonomy()


def _page(taxonomy: Taxonomy, stats: CorpusStats, out: Path) -> str:
    render_report(taxonomy, stats, out)
    return (out / "report.html").read_text(encoding="utf-8")


def _block(page: str) -> dict[str, Any]:
    raw = page.split('<script type="application/json" id="table-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in raw and ">" not in raw and "&" not in raw  # no title can end the element
    data: dict[str, Any] = json.loads(raw)
    return data


def test_every_paper_is_a_row_with_its_families_concepts_and_roles(
    taxonomy: Taxonomy, tmp_path: Path
) -> None:
    page = _page(taxonomy, corpus.stats(taxonomy), tmp_path)
    data = _block(page)
    assert len(data["rows"]) == 15  # every paper, the untagged ones too
    by_title = {row[0]: row for row in data["rows"]}
    assert corpus.SCRIPT_TITLE in by_title  # the title as text, to be put in with textContent
    _, year, venue, link, families, concepts, evidence = by_title["Vision Mamba for images"]
    assert year == 2024 and venue == -1 and link == ""
    assert {(data["familyIds"][f], bool(primary)) for f, _, primary, _ in families} == {
        ("ssm", True),
        ("transformer", False),
    }
    named = {(data["concepts"][c][1], data["roles"][r]) for c, r in concepts}
    assert named == {("mamba", "used"), ("vision-transformer", "compared")}
    assert evidence == ["", "", ""]  # its evidence is its own title, which the row shows already
    assert by_title["Attention is what you need"][6] == ["We propose a ", "transformer", "."]
    # Strongest first: own method in the title and proposed, ..., papers of no family last.
    assert data["rows"][0][0] == "Mamba: linear-time sequence modeling"
    assert {row[0] for row in data["rows"][-2:]} == {
        "Protein folding with physics",
        "# 1. Heading-like title",
    }
    assert "Every paper of the corpus, 15 in all" in page


def test_a_concept_filter_finds_the_papers_of_the_concepts_below_it(taxonomy: Taxonomy) -> None:
    table = build(taxonomy, corpus.stats(taxonomy), "t").table
    assert table is not None
    within = {c.id: set(c.within) for c in table.concepts}
    assert within["vision-transformer"] == {"vision-transformer"}  # its family is filtered as a family
    assert "s4" in within["s4"]
    data = json.loads(str(table_json(table)))
    ids = [c[1] for c in data["concepts"]]
    s4 = data["concepts"][ids.index("s4")]
    assert s4[2] == [data["familyIds"].index("ssm")]  # its family, for a role filter within a family


def test_past_the_limit_the_table_keeps_the_strongest_of_each_family_and_says_so(
    taxonomy: Taxonomy, tmp_path: Path
) -> None:
    stats = CorpusStats(table_size=40)  # one row a family past 40 papers
    for copy in range(4):
        for tp in corpus.tagged_papers(taxonomy):
            paper = replace(tp.paper, id=f"{tp.paper.id}-{copy}", title=f"{tp.paper.title} ({copy})")
            stats.add(replace(tp, paper=paper), taxonomy)
    assert stats.papers == 60
    page = _page(taxonomy, stats, tmp_path)
    data = _block(page)
    families = {data["familyIds"][f] for row in data["rows"] for f, *_ in row[4]}
    assert len(data["rows"]) <= 5 and families >= {"diffusion", "gnn", "ssm", "transformer"}
    assert "The corpus has 60 papers, more than the table's limit of 40" in page
    assert "the table holds the 1 strongest papers of each family" in page
    assert "<code>papers.csv</code> lists every paper" in page
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "more than the table's limit of 40" in text and "`papers.csv` lists every paper" in text


def test_families_and_concepts_elsewhere_in_the_report_lead_to_the_table(
    taxonomy: Taxonomy, tmp_path: Path
) -> None:
    page = _page(taxonomy, corpus.stats(taxonomy), tmp_path)
    data = _block(page)
    families = set(re.findall(r'data-pt-family="([^"]+)"', page))
    concepts = set(re.findall(r'data-pt-concept="([^"]+)"', page))
    # The family table and the key papers name families; the concept tree names both.
    assert families == {"diffusion", "gnn", "ssm", "transformer"} <= concepts
    assert {"mamba", "s4", "diffusion-transformer", "vision-transformer", "gcn"} <= concepts
    assert families <= set(data["familyIds"])
    assert concepts - families <= {c[1] for c in data["concepts"]}
    assert "liquid-s4" not in concepts  # no paper names it: nothing to lead to
    assert '<details class="family" id="family-diffusion">' in page  # key papers fold, the first open


def test_an_empty_corpus_has_no_table(taxonomy: Taxonomy, tmp_path: Path) -> None:
    page = _page(taxonomy, CorpusStats(), tmp_path)
    assert 'id="table-data"' not in page and 'href="#table"' not in page and "data-pt-" not in page


def test_catch_all_concepts_are_no_filter_but_their_papers_keep_the_family(tmp_path: Path) -> None:
    rules = load_rules(default_rules_dir())
    tagged = Tagger(rules).tag_batch(
        [Paper(id="f1", title="PosFormer for handwriting", abstract="We propose PosFormer, a transformer.")]
    )
    assert "former-compound" in {hit.concept for hit in tagged[0].concepts}
    table = build(rules, collect(tagged, rules), "t").table
    assert table is not None
    assert "former-compound" not in {c.id for c in table.concepts}
    data = json.loads(str(table_json(table)))
    assert "transformer" in {data["familyIds"][f] for f, *_ in data["rows"][0][4]}
