"""The report's paper table: every paper (up to ``CorpusStats.table_size``) as one JSON block that a
small inline script renders, searches, sorts and filters.

A corpus of 20,000 papers would be 20,000 table rows that the browser lays out before it shows
anything; as data it is one JSON block the script reads in a few milliseconds, then puts a page of
rows at a time into the page. Families, concepts, roles and venues are written once and named by
their index in the rows. Text reaches the page only through ``textContent`` (``table.js``), and the
block escapes ``<``, ``>`` and ``&`` so that no title can end the script element.

Catch-all concepts (``...former models``) are not listed as concepts: their papers keep the family.
Filtering on a concept also finds the papers of the concepts below it, as the concept tree counts them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from markupsafe import Markup

from taxonomy.models import ROLES
from taxonomy.report.labels import label_of, listed
from taxonomy.rules import Taxonomy
from taxonomy.stats import CorpusStats, TableRow
from taxonomy.stats.table import per_family

ROLE_LABELS = {"proposes": "proposed", "uses": "used", "compares": "compared", "mentions": "mentioned"}
PAGE_ROWS = 50  # rows the script shows at first, and adds with each "show more"


@dataclass(frozen=True, slots=True)
class TableConcept:
    """A concept the table can filter on: its families and the listed concepts it counts for."""

    id: str
    label: str
    families: tuple[str, ...]
    within: tuple[str, ...]  # itself and the listed non-family concepts above it


@dataclass(frozen=True, slots=True)
class PaperTable:
    """The rows of the paper table with the names they use, in the table's default order."""

    papers: int  # papers in the corpus
    rows: tuple[TableRow, ...]  # strongest first: own method, primary, score, in the row's best family
    complete: bool  # every paper has a row (the corpus is within ``limit``)
    limit: int
    per_family: int  # rows kept per family when the corpus is over the limit
    families: tuple[tuple[str, str], ...]  # (id, label) of the families named in the rows, by label
    concepts: tuple[TableConcept, ...]  # by label

    @property
    def years(self) -> tuple[int, ...]:
        """The years the rows have, oldest first."""
        return tuple(sorted({row.year for row in self.rows if row.year is not None}))


def paper_table(taxonomy: Taxonomy, stats: CorpusStats) -> PaperTable:
    """The table of ``stats``: every paper up to ``stats.table_size``, else the strongest of each family."""
    rows = sorted(stats.table_rows(), key=_default_order)
    named = {f for row in rows for f, *_ in row.families}
    families = tuple(sorted(((f, label_of(taxonomy, f)) for f in named), key=lambda fl: (fl[1], fl[0])))
    named_concepts = {cid for row in rows for cid, _ in row.concepts}
    seen = {w for cid in named_concepts if _shown(taxonomy, cid) for w in _within(taxonomy, cid)}
    concepts = tuple(
        sorted(
            (
                TableConcept(
                    cid,
                    label_of(taxonomy, cid),
                    taxonomy.concepts[cid].families if cid in taxonomy.concepts else (),
                    _within(taxonomy, cid),
                )
                for cid in seen
            ),
            key=lambda c: (c.label, c.id),
        )
    )
    return PaperTable(
        papers=stats.papers,
        rows=tuple(rows),
        complete=stats.papers <= stats.table_size,
        limit=stats.table_size,
        per_family=per_family(stats.table_size),
        families=families,
        concepts=concepts,
    )


def table_json(table: PaperTable) -> Markup:
    """The table as JSON that cannot end the script element it sits in (``<``, ``>``, ``&`` escaped)."""
    family_index = {fid: i for i, (fid, _) in enumerate(table.families)}
    concept_index = {c.id: i for i, c in enumerate(table.concepts)}
    role_index: dict[str, int] = {role: i for i, role in enumerate(ROLES)}
    venues = sorted({row.venue for row in table.rows if row.venue})
    venue_index = {venue: i for i, venue in enumerate(venues)}
    rows = [
        [
            row.title,
            row.year,
            venue_index.get(row.venue, -1),
            row.link,
            [[family_index[f], tier, int(primary), score] for f, tier, primary, score in row.families],
            [[concept_index[c], role_index[r]] for c, r in row.concepts if c in concept_index],
            # A title is shown already: its words are no evidence line of their own.
            ["", "", ""] if "".join(row.evidence) == row.title else list(row.evidence),
        ]
        for row in table.rows
    ]
    data = {
        "families": [label for _, label in table.families],
        "familyIds": [fid for fid, _ in table.families],
        "concepts": [
            [
                c.label,
                c.id,
                [family_index[f] for f in c.families if f in family_index],
                [concept_index[w] for w in c.within if w in concept_index],
            ]
            for c in table.concepts
        ],
        "roles": [ROLE_LABELS[role] for role in ROLES],
        "venues": venues,
        "rows": rows,
        "page": PAGE_ROWS,
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    del data, rows  # before the escaped copies: 100,000 papers' rows are about 12 MB of lists
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - JSON with every character that could close the script escaped


def _default_order(row: TableRow) -> tuple[int, int, float, str, str]:
    """A row's place when no family is chosen: by its best family's rank, papers of no family last."""
    ranks = [rank for f, *_ in row.families if (rank := row.rank(f)) is not None]
    if not ranks:
        return (3, 2, 0.0, row.title.casefold(), row.paper_id)
    tier, primary, score, _ = min(ranks)
    return (tier, primary, score, row.title.casefold(), row.paper_id)


def _shown(taxonomy: Taxonomy, cid: str) -> bool:
    concept = taxonomy.concepts.get(cid)
    return concept is not None and not concept.is_family and listed(taxonomy, cid)


def _within(taxonomy: Taxonomy, cid: str) -> tuple[str, ...]:
    """The concept and the listed non-family concepts above it: filtering on any of them finds it."""
    concept = taxonomy.concepts.get(cid)
    if concept is None:
        return ()
    above = [a for a in concept.ancestors if _shown(taxonomy, a)]
    return tuple(sorted({cid, *above}))
