"""The stages chained: read, tag and fold, then the graphs and the report from the same statistics.

Tagging is the only costly step. It runs over batches of papers in this process (``jobs=1``), in
a pool of worker processes that each compile the rules once (``jobs>1``), or on Dask workers
(``engine="dask"``). Workers return the papers.jsonl lines of a batch and a partial ``CorpusStats``;
the parent writes lines in input order and merges the statistics, whose result does not depend on
how the corpus was split, so every engine writes the same bytes. Nothing here prints: a caller that
shows progress passes ``TagOptions.on_progress``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from taxonomy import ingest, resume
from taxonomy.cache import TagCache, setup_digest
from taxonomy.digest import HashingWriter
from taxonomy.engines import Pool, by_size, feed, tag_batches, tag_cached
from taxonomy.errors import InputError, OutputError, UsageError
from taxonomy.flat import PAPERS_CSV_FILE, CsvFile
from taxonomy.models import Paper, Reject
from taxonomy.rules import Taxonomy, load_rules, select_areas, select_families
from taxonomy.runs import (
    ENGINES,
    PAPER_GRAPH_FILE,
    PAPERS_FILE,
    REJECTS_FILE,
    SUMMARY_FILE,
    GraphOptions,
    TagOptions,
    TagResult,
    compiled_tagger,
    table_size,
    tag_and_fold,
    tags_here,
)
from taxonomy.serialize import read_tagged, reject_to_line
from taxonomy.staging import Staging, staged
from taxonomy.stats import DEFAULT_SAMPLE, CorpusStats

if TYPE_CHECKING:
    from taxonomy.graph import GraphLayout, PaperGraphSink
    from taxonomy.tag import Tagger

__all__ = [
    "GraphOptions",
    "TagOptions",
    "TagResult",
    "build",
    "previous_summary",
    "sample_corpus",
    "stats_from_papers",
    "summary_data",
    "tag_and_fold",
    "tag_corpus",
    "write_graphs",
    "write_reports",
    "write_summary",
]


def chosen_part(taxonomy: Taxonomy, families: Sequence[str], areas: Sequence[str]) -> Taxonomy:
    """The part of the taxonomy to tag with: the given families and the families of the given
    areas, or all of it when neither is given."""
    if not families and not areas:
        return taxonomy
    from_areas = select_areas(taxonomy, areas).families if areas else ()  # checks the area ids once
    return select_families(taxonomy, [*families, *from_areas])


def sample_corpus() -> Path:
    """The small corpus bundled with the package, used when ``build`` gets no input."""
    return Path(__file__).resolve().parent / "data" / "sample-papers.jsonl"


def tag_corpus(options: TagOptions, *, paper_graph: bool = False) -> TagResult:
    """Read the inputs, tag every paper, write papers.jsonl, papers.csv, rejects.jsonl and summary.json.

    With ``paper_graph``, papers.graphml is written too, from the papers as they pass (so ``build``
    need not read papers.jsonl back, and a cached paper is decoded once). With a cache, a run
    whose inputs only grew since the last run reads only what is new (``taxonomy.resume``). The
    files replace those in the output folder only when every one is written (``taxonomy.staging``).
    """
    _check(options)
    with staged(options.out_dir) as stage:
        return _tag_staged(options, stage, paper_graph)


def _check(options: TagOptions) -> None:
    if options.jobs < 1:
        raise UsageError(f"--jobs must be 1 or more, not {options.jobs}")
    if options.engine not in ENGINES:
        raise UsageError(f"unknown engine '{options.engine}' (choose from {', '.join(ENGINES)})")
    if options.scheduler and options.engine != "dask":
        raise UsageError("--scheduler needs --engine dask")


def _tag_staged(options: TagOptions, stage: Staging, paper_graph: bool) -> TagResult:
    """``tag_corpus`` into a staging folder (the files it names are where they go when it commits)."""
    taxonomy = chosen_part(load_rules(options.rules_dir), options.families, options.areas)
    if options.cache is None:
        stats = CorpusStats(sample_size=options.sample_size, table_size=table_size(options))
        start = resume.Start({}, stats)
        return _tag(options, taxonomy, stage, paper_graph, start, None)
    with TagCache(options.cache, setup_digest(taxonomy, options.model)) as cache:
        compiled: list[Tagger] = []

        def compile_tagger() -> None:  # while the last run's files are hashed
            if tags_here(options):
                compiled.append(compiled_tagger(taxonomy, options.model))

        start = resume.begin(cache, options, paper_graph, meanwhile=compile_tagger)
        try:
            return _tag(options, taxonomy, stage, paper_graph, start, cache, *compiled)
        finally:
            start.close()


def _tag(
    options: TagOptions,
    taxonomy: Taxonomy,
    stage: Staging,
    paper_graph: bool,
    start: resume.Start,
    cache: TagCache | None,
    tagger: Tagger | None = None,
) -> TagResult:
    """Tag what ``start`` says is left to read, into the outputs as ``start`` left them."""
    # A pool of workers may start tagging while the inputs are read (without a cache in front).
    pool = (
        Pool(taxonomy, options)
        if cache is None and not tags_here(options) and options.engine == "local"
        else None
    )
    records = ingest.read(
        options.inputs,
        format=options.format,
        fields=options.fields,
        strict=options.strict,
        labels=options.labels,
        seen=start.seen,
        track=cache is not None,
        resume=start.at,
        on_kept=pool.kept if pool is not None else None,
    )
    stats = start.stats
    papers_path, rejects_path = stage.path / PAPERS_FILE, stage.path / REJECTS_FILE
    graph_path, csv_path = stage.path / PAPER_GRAPH_FILE, stage.path / PAPERS_CSV_FILE
    if paper_graph and start.graph is not None:
        stage.link(PAPER_GRAPH_FILE)  # the graph to extend, where its writer reads it
    with (
        stage.open(PAPERS_FILE, start.kept_outputs.get(PAPERS_FILE)) as papers_out,
        stage.open(REJECTS_FILE, start.kept_outputs.get(REJECTS_FILE)) as rejects_out,
        _paper_graph(graph_path, taxonomy, paper_graph, start.graph) as sink,
        CsvFile(csv_path) as csv_out,
        pool or nullcontext(),
    ):
        if PAPERS_FILE in start.kept_outputs:  # the rows of the papers the last run tagged, read back
            csv_out.write_papers(read_tagged(papers_path))
        on_paper = sink.add if sink is not None else None
        batches = _batches(records, options.batch_size, stats, rejects_out)
        batches, options = by_size(batches, records, options)
        if cache is None:
            tagged = feed(tag_batches(batches, taxonomy, options, pool=pool), on_paper)
        else:
            tagged = tag_cached(batches, taxonomy, options, cache, on_paper, tagger)
        for lines, rows, part in tagged:
            papers_out.write(lines)
            csv_out.write(rows)
            if part.records:  # an empty batch has nothing to merge
                stats.merge(part)
            if options.on_progress is not None:
                options.on_progress(stats.papers, records.bytes_read, records.total_bytes)
        stats.warnings.update(records.warnings)
    if cache is not None:
        layout = sink.layout if sink is not None else None
        outputs = (papers_out, rejects_out)
        resume.finish(cache, start, options.inputs, records.ends, stats, outputs, layout)
    summary_path = write_summary(stage.path, taxonomy, stats, options.labels or options.inputs)
    written = (papers_path, csv_path, rejects_path, summary_path, *((graph_path,) if paper_graph else ()))
    files = tuple(stage.final(path) for path in written)
    cached = cache.hits if cache is not None else 0
    return TagResult(taxonomy, stats, files, cached, start.resumed, start.reason)


def _paper_graph(
    path: Path, taxonomy: Taxonomy, wanted: bool, base: GraphLayout | None
) -> AbstractContextManager[PaperGraphSink | None]:
    """The paper graph's sink (extending ``base``), or nothing; the file is written only when the block succeeds."""
    from taxonomy.graph import PaperGraphSink

    # Ingest has dropped duplicate ids (also across a resumed run): the sink need not look for them.
    return PaperGraphSink(path, taxonomy, dedupe=False, base=base) if wanted else nullcontext()


def _batches(
    records: Iterator[Paper | Reject], size: int, stats: CorpusStats, rejects_out: HashingWriter
) -> Iterator[list[Paper]]:
    """Group papers into batches; rejects are written and counted as they pass."""
    batch: list[Paper] = []
    for record in records:
        if isinstance(record, Reject):
            rejects_out.write(reject_to_line(record))
            stats.add_reject(record)
            continue
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# -- summary ---------------------------------------------------------------------------------------


def summary_data(taxonomy: Taxonomy, stats: CorpusStats, inputs: Sequence[str] = ()) -> dict[str, Any]:
    """What summary.json holds: corpus counts, counts per family and concept, relations, rules."""
    concepts = taxonomy.concepts
    return {
        "corpus": stats.summary(),
        "families": {
            fid: {
                "label": concepts[fid].label,
                "papers": stats.concept_papers.get(fid, 0),
                "primary": stats.concept_primary.get(fid, 0),
            }
            for fid in taxonomy.families
        },
        "concepts": {
            cid: {"papers": stats.concept_papers[cid], "primary": stats.concept_primary.get(cid, 0)}
            for cid in sorted(stats.concept_papers)
            if not concepts[cid].is_family
        },
        "relations": [
            {"relation": rel, "source": a, "target": b, "count": n}
            for (rel, a, b), n in sorted(stats.relations.items())
        ],
        "rules": {"version": taxonomy.version, "concepts": len(concepts)},
        "inputs": list(inputs),
        "coverage": coverage(taxonomy, stats),
    }


def coverage(taxonomy: Taxonomy, stats: CorpusStats) -> dict[str, Any]:
    """How much of the corpus the taxonomy covers: the share of papers with a family (and a
    primary one), per area, and the most frequent words of untagged titles (what it misses)."""

    def share(n: int) -> float:
        return round(n / stats.papers, 4) if stats.papers else 0.0

    return {
        "with_family": share(stats.tagged),
        "with_primary": share(stats.with_primary),
        "areas": {
            aid: {
                "label": area.label,
                "families": list(area.families),
                "papers": stats.area_papers[aid],
                "primary": stats.area_primary[aid],
                "share": share(stats.area_papers[aid]),
            }
            for aid, area in taxonomy.areas.items()
        },
        "untagged_words": [[word, n] for word, n in stats.top_untagged_words()],
    }


def write_summary(out_dir: Path, taxonomy: Taxonomy, stats: CorpusStats, inputs: Sequence[str] = ()) -> Path:
    """Write summary.json (sorted keys, so reruns give the same bytes)."""
    path = out_dir / SUMMARY_FILE
    data = summary_data(taxonomy, stats, inputs)
    try:
        path.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n")
    except OSError as exc:
        raise OutputError(f"{path}: cannot be written ({exc.strerror or exc})") from None
    return path


# -- graph and report ------------------------------------------------------------------------------


def stats_from_papers(
    papers_path: Path, taxonomy: Taxonomy, sample_size: int = DEFAULT_SAMPLE
) -> CorpusStats:
    """Rebuild the statistics of an earlier run from its papers.jsonl (and summary.json beside it)."""
    stats = CorpusStats(sample_size=sample_size)
    known = taxonomy.concepts
    for number, tp in enumerate(read_tagged(papers_path), 1):
        unknown = sorted({h.concept for h in tp.concepts if h.concept not in known})
        if unknown:
            raise InputError(
                f"{papers_path}:{number}: concept '{unknown[0]}' is not in the rules "
                f"(the file was tagged with other rules; pass them with --rules DIR)"
            )
        stats.add(tp, taxonomy)
    summary_path = papers_path.parent / SUMMARY_FILE
    if summary_path.is_file():
        try:
            corpus = orjson.loads(summary_path.read_bytes())["corpus"]
            stats.rejects = int(corpus["rejects"])
            stats.duplicates = int(corpus["duplicates"])
            stats.records += stats.rejects + stats.duplicates
            stats.reject_reasons.update({str(k): int(v) for k, v in corpus["reject_reasons"].items()})
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            pass  # a summary from another tool or version: counts of rejects are then unknown (0)
    return stats


def write_graphs(
    taxonomy: Taxonomy,
    stats: CorpusStats,
    out_dir: Path,
    options: GraphOptions,
    papers_path: Path | None = None,
) -> list[Path]:
    """Write the concept graph in each format, and the paper graph when papers.jsonl is given."""
    with staged(out_dir) as stage:
        written = _write_graphs(taxonomy, stats, stage.path, options, papers_path)
    return [stage.final(path) for path in written]


def _write_graphs(
    taxonomy: Taxonomy,
    stats: CorpusStats,
    out_dir: Path,
    options: GraphOptions,
    papers_path: Path | None = None,
) -> list[Path]:
    from taxonomy.export import table, write_table
    from taxonomy.graph import PaperGraphSink, concept_graph

    graph = concept_graph(taxonomy, stats, min_count=options.min_count, all_concepts=options.all_concepts)
    flat = table(graph)
    del graph  # flattened, the networkx graph is not needed to write the files (25 MB of 100,000 papers)
    written = write_table(flat, out_dir, "concepts", options.formats)
    if options.paper_graph and papers_path is not None:
        with PaperGraphSink(out_dir / "papers.graphml", taxonomy) as sink:
            for tp in read_tagged(papers_path):
                sink.add(tp)
        written.append(out_dir / "papers.graphml")
    return written


def write_reports(
    taxonomy: Taxonomy,
    stats: CorpusStats,
    out_dir: Path,
    previous: dict[str, Any] | None = None,
) -> list[Path]:
    """Write report.md, report.html and their figures (saying what changed since ``previous``, a summary)."""
    from taxonomy.report import render_report

    with staged(out_dir, _report_figures()) as stage:
        written = render_report(taxonomy, stats, stage.path, previous=previous)
    return [stage.final(path) for path in written]


def _report_figures() -> list[str]:
    """Every figure a report may have: one this run does not draw must not outlive the report that used it."""
    from taxonomy.report import FIGURE_NAMES, FIGURES_DIR

    return [f"{FIGURES_DIR}/{name}.svg" for name in FIGURE_NAMES]


def previous_summary(path: Path) -> dict[str, Any] | None:
    """An earlier run's summary.json (a file, or the folder holding it); None when absent or unreadable."""
    path = path / SUMMARY_FILE if path.is_dir() else path
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None  # no previous run, or nothing usable: the report just leaves the comparison out
    return data if isinstance(data, dict) else None


def build(options: TagOptions, graph: GraphOptions | None = None) -> tuple[TagResult, list[Path]]:
    """Everything: read, tag and fold, then the graphs and the report from the same statistics."""
    from taxonomy.report import TITLE, write_report
    from taxonomy.report.context import build as report_data
    from taxonomy.report.drawing import FigureWorkers

    previous = previous_summary(options.out_dir)  # read before this run replaces it
    graph = graph or GraphOptions()
    _check(options)
    # The figure worker loads matplotlib while this process tags, and draws while it writes the graphs.
    with FigureWorkers() as workers, staged(options.out_dir, _report_figures()) as stage:
        result = _tag_staged(options, stage, graph.paper_graph)  # the paper graph is written as papers pass
        data = report_data(result.taxonomy, result.stats, TITLE, previous)
        figures = workers.submit(data)
        graph_files = _write_graphs(result.taxonomy, result.stats, stage.path, graph)
        report_files = write_report(data, figures(), stage.path)
        files = [*result.files, *(stage.final(path) for path in graph_files + report_files)]
    return result, files
