"""The same three papers in every input format read as the same Paper values.

tests/fixtures/ingest/same/ holds three invented papers written in each format the way that format's
producers write them: HTML markup (``<i>``, ``&amp;``) in some, LaTeX (``$\\alpha$``, ``\\emph``,
``\\cite``, ``{\\'a}``, ``\\%``) in others, wrapped lines, ``Last, First`` names, DOIs as URLs or in
capitals, arXiv ids with versions. Every file is also read gzip-compressed (under a name with and
without ``.gz``) and from standard input.
"""

from __future__ import annotations

import gzip
import io
import shutil
import sys
from pathlib import Path

import pytest

from taxonomy import ingest
from taxonomy.models import Paper

SAME = Path(__file__).parent / "fixtures" / "ingest" / "same"

EXPECTED = (
    Paper(
        id="doi:10.21437/interspeech.2023-1187",
        title="Sparse Mixture-of-Experts Routing for Streaming Speech Recognition",
        abstract=(
            "We present RouteMoE, a sparse mixture-of-experts layer for streaming speech recognition. "
            "Each audio frame is routed to 2 of 64 experts, which cuts decoding cost by 41% at equal word "
            "error rate on LibriSpeech."
        ),
        date="2023-06-11",
        authors=("Mara Okafor", "Lukas Brandt", "Yi Chen"),
        keywords=("cs.CL", "eess.AS"),
        venue="Interspeech 2023",
    ),
    Paper(
        id="arxiv:2402.11873",
        title="Selective State Space Models with \u03b1-Stable Noise",
        abstract=(
            "We extend selective state space models with \u03b1-stable driving noise and show that the "
            "resulting heavy-tailed SSM keeps linear-time inference (O(L) in sequence length L). On "
            "long-range benchmarks it improves accuracy by 2.3 points over Mamba."
        ),
        date="2024-02-19",
        authors=("Tom\u00e1s Ruiz", "Anja Novak"),
        keywords=("cs.LG", "stat.ML"),
        venue="",
    ),
    Paper(
        id="doi:10.1016/j.patter.2022.100612",
        title="Contrastive Pretraining of Graph Transformers for Molecular Property Prediction",
        abstract=(
            "Graph transformers need large labelled sets. We pretrain them with a contrastive objective on "
            "12M unlabelled molecules & fine-tune on 9 property benchmarks, where they match or beat "
            "message-passing baselines."
        ),
        date="2022-11-08",
        authors=("Priya Raman", "Jonas Weber", "Hana Sato"),
        keywords=("cs.LG", "q-bio.QM"),
        venue="Patterns",
    ),
)

ALL = ("id", "title", "abstract", "date", "authors", "keywords", "venue")
# What each file can carry. OpenAlex and Semantic Scholar have their own keyword vocabularies (OpenAlex
# keywords/concepts, S2 fields of study), not the authors' keywords; a listing page has only titles and
# abstracts, so its ids are title hashes.
FILES = {
    "papers.jsonl": ("jsonl", ALL),
    "papers.json": ("json", ALL),
    "arxiv-snapshot.jsonl": ("jsonl", ALL),
    "papers.csv": ("csv", ALL),
    "papers.tsv": ("tsv", ALL),
    "arxiv-api.xml": ("atom", ALL),
    "library.bib": ("bibtex", ALL),
    "library.ris": ("ris", ALL),
    "openalex-works.jsonl": ("openalex", tuple(f for f in ALL if f != "keywords")),
    "semantic-scholar.json": ("s2", tuple(f for f in ALL if f != "keywords")),
    "listing.txt": ("listing", ("title", "abstract")),
}


def _fields(paper: object, names: tuple[str, ...]) -> dict[str, object]:
    return {name: getattr(paper, name) for name in names}


def _check(records: list[object], carried: tuple[str, ...]) -> None:
    assert all(isinstance(r, Paper) for r in records), records
    assert [_fields(p, carried) for p in records] == [_fields(p, carried) for p in EXPECTED]


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_format_gives_the_same_papers(name: str) -> None:
    _, carried = FILES[name]
    _check(list(ingest.read([SAME / name])), carried)


@pytest.mark.parametrize("name", sorted(FILES))
def test_forced_format_gives_the_same_papers(name: str) -> None:
    fmt, carried = FILES[name]
    _check(list(ingest.read([SAME / name], format=fmt)), carried)


@pytest.mark.parametrize("keep_suffix", [True, False], ids=["name.gz", "name-without-suffix"])
@pytest.mark.parametrize("name", sorted(FILES))
def test_gzip_versions_give_the_same_papers(name: str, keep_suffix: bool, tmp_path: Path) -> None:
    _, carried = FILES[name]
    # Without its extension the format has to be sniffed from the decompressed content.
    target = tmp_path / (name + ".gz" if keep_suffix else "upload.gz")
    with (SAME / name).open("rb") as src, gzip.open(target, "wb") as dst:
        shutil.copyfileobj(src, dst)
    if not keep_suffix and name in ("papers.csv", "papers.tsv", "library.ris", "listing.txt"):
        records = list(ingest.read([target], format=FILES[name][0]))
    else:
        records = list(ingest.read([target]))
    _check(records, carried)


@pytest.mark.parametrize("name", sorted(FILES))
def test_standard_input_gives_the_same_papers(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fmt, carried = FILES[name]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO((SAME / name).read_bytes())))
    records = ingest.read(["-"], format=fmt)
    assert records.total_bytes is None
    papers = list(records)
    _check(papers, carried)
    assert all(isinstance(p, Paper) and p.source.startswith("-:") for p in papers)


def test_sniffing_without_extensions(tmp_path: Path) -> None:
    """With no telling extension, the content decides (CSV/TSV by a title column in the first line)."""
    for name in FILES:
        target = tmp_path / "upload"
        target.write_bytes((SAME / name).read_bytes())
        _check(list(ingest.read([target])), FILES[name][1])


def test_records_report_progress() -> None:
    records = ingest.read([SAME / "papers.jsonl", SAME / "library.bib"])
    size = (SAME / "papers.jsonl").stat().st_size + (SAME / "library.bib").stat().st_size
    assert records.total_bytes == size
    assert records.bytes_read == 0
    items = list(records)
    assert len(items) == 6
    assert records.bytes_read == size
    assert (records.papers, records.rejects, records.duplicates) == (3, 0, 3)


def test_sources_name_file_and_line() -> None:
    papers = [r for r in ingest.read([SAME / "papers.csv"]) if isinstance(r, Paper)]
    # the second paper's abstract spans two lines; the third starts on line 5
    assert [p.source for p in papers] == [f"{SAME / 'papers.csv'}:{n}" for n in (2, 3, 5)]
