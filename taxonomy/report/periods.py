"""Whether the years of a corpus can be compared: where each year's papers come from, and which years stand out.

A year is *not comparable* with the others when

- it holds more than ``SIZE_FACTOR`` (3) times the median number of papers of the other years: its
  papers weigh more in every total, and a crawl that grabbed one year whole rarely has the same mix;
- its papers are of another kind than those of most years: most of them are preprints (arXiv,
  bioRxiv ...) while most years' papers are mostly not, or the other way round (when as many years
  are of each kind, the kind with more papers is the usual one). A source is a paper's venue without
  its year ("ICLR submission"), else the file it was read from (``stats.source_of``); a preprint
  source names a preprint server.

Each rule gives one note; the report shows them with the time views.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Mapping
from dataclasses import dataclass

from taxonomy.report.text import percent

SIZE_FACTOR = 3.0
_PREPRINT = re.compile(
    r"\b(?:arxiv|biorxiv|medrxiv|chemrxiv|ssrn|research square|preprints?)\b", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class YearNote:
    """Why a year is not comparable with the others."""

    year: int
    text: str


@dataclass(frozen=True, slots=True)
class YearSource:
    """The source most of a year's papers come from, and its share of them."""

    year: int
    source: str
    share: str


def is_preprint(source: str) -> bool:
    """Whether a source is a preprint server ("arXiv", "bioRxiv", a file named ``arxiv-2025.jsonl``)."""
    return _PREPRINT.search(source) is not None


def main_sources(
    years: tuple[int, ...], year_sources: Mapping[tuple[int, str], int]
) -> tuple[YearSource, ...]:
    """Each year's largest source (ties by name), with its share of the year's papers."""
    by_year: dict[int, dict[str, int]] = {}
    for (year, source), n in year_sources.items():
        if n > 0:
            by_year.setdefault(year, {})[source] = n
    if not any(source for counts in by_year.values() for source in counts):
        return ()  # no paper has a venue or a file: nothing to tell the years apart by
    found = []
    for year in years:
        sources = by_year.get(year, {})
        if not sources:
            continue
        source, n = min(sources.items(), key=lambda kv: (-kv[1], kv[0]))
        found.append(YearSource(year, source or "no venue", percent(n, sum(sources.values()))))
    return tuple(found)


def year_notes(
    totals: Mapping[int, int], year_sources: Mapping[tuple[int, str], int]
) -> tuple[YearNote, ...]:
    """The years that are not comparable with the others, oldest first, a note per reason."""
    years = sorted(y for y, n in totals.items() if n > 0)
    if len(years) < 2:
        return ()
    preprints: dict[int, int] = dict.fromkeys(years, 0)
    names: dict[int, dict[str, int]] = {y: {} for y in years}
    for (year, source), n in year_sources.items():
        if year in preprints and n > 0 and is_preprint(source):
            preprints[year] += n
            names[year][source] = names[year].get(source, 0) + n
    kinds = {y: preprints[y] / totals[y] > 0.5 for y in years}
    preprint_years = sum(kinds.values())
    if 2 * preprint_years != len(years):  # the kind of most years is the usual one
        usual = 2 * preprint_years > len(years)
    else:  # as many years of each kind: the kind with more papers
        usual = 2 * sum(preprints.values()) > sum(totals[y] for y in years)
    notes = []
    for year in years:
        others = [totals[y] for y in years if y != year]
        median = statistics.median(others)
        if totals[year] > SIZE_FACTOR * median:
            notes.append(
                YearNote(
                    year,
                    f"{year} holds {totals[year]:,} dated papers, {totals[year] / median:.1f} times the median "
                    f"of the other years ({median:,.0f}).",
                )
            )
        if kinds[year] != usual:
            rest, rest_pre = sum(others), sum(preprints[y] for y in years if y != year)
            notes.append(
                YearNote(year, _kind_note(year, preprints, totals, rest_pre, rest, names, kinds[year]))
            )
    return tuple(notes)


def _kind_note(
    year: int,
    preprints: Mapping[int, int],
    totals: Mapping[int, int],
    rest_pre: int,
    rest: int,
    names: Mapping[int, Mapping[str, int]],
    mine: bool,
) -> str:
    share, other = percent(preprints[year], totals[year]), percent(rest_pre, rest)
    if mine:
        top = sorted(names[year].items(), key=lambda kv: (-kv[1], kv[0]))[:2]
        where = ", ".join(source for source, _ in top)
        return (
            f"{share} of the papers of {year} are preprints ({where}), against {other} of the other years': "
            "a preprint feed and the papers of conferences and journals do not cover the same work."
        )
    return (
        f"{share} of the papers of {year} are preprints, against {other} of the other years': "
        "the papers of conferences and journals and a preprint feed do not cover the same work."
    )
