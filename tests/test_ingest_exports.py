"""Exports as the tools users have write them, read through the command line, every record accounted for.

tests/fixtures/ingest/exports/ holds small files written for the project in the shapes real exporters
produce: minified OpenAlex and Semantic Scholar API pages, IEEE-style RIS whose records start with a
carriage return, CR-only and mixed line endings, JabRef's ``@comment`` and ``@preamble`` entries, a
Scopus CSV whose rows end with one more (empty) field, ``;``- and tab-separated files under any name,
Springer and Lens columns, Web of Science plain text, BibTeX accents without braces, a JSON array cut
between two elements, and duplicates that share a title but not an identifier. Each test runs
``taxonomy tag`` and checks the counts (papers + rejects + duplicates = records) and a field value.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from taxonomy.cli import main

from .conftest import FIXTURES

EXPORTS = FIXTURES / "ingest" / "exports"
RULES = FIXTURES / "rules" / "valid"
MALFORMED = {"cut-array.json"}  # the one export here that is damaged on purpose


def tag(tmp_path: Path, *argv: str | Path) -> tuple[dict[str, int], list[dict[str, object]]]:
    """Run ``taxonomy tag`` (small rules) and return the corpus counts and the papers written."""
    out = tmp_path / "out"
    assert main(["tag", *map(str, argv), "-o", str(out), "--rules", str(RULES)]) == 0
    corpus = json.loads((out / "summary.json").read_text())["corpus"]
    papers = [json.loads(line) for line in (out / "papers.jsonl").read_text().splitlines()]
    assert corpus["papers"] + corpus["rejects"] + corpus["duplicates"] == corpus["records"]
    assert len(papers) == corpus["papers"]
    return corpus, papers


def counts(corpus: dict[str, int]) -> tuple[int, int, int, int]:
    return corpus["records"], corpus["papers"], corpus["rejects"], corpus["duplicates"]


def copy(tmp_path: Path, name: str, as_name: str) -> Path:
    target = tmp_path / as_name
    shutil.copyfile(EXPORTS / name, target)
    return target


def by_id(papers: list[dict[str, object]]) -> dict[object, dict[str, object]]:
    return {p["id"]: p for p in papers}


# -- API pages ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("as_name", ["openalex-page.json", "works.jsonl", "works.txt", "works"])
def test_minified_openalex_page_under_any_name(tmp_path: Path, as_name: str) -> None:
    corpus, papers = tag(tmp_path, copy(tmp_path, "openalex-page.json", as_name))
    assert counts(corpus) == (3, 3, 0, 0)
    assert [p["id"] for p in papers] == [
        "doi:10.5555/ssm.2023.001",
        "openalex:W4301000002",
        "doi:10.5555/vis.2022.017",
    ]
    assert papers[0]["date"] == "2023-05-02"
    assert papers[0]["mentions"][0]["field"] == "abstract"  # the abstract rebuilt from the inverted index


def test_minified_openalex_page_with_format_openalex(tmp_path: Path) -> None:
    corpus, papers = tag(tmp_path, EXPORTS / "openalex-page.json", "--format", "openalex")
    assert counts(corpus) == (3, 3, 0, 0)
    assert papers[1]["title"] == "Retrieval Heads in Small Language Models"


@pytest.mark.parametrize("as_name", ["s2-page.json", "search.txt"])
def test_minified_semantic_scholar_page(tmp_path: Path, as_name: str) -> None:
    corpus, papers = tag(tmp_path, copy(tmp_path, "s2-page.json", as_name))
    assert counts(corpus) == (2, 2, 0, 0)
    assert [p["id"] for p in papers] == ["arxiv:2310.01234", "doi:10.5555/gnn.2021.44"]


# -- RIS line endings -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ieee-cr-led.ris", "cr-only.ris", "mixed-endings.ris"])
def test_ris_with_carriage_returns(tmp_path: Path, name: str) -> None:
    corpus, papers = tag(tmp_path, EXPORTS / name)
    assert counts(corpus) == (4, 4, 0, 0)
    assert [p["title"] for p in papers][2] == "A Mamba Layer for Radar Returns"
    assert papers[2]["id"] == "doi:10.1109/rad.2024.0003" and papers[2]["date"] == "2024"


def test_ris_lines_are_numbered_whatever_their_endings(tmp_path: Path) -> None:
    _, papers = tag(tmp_path, EXPORTS / "cr-only.ris")
    assert [str(p["source"]).rsplit(":", 1)[1] for p in papers] == ["1", "9", "16", "24"]


# -- BibTeX ---------------------------------------------------------------------------------------------


def test_jabref_comments_and_preambles_are_not_records(tmp_path: Path) -> None:
    corpus, papers = tag(tmp_path, EXPORTS / "jabref.bib", "--strict")
    assert counts(corpus) == (2, 2, 0, 0)
    assert papers[0]["id"] == "doi:10.5555/bio.2021.0042"
    assert papers[1]["title"] == "Diffusion Priors for Tomography"


def test_bibtex_accents_with_a_space_or_without_braces(tmp_path: Path) -> None:
    corpus, papers = tag(tmp_path, EXPORTS / "accents.bib")
    assert counts(corpus) == (3, 3, 0, 0)
    assert [p["title"] for p in papers] == [
        "Nitride Lasers by Morko\u010d and Mor\u010di\u0107",
        "Sp\u0105rse Graphs after Erd\u0151s",
        "Do\u011fan and \u00c7elik on Recurrent Nets",
    ]


# -- CSV and TSV ----------------------------------------------------------------------------------------


def test_scopus_rows_with_a_trailing_extra_field(tmp_path: Path) -> None:
    corpus, papers = tag(tmp_path, EXPORTS / "scopus.csv")
    assert counts(corpus) == (3, 3, 0, 0)
    assert papers[0]["id"] == "doi:10.5555/mat.2023.7" and papers[0]["date"] == "2023"


@pytest.mark.parametrize("as_name", ["semicolon.csv", "export.txt", "export.tsv", "export"])
def test_semicolon_separated_under_any_name(tmp_path: Path, as_name: str) -> None:
    corpus, papers = tag(tmp_path, copy(tmp_path, "semicolon.csv", as_name))
    assert counts(corpus) == (3, 3, 0, 0)
    assert papers[2]["title"] == "Quoted; with a semicolon"
    assert papers[0]["id"] == "doi:10.5555/tab.2019.1"


@pytest.mark.parametrize("as_name", ["tab-named.csv", "export.txt"])
def test_tab_separated_named_csv(tmp_path: Path, as_name: str) -> None:
    corpus, papers = tag(tmp_path, copy(tmp_path, "tab-named.csv", as_name))
    assert counts(corpus) == (2, 2, 0, 0)
    assert papers[0]["title"] == "Reservoir Computing for Weather" and papers[0]["date"] == "2018"


def test_delimiter_option_overrides_the_sniffed_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus, papers = tag(tmp_path, EXPORTS / "semicolon.csv", "--delimiter", ";")
    assert counts(corpus) == (3, 3, 0, 0)
    piped = tmp_path / "piped.csv"
    piped.write_text("Title|Year\nEcho State Networks|2004\n")
    corpus, papers = tag(tmp_path, piped, "--delimiter", "|")
    assert counts(corpus) == (1, 1, 0, 0) and papers[0]["date"] == "2004"
    tabbed = tmp_path / "tabbed.csv"
    tabbed.write_text("Title\tYear\nLiquid State Machines\t2002\n")
    corpus, papers = tag(tmp_path, tabbed, "--delimiter", "tab")
    assert papers[0]["title"] == "Liquid State Machines"
    capsys.readouterr()
    code = main(["tag", str(EXPORTS / "semicolon.csv"), "--delimiter", ",", "-o", str(tmp_path / "x")])
    assert code == 1
    assert capsys.readouterr().err.startswith(
        f"Error: {EXPORTS / 'semicolon.csv'}: no header row with a title column"
    )


def test_springer_columns(tmp_path: Path) -> None:
    corpus, papers = tag(tmp_path, EXPORTS / "springer.csv")
    assert counts(corpus) == (2, 2, 0, 0)
    assert papers[0]["id"] == "doi:10.1007/s10000-021-00001-x"
    assert papers[0]["title"] == "Capsule Networks for Histology" and papers[0]["date"] == "2021"


def test_lens_columns(tmp_path: Path) -> None:
    corpus, papers = tag(tmp_path, EXPORTS / "lens.csv")
    assert counts(corpus) == (2, 2, 0, 0)
    assert [p["date"] for p in papers] == ["2022-03-14", "2021-11-02"]


# -- Web of Science -------------------------------------------------------------------------------------


@pytest.mark.parametrize("as_name", ["savedrecs.txt", "savedrecs.ris", "savedrecs"])
def test_web_of_science_plain_text(tmp_path: Path, as_name: str) -> None:
    corpus, papers = tag(tmp_path, copy(tmp_path, "savedrecs.txt", as_name), "--strict")
    assert counts(corpus) == (3, 3, 0, 0)
    first = papers[0]
    assert first["id"] == "doi:10.5555/jhi.2023.104512"
    assert first["title"] == "Selective State Space Models for Long Clinical Time Series"
    assert first["date"] == "2023-03-14"
    assert papers[1]["id"] == "wos:000700000000002"
    assert "abstract" in {m["field"] for m in first["mentions"]}  # the wrapped abstract was read


def test_web_of_science_forced(tmp_path: Path) -> None:
    corpus, papers = tag(tmp_path, copy(tmp_path, "savedrecs.txt", "export.csv"), "--format", "wos")
    assert counts(corpus) == (3, 3, 0, 0)
    assert papers[2]["title"] == "Recurrent Nets for River Levels"


# -- JSON and blank space -------------------------------------------------------------------------------


def test_json_array_cut_between_elements(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus, papers = tag(tmp_path, EXPORTS / "cut-array.json")
    assert counts(corpus) == (3, 2, 1, 0)
    assert corpus["reject_reasons"] == {"truncated JSON at the end of the file": 1}
    assert papers[1]["id"] == "doi:10.5555/cap.2021.2"
    capsys.readouterr()
    assert main(["tag", str(EXPORTS / "cut-array.json"), "--strict", "-o", str(tmp_path / "s")]) == 1
    assert "truncated JSON at the end of the file" in capsys.readouterr().err


@pytest.mark.parametrize("as_name", ["late.jsonl", "late.txt"])
def test_blank_lines_before_the_first_record(tmp_path: Path, as_name: str) -> None:
    target = tmp_path / as_name
    target.write_text("\n" * (300 * 1024) + '{"title": "Far Down the File", "year": 2020}\n')
    corpus, papers = tag(tmp_path, target)
    assert counts(corpus) == (1, 1, 0, 0)
    assert papers[0]["title"] == "Far Down the File"
    assert papers[0]["source"] == f"{target}:{300 * 1024 + 1}"


def test_content_that_matches_no_format_says_what_was_tried(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "notes.ris"
    target.write_text("These are my notes.\nThey are not a reference export.\n")
    assert main(["tag", str(target), "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"Error: {target}: no records in it as RIS (chosen by its name); its content matches none of: "
        "JSON, JSON Lines, Atom XML, BibTeX, RIS, Web of Science, CSV/TSV with a title column; "
        "pass --format to choose one\n"
    )


# -- bounded text ---------------------------------------------------------------------------------------


def test_long_text_is_cut_with_a_counted_warning(tmp_path: Path) -> None:
    target = tmp_path / "long.jsonl"
    long = "Mamba layers scale. " * 7_500  # 150,000 characters
    target.write_text(json.dumps({"title": "A Very Long Abstract", "abstract": long}) + "\n")
    out = tmp_path / "out"
    assert main(["tag", str(target), "-o", str(out), "--rules", str(RULES)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert counts(summary["corpus"]) == (1, 1, 0, 0)
    assert summary["corpus"]["warnings"] == {"text cut at 100,000 characters": 1}
    (paper,) = [json.loads(line) for line in (out / "papers.jsonl").read_text().splitlines()]
    assert max(m["end"] for m in paper["mentions"]) <= 100_000


# -- duplicates -----------------------------------------------------------------------------------------


def test_duplicates_by_identifier_first(tmp_path: Path) -> None:
    corpus, papers = tag(tmp_path, EXPORTS / "dedupe.jsonl")
    assert counts(corpus) == (10, 7, 0, 3)
    ids = [p["id"] for p in papers]
    # three "Online reference" items with different DOIs are three works
    assert ids[:3] == ["doi:10.5555/web.0001", "doi:10.5555/web.0002", "doi:10.5555/web.0003"]
    # two editions of a book (same title, different years) are two works, with two ids
    editions = [p for p in papers if p["title"] == "Deep Learning: A Textbook"]
    assert [p["date"] for p in editions] == ["2016", "2023"] and len({p["id"] for p in editions}) == 2
    # the same arXiv id under another title is a duplicate; the kept record takes its DOI and abstract
    merged = by_id(papers)["doi:10.5555/asr.2024.5"]
    assert merged["title"] == "Mamba for Speech"
    assert [m["field"] for m in merged["mentions"]] == ["title", "abstract"]
    rejects = [json.loads(line) for line in (tmp_path / "out" / "rejects.jsonl").read_text().splitlines()]
    assert [(r["line"], r["duplicate_of"]) for r in rejects] == [
        (7, "doi:10.5555/asr.2024.5"),
        (9, "doi:10.5555/ret.2020.9"),
        (10, "doi:10.5555/ret.2020.9"),
    ]
    assert [m["field"] for m in by_id(papers)["doi:10.5555/ret.2020.9"]["mentions"]] == ["abstract"]


# -- every fixture --------------------------------------------------------------------------------------


WELL_FORMED = sorted(
    [p for p in EXPORTS.iterdir() if p.name not in MALFORMED] + list((FIXTURES / "ingest" / "same").iterdir())
)


@pytest.mark.parametrize("path", WELL_FORMED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_strict_passes_on_every_well_formed_export(tmp_path: Path, path: Path) -> None:
    corpus, _ = tag(tmp_path, path, "--strict")
    assert corpus["rejects"] == 0 and corpus["papers"] > 0


def test_no_fixture_gives_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every input fixture, good or bad, ends in a summary or one 'Error:' line, never an exception."""
    files = sorted(p for p in (FIXTURES / "ingest").rglob("*") if p.is_file())
    assert len(files) > 40
    for number, path in enumerate(files):
        code = main(["tag", str(path), "-o", str(tmp_path / str(number)), "--rules", str(RULES)])
        out, err = capsys.readouterr()
        assert code in (0, 1), path
        if code:
            assert err.startswith("Error: ") and err.count("\n") == 1, (path, err)
        else:
            assert out.startswith("Read "), path
