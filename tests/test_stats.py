"""CorpusStats: counts, relations, bounded samples, and merges that do not depend on how work was split."""

from __future__ import annotations

import pickle
import random
from dataclasses import dataclass, fields, replace

import orjson
import pytest

from taxonomy.models import CUE_ORDER, EVIDENCE_ORDER, ROLES, STRONG_ROLES, Paper, Reject, TaggedPaper
from taxonomy.pipeline import coverage
from taxonomy.rules import Taxonomy, load_rules
from taxonomy.stats import CorpusStats, TableRow, collect, folds
from taxonomy.stats.table import per_family, strongest
from taxonomy.tag import Tagger

from .conftest import FIXTURES

TEXTS = [
    ("Mamba for speech", "Unlike Transformers, our Mamba model runs in linear time.", "2022-05"),
    ("Jamba: a hybrid", "We propose Jamba, mixing attention with state space model layers.", "2023-01"),
    ("Vision Transformers at scale", "We train ViT models on billions of images.", "2023-07"),
    ("S4 revisited", "We study S4 and compare it with self-attention.", None),
    ("Sample size planning", "No neural networks here.", "2021"),
    ("A ViT and an SSM", "We combine a ViT with an SSM block.", "2024-02"),
]


@pytest.fixture(scope="module")
def rules() -> Taxonomy:
    return load_rules(FIXTURES / "tagging")


@pytest.fixture(scope="module")
def tagged(rules: Taxonomy) -> list[TaggedPaper]:
    papers = [Paper(id=f"p{i}", title=t, abstract=a, date=d) for i, (t, a, d) in enumerate(TEXTS)]
    return Tagger(rules).tag_batch(papers)


def test_counts(tagged: list[TaggedPaper], rules: Taxonomy) -> None:
    stats = collect(tagged, rules)
    assert (stats.papers, stats.tagged, stats.records) == (6, 5, 6)
    assert stats.concept_papers["ssm"] == 4
    assert stats.concept_papers["transformer"] == 5
    assert stats.years[("", 2023)] == 2
    assert stats.untagged_papers()[0].paper_id == "p4"
    assert stats.year_range("vision-transformer") == (2023, 2024)


def test_cooccurrence_skips_ancestor_pairs(tagged: list[TaggedPaper], rules: Taxonomy) -> None:
    stats = collect(tagged, rules)
    assert ("mamba", "ssm") not in stats.cooccur
    assert stats.cooccur[("ssm", "transformer")] == 4


def test_typed_relations_with_examples(tagged: list[TaggedPaper], rules: Taxonomy) -> None:
    stats = collect(tagged, rules)
    assert stats.relations[("compared_with", "mamba", "transformer")] == 1
    assert stats.relation_examples[("compared_with", "mamba", "transformer")] == ["p0"]
    assert stats.relations[("combined_with", "ssm", "transformer")] >= 1


def test_rejects_and_duplicates_are_counted(rules: Taxonomy) -> None:
    stats = CorpusStats()
    stats.add_reject(Reject("a.jsonl", 3, "invalid JSON: Expecting value"))
    stats.add_reject(Reject("a.jsonl", 4, "duplicate of p1", duplicate_of="p1"))
    assert stats.summary()["records"] == 2
    assert (stats.rejects, stats.duplicates) == (1, 1)
    assert stats.reject_reasons == {"invalid JSON": 1}


def test_examples_keep_primary_papers_first(tagged: list[TaggedPaper], rules: Taxonomy) -> None:
    examples = collect(tagged, rules).family_examples("transformer")
    assert [e.primary for e in examples] == sorted((e.primary for e in examples), reverse=True)
    first = examples[0]
    assert first.sentence[first.start : first.end]


def summary_of(stats: CorpusStats) -> tuple[object, ...]:
    return (
        stats.summary(),
        stats.concept_papers,
        stats.concept_primary,
        stats.cooccur,
        stats.relations,
        stats.relation_examples,
        stats.years,
        stats.rule_hits,
        {f: stats.family_examples(f) for f in stats.examples},
        stats.untagged_papers(),
        stats.conflicting_papers(),
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_merge_of_any_split_equals_one_pass(tagged: list[TaggedPaper], rules: Taxonomy, seed: int) -> None:
    many = tagged * 7
    whole = collect(many, rules, sample_size=3)
    shuffled = many[:]
    random.Random(seed).shuffle(shuffled)
    cut = random.Random(seed).randrange(1, len(shuffled))
    merged = collect(shuffled[:cut], rules, sample_size=3).merge(
        collect(shuffled[cut:], rules, sample_size=3)
    )
    assert summary_of(merged) == summary_of(whole)


def test_samples_are_bounded(tagged: list[TaggedPaper], rules: Taxonomy) -> None:
    stats = collect(tagged * 50, rules, sample_size=4)
    assert all(len(bucket) <= 4 for bucket in stats.examples.values())
    assert len(stats.untagged) <= 4


def test_stats_pickle_for_worker_processes(tagged: list[TaggedPaper], rules: Taxonomy) -> None:
    stats = collect(tagged, rules)
    again = pickle.loads(pickle.dumps(stats))
    assert summary_of(again) == summary_of(stats)
    assert again.to_dict() == stats.to_dict()  # every sample, example and table row


def test_papers_pickle_with_every_field(tagged: list[TaggedPaper]) -> None:
    """Papers go to worker processes pickled, with their mentions and hits (``source`` is not compared)."""
    tagged = [replace(tp, paper=replace(tp.paper, source=f"in.jsonl:{i}")) for i, tp in enumerate(tagged)]
    again = pickle.loads(pickle.dumps(tagged))
    assert again == tagged
    assert [tp.paper.source for tp in again] == [f"in.jsonl:{i}" for i in range(len(tagged))]
    assert any(tp.mentions for tp in again)


def test_builds_on_relation(rules: Taxonomy) -> None:
    tp = Tagger(rules).tag(Paper(id="b", title="A Transformer-based state space model"))
    stats = collect([tp], rules)
    assert stats.relations[("builds_on", "ssm", "transformer")] == 1
    assert stats.relation_examples[("builds_on", "ssm", "transformer")] == ["b"]


# -- every field declared once -------------------------------------------------------------------


def _content(value: object) -> object:
    """A field's value in a form that compares by content: samples (heaps) as sorted items."""
    if isinstance(value, dict):
        return {key: _content(v) for key, v in value.items()}
    if isinstance(value, list):
        return sorted(getattr(entry, "item", entry) for entry in value)
    return value


def test_every_field_is_merged_saved_and_loaded(tagged: list[TaggedPaper], rules: Taxonomy) -> None:
    rejects = [
        Reject(source="a", line=1, reason="invalid JSON (x: column 1)"),
        Reject(source="a", line=2, reason="duplicate of p0", duplicate_of="p0"),
    ]

    def part(papers: list[TaggedPaper], skipped: list[Reject]) -> CorpusStats:
        stats = collect(papers, rules, sample_size=3)
        for reject in skipped:
            stats.add_reject(reject)
        stats.warnings["abstract cut"] += 1
        return stats

    conflicting = Paper(id="p9", title="Benchmarks", abstract="Unlike transformers, we use a transformer.")
    papers = [*tagged, Tagger(rules).tag(conflicting)]
    whole = part(papers, rejects)
    whole.warnings["abstract cut"] += 1
    for f in fields(CorpusStats):  # a new field must get data here, or this test proves nothing of it
        assert getattr(whole, f.name), f"the test data leaves CorpusStats.{f.name} empty"
    merged = part(papers[:3], rejects[:1]).merge(part(papers[3:], rejects[1:]))
    restored = CorpusStats.from_dict(orjson.loads(orjson.dumps(merged.to_dict())))
    for f in fields(CorpusStats):
        assert _content(getattr(merged, f.name)) == _content(getattr(whole, f.name)), f"{f.name} not merged"
        assert _content(getattr(restored, f.name)) == _content(getattr(merged, f.name)), f"{f.name} not saved"


def test_a_field_that_does_not_say_how_it_folds_is_refused() -> None:
    @dataclass
    class More(CorpusStats):
        new_count: int = 0

    with pytest.raises(TypeError, match=r"More\.new_count does not say how it folds"):
        folds(More)


def test_each_order_of_the_roles_names_every_role_once() -> None:
    assert ROLES == ("proposes", "uses", "compares", "mentions")
    for order in (EVIDENCE_ORDER, CUE_ORDER):
        assert sorted(order) == sorted(ROLES)
    assert STRONG_ROLES == ("proposes", "uses")


def test_coverage_counts_papers_by_area_and_the_words_of_untagged_titles(
    tagged: list[TaggedPaper], rules: Taxonomy
) -> None:
    stats = collect(tagged, rules)  # the fixture's areas: sequences (ssm) and attention (transformer)
    ssm = sum(1 for tp in tagged if "ssm" in tp.families_mentioned)
    assert stats.area_papers["sequences"] == ssm > 0
    assert stats.area_primary["sequences"] == sum(1 for tp in tagged if "ssm" in tp.families_primary)
    # "Sample size planning" names no family: its words are what the taxonomy misses.
    assert stats.untagged_words == {"sample": 1, "size": 1, "planning": 1}
    report = coverage(rules, stats)
    assert report["areas"]["sequences"]["papers"] == ssm and report["untagged_words"][0][1] == 1
    assert report["with_family"] == round(stats.tagged / stats.papers, 4)


# -- the paper table past its limit ----------------------------------------------------------------


def _rows(seed: int, n: int) -> list[TableRow]:
    """Rows of random families, tiers and scores (rounded, so that many tie and the id decides)."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        families = sorted(rng.sample("abcdef", rng.randrange(0, 4)))
        ranks = tuple((f, rng.randrange(3), rng.random() < 0.5, round(rng.random(), 1)) for f in families)
        rows.append(
            TableRow(f"p{rng.randrange(10**6):06d}-{i}", f"t{i}", None, "", "", ranks, (), ("", "", ""))
        )
    return rows


def _parts(rows: list[TableRow], seed: int, table_size: int) -> list[CorpusStats]:
    """The rows as the statistics of consecutive parts of random sizes."""
    rng = random.Random(seed)
    parts, start = [], 0
    while start < len(rows):
        end = start + rng.randrange(1, 60)
        part = CorpusStats(table_size=table_size)
        part.table, part.papers = rows[start:end], len(rows[start:end])
        parts.append(part)
        start = end
    return parts


@pytest.mark.parametrize("seed", range(6))
def test_the_table_keeps_the_rows_of_keeping_every_row_and_pruning_once(seed: int) -> None:
    rows = _rows(seed, 1_500)
    once = strongest(rows, per_family(200))  # every row kept, then the strongest of each family
    stats, longest = CorpusStats(table_size=200), 0
    for part in _parts(rows, seed, 200):
        stats.merge(part)
        longest = max(longest, len(stats.table))
    assert stats.table_rows() == once
    assert longest <= 201  # pruned as soon as it passes its limit; then it keeps a few dozen rows
    shuffled = rows[:]
    random.Random(seed).shuffle(shuffled)
    halves = [CorpusStats(table_size=200), CorpusStats(table_size=200)]
    for i, part in enumerate(_parts(shuffled, seed + 1, 200)):
        halves[i % 2].merge(part)
    assert halves[0].merge(halves[1]).table_rows() == once


def test_a_table_read_back_is_pruned_the_same() -> None:
    rows = _rows(7, 900)
    stats = CorpusStats(table_size=200)
    for part in _parts(rows[:500], 7, 200):
        stats.merge(part)
    restored = CorpusStats.from_dict(orjson.loads(orjson.dumps(stats.to_dict())))
    for part in _parts(rows[500:], 8, 200):
        restored.merge(part)
    assert restored.table_rows() == strongest(rows, per_family(200))


def test_statistics_with_a_table_size_of_0_keep_no_table_and_the_same_counts(rules: Taxonomy) -> None:
    tagger = Tagger(rules)
    tagged = [tagger.tag(Paper(f"p{i}", t, a, date=d)) for i, (t, a, d) in enumerate(TEXTS)]
    with_table = collect(tagged, rules)
    without = CorpusStats(table_size=0)
    for tp in tagged[:3]:
        without.add(tp, rules)
    without.merge(collect(tagged[3:], rules))  # a part that has rows: none are kept
    assert with_table.table and without.table == [] and without.table_rows() == []
    mine, theirs = without.to_dict(), with_table.to_dict()
    for key in ("table", "table_size"):
        del mine[key], theirs[key]
    assert mine == theirs
