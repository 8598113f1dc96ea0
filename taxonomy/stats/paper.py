"""What the fold reads off one paper: its example per family, what it is about, where it comes from."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from taxonomy.models import Mention, Paper, TaggedPaper
from taxonomy.rules import Taxonomy
from taxonomy.stats.samples import Example
from taxonomy.stats.table import family_rank, link_of, strength


def examples_of(tp: TaggedPaper, taxonomy: Taxonomy, tiers: Mapping[str, int]) -> list[tuple[str, Example]]:
    """The strongest mention of each family the paper names, as a ranked example of the family."""
    scores = dict(tp.family_scores)
    best: dict[str, Mention] = {}
    for mention in tp.mentions:
        for family in taxonomy.concepts[mention.concept].families:
            if family not in best or strength(mention) < strength(best[family]):
                best[family] = mention
    found = []
    for family, mention in sorted(best.items()):
        primary = family in tp.families_primary
        score = scores.get(family, 0.0)
        tier = tiers.get(family, 2)
        example = Example(
            rank=family_rank(tier, primary, score, tp.paper.id),
            paper_id=tp.paper.id,
            title=tp.paper.title,
            year=tp.paper.year,
            primary=primary,
            score=score,
            concept=mention.concept,
            role=mention.role,
            field=mention.field,
            sentence=mention.sentence,
            start=mention.start - mention.sentence_start,
            end=mention.end - mention.sentence_start,
            tier=tier,
            link=link_of(tp.paper),
        )
        found.append((family, example))
    return found


def is_about(cid: str, direct: dict[str, Any], primary: set[str], taxonomy: Taxonomy) -> bool:
    """A concept is part of what a paper is about when its family is primary and it is not only compared."""
    concept = taxonomy.concepts[cid]
    if not set(concept.families) & primary:
        return False
    if concept.is_family:
        return True
    hit = direct.get(cid)
    return hit is None or hit.role != "compares"


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


def source_of(paper: Paper) -> str:
    """Where a paper comes from, to compare periods: its venue without the year ("ICLR submission"
    for "ICLR 2021 submission"), else the input file it was read from."""
    venue = " ".join(_YEAR.sub(" ", paper.venue).split())
    if venue:
        return venue
    where = paper.source.rpartition(":")[0] if ":" in paper.source else paper.source
    return where.replace("\\", "/").rsplit("/", 1)[-1]


def reason_kind(reason: str) -> str:
    """The kind of a reject reason: its text up to the first colon or parenthesis."""
    return reason.split(":")[0].split("(")[0].strip() or reason
