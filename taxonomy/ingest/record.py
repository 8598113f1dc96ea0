"""What every reader shares: the field-name options, and turning raw fields into a Paper or a Reject.

Readers find the raw values in their format and call :func:`build`, which cleans the text
(markup removed, whitespace collapsed, cut at :data:`MAX_TEXT` characters), chooses the id (see
:mod:`taxonomy.ingest.ids`) and rejects a record without a title. What it returns is a
:class:`Found`: the Paper with its DOI and arXiv id, which deduplication compares. Author names written ``Last, First`` are turned around to
``First Last``; keywords are de-duplicated in order.
"""

from __future__ import annotations

import dataclasses
import operator
import re
from collections.abc import Iterable
from dataclasses import dataclass

from taxonomy.ingest.dates import year_in
from taxonomy.ingest.files import decode
from taxonomy.ingest.ids import norm_arxiv, norm_doi, paper_id
from taxonomy.ingest.text import clean
from taxonomy.models import Paper, Reject

EXCERPT = 80  # characters of a rejected record kept to help the user find it
MAX_TEXT = 100_000  # characters of a title or abstract; longer text is cut (tagging cost grows with it)
CUT_WARNING = f"text cut at {MAX_TEXT:,} characters"
_CUT_BACK = 1_000  # a cut goes back to a space when there is one this close to the limit


@dataclass(frozen=True, slots=True)
class FieldNames:
    """How to find a record's fields: the names of those holding title, abstract, date and id, and
    the delimiter of a CSV/TSV file. None means detect (the usual names, the sniffed delimiter)."""

    title: str | None = None
    abstract: str | None = None
    date: str | None = None
    id: str | None = None
    delimiter: str | None = None


@dataclass(frozen=True, slots=True)
class Found(Paper):
    """A paper as a reader found it, with what deduplication needs beyond the Paper it becomes."""

    fixed_id: bool = False  # the id was given by --id-field, so a merge does not change it
    cut: int = 0  # how many of its text fields were cut at MAX_TEXT

    def paper(self) -> Paper:
        """The plain Paper, as later stages get it."""
        return Paper(*_PAPER_VALUES(self))


_PAPER_VALUES = operator.attrgetter(*(f.name for f in dataclasses.fields(Paper)))


def cut_text(text: str) -> str:
    """``text`` cut at :data:`MAX_TEXT` characters (back to a space when one is near)."""
    if len(text) <= MAX_TEXT:
        return text
    space = text.rfind(" ", MAX_TEXT - _CUT_BACK, MAX_TEXT)
    return text[: space if space > 0 else MAX_TEXT]


def excerpt(raw: str | bytes) -> str:
    """The start of a raw record, on one line, for a reject."""
    text = decode(raw[: EXCERPT * 8]) if isinstance(raw, bytes) else raw[: EXCERPT * 2]
    return " ".join(text.split())[:EXCERPT]


def reject(source: str, line: int | None, reason: str, raw: str | bytes = "") -> Reject:
    """A reject with an excerpt of the raw record."""
    return Reject(source, line, reason, excerpt(raw))


def author_name(name: str) -> str:
    """``'Lovelace, Ada'`` -> ``'Ada Lovelace'``; ``'Turing, Jr., Alan'`` -> ``'Alan Turing Jr.'``; else cleaned."""
    name = clean(name)
    if "," in name:
        parts = [p.strip() for p in name.split(",")]
        if len(parts) == 2 and all(parts):
            return f"{parts[1]} {parts[0]}"
        if len(parts) == 3 and all(parts):
            return f"{parts[2]} {parts[0]} {parts[1]}"
    return name


_AND = re.compile(r"\s+and\s+|\s*;\s*|\s*&\s*")
_COMMA_OR_AND = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+")


def split_authors(text: str) -> tuple[str, ...]:
    """Authors from one string: ``'A; B'``, ``'Last, First and Last, First'`` or ``'A, B and C'``."""
    if ";" in text or " and " in text or "&" in text:
        parts = [p for p in _AND.split(text) if p.strip()]
        if ";" in text or all(p.count(",") == 1 for p in parts):
            return tuple(a for a in (author_name(p) for p in parts) if a)
    return tuple(a for a in (clean(p) for p in _COMMA_OR_AND.split(text)) if a)


def split_keywords(text: str) -> tuple[str, ...]:
    """Keywords from one string, separated by ``;`` (or by ``,`` when there is no ``;``)."""
    separator = ";" if ";" in text else ","
    return tuple(text.split(separator))


def unique(values: Iterable[str]) -> tuple[str, ...]:
    """Cleaned, non-empty values with repeats dropped, in order."""
    seen: dict[str, None] = {}
    for value in values:
        text = clean(value)
        if text and text not in seen:
            seen[text] = None
    return tuple(seen)


def build(
    source: str,
    line: int | None,
    raw: str | bytes,
    *,
    title: str,
    abstract: str = "",
    date: str | None = None,
    authors: Iterable[str] = (),
    keywords: Iterable[str] = (),
    venue: str = "",
    doi: str | None = None,
    arxiv: str | None = None,
    url: str = "",
    key: str = "",
    source_id: str | None = None,
    explicit_id: str | None = None,
) -> Found | Reject:
    """A paper from raw field values (markup still in them), or a Reject when the title is missing.

    ``doi`` and ``arxiv`` may be URLs or prefixed (they are normalised here); ``source_id`` must be
    final (e.g. ``openalex:W1``); ``raw`` is the record as read, for the reject excerpt. A title or
    abstract longer than :data:`MAX_TEXT` characters is cut there (counted in ``Found.cut``).
    Without a date, a year named in the venue is kept; the key is ``key``, else the source's id.
    """
    title = clean(title)
    if not title:
        return reject(source, line, "missing title", raw)
    text = clean(abstract)
    cut = (len(title) > MAX_TEXT) + (len(text) > MAX_TEXT)
    if cut:
        title, text = cut_text(title), cut_text(text)
    doi_found = norm_doi(doi) if doi else None
    arxiv_found = norm_arxiv(arxiv) if arxiv else None
    pid = paper_id(title, doi=doi_found, arxiv=arxiv_found, source_id=source_id, explicit=explicit_id)
    venue = clean(venue)
    return Found(
        id=pid,
        title=title,
        abstract=text,
        date=date,
        authors=unique(authors),
        keywords=unique(keywords),
        venue=venue,
        source=f"{source}:{line}" if line is not None else source,
        venue_year=None if date else year_in(venue),
        doi=doi_found or "",
        arxiv_id=arxiv_found or "",
        url=link_of(url),
        key=clean(key) or explicit_id or source_id or "",
        fixed_id=bool(explicit_id),
        cut=cut,
    )


def link_of(url: str) -> str:
    """An http(s) URL as given (spaces dropped), or "" for anything else."""
    url = "".join(url.split())
    return url if url.lower().startswith(("http://", "https://")) else ""
