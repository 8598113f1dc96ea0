"""A fixed split of list gold into a tuning part and a checking part, by list.

Rules are changed after reading misses, so the papers whose misses were read say little about how a
change generalises. Splitting by list keeps each list's papers (one curator, one era, one style of
title) on one side, so the checking part judges a change on lists it was not tuned on.

The split is a pure function of the gold file, stated here so anyone can recompute it:

1. Papers are grouped by family, and within a family by their ``list`` value.
2. A family's lists are taken largest first (ties by the SHA-1 of the list name), and each goes to the
   part that holds fewer of that family's papers so far (``tuning`` on a tie). This keeps every family
   on both sides in about equal numbers.
3. A family whose papers all come from one list cannot be split by list; its papers are split one by
   one by the parity of the SHA-1 of their normalised title.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from typing import Literal

from taxonomy.evaluate.gold import ListPaper
from taxonomy.evaluate.labels import normalise_title

Part = Literal["tuning", "checking"]
PARTS: tuple[Part, ...] = ("tuning", "checking")


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def split(papers: Sequence[ListPaper]) -> dict[int, Part]:
    """The part of every paper, keyed by its gold line."""
    by_family: dict[str, dict[str, list[ListPaper]]] = defaultdict(lambda: defaultdict(list))
    for paper in papers:
        by_family[paper.family][paper.list].append(paper)
    out: dict[int, Part] = {}
    for lists in by_family.values():
        if len(lists) == 1:
            for paper in next(iter(lists.values())):
                out[paper.line] = PARTS[int(_digest(normalise_title(paper.title)), 16) % 2]
            continue
        sizes = {"tuning": 0, "checking": 0}
        for name in sorted(lists, key=lambda n: (-len(lists[n]), _digest(n))):
            part: Part = "tuning" if sizes["tuning"] <= sizes["checking"] else "checking"
            sizes[part] += len(lists[name])
            for paper in lists[name]:
                out[paper.line] = part
    return out
