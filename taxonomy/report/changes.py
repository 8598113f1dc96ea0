"""Compare this run with the previous one: what the "Since the last run" section shows.

The previous run is known only by the ``summary.json`` it left (``pipeline.summary_data``): corpus
counts, papers per family and concept, and relation counts. ``read_previous`` checks its shape and
gives ``None`` for anything else (another tool's file, a damaged one), so the section is left out
rather than the report failing. ``compare`` lists new concepts, concepts no longer seen, new
relations and the largest moves, each sorted explicitly so the same two runs give the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from taxonomy.report.data import Changes, ConceptChange, NewConcept, NewRelation
from taxonomy.report.text import percent
from taxonomy.rules import Taxonomy
from taxonomy.stats import CorpusStats

MAX_NEW = 15
MAX_GONE = 15
MAX_MOVES = 10
MIN_BEFORE_RELATIVE = 5  # relative moves of concepts with fewer papers before are mostly noise


@dataclass(frozen=True, slots=True)
class PreviousRun:
    """What a previous run's summary.json says, checked."""

    papers: int
    tagged: int
    rules_version: str
    concepts: Mapping[str, int]  # papers per concept and family (families included)
    relations: Mapping[tuple[str, str, str], int]


def read_previous(summary: Mapping[str, Any] | None) -> PreviousRun | None:
    """The previous run from its summary.json data, or None when it does not have the expected shape."""
    if not isinstance(summary, Mapping):
        return None
    try:
        corpus = summary["corpus"]
        concepts: dict[str, int] = {}
        for group in ("families", "concepts"):
            for cid, counts in summary[group].items():
                concepts[str(cid)] = _count(counts["papers"])
        relations: dict[tuple[str, str, str], int] = {}
        for rel in summary["relations"]:
            key = (str(rel["relation"]), str(rel["source"]), str(rel["target"]))
            relations[key] = _count(rel["count"])
        version = summary.get("rules", {}).get("version", "")
        return PreviousRun(
            _count(corpus["papers"]), _count(corpus["tagged"]), str(version), concepts, relations
        )
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"not a count: {value!r}")
    return value


def compare(taxonomy: Taxonomy, stats: CorpusStats, previous: PreviousRun) -> Changes:
    """What changed between the previous run and this one."""
    now = {cid: n for cid, n in stats.concept_papers.items() if n > 0}
    before = {cid: n for cid, n in previous.concepts.items() if n > 0}
    new = sorted((c for c in now if c not in before), key=lambda c: (-now[c], _label(taxonomy, c), c))
    gone = sorted((c for c in before if c not in now), key=lambda c: (-before[c], _label(taxonomy, c), c))
    relations = {key: n for key, n in stats.relations.items() if n > 0}
    new_relations = sorted(
        (key for key in relations if previous.relations.get(key, 0) <= 0),
        key=lambda k: (-relations[k], k[0], _label(taxonomy, k[1]), _label(taxonomy, k[2]), k),
    )
    moves = [_change(taxonomy, c, before.get(c, 0), now.get(c, 0)) for c in sorted(set(now) | set(before))]
    moves = [m for m in moves if m.after != m.before]
    by_size = sorted(moves, key=lambda m: (-abs(m.after - m.before), m.label, m.id))
    steady = [m for m in moves if m.before >= MIN_BEFORE_RELATIVE]
    by_share = sorted(
        steady, key=lambda m: (-abs(m.after - m.before) / m.before, -abs(m.after - m.before), m.label, m.id)
    )
    return Changes(
        papers_before=previous.papers,
        papers_after=stats.papers,
        papers_change=_signed(stats.papers - previous.papers),
        tagged_before=previous.tagged,
        tagged_after=stats.tagged,
        tagged_change=_signed(stats.tagged - previous.tagged),
        rules_changed=bool(previous.rules_version) and previous.rules_version != taxonomy.version,
        unchanged=not moves
        and not new_relations
        and previous.papers == stats.papers
        and previous.tagged == stats.tagged,
        new_concepts=tuple(
            NewConcept(_label(taxonomy, c), _family(taxonomy, c), now[c], stats.concept_primary[c])
            for c in new[:MAX_NEW]
        ),
        new_concepts_more=max(0, len(new) - MAX_NEW),
        gone=tuple(f"{_label(taxonomy, c)} ({before[c]:,} before)" for c in gone[:MAX_GONE]),
        gone_more=max(0, len(gone) - MAX_GONE),
        new_relations=tuple(
            NewRelation(
                rel.replace("_", " "), _label(taxonomy, a), _label(taxonomy, b), relations[(rel, a, b)]
            )
            for rel, a, b in new_relations[:MAX_NEW]
        ),
        new_relations_more=max(0, len(new_relations) - MAX_NEW),
        moved=tuple(by_size[:MAX_MOVES]),
        moved_relative=tuple(by_share[:MAX_MOVES]),
        min_before=MIN_BEFORE_RELATIVE,
    )


def _change(taxonomy: Taxonomy, cid: str, before: int, after: int) -> ConceptChange:
    relative = "new" if not before else _signed_percent(after - before, before)
    return ConceptChange(
        cid, _label(taxonomy, cid), _family(taxonomy, cid), before, after, _signed(after - before), relative
    )


def _label(taxonomy: Taxonomy, cid: str) -> str:
    concept = taxonomy.concepts.get(cid)
    return concept.label if concept else cid


def _family(taxonomy: Taxonomy, cid: str) -> str:
    """The labels of a concept's families, "(family)" for a family, "" when the rules lost it."""
    concept = taxonomy.concepts.get(cid)
    if concept is None:
        return ""
    if concept.is_family:
        return "(family)"
    return ", ".join(sorted(_label(taxonomy, f) for f in concept.families))


def _signed(n: int) -> str:
    return f"+{n:,}" if n > 0 else f"-{-n:,}" if n < 0 else "0"


def _signed_percent(part: int, whole: int) -> str:
    text = percent(abs(part), whole)
    return ("+" if part > 0 else "-") + text
