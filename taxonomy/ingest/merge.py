"""Merging duplicates: the kept paper takes the fields it lacks from the records that duplicate it.

A duplicate can come long after the paper it duplicates (another export of the same search), and
the kept paper may lack what the duplicate has: an abstract, a DOI, a date. So with deduplication
the records of a run are first written to a :class:`Spool`, a private temporary SQLite database on
disk (memory stays flat), in input order; a duplicate updates the kept paper there. Once every
input is read, the spool gives the papers, rejects and duplicates back in input order, each
duplicate naming the kept paper by its final id.

:func:`merged` says what the kept paper takes: the abstract, date, authors, keywords and venue when
it has none (and the year with the date), a DOI, arXiv id, URL or source key it lacks. A DOI or arXiv id taken changes the kept paper's id
the way ids are chosen (a DOI first, then an arXiv id), unless ``--id-field`` gave it.
"""

from __future__ import annotations

import dataclasses
import operator
import sqlite3
from collections.abc import Callable, Iterator

import orjson

from taxonomy.ingest.ids import doi_id
from taxonomy.ingest.record import Found
from taxonomy.models import Paper, Reject

_PRAGMAS = ("journal_mode=OFF", "synchronous=OFF", "cache_size=-4096", "temp_store=FILE")
_TABLES = ("CREATE TABLE items (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, data BLOB NOT NULL)",)
_PAPER, _REJECT, _DUPLICATE = "p", "r", "d"


def merged(kept: Found, other: Found) -> Found:
    """``kept`` with the fields it lacks taken from ``other`` (its id follows a DOI or arXiv id taken)."""
    doi, arxiv = kept.doi or other.doi, kept.arxiv_id or other.arxiv_id
    paper_id = kept.id
    if not kept.fixed_id and not kept.doi and doi:
        paper_id = doi_id(doi)
    elif not kept.fixed_id and not kept.doi and not kept.arxiv_id and arxiv:
        paper_id = f"arxiv:{arxiv}"
    date = kept.date or other.date
    return dataclasses.replace(
        kept,
        id=paper_id,
        abstract=kept.abstract or other.abstract,
        date=date,
        venue_year=None if date else kept.venue_year or other.venue_year,
        authors=kept.authors or other.authors,
        keywords=kept.keywords or other.keywords,
        venue=kept.venue or other.venue,
        doi=doi,
        arxiv_id=arxiv,
        url=kept.url or other.url,
        key=kept.key or other.key,
    )


def with_id(found: Found, paper_id: str) -> Found:
    """``found`` under another id."""
    return dataclasses.replace(found, id=paper_id)


_FIELDS = tuple(f.name for f in dataclasses.fields(Found))
_TUPLES = ("authors", "keywords")
_VALUES = operator.attrgetter(*_FIELDS)
# A Found is a Paper with fields after the Paper's: a Paper is the first of a record's values.
_PAPER_SIZE = len(dataclasses.fields(Paper))
_TUPLE_AT = tuple(_FIELDS.index(name) for name in _TUPLES)


def _dump(found: Found) -> bytes:
    return orjson.dumps(_VALUES(found))


def _paper(data: bytes) -> Paper:
    """The Paper of a spooled record (what ``_load(data).paper()`` gives, without the Found)."""
    values = orjson.loads(data)[:_PAPER_SIZE]
    for at in _TUPLE_AT:
        values[at] = tuple(values[at])
    return Paper(*values)


def _load(data: bytes) -> Found:
    values = dict(zip(_FIELDS, orjson.loads(data), strict=True))
    for name in _TUPLES:
        values[name] = tuple(values[name])
    return Found(**values)


class Spool:
    """The records of a run in input order, kept papers updated by their duplicates, on disk."""

    def __init__(self) -> None:
        # "" opens a temporary on-disk database that SQLite deletes when it is closed. One thread
        # uses it at a time, but a reader left half-read is closed wherever it is freed, which may be
        # another thread: SQLite's own locking makes that safe, so Python's same-thread check is off.
        self._db = sqlite3.connect("", isolation_level=None, check_same_thread=False)
        for pragma in _PRAGMAS:
            self._db.execute(f"PRAGMA {pragma}")
        for statement in _TABLES:
            self._db.execute(statement)
        self._db.execute("BEGIN")
        self.size = 0

    def paper(self, found: Found) -> int:
        """Add a paper kept; its position (``size`` after it is added)."""
        return self._add(_PAPER, _dump(found))

    def reject(self, reject: Reject) -> None:
        """Add a record that is not a paper."""
        self._add(_REJECT, orjson.dumps((reject.source, reject.line, reject.reason, reject.excerpt)))

    def duplicate(
        self, reject: Reject, other: Found, seq: int | None, taken: Callable[[str], bool]
    ) -> Found | None:
        """Add a duplicate of the paper kept at ``seq`` (None: an earlier run's), and merge ``other`` into it.

        Returns the kept paper as merged when it changed, else None. The kept paper keeps its id
        when the new one is ``taken`` (by another paper).
        """
        data = (reject.source, reject.line, reject.excerpt, reject.duplicate_of, seq)
        self._add(_DUPLICATE, orjson.dumps(data))
        if seq is None:
            return None
        (blob,) = self._db.execute("SELECT data FROM items WHERE seq = ?", (seq,)).fetchone()
        kept = _load(blob)
        after = merged(kept, other)
        if after.id != kept.id and taken(after.id):
            after = with_id(after, kept.id)
        if after == kept:
            return None
        self._db.execute("UPDATE items SET data = ? WHERE seq = ?", (_dump(after), seq))
        return after

    def _add(self, kind: str, data: bytes) -> int:
        self.size += 1
        self._db.execute("INSERT INTO items VALUES (?, ?, ?)", (self.size, kind, data))
        return self.size

    def items(self) -> Iterator[Paper | Reject]:
        """Every record added, in order: papers as merged, duplicates naming the final id kept."""
        rows = self._db.execute("SELECT kind, data FROM items ORDER BY seq")
        ids = self._db.cursor()
        for kind, data in rows:
            if kind == _PAPER:
                yield _paper(data)
            elif kind == _REJECT:
                source, line, reason, excerpt = orjson.loads(data)
                yield Reject(source, line, reason, excerpt)
            else:
                source, line, excerpt, kept, seq = orjson.loads(data)
                if seq is not None:
                    (blob,) = ids.execute("SELECT data FROM items WHERE seq = ?", (seq,)).fetchone()
                    kept = orjson.loads(blob)[0]
                yield Reject(source, line, f"duplicate of {kept}", excerpt, duplicate_of=kept)

    def close(self) -> None:
        """Drop the temporary database."""
        self._db.close()
