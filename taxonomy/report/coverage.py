"""The report's coverage block: how much of the corpus the taxonomy tags, and what it misses."""

from __future__ import annotations

from taxonomy.report.data import AreaRow, Coverage
from taxonomy.rules import Taxonomy
from taxonomy.stats import CorpusStats


def coverage_of(taxonomy: Taxonomy, stats: CorpusStats) -> Coverage:
    """The share of papers with a family, papers per area, and the words of untagged titles."""

    def share(n: int) -> str:
        return f"{100 * n / stats.papers:.0f}%"

    labels = {cid: c.label for cid, c in taxonomy.concepts.items()}
    return Coverage(
        with_family=share(stats.tagged),
        with_primary=share(stats.with_primary),
        areas=tuple(
            AreaRow(
                area.label,
                ", ".join(labels[f] for f in area.families),
                stats.area_papers[aid],
                stats.area_primary[aid],
                share(stats.area_papers[aid]),
            )
            for aid, area in taxonomy.areas.items()
        ),
        untagged_words=tuple(stats.top_untagged_words(20)),
    )
