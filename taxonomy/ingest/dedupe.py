"""Remember which papers were seen, in constant memory, to find duplicates in a stream.

A paper duplicates an earlier one (:meth:`Seen.check_keys`), by identifier first:

1. the same id (a DOI, arXiv id or source id; not a title hash, which only says the titles match);
2. the same DOI or the same arXiv id, whatever the ids (a preprint and its journal version that
   names the preprint);
3. the same normalised title, unless the two have different DOIs, different arXiv ids or
   different years: then they are different works ("Online reference" items, editions of a book).
   A paper kept that way whose title id is taken gets the year (or a number) after it.

:meth:`Seen.check` is the older test by id and title alone (for callers that have nothing else). Keeping
every id and title in memory would grow with the corpus (Python strings cost hundreds of bytes a
paper; even 64-bit digests in compact hash tables measured 30 MB at a million papers), so the keys
live in a private temporary SQLite database on disk: one table of id digests and one of title
digests with the id of the paper kept, both indexed by the digest. SQLite keeps only a few
megabytes of pages in memory, so memory stays flat at any corpus size; a lookup and an insert cost
about 7 microseconds a paper at 100,000 papers and 11 at a million (measured).

``Seen(earlier)`` also looks keys up in the ``seen_ids`` and ``seen_titles`` tables of another
database, read only: the papers of an earlier run, kept in the tag cache so that a later run can
carry on (``taxonomy.resume``). New keys still go to the private database; ``ids()`` and
``titles()`` list them, for the cache to keep.

``seen_titles`` maps the digest of a key to the paper kept under it: a normalised title (then the
value is the kept id with that paper's DOI, arXiv id and year, tab-separated), the title and a year
after a tab (for another work of that title, such as a later edition), or a DOI or arXiv id key
such as ``doi:10.1234/abc`` (which cannot be a normalised title: it has a colon).

Digests are 63 bits of BLAKE2b (SQLite integers are signed 64-bit): two different keys taken for
the same is expected only after about 3 * 10^9 papers (by the birthday bound).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from hashlib import blake2b

_BATCH = 1024  # positions inserted at once
# At most four keys are looked up at once (DOI, arXiv id, title, title with year); "?" placeholders only.
_LOOKUPS = {
    n: "SELECT digest, kept FROM seen_titles WHERE digest IN (" + ",".join("?" * n) + ")"  # noqa: S608
    for n in range(1, 5)
}
_PRAGMAS = ("journal_mode=OFF", "synchronous=OFF", "cache_size=-4096", "temp_store=FILE")


def _digest(key: str) -> int:
    data = blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(data, "little") >> 1


TABLES = (
    "CREATE TABLE IF NOT EXISTS seen_ids (digest INTEGER PRIMARY KEY)",
    "CREATE TABLE IF NOT EXISTS seen_titles (digest INTEGER PRIMARY KEY, kept TEXT NOT NULL)",
)


@dataclass(frozen=True, slots=True)
class Keys:
    """What a paper is recognised by: its id, identifiers, year and normalised title."""

    id: str
    title: str  # normalised; "" when there is none
    doi: str | None = None  # as an id: ``doi:10.1234/abc`` (an arXiv DOI as ``arxiv:...``)
    arxiv: str | None = None  # as an id: ``arxiv:2402.11873``
    year: str | None = None

    def aliases(self) -> tuple[str, ...]:
        """The identifier keys other than the id."""
        return tuple(k for k in (self.doi, self.arxiv) if k)

    def signature(self) -> str:
        """What the title table keeps of the paper: id, DOI, arXiv id, year."""
        return "\t".join((self.id, self.doi or "", self.arxiv or "", self.year or ""))


def _title_keys(keys: Keys) -> tuple[str, ...]:
    """The title, and the title with the year: where another work of the same title is kept."""
    if not keys.title:
        return ()
    return (keys.title, f"{keys.title}\t{keys.year}") if keys.year else (keys.title,)


def _compatible(keys: Keys, kept: str) -> bool:
    """Whether a paper may be the work kept under the same title: no identifier or year differs."""
    parts = kept.split("\t")
    if len(parts) != 4:
        return True  # kept by an older version: only the id is known
    mine = (keys.doi, keys.arxiv, keys.year)
    return all(not a or not b or a == b for a, b in zip(mine, parts[1:], strict=True))


@dataclass(frozen=True, slots=True)
class Kept:
    """The paper a duplicate duplicates: its id, and where the caller keeps it (None: not this run)."""

    id: str
    seq: int | None


class Seen:
    """The ids and normalised titles of the papers kept so far (and, read only, those of ``earlier``)."""

    def __init__(self, earlier: sqlite3.Connection | None = None) -> None:
        # "" opens a temporary on-disk database that SQLite deletes when it is closed. One thread
        # uses it at a time, but a reader left half-read is closed wherever it is freed, which may be
        # another thread: SQLite's own locking makes that safe, so Python's same-thread check is off.
        self._db = sqlite3.connect("", isolation_level=None, check_same_thread=False)
        for pragma in _PRAGMAS:
            self._db.execute(f"PRAGMA {pragma}")
        for statement in TABLES:
            self._db.execute(statement)
        # Where the caller keeps each paper (a spool position), by id digest: only for this run.
        self._db.execute("CREATE TABLE positions (digest INTEGER PRIMARY KEY, seq INTEGER NOT NULL)")
        self._db.execute("BEGIN")  # one transaction for the whole run: nothing here needs to survive it
        self._dbs = (self._db,) if earlier is None else (self._db, earlier)
        self._earlier = earlier
        self._positions: list[tuple[int, int]] = []  # inserted in batches, before they are looked up

    def check(self, paper_id: str, title_key: str) -> str | None:
        """Return the id of the earlier paper this one duplicates, or remember it and return None."""
        id_digest = _digest(paper_id)
        title_digest = _digest(title_key) if title_key else None
        if len(self._dbs) == 1:
            return self._check_here(paper_id, id_digest, title_digest)
        for db in self._dbs:  # the same id first, wherever it is; then the same title
            if db.execute("SELECT 1 FROM seen_ids WHERE digest = ?", (id_digest,)).fetchone():
                return paper_id
        for db in self._dbs if title_digest is not None else ():
            row = db.execute("SELECT kept FROM seen_titles WHERE digest = ?", (title_digest,)).fetchone()
            if row:
                return str(row[0]).split("\t", 1)[0]
        self._db.execute("INSERT INTO seen_ids VALUES (?)", (id_digest,))
        if title_digest is not None:
            self._db.execute("INSERT INTO seen_titles VALUES (?, ?)", (title_digest, paper_id))
        return None

    def _check_here(self, paper_id: str, id_digest: int, title_digest: int | None) -> str | None:
        """``check`` with no earlier database: insert first and learn of a duplicate from the key
        constraint, two statements a paper instead of four (most papers are not duplicates)."""
        db = self._db
        try:
            db.execute("INSERT INTO seen_ids VALUES (?)", (id_digest,))
        except sqlite3.IntegrityError:
            return paper_id
        if title_digest is not None:
            try:
                db.execute("INSERT INTO seen_titles VALUES (?, ?)", (title_digest, paper_id))
            except sqlite3.IntegrityError:
                db.execute("DELETE FROM seen_ids WHERE digest = ?", (id_digest,))  # not kept after all
                row = db.execute("SELECT kept FROM seen_titles WHERE digest = ?", (title_digest,)).fetchone()
                return str(row[0]).split("\t", 1)[0]
        return None

    def check_keys(self, keys: Keys, seq: int = 0) -> tuple[Kept | None, str]:
        """(the paper this one duplicates, or None; the id this one is kept under).

        A paper that is no duplicate is remembered under its id, identifiers and title, with ``seq``
        (where the caller keeps it); its id is ``keys.id`` unless that is a title id already taken
        by another work with the same title. Most papers are no duplicates, so the id is inserted
        first and a clash found by the key constraint: a few statements for a new paper.
        """
        db = self._db
        id_digest = _digest(keys.id)
        title_id = keys.id.startswith("title:")
        clash = self._earlier is not None and self._earlier_has(id_digest)  # kept by the last run
        if clash and not title_id:
            return Kept(keys.id, None), keys.id
        try:
            if not clash:
                db.execute("INSERT INTO seen_ids VALUES (?)", (id_digest,))
        except sqlite3.IntegrityError:
            if not title_id:
                return self._kept_as(keys.id), keys.id
            clash = True  # a title id: the same title, but maybe another work (another year)
        aliases, titles = keys.aliases(), _title_keys(keys)
        digests = {_digest(k): k for k in (*aliases, *titles)}
        found = self._lookup(digests)
        kept = next((found[k] for k in aliases if k in found), None)
        if kept is None:
            kept = next((found[t] for t in titles if t in found and _compatible(keys, found[t])), None)
        if kept is not None:
            if not clash:
                db.execute("DELETE FROM seen_ids WHERE digest = ?", (id_digest,))  # not kept after all
            return self._kept_as(kept.split("\t", 1)[0]), keys.id
        paper_id = keys.id
        if clash:
            paper_id = self._free_id(keys)
            db.execute("INSERT INTO seen_ids VALUES (?)", (_digest(paper_id),))
        self._position(paper_id, seq)
        kept_keys = (
            keys if paper_id == keys.id else Keys(paper_id, keys.title, keys.doi, keys.arxiv, keys.year)
        )
        self._add_keys(kept_keys, digests, found)
        return None, paper_id

    def remember(self, keys: Keys, seq: int = 0) -> None:
        """Keep a paper's id, identifiers and title (those already kept stay as they are)."""
        self._db.execute("INSERT OR IGNORE INTO seen_ids VALUES (?)", (_digest(keys.id),))
        self._position(keys.id, seq)
        digests = {_digest(k): k for k in (*keys.aliases(), *_title_keys(keys))}
        self._add_keys(keys, digests, self._lookup(digests))

    def _add_keys(self, keys: Keys, digests: dict[int, str], found: dict[str, str]) -> None:
        """Add the identifier and title rows of a paper kept (``found``: the rows already there)."""
        insert = "INSERT OR IGNORE INTO seen_titles VALUES (?, ?)"
        signature = None
        for digest, key in digests.items():
            if key in found:
                continue
            if key.startswith(("doi:", "arxiv:")):
                self._db.execute(insert, (digest, keys.id))
            elif signature is None:  # the title, else the title with the year (another edition)
                signature = keys.signature()
                self._db.execute(insert, (digest, signature))

    def _lookup(self, digests: dict[int, str]) -> dict[str, str]:
        """The rows of ``seen_titles`` (here, then in the earlier database) for these keys."""
        if not digests:
            return {}
        query = _LOOKUPS[len(digests)]
        found: dict[str, str] = {}
        for db in self._dbs:
            for digest, kept in db.execute(query, tuple(digests)):
                found.setdefault(digests[digest], str(kept))
        return found

    def _kept_as(self, paper_id: str) -> Kept:
        """The paper kept under ``paper_id``, with where the caller keeps it (None: an earlier run's)."""
        self._flush()
        row = self._db.execute("SELECT seq FROM positions WHERE digest = ?", (_digest(paper_id),)).fetchone()
        return Kept(paper_id, int(row[0]) if row else None)

    def _position(self, paper_id: str, seq: int) -> None:
        self._positions.append((_digest(paper_id), seq))
        if len(self._positions) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._positions:
            self._db.executemany("INSERT OR IGNORE INTO positions VALUES (?, ?)", self._positions)
            self._positions.clear()

    def _earlier_has(self, digest: int) -> bool:
        assert self._earlier is not None
        return (
            self._earlier.execute("SELECT 1 FROM seen_ids WHERE digest = ?", (digest,)).fetchone() is not None
        )

    def taken(self, paper_id: str) -> bool:
        """Whether a paper is kept under this id."""
        digest = _digest(paper_id)
        query = "SELECT 1 FROM seen_ids WHERE digest = ?"
        return any(db.execute(query, (digest,)).fetchone() for db in self._dbs)

    def _free_id(self, keys: Keys) -> str:
        """A title id for a work whose title another work has: with the year, or a number, after it."""
        if not self.taken(keys.id):
            return keys.id
        candidate = f"{keys.id}-{keys.year}" if keys.year else ""
        number = 2
        while not candidate or self.taken(candidate):
            candidate, number = f"{keys.id}-{number}", number + 1
        return candidate

    def ids(self) -> Iterator[tuple[int]]:
        """The id digests remembered here (not those of ``earlier``)."""
        return self._db.execute("SELECT digest FROM seen_ids")

    def titles(self) -> Iterator[tuple[int, str]]:
        """The title (and identifier) digests remembered here, with the paper kept under each."""
        return self._db.execute("SELECT digest, kept FROM seen_titles")

    def close(self) -> None:
        """Drop the temporary database."""
        self._db.close()
