"""Turn a ``Taxonomy`` and a ``CorpusStats`` into plain values the report templates render.

Every list here is sorted explicitly (by count, then label or id), so the same statistics give the
same report whatever order the counters were filled in. Families and concepts are shown by label;
ids appear only where a rule author needs them (diagnostics).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from taxonomy.report.changes import compare, read_previous
from taxonomy.report.coverage import coverage_of
from taxonomy.report.data import (
    CHANGES_HEADING,
    HEADINGS,
    ConceptRow,
    Diagnostics,
    FamilyRow,
    Heatmap,
    PairRow,
    ReportData,
    RuleRow,
    Stat,
    TreeNode,
)
from taxonomy.report.labels import families_label, label_of, listed
from taxonomy.report.mapdata import map_data
from taxonomy.report.papers import RELATION_HELP, key_papers, listing, relations
from taxonomy.report.papertable import paper_table
from taxonomy.report.text import github_slug, percent
from taxonomy.report.timeviews import time_views
from taxonomy.rules import Taxonomy
from taxonomy.stats import CorpusStats

MAX_RELATIONS = 15
MAX_PAIRS = 10
MIN_PAIR_PAPERS = 10  # family pairs sharing fewer papers are not ranked: their strength is noise
MAX_RULES = 15


def build(
    taxonomy: Taxonomy, stats: CorpusStats, title: str, previous: Mapping[str, Any] | None = None
) -> ReportData:
    """Collect the report's content from the rules and the corpus statistics (and a previous run's summary)."""
    last_run = read_previous(previous)
    changes = compare(taxonomy, stats, last_run) if last_run is not None else None
    headings = dict(HEADINGS)
    if changes is not None:  # right after the corpus summary
        headings = {"summary": HEADINGS["summary"], "changes": CHANGES_HEADING, **HEADINGS}
    seen: dict[str, int] = {}
    md_anchors = {key: github_slug(text, seen) for key, text in [("title", title), *headings.items()]}
    families = _families(taxonomy, stats, seen)
    found = relations(taxonomy, stats)
    # An empty corpus gets its summary and the rules' tree; every other section would be empty.
    toc: tuple[str, ...] = ("summary", "tree")
    if stats.papers:
        toc = tuple(HEADINGS)
    if changes is not None:
        toc = (toc[0], "changes", *toc[1:])
    return ReportData(
        title=title,
        headings=headings,
        md_anchors=md_anchors,
        rules_version=taxonomy.version,
        toc=toc,
        papers=stats.papers,
        tagged=stats.tagged,
        with_primary=stats.with_primary,
        summary=_summary(stats.summary()),
        reject_reasons=tuple(sorted(stats.reject_reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        families=families,
        tree=_tree(taxonomy, stats),
        heatmap=_heatmap(families, stats),
        relations=tuple(found[:MAX_RELATIONS]),
        relations_more=max(0, len(found) - MAX_RELATIONS),
        relation_kinds=tuple(
            (kind, RELATION_HELP.get(kind, "")) for kind in sorted({r.relation for r in found})
        ),
        time=time_views(taxonomy, stats) if stats.papers else None,
        sections=key_papers(taxonomy, stats, families),
        untagged=listing(taxonomy, stats.untagged_papers(), stats.papers - stats.tagged),
        diagnostics=_diagnostics(taxonomy, stats),
        changes=changes,
        concept_map=map_data(taxonomy, stats) if stats.papers else None,
        coverage=coverage_of(taxonomy, stats) if stats.papers else None,
        table=paper_table(taxonomy, stats) if stats.papers else None,
    )


def _summary(summary: Mapping[str, object]) -> tuple[Stat, ...]:
    def num(key: str) -> int:
        value = summary.get(key, 0)
        return value if isinstance(value, int) else 0

    papers = num("papers")
    return (
        Stat("records", "Records read", num("records"), "papers + rejects + duplicates"),
        Stat("papers", "Papers", papers),
        Stat("tagged", "Tagged", num("tagged"), f"{percent(num('tagged'), papers)} of papers"),
        Stat("untagged", "Untagged", num("untagged"), "no family named"),
        Stat("rejects", "Rejects", num("rejects"), "records that could not be read"),
        Stat("duplicates", "Duplicates", num("duplicates"), "same id or title as a kept paper"),
    )


def _families(taxonomy: Taxonomy, stats: CorpusStats, seen: dict[str, int]) -> tuple[FamilyRow, ...]:
    ids = sorted(taxonomy.families, key=lambda f: (-stats.concept_papers[f], label_of(taxonomy, f), f))
    top = max((stats.concept_papers[f] for f in ids), default=0)
    rows = []
    for fid in ids:
        papers, primary = (
            stats.concept_papers[fid],
            min(stats.concept_primary[fid], stats.concept_papers[fid]),
        )
        label = label_of(taxonomy, fid)
        rows.append(
            FamilyRow(
                id=fid,
                label=label,
                papers=papers,
                primary=primary,
                mentioned=papers - primary,
                share=percent(papers, stats.tagged),
                width=round(100.0 * papers / top, 1) if top else 0.0,
                anchor=f"family-{fid}",
                md_anchor=github_slug(label, seen) if papers else "",
                area=taxonomy.areas[area].label if (area := taxonomy.area_of(fid)) else "",
            )
        )
    return tuple(rows)


def _tree(taxonomy: Taxonomy, stats: CorpusStats) -> tuple[TreeNode, ...]:
    top = max((stats.concept_papers[f] for f in taxonomy.families), default=0)

    def order(ids: Iterable[str]) -> list[str]:
        return sorted(ids, key=lambda c: (-stats.concept_papers[c], label_of(taxonomy, c), c))

    children: dict[str, list[str]] = {}
    for concept in taxonomy.concepts.values():
        if not listed(taxonomy, concept.id):
            continue  # a catch-all is no concept to list: its papers count for its family
        for parent in concept.parents:
            children.setdefault(parent, []).append(concept.id)

    def node(cid: str, path: frozenset[str]) -> TreeNode:
        # The rules loader rejects cycles; the path check only keeps a bad Taxonomy from recursing forever.
        kids = [k for k in order(children.get(cid, ())) if k not in path]
        # A paper counts for a concept and all above it, so a child with no papers has none below it:
        # such children are named in one line instead of a row each.
        matched = tuple(node(k, path | {k}) for k in kids if stats.concept_papers[k])
        unmatched = tuple(sorted(label_of(taxonomy, k) for k in kids if not stats.concept_papers[k]))
        papers = stats.concept_papers[cid]
        width = round(100.0 * papers / top, 1) if top else 0.0
        return TreeNode(
            cid, label_of(taxonomy, cid), papers, stats.concept_primary[cid], width, matched, unmatched
        )

    # Concepts with no parents belong to no family (e.g. a technique used across families); they are
    # roots of their own, after the families.
    free = [c.id for c in taxonomy.concepts.values() if not c.is_family and not c.parents and not c.catch_all]
    return tuple(node(c, frozenset({c})) for c in [*order(taxonomy.families), *order(free)])


def _heatmap(families: tuple[FamilyRow, ...], stats: CorpusStats) -> Heatmap | None:
    present = [f for f in families if f.papers]
    if len(present) < 2 or not stats.papers:
        return None
    n = stats.papers
    lift: list[tuple[float | None, ...]] = []
    counts: list[tuple[int, ...]] = []
    pairs: list[tuple[float, int, PairRow]] = []
    unranked = 0
    for i, fa in enumerate(present):
        lift_row: list[float | None] = []
        count_row: list[int] = []
        for j, fb in enumerate(present):
            together = stats.cooccur[(min(fa.id, fb.id), max(fa.id, fb.id))] if i != j else fa.papers
            count_row.append(together)
            if i == j:
                lift_row.append(None)
                continue
            expected = fa.papers * fb.papers / n
            strength = together / expected
            lift_row.append(strength)
            if i < j and together >= MIN_PAIR_PAPERS:
                row = PairRow(fa.label, fb.label, together, f"{expected:.1f}", f"{strength:.2f}")
                pairs.append((-strength, -together, row))
            elif i < j and together:
                unranked += 1
        lift.append(tuple(lift_row))
        counts.append(tuple(count_row))
    pairs.sort(key=lambda p: (p[0], p[1], p[2].a, p[2].b))
    return Heatmap(
        tuple(f.label for f in present),
        tuple(lift),
        tuple(counts),
        tuple(p[2] for p in pairs[:MAX_PAIRS]),
        unranked=unranked,
        min_papers=MIN_PAIR_PAPERS,
        ids=tuple(f.id for f in present),
    )


def _diagnostics(taxonomy: Taxonomy, stats: CorpusStats) -> Diagnostics:
    silent = sorted(
        (c for c in taxonomy.concepts.values() if not stats.concept_papers[c.id]),
        key=lambda c: (not c.is_family, c.file, c.line, c.id),
    )
    never = tuple(
        ConceptRow(c.label, families_label(taxonomy, c.id) or "(family)", f"{Path(c.file).name}:{c.line}")
        for c in silent
    )
    busy = sorted(stats.rule_hits.items(), key=lambda kv: (-kv[1], kv[0]))
    rules = tuple(
        RuleRow(rule, label_of(taxonomy, rule.split(":", 1)[0]), hits) for rule, hits in busy[:MAX_RULES]
    )
    return Diagnostics(
        never_matched=never,
        concepts=len(taxonomy.concepts),
        rules=rules,
        rules_fired=sum(1 for _, hits in busy if hits > 0),
        mentions=sum(stats.rule_hits.values()),
        conflicts=listing(taxonomy, stats.conflicting_papers(), stats.conflict_count),
    )
