"""Remember which papers were seen, in a few bytes per paper, to find duplicates in a stream.

A paper duplicates an earlier one when it has the same id or the same normalised title. Keeping
every id and title as Python strings would cost hundreds of bytes per paper (gigabytes for the
2.7 million papers of the arXiv snapshot), so each key is kept as its 8-byte BLAKE2b digest in an
open-addressing table (``array('Q')``, linear probing, at most two thirds full). The title table
also points into one ``bytearray`` holding the ids of the papers kept, so a duplicate found by its
title can name the paper it duplicates. Cost: about 60 bytes per paper. Two different keys sharing
a 64-bit digest is possible but unlikely (about 1 in 10^7 at a few million papers).
"""

from __future__ import annotations

from array import array
from hashlib import blake2b

_LENGTH_BITS = 24  # a kept id's length is packed with its offset into one 64-bit value


def _digest(kind: bytes, key: str) -> int:
    data = blake2b(kind + key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(data, "little") or 1  # 0 marks an empty slot


class _Table:
    """A set of 64-bit digests, each with a 64-bit value."""

    def __init__(self, capacity: int = 1 << 12) -> None:
        self.keys = array("Q", bytes(8 * capacity))
        self.values = array("Q", bytes(8 * capacity))
        self.mask = capacity - 1
        self.size = 0

    def slot(self, digest: int) -> int:
        """The slot holding ``digest``, or the empty slot where it would go."""
        keys, mask = self.keys, self.mask
        i = digest & mask
        while True:
            key = keys[i]
            if key == digest or key == 0:
                return i
            i = (i + 1) & mask

    def put(self, slot: int, digest: int, value: int) -> None:
        """Store ``digest`` in the empty ``slot`` found by :meth:`slot`."""
        self.keys[slot] = digest
        self.values[slot] = value
        self.size += 1
        if self.size * 3 > len(self.keys) * 2:
            self._grow()

    def _grow(self) -> None:
        bigger = _Table(len(self.keys) * 2)
        for key, value in zip(self.keys, self.values, strict=True):
            if key:
                i = bigger.slot(key)
                bigger.keys[i] = key
                bigger.values[i] = value
        self.keys, self.values, self.mask = bigger.keys, bigger.values, bigger.mask


class Seen:
    """The ids and normalised titles of the papers kept so far."""

    def __init__(self) -> None:
        self._ids = _Table()
        self._titles = _Table()
        self._kept = bytearray()

    def check(self, paper_id: str, title_key: str) -> str | None:
        """Return the id of the earlier paper this one duplicates, or remember it and return None."""
        id_digest = _digest(b"i", paper_id)
        id_slot = self._ids.slot(id_digest)
        if self._ids.keys[id_slot]:
            return paper_id
        title_slot = -1
        if title_key:
            title_digest = _digest(b"t", title_key)
            title_slot = self._titles.slot(title_digest)
            if self._titles.keys[title_slot]:
                return self._kept_id(self._titles.values[title_slot])
        encoded = paper_id.encode("utf-8", "surrogatepass")[: (1 << _LENGTH_BITS) - 1]
        where = (len(self._kept) << _LENGTH_BITS) | len(encoded)
        self._kept += encoded
        self._ids.put(id_slot, id_digest, 0)
        if title_slot >= 0:
            self._titles.put(title_slot, title_digest, where)
        return None

    def _kept_id(self, where: int) -> str:
        start, length = where >> _LENGTH_BITS, where & ((1 << _LENGTH_BITS) - 1)
        return self._kept[start : start + length].decode("utf-8", "surrogatepass")
