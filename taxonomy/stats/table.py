"""The report's paper table: one small row a paper, every paper up to a limit, then the strongest
papers of each family.

A row holds what the table shows and filters on (title, year, venue, link, families with how
strongly the paper is about each, concepts with their roles, a one-line evidence snippet), never
the abstract. Up to ``table_size`` papers every paper has a row; past it, only the
``per_family(table_size)`` strongest papers of each family keep theirs (their own method in the
family first, then primary papers, then by score). Keeping the strongest of each family is the
same whether it is done once or on parts that are merged later, so the rows do not depend on how
a corpus was split. The statistics prune their rows as soon as a corpus passes ``table_size``;
after that a row is kept only when it ranks before the last row kept of one of its families
(``admitted``), and the rows are pruned again whenever a quarter of ``table_size`` more are kept,
so that about ``table_size`` rows are held at any time, not twice as many.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from taxonomy.models import EVIDENCE_ORDER, Mention, Paper, TaggedPaper, quick_pickle
from taxonomy.rules import Taxonomy

DEFAULT_TABLE = 20_000  # papers with a row each; past it, the strongest of each family
SNIPPET = 150  # characters of evidence around the matched words, at most
_EVIDENCE_RANK = {role: rank for rank, role in enumerate(EVIDENCE_ORDER)}


def per_family(table_size: int) -> int:
    """Rows kept per family once a corpus has more papers than ``table_size`` (500 for 20,000)."""
    return max(1, table_size // 40)


#: A paper's place among a family's papers: its own method in the family first, then primary
#: papers, then by score, then by id (the smallest first).
Rank = tuple[int, int, float, str]


def family_rank(tier: int, primary: bool, score: float, paper_id: str) -> Rank:
    """A paper's ``Rank`` in a family from its own-method tier, whether the family is primary, and its score."""
    return (tier, 0 if primary else 1, -score, paper_id)


@quick_pickle
@dataclass(frozen=True, slots=True, order=True)
class TableRow:
    """A paper as the report's table shows it."""

    paper_id: str
    title: str
    year: int | None
    venue: str
    link: str
    families: tuple[tuple[str, int, bool, float], ...]  # (family, own-method tier, primary, score), by family
    concepts: tuple[tuple[str, str], ...]  # (concept, strongest role) of the concepts named, by concept
    evidence: tuple[str, str, str]  # one line around the strongest mention: before, matched words, after

    def rank(self, family: str) -> Rank | None:
        """The row's place among a family's papers (own method first, then primary, then score)."""
        for fid, tier, primary, score in self.families:
            if fid == family:
                return family_rank(tier, primary, score, self.paper_id)
        return None

    def to_list(self) -> list[Any]:
        """A JSON-ready form (``from_list`` reads it)."""
        return [
            self.paper_id,
            self.title,
            self.year,
            self.venue,
            self.link,
            [list(f) for f in self.families],
            [list(c) for c in self.concepts],
            list(self.evidence),
        ]

    @classmethod
    def from_list(cls, data: list[Any]) -> TableRow:
        """Rebuild a row from ``to_list`` output."""
        pid, title, year, venue, link, families, concepts, evidence = data
        return cls(
            str(pid),
            str(title),
            None if year is None else int(year),
            str(venue),
            str(link),
            tuple((str(f), int(t), bool(p), float(s)) for f, t, p, s in families),
            tuple((str(c), str(r)) for c, r in concepts),
            (str(evidence[0]), str(evidence[1]), str(evidence[2])),
        )


def link_of(paper: Paper) -> str:
    """The page of a paper (``Paper.link``: DOI, else arXiv, else URL), only when it is http(s).

    Readers keep only http(s) URLs, but papers.jsonl can be edited by hand; the report never links
    anything else (no ``javascript:`` or ``file:`` links).
    """
    link = paper.link.strip()
    return link if link.lower().startswith(("https://", "http://")) else ""


def snippet(sentence: str, start: int, end: int, width: int = SNIPPET) -> tuple[str, str, str]:
    """The sentence around ``start:end`` cut to about ``width`` characters, as (before, match, after)."""
    start = max(0, min(start, len(sentence)))
    end = max(start, min(end, len(sentence)))
    before, match, after = sentence[:start], sentence[start:end], sentence[end:]
    room = max(0, width - len(match))
    lead = min(len(before), max(room // 3, room - len(after)))
    tail = room - lead
    if len(before) > lead:
        cut = before[len(before) - lead :]
        space = cut.find(" ")
        before = "…" + (cut[space + 1 :] if 0 <= space < len(cut) // 2 else cut)
    if len(after) > tail:
        cut = after[:tail]
        space = cut.rfind(" ")
        after = (cut[:space] if space > len(cut) // 2 else cut) + "…"
    return before, match, after


def strength(mention: Mention) -> tuple[int, int, int]:
    """How well a mention shows what it names: by role (``EVIDENCE_ORDER``), the title first, then place."""
    return (_EVIDENCE_RANK[mention.role], 0 if mention.field == "title" else 1, mention.start)


def row_of(tp: TaggedPaper, tiers: dict[str, int], taxonomy: Taxonomy) -> TableRow:
    """The table row of a tagged paper (``tiers`` from ``relations.family_tiers``)."""
    scores = dict(tp.family_scores)
    primary = set(tp.families_primary)
    families = tuple(
        (f, tiers.get(f, 2), f in primary, round(scores.get(f, 0.0), 2))
        for f in sorted(tp.families_mentioned)
    )
    concepts = tuple(sorted((hit.concept, hit.role) for hit in tp.concepts))
    evidence = ("", "", "")
    if tp.mentions:
        best = min(tp.mentions, key=strength)
        evidence = snippet(best.sentence, best.start - best.sentence_start, best.end - best.sentence_start)
    paper = tp.paper
    return TableRow(
        paper.id, paper.title, paper.year, paper.venue, link_of(paper), families, concepts, evidence
    )


def strongest(rows: Iterable[TableRow], keep: int) -> list[TableRow]:
    """The ``keep`` strongest rows of each family (rows of no family are dropped), by paper id."""
    return pruned(rows, keep)[0]


def pruned(rows: Iterable[TableRow], keep: int) -> tuple[list[TableRow], dict[str, Rank]]:
    """``strongest(rows, keep)``, and the rank of the last row kept of each family that has ``keep``.

    A row that comes later and ranks after that row in each of its families (``admitted``) is not
    among the strongest of any family however many rows follow: the table can drop it at once.
    """
    ranked: dict[str, list[tuple[Rank, TableRow]]] = defaultdict(list)
    for row in rows:
        for family, tier, primary, score in row.families:
            ranked[family].append((family_rank(tier, primary, score, row.paper_id), row))
    kept: dict[str, TableRow] = {}
    last: dict[str, Rank] = {}
    for family, entries in ranked.items():
        best = heapq.nsmallest(keep, entries, key=lambda e: e[0])
        for _, row in best:
            kept[row.paper_id] = row
        if len(best) == keep:
            last[family] = best[-1][0]
    return sorted(kept.values()), last


def admitted(row: TableRow, last: dict[str, Rank]) -> bool:
    """Whether a row may be among the strongest of one of its families, after a table pruned to
    ``last`` (``pruned``): it ranks before the last row kept of a family, or its family kept fewer."""
    for family, tier, primary, score in row.families:
        cut = last.get(family)
        if cut is None or family_rank(tier, primary, score, row.paper_id) < cut:
            return True
    return False
