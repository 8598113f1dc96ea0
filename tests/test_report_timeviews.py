"""The report's time views (taxonomy/report/timeviews.py, periods.py): heat map, timeline, bursts, notes."""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from taxonomy.report import render_report
from taxonomy.report.periods import is_preprint, main_sources, year_notes
from taxonomy.report.timeviews import TIMELINE_CONCEPTS, TimeViews, time_views
from taxonomy.rules import Taxonomy
from taxonomy.stats import CorpusStats

from .fixtures.report import corpus


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return corpus.taxonomy()


@pytest.fixture(scope="module")
def views(taxonomy: Taxonomy) -> TimeViews:
    return time_views(taxonomy, corpus.stats(taxonomy))


@pytest.fixture(scope="module")
def report(taxonomy: Taxonomy, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("report")
    render_report(taxonomy, corpus.stats(taxonomy), out)
    return {name: (out / name).read_text(encoding="utf-8") for name in ("report.html", "report.md")}


# -- the heat map ----------------------------------------------------------------------------------


def test_years_and_totals(views: TimeViews) -> None:
    assert (views.years, views.totals, views.dated, views.papers, views.reason) == (
        (2022, 2023, 2024),
        (3, 4, 6),
        13,
        15,
        "",
    )


def test_heat_map_counts_primary_papers_per_family_and_year_with_shares(views: TimeViews) -> None:
    rows = {row.id: row for row in views.heat}
    # Families in the order of the family table (most papers first); none without a primary paper.
    assert [row.id for row in views.heat] == ["transformer", "diffusion", "ssm", "gnn"]
    assert [(c.year, c.papers, c.share) for c in rows["transformer"].cells] == [
        (2022, 2, "67%"),
        (2023, 1, "25%"),
        (2024, 2, "33%"),
    ]
    assert [c.papers for c in rows["ssm"].cells] == [1, 1, 2]
    assert [c.papers for c in rows["gnn"].cells] == [0, 1, 2]
    assert [(c.papers, c.share) for c in rows["diffusion"].cells] == [(0, "0%"), (0, "0%"), (2, "33%")]
    assert rows["transformer"].papers == 5
    # Shading follows the share, against the largest share in the map (transformers in 2022).
    assert rows["transformer"].cells[0].shade == 1.0
    assert rows["gnn"].cells[0].shade == 0.0
    assert rows["ssm"].cells[2].shade == pytest.approx(0.5)


def test_a_paper_mentioning_a_family_is_not_counted_for_it(views: TimeViews) -> None:
    # p09 (2023) only mentions diffusion models and transformers: it counts in the year's total only.
    diffusion = next(row for row in views.heat if row.id == "diffusion")
    assert diffusion.cells[1].papers == 0


def test_each_year_names_its_main_source(taxonomy: Taxonomy) -> None:
    papers = [
        replace(
            tp, paper=replace(tp.paper, venue=f"Conf {tp.paper.year}" if tp.paper.year != 2024 else "arXiv")
        )
        for tp in corpus.tagged_papers(taxonomy)
    ]
    views = time_views(taxonomy, corpus.stats(taxonomy, papers=papers))
    assert [(s.year, s.source, s.share) for s in views.sources] == [
        (2022, "Conf", "100%"),
        (2023, "Conf", "100%"),
        (2024, "arXiv", "100%"),
    ]


# -- the timeline --------------------------------------------------------------------------------


def test_timeline_lists_concepts_first_seen_first_with_papers_per_year(views: TimeViews) -> None:
    assert [(r.label, r.first, r.papers) for r in views.timeline] == [
        ("Vision Transformer (ViT)", 2022, 2),
        ("S4", 2022, 1),
        ("Mamba", 2023, 3),
        ("Diffusion Transformer (DiT)", 2024, 1),
        (r"GCN $\mathbf{x}$ [*conv*]", 2024, 1),
    ]
    mamba = next(r for r in views.timeline if r.id == "mamba")
    assert [(c.papers, c.share, c.shade) for c in mamba.cells] == [
        (0, "0%", 0.0),
        (1, "25%", 0.75),
        (2, "33%", 1.0),
    ]
    assert mamba.family == "State space models"


def test_timeline_keeps_the_concepts_with_most_dated_papers(taxonomy: Taxonomy) -> None:
    stats = _stats(taxonomy, {2020: 100, 2021: 100}, {})
    for i, cid in enumerate(sorted(c for c in taxonomy.concepts if not taxonomy.concepts[c].is_family)):
        stats.years[(cid, 2020)] = 10 + i
    views = time_views(taxonomy, stats)
    assert len(views.timeline) == min(TIMELINE_CONCEPTS, len(views.timeline))
    assert all(not taxonomy.concepts[r.id].is_family for r in views.timeline)


# -- bursts --------------------------------------------------------------------------------------


def _stats(taxonomy: Taxonomy, totals: dict[int, int], concepts: dict[str, dict[int, int]]) -> CorpusStats:
    stats = CorpusStats()
    stats.papers = sum(totals.values())
    for year, n in totals.items():
        stats.years[("", year)] = n
        stats.year_sources[(year, "Conf")] = n
    for cid, counts in concepts.items():
        for year, n in counts.items():
            stats.years[(cid, year)] = n
            stats.concept_papers[cid] += n
    return stats


def test_bursts_over_the_whole_span(taxonomy: Taxonomy) -> None:
    totals = dict.fromkeys(range(2015, 2025), 100)
    mamba = dict.fromkeys(totals, 2) | {2019: 30, 2020: 35}
    s4 = dict.fromkeys(totals, 8)  # as common every year: no burst
    vit = dict.fromkeys(totals, 1) | {2023: 20, 2024: 30}
    ssm = dict.fromkeys(totals, 10) | {2019: 40, 2020: 45}  # a family: the heat map shows it, not the bursts
    series = {"mamba": mamba, "s4": s4, "vision-transformer": vit, "ssm": ssm}
    views = time_views(taxonomy, _stats(taxonomy, totals, series))
    assert [(b.label, b.start, b.end, b.papers, b.ongoing) for b in views.bursts] == [
        ("Mamba", 2019, 2020, 65, False),
        ("Vision Transformer (ViT)", 2023, 2024, 50, True),
    ]
    assert float(views.bursts[0].strength) > float(views.bursts[1].strength) > 0
    assert views.bursts[0].family == "State space models"
    assert (views.s, views.gamma) == (2.0, 1.0)


def test_fixture_corpus_is_too_small_for_bursts(views: TimeViews) -> None:
    assert views.bursts == () and views.bursts_more == 0


# -- years that are not comparable ----------------------------------------------------------------


def test_a_year_much_larger_than_the_others_gets_a_note() -> None:
    totals = {2021: 100, 2022: 120, 2023: 500}
    sources = Counter({(y, "Conf"): n for y, n in totals.items()})
    notes = year_notes(totals, sources)
    assert [(n.year, n.text) for n in notes] == [
        (2023, "2023 holds 500 dated papers, 4.5 times the median of the other years (110).")
    ]
    assert year_notes({2021: 100, 2022: 120, 2023: 330}, sources) == ()  # 3 times, not more


def test_a_year_of_preprints_among_conference_years_gets_a_note() -> None:
    totals = {2021: 100, 2022: 120, 2023: 320}
    sources = Counter({(2021, "ICLR submission"): 100, (2022, "NeurIPS"): 120, (2023, "arXiv"): 300})
    sources[(2023, "NeurIPS")] = 20
    (note,) = year_notes(totals, sources)
    assert note.year == 2023
    assert note.text.startswith(
        "94% of the papers of 2023 are preprints (arXiv), against 0% of the other years'"
    )


def test_a_conference_year_among_preprint_years_gets_a_note() -> None:
    totals = {2021: 100, 2022: 100, 2023: 100}
    sources = Counter({(2021, "arXiv"): 100, (2022, "arxiv-2022.jsonl"): 100, (2023, "ICML"): 100})
    (note,) = year_notes(totals, sources)
    assert note.year == 2023
    assert note.text.startswith("0% of the papers of 2023 are preprints, against 100% of the other years'")


def test_years_of_one_kind_get_no_note() -> None:
    totals = {2021: 100, 2022: 150, 2023: 90}
    conferences = Counter({(2021, "ICLR submission"): 100, (2022, "NeurIPS"): 150, (2023, "ICML"): 90})
    assert year_notes(totals, conferences) == ()
    preprints = Counter({(y, "arXiv"): n for y, n in totals.items()})
    assert year_notes(totals, preprints) == ()
    assert year_notes({2021: 100}, Counter({(2021, "arXiv"): 100})) == ()


def test_preprint_sources() -> None:
    assert [is_preprint(s) for s in ("arXiv", "bioRxiv", "arxiv-2025.jsonl", "SSRN Electronic Journal")] == [
        True
    ] * 4
    assert [is_preprint(s) for s in ("ICLR submission", "NeurIPS", "papers.bib", "Arxivist Journal")] == [
        False
    ] * 4


def test_main_sources_need_a_venue_or_a_file(views: TimeViews) -> None:
    assert views.sources == ()  # the fixture's papers have neither
    sources = Counter({(2021, ""): 5, (2022, "ICML"): 1})
    assert [(s.year, s.source) for s in main_sources((2021, 2022), sources)] == [
        (2021, "no venue"),
        (2022, "ICML"),
    ]


def test_main_sources_break_ties_by_name() -> None:
    sources = Counter({(2021, "b"): 5, (2021, "a"): 5, (2022, "c"): 1})
    assert [(s.year, s.source, s.share) for s in main_sources((2021, 2022), sources)] == [
        (2021, "a", "50%"),
        (2022, "c", "100%"),
    ]


# -- fewer than two years ------------------------------------------------------------------------


def test_no_year_says_so(taxonomy: Taxonomy) -> None:
    views = time_views(taxonomy, corpus.stats(taxonomy, dated=False))
    assert views.reason == "No paper has a year (neither a date nor a year in its venue)."
    assert views.heat == () and views.timeline == () and views.bursts == ()


def test_one_year_says_which(taxonomy: Taxonomy) -> None:
    papers = [tp if tp.paper.year == 2024 else corpus.undated(tp) for tp in corpus.tagged_papers(taxonomy)]
    views = time_views(taxonomy, corpus.stats(taxonomy, papers=papers))
    assert views.reason == "All 6 dated papers are from 2024: views over time need at least two years."


# -- rendered --------------------------------------------------------------------------------------


def test_html_heat_map_cells_filter_the_paper_table_by_family_and_year(report: dict[str, str]) -> None:
    page = report["report.html"]
    section = page[
        page.index('<section id="time"') : page.index("</section>", page.index('<section id="time"'))
    ]
    cells = re.findall(
        r'<a class="heat-link"[^>]*data-pt-family="([^"]+)" data-pt-year="(\d+)"[^>]*>', section
    )
    assert ("transformer", "2022") in cells and ("diffusion", "2024") in cells
    assert ("diffusion", "2022") not in cells  # an empty cell links nowhere
    assert 'data-pt-primary="1"' in section
    assert 'data-pt-concept="mamba" data-pt-year="2024"' in section


def test_markdown_heat_map_and_timeline(report: dict[str, str]) -> None:
    text = report["report.md"]
    assert "| Transformers | 2 (67%) | 1 (25%) | 2 (33%) |" in text
    assert "| All dated papers | 3 | 4 | 6 |" in text
    assert "| Mamba | State space models | 2023 | 0 | 1 | 2 |" in text
    assert "## Over time" in text


def test_reports_without_years_say_why(taxonomy: Taxonomy, tmp_path: Path) -> None:
    render_report(taxonomy, corpus.stats(taxonomy, dated=False), tmp_path)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    for content in (page, text):
        assert "No paper has a year (neither a date nor a year in its venue)." in content
    assert '<a href="#time">Over time</a>' in page


def test_notes_show_in_both_reports(taxonomy: Taxonomy, tmp_path: Path) -> None:
    papers = [
        replace(tp, paper=replace(tp.paper, venue="arXiv" if tp.paper.year == 2024 else "Conf"))
        for tp in corpus.tagged_papers(taxonomy)
    ]
    render_report(taxonomy, corpus.stats(taxonomy, papers=papers), tmp_path)
    for name in ("report.html", "report.md"):
        content = html.unescape((tmp_path / name).read_text(encoding="utf-8"))
        assert "100% of the papers of 2024 are preprints (arXiv), against 0% of the other years'" in content
