"""Tests of the report stage on a hand-made corpus (tests/fixtures/report), independent of the bundled rules."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from taxonomy.errors import OutputError
from taxonomy.report import render_report
from taxonomy.report.context import build
from taxonomy.report.data import HEADINGS
from taxonomy.report.text import github_slug, md_escape, split_evidence
from taxonomy.rules import Taxonomy
from taxonomy.stats import CorpusStats

from .fixtures.report import corpus

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "report"
SCRIPT = "<script>alert(1)</script>"
GNN_LABEL = 'Graph <b>nets</b> & "friends"'


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return corpus.taxonomy()


@pytest.fixture(scope="module")
def report(taxonomy: Taxonomy, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The fixture corpus's report files by name (relative to the output folder)."""
    out = tmp_path_factory.mktemp("report")
    paths = render_report(taxonomy, corpus.stats(taxonomy), out)
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in paths}


# -- files and sections ----------------------------------------------------------------------------


def test_writes_html_markdown_and_figures(report: dict[str, str]) -> None:
    assert list(report) == [
        "report.html",
        "report.md",
        "figures/map.svg",
        "figures/families.svg",
        "figures/cooccurrence.svg",
    ]


def test_html_has_every_section_and_a_working_table_of_contents(report: dict[str, str]) -> None:
    page = report["report.html"]
    for key in HEADINGS:
        assert f'<section id="{key}"' in page
        assert f'<a href="#{key}">{html.escape(HEADINGS[key], quote=False)}</a>' in page
    ids = set(re.findall(r'\sid="([^"]+)"', page))
    targets = set(re.findall(r'href="#([^"]+)"', page)) | set(re.findall(r'aria-labelledby="([^"]+)"', page))
    assert targets <= ids
    assert len(re.findall(r'\sid="([^"]+)"', page)) == len(ids), "ids must be unique across inline figures"
    for family in ("Transformers", "Diffusion models", "State space models", str(escape(GNN_LABEL))):
        assert f">{family}</h3>" in page


def test_html_is_self_contained_and_accessible(report: dict[str, str]) -> None:
    page = report["report.html"]
    assert '<html lang="en">' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    # The only scripts are the concept map's and the paper table's JSON data and code, all inline.
    assert re.findall(r"<script\b[^>]*>", page.lower()) == [
        '<script type="application/json" id="map-data">',
        "<script>",
        '<script type="application/json" id="table-data">',
        "<script>",
    ]
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), "no network resources"
    assert "@import" not in page and "url(http" not in page
    svgs = re.findall(r"<svg\b[^>]*>", page)
    assert len(svgs) == 5  # two figures, each drawn for wide screens and for phones, and the map
    for tag in svgs:
        assert 'role="img"' in tag
        label = re.search(r'aria-labelledby="([^"]+)"', tag)
        assert label and f'<title id="{label.group(1)}">' in page
    assert page.count("<table") == page.count("<thead>")
    _assert_balanced(page)


def test_markdown_has_every_section_and_links_figures(report: dict[str, str]) -> None:
    text = report["report.md"]
    for heading in HEADINGS.values():
        assert f"\n## {heading}\n" in text
    for name in ("families", "cooccurrence"):
        assert f"](figures/{name}.svg)" in text
    # Every link in the contents points at a heading GitHub will have made.
    seen: dict[str, int] = {}
    slugs = {github_slug(_md_text(h), seen) for h in re.findall(r"^#+ (.+)$", text, flags=re.M)}
    assert set(re.findall(r"\]\(#([^)]+)\)", text)) <= slugs


def test_markdown_tables_keep_their_columns(report: dict[str, str]) -> None:
    tables = _tables(report["report.md"])
    assert len(tables) >= 8
    for table in tables:
        widths = {len(re.findall(r"(?<!\\)\|", row)) for row in table}
        assert len(widths) == 1, table


# -- escaping ----------------------------------------------------------------------------------------


def test_script_title_is_text_in_html(report: dict[str, str]) -> None:
    page = report["report.html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    parser = _Tags()
    parser.feed(page)
    assert SCRIPT in parser.text
    # The map's and the table's own scripts are the only ones; their JSON holds the title with < and > escaped.
    assert page.count("<script") == 4
    for block in ("map-data", "table-data"):
        data = page.split(f'<script type="application/json" id="{block}">', 1)[1].split("</script>", 1)[0]
        assert "<" not in data and ">" not in data and "&" not in data
        assert SCRIPT in json.dumps(json.loads(data), ensure_ascii=False)


def test_script_title_is_text_in_markdown(report: dict[str, str]) -> None:
    text = report["report.md"]
    assert "**&lt;script&gt;alert(1)&lt;/script&gt;**" in text
    assert "<" not in text  # no raw HTML at all: every < from papers or rules became &lt;


def test_markdown_active_characters_are_escaped(report: dict[str, str]) -> None:
    text = report["report.md"]
    assert r"**GCN \[\*baselines\*\] revisited \| \_again\_**" in text
    assert r"- \# 1. Heading-like title" in text
    assert 'Graph &lt;b&gt;nets&lt;/b&gt; &amp; "friends"' in text


def test_evidence_is_highlighted_with_each_piece_escaped(report: dict[str, str]) -> None:
    expected = "We propose a <mark>GNN</mark> with &lt;b&gt;bold&lt;/b&gt; claims &amp; &#34;quotes&#34;."
    assert expected in report["report.html"]
    assert 'We propose a **GNN** with &lt;b&gt;bold&lt;/b&gt; claims &amp; "quotes".' in report["report.md"]


def test_labels_in_figures_are_text_not_markup(report: dict[str, str]) -> None:
    for name in ("families", "cooccurrence"):
        root = ET.fromstring(report[f"figures/{name}.svg"])  # well-formed XML
        tags = {element.tag.rsplit("}", 1)[-1] for element in root.iter()}
        assert not tags & {"b", "script", "foreignObject"}
        texts = "".join(root.itertext())
        assert GNN_LABEL[:20] in texts
    families = ET.fromstring(report["figures/families.svg"])
    assert r"Mixture of experts ($\bad$ math)" in "".join(families.itertext())  # no math parsing
    assert "Graph &lt;b&gt;nets&lt;/b&gt; &amp; &#34;friends&#34;" in report["report.html"]


# -- content -----------------------------------------------------------------------------------------


def test_summary_counts(report: dict[str, str]) -> None:
    text = report["report.md"]
    for label, value in [("Records read", 17), ("Papers", 15), ("Tagged", 13), ("Untagged", 2)]:
        assert f"| {label} | {value} |" in text
    assert "| Rejects | 1 |" in text and "| Duplicates | 1 |" in text
    assert "| invalid JSON | 1 |" in text


def test_concept_tree_nests_and_repeats_a_concept_with_two_parents(report: dict[str, str]) -> None:
    text = report["report.md"]
    assert text.count("\n  - Diffusion Transformer (DiT): 1 paper, 1 primary\n") == 2
    assert "\n  - S4: 1 paper, 1 primary\n    - *Not matched:* Liquid S4\n" in text
    page = report["report.html"]
    dit = '<span class="name"><a class="pt-link" href="#table" data-pt-concept="diffusion-transformer">Diffusion Transformer (DiT)</a></span>'
    assert page.count(dit) == 2  # each name leads to its papers in the paper table
    assert "<details open><summary>" in page


def test_cooccurrence_uses_association_strength(taxonomy: Taxonomy) -> None:
    data = build(taxonomy, corpus.stats(taxonomy), "t")
    assert data.heatmap is not None
    # Transformers (8 papers) and Diffusion models (4) share 2 of 15 papers: 2 * 15 / (8 * 4).
    i, j = data.heatmap.labels.index("Transformers"), data.heatmap.labels.index("Diffusion models")
    assert data.heatmap.lift[i][j] == pytest.approx(2 * 15 / (8 * 4))
    assert data.heatmap.counts[i][j] == 2
    assert data.heatmap.lift[i][i] is None
    # Pairs of so few papers are drawn, but not ranked: their strength is noise.
    assert data.heatmap.pairs == () and data.heatmap.unranked == 4


def test_cooccurrence_ranks_pairs_by_strength_above_a_minimum_count(taxonomy: Taxonomy) -> None:
    stats = corpus.stats(taxonomy)
    # Scale the fixture up: a pair seen often and a strong pair seen rarely.
    for key in list(stats.cooccur):
        stats.cooccur[key] *= 20
    for key in list(stats.concept_papers):
        stats.concept_papers[key] *= 20
    stats.papers *= 20
    stats.cooccur[("gnn", "ssm")] = 9  # strong, but below the minimum of shared papers
    data = build(taxonomy, stats, "t")
    assert data.heatmap is not None
    shown = [(p.a, p.b, p.together) for p in data.heatmap.pairs]
    assert all(n >= data.heatmap.min_papers == 10 for _, _, n in shown)
    strengths = [float(p.strength) for p in data.heatmap.pairs]
    assert strengths == sorted(strengths, reverse=True) and shown
    assert not any({a, b} == {"State space models", GNN_LABEL} for a, b, _ in shown)
    assert data.heatmap.unranked == 1


def test_relations_show_labels_and_example_titles(report: dict[str, str]) -> None:
    assert (
        "| Mamba *compared with* Transformers | 1 | Mamba: linear-time sequence modeling |"
        in report["report.md"]
    )


def test_time_views(taxonomy: Taxonomy, report: dict[str, str]) -> None:
    data = build(taxonomy, corpus.stats(taxonomy), "t")
    assert data.time is not None
    assert (data.time.years, data.time.totals, data.time.dated) == ((2022, 2023, 2024), (3, 4, 6), 13)
    text = report["report.md"]
    for heading in ("### Primary family by year", "### Concept timeline", "### Emerging concepts"):
        assert f"\n{heading}\n" in text


def test_family_sections_list_primary_papers_first(taxonomy: Taxonomy) -> None:
    data = build(taxonomy, corpus.stats(taxonomy), "t")
    transformers = next(s for s in data.sections if s.label == "Transformers")
    flags = [e.primary for e in transformers.evidence]
    assert flags == sorted(flags, reverse=True) and flags[0] and not flags[-1]
    assert transformers.more == 0


def test_bounded_samples_say_how_many_more(taxonomy: Taxonomy, tmp_path: Path) -> None:
    stats = CorpusStats(sample_size=2)
    for tp in corpus.tagged_papers(taxonomy):
        stats.add(tp, taxonomy)
    render_report(taxonomy, stats, tmp_path)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert '<p class="more">6 more not shown.</p>' in page  # Transformers: 8 papers, 2 kept
    assert "*6 more not shown.*" in (tmp_path / "report.md").read_text(encoding="utf-8")


def test_untagged_papers_and_diagnostics(report: dict[str, str]) -> None:
    text = report["report.md"]
    assert "2 papers name no family." in text
    assert "- Protein folding with physics\n" in text
    assert "(id p" not in text
    assert "| Liquid S4 | State space models | ssm.yaml:" in text
    assert r"| Mixture of experts (\$\\bad\$ math) | (family) | moe.yaml:1 |" not in text  # $ is not escaped
    assert r"| Mixture of experts ($\\bad$ math) | (family) | moe.yaml:1 |" in text
    assert "| mamba:alias:Mamba | Mamba | 4 |" in text
    assert "- A survey of generative models (families named, none primary)" in text
    assert r"(both used and compared: GCN $\\mathbf{x}$ \[\*conv\*\])" in text  # concept label, not id


# -- edge cases ----------------------------------------------------------------------------------------


def test_undated_papers_give_a_time_section_that_says_why(taxonomy: Taxonomy, tmp_path: Path) -> None:
    paths = render_report(taxonomy, corpus.stats(taxonomy, dated=False), tmp_path)
    assert [p.name for p in paths] == [
        "report.html",
        "report.md",
        "map.svg",
        "families.svg",
        "cooccurrence.svg",
    ]
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert '<section id="time"' in page and 'href="#time"' in page
    assert 'class="heat"' not in page
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "*No paper has a year (neither a date nor a year in its venue)." in text


def test_one_year_of_dates_gives_no_time_views_and_says_so(taxonomy: Taxonomy, tmp_path: Path) -> None:
    stats = CorpusStats()
    for tp in corpus.tagged_papers(taxonomy):
        stats.add(corpus.undated(tp) if tp.paper.year != 2024 else tp, taxonomy)
    render_report(taxonomy, stats, tmp_path)
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "*All 6 dated papers are from 2024: views over time need at least two years." in text
    assert "### Primary family by year" not in text


def test_empty_corpus_gives_a_valid_report_that_says_so(taxonomy: Taxonomy, tmp_path: Path) -> None:
    paths = render_report(taxonomy, CorpusStats(), tmp_path / "out")
    assert [p.name for p in paths] == ["report.html", "report.md"]
    page = paths[0].read_text(encoding="utf-8")
    text = paths[1].read_text(encoding="utf-8")
    assert "The corpus is empty" in page and "The corpus is empty" in text
    assert 'id="tree"' in page and 'id="families"' not in page and "<svg" not in page
    assert "0 papers, 0 tagged" in text
    _assert_balanced(page)


def test_a_figure_earlier_versions_drew_is_removed(taxonomy: Taxonomy, tmp_path: Path) -> None:
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "trends.svg").write_text("<svg/>", encoding="utf-8")
    render_report(taxonomy, corpus.stats(taxonomy), tmp_path)
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == [
        "cooccurrence.svg",
        "families.svg",
        "map.svg",
    ]


def test_unwritable_output_is_an_output_error(taxonomy: Taxonomy, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(OutputError, match="cannot create the folder"):
        render_report(taxonomy, CorpusStats(), blocker / "out")


def test_previous_run_is_accepted(taxonomy: Taxonomy, tmp_path: Path) -> None:
    render_report(taxonomy, CorpusStats(), tmp_path, previous={"papers": 3}, title="Since last run")
    assert "<h1>Since last run</h1>" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_templates_are_package_resources() -> None:
    folder = resources.files("taxonomy.report") / "templates"
    for name in ("report.html.j2", "report.md.j2", "report.css"):
        assert (folder / name).is_file()


_TEXT = st.text(
    alphabet=st.one_of(st.sampled_from("<>&\"'`*_[]|#-1. \\$\n"), st.characters(codec="utf-8")),
    min_size=1,
    max_size=40,
)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_corpus_renders_escaped_and_well_formed(
    taxonomy: Taxonomy, tmp_path: Path, data: st.DataObject
) -> None:
    concepts = sorted(c for c in taxonomy.concepts if c != "moe")
    stats = CorpusStats(sample_size=3)
    for n in range(data.draw(st.integers(0, 12))):
        title = data.draw(_TEXT)
        word = data.draw(st.sampled_from(concepts))
        sentence = data.draw(_TEXT) + " " + word + " " + data.draw(_TEXT)
        paper = corpus.Paper(
            f"p{n}", title, sentence, data.draw(st.sampled_from([None, "2021", "2022-05", "2023"]))
        )
        roles = data.draw(st.lists(st.sampled_from(["uses", "compares"]), max_size=3))
        hits = [(word, word, role, "abstract") for role in roles]
        about = data.draw(st.booleans())
        primary = tuple(taxonomy.concepts[word].families) if hits and about else ()
        stats.add(corpus.tagged_paper(taxonomy, paper, hits, primary), taxonomy)
    out = Path(tempfile.mkdtemp(dir=tmp_path))
    render_report(taxonomy, stats, out)
    page = (out / "report.html").read_text(encoding="utf-8")
    text = (out / "report.md").read_text(encoding="utf-8")
    scripts = (2 if stats.concept_papers else 0) + (2 if stats.papers else 0)  # the map's, the table's
    assert page.lower().count("<script") == scripts and "<" not in text
    if stats.concept_papers:  # its JSON can hold no < that would end the script element early
        data = page.split('id="map-data">', 1)[1].split("</script>", 1)[0]
        assert "<" not in data and json.loads(data)["points"]
    if stats.papers:
        data = page.split('id="table-data">', 1)[1].split("</script>", 1)[0]
        assert "<" not in data and len(json.loads(data)["rows"]) == stats.papers
    _assert_balanced(page)
    for svg in (out / "figures").glob("*.svg") if (out / "figures").exists() else ():
        ET.fromstring(svg.read_text(encoding="utf-8"))


# -- determinism -----------------------------------------------------------------------------------


def test_same_input_gives_identical_bytes(taxonomy: Taxonomy, tmp_path: Path) -> None:
    first = render_report(taxonomy, corpus.stats(taxonomy), tmp_path / "a")
    second = render_report(taxonomy, corpus.stats(taxonomy), tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    for path in first:
        assert str(tmp_path) not in path.read_text(encoding="utf-8")


def test_identical_bytes_across_processes_and_hash_seeds(tmp_path: Path) -> None:
    script = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('c', {str(FIXTURES / 'corpus.py')!r})\n"
        "c = importlib.util.module_from_spec(spec); spec.loader.exec_module(c)\n"
        "from pathlib import Path\n"
        "from taxonomy.report import render_report\n"
        "t = c.taxonomy()\n"
        "render_report(t, c.stats(t), Path(sys.argv[1]))\n"
    )
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        subprocess.run([sys.executable, "-c", script, str(out)], check=True, env=env, cwd=ROOT)
        outputs.append(
            {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
        )
    assert outputs[0] == outputs[1]


# -- text helpers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("a * b _c_ [d](e) `f` | g ~h~ \\", r"a \* b \_c\_ \[d\](e) \`f\` \| g \~h\~ \\"),
        ("AT&T", "AT&amp;T"),
        ("1. first", r"1\. first"),
        ("- item", r"\- item"),
        ("## heading", r"\## heading"),
        ("line\nbreak\t here", "line break here"),
        ("2024 results", "2024 results"),
    ],
)
def test_md_escape(text: str, expected: str) -> None:
    assert md_escape(text) == expected


@given(st.text())
def test_md_escape_leaves_nothing_active(text: str) -> None:
    escaped = md_escape(text)
    assert "<" not in escaped and ">" not in escaped and "\n" not in escaped
    unescaped_active = re.findall(r"(?<!\\)(?:\\\\)*[*_\[\]|`~]", escaped)
    assert all(piece.startswith("\\") for piece in unescaped_active)
    assert not re.match(r"(#{1,6}|[-+]|\d{1,9}[.)])(\s|$)", escaped)


@given(st.text(), st.integers(-5, 60), st.integers(-5, 60))
def test_split_evidence_keeps_the_sentence(sentence: str, start: int, end: int) -> None:
    before, match, after = split_evidence(sentence, start, end)
    assert before + match + after == sentence
    assert match == match.strip()


def test_github_slug_counts_repeats() -> None:
    seen: dict[str, int] = {}
    assert [github_slug(t, seen) for t in ("Vision Transformer (ViT)", "A & B", "A & B")] == [
        "vision-transformer-vit",
        "a--b",
        "a--b-1",
    ]


# -- helpers -----------------------------------------------------------------------------------------

_VOID = {"meta", "link", "br", "img", "hr", "input", "source", "wbr"}


class _Tags(HTMLParser):
    """Collects tag names and text, and checks that elements close in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.stack: list[str] = []
        self.text = ""
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else ''}>")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text += data


def _assert_balanced(page: str) -> None:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    assert parser.errors == [] and parser.stack == []


def _md_text(heading: str) -> str:
    """A Markdown heading as GitHub shows it: backslash escapes and entities resolved."""
    return html.unescape(re.sub(r"\\(.)", r"\1", heading))


def _tables(text: str) -> list[list[str]]:
    """Runs of consecutive lines that start with a pipe."""
    tables: list[list[str]] = []
    previous = False
    for line in text.splitlines():
        row = line.startswith("|")
        if row and not previous:
            tables.append([])
        if row:
            tables[-1].append(line)
        previous = row
    return tables


# -- since the last run ------------------------------------------------------------------------------


def _previous(taxonomy: Taxonomy, papers: int) -> dict[str, object]:
    """The summary.json data a run over the first ``papers`` fixture papers would have written."""
    from taxonomy.pipeline import summary_data
    from taxonomy.stats import collect

    return summary_data(taxonomy, collect(corpus.tagged_papers(taxonomy)[:papers], taxonomy))


def _render(taxonomy: Taxonomy, out: Path, previous: object) -> tuple[str, str]:
    render_report(taxonomy, corpus.stats(taxonomy), out, previous=previous)  # type: ignore[arg-type]
    return (out / "report.md").read_text(encoding="utf-8"), (out / "report.html").read_text(encoding="utf-8")


def _section(markdown: str) -> str:
    return markdown.split("## Since the last run", 1)[1].split("\n## ", 1)[0]


def test_no_previous_run_gives_no_changes_section(report: dict[str, str]) -> None:
    assert "Since the last run" not in report["report.md"]
    assert 'id="changes"' not in report["report.html"]


@pytest.mark.parametrize(
    "previous",
    [
        None,
        {"papers": 3},
        [],
        "summary",
        {"corpus": {"papers": 3, "tagged": 2}, "families": [], "concepts": {}, "relations": []},
        {"corpus": {"papers": "3", "tagged": 2}, "families": {}, "concepts": {}, "relations": []},
        {
            "corpus": {"papers": 3, "tagged": 2},
            "families": {},
            "concepts": {"gnn": {"papers": -1}},
            "relations": [],
        },
        {
            "corpus": {"papers": 3, "tagged": 2},
            "families": {},
            "concepts": {},
            "relations": [{"relation": "x"}],
        },
    ],
)
def test_an_unreadable_previous_summary_is_left_out(
    taxonomy: Taxonomy, tmp_path: Path, previous: object
) -> None:
    markdown, page = _render(taxonomy, tmp_path, previous)
    assert "Since the last run" not in markdown and 'id="changes"' not in page


def test_changes_since_a_smaller_previous_run(taxonomy: Taxonomy, tmp_path: Path) -> None:
    markdown, page = _render(taxonomy, tmp_path, _previous(taxonomy, 8))
    assert "- [Since the last run](#since-the-last-run)" in markdown
    assert '<li><a href="#changes">Since the last run</a>' in page and '<section id="changes"' in page
    section = _section(markdown)
    assert "15 papers now, 8 in the previous run (+7); 13 tagged, 8 before (+5)." in section
    assert "The rules changed" not in section
    # p11 brings the GCN, which no earlier paper named; p10 combines diffusion with Mamba.
    new = section.split("### New concepts", 1)[1].split("###", 1)[0]
    assert new.count("\n| ") == 2  # the header and one row
    assert '| Graph &lt;b&gt;nets&lt;/b&gt; &amp; "friends" | 1 | 1 |' in new
    assert "| Diffusion models *combined with* Mamba | 1 |" in section
    moves = section.split("### Largest moves", 1)[1]
    assert "| Concept | Family | Before | Now | Change | Relative |" in moves
    assert "| Diffusion models | (family) | 1 | 4 | +3 | +300% |" in moves
    assert "| 0 | 1 | +1 | new |" in moves
    assert (
        section.index("### New concepts")
        < section.index("### New relations")
        < section.index("### Largest moves")
    )
    assert markdown.index("## Since the last run") < markdown.index("## Method families")


def test_changes_show_relative_moves_of_concepts_with_enough_papers(
    taxonomy: Taxonomy, tmp_path: Path
) -> None:
    previous = _previous(taxonomy, 15)
    concepts = previous["concepts"]
    assert isinstance(concepts, dict)
    concepts["mamba"] = {"papers": 6, "primary": 1}  # 3 now: halved
    concepts["s4"] = {"papers": 2, "primary": 0}  # too few before for a relative move
    section = _section(_render(taxonomy, tmp_path, previous)[0])
    relative = section.split("Largest relative moves, among concepts with at least 5 papers before.", 1)[1]
    assert "| Mamba | State space models | 6 | 3 | -3 | -50% |" in relative
    assert "| S4 |" not in relative
    assert "| S4 | State space models | 2 | 1 | -1 | -50% |" in section


def test_nothing_changed_is_one_sentence(taxonomy: Taxonomy, tmp_path: Path) -> None:
    markdown, page = _render(taxonomy, tmp_path, _previous(taxonomy, 15))
    section = _section(markdown)
    assert section.strip() == (
        "Nothing changed since the previous run: the same 15 papers, with the same counts per concept "
        "and the same relations."
    )
    assert "Nothing changed since the previous run" in page


def test_changes_name_a_rules_change_and_concepts_no_longer_seen(taxonomy: Taxonomy, tmp_path: Path) -> None:
    previous = _previous(taxonomy, 15)
    previous["rules"] = {"version": "an-older-version", "concepts": 3}
    concepts = previous["concepts"]
    assert isinstance(concepts, dict)
    concepts["<b>old-concept</b>"] = {"papers": 4, "primary": 1}
    markdown, page = _render(taxonomy, tmp_path, previous)
    section = _section(markdown)
    assert "The rules changed since then" in section
    assert "*No longer named by any paper:* &lt;b&gt;old-concept&lt;/b&gt; (4 before)." in section
    assert "&lt;b&gt;old-concept&lt;/b&gt; (4 before)" in page and "<b>old-concept" not in page


def test_changes_are_deterministic(taxonomy: Taxonomy, tmp_path: Path) -> None:
    previous = _previous(taxonomy, 5)
    first = _render(taxonomy, tmp_path / "a", previous)
    again = _render(taxonomy, tmp_path / "b", orjson_roundtrip(previous))
    assert first == again


def orjson_roundtrip(data: dict[str, object]) -> dict[str, object]:
    """The data as read back from summary.json."""
    import orjson

    loaded = orjson.loads(orjson.dumps(data))
    assert isinstance(loaded, dict)
    return loaded


def test_build_compares_with_the_previous_run_in_its_folder(tmp_path: Path) -> None:
    from taxonomy.cli import main

    from .conftest import SMALL_RULES

    rules = ["--rules", str(SMALL_RULES)]

    sample = (
        (ROOT / "taxonomy" / "data" / "sample-papers.jsonl")
        .read_text(encoding="utf-8")
        .splitlines(keepends=True)
    )
    small, full = tmp_path / "small.jsonl", tmp_path / "full.jsonl"
    small.write_text("".join(sample[:20]), encoding="utf-8")
    full.write_text("".join(sample), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(small), "-o", str(out), "--no-paper-graph", *rules]) == 0
    assert "Since the last run" not in (out / "report.md").read_text(encoding="utf-8")
    assert main(["build", str(full), "-o", str(out), "--no-paper-graph", *rules]) == 0
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert f"{len(sample)} papers now, 20 in the previous run (+{len(sample) - 20})" in markdown
    # 'report' in the run's own folder has nothing to compare with; --previous names a summary.
    assert main(["report", str(out / "papers.jsonl"), *rules]) == 0
    assert "Since the last run" not in (out / "report.md").read_text(encoding="utf-8")
    other = tmp_path / "other"
    assert main(["build", str(small), "-o", str(other), "--no-paper-graph", *rules]) == 0
    assert main(["report", str(out / "papers.jsonl"), "--previous", str(other / "summary.json"), *rules]) == 0
    assert "20 in the previous run" in (out / "report.md").read_text(encoding="utf-8")


def test_coverage_says_what_share_the_taxonomy_tags(report: dict[str, str]) -> None:
    md, html = report["report.md"], report["report.html"]
    assert "**Coverage.** 87% of the papers name a method family of the rules" in md  # 13 of 15
    assert "Words most frequent in the titles of untagged papers" in md
    assert "<strong>Coverage.</strong> 87% of the papers" in html
