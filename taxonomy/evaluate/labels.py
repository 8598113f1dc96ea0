"""Score tagged papers against complete gold labels: precision, recall and F1, every error explained.

Gold papers are matched to input papers by normalised title, else by ``n`` (1-based position in the
input). Scores are micro-averaged over papers: a predicted label in the required list is a true
positive, one in neither list a false positive, a required label not predicted a false negative.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from taxonomy.evaluate.gold import TASKS, GoldPaper
from taxonomy.models import TaggedPaper
from taxonomy.rules import Taxonomy


@dataclass
class Score:
    """True positives, false positives and false negatives, with the derived measures."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """tp / (tp + fp); 1.0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn); 1.0 when nothing was required."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True, slots=True)
class PaperError:
    """A family wrongly predicted (``fp``) or missed (``fn``) for one paper in one task."""

    task: str
    kind: str  # "fp" | "fn"
    family: str
    title: str
    evidence: tuple[str, ...]  # mentions behind a false positive, or those that fell short for a miss


@dataclass
class Evaluation:
    """Scores per task overall and per family, the errors, and gold papers not found in the input."""

    papers: int = 0
    overall: dict[str, Score] = field(default_factory=lambda: {t: Score() for t in TASKS})
    by_family: dict[str, dict[str, Score]] = field(default_factory=lambda: {t: {} for t in TASKS})
    errors: list[PaperError] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    tasks: tuple[str, ...] = TASKS


def normalise_title(title: str) -> str:
    """Lowercase letters and digits only, so small formatting differences do not matter."""
    return re.sub(r"[^0-9a-z]+", "", title.lower())


def evaluate(tagged: Iterable[TaggedPaper], gold: Sequence[GoldPaper], taxonomy: Taxonomy) -> Evaluation:
    """Score the tagged papers that gold labels exist for."""
    papers = list(tagged)
    by_title = {normalise_title(tp.paper.title): tp for tp in papers}
    result = Evaluation()
    result.tasks = tuple(t for t in TASKS if any(t in g.required for g in gold))
    for item in gold:
        tp = by_title.get(normalise_title(item.title)) if item.title else None
        if tp is None and item.n is not None and 0 < item.n <= len(papers):
            tp = papers[item.n - 1]
        if tp is None:
            result.unmatched.append(item.title or f"n={item.n}")
            continue
        result.papers += 1
        for task in result.tasks:
            if task in item.required:
                _score(result, task, tp, item, taxonomy)
    return result


def _score(result: Evaluation, task: str, tp: TaggedPaper, item: GoldPaper, taxonomy: Taxonomy) -> None:
    predicted = set(tp.families_primary if task == "primary" else tp.families_mentioned)
    required, optional = item.required[task], item.optional[task]
    overall = result.overall[task]
    for family in sorted(predicted | required):
        score = result.by_family[task].setdefault(family, Score())
        if family in predicted and family in required:
            overall.tp += 1
            score.tp += 1
        elif family in predicted and family not in optional:
            overall.fp += 1
            score.fp += 1
            result.errors.append(
                PaperError(task, "fp", family, tp.paper.title, evidence(tp, family, taxonomy))
            )
        elif family in required and family not in predicted:
            overall.fn += 1
            score.fn += 1
            result.errors.append(
                PaperError(task, "fn", family, tp.paper.title, evidence(tp, family, taxonomy))
            )


def evidence(tp: TaggedPaper, family: str, taxonomy: Taxonomy) -> tuple[str, ...]:
    scores = dict(tp.family_scores)
    out = [f"score {scores[family]:g}"] if family in scores else ["no mention"]
    for m in tp.mentions:
        if family in taxonomy.concepts[m.concept].families:
            cue = f", cue {m.cue!r}" if m.cue else ""
            out.append(f'{m.field} "{m.text}" as {m.role} ({m.rule}{cue})')
    return tuple(out)


def format_evaluation(result: Evaluation, *, errors: bool = True) -> str:
    """A plain-text report: overall and per-family scores, then each error with its evidence."""
    lines = [f"Scored {result.papers} papers."]
    if result.unmatched:
        lines.append(
            f"{len(result.unmatched)} gold papers not found in the input: " + "; ".join(result.unmatched[:5])
        )
    lines.append("")
    lines.append(f"{'task':<10} {'precision':>9} {'recall':>7} {'F1':>6}   tp  fp  fn")
    for task in result.tasks:
        s = result.overall[task]
        lines.append(
            f"{task:<10} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f}  {s.tp:>3} {s.fp:>3} {s.fn:>3}"
        )
    for task in result.tasks:
        lines.append("")
        lines.append(f"{task} by family:")
        for family, s in sorted(result.by_family[task].items()):
            lines.append(
                f"  {family:<12} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f}  {s.tp:>3} {s.fp:>3} {s.fn:>3}"
            )
    if errors and result.errors:
        lines.append("")
        lines.append("Errors:")
        for e in result.errors:
            what = "false positive" if e.kind == "fp" else "missed"
            lines.append(f"  [{e.task}] {what} {e.family}: {e.title}")
            lines.extend(f"      {ev}" for ev in e.evidence)
    return "\n".join(lines)
