"""The bounded samples that ``CorpusStats`` keeps: example papers per family, papers named in lists.

A sample keeps the first entries of a total order (not the first seen), so merging samples gives
the same entries however a corpus was split: each is a heap of ``Reversed`` entries, the largest
kept item on top, to be pushed out first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from taxonomy.models import quick_pickle


@quick_pickle
@dataclass(frozen=True, slots=True, order=True)
class Example:
    """A paper shown as evidence for a family, ordered by how well it shows the family as its own
    method (``tier``: named in the title and proposed, one of the two, neither), then primary
    first, then by score, then id."""

    rank: tuple[int, int, float, str]  # (tier, 0 if primary else 1, -score, paper id): the sort key
    paper_id: str
    title: str
    year: int | None
    primary: bool
    score: float
    concept: str
    role: str
    field: str
    sentence: str
    start: int  # the matched words, as offsets into ``sentence``
    end: int
    tier: int = 2  # 0: the family is in the title and proposed; 1: one of the two; 2: neither
    link: str = ""  # the paper's DOI, arXiv or web page ("" when it has none)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the rank is derived, so it is left out)."""
        return {k: getattr(self, k) for k in self.__slots__ if k != "rank"}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Example:
        """Rebuild an example from ``to_dict`` output."""
        rank = (int(data["tier"]), 0 if data["primary"] else 1, -float(data["score"]), str(data["paper_id"]))
        return cls(rank=rank, **data)


@quick_pickle
@dataclass(frozen=True, slots=True, order=True)
class PaperRef:
    """A paper named in a list (untagged papers, conflicting signals), ordered by id."""

    paper_id: str
    title: str
    note: str = ""
    link: str = ""  # the paper's DOI, arXiv or web page ("" when it has none)


@quick_pickle
@dataclass(frozen=True, slots=True)
class Reversed:
    """Heap entry that inverts the order, so a min-heap keeps the k smallest items."""

    item: Any

    def __lt__(self, other: Reversed) -> bool:
        return bool(other.item < self.item)


def items_of(bucket: list[Reversed]) -> list[Any]:
    return [entry.item for entry in bucket]
