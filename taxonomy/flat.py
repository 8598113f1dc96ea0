"""Tagged papers as flat rows, one a paper: ``papers.csv`` for a spreadsheet.

``papers.csv`` has the columns of :data:`CSV_COLUMNS`: the paper's ids (``id``, its ``key`` in its
source, ``doi``, ``arxiv_id``), ``title``, ``year``, ``venue``, ``authors``, ``link`` (the DOI,
arXiv or URL page), its primary and mentioned families and its :data:`TOP_CONCEPTS` strongest
concepts (ids, by score), and ``source`` (file:line). Lists are joined with ``"; "``. The file is
UTF-8 with a byte order mark, so Excel reads accents right (Python's ``csv`` and pandas read it as
``utf-8-sig``; pandas skips the mark by default), with RFC 4180 quoting and CRLF line ends.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from taxonomy.errors import OutputError
from taxonomy.models import TaggedPaper

PAPERS_CSV_FILE = "papers.csv"
TOP_CONCEPTS = 5  # concepts per paper in papers.csv
CSV_COLUMNS = (
    "id",
    "key",
    "doi",
    "arxiv_id",
    "title",
    "year",
    "venue",
    "authors",
    "link",
    "families_primary",
    "families_mentioned",
    "top_concepts",
    "source",
)
_JOIN = "; "


def top_concepts(tp: TaggedPaper, n: int = TOP_CONCEPTS) -> tuple[str, ...]:
    """The ids of a paper's ``n`` strongest concepts, by score (then id)."""
    ranked = sorted(tp.concepts, key=lambda hit: (-hit.score, hit.concept))
    return tuple(hit.concept for hit in ranked[:n])


def csv_row(tp: TaggedPaper) -> tuple[str, ...]:
    """A paper's row of ``papers.csv``, in :data:`CSV_COLUMNS` order."""
    paper = tp.paper
    return (
        paper.id,
        paper.key,
        paper.doi,
        paper.arxiv_id,
        paper.title,
        "" if paper.year is None else str(paper.year),
        paper.venue,
        _JOIN.join(paper.authors),
        paper.link,
        _JOIN.join(tp.families_primary),
        _JOIN.join(tp.families_mentioned),
        _JOIN.join(top_concepts(tp)),
        paper.source,
    )


def write_csv(path: Path, papers: Iterable[TaggedPaper]) -> Path:
    """Write ``papers.csv`` at ``path`` (streamed: memory does not grow with the papers)."""
    try:
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(CSV_COLUMNS)
            writer.writerows(csv_row(tp) for tp in papers)
    except OSError as exc:
        raise OutputError(f"{path}: cannot be written ({exc.strerror or exc})") from None
    return path
