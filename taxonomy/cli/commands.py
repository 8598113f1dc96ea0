"""One handler per command: turn parsed options into one library call and print its short result.

Library modules are imported inside the handlers, so ``taxonomy --help`` starts without loading spaCy.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from taxonomy.cli.progress import Progress
from taxonomy.errors import UsageError

if TYPE_CHECKING:
    from taxonomy.rules import Taxonomy
    from taxonomy.runs import GraphOptions, OnProgress, TagOptions, TagResult
    from taxonomy.stats import CorpusStats


def _tag_options(args: argparse.Namespace, inputs: Sequence[str], on_progress: OnProgress) -> TagOptions:
    from taxonomy.ingest import FieldNames
    from taxonomy.runs import TagOptions

    fields = FieldNames(args.title_field, args.abstract_field, args.date_field, args.id_field, args.delimiter)
    return TagOptions(
        inputs=tuple(inputs),
        out_dir=args.output,
        rules_dir=args.rules,
        format=args.format,
        fields=fields,
        strict=args.strict,
        jobs=1 if args.jobs is None else args.jobs,
        model=args.model,
        engine=args.engine,
        scheduler=args.scheduler,
        batch_size=max(1, args.batch_size),
        on_progress=on_progress,
        cache=args.cache,
        families=_ids(args.families),
        areas=_ids(args.areas),
    )


def _ids(value: str | None) -> tuple[str, ...]:
    """The ids of a comma-separated option ("ssm, transformer")."""
    return tuple(dict.fromkeys(v.strip() for v in (value or "").split(",") if v.strip()))


def _graph_choice(args: argparse.Namespace) -> GraphOptions:
    from taxonomy.export import check_formats
    from taxonomy.runs import GraphOptions

    formats = check_formats([f.strip().lower() for f in args.graph_format.split(",") if f.strip()] or [""])
    if args.min_count < 1:
        raise UsageError("--min-count must be 1 or more")
    return GraphOptions(formats, args.min_count, args.all_concepts, not args.no_paper_graph)


def build(args: argparse.Namespace) -> int:
    from taxonomy import pipeline
    from taxonomy.pipeline import sample_corpus

    inputs = args.inputs or [str(sample_corpus())]
    progress = _progress(args)
    options = _tag_options(args, inputs, progress.update)
    graph = _graph_choice(args)
    if not args.inputs:  # name the bundled sample by its file name, not where it is installed
        options = dataclasses.replace(options, labels=(sample_corpus().name,))
    try:
        result, files = pipeline.build(options, graph)
    finally:
        progress.close()
    if not args.quiet:
        _print_run(result.stats.summary(), args.output, files)
        _print_cache(args.cache, result)
    return 0


def tag(args: argparse.Namespace) -> int:
    from taxonomy.pipeline import tag_corpus

    progress = _progress(args)
    try:
        options = _tag_options(args, args.inputs, progress.update)
        # No report is written: the paper table is kept only for the cache's statistics.
        result = tag_corpus(dataclasses.replace(options, paper_table=args.cache is not None))
    finally:
        progress.close()
    if not args.quiet:
        _print_run(result.stats.summary(), args.output, list(result.files))
        _print_cache(args.cache, result)
    return 0


def _progress(args: argparse.Namespace) -> Progress:
    """Progress on standard error: as --progress says, else when it is a terminal and not --quiet."""
    return Progress(enabled=False if args.progress is None and args.quiet else args.progress)


def _print_run(summary: dict[str, object], out_dir: Path, files: Sequence[Path]) -> None:
    s = summary
    print(
        f"Read {s['records']:,} records: {s['papers']:,} papers, {s['rejects']:,} rejected, {s['duplicates']:,} duplicates."
    )
    print(
        f"Tagged {s['tagged']:,} papers with a family ({s['with_primary']:,} with a primary family); {s['untagged']:,} untagged."
    )
    names = ", ".join(sorted({_relative(f, out_dir) for f in files}))
    print(f"Wrote {out_dir}/: {names}")


def _print_cache(cache: Path | None, result: TagResult) -> None:

    if cache is None:
        return
    if result.not_resumed:
        print(f"Cache {cache}: every input read again: {result.not_resumed}.")
    cached, new = result.cached, result.stats.papers - result.resumed
    if result.resumed:
        print(
            f"Cache {cache}: resumed after the {result.resumed:,} papers of the last run; "
            f"{new:,} new: {cached:,} taken from it, {new - cached:,} tagged and stored."
        )
    else:
        print(f"Cache {cache}: {cached:,} papers taken from it, {new - cached:,} tagged and stored.")


def _relative(path: Path, folder: Path) -> str:
    try:
        return str(path.relative_to(folder))
    except ValueError:
        return str(path)


def _from_papers(args: argparse.Namespace) -> tuple[Taxonomy, CorpusStats, Path]:
    from taxonomy.pipeline import chosen_part, stats_from_papers
    from taxonomy.rules import load_rules

    taxonomy = chosen_part(load_rules(args.rules), _ids(args.families), _ids(args.areas))
    stats = stats_from_papers(args.papers, taxonomy)
    out_dir = args.output if args.output is not None else args.papers.parent
    return taxonomy, stats, out_dir


def graph(args: argparse.Namespace) -> int:
    from taxonomy.pipeline import write_graphs

    graph = _graph_choice(args)
    taxonomy, stats, out_dir = _from_papers(args)
    files = write_graphs(taxonomy, stats, out_dir, graph, args.papers)
    if not args.quiet:
        print(f"Wrote {out_dir}/: {', '.join(sorted(_relative(f, out_dir) for f in files))}")
    return 0


def report(args: argparse.Namespace) -> int:
    from taxonomy.pipeline import previous_summary, write_reports

    taxonomy, stats, out_dir = _from_papers(args)
    previous = args.previous
    if previous is not None and not previous.is_file():
        raise UsageError(f"{previous}: no such file (--previous takes an earlier run's summary.json)")
    if previous is None and out_dir.resolve() != args.papers.parent.resolve():
        previous = out_dir  # the summary beside PAPERS.jsonl is this run's own: nothing to compare
    summary = previous_summary(previous) if previous is not None else None
    files = write_reports(taxonomy, stats, out_dir, summary)
    if not args.quiet:
        print(f"Wrote {out_dir}/: {', '.join(sorted(_relative(f, out_dir) for f in files))}")
    return 0


def explain(args: argparse.Namespace) -> int:
    from taxonomy import ingest
    from taxonomy.explain import explain as explanation
    from taxonomy.models import Paper
    from taxonomy.rules import load_rules
    from taxonomy.runs import compiled_tagger

    if bool(args.text is not None) == bool(args.paper_id is not None):
        raise UsageError("give either --text TEXT, or --id ID with the input files holding that paper")
    taxonomy = load_rules(args.rules)
    if args.text is not None:
        paper = Paper(id="", title=" ".join(args.title.split()), abstract=" ".join(args.text.split()))
    else:
        if not args.inputs:
            raise UsageError(
                "--id needs the input files holding the paper (taxonomy explain INPUT... --id ID)"
            )
        with contextlib.closing(ingest.read(args.inputs, format=args.format)) as records:
            found = next((r for r in records if isinstance(r, Paper) and r.id == args.paper_id), None)
        if found is None:
            raise UsageError(
                f"no paper with id '{args.paper_id}' in {', '.join(args.inputs)} (ids are listed in papers.jsonl)"
            )
        paper = found
    print(explanation(compiled_tagger(taxonomy).tag(paper), taxonomy))
    return 0


def rules_check(args: argparse.Namespace) -> int:
    from taxonomy.rules import load_rules

    taxonomy = load_rules(args.rules)
    families = len(taxonomy.families)
    concepts = len(taxonomy.concepts) - families
    patterns = sum(len(c.patterns) for c in taxonomy.concepts.values())
    aliases = sum(len(c.aliases) + len(c.aliases_cased) for c in taxonomy.concepts.values())
    if args.quiet:
        return 0
    print(
        f"{taxonomy.root}: OK: {families} families, {concepts} concepts, {aliases} aliases, {patterns} token patterns."
    )
    return 0


def rules_test(args: argparse.Namespace) -> int:
    from taxonomy.rules import load_rules
    from taxonomy.ruletests import run_rule_tests

    taxonomy = load_rules(args.rules)
    result = run_rule_tests(taxonomy)
    for failure in result.failures:
        print(failure.describe())
    if args.quiet:
        return 0 if result.ok else 1
    verdict = "OK" if result.ok else f"{len(result.failures)} failed"
    families = len(taxonomy.families)
    print(
        f"{families} families and {result.concepts - families} concepts: {result.examples} examples, "
        f"{result.counterexamples} counterexamples: {verdict}."
    )
    return 0 if result.ok else 1


def evaluate(args: argparse.Namespace) -> int:
    from taxonomy import ingest
    from taxonomy.evaluate import (
        ListGold,
        evaluate,
        evaluate_lists,
        format_evaluation,
        format_list_evaluation,
        gold_families,
        load_gold,
    )
    from taxonomy.models import Paper
    from taxonomy.rules import load_rules, select_families
    from taxonomy.runs import compiled_tagger
    from taxonomy.tag import Tagger

    golds = [load_gold(path) for path in args.gold]
    rules = load_rules(args.rules)
    given = (
        [r for r in ingest.read(args.inputs, format=args.format, dedupe=False) if isinstance(r, Paper)]
        if args.inputs
        else None
    )
    taggers: dict[frozenset[str], Tagger] = {}
    reports = []
    for gold in golds:
        # Score only the families the labellers knew: a paper tagged with a family the gold file
        # never labels would count as an error that no labeller could have marked.
        if args.families == "all":
            families = frozenset(rules.families)
        elif args.families:
            families = frozenset(f.strip() for f in args.families.split(",") if f.strip())
        else:
            families = gold_families(gold) & frozenset(rules.families) or frozenset(rules.families)
        if families not in taggers:
            taggers[families] = compiled_tagger(select_families(rules, families))
        tagger = taggers[families]
        taxonomy = tagger.taxonomy
        papers = given or [
            Paper(id=f"gold:{g.line}", title=g.title, abstract=g.abstract) for g in gold.papers
        ]
        tagged = tagger.tag_batch(papers)
        name = gold.path.name
        if isinstance(gold, ListGold):
            listed = evaluate_lists(tagged, gold.papers, taxonomy, name=name, part=args.part)
            found = listed.groups["all"].papers
            text = format_list_evaluation(listed, errors=not args.no_errors)
        else:
            scored = evaluate(tagged, gold.papers, taxonomy)
            found = scored.papers
            text = format_evaluation(scored, errors=not args.no_errors)
        if not found:
            raise UsageError(
                f"{name}: none of its {len(gold.papers)} gold papers is in the input (papers are matched by title)"
            )
        reports.append(text)
    print("\n\n".join(reports))
    return 0


def audit(args: argparse.Namespace) -> int:
    from taxonomy import ingest
    from taxonomy.audit import draw, format_audit
    from taxonomy.models import Paper
    from taxonomy.rules import load_rules
    from taxonomy.runs import compiled_tagger

    if args.per_family < 1:
        raise UsageError("--per-family must be 1 or more")
    taxonomy = load_rules(args.rules)
    papers = (r for r in ingest.read(args.inputs, format=args.format) if isinstance(r, Paper))
    tagged = compiled_tagger(taxonomy).tag_stream(papers)
    print(format_audit(draw(tagged, taxonomy, per_family=args.per_family, seed=args.seed)), end="")
    return 0


def suggest(args: argparse.Namespace) -> int:
    from taxonomy import ingest
    from taxonomy.models import Paper
    from taxonomy.pipeline import sample_corpus
    from taxonomy.rules import load_rules
    from taxonomy.runs import compiled_tagger
    from taxonomy.suggest import suggest as find_candidates
    from taxonomy.suggest import to_table, to_yaml

    if args.min_papers < 1 or args.top < 1:
        raise UsageError("--min-papers and --top must be 1 or more")
    if args.others < 0:
        raise UsageError("--others must be 0 or more")
    taxonomy = load_rules(args.rules)
    records = ingest.read(args.inputs or [str(sample_corpus())], format=args.format_in)
    papers = (r for r in records if isinstance(r, Paper))
    found = find_candidates(
        papers, compiled_tagger(taxonomy), min_papers=args.min_papers, top=args.top, others=args.others
    )
    print(to_yaml(found, taxonomy) if args.format == "yaml" else to_table(found), end="")
    return 0
