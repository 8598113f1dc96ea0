"""Rank the candidates of one pass: those with a proposed parent first, then those that fit no family."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from taxonomy.models import Paper
from taxonomy.suggest import words as W
from taxonomy.suggest.abbrev import norm
from taxonomy.suggest.place import kind_of, known, place
from taxonomy.suggest.scan import _key_plural, _Scanner, _Tally
from taxonomy.tag import Tagger


@dataclass(frozen=True, slots=True)
class Candidate:
    """A name the rules do not cover, with the evidence for adding it."""

    name: str  # the most frequent spelling (singular when one was seen)
    variants: tuple[str, ...]  # every spelling seen, most frequent first, long forms last
    papers: int
    score: float
    parent: str | None  # proposed parent concept id, None when the name fits no family
    examples: tuple[tuple[str, str], ...]  # (paper id, sentence), method-like uses first
    long_form: str = ""  # the expansion given in a definition such as "Gated Linear Attention (GLA)"
    sentences: int = 0  # sentences naming it
    votes: int = 0  # of those, sentences naming the parent (or a concept below it) near the name
    method_uses: int = 0  # occurrences in a method context
    data_uses: int = 0  # occurrences in a data context
    kind: str = ""  # "optimizer", "metric" or "visualization": a tool that fits no family
    why: str = ""  # why no parent is proposed (empty when one is)


def suggest(
    papers: Iterable[Paper],
    tagger: Tagger,
    *,
    min_papers: int = 3,
    top: int = 20,
    others: int = 10,
    max_tallies: int = 200_000,
) -> list[Candidate]:
    """Candidate concepts in the papers that no rule matches.

    First the candidates with a proposed parent, best first (at most ``top``), then those that fit no
    family, best first (at most ``others``; 0 for none).
    """
    scan = _Scanner(tagger.taxonomy)
    for index, tagged in enumerate(tagger.tag_stream(papers)):
        scan.paper(index, tagged.paper, tagged.mentions)
        if len(scan.tallies) > max_tallies:
            scan.prune()
    kept = {key: t for key, t in scan.tallies.items() if scan.keep(key, t, min_papers)}
    # "energy-based model", "Expectation-Maximization": already there as the long form of EBM, EM.
    defined = {norm(lf) for t in kept.values() for lf in t.long_forms}
    ranked = sorted(
        (
            _candidate(scan, key, t, min(2, min_papers))
            for key, t in kept.items()
            if t.long_forms or norm(key) not in defined
        ),
        key=lambda c: (-c.score, -c.papers, c.name),
    )
    placed: list[Candidate] = []
    unplaced: list[Candidate] = []
    for candidate in ranked:
        into, limit = (placed, top) if candidate.parent else (unplaced, others)
        if len(into) < limit and not any(known(tagger, v) for v in candidate.variants):
            into.append(candidate)
        if len(placed) >= top and len(unplaced) >= others:
            break
    return placed + unplaced


def _candidate(scan: _Scanner, key: str, tally: _Tally, papers: int) -> Candidate:
    """The public value for one tally, with its score and proposed parent (on ``papers`` papers' evidence)."""
    taxonomy = scan.taxonomy
    groups = max(1, len(scan.groups))
    spread = len(tally.groups) / min(tally.papers, groups)
    forms = sorted(tally.forms.items(), key=lambda f: (_key_plural(f[0], key), -f[1], f[0]))
    longs = [lf for lf, _ in sorted(tally.long_forms.items(), key=lambda f: (-f[1], f[0]))]
    kind = kind_of(key, tally.kinds, tally.sentences)
    evidence = tally.evidence()
    where = place(
        taxonomy,
        evidence.votes,
        evidence.voters,
        evidence.sentences,
        kind=kind,
        # "VL tasks", "VL benchmarks" nearly as often as "VL models": a domain more than a method.
        method_papers=tally.method_papers if 2 * tally.data <= tally.method else 0,
        papers=papers,
    )
    related = 0.5 + 0.5 * min(1.0, where.share / (2 * W.MIN_SHARE))
    return Candidate(
        name=forms[0][0],
        variants=tuple([f for f, _ in forms] + longs[:3]),
        papers=tally.papers,
        score=round(tally.papers * (0.5 + 0.5 * spread) * related, 2),
        parent=where.parent,
        examples=tuple((pid, sentence) for _, _, pid, sentence in tally.examples),
        long_form=longs[0] if longs else "",
        sentences=evidence.sentences,
        votes=where.votes,
        method_uses=tally.method,
        data_uses=tally.data,
        kind=kind,
        why=where.why,
    )
