"""The plain values the report templates render: numbers, labels and text, nothing to compute.

``context.build`` fills them from a ``Taxonomy`` and a ``CorpusStats``; the figures and both templates
only read them. Labels and paper text are raw here: escaping is the templates' job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from taxonomy.report.mapdata import MapData
from taxonomy.report.papertable import PaperTable
from taxonomy.report.timeviews import TimeViews

#: Top-level section headings, shared by both templates so their anchors agree.
HEADINGS = {
    "summary": "Corpus summary",
    "families": "Method families",
    "tree": "Concept tree",
    "table": "Paper table",
    "cooccurrence": "How families co-occur",
    "relations": "Strongest relations",
    "time": "Over time",
    "papers": "Key papers by family",
    "untagged": "Untagged papers",
    "diagnostics": "Rule diagnostics",
}


@dataclass(frozen=True, slots=True)
class Stat:
    """One number of the corpus summary."""

    key: str
    label: str
    value: int
    note: str = ""


@dataclass(frozen=True, slots=True)
class FamilyRow:
    """A family's paper counts: papers naming it, and how many of those are about it."""

    id: str
    label: str
    papers: int
    primary: int
    mentioned: int  # named but not primary
    share: str  # of tagged papers
    width: float  # bar length in percent of the largest family
    anchor: str
    md_anchor: str
    area: str = ""  # the label of the family's area ("" when the rules have no areas)


@dataclass(frozen=True, slots=True)
class TreeNode:
    """A family or concept in the is-a tree, with its children (a concept may sit under two parents)."""

    id: str
    label: str
    papers: int
    primary: int
    width: float
    children: tuple[TreeNode, ...]  # children that matched papers
    unmatched: tuple[str, ...] = ()  # labels of children that matched none, listed in one line


@dataclass(frozen=True, slots=True)
class PairRow:
    """Two families and how much more often they share papers than chance would give."""

    a: str
    b: str
    together: int
    expected: str
    strength: str


@dataclass(frozen=True, slots=True)
class Heatmap:
    """Association strength between families: ``lift[i][j]`` is observed / expected shared papers."""

    labels: tuple[str, ...]
    lift: tuple[tuple[float | None, ...], ...]  # None on the diagonal
    counts: tuple[tuple[int, ...], ...]
    pairs: tuple[PairRow, ...]
    unranked: int = 0  # pairs sharing some papers, but fewer than ``min_papers``
    min_papers: int = 0
    ids: tuple[str, ...] = ()  # the families' ids, in the order of ``labels``


@dataclass(frozen=True, slots=True)
class PaperLink:
    """A paper named by its title, with its DOI, arXiv or web page ("" when it has none)."""

    title: str
    link: str = ""


@dataclass(frozen=True, slots=True)
class RelationRow:
    """A typed relation between two concepts with a few papers that show it."""

    relation: str
    a: str
    b: str
    papers: int
    examples: tuple[PaperLink, ...]
    more: int
    a_id: str = ""
    b_id: str = ""


@dataclass(frozen=True, slots=True)
class Evidence:
    """A paper under a family, with the sentence that tagged it cut around the matched words."""

    title: str
    year: int | None
    primary: bool
    concept: str
    role: str
    field: str
    before: str
    match: str
    after: str
    link: str = ""  # the paper's DOI, arXiv or web page
    own: str = ""  # how the paper shows the family as its own method ("" when it does not)


@dataclass(frozen=True, slots=True)
class FamilySection:
    """The papers kept as evidence for one family, primary papers first."""

    id: str
    label: str
    description: str
    papers: int
    primary: int
    evidence: tuple[Evidence, ...]
    more: int
    anchor: str
    md_anchor: str
    own: int = 0  # kept papers whose own method is in the family


@dataclass(frozen=True, slots=True)
class PaperRow:
    """A paper named in a list, with an optional note."""

    id: str
    title: str
    note: str = ""
    link: str = ""


@dataclass(frozen=True, slots=True)
class Listing:
    """A bounded sample of papers and how many more there are."""

    rows: tuple[PaperRow, ...]
    total: int
    more: int


@dataclass(frozen=True, slots=True)
class ConceptRow:
    """A concept that never matched, and where it is defined."""

    label: str
    family: str
    where: str


@dataclass(frozen=True, slots=True)
class RuleRow:
    """A rule and how many mentions it produced."""

    rule: str
    concept: str
    hits: int


@dataclass(frozen=True, slots=True)
class Diagnostics:
    """What the rule author should look at: silent concepts, busy rules, conflicting signals."""

    never_matched: tuple[ConceptRow, ...]
    concepts: int
    rules: tuple[RuleRow, ...]
    rules_fired: int
    mentions: int
    conflicts: Listing


#: The heading of the section that compares this run with the previous one (only when there was one).
CHANGES_HEADING = "Since the last run"


@dataclass(frozen=True, slots=True)
class NewConcept:
    """A concept that no paper named in the previous run."""

    label: str
    family: str
    papers: int
    primary: int


@dataclass(frozen=True, slots=True)
class NewRelation:
    """A typed relation the previous run did not find."""

    relation: str
    a: str
    b: str
    papers: int


@dataclass(frozen=True, slots=True)
class ConceptChange:
    """A concept's papers in the previous run and in this one."""

    id: str
    label: str
    family: str
    before: int
    after: int
    change: str  # signed count
    relative: str  # signed percentage of ``before``, or "new"


@dataclass(frozen=True, slots=True)
class Changes:
    """What changed since the previous run, from the summary.json it left."""

    papers_before: int
    papers_after: int
    papers_change: str
    tagged_before: int
    tagged_after: int
    tagged_change: str
    rules_changed: bool
    unchanged: bool  # same papers, same counts, no new relation
    new_concepts: tuple[NewConcept, ...]
    new_concepts_more: int
    gone: tuple[str, ...]  # "label (N before)" of concepts no paper names any more
    gone_more: int
    new_relations: tuple[NewRelation, ...]
    new_relations_more: int
    moved: tuple[ConceptChange, ...]  # largest changes in papers
    moved_relative: tuple[ConceptChange, ...]  # largest relative changes, of concepts with min_before+ papers
    min_before: int


@dataclass(frozen=True, slots=True)
class AreaRow:
    """An area's coverage: papers naming one of its families, and with a primary one there."""

    label: str
    families: str  # the families' labels, joined
    papers: int
    primary: int
    share: str  # of all papers, as a percentage


@dataclass(frozen=True, slots=True)
class Coverage:
    """How much of the corpus the taxonomy covers, and the words of what it misses."""

    with_family: str  # percentages of all papers
    with_primary: str
    areas: tuple[AreaRow, ...]
    untagged_words: tuple[tuple[str, int], ...]  # most frequent words of untagged titles


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything the templates show, as plain values."""

    title: str
    headings: Mapping[str, str]
    md_anchors: Mapping[str, str]
    rules_version: str
    toc: tuple[str, ...]  # keys of HEADINGS for the sections this report has
    papers: int
    tagged: int
    with_primary: int
    summary: tuple[Stat, ...]
    reject_reasons: tuple[tuple[str, int], ...]
    families: tuple[FamilyRow, ...]
    tree: tuple[TreeNode, ...]
    heatmap: Heatmap | None
    relations: tuple[RelationRow, ...]
    relations_more: int
    relation_kinds: tuple[tuple[str, str], ...]  # (relation, what it means) for those found
    time: TimeViews | None  # None for an empty corpus
    sections: tuple[FamilySection, ...]
    untagged: Listing
    diagnostics: Diagnostics
    changes: Changes | None = None  # None when there is no previous run to compare with
    concept_map: MapData | None = None  # None when no paper names a concept
    coverage: Coverage | None = None  # None for an empty corpus
    table: PaperTable | None = None  # None for an empty corpus


@dataclass(frozen=True, slots=True)
class SvgFigure:
    """A figure as SVG: ``svg`` is the bare ``<svg>`` element to inline, ``document`` the file text."""

    name: str
    title: str
    svg: str

    @property
    def document(self) -> str:
        """The standalone SVG file's text."""
        return '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n' + self.svg + "\n"

    @property
    def filename(self) -> str:
        """The file name under ``figures/``."""
        return f"{self.name}.svg"
