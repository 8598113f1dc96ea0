"""Explain a tagging decision: every mention with its role, rule and sentence, and the family scores."""

from __future__ import annotations

from taxonomy.models import TaggedPaper
from taxonomy.rules import Taxonomy
from taxonomy.tag import contributions, decayed
from taxonomy.tag.decide import involved


def explain(tp: TaggedPaper, taxonomy: Taxonomy) -> str:
    """A plain-text account of how a paper was tagged."""
    paper = tp.paper
    concepts = taxonomy.concepts
    scoring = taxonomy.scoring
    lines = [f"{paper.id}: {paper.title}" if paper.id else paper.title or "(text)"]
    if paper.source:
        lines.append(f"  from {paper.source}")
    lines.append("")
    if not tp.mentions:
        lines.append("No concept of the rules is named in this text, so it has no family.")
        return "\n".join(lines)
    lines.append("Mentions:")
    evaluation = {p.lower() for p in taxonomy.cues.evaluation + taxonomy.cues.reports}
    workload_cues = {
        p.lower() for p, role in taxonomy.cues.before + taxonomy.cues.after if role == "mentions"
    }
    for m in tp.mentions:
        if not m.cue:
            cue = " (no cue in reach)"
        elif m.role == "mentions" and (m.cue.lower() in workload_cues or taxonomy.cues.applied_to(m.cue)):
            cue = f" (cue '{m.cue}': a task or a workload)"
        elif m.role == "mentions" and m.cue.lower() in evaluation:
            cue = f" (a workload: named in a report of experiments ('{m.cue}'))"
        elif m.role == "mentions":
            cue = f" (cue '{m.cue}' not counted: the sentence is about other work)"
        else:
            cue = f" (cue: '{m.cue}')"
        concept = concepts[m.concept]
        if m.field == "abstract" and concept.names_a_workload:
            kind = "a task" if concept.task else "a reference model methods are shown on"
            cue += f"; {kind}, so in an abstract it counts 0"
        families = ", ".join(concept.families)
        lines.append(
            f"  {m.field} [{m.start}:{m.end}] '{m.text}' -> {concept.label} [{families}]"
        )
        builds = f"; {concepts[m.head].label} builds on it" if m.head else ""
        lines.append(f"      role {m.role}{cue}; rule {m.rule}{builds}")
        lines.append(f'      "{_clip(m.sentence)}"')
    lines.append("")
    lines.append("Family scores (weight of one mention by field and role:")
    for field, roles in scoring.weights.items():
        lines.append(f"  {field}: " + ", ".join(f"{role} {weight:g}" for role, weight in roles.items()) + ";")
    lines.append(
        f"  the n-th strongest mention of a family counts {scoring.repeat_decay:g}^(n-1) of its weight):"
    )
    scores = contributions(taxonomy, tp.mentions)
    totals = {f: decayed((w for w, _ in e), scoring.repeat_decay) for f, e in scores.items()}
    top = max(totals.values(), default=0.0)
    threshold = max(scoring.min_score, scoring.min_share * top)
    # With mentions_alone off, a family named only in passing does not reach the minimum.
    passing = {
        f for f, e in scores.items() if not scoring.mentions_alone and not any(involved(m) for _, m in e)
    }
    reached = [f for f, total in totals.items() if total >= threshold and f not in passing]
    for family in sorted(scores, key=lambda f: -totals[f]):
        entries, total = scores[family], totals[family]
        parts = " + ".join(
            f"{w:g}*{scoring.repeat_decay:g}^{i}" if i else f"{w:g}" for i, (w, _) in enumerate(entries)
        )
        verdict = "primary" if family in tp.families_primary else "mentioned"
        if family in passing and total >= threshold:
            verdict += " (named only in passing: it does not reach the minimum)"
        lines.append(f"  {family:<12} {total:7.3f} = {parts}  -> {verdict}")
    lines.append("")
    rule = (
        f"Primary: score >= {scoring.min_score:g} and >= {scoring.min_share:g} x the top score {top:g} "
        f"(so >= {threshold:g})"
    )
    if scoring.fallback and top > 0 and not reached:
        rule += f"; none reaches {scoring.min_score:g}, so the top-scoring family"
    lines.append(f"{rule}: {', '.join(tp.families_primary) or 'none'}")
    lines.append(f"Mentioned: {', '.join(tp.families_mentioned)}")
    return "\n".join(lines)


def _clip(sentence: str, width: int = 220) -> str:
    return sentence if len(sentence) <= width else sentence[: width - 3] + "..."
