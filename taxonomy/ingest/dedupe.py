"""Remember which papers were seen, in a few bytes per paper, to find duplicates in a stream.

A paper duplicates an earlier one when it has the same id or the same normalised title. Keeping
every id and title as Python strings would cost hundreds of bytes per paper (gigabytes for the
2.7 million papers of the arXiv snapshot), so each key is kept as its 8-byte BLAKE2b digest in an
open-addressing table (``array('Q')``, linear probing, at most two thirds full). The title table
also points into one ``bytearray`` holding the ids of the papers kept, so a duplicate found by its
title can name the paper it duplicates. Cost: about 50 bytes per paper (two table slots at
most two thirds full, plus the id's bytes). Two different keys sharing
a 64-bit digest is possible but unlikely (about 1 in 10^7 at a few million papers).
"""

from __future__ import annotations

from array import array
from hashlib import blake2b

_LENGTH_BITS = 24  # a kept id's length is packed with its offset into one 64-bit value


def _digest(key: str) -> int:
    data = blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(data, "little") or 1  # 0 marks an empty slot


class _Table:
    """An open-addressing set of 64-bit digests, optionally with a 64-bit value each."""

    def __init__(self, capacity: int = 1 << 12, *, with_values: bool = False) -> None:
        self.keys = array("Q", bytes(8 * capacity))
        self.values = array("Q", bytes(8 * capacity)) if with_values else None
        self.mask = capacity - 1
        self.size = 0

    def slot(self, digest: int) -> int:
        """The slot holding ``digest``, or the empty slot where it would go."""
        keys, mask = self.keys, self.mask
        i = digest & mask
        key = keys[i]
        while key and key != digest:
            i = (i + 1) & mask
            key = keys[i]
        return i

    def put(self, slot: int, digest: int, value: int = 0) -> None:
        """Store ``digest`` (and ``value``) in the empty ``slot`` found by :meth:`slot`."""
        self.keys[slot] = digest
        if self.values is not None:
            self.values[slot] = value
        self.size += 1
        if self.size * 3 > len(self.keys) * 2:
            self._grow()

    def _grow(self) -> None:
        bigger = _Table(len(self.keys) * 2, with_values=self.values is not None)
        values = self.values if self.values is not None else bytes(len(self.keys))
        for key, value in zip(self.keys, values, strict=True):
            if key:
                i = bigger.slot(key)
                bigger.keys[i] = key
                if bigger.values is not None:
                    bigger.values[i] = value
        self.keys, self.values, self.mask = bigger.keys, bigger.values, bigger.mask


class Seen:
    """The ids and normalised titles of the papers kept so far."""

    def __init__(self) -> None:
        self._ids = _Table()
        self._titles = _Table(with_values=True)
        self._kept = bytearray()

    def check(self, paper_id: str, title_key: str) -> str | None:
        """Return the id of the earlier paper this one duplicates, or remember it and return None."""
        ids, titles = self._ids, self._titles
        id_digest = _digest(paper_id)
        id_slot = ids.slot(id_digest)
        if ids.keys[id_slot]:
            return paper_id
        title_digest = _digest(title_key) if title_key else 0
        if title_digest:
            title_slot = titles.slot(title_digest)
            if titles.keys[title_slot]:
                assert titles.values is not None
                return self._kept_id(titles.values[title_slot])
        encoded = paper_id.encode("utf-8", "surrogatepass")[: (1 << _LENGTH_BITS) - 1]
        where = (len(self._kept) << _LENGTH_BITS) | len(encoded)
        self._kept += encoded
        ids.put(id_slot, id_digest)
        if title_digest:
            titles.put(title_slot, title_digest, where)
        return None

    def _kept_id(self, where: int) -> str:
        start, length = where >> _LENGTH_BITS, where & ((1 << _LENGTH_BITS) - 1)
        return self._kept[start : start + length].decode("utf-8", "surrogatepass")
