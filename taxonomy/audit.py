"""A seeded random sample of primary tags, per family, with the evidence behind each, to judge by hand.

Scores against gold labels say how the tagger does on labelled papers; a user's own corpus has no
labels. Reading a sample of what the tagger called each family's papers is how a survey author finds
out whether those tags can be trusted: the sample is drawn per family (every family gets the same
number, so small families are not drowned by large ones), with a fixed seed so that it can be drawn
again, and printed as a Markdown checklist to mark right or wrong.
"""

from __future__ import annotations

import random
import textwrap
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from taxonomy.models import TaggedPaper
from taxonomy.rules import Taxonomy
from taxonomy.tag.decide import contributions


@dataclass(frozen=True, slots=True)
class AuditItem:
    """One primary tag to judge: the family, the paper, and the mentions behind the tag."""

    family: str
    paper_id: str
    title: str
    score: float
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Audit:
    """The sample, and how many papers each family was primary in."""

    items: tuple[AuditItem, ...]
    primary_counts: dict[str, int]
    per_family: int
    seed: int


def draw(tagged: Iterable[TaggedPaper], taxonomy: Taxonomy, *, per_family: int = 18, seed: int = 1) -> Audit:
    """Draw up to ``per_family`` primary tags of each family, at random with ``seed``."""
    by_family: dict[str, list[TaggedPaper]] = defaultdict(list)
    for tp in tagged:
        for family in tp.families_primary:
            by_family[family].append(tp)
    items: list[AuditItem] = []
    for family in sorted(by_family):
        papers = by_family[family]
        rng = random.Random(f"{seed}:{family}")  # noqa: S311 (a sample to read, not a secret)
        chosen = rng.sample(papers, min(per_family, len(papers)))
        items.extend(_item(tp, family, taxonomy) for tp in chosen)
    counts = {family: len(papers) for family, papers in sorted(by_family.items())}
    return Audit(tuple(items), counts, per_family, seed)


def _item(tp: TaggedPaper, family: str, taxonomy: Taxonomy) -> AuditItem:
    entries = contributions(taxonomy, tp.mentions)[family]
    evidence = []
    for weight, m in entries:
        cue = f", cue '{m.cue}'" if m.cue else ""
        sentence = textwrap.shorten(m.sentence, 240, placeholder=" ...")
        evidence.append(f'{m.field} "{m.text}" as {m.role} ({weight:g}{cue}): {sentence}')
    return AuditItem(family, tp.paper.id, tp.paper.title, dict(tp.family_scores)[family], tuple(evidence))


def format_audit(audit: Audit, *, evidence: int = 3) -> str:
    """The sample as a Markdown checklist, family by family, with the strongest mentions."""
    lines = [
        f"# Primary tags to check: up to {audit.per_family} a family, seed {audit.seed}",
        "",
        "Mark each tag right (`[x]`) or wrong (`[-]`) by reading the title and the evidence.",
    ]
    for family, count in audit.primary_counts.items():
        items = [i for i in audit.items if i.family == family]
        lines += ["", f"## {family} ({len(items)} of {count} papers with it primary)", ""]
        for n, item in enumerate(items, 1):
            lines.append(f"{n}. [ ] {_escape(item.title)} (`{item.paper_id}`, score {item.score:g})")
            lines.extend(f"    - {_escape(e)}" for e in item.evidence[:evidence])
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    """Text that Markdown shows as written (no links, emphasis or HTML from paper titles)."""
    for ch in "\\`*_[]<>|#":
        text = text.replace(ch, "\\" + ch)
    return text
