"""Bibliographic fields: read from every format, kept in papers.jsonl and back, and flat in papers.csv."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import orjson
import pytest

from taxonomy import ingest
from taxonomy.cli import main
from taxonomy.ingest.dates import year_in
from taxonomy.models import Paper
from taxonomy.serialize import tagged_from_dict, tagged_to_dict
from taxonomy.tag import Tagger

from .conftest import FIXTURES, SMALL_RULES

SAME = FIXTURES / "ingest" / "same"


def _papers(path: Path) -> list[Paper]:
    papers = [r for r in ingest.read([path]) if isinstance(r, Paper)]
    assert papers
    return papers


@pytest.mark.parametrize(
    ("name", "field", "values"),
    [
        ("library.bib", "key", ("okafor2023routemoe", "ruiz2024selective", "raman2022contrastive")),
        (
            "openalex-works.jsonl",
            "key",
            ("openalex:W4385822001", "openalex:W4391927712", "openalex:W4308112345"),
        ),
        ("semantic-scholar.json", "key", ("s2:0f3a6c1e9b2d4c8e7a5b3f1d2c4e6a8b0c1d2e3f",) * 1),
        (
            "arxiv-api.xml",
            "url",
            (
                "http://arxiv.org/abs/2306.06528v2",
                "http://arxiv.org/abs/2402.11873v1",
                "http://arxiv.org/abs/2211.04321v1",
            ),
        ),
        ("library.ris", "url", ("http://arxiv.org/abs/2306.06528", "https://arxiv.org/abs/2402.11873v1", "")),
        ("library.bib", "doi", ("10.21437/interspeech.2023-1187", "", "10.1016/j.patter.2022.100612")),
        ("papers.csv", "arxiv_id", ("2306.06528", "2402.11873", "2211.04321")),
        ("arxiv-snapshot.jsonl", "year", (2023, 2024, 2022)),
    ],
)
def test_formats_keep_their_bibliographic_fields(name: str, field: str, values: tuple[object, ...]) -> None:
    found = tuple(getattr(p, field) for p in _papers(SAME / name))
    assert found[: len(values)] == values


def test_ris_id_is_the_key(tmp_path: Path) -> None:
    path = tmp_path / "lib.ris"
    path.write_text("TY  - JOUR\nID  - Smith2020\nTI  - A title\nUR  - https://example.org/a\nER  - \n")
    (paper,) = _papers(path)
    assert (paper.key, paper.url, paper.link) == (
        "Smith2020",
        "https://example.org/a",
        "https://example.org/a",
    )


@pytest.mark.parametrize(
    ("venue", "year"),
    [
        ("ICLR 2021 submission", 2021),
        ("NeurIPS2019", 2019),
        ("Phys. Rev. D 75, 043501 (2007)", 2007),
        ("arXiv (Keras arXiv-abstracts sample)", None),
        ("arXiv:2001.01234", None),
        ("https://example.org/2019/x", None),
        ("", None),
    ],
)
def test_year_in_venue(venue: str, year: int | None) -> None:
    assert year_in(venue) == year


def test_a_year_in_the_venue_is_the_papers_year_and_the_date_stays_empty(tmp_path: Path) -> None:
    path = tmp_path / "papers.jsonl"
    lines = [
        {"title": "A", "venue": "ICLR 2021 submission"},
        {"title": "B", "venue": "NeurIPS 2019", "date": "2018-12-01"},
        {"title": "C", "venue": "arXiv"},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert [(p.date, p.year) for p in _papers(path)] == [(None, 2021), ("2018-12-01", 2018), (None, None)]


def test_a_duplicate_gives_the_kept_paper_its_url_and_key(tmp_path: Path) -> None:
    path = tmp_path / "lib.bib"
    path.write_text(
        "@article{first, title = {Same Paper}}\n"
        "@article{second, title = {Same Paper}, year = {2020}, url = {https://example.org/p}}\n"
    )
    (paper,) = _papers(path)
    assert (paper.key, paper.url, paper.year) == ("first", "https://example.org/p", 2020)


def test_papers_jsonl_round_trips_the_fields() -> None:
    tagger = Tagger(ingest_rules())
    paper = Paper(
        id="doi:10.1/x",
        title="Mamba for speech",
        venue="ICLR 2021 submission",
        venue_year=2021,
        authors=("Ada Lovelace",),
        keywords=("ssm",),
        doi="10.1/x",
        arxiv_id="2101.00001",
        url="https://example.org/x",
        key="lovelace2021",
        source="a.bib:1",
    )
    tp = tagger.tag(paper)
    data = orjson.loads(orjson.dumps(tagged_to_dict(tp)))
    assert tagged_from_dict(data) == tp
    assert tagged_from_dict(data).paper.link == "https://doi.org/10.1/x"


def test_a_papers_jsonl_without_the_fields_still_reads() -> None:
    old = {
        "id": "a",
        "title": "T",
        "date": "2020-01",
        "source": "",
        "families_primary": [],
        "families_mentioned": [],
        "family_scores": {},
        "concepts": [],
        "mentions": [],
    }
    paper = tagged_from_dict(old).paper
    assert (paper.year, paper.doi, paper.authors) == (2020, "", ())


def ingest_rules():  # type: ignore[no-untyped-def]
    from taxonomy.rules import load_rules

    return load_rules(SMALL_RULES)


def test_tag_writes_papers_csv_that_a_spreadsheet_reads(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    rows = [
        {"title": 'Mamba, "fast" and ünïcode', "abstract": "We propose a Mamba model.", "venue": "ICLR 2021"},
        {"title": "Nothing to see", "doi": "10.1234/Y", "authors": ["B. Two", "C. Three"]},
    ]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["tag", str(src), "-o", str(out), "--rules", str(SMALL_RULES)]) == 0
    raw = (out / "papers.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,key,doi,")
    with (out / "papers.csv").open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert [r["title"] for r in table] == [rows[0]["title"], "Nothing to see"]
    assert table[0]["year"] == "2021" and table[0]["families_primary"] == "ssm"
    assert table[0]["top_concepts"].startswith("mamba")
    assert table[1]["link"] == "https://doi.org/10.1234/y" and table[1]["authors"] == "B. Two; C. Three"
    line = json.loads((out / "papers.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert (line["date"], line["year"], line["venue"]) == (None, 2021, "ICLR 2021")
