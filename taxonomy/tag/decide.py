"""The primary-family decision: mentions weighted by field and role, summed with decay per family."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from taxonomy.models import ROLES, ConceptHit, Mention, Paper, TaggedPaper
from taxonomy.rules import Taxonomy

ROLE_RANK = {role: i for i, role in enumerate(ROLES)}


def mention_weight(taxonomy: Taxonomy, mention: Mention) -> float:
    """How much a mention counts towards its families, by field and role (from scoring.yaml)."""
    return taxonomy.scoring.weights[mention.field][mention.role]


def contributions(taxonomy: Taxonomy, mentions: Iterable[Mention]) -> dict[str, list[tuple[float, Mention]]]:
    """Each family's weighted mentions, strongest first (the order the decay is applied in)."""
    out: dict[str, list[tuple[float, Mention]]] = defaultdict(list)
    for mention in mentions:
        weight = mention_weight(taxonomy, mention)
        for family in taxonomy.concepts[mention.concept].families:
            out[family].append((weight, mention))
    for entries in out.values():
        entries.sort(key=lambda e: -e[0])
    return dict(out)


def decayed(weights: Iterable[float], decay: float) -> float:
    """Sum of weights, strongest first, the i-th one scaled by decay**i."""
    return sum(w * decay**i for i, w in enumerate(sorted(weights, reverse=True)))


def decide(taxonomy: Taxonomy, paper: Paper, mentions: tuple[Mention, ...]) -> TaggedPaper:
    """Score families from the mentions and pick the primary ones (weights from scoring.yaml)."""
    scoring = taxonomy.scoring
    family_scores = {
        family: decayed((w for w, _ in entries), scoring.repeat_decay)
        for family, entries in contributions(taxonomy, mentions).items()
    }
    top = max(family_scores.values(), default=0.0)
    primary = tuple(
        sorted(
            f
            for f, score in family_scores.items()
            if score >= scoring.min_score and score >= scoring.min_share * top
        )
    )
    by_concept: dict[str, list[Mention]] = defaultdict(list)
    for mention in mentions:
        by_concept[mention.concept].append(mention)
    hits = tuple(
        ConceptHit(
            concept=cid,
            count=len(ms),
            score=round(decayed((mention_weight(taxonomy, m) for m in ms), scoring.repeat_decay), 3),
            role=min((m.role for m in ms), key=ROLE_RANK.__getitem__),
        )
        for cid, ms in sorted(by_concept.items())
    )
    return TaggedPaper(
        paper=paper,
        mentions=mentions,
        concepts=hits,
        families_primary=primary,
        families_mentioned=tuple(sorted(family_scores)),
        family_scores=tuple((f, round(s, 3)) for f, s in sorted(family_scores.items())),
    )
