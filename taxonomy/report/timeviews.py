"""The report's views over time: a family x year heat map, a concept timeline and emerging concepts.

Periods are calendar years (``Paper.year``: the date's year, else a year found in the venue). Every
share is of the year's dated papers, so a year with more papers does not look like a rise. Emerging
concepts are Kleinberg bursts (``bursts.py``) over every year of the span, not a comparison of the two
end years. ``notes`` says which years are not comparable with the others (``periods.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from taxonomy.report.bursts import GAMMA, S, bursts
from taxonomy.report.labels import families_label, label_of, listed
from taxonomy.report.periods import YearNote, YearSource, main_sources, year_notes
from taxonomy.report.text import percent
from taxonomy.rules import Taxonomy
from taxonomy.stats import CorpusStats

TIMELINE_CONCEPTS = 18
MAX_BURSTS = 15


@dataclass(frozen=True, slots=True)
class YearCell:
    """Papers of one year, their share of the year's dated papers, and how dark to shade the cell."""

    year: int
    papers: int
    share: str  # "12%"
    shade: float  # 0..1: the share against the largest share it is compared with


@dataclass(frozen=True, slots=True)
class HeatRow:
    """A family's papers per year: papers for which it is a primary family."""

    id: str
    label: str
    cells: tuple[YearCell, ...]
    papers: int  # dated papers with the family primary


@dataclass(frozen=True, slots=True)
class TimelineRow:
    """A concept's papers per year (shaded against its own best year) and the first year it was seen."""

    id: str
    label: str
    family: str
    cells: tuple[YearCell, ...]
    first: int
    papers: int  # dated papers naming it


@dataclass(frozen=True, slots=True)
class BurstRow:
    """A concept's burst: the years its share of papers ran well above its share over the whole span."""

    id: str
    label: str
    family: str  # "" for a concept of no family
    start: int
    end: int
    strength: str
    papers: int  # papers naming it in the burst's years
    ongoing: bool  # the burst runs to the latest year


@dataclass(frozen=True, slots=True)
class TimeViews:
    """Everything the time views show; ``reason`` says why there are none (fewer than two years)."""

    years: tuple[int, ...]
    totals: tuple[int, ...]  # dated papers per year
    dated: int
    papers: int
    reason: str = ""
    heat: tuple[HeatRow, ...] = ()
    sources: tuple[YearSource, ...] = ()  # each year's main source (none when it is the same every year)
    timeline: tuple[TimelineRow, ...] = ()
    bursts: tuple[BurstRow, ...] = ()
    bursts_more: int = 0
    notes: tuple[YearNote, ...] = ()
    s: float = S
    gamma: float = GAMMA


def time_views(taxonomy: Taxonomy, stats: CorpusStats) -> TimeViews:
    """The time views of ``stats``, or a ``TimeViews`` whose ``reason`` says why there are none."""
    totals = {year: n for (cid, year), n in stats.years.items() if cid == "" and n > 0}
    years = tuple(sorted(totals))
    dated = sum(totals.values())
    base = TimeViews(years, tuple(totals[y] for y in years), dated, stats.papers)
    if not years:
        return _replace(base, reason="No paper has a year (neither a date nor a year in its venue).")
    if len(years) == 1:
        who = "The dated paper is" if dated == 1 else f"All {dated:,} dated papers are"
        return _replace(base, reason=f"{who} from {years[0]}: views over time need at least two years.")
    per_concept: dict[str, dict[int, int]] = {}
    for (cid, year), n in stats.years.items():
        if cid and n > 0:
            per_concept.setdefault(cid, {})[year] = n
    found, more = _bursts(taxonomy, per_concept, totals)
    sources = main_sources(years, stats.year_sources)
    return TimeViews(
        years=base.years,
        totals=base.totals,
        dated=dated,
        papers=stats.papers,
        heat=_heat(taxonomy, stats, years, totals),
        sources=sources if len({s.source for s in sources}) > 1 else (),  # one source for all: no news
        timeline=_timeline(taxonomy, per_concept, years, totals),
        bursts=found,
        bursts_more=more,
        notes=year_notes(totals, stats.year_sources),
    )


def _replace(views: TimeViews, *, reason: str) -> TimeViews:
    return TimeViews(views.years, views.totals, views.dated, views.papers, reason=reason)


def _heat(
    taxonomy: Taxonomy, stats: CorpusStats, years: tuple[int, ...], totals: Mapping[int, int]
) -> tuple[HeatRow, ...]:
    """A row per family with primary papers, in the families' order (most papers first)."""
    primary: dict[str, dict[int, int]] = {}
    for (fid, year), n in stats.primary_years.items():
        if n > 0 and year in totals:
            primary.setdefault(fid, {})[year] = n
    ids = sorted(primary, key=lambda f: (-stats.concept_papers[f], label_of(taxonomy, f), f))
    top = max((n / totals[y] for counts in primary.values() for y, n in counts.items()), default=0.0)
    return tuple(
        HeatRow(
            fid,
            label_of(taxonomy, fid),
            tuple(_cell(y, primary[fid].get(y, 0), totals[y], top) for y in years),
            sum(primary[fid].values()),
        )
        for fid in ids
    )


def _timeline(
    taxonomy: Taxonomy,
    per_concept: Mapping[str, Mapping[int, int]],
    years: tuple[int, ...],
    totals: Mapping[int, int],
) -> tuple[TimelineRow, ...]:
    """The concepts (not families) with most dated papers, first seen first, each shaded against its best year."""
    concepts = [
        cid
        for cid in per_concept
        if cid in taxonomy.concepts and not taxonomy.concepts[cid].is_family and listed(taxonomy, cid)
    ]
    top = sorted(concepts, key=lambda c: (-sum(per_concept[c].values()), label_of(taxonomy, c), c))
    rows = []
    for cid in top[:TIMELINE_CONCEPTS]:
        counts = per_concept[cid]
        peak = max(n / totals[y] for y, n in counts.items())
        rows.append(
            TimelineRow(
                cid,
                label_of(taxonomy, cid),
                families_label(taxonomy, cid),
                tuple(_cell(y, counts.get(y, 0), totals[y], peak) for y in years),
                min(counts),
                sum(counts.values()),
            )
        )
    rows.sort(key=lambda r: (r.first, -r.papers, r.label, r.id))
    return tuple(rows)


def _bursts(
    taxonomy: Taxonomy, per_concept: Mapping[str, Mapping[int, int]], totals: Mapping[int, int]
) -> tuple[tuple[BurstRow, ...], int]:
    """Every burst of every listed concept, strongest first, and how many are not shown.

    Families are left out: the heat map shows them, and with many more papers than any concept
    their bursts would fill the list.
    """
    latest = max(totals)
    found = []
    for cid, counts in per_concept.items():
        if cid not in taxonomy.concepts or taxonomy.concepts[cid].is_family or not listed(taxonomy, cid):
            continue
        for burst in bursts(counts, totals):
            row = BurstRow(
                cid,
                label_of(taxonomy, cid),
                families_label(taxonomy, cid),
                burst.start,
                burst.end,
                f"{burst.strength:.1f}",
                burst.papers,
                burst.end == latest,
            )
            found.append((-burst.strength, burst.start, row.label, cid, row))
    found.sort(key=lambda f: f[:4])
    return tuple(f[4] for f in found[:MAX_BURSTS]), max(0, len(found) - MAX_BURSTS)


def _cell(year: int, papers: int, total: int, top: float) -> YearCell:
    share = papers / total if total else 0.0
    return YearCell(year, papers, percent(papers, total), round(share / top, 3) if top else 0.0)


__all__ = ["BurstRow", "HeatRow", "TimeViews", "TimelineRow", "YearCell", "time_views"]
