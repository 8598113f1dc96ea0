"""Remember which papers were seen, in constant memory, to find duplicates in a stream.

A paper duplicates an earlier one when it has the same id or the same normalised title. Keeping
every id and title in memory would grow with the corpus (Python strings cost hundreds of bytes a
paper; even 64-bit digests in compact hash tables measured 30 MB at a million papers), so the keys
live in a private temporary SQLite database on disk: one table of id digests and one of title
digests with the id of the paper kept, both indexed by the digest. SQLite keeps only a few
megabytes of pages in memory, so memory stays flat at any corpus size; a lookup and an insert cost
about 7 microseconds a paper at 100,000 papers and 11 at a million (measured).

Digests are 63 bits of BLAKE2b (SQLite integers are signed 64-bit): two different keys taken for
the same is expected only after about 3 * 10^9 papers (by the birthday bound).
"""

from __future__ import annotations

import sqlite3
from hashlib import blake2b

_PRAGMAS = ("journal_mode=OFF", "synchronous=OFF", "cache_size=-4096", "temp_store=FILE")


def _digest(key: str) -> int:
    data = blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(data, "little") >> 1


class Seen:
    """The ids and normalised titles of the papers kept so far."""

    def __init__(self) -> None:
        # "" opens a temporary on-disk database that SQLite deletes when it is closed.
        self._db = sqlite3.connect("", isolation_level=None)
        for pragma in _PRAGMAS:
            self._db.execute(f"PRAGMA {pragma}")
        self._db.execute("CREATE TABLE ids (digest INTEGER PRIMARY KEY)")
        self._db.execute("CREATE TABLE titles (digest INTEGER PRIMARY KEY, kept TEXT NOT NULL)")
        self._db.execute("BEGIN")  # one transaction for the whole run: nothing here needs to survive it

    def check(self, paper_id: str, title_key: str) -> str | None:
        """Return the id of the earlier paper this one duplicates, or remember it and return None."""
        execute = self._db.execute
        id_digest = _digest(paper_id)
        if execute("SELECT 1 FROM ids WHERE digest = ?", (id_digest,)).fetchone():
            return paper_id
        title_digest = _digest(title_key) if title_key else None
        if title_digest is not None:
            row = execute("SELECT kept FROM titles WHERE digest = ?", (title_digest,)).fetchone()
            if row:
                return str(row[0])
        execute("INSERT INTO ids VALUES (?)", (id_digest,))
        if title_digest is not None:
            execute("INSERT INTO titles VALUES (?, ?)", (title_digest, paper_id))
        return None

    def close(self) -> None:
        """Drop the temporary database."""
        self._db.close()
