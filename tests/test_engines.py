"""Every engine (this process, a process pool, Dask) yields the same lines and statistics, batch by batch in input order."""

from __future__ import annotations

import dataclasses
import gc
import json
import subprocess
import sys
import weakref
from pathlib import Path

import pytest

from taxonomy import engines, pipeline, runs
from taxonomy.cache import TagCache, setup_digest
from taxonomy.ingest import read
from taxonomy.models import Paper, TaggedPaper
from taxonomy.pipeline import sample_corpus
from taxonomy.rules import Taxonomy, load_rules, select_families
from taxonomy.runs import (
    KEEP_COMPILED,
    SMALL_RUN,
    Tagged,
    TagOptions,
    compiled_tagger,
    nothing_tagged,
    tag_and_fold,
)
from taxonomy.stats import CorpusStats
from taxonomy.tag import Tagger

from .conftest import SMALL_RULES

SAMPLE = 4  # a small sample bound: the samples keep some examples and drop others
Results = list[Tagged]


@pytest.fixture(scope="module")
def small() -> Taxonomy:
    return load_rules(SMALL_RULES)


@pytest.fixture(scope="module")
def papers() -> list[Paper]:
    return [p for p in read([str(sample_corpus())]) if isinstance(p, Paper)]


@pytest.fixture(scope="module")
def expected(small: Taxonomy, papers: list[Paper]) -> Results:
    """What one tagger gives, batch by batch."""
    tagger = Tagger(small)
    return [
        tag_and_fold(tagger, batch, SAMPLE) if batch else nothing_tagged(SAMPLE) for batch in _batches(papers)
    ]


def _batches(papers: list[Paper]) -> list[list[Paper]]:
    """Batches of uneven sizes, with an empty one (a batch the cache answered) in the middle."""
    return [papers[:3], papers[3:10], [], papers[10:11], papers[11:]]


def _empty() -> CorpusStats:
    return CorpusStats(sample_size=SAMPLE)


def _options(tmp_path: Path, **kwargs: object) -> TagOptions:
    return TagOptions(inputs=(), out_dir=tmp_path, sample_size=SAMPLE, **kwargs)  # type: ignore[arg-type]


def _run(papers: list[Paper], small: Taxonomy, options: TagOptions) -> Results:
    return list(engines.tag_batches(iter(_batches(papers)), small, options))


def _assert_same(got: Results, expected: Results) -> None:
    assert [(t.lines, t.rows) for t in got] == [(t.lines, t.rows) for t in expected]
    assert [_value(t.stats) for t in got] == [_value(t.stats) for t in expected]
    assert _value(_merge([t.stats for t in got])) == _value(_merge([t.stats for t in expected]))


def _value(stats: CorpusStats) -> dict[str, object]:
    """The statistics as saved, each counter and sample in sorted order: a counter keeps the order its
    keys came in and a sample the order of its heap, which a worker (another hash seed) or the cache
    (its papers are folded after the batch's new ones) change; every file written from them sorts."""
    data = stats.to_dict()
    data["examples"] = [[family, sorted(heap, key=repr)] for family, heap in data["examples"]]
    return {name: sorted(v, key=repr) if isinstance(v, list) else v for name, v in data.items()}


def _merge(parts: list[CorpusStats]) -> CorpusStats:
    total = _empty()
    for part in parts:
        total = total.merge(part)
    return total


def test_the_sample_is_tagged_in_every_batch(expected: Results) -> None:
    """The comparisons below compare something: the small rules tag papers in most batches."""
    assert [t.lines.count(b"\n") for t in expected] == [len(t.rows) for t in expected] == [3, 7, 0, 1, 25]
    assert [t.stats.tagged for t in expected] == [1, 3, 0, 0, 13]


def test_this_process(tmp_path: Path, papers: list[Paper], small: Taxonomy, expected: Results) -> None:
    _assert_same(_run(papers, small, _options(tmp_path)), expected)


def test_this_process_uses_the_tagger_it_is_given(
    tmp_path: Path, papers: list[Paper], small: Taxonomy, expected: Results, monkeypatch: pytest.MonkeyPatch
) -> None:
    tagger = Tagger(small)
    monkeypatch.setattr(engines, "compiled_tagger", _no_tagger)
    got = list(engines.tag_batches(iter(_batches(papers)), small, _options(tmp_path), tagger))
    _assert_same(got, expected)


def test_empty_batches_build_no_tagger(
    tmp_path: Path, small: Taxonomy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engines, "compiled_tagger", _no_tagger)
    got = list(engines.tag_batches(iter([[], []]), small, _options(tmp_path)))
    assert [(t.lines, t.rows, t.stats.to_dict()) for t in got] == [(b"", (), _empty().to_dict())] * 2


def _no_tagger(*args: object, **kwargs: object) -> Tagger:
    raise AssertionError("a tagger was compiled")


def test_the_same_rules_are_compiled_once_a_process(small: Taxonomy) -> None:
    """Rules loaded again give the tagger compiled before; other rules another one; the oldest is let go."""
    tagger = compiled_tagger(small)
    assert compiled_tagger(load_rules(SMALL_RULES)) is tagger
    assert compiled_tagger(small, model=None) is tagger
    ssm = compiled_tagger(select_families(small, ["ssm"]))
    assert ssm is not tagger and ssm.taxonomy.families == ("ssm",)
    others = [compiled_tagger(select_families(small, [f])) for f in ("transformer", "ssm")]
    assert others[1] is ssm and len({id(t) for t in others}) == KEEP_COMPILED == 2
    assert compiled_tagger(small) is not tagger  # let go when the two others were used after it


class _Cycle:
    """An object that refers to itself: only the cyclic garbage collector frees it."""

    def __init__(self) -> None:
        self.itself = self


def test_garbage_frozen_with_a_tagger_is_collected_when_another_is_compiled(
    small: Taxonomy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tagger compiled or read back is taken, with all the process holds then, out of the cyclic
    collector's reach (``gc.freeze``); what was frozen is collected when another tagger is, so a
    reference cycle dropped since (a tagger let go may hold some) does not stay for good."""
    monkeypatch.setattr(runs, "_compiled", {})  # as a new process: nothing compiled yet
    held = _Cycle()
    compiled_tagger(select_families(small, ["transformer"]))
    assert gc.get_freeze_count() > 0
    dropped = weakref.ref(held)
    del held
    gc.collect()
    assert dropped() is not None  # frozen
    compiled_tagger(select_families(small, ["ssm"]))
    assert dropped() is None
    assert gc.get_freeze_count() > 0


def test_process_pool(tmp_path: Path, papers: list[Paper], small: Taxonomy, expected: Results) -> None:
    _assert_same(_run(papers, small, _options(tmp_path, jobs=2)), expected)


def test_dask(
    tmp_path: Path, papers: list[Paper], small: Taxonomy, expected: Results, dask_scheduler: str
) -> None:
    options = _options(tmp_path, engine="dask", scheduler=dask_scheduler)
    _assert_same(_run(papers, small, options), expected)


@pytest.mark.parametrize("jobs", [1, 2])
def test_cached_papers_come_back_in_input_order(
    tmp_path: Path, papers: list[Paper], small: Taxonomy, expected: Results, jobs: int
) -> None:
    """A cache holding every other paper: its papers and the newly tagged ones are yielded in input order."""
    options = _options(tmp_path, jobs=jobs)
    seen: list[TaggedPaper] = []
    with TagCache(tmp_path / "cache.sqlite", setup_digest(small)) as cache:
        list(engines.tag_cached(iter([papers[::2]]), small, options, cache))
        got = list(engines.tag_cached(iter(_batches(papers)), small, options, cache, on_paper=seen.append))
        assert cache.hits == len(papers[::2])
    _assert_same(got, expected)
    assert [tp.paper.id for tp in seen] == [p.id for p in papers]


def test_feed_hands_on_every_paper(expected: Results) -> None:
    seen: list[TaggedPaper] = []
    assert list(engines.feed(iter(expected), seen.append)) == expected
    assert len(seen) == sum(t.lines.count(b"\n") for t in expected)


def _tag_sample(out: Path, jobs: int) -> dict[str, bytes]:
    options = TagOptions(inputs=(str(sample_corpus()),), out_dir=out, rules_dir=SMALL_RULES, jobs=jobs)
    pipeline.tag_corpus(options)
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_a_small_run_is_tagged_in_this_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fewer than SMALL_RUN papers with --jobs 2: no worker is started, and the files are the same."""
    monkeypatch.setattr(engines, "SMALL_RUN", SMALL_RUN)
    monkeypatch.setattr(engines.Pool, "_workers", _no_pool)
    assert _tag_sample(tmp_path / "two", jobs=2) == _tag_sample(tmp_path / "one", jobs=1)


def test_a_run_of_more_papers_uses_the_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pools: list[int] = []
    workers = engines.Pool._workers

    def counted(self: engines.Pool) -> object:
        if self._executor is None:
            pools.append(self._options.jobs)
        return workers(self)

    monkeypatch.setattr(engines, "SMALL_RUN", 36)  # the sample has 36 papers
    monkeypatch.setattr(engines.Pool, "_workers", counted)
    assert _tag_sample(tmp_path / "two", jobs=2) == _tag_sample(tmp_path / "one", jobs=1)
    assert pools == [2]


def _no_pool(*args: object) -> object:
    raise AssertionError("a worker pool was started")


def test_batches_tagged_while_reading_are_used_unless_a_paper_changed(
    tmp_path: Path, papers: list[Paper], small: Taxonomy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pool tags batches as the papers are read; a batch whose papers a later duplicate changed
    is tagged again, and the results are what one tagger gives for the final batches."""
    monkeypatch.setattr(engines, "SMALL_RUN", 0)
    read = [papers[i : i + 3] for i in range(0, len(papers), 3)]
    merged = dataclasses.replace(read[1][0], abstract="We train a state space model.")
    final = [read[0], [merged, *read[1][1:]], *read[2:]]
    tagger = Tagger(small)
    expected = [tag_and_fold(tagger, batch, SAMPLE) for batch in final]
    with engines.Pool(small, _options(tmp_path, jobs=2, batch_size=3)) as pool:
        for paper in read[0]:
            pool.kept(paper)
        pool._ahead[0][1].result()  # type: ignore[union-attr]  # done before reading goes on
        for batch in read[1:]:
            for paper in batch:
                pool.kept(paper)
        got = list(pool.tag(iter(final)))
        counts = dict(pool.counts)
    _assert_same(got, expected)
    assert counts["spilled"] >= 1  # batch 0 waited on disk
    assert counts["changed"] == 1  # batch 1 (tagged ahead: the workers take 2 * jobs at once)
    assert counts["used"] >= 1


def test_a_late_duplicate_changes_a_paper_tagged_while_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--jobs 2 writes what --jobs 1 does when a duplicate at the end gives a paper read early its abstract."""
    rows = [
        {"id": f"p{i}", "doi": f"10.1/{i}", "title": f"Paper {i} on vision transformer"} for i in range(40)
    ]
    # p5 is in the third batch of two, which the workers take as soon as it is read
    rows.append(
        {
            "doi": "10.1/5",
            "title": "Paper 5 on vision transformer",
            "abstract": "We train a state space model.",
        }
    )
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    monkeypatch.setattr(engines, "SMALL_RUN", 4)

    def tagged(out: Path, jobs: int) -> dict[str, bytes]:
        options = TagOptions(
            inputs=(str(corpus),), out_dir=out, rules_dir=SMALL_RULES, jobs=jobs, batch_size=2
        )
        pipeline.tag_corpus(options)
        return {p.name: p.read_bytes() for p in sorted(out.iterdir())}

    one = tagged(tmp_path / "one", jobs=1)
    assert b"state space model" in one["papers.jsonl"]
    assert tagged(tmp_path / "two", jobs=2) == one


def test_a_run_without_the_paper_table_writes_the_same_files(tmp_path: Path) -> None:
    """``tag`` writes no report, so the CLI keeps no paper table (its rows are the largest part of the statistics)."""
    kept = pipeline.tag_corpus(TagOptions((str(sample_corpus()),), tmp_path / "with", rules_dir=SMALL_RULES))
    options = TagOptions(
        (str(sample_corpus()),), tmp_path / "without", rules_dir=SMALL_RULES, paper_table=False
    )
    left = pipeline.tag_corpus(options)
    assert kept.stats.table and left.stats.table == []
    files = sorted(p.name for p in (tmp_path / "with").iterdir())
    assert files == sorted(p.name for p in (tmp_path / "without").iterdir())
    for name in files:
        assert (tmp_path / "with" / name).read_bytes() == (tmp_path / "without" / name).read_bytes()


def test_the_parent_of_a_pool_run_never_imports_spacy(tmp_path: Path, small: Taxonomy) -> None:
    """``build --jobs 2`` tags on the workers: the parent only reads, merges and writes, so it does
    not pay spaCy's import (about 65 MB of its peak memory and half a second).

    (Rules that are not in the cache yet are checked with spaCy's own pattern validator: ``small``
    has put these in the cache the child reads.)"""
    script = (
        "import sys\n"
        "import taxonomy.engines\n"
        "taxonomy.engines.SMALL_RUN = 0\n"
        "from taxonomy.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "print(code, sorted(m for m in sys.modules if m.split('.')[0] == 'spacy')[:3])\n"
    )
    args = ["build", str(sample_corpus()), "-o", str(tmp_path / "out"), "--rules", str(SMALL_RULES)]
    done = subprocess.run(
        [sys.executable, "-c", script, *args, "--jobs", "2", "--no-progress"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.splitlines()[-1] == "0 []", done.stderr
    assert (tmp_path / "out" / "report.html").is_file()
