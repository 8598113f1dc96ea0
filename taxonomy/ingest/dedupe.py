"""Remember which papers were seen, in 16 to 32 bytes per paper, to find duplicates in a stream.

A paper duplicates an earlier one when it has the same id or the same normalised title. Keeping
every id and title as Python strings would cost hundreds of bytes per paper (gigabytes for the
2.7 million papers of the arXiv snapshot), so each key is reduced to a 64-bit BLAKE2b digest whose
low bits pick a slot of an open-addressing table (linear probing, at most three quarters full) and
whose high 32 bits are stored there as a fingerprint. The title table also stores the number of
the paper kept; the kept papers' ids and digests go to temporary files, read back only to name the
paper a title duplicate repeats and to rebuild a table twice as large when it fills. Memory: 4
bytes a slot for ids and 8 for titles, the tables between three eighths and three quarters full
(measured: 30 MB at a million papers), the old tables freed before the new ones are made.

Two different keys are taken for the same when slot bits and fingerprint both agree: about 53
bits of the digest, so one false duplicate is expected only after about 10^8 papers (by the
birthday bound, 2^(53/2)).
"""

from __future__ import annotations

import tempfile
from array import array
from hashlib import blake2b

_INITIAL = 1 << 12
_EMPTY = 0
_RECORD = 24  # bytes on disk per kept paper: id digest, title digest, offset of its id


def _digest(key: str) -> int:
    return int.from_bytes(blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


def _fingerprint(digest: int) -> int:
    return (digest >> 32) or 1  # 0 marks an empty slot


class _Table:
    """An open-addressing set of 32-bit fingerprints, optionally with a 32-bit value each."""

    def __init__(self, capacity: int = _INITIAL, *, with_values: bool = False) -> None:
        self.keys = array("I", [_EMPTY]) * capacity
        self.values = array("I", [0]) * capacity if with_values else None
        self.mask = capacity - 1
        self.size = 0

    def slot(self, digest: int) -> int:
        """The slot holding ``digest``'s fingerprint, or the empty slot where it would go."""
        keys, mask, fingerprint = self.keys, self.mask, _fingerprint(digest)
        i = digest & mask
        key = keys[i]
        while key != _EMPTY and key != fingerprint:
            i = (i + 1) & mask
            key = keys[i]
        return i

    def has(self, slot: int) -> bool:
        """True when ``slot`` holds a key."""
        return self.keys[slot] != _EMPTY

    def put(self, slot: int, digest: int, value: int = 0) -> None:
        """Store ``digest`` (and ``value``) in the empty ``slot`` found by :meth:`slot`."""
        self.keys[slot] = _fingerprint(digest)
        if self.values is not None:
            self.values[slot] = value
        self.size += 1
        if self.size * 4 > len(self.keys) * 3:
            raise _Full


class _Full(Exception):
    """The table passed three quarters full: rebuild it twice as large from the kept digests."""


class Seen:
    """The ids and normalised titles of the papers kept so far."""

    def __init__(self) -> None:
        self._ids = _Table()
        self._titles = _Table(with_values=True)
        # Rebuilding a table needs the full digests (the slot bits are not stored), so each kept
        # paper's two digests and where its id starts in ``_kept`` go to a temporary file:
        # _RECORD bytes a paper on disk, none in memory.
        self._records = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the Seen
        self._kept = tempfile.TemporaryFile()  # noqa: SIM115
        self._kept_end = 0
        self._count = 0

    def check(self, paper_id: str, title_key: str) -> str | None:
        """Return the id of the earlier paper this one duplicates, or remember it and return None."""
        id_digest = _digest(paper_id)
        id_slot = self._ids.slot(id_digest)
        if self._ids.has(id_slot):
            return paper_id
        title_digest = _digest(title_key) if title_key else 0
        title_slot = -1
        if title_key:
            title_slot = self._titles.slot(title_digest)
            if self._titles.has(title_slot):
                assert self._titles.values is not None
                return self._kept_id(self._titles.values[title_slot])
        self._remember(paper_id, id_digest, id_slot, title_digest, title_slot)
        return None

    def _remember(
        self, paper_id: str, id_digest: int, id_slot: int, title_digest: int, title_slot: int
    ) -> None:
        number = self._count
        self._count += 1
        encoded = paper_id.encode("utf-8", "surrogatepass")
        self._kept.write(encoded)
        self._records.write(
            id_digest.to_bytes(8, "little")
            + title_digest.to_bytes(8, "little")
            + self._kept_end.to_bytes(8, "little")
        )
        self._kept_end += len(encoded)
        try:
            self._ids.put(id_slot, id_digest)
        except _Full:
            self._rebuild()
            return
        if title_slot >= 0:
            try:
                self._titles.put(title_slot, title_digest, number)
            except _Full:
                self._rebuild()

    def _rebuild(self) -> None:
        """Grow both tables to twice the size, re-inserting every kept paper's digests from disk."""
        capacity = len(self._ids.keys) * 2
        self._ids = self._titles = None  # type: ignore[assignment]  # free the old tables first
        ids = _Table(capacity)
        titles = _Table(capacity, with_values=True)
        self._records.flush()
        self._records.seek(0)
        number = 0
        while chunk := self._records.read(_RECORD * 4096):
            for at in range(0, len(chunk), _RECORD):
                id_digest = int.from_bytes(chunk[at : at + 8], "little")
                title_digest = int.from_bytes(chunk[at + 8 : at + 16], "little")
                slot = ids.slot(id_digest)
                if not ids.has(slot):
                    ids.keys[slot] = _fingerprint(id_digest)
                    ids.size += 1
                if title_digest:
                    slot = titles.slot(title_digest)
                    if not titles.has(slot):
                        titles.keys[slot] = _fingerprint(title_digest)
                        assert titles.values is not None
                        titles.values[slot] = number
                        titles.size += 1
                number += 1
        self._records.seek(0, 2)
        self._ids, self._titles = ids, titles

    def _kept_id(self, number: int) -> str:
        start, end = self._offset(number), self._offset(number + 1)
        self._kept.flush()
        self._kept.seek(start)
        data = self._kept.read(end - start)
        self._kept.seek(0, 2)
        return data.decode("utf-8", "surrogatepass")

    def _offset(self, number: int) -> int:
        """Where kept paper ``number``'s id starts in the id file (its end for one past the last)."""
        if number >= self._count:
            return self._kept_end
        self._records.flush()
        self._records.seek(number * _RECORD + 16)
        value = int.from_bytes(self._records.read(8), "little")
        self._records.seek(0, 2)
        return value
