"""Burst detection over periods: Kleinberg's two-state automaton for batched counts, as CiteSpace uses it.

Kleinberg ("Bursty and hierarchical structure in streams", KDD 2002, section 4: "enumerating
bursts" of documents that arrive in batches) models a term's papers in each period ``t`` as ``r_t``
of the period's ``d_t`` papers, drawn with probability ``p0 = R / D`` (its share over the whole span)
in the base state and ``p1 = s * p0`` in the burst state. A state costs
``-ln(C(d_t, r_t) p^r_t (1 - p)^(d_t - r_t))`` in each period; entering the burst state costs
``gamma * ln n`` (``n`` periods), leaving it costs nothing. The cheapest state sequence (Viterbi) marks
the burst periods: each run of the burst state is one burst, and its strength is what the burst state
saves over the base state in its periods (Kleinberg's weight; CiteSpace's "strength").

Counts are compared with each period's total, so a concept that only grows with the corpus has no burst.
The binomial coefficient is the same in both states and drops out of every comparison.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

S = 2.0  # the burst state's rate is s times the base rate
GAMMA = 1.0  # the cost of entering the burst state, in units of ln(periods)
_MAX_RATE = 0.9999  # p1 = s * p0 is kept below 1: a share cannot reach 100% in the model


@dataclass(frozen=True, slots=True)
class Burst:
    """A run of periods in the burst state: first and last period, strength, and its papers."""

    start: int
    end: int  # inclusive
    strength: float
    papers: int  # the counts of the burst's periods, summed


def bursts(
    counts: Mapping[int, int], totals: Mapping[int, int], *, s: float = S, gamma: float = GAMMA
) -> tuple[Burst, ...]:
    """The bursts of ``counts`` (papers per period) against ``totals`` (all papers per period), in time order.

    Periods are the keys of ``totals`` (years, say), taken in sorted order whatever the order of the
    mappings; a period missing from ``counts`` counts 0. Raises ``ValueError`` for a count above its
    period's total, a negative count, a count for a period with no total, or ``s <= 1`` or ``gamma < 0``.
    """
    if not (s > 1 and gamma >= 0):
        raise ValueError(f"burst detection needs s > 1 and gamma >= 0, not s={s}, gamma={gamma}")
    extra = sorted(set(counts) - set(totals))
    if extra:
        raise ValueError(f"{extra[0]} has counts but no total")
    periods = sorted(totals)
    series = [(counts.get(t, 0), totals[t]) for t in periods]
    for t, (r, d) in zip(periods, series, strict=True):
        if not 0 <= r <= d:
            raise ValueError(f"{t}: {r} papers of {d}")
    relevant, total = sum(r for r, _ in series), sum(d for _, d in series)
    if len(periods) < 2 or relevant == 0 or relevant == total:
        return ()
    p0 = relevant / total
    p1 = min(s * p0, _MAX_RATE)
    if p1 <= p0:
        return ()
    # What the burst state saves over the base state in each period (negative where it costs more).
    saving = [r * math.log(p1 / p0) + (d - r) * math.log((1 - p1) / (1 - p0)) for r, d in series]
    states = _cheapest_states(saving, gamma * math.log(len(periods)))
    found = []
    t = 0
    while t < len(periods):
        if not states[t]:
            t += 1
            continue
        end = t
        while end + 1 < len(periods) and states[end + 1]:
            end += 1
        found.append(
            Burst(
                start=periods[t],
                end=periods[end],
                strength=sum(saving[t : end + 1]),
                papers=sum(r for r, _ in series[t : end + 1]),
            )
        )
        t = end + 1
    return tuple(found)


def _cheapest_states(saving: list[float], enter: float) -> list[bool]:
    """The cheapest state sequence (True: burst), starting in the base state; ties keep the base state.

    The base state's cost is counted as 0 in every period and the burst state's as ``-saving``: only
    the difference between the two matters to the sequence.
    """
    base, burst = 0.0, math.inf  # the cheapest cost so far ending in each state
    came: list[tuple[bool, bool]] = []  # per period: the previous state of the best path into (base, burst)
    for gain in saving:
        to_base = (False, base) if base <= burst else (True, burst)
        to_burst = (False, base + enter) if base + enter <= burst else (True, burst)
        came.append((to_base[0], to_burst[0]))
        base, burst = to_base[1], to_burst[1] - gain
    state = burst < base
    states = [False] * len(saving)
    for t in range(len(saving) - 1, -1, -1):
        states[t] = state
        state = came[t][1] if state else came[t][0]
    return states
