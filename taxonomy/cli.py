"""The ``taxonomy`` command: parse options, call one library function, print a short result.

Library errors (``TaxonomyError``) become one ``Error: ...`` line on standard error and exit status 1;
anything else keeps its traceback, because it is a bug.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from taxonomy import __version__
from taxonomy.errors import TaxonomyError, UsageError

Handler = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return handler(args)
    except TaxonomyError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


# -- options ---------------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="taxonomy",
        description="Tag papers with method families and concepts, and map how the methods relate.",
        epilog="Run 'taxonomy COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"taxonomy {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    build = _command(
        commands,
        "build",
        _build,
        "tag a corpus and write papers, graph, report and summary",
        "Read the inputs (the bundled sample corpus when none are given), tag every paper, "
        "and write papers.jsonl, rejects.jsonl, summary.json, the concept graph and the reports.",
    )
    _input_options(build, optional=True)
    _output_option(build)
    _tagging_options(build)
    _graph_options(build)

    tag = _command(
        commands,
        "tag",
        _tag,
        "tag a corpus and write papers.jsonl (no graph, no report)",
        "Read the inputs, tag every paper, and write papers.jsonl, rejects.jsonl and summary.json.",
    )
    _input_options(tag, optional=False)
    _output_option(tag)
    _tagging_options(tag)

    graph = _command(
        commands,
        "graph",
        _graph,
        "build the graph files from an earlier run's papers.jsonl",
        "Rebuild the concept graph (and paper graph) from papers.jsonl without tagging again.",
    )
    graph.add_argument(
        "papers", metavar="PAPERS.jsonl", type=Path, help="papers.jsonl from 'taxonomy tag' or 'build'"
    )
    _output_option(graph, default=None)
    _rules_option(graph)
    _graph_options(graph)

    report = _command(
        commands,
        "report",
        _report,
        "write the reports from an earlier run's papers.jsonl",
        "Render report.md and report.html from papers.jsonl without tagging again.",
    )
    report.add_argument(
        "papers", metavar="PAPERS.jsonl", type=Path, help="papers.jsonl from 'taxonomy tag' or 'build'"
    )
    _output_option(report, default=None)
    _rules_option(report)
    report.add_argument(
        "--previous",
        type=Path,
        metavar="SUMMARY.json",
        help="an earlier run's summary.json to say what changed since (default: the output folder's, "
        "when it is not the one beside PAPERS.jsonl)",
    )

    explain = _command(
        commands,
        "explain",
        _explain,
        "show how a paper or a text was tagged, and why",
        "Show each mention with its role, rule and sentence, and how the primary families were chosen. "
        "Give --text (and optionally --title), or --id with the input files holding that paper.",
    )
    explain.add_argument(
        "inputs", nargs="*", metavar="INPUT", help="input files to find the paper in (with --id)"
    )
    explain.add_argument("--id", dest="paper_id", help="id of the paper to explain (as in papers.jsonl)")
    explain.add_argument("--text", help="an abstract (or any text) to tag and explain")
    explain.add_argument("--title", default="", help="a title to go with --text")
    explain.add_argument("--format", choices=_formats(), help="input format (default: detected)")
    _rules_option(explain)

    rules = _command(
        commands,
        "rules",
        None,
        "check or test a rules folder",
        "Validate rules (every problem at once) or run every concept's examples and counterexamples.",
    )
    rules_commands = rules.add_subparsers(title="rules commands", metavar="ACTION")
    check = _command(
        rules_commands,
        "check",
        _rules_check,
        "validate the rules and list every problem",
        "Load and validate the rules folder; list every problem with file, line and a fix.",
    )
    _rules_option(check)
    test = _command(
        rules_commands,
        "test",
        _rules_test,
        "run every concept's examples and counterexamples",
        "Tag each concept's examples (must match) and counterexamples (must not); list failures.",
    )
    _rules_option(test)
    rules.set_defaults(handler=lambda args: _usage(rules))

    evaluate = _command(
        commands,
        "evaluate",
        _evaluate,
        "score the tagger against gold labels",
        "Score primary and mentioned families against a gold file; list every error with its "
        "evidence. Without INPUT, the gold file's own titles (and abstracts) are tagged.",
    )
    evaluate.add_argument("inputs", nargs="*", metavar="INPUT", help="input files holding the gold papers")
    evaluate.add_argument("--gold", required=True, type=Path, help="gold labels, one JSON object per line")
    evaluate.add_argument("--format", choices=_formats(), help="input format (default: detected)")
    evaluate.add_argument("--no-errors", action="store_true", help="print the scores only")
    _rules_option(evaluate)

    suggest = _command(
        commands,
        "suggest",
        _suggest,
        "find method names the rules do not cover",
        "Find model-like names, defined abbreviations and 'X model|network|...' phrases that no rule "
        "matches, ranked by how many papers use them and how widely, each with a proposed parent, "
        "example sentences and a rules stub; names that fit none of the families are listed "
        "after them. Without INPUT, the bundled sample corpus is read.",
    )
    suggest.add_argument("inputs", nargs="*", metavar="INPUT", help="input files ('-' for standard input)")
    suggest.add_argument("--format-in", choices=_formats(), help="input format (default: detected)")
    suggest.add_argument(
        "--min-papers", type=int, default=3, metavar="N", help="drop names used in fewer papers (default: 3)"
    )
    suggest.add_argument(
        "--top",
        type=int,
        default=20,
        metavar="K",
        help="how many candidates with a proposed parent to show (default: 20)",
    )
    suggest.add_argument(
        "--others",
        type=int,
        default=10,
        metavar="K",
        help="how many names that fit none of the families to list after them (default: 10, 0 for none)",
    )
    suggest.add_argument(
        "--format",
        choices=("table", "yaml"),
        default="table",
        help="'table' (default) or 'yaml': rules stubs to paste into the family files",
    )
    _rules_option(suggest)
    return parser


def _command(
    group: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    handler: Handler | None,
    summary: str,
    description: str,
) -> argparse.ArgumentParser:
    parser = group.add_parser(name, help=summary, description=description)
    if handler is not None:
        parser.set_defaults(handler=handler)
    return parser


def _formats() -> tuple[str, ...]:
    from taxonomy.ingest import FORMATS

    return FORMATS


def _input_options(parser: argparse.ArgumentParser, *, optional: bool) -> None:
    parser.add_argument(
        "inputs",
        nargs="*" if optional else "+",
        metavar="INPUT",
        help="input files ('-' for standard input)"
        + ("; default: the bundled sample corpus" if optional else ""),
    )
    parser.add_argument(
        "--format", choices=_formats(), help="input format (default: detected from name and content)"
    )
    parser.add_argument("--strict", action="store_true", help="stop at the first record that cannot be read")
    fields = parser.add_argument_group("column names (CSV, TSV, JSON)")
    for name in ("title", "abstract", "date", "id"):
        fields.add_argument(
            f"--{name}-field", metavar="NAME", help=f"field holding the {name} (default: detected)"
        )
    _rules_option(parser)


def _rules_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rules", type=Path, metavar="DIR", help="rules folder (default: the bundled rules)")


def _output_option(parser: argparse.ArgumentParser, default: str | None = "output") -> None:
    where = f"default: {default}" if default else "default: the folder of PAPERS.jsonl"
    parser.add_argument(
        "-o", "--output", type=Path, default=default, metavar="DIR", help=f"output folder ({where})"
    )


def _tagging_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="worker processes for tagging (default: 1; with --engine dask and no --scheduler: one per CPU)",
    )
    parser.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="where to tag: this machine's processes, or a Dask cluster (pip install 'taxonomy[dask]')",
    )
    parser.add_argument(
        "--scheduler", metavar="ADDRESS", help="Dask scheduler address (default: start a local cluster)"
    )
    parser.add_argument(
        "--batch-size", type=int, default=256, metavar="N", help="papers per batch (default: 256)"
    )
    parser.add_argument(
        "--model", metavar="NAME", help="an installed spaCy pipeline to use instead of blank English"
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show progress on standard error (default: when it is a terminal)",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        metavar="FILE",
        help="keep tagged papers in this SQLite file and tag only papers it does not hold "
        "(new or changed papers, or all after a rules change); see docs/incremental.md",
    )


def _graph_options(parser: argparse.ArgumentParser) -> None:
    from taxonomy.export import GRAPH_FORMATS

    group = parser.add_argument_group("graph")
    group.add_argument(
        "--graph-format",
        default="graphml",
        metavar="LIST",
        help=f"comma-separated graph formats: {', '.join(GRAPH_FORMATS)} (default: graphml)",
    )
    group.add_argument(
        "--min-count",
        type=int,
        default=1,
        metavar="N",
        help="drop co-occurrence and relation edges seen fewer than N times",
    )
    group.add_argument("--all-concepts", action="store_true", help="include concepts no paper names")
    group.add_argument("--no-paper-graph", action="store_true", help="do not write papers.graphml")


# -- handlers ----------------------------------------------------------------------------------------


def _tag_options(args: argparse.Namespace, inputs: Sequence[str]) -> object:
    from taxonomy.ingest import FieldNames
    from taxonomy.pipeline import TagOptions

    fields = FieldNames(args.title_field, args.abstract_field, args.date_field, args.id_field)
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
        progress=args.progress,
        cache=args.cache,
    )


def _graph_choice(args: argparse.Namespace) -> object:
    from taxonomy.export import check_formats
    from taxonomy.pipeline import GraphOptions

    formats = check_formats([f.strip().lower() for f in args.graph_format.split(",") if f.strip()] or [""])
    if args.min_count < 1:
        raise UsageError("--min-count must be 1 or more")
    return GraphOptions(formats, args.min_count, args.all_concepts, not args.no_paper_graph)


def _build(args: argparse.Namespace) -> int:
    from taxonomy.pipeline import GraphOptions, TagOptions, build, sample_corpus

    inputs = args.inputs or [str(sample_corpus())]
    options = _tag_options(args, inputs)
    graph = _graph_choice(args)
    assert isinstance(options, TagOptions) and isinstance(graph, GraphOptions)
    if not args.inputs:  # name the bundled sample by its file name, not where it is installed
        options = dataclasses.replace(options, labels=(sample_corpus().name,))
    result, files = build(options, graph)
    _print_run(result.stats.summary(), args.output, files)
    _print_cache(args.cache, result)
    return 0


def _tag(args: argparse.Namespace) -> int:
    from taxonomy.pipeline import TagOptions, tag_corpus

    options = _tag_options(args, args.inputs)
    assert isinstance(options, TagOptions)
    result = tag_corpus(options)
    _print_run(result.stats.summary(), args.output, list(result.files))
    _print_cache(args.cache, result)
    return 0


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


def _print_cache(cache: Path | None, result: object) -> None:
    from taxonomy.pipeline import TagResult

    assert isinstance(result, TagResult)
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


def _from_papers(args: argparse.Namespace) -> tuple[object, object, Path]:
    from taxonomy.pipeline import stats_from_papers
    from taxonomy.rules import load_rules

    taxonomy = load_rules(args.rules)
    stats = stats_from_papers(args.papers, taxonomy)
    out_dir = args.output if args.output is not None else args.papers.parent
    return taxonomy, stats, out_dir


def _graph(args: argparse.Namespace) -> int:
    from taxonomy.pipeline import GraphOptions, write_graphs

    graph = _graph_choice(args)
    assert isinstance(graph, GraphOptions)
    taxonomy, stats, out_dir = _from_papers(args)
    files = write_graphs(taxonomy, stats, out_dir, graph, args.papers)  # type: ignore[arg-type]
    print(f"Wrote {out_dir}/: {', '.join(sorted(_relative(f, out_dir) for f in files))}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from taxonomy.pipeline import previous_summary, write_reports

    taxonomy, stats, out_dir = _from_papers(args)
    previous = args.previous
    if previous is not None and not previous.is_file():
        raise UsageError(f"{previous}: no such file (--previous takes an earlier run's summary.json)")
    if previous is None and out_dir.resolve() != args.papers.parent.resolve():
        previous = out_dir  # the summary beside PAPERS.jsonl is this run's own: nothing to compare
    summary = previous_summary(previous) if previous is not None else None
    files = write_reports(taxonomy, stats, out_dir, summary)  # type: ignore[arg-type]
    print(f"Wrote {out_dir}/: {', '.join(sorted(_relative(f, out_dir) for f in files))}")
    return 0


def _explain(args: argparse.Namespace) -> int:
    from taxonomy import ingest
    from taxonomy.explain import explain
    from taxonomy.models import Paper
    from taxonomy.rules import load_rules
    from taxonomy.tag import Tagger

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
        found = next(
            (
                r
                for r in ingest.read(args.inputs, format=args.format)
                if isinstance(r, Paper) and r.id == args.paper_id
            ),
            None,
        )
        if found is None:
            raise UsageError(
                f"no paper with id '{args.paper_id}' in {', '.join(args.inputs)} (ids are listed in papers.jsonl)"
            )
        paper = found
    print(explain(Tagger(taxonomy).tag(paper), taxonomy))
    return 0


def _rules_check(args: argparse.Namespace) -> int:
    from taxonomy.rules import load_rules

    taxonomy = load_rules(args.rules)
    families = len(taxonomy.families)
    concepts = len(taxonomy.concepts) - families
    patterns = sum(len(c.patterns) for c in taxonomy.concepts.values())
    aliases = sum(len(c.aliases) + len(c.aliases_cased) for c in taxonomy.concepts.values())
    print(
        f"{taxonomy.root}: OK: {families} families, {concepts} concepts, {aliases} aliases, {patterns} token patterns."
    )
    return 0


def _rules_test(args: argparse.Namespace) -> int:
    from taxonomy.rules import load_rules
    from taxonomy.ruletests import run_rule_tests

    taxonomy = load_rules(args.rules)
    result = run_rule_tests(taxonomy)
    for failure in result.failures:
        print(failure.describe())
    verdict = "OK" if result.ok else f"{len(result.failures)} failed"
    families = len(taxonomy.families)
    print(
        f"{families} families and {result.concepts - families} concepts: {result.examples} examples, "
        f"{result.counterexamples} counterexamples: {verdict}."
    )
    return 0 if result.ok else 1


def _evaluate(args: argparse.Namespace) -> int:
    from taxonomy import ingest
    from taxonomy.evaluate import evaluate, format_evaluation, read_gold
    from taxonomy.models import Paper
    from taxonomy.rules import load_rules
    from taxonomy.tag import Tagger

    gold = read_gold(args.gold)
    taxonomy = load_rules(args.rules)
    tagger = Tagger(taxonomy)
    if args.inputs:
        papers = [
            r for r in ingest.read(args.inputs, format=args.format, dedupe=False) if isinstance(r, Paper)
        ]
    else:
        papers = [Paper(id=f"gold:{g.line}", title=g.title, abstract=g.abstract) for g in gold]
    result = evaluate(tagger.tag_batch(papers), gold, taxonomy)
    if not result.papers:
        raise UsageError(f"none of the {len(gold)} gold papers is in the input (papers are matched by title)")
    print(format_evaluation(result, errors=not args.no_errors))
    return 0


def _suggest(args: argparse.Namespace) -> int:
    from taxonomy import ingest
    from taxonomy.models import Paper
    from taxonomy.pipeline import sample_corpus
    from taxonomy.rules import load_rules
    from taxonomy.suggest import suggest, to_table, to_yaml
    from taxonomy.tag import Tagger

    if args.min_papers < 1 or args.top < 1:
        raise UsageError("--min-papers and --top must be 1 or more")
    if args.others < 0:
        raise UsageError("--others must be 0 or more")
    taxonomy = load_rules(args.rules)
    records = ingest.read(args.inputs or [str(sample_corpus())], format=args.format_in)
    papers = (r for r in records if isinstance(r, Paper))
    found = suggest(papers, Tagger(taxonomy), min_papers=args.min_papers, top=args.top, others=args.others)
    print(to_yaml(found, taxonomy) if args.format == "yaml" else to_table(found), end="")
    return 0


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
