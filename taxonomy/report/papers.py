"""The papers the report names: each family's key papers, relation examples, untagged and conflicting papers.

Every paper is named by its title and linked to its DOI, arXiv or web page when it has one; a
paper the statistics kept no title for is left out rather than shown by its id. A family's key
papers start with those whose own method is in the family (named in the title and proposed, then
one of the two), then the other primary papers, then those that only mention it. Concepts marked
``catch_all`` in the rules are not shown as concepts: the words they matched stand in their place.
"""

from __future__ import annotations

from collections.abc import Iterable

from taxonomy.report.data import (
    Evidence,
    FamilyRow,
    FamilySection,
    Listing,
    PaperLink,
    PaperRow,
    RelationRow,
)
from taxonomy.report.labels import label_of, listed
from taxonomy.rules import Taxonomy
from taxonomy.stats import CorpusStats, PaperRef
from taxonomy.stats.samples import Example
from taxonomy.stats.table import snippet

MAX_KEY_PAPERS = 10
MAX_LISTED = 50
MAX_RELATION_EXAMPLES = 3

RELATION_NAMES = {
    "compared_with": "compared with",
    "combined_with": "combined with",
    "builds_on": "builds on",
}
RELATION_HELP = {
    "compared with": "a paper proposes or uses the first concept and compares it with the second",
    "combined with": (
        "the paper's own method holds both (named together in its title, or proposed or used together "
        "in one sentence that is not a report of experiments)"
    ),
    "builds on": "the first concept is built on the second",
}
ROLE_NAMES = {"proposes": "proposed", "uses": "used", "compares": "compared", "mentions": "mentioned"}
OWN_NOTES = {0: "own method, in the title", 1: "own method", 2: ""}


def relations(taxonomy: Taxonomy, stats: CorpusStats) -> list[RelationRow]:
    """Typed relations between listed concepts, most papers first, with their example papers by title."""
    rows = []
    for (relation, a, b), count in stats.relations.items():
        if count <= 0 or not listed(taxonomy, a) or not listed(taxonomy, b):
            continue
        examples: list[PaperLink] = []
        for pid in sorted(stats.relation_examples.get((relation, a, b), [])):
            name = stats.paper_name(pid)
            if name is not None and len(examples) < MAX_RELATION_EXAMPLES:
                examples.append(PaperLink(name[0], name[1]))
        rows.append(
            RelationRow(
                relation=RELATION_NAMES.get(relation, relation.replace("_", " ")),
                a=label_of(taxonomy, a),
                b=label_of(taxonomy, b),
                papers=count,
                examples=tuple(examples),
                more=max(0, count - len(examples)),
                a_id=a,
                b_id=b,
            )
        )
    rows.sort(key=lambda r: (-r.papers, r.relation, r.a, r.b))
    return rows


def evidence_of(taxonomy: Taxonomy, example: Example) -> Evidence:
    """A kept example as a key paper: title, link, how it shows the family, one line of evidence."""
    before, match, after = snippet(example.sentence, example.start, example.end)
    concept = taxonomy.concepts.get(example.concept)
    # A catch-all concept ("...former models") is no name to show: the words it matched are.
    shown = match if concept is not None and concept.catch_all else label_of(taxonomy, example.concept)
    return Evidence(
        title=example.title,
        year=example.year,
        primary=example.primary,
        concept=shown,
        role=ROLE_NAMES.get(example.role, example.role),
        field=example.field,
        before=before,
        match=match,
        after=after,
        link=example.link,
        own=OWN_NOTES.get(example.tier, ""),
    )


def key_papers(
    taxonomy: Taxonomy, stats: CorpusStats, families: tuple[FamilyRow, ...]
) -> tuple[FamilySection, ...]:
    """Each family with papers, and its key papers (their own method in it first)."""
    sections = []
    for family in families:
        if not family.papers:
            continue
        kept = stats.family_examples(family.id)
        evidence = tuple(evidence_of(taxonomy, example) for example in kept[:MAX_KEY_PAPERS])
        concept = taxonomy.concepts.get(family.id)
        sections.append(
            FamilySection(
                id=family.id,
                label=family.label,
                description=concept.description if concept else "",
                papers=family.papers,
                primary=family.primary,
                evidence=evidence,
                more=max(0, family.papers - len(evidence)),
                anchor=family.anchor,
                md_anchor=family.md_anchor,
                own=sum(1 for e in kept if e.tier < 2),
            )
        )
    return tuple(sections)


def listing(taxonomy: Taxonomy, refs: Iterable[PaperRef], total: int) -> Listing:
    """A bounded list of papers (untagged, conflicting), by title with their links."""
    shown = tuple(
        PaperRow(ref.paper_id, ref.title, _note(taxonomy, ref.note), ref.link)
        for ref in list(refs)[:MAX_LISTED]
    )
    return Listing(shown, total, max(0, total - len(shown)))


def _note(taxonomy: Taxonomy, note: str) -> str:
    """A stats note such as ``both used and compared: gcn, mamba`` with concept ids shown as labels."""
    head, sep, tail = note.rpartition(": ")
    ids = [part.strip() for part in tail.split(",")]
    if sep and ids and all(i in taxonomy.concepts for i in ids):
        return head + sep + ", ".join(label_of(taxonomy, i) for i in ids)
    return note
