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
import io
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

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


def csv_head() -> bytes:
    """The start of ``papers.csv``: the byte order mark and the header row."""
    return b"\xef\xbb\xbf" + b"".join(csv_lines([CSV_COLUMNS]))


def csv_rows(papers: Iterable[TaggedPaper]) -> tuple[bytes, ...]:
    """Each paper's row of ``papers.csv`` as UTF-8 bytes with its line end, in order (one a paper,
    so rows from the cache and rows just tagged can be put back in input order)."""
    return csv_lines(csv_row(tp) for tp in papers)


def csv_lines(rows: Iterable[Iterable[str]]) -> tuple[bytes, ...]:
    """Rows of fields as CSV lines (RFC 4180 quoting, CRLF), UTF-8 bytes, one a row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    out = []
    for row in rows:
        writer.writerow(row)
        out.append(buffer.getvalue().encode("utf-8"))
        buffer.seek(0)
        buffer.truncate()
    return tuple(out)


class CsvFile:
    """``papers.csv`` written a batch of rows at a time (the header first)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._handle: BinaryIO = path.open("wb")
        except OSError as exc:
            raise OutputError(f"{path}: cannot be written ({exc.strerror or exc})") from None
        self.write((csv_head(),))

    def write(self, rows: Iterable[bytes]) -> None:
        """Add rows made by :func:`csv_rows`."""
        try:
            self._handle.write(b"".join(rows))
        except OSError as exc:
            raise OutputError(f"{self.path}: cannot be written ({exc.strerror or exc})") from None

    def write_papers(self, papers: Iterable[TaggedPaper]) -> None:
        """Add the rows of tagged papers (streamed: memory does not grow with the papers)."""
        batch: list[TaggedPaper] = []
        for tp in papers:
            batch.append(tp)
            if len(batch) >= 1024:
                self.write(csv_rows(batch))
                batch.clear()
        self.write(csv_rows(batch))

    def close(self) -> None:
        """Finish the file."""
        try:
            self._handle.close()
        except OSError as exc:
            raise OutputError(f"{self.path}: cannot be written ({exc.strerror or exc})") from None

    def __enter__(self) -> CsvFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_csv(path: Path, papers: Iterable[TaggedPaper]) -> Path:
    """Write ``papers.csv`` at ``path`` (streamed: memory does not grow with the papers)."""
    with CsvFile(path) as out:
        out.write_papers(papers)
    return path
