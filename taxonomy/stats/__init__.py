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

from taxonomy.models import EVIDENCE_ORDER, STRONG_ROLES, Mention, Reject, TaggedPaper
from taxonomy.rules import Taxonomy
from taxonomy.stats.samples import Example, PaperRef, Reversed, items_of
from taxonomy.stats.words import title_words

__all__ = ["DEFAULT_SAMPLE", "CorpusStats", "Example", "Fold", "PaperRef", "collect", "folds"]

DEFAULT_SAMPLE = 100
STATS_FORMAT = 2  # the version of ``CorpusStats.to_dict``'s layout
RELATION_EXAMPLES = 5
_EVIDENCE_RANK = {role: rank for rank, role in enumerate(EVIDENCE_ORDER)}


class Fold(Enum):
    """How a field of ``CorpusStats`` is merged, saved and loaded."""

    SETTING = "setting"  # not a count: kept as it is (and saved)
    TOTAL = "total"  # an int, summed
    COUNTER = "counter"  # a Counter, added up; its keys are strings or tuples (``key``)
    IDS = "ids"  # a few paper ids per relation, the first in id order
    FAMILY_SAMPLES = "family samples"  # a bounded sample of examples per family
    SAMPLE = "sample"  # a bounded sample of papers


def _fold(fold: Fold, *key: type) -> dict[str, Any]:
    """A field's metadata: how it folds, and for keyed fields the types of the key's parts."""
    return {"fold": fold, "key": key or (str,)}


@dataclass
class CorpusStats:
    """Counts over a corpus, built one paper at a time and merged across workers."""

    sample_size: int = field(default=DEFAULT_SAMPLE, metadata=_fold(Fold.SETTING))
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
    years: Counter[tuple[str, int]] = field(default_factory=Counter, metadata=_fold(Fold.COUNTER, str, int))
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

    # -- folding in ------------------------------------------------------------------------------

    def add_reject(self, reject: Reject) -> None:
        """Count a record that did not become a paper."""
        self.records += 1
        if reject.duplicate_of:
            self.duplicates += 1
        else:
            self.rejects += 1
            self.reject_reasons[_reason_kind(reject.reason)] += 1

    def add(self, tp: TaggedPaper, taxonomy: Taxonomy) -> None:
        """Fold one tagged paper into the counts."""
        self.records += 1
        self.papers += 1
        year = tp.paper.year
        if year is not None:
            self.years[("", year)] += 1
        if not tp.tagged:
            self._keep(self.untagged, PaperRef(tp.paper.id, tp.paper.title))
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
        about = {cid for cid in present if _is_about(cid, direct, primary_families, taxonomy)}
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
        self._relations(tp, direct, primary_families, taxonomy)
        self._evidence(tp, taxonomy)
        roles = {(m.concept, m.role) for m in tp.mentions}
        mixed = sorted(
            c for c in direct if (c, "compares") in roles and {(c, r) for r in STRONG_ROLES} & roles
        )
        if mixed or not tp.families_primary:
            self.conflict_count += 1
            note = f"both used and compared: {', '.join(mixed)}" if mixed else "families named, none primary"
            self._keep(self.conflicts, PaperRef(tp.paper.id, tp.paper.title, note))

    def _relations(
        self,
        tp: TaggedPaper,
        direct: dict[str, Any],
        primary: set[str],
        taxonomy: Taxonomy,
    ) -> None:
        concepts = taxonomy.concepts
        strong = sorted(c for c, hit in direct.items() if hit.role in STRONG_ROLES)
        compared = sorted(c for c, hit in direct.items() if hit.role == "compares")
        found: set[tuple[str, str, str]] = set()
        for a in strong:
            for b in compared:
                if a != b and a not in concepts[b].ancestors and b not in concepts[a].ancestors:
                    found.add(("compared_with", a, b))
        anchored = [c for c in strong if set(concepts[c].families) & primary]
        for a, b in itertools.combinations(anchored, 2):
            fa, fb = set(concepts[a].families), set(concepts[b].families)
            if fa != fb and not (a in concepts[b].ancestors or b in concepts[a].ancestors):
                found.add(("combined_with", a, b))
        for first, second in itertools.combinations(sorted(primary), 2):
            found.add(("combined_with", first, second))
        for mention in tp.mentions:
            if mention.head and mention.head != mention.concept:
                found.add(("builds_on", mention.head, mention.concept))
        for key in found:
            self.relations[key] += 1
            self._keep_id(key, tp.paper.id)

    def _evidence(self, tp: TaggedPaper, taxonomy: Taxonomy) -> None:
        """Keep the strongest mention of each family the paper names, as a ranked example."""
        scores = dict(tp.family_scores)
        best: dict[str, Mention] = {}
        for mention in tp.mentions:
            for family in taxonomy.concepts[mention.concept].families:
                if family not in best or _strength(mention) < _strength(best[family]):
                    best[family] = mention
        for family, mention in best.items():
            primary = family in tp.families_primary
            score = scores.get(family, 0.0)
            example = Example(
                rank=(0 if primary else 1, -score, tp.paper.id),
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
            )
            self._keep(self.examples.setdefault(family, []), example)

    def _keep(self, bucket: list[Reversed], item: Any) -> None:
        if len(bucket) < self.sample_size:
            heapq.heappush(bucket, Reversed(item))
        elif item < bucket[0].item:
            heapq.heapreplace(bucket, Reversed(item))

    def _keep_id(self, key: tuple[str, str, str], paper_id: str) -> None:
        ids = self.relation_examples.setdefault(key, [])
        if paper_id not in ids:
            ids.append(paper_id)
            ids.sort()
            del ids[RELATION_EXAMPLES:]

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
                        self._keep_id(key, paper_id)
            elif fold is Fold.FAMILY_SAMPLES:
                for family, bucket in theirs.items():
                    mine = self.examples.setdefault(family, [])
                    for entry in bucket:
                        self._keep(mine, entry.item)
            elif fold is Fold.SAMPLE:
                mine = getattr(self, name)
                for entry in theirs:
                    self._keep(mine, entry.item)
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
        for bucket in (*stats.examples.values(), stats.untagged, stats.conflicts):
            heapq.heapify(bucket)  # kept in heap order already; this only guards the invariant
        return stats

    def family_examples(self, family: str) -> list[Example]:
        """The kept examples of a family, primary papers first, then by score."""
        return sorted(items_of(self.examples.get(family, [])))

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


def _strength(mention: Mention) -> tuple[int, int, int]:
    return (_EVIDENCE_RANK[mention.role], 0 if mention.field == "title" else 1, mention.start)


def _is_about(cid: str, direct: dict[str, Any], primary: set[str], taxonomy: Taxonomy) -> bool:
    """A concept is part of what a paper is about when its family is primary and it is not only compared."""
    concept = taxonomy.concepts[cid]
    if not set(concept.families) & primary:
        return False
    if concept.is_family:
        return True
    hit = direct.get(cid)
    return hit is None or hit.role != "compares"


def _reason_kind(reason: str) -> str:
    """The kind of a reject reason: its text up to the first colon or parenthesis."""
    return reason.split(":")[0].split("(")[0].strip() or reason


def collect(
    tagged: Iterable[TaggedPaper], taxonomy: Taxonomy, sample_size: int = DEFAULT_SAMPLE
) -> CorpusStats:
    """Fold a stream of tagged papers into a new ``CorpusStats``."""
    stats = CorpusStats(sample_size=sample_size)
    for tp in tagged:
        stats.add(tp, taxonomy)
    return stats
