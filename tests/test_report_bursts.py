"""Kleinberg's burst detection over yearly counts (taxonomy/report/bursts.py), on hand-made series."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taxonomy.report.bursts import Burst, bursts

YEARS = range(2015, 2025)


def _totals(n: int = 100) -> dict[int, int]:
    return dict.fromkeys(YEARS, n)


def test_a_flat_series_has_no_burst() -> None:
    assert bursts(dict.fromkeys(YEARS, 10), _totals()) == ()


def test_a_series_growing_with_the_corpus_has_no_burst() -> None:
    totals = {year: 100 * (i + 1) for i, year in enumerate(YEARS)}
    assert bursts({year: n // 10 for year, n in totals.items()}, totals) == ()


def test_no_papers_no_burst() -> None:
    assert bursts({}, _totals()) == ()
    assert bursts(dict.fromkeys(YEARS, 0), _totals()) == ()


def test_a_clear_spike_is_one_burst_with_its_years_papers_and_strength() -> None:
    counts = dict.fromkeys(YEARS, 2) | {2019: 30, 2020: 35}
    (burst,) = bursts(counts, _totals())
    assert (burst.start, burst.end, burst.papers) == (2019, 2020, 65)
    # The weight of the burst: what state 1 saves over state 0 in its years (binomial costs).
    p0 = sum(counts.values()) / 1000
    p1 = 2 * p0
    saved = sum(
        r * math.log(p1 / p0) + (100 - r) * math.log((1 - p1) / (1 - p0))
        for r in (counts[2019], counts[2020])
    )
    assert burst.strength == pytest.approx(saved)
    assert burst.strength > 0


def test_a_spike_at_the_end_runs_to_the_last_year() -> None:
    counts = dict.fromkeys(YEARS, 1) | {2023: 25, 2024: 40}
    assert [(b.start, b.end) for b in bursts(counts, _totals())] == [(2023, 2024)]


def test_two_spikes_are_two_bursts_in_time_order() -> None:
    counts = dict.fromkeys(YEARS, 1) | {2016: 30, 2022: 30}
    found = bursts(counts, _totals())
    assert [(b.start, b.end, b.papers) for b in found] == [(2016, 2016, 30), (2022, 2022, 30)]
    assert found[0].strength == pytest.approx(found[1].strength)


def test_a_share_spike_counts_not_a_count_spike() -> None:
    # 2019 has as many papers as any year, but a corpus ten times smaller: its share is the burst.
    totals = _totals(1000) | {2019: 100}
    counts = dict.fromkeys(YEARS, 10)
    assert [(b.start, b.end) for b in bursts(counts, totals)] == [(2019, 2019)]
    # A count spike that only follows a larger corpus is none.
    assert bursts(dict.fromkeys(YEARS, 10) | {2019: 100}, _totals(100) | {2019: 1000}) == ()


def test_a_higher_gamma_makes_bursts_harder_to_enter() -> None:
    counts = dict.fromkeys(YEARS, 2) | {2019: 9}
    assert bursts(counts, _totals(), gamma=0.5) != ()
    assert bursts(counts, _totals(), gamma=4.0) == ()


def test_a_larger_s_asks_for_a_larger_rise() -> None:
    counts = dict.fromkeys(YEARS, 10) | {2019: 22}
    assert [(b.start, b.end) for b in bursts(counts, _totals(), s=2)] == [(2019, 2019)]
    assert bursts(counts, _totals(), s=4) == ()


def test_the_result_does_not_depend_on_the_order_of_the_years() -> None:
    counts = dict.fromkeys(YEARS, 1) | {2018: 20, 2019: 25, 2023: 18}
    totals = {year: 80 + 7 * (year % 3) for year in YEARS}
    expected = bursts(counts, totals)
    assert expected
    for seed in range(5):
        order = list(YEARS)
        random.Random(seed).shuffle(order)
        shuffled_totals = {year: totals[year] for year in order}
        shuffled_counts = {year: counts[year] for year in reversed(order)}
        assert bursts(shuffled_counts, shuffled_totals) == expected


def test_years_missing_from_counts_count_as_zero() -> None:
    assert bursts({2019: 30, 2020: 35}, _totals()) == bursts(
        dict.fromkeys(YEARS, 0) | {2019: 30, 2020: 35}, _totals()
    )


def test_a_concept_in_every_paper_has_no_burst() -> None:
    assert bursts(_totals(), _totals()) == ()


def test_fewer_than_two_periods_have_no_burst() -> None:
    assert bursts({2020: 5}, {2020: 10}) == ()
    assert bursts({}, {}) == ()


@pytest.mark.parametrize(
    ("counts", "totals", "message"),
    [
        ({2020: 11}, {2020: 10, 2021: 10}, "2020: 11 papers of 10"),
        ({2020: -1}, {2020: 10, 2021: 10}, "2020: -1 papers of 10"),
        ({2019: 1}, {2020: 10, 2021: 10}, "2019 has counts but no total"),
    ],
)
def test_impossible_counts_are_an_error(counts: dict[int, int], totals: dict[int, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        bursts(counts, totals)


@pytest.mark.parametrize(("s", "gamma"), [(1.0, 1.0), (0.5, 1.0), (2.0, -1.0)])
def test_bad_parameters_are_an_error(s: float, gamma: float) -> None:
    with pytest.raises(ValueError, match="s > 1 and gamma >= 0"):
        bursts({2020: 1}, {2020: 10, 2021: 10}, s=s, gamma=gamma)


@given(
    st.lists(st.tuples(st.integers(1, 200), st.integers(0, 200)), min_size=2, max_size=12),
    st.randoms(use_true_random=False),
)
def test_bursts_are_disjoint_ordered_and_inside_the_span(
    pairs: list[tuple[int, int]], rnd: random.Random
) -> None:
    totals = {2000 + i: d for i, (d, _) in enumerate(pairs)}
    counts = {2000 + i: min(r, d) for i, (d, r) in enumerate(pairs)}
    found = bursts(counts, totals)
    years = sorted(totals)
    previous_end = years[0] - 1
    for burst in found:
        assert isinstance(burst, Burst)
        assert previous_end < burst.start <= burst.end <= years[-1]
        assert burst.papers == sum(counts[y] for y in years if burst.start <= y <= burst.end)
        previous_end = burst.end
    keys = list(totals)
    rnd.shuffle(keys)
    assert bursts(counts, {k: totals[k] for k in keys}) == found
