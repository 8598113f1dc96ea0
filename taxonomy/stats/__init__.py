"""Fold tagged papers into a ``CorpusStats``: every count the graph and the reports need.

``CorpusStats`` is a mergeable accumulator: ``add`` folds in one paper, ``merge`` folds in another
accumulator, and the result does not depend on how the corpus was split or in which order parts
were merged (bounded samples keep the first entries of a total order, not the first seen). Memory
is O(concepts^2 + samples), never O(papers). ``to_dict``/``from_dict`` give it a stable JSON form
(plain lists and numbers, the order of every count kept), so a later run can carry on from it.

Each field is declared once, with how it folds (a ``Fold``: a total, a counter and the shape of its
keys, a bounded sample...); ``merge``, ``to_dict`` and ``from_dict`` go over the declared fields,
so a new count cannot be left out of one of them.
"""

from __future__ import annotations

import heapq
import itertools
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from enum import Enum
from typing import Any

from taxonomy.models import STRONG_ROLES, Paper, Reject, TaggedPaper
from taxonomy.rules import Taxonomy
from taxonomy.stats.paper import examples_of, is_about, reason_kind, source_of
from taxonomy.stats.relations import family_tiers, relations_of
from taxonomy.stats.samples import Example, PaperRef, Reversed, items_of
from taxonomy.stats.table import DEFAULT_TABLE, Rank, TableRow, admitted, link_of, per_family, pruned, row_of
from taxonomy.stats.words import title_words

__all__ = [
    "DEFAULT_SAMPLE",
    "DEFAULT_TABLE",
    "CorpusStats",
    "Example",
    "Fold",
    "PaperRef",
    "TableRow",
    "collect",
    "folds",
    "source_of",
]

DEFAULT_SAMPLE = 100
STATS_FORMAT = 4  # the version of ``CorpusStats.to_dict``'s layout
RELATION_EXAMPLES = 5


class Fold(Enum):
    """How a field of ``CorpusStats`` is merged, saved and loaded."""

    SETTING = "setting"  # not a count: kept as it is (and saved)
    TOTAL = "total"  # an int, summed
    COUNTER = "counter"  # a Counter, added up; its keys are strings or tuples (``key``)
    IDS = "ids"  # a few paper ids per relation, the first in id order
    FAMILY_SAMPLES = "family samples"  # a bounded sample of examples per family
    SAMPLE = "sample"  # a bounded sample of papers
    NAMES = "names"  # title and link of the papers that IDS fields name, by paper id
    TABLE = "table"  # a row a paper up to a limit, then the strongest papers of each family


def _fold(fold: Fold, *key: type) -> dict[str, Any]:
    """A field's metadata: how it folds, and for keyed fields the types of the key's parts."""
    return {"fold": fold, "key": key or (str,)}


@dataclass
class CorpusStats:
    """Counts over a corpus, built one paper at a time and merged across workers."""

    sample_size: int = field(default=DEFAULT_SAMPLE, metadata=_fold(Fold.SETTING))
    table_size: int = field(default=DEFAULT_TABLE, metadata=_fold(Fold.SETTING))  # 0: no table kept
    records: int = field(default=0, metadata=_fold(Fold.TOTAL))
    papers: int = field(default=0, metadata=_fold(Fold.TOTAL))
    tagged: int = field(default=0, metadata=_fold(Fold.TOTAL))
    with_primary: int = field(default=0, metadata=_fold(Fold.TOTAL))
    rejects: int = field(default=0, metadata=_fold(Fold.TOTAL))
    duplicates: int = field(default=0, metadata=_fold(Fold.TOTAL))
    reject_reasons: Counter[str] = field(default_factory=Counter, metadata=_fold(Fold.COUNTER))
    # What reading did to papers kept (text cut).
    warnings: Counter[str] = field(default_factory=Counter, metadata=_fold(Fold.COUNTER))
    concept_papers: Counter[str] = field(default_factory=Counter, metadata=_fold(Fold.COUNTER))
    concept_primary: Counter[str] = field(default_factory=Counter, metadata=_fold(Fold.COUNTER))
    concept_mentions: Counter[str] = field(default_factory=Counter, metadata=_fold(Fold.COUNTER))
    cooccur: Counter[tuple[str, str]] = field(default_factory=Counter, metadata=_fold(Fold.COUNTER, str, str))
    relations: Counter[tuple[str, str, str]] = field(
        default_factory=Counter, metadata=_fold(Fold.COUNTER, str, str, str)
    )
    relation_examples: dict[tuple[str, str, str], list[str]] = field(
        default_factory=dict, metadata=_fold(Fold.IDS, str, str, str)
    )
    names: dict[str, tuple[str, str]] = field(default_factory=dict, metadata=_fold(Fold.NAMES))
    years: Counter[tuple[str, int]] = field(default_factory=Counter, metadata=_fold(Fold.COUNTER, str, int))
    # Dated papers per year and source (the venue without its year, else the input file): a period
    # whose papers come from other sources than the others' is not comparable with them.
    year_sources: Counter[tuple[int, str]] = field(
        default_factory=Counter, metadata=_fold(Fold.COUNTER, int, str)
    )
    # Dated papers per primary family and year (``years`` counts the papers naming a concept).
    primary_years: Counter[tuple[str, int]] = field(
        default_factory=Counter, metadata=_fold(Fold.COUNTER, str, int)
    )
    rule_hits: Counter[str] = field(default_factory=Counter, metadata=_fold(Fold.COUNTER))
    # Bounded samples are heaps of Reversed entries (the largest kept item on top).
    examples: dict[str, list[Reversed]] = field(default_factory=dict, metadata=_fold(Fold.FAMILY_SAMPLES))
    untagged: list[Reversed] = field(default_factory=list, metadata=_fold(Fold.SAMPLE))
    conflicts: list[Reversed] = field(default_factory=list, metadata=_fold(Fold.SAMPLE))
    conflict_count: int = field(default=0, metadata=_fold(Fold.TOTAL))
    # Coverage: papers naming a family of each area (and with a primary one there), and the words of
    # untagged titles (what the taxonomy misses). Words grow with the vocabulary, not the corpus.
    area_papers: Counter[str] = field(default_factory=Counter, metadata=_fold(Fold.COUNTER))
    area_primary: Counter[str] = field(default_factory=Counter, metadata=_fold(Fold.COUNTER))
    untagged_words: Counter[str] = field(default_factory=Counter, metadata=_fold(Fold.COUNTER))
    table: list[TableRow] = field(default_factory=list, metadata=_fold(Fold.TABLE))

    def __post_init__(self) -> None:
        # Derived, neither merged nor saved: past ``table_size`` papers, what a new row must beat and
        # the rows held until the next pruning; the names held until theirs (twice what the last left).
        self._table_last: dict[str, Rank] | None = None
        self._table_bound = self._names_bound = 0

    # -- folding in ------------------------------------------------------------------------------

    def add_reject(self, reject: Reject) -> None:
        """Count a record that did not become a paper."""
        self.records += 1
        if reject.duplicate_of:
            self.duplicates += 1
        else:
            self.rejects += 1
            self.reject_reasons[reason_kind(reject.reason)] += 1

    def add(self, tp: TaggedPaper, taxonomy: Taxonomy) -> None:
        """Fold one tagged paper into the counts."""
        self.records += 1
        self.papers += 1
        year = tp.paper.year
        if year is not None:
            self.years[("", year)] += 1
            self.year_sources[(year, source_of(tp.paper))] += 1
        tiers = family_tiers(tp, taxonomy)
        if self.table_size:  # (no rows are made for a run that keeps no table: ``taxonomy tag``)
            self._add_row(row_of(tp, tiers, taxonomy))
        if not tp.tagged:
            self._keep(self.untagged, PaperRef(tp.paper.id, tp.paper.title, link=link_of(tp.paper)))
            self.untagged_words.update(title_words(tp.paper.title))
            return
        for area in {taxonomy.area_of(f) for f in tp.families_mentioned} - {""}:
            self.area_papers[area] += 1
        for area in {taxonomy.area_of(f) for f in tp.families_primary} - {""}:
            self.area_primary[area] += 1
        self.tagged += 1
        if tp.families_primary:
            self.with_primary += 1
        concepts = taxonomy.concepts
        direct = {hit.concept: hit for hit in tp.concepts}
        present = set(direct)
        for cid in direct:
            present.update(concepts[cid].ancestors)
        primary_families = set(tp.families_primary)
        if year is not None:
            for family in primary_families:
                self.primary_years[(family, year)] += 1
        about = {cid for cid in present if is_about(cid, direct, primary_families, taxonomy)}
        for cid in present:
            self.concept_papers[cid] += 1
            if year is not None:
                self.years[(cid, year)] += 1
        for cid in about:
            self.concept_primary[cid] += 1
        for hit in tp.concepts:
            self.concept_mentions[hit.concept] += hit.count
        for mention in tp.mentions:
            self.rule_hits[mention.rule] += 1
        for a, b in itertools.combinations(sorted(present), 2):
            if a not in concepts[b].ancestors and b not in concepts[a].ancestors:
                self.cooccur[(a, b)] += 1
        for key in relations_of(tp, direct, primary_families, taxonomy):
            self.relations[key] += 1
            self._keep_id(key, tp.paper)
        for family, example in examples_of(tp, taxonomy, tiers):
            self._keep(self.examples.setdefault(family, []), example)
        roles = {(m.concept, m.role) for m in tp.mentions}
        mixed = sorted(
            c for c in direct if (c, "compares") in roles and {(c, r) for r in STRONG_ROLES} & roles
        )
        if mixed or not tp.families_primary:
            self.conflict_count += 1
            note = f"both used and compared: {', '.join(mixed)}" if mixed else "families named, none primary"
            self._keep(self.conflicts, PaperRef(tp.paper.id, tp.paper.title, note, link_of(tp.paper)))

    def _keep(self, bucket: list[Reversed], item: Any) -> None:
        if len(bucket) < self.sample_size:
            heapq.heappush(bucket, Reversed(item))
        elif item < bucket[0].item:
            heapq.heapreplace(bucket, Reversed(item))

    def _keep_id(
        self, key: tuple[str, str, str], paper: Paper | str, name: tuple[str, str] | None = None
    ) -> None:
        paper_id = paper if isinstance(paper, str) else paper.id
        ids = self.relation_examples.setdefault(key, [])
        if paper_id not in ids:
            ids.append(paper_id)
            ids.sort()
            del ids[RELATION_EXAMPLES:]
            if paper_id in ids:  # the paper is named by its title, never by its id
                if isinstance(paper, Paper):
                    name = (paper.title, link_of(paper))
                if name is not None:
                    self.names.setdefault(paper_id, name)

    def _add_row(self, row: TableRow) -> None:
        """Keep a row; past ``table_size`` papers only if it may be among the strongest of a family."""
        if not self.table_size or (self._table_last is not None and not admitted(row, self._table_last)):
            return  # no table kept (a size of 0), or a row that can never be among the strongest
        self.table.append(row)
        bound = self.table_size if self._table_last is None else self._table_bound
        if self.papers > self.table_size and len(self.table) > bound:
            self.table, self._table_last = pruned(self.table, per_family(self.table_size))
            self._table_bound = len(self.table) + self.table_size // 4

    # -- combining and reading ---------------------------------------------------------------------

    def merge(self, other: CorpusStats) -> CorpusStats:
        """Fold another accumulator into this one and return this one."""
        for name, fold, _ in FIELDS:
            theirs = getattr(other, name)
            if fold is Fold.TOTAL:
                setattr(self, name, getattr(self, name) + theirs)
            elif fold is Fold.COUNTER:
                getattr(self, name).update(theirs)
            elif fold is Fold.IDS:
                for key, ids in theirs.items():
                    for paper_id in ids:
                        self._keep_id(key, paper_id, other.names.get(paper_id))
            elif fold is Fold.FAMILY_SAMPLES:
                for family, bucket in theirs.items():
                    mine = self.examples.setdefault(family, [])
                    for entry in bucket:
                        self._keep(mine, entry.item)
            elif fold is Fold.SAMPLE:
                mine = getattr(self, name)
                for entry in theirs:
                    self._keep(mine, entry.item)
            elif fold is Fold.TABLE:
                for row in theirs:
                    self._add_row(row)
            # NAMES are filled by IDS above; those no relation names any more are dropped now and then.
        if len(self.names) > self._names_bound:
            named = {pid for ids in self.relation_examples.values() for pid in ids}
            self.names = {pid: name for pid, name in self.names.items() if pid in named}
            self._names_bound = 2 * len(self.names) + 1024
        return self

    # -- a stable JSON form ----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Every count and sample as JSON-ready lists, in their current order (``from_dict`` reads it)."""
        data: dict[str, Any] = {"format": STATS_FORMAT}
        for name, fold, _ in FIELDS:
            value = getattr(self, name)
            if fold is Fold.SETTING or fold is Fold.TOTAL:
                data[name] = value
            elif fold is Fold.COUNTER:
                data[name] = [[*_key(k), n] for k, n in value.items()]
            elif fold is Fold.IDS:
                data[name] = [[*key, ids] for key, ids in value.items()]
            elif fold is Fold.FAMILY_SAMPLES:
                data[name] = [[f, [e.item.to_dict() for e in heap]] for f, heap in value.items()]
            elif fold is Fold.SAMPLE:
                data[name] = [asdict(entry.item) for entry in value]
            elif fold is Fold.NAMES:
                named = {pid for ids in self.relation_examples.values() for pid in ids}
                data[name] = [[pid, *value[pid]] for pid in sorted(value) if pid in named]
            elif fold is Fold.TABLE:
                data[name] = [row.to_list() for row in self.table_rows()]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CorpusStats:
        """Rebuild statistics from ``to_dict`` output; ``ValueError`` (or ``KeyError``/``TypeError``) if malformed."""
        if data.get("format") != STATS_FORMAT:
            raise ValueError(f"statistics of format {data.get('format')!r}, not {STATS_FORMAT}")
        stats = cls()
        for name, fold, key in FIELDS:
            saved = data[name]
            if fold is Fold.SETTING or fold is Fold.TOTAL:
                setattr(stats, name, _int(saved))
            elif fold is Fold.COUNTER:
                counter = getattr(stats, name)
                for *parts, n in saved:
                    counter[_unkey(name, key, parts)] = _int(n)
            elif fold is Fold.IDS:
                ids_by_key = getattr(stats, name)
                for *parts, ids in saved:
                    ids_by_key[_unkey(name, key, parts)] = [str(i) for i in ids]
            elif fold is Fold.FAMILY_SAMPLES:
                for family, heap in saved:
                    getattr(stats, name)[str(family)] = [Reversed(Example.from_dict(dict(e))) for e in heap]
            elif fold is Fold.SAMPLE:
                getattr(stats, name).extend(Reversed(PaperRef(**ref)) for ref in saved)
            elif fold is Fold.NAMES:
                stats.names = {str(pid): (str(title), str(link)) for pid, title, link in saved}
            elif fold is Fold.TABLE:
                stats.table = [TableRow.from_list(row) for row in saved]
        for bucket in (*stats.examples.values(), stats.untagged, stats.conflicts):
            heapq.heapify(bucket)  # kept in heap order already; this only guards the invariant
        return stats

    def family_examples(self, family: str) -> list[Example]:
        """The kept examples of a family, primary papers first, then by score."""
        return sorted(items_of(self.examples.get(family, [])))

    def table_rows(self) -> list[TableRow]:
        """The paper table: every paper up to ``table_size``, else the strongest of each family; by id."""
        if self.papers > self.table_size:
            return pruned(self.table, per_family(self.table_size))[0]
        return sorted(self.table)

    def paper_name(self, paper_id: str) -> tuple[str, str] | None:
        """The title and link of a paper a relation names as an example."""
        return self.names.get(paper_id)

    def untagged_papers(self) -> list[PaperRef]:
        """A sample of papers with no family, by id."""
        return sorted(items_of(self.untagged))

    def conflicting_papers(self) -> list[PaperRef]:
        """A sample of papers whose signals conflict, by id."""
        return sorted(items_of(self.conflicts))

    def year_range(self, concept: str) -> tuple[int, int] | None:
        """First and last year a concept was seen, when papers had dates."""
        seen = [year for (cid, year), n in self.years.items() if cid == concept and n]
        return (min(seen), max(seen)) if seen else None

    def top_untagged_words(self, n: int = 20) -> list[tuple[str, int]]:
        """The words most untagged titles hold, most frequent first (ties by word)."""
        return sorted(self.untagged_words.items(), key=lambda kv: (-kv[1], kv[0]))[:n]

    def summary(self) -> dict[str, Any]:
        """The corpus-level counts, as written to summary.json."""
        return {
            "records": self.records,
            "papers": self.papers,
            "tagged": self.tagged,
            "untagged": self.papers - self.tagged,
            "with_primary": self.with_primary,
            "rejects": self.rejects,
            "duplicates": self.duplicates,
            "reject_reasons": dict(sorted(self.reject_reasons.items())),
            "warnings": dict(sorted(self.warnings.items())),
            "conflicts": self.conflict_count,
        }


def folds(cls: type[CorpusStats]) -> tuple[tuple[str, Fold, tuple[type, ...]], ...]:
    """Each field of the class with how it folds and the types of its keys, in declaration order."""
    declared = []
    for f in fields(cls):
        if not isinstance(f.metadata.get("fold"), Fold):
            raise TypeError(
                f"{cls.__name__}.{f.name} does not say how it folds (give it metadata=_fold(...))"
            )
        declared.append((f.name, f.metadata["fold"], f.metadata["key"]))
    return tuple(declared)


#: The fields of ``CorpusStats``: (name, how it folds, the types of its keys).
FIELDS = folds(CorpusStats)


def _key(key: str | tuple[str | int, ...]) -> tuple[str | int, ...]:
    return key if isinstance(key, tuple) else (key,)


def _unkey(name: str, types: tuple[type, ...], parts: list[Any]) -> Any:
    """A key from its JSON parts: a string, or a tuple of the declared types."""
    if len(parts) != len(types):
        raise ValueError(f"a key of {name} with {len(parts)} parts, not {len(types)}")
    key = tuple(_int(p) if t is int else str(p) for t, p in zip(types, parts, strict=True))
    return key if len(key) > 1 else key[0]


def _int(value: object) -> int:
    if type(value) is not int:
        raise ValueError(f"{value!r} is not a count")
    return value


def collect(
    tagged: Iterable[TaggedPaper], taxonomy: Taxonomy, sample_size: int = DEFAULT_SAMPLE
) -> CorpusStats:
    """Fold a stream of tagged papers into a new ``CorpusStats``."""
    stats = CorpusStats(sample_size=sample_size)
    for tp in tagged:
        stats.add(tp, taxonomy)
    return stats
