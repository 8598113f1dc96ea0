"""Score tagged papers against list gold: is the listed family among the paper's primary families?

A list label says only that a paper belongs to one family, so the measures are recall (of the listed
family among the primary families, and among the mentioned ones) and the mean number of primary
families a paper, a guard against tagging everything. They are reported for all papers, for each part
of the fixed split (``split.py``), for titles alone and papers with an abstract, and per family; every
miss is listed with its evidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from taxonomy.evaluate.gold import ListPaper
from taxonomy.evaluate.labels import evidence, normalise_title
from taxonomy.evaluate.split import PARTS, Part, split
from taxonomy.models import TaggedPaper
from taxonomy.rules import Taxonomy

#: The rows of the summary table, in order: every paper, the two parts, then by what the paper has.
GROUPS = ("all", *PARTS, "title only", "with abstract")


@dataclass
class Tally:
    """Papers counted, hits among primary and mentioned families, and primary families in all."""

    papers: int = 0
    primary: int = 0
    mentioned: int = 0
    primaries: int = 0

    @property
    def recall(self) -> float:
        """Share of papers whose listed family is primary."""
        return self.primary / self.papers if self.papers else 0.0

    @property
    def recall_mentioned(self) -> float:
        """Share of papers whose listed family is at least mentioned."""
        return self.mentioned / self.papers if self.papers else 0.0

    @property
    def per_paper(self) -> float:
        """Mean number of primary families a paper."""
        return self.primaries / self.papers if self.papers else 0.0

    def add(self, hit: bool, mentioned: bool, primaries: int) -> None:
        """Count one paper."""
        self.papers += 1
        self.primary += hit
        self.mentioned += mentioned
        self.primaries += primaries


@dataclass(frozen=True, slots=True)
class Miss:
    """A paper whose listed family is not among its primary families, with the evidence."""

    family: str
    title: str
    list: str
    part: Part
    has_abstract: bool
    primary: tuple[str, ...]  # what the paper was tagged with instead
    evidence: tuple[str, ...]


@dataclass
class ListEvaluation:
    """Recall and primary families a paper, by group and by family, and every miss."""

    name: str
    groups: dict[str, Tally] = field(default_factory=lambda: {g: Tally() for g in GROUPS})
    by_family: dict[str, dict[str, Tally]] = field(default_factory=dict)
    misses: list[Miss] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)


def evaluate_lists(
    tagged: Iterable[TaggedPaper],
    gold: Sequence[ListPaper],
    taxonomy: Taxonomy,
    *,
    name: str = "",
    part: Part | None = None,
) -> ListEvaluation:
    """Score the tagged papers the list gold names; with ``part``, only that part of the split."""
    by_title = {normalise_title(tp.paper.title): tp for tp in tagged}
    parts = split(gold)
    result = ListEvaluation(name)
    for item in gold:
        item_part = parts[item.line]
        if part is not None and item_part != part:
            continue
        tp = by_title.get(normalise_title(item.title))
        if tp is None:
            result.unmatched.append(item.title)
            continue
        hit = item.family in tp.families_primary
        mentioned = item.family in tp.families_mentioned
        kind = "with abstract" if item.abstract else "title only"
        for group in ("all", item_part, kind):
            result.groups[group].add(hit, mentioned, len(tp.families_primary))
        families = result.by_family.setdefault(item.family, {g: Tally() for g in ("all", *PARTS)})
        for group in ("all", item_part):
            families[group].add(hit, mentioned, len(tp.families_primary))
        if not hit:
            result.misses.append(
                Miss(
                    item.family,
                    item.title,
                    item.list,
                    item_part,
                    bool(item.abstract),
                    tp.families_primary,
                    evidence(tp, item.family, taxonomy),
                )
            )
    return result


def format_list_evaluation(result: ListEvaluation, *, errors: bool = True) -> str:
    """A plain-text report: recall and primary families a paper by group and family, then the misses."""
    every = result.groups["all"]
    with_abstract = result.groups["with abstract"].papers
    lines = [
        f"Scored {every.papers} listed papers{' of ' + result.name if result.name else ''} "
        f"({with_abstract} with an abstract): recall of the listed family.",
        "",
        f"{'papers':<14} {'count':>6} {'primary':>8} {'mentioned':>10} {'primary/paper':>14}",
    ]
    for group in GROUPS:
        t = result.groups[group]
        if t.papers:
            lines.append(
                f"{group:<14} {t.papers:>6} {t.recall:>8.3f} {t.recall_mentioned:>10.3f} {t.per_paper:>14.2f}"
            )
    if result.unmatched:
        lines.append(
            f"{len(result.unmatched)} gold papers not found in the input: " + "; ".join(result.unmatched[:5])
        )
    lines += ["", "recall among primary families, by listed family:"]
    lines.append(f"  {'family':<14} {'papers':>6} {'all':>6} {'tuning':>7} {'checking':>9} {'mentioned':>10}")
    for family, tallies in sorted(result.by_family.items()):
        a, tune, check = tallies["all"], tallies["tuning"], tallies["checking"]
        cells = [f"{x.recall:.3f}" if x.papers else "-" for x in (tune, check)]
        lines.append(
            f"  {family:<14} {a.papers:>6} {a.recall:>6.3f} {cells[0]:>7} {cells[1]:>9} {a.recall_mentioned:>10.3f}"
        )
    if errors and result.misses:
        lines += ["", "Missed (the listed family is not primary):"]
        for m in result.misses:
            got = ", ".join(m.primary) or "none"
            text = "title and abstract" if m.has_abstract else "title only"
            lines.append(f"  [{m.family}] {m.title}")
            lines.append(f"      {m.list} ({m.part}; {text}); primary: {got}")
            lines.extend(f"      {ev}" for ev in m.evidence)
    return "\n".join(lines)
