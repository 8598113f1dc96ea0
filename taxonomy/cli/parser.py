"""The commands, their options and their help texts (argparse), each wired to its handler."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from taxonomy.cli import commands as handlers
from taxonomy.cli.usage import Parser
from taxonomy.version import __version__

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command, each wired to its handler."""
    parser = Parser(
        prog="taxonomy",
        description="Tag papers with method families and concepts, and map how the methods relate.",
        epilog="Run 'taxonomy COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"taxonomy {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    build = _command(
        commands,
        "build",
        handlers.build,
        "tag a corpus and write papers, graph, report and summary",
        "Read the inputs (the bundled sample corpus when none are given), tag every paper, "
        "and write papers.jsonl, rejects.jsonl, summary.json, the concept graph and the reports.",
    )
    _input_options(build, optional=True)
    _output_option(build)
    _tagging_options(build)
    _graph_options(build)
    _quiet_option(build)

    tag = _command(
        commands,
        "tag",
        handlers.tag,
        "tag a corpus and write papers.jsonl (no graph, no report)",
        "Read the inputs, tag every paper, and write papers.jsonl, rejects.jsonl and summary.json.",
    )
    _input_options(tag, optional=False)
    _output_option(tag)
    _tagging_options(tag)
    _quiet_option(tag)

    graph = _command(
        commands,
        "graph",
        handlers.graph,
        "build the graph files from an earlier run's papers.jsonl",
        "Rebuild the concept graph (and paper graph) from papers.jsonl without tagging again.",
    )
    _from_papers_options(graph)
    _part_options(graph, "show")
    _graph_options(graph)
    _quiet_option(graph)

    report = _command(
        commands,
        "report",
        handlers.report,
        "write the reports from an earlier run's papers.jsonl",
        "Render report.md and report.html from papers.jsonl without tagging again.",
    )
    _from_papers_options(report)
    _part_options(report, "show")
    _quiet_option(report)
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
        handlers.explain,
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

    audit = _command(
        commands,
        "audit",
        handlers.audit,
        "draw primary tags at random, per family, to check by hand",
        "Tag the input and draw a seeded random sample of primary tags, the same number for each "
        "family, printed as a Markdown checklist with the strongest evidence for each tag, to judge "
        "how far the tags can be trusted on a corpus without gold labels.",
    )
    audit.add_argument("inputs", nargs="+", metavar="INPUT", help="input files ('-' for standard input)")
    audit.add_argument(
        "--per-family", type=int, default=18, metavar="N", help="tags to draw for each family (default: 18)"
    )
    audit.add_argument(
        "--seed", type=int, default=1, help="random seed, to draw the same sample again (default: 1)"
    )
    audit.add_argument("--format", choices=_formats(), help="input format (default: detected)")
    _rules_option(audit)

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
        handlers.rules_check,
        "validate the rules and list every problem",
        "Load and validate the rules folder; list every problem with file, line and a fix.",
    )
    _rules_option(check)
    _quiet_option(check, "print nothing when the rules are valid (problems are still listed)")
    test = _command(
        rules_commands,
        "test",
        handlers.rules_test,
        "run every concept's examples and counterexamples",
        "Tag each concept's examples (must match) and counterexamples (must not); list failures.",
    )
    _rules_option(test)
    _quiet_option(test, "print only the examples that fail, not the counts")
    rules.set_defaults(handler=lambda args: _usage(rules))

    evaluate = _command(
        commands,
        "evaluate",
        handlers.evaluate,
        "score the tagger against gold labels",
        "Score primary and mentioned families against gold files; list every error with its "
        "evidence. A file of complete labels ('primary' and 'mentioned', or 'families') gives "
        "precision, recall and F1; a file of list memberships ('family') gives the recall of the "
        "listed family, in two fixed parts (tuning and checking, split by list). Without INPUT, "
        "each gold file's own titles (and abstracts) are tagged.",
    )
    evaluate.add_argument("inputs", nargs="*", metavar="INPUT", help="input files holding the gold papers")
    evaluate.add_argument(
        "--gold",
        required=True,
        type=Path,
        action="append",
        help="gold labels, one JSON object per line (repeat the option for several files)",
    )
    evaluate.add_argument("--format", choices=_formats(), help="input format (default: detected)")
    evaluate.add_argument(
        "--part",
        choices=("tuning", "checking"),
        help="with list gold, score only this part of the split (read misses of the tuning part)",
    )
    evaluate.add_argument("--no-errors", action="store_true", help="print the scores only")
    evaluate.add_argument(
        "--families",
        metavar="ID,...",
        help="tag with these families only, or 'all' (default: the families each gold file labels, "
        "so families the labellers did not know count neither way)",
    )
    _rules_option(evaluate)

    suggest = _command(
        commands,
        "suggest",
        handlers.suggest,
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
    group: argparse._SubParsersAction[Parser],
    name: str,
    handler: Handler | None,
    summary: str,
    description: str,
) -> Parser:
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
    fields.add_argument(
        "--delimiter",
        metavar="CHAR",
        help="the field delimiter of CSV/TSV inputs, e.g. ';' or 'tab' (default: sniffed from the header)",
    )
    _rules_option(parser)


def _from_papers_options(parser: argparse.ArgumentParser) -> None:
    """PAPERS.jsonl, the output folder and the rules of a command that works from an earlier run."""
    parser.add_argument(
        "papers", metavar="PAPERS.jsonl", type=Path, help="papers.jsonl from 'taxonomy tag' or 'build'"
    )
    _output_option(parser, default=None)
    _rules_option(parser)


def _rules_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rules", type=Path, metavar="DIR", help="rules folder (default: the bundled rules)")


def _output_option(parser: argparse.ArgumentParser, default: str | None = "output") -> None:
    where = f"default: {default}" if default else "default: the folder of PAPERS.jsonl"
    parser.add_argument(
        "-o", "--output", type=Path, default=default, metavar="DIR", help=f"output folder ({where})"
    )


def _part_options(parser: argparse.ArgumentParser, what: str = "tag with") -> None:
    parser.add_argument(
        "--families",
        metavar="ID,...",
        help=f"{what} these families (and the concepts below them) only (default: every family)",
    )
    parser.add_argument(
        "--areas", metavar="ID,...", help=f"{what} the families of these areas only (rules/areas.yaml)"
    )


def _tagging_options(parser: argparse.ArgumentParser) -> None:
    _part_options(parser)
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help=(
            "worker processes for tagging (default: 1; a run of fewer than 2,000 papers is tagged in one "
            "process; with --engine dask and no --scheduler: one per CPU)"
        ),
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


def _quiet_option(
    parser: argparse.ArgumentParser,
    what: str = "print nothing but errors: no summary, and no progress unless --progress is given",
) -> None:
    parser.add_argument("-q", "--quiet", action="store_true", help=what)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2
