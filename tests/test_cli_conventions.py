"""Command-line conventions: suggestions for mistakes with the command's own usage, and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from taxonomy.cli import commands, main
from taxonomy.pipeline import sample_corpus

from .conftest import FIXTURES


def usage_error(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[str, str]:
    """The usage line and the error line of a command line argparse rejects (exit status 2)."""
    with pytest.raises(SystemExit) as caught:
        main(list(argv))
    assert caught.value.code == 2
    err = capsys.readouterr().err
    return err.splitlines()[0], err.splitlines()[-1]


@pytest.mark.parametrize(
    ("argv", "usage", "error"),
    [
        (
            ["biuld"],
            "usage: taxonomy [-h] [--version] COMMAND ...",
            "taxonomy: error: argument COMMAND: invalid choice: 'biuld' (did you mean 'build'?); "
            "choose from build, tag, graph, report, explain, audit, rules, evaluate, suggest",
        ),
        (
            ["rules", "chek"],
            "usage: taxonomy rules [-h] ACTION ...",
            "taxonomy rules: error: argument ACTION: invalid choice: 'chek' (did you mean 'check'?); "
            "choose from check, test",
        ),
        (
            ["tag", "papers.csv", "--titel-field", "Heading"],
            "usage: taxonomy tag [-h]",
            "taxonomy tag: error: unrecognized arguments: --titel-field Heading (did you mean '--title-field'?)",
        ),
        (
            ["graph", "papers.jsonl", "--min-cuont=2"],
            "usage: taxonomy graph [-h] [-o DIR] [--rules DIR] [--families ID,...]",
            "taxonomy graph: error: unrecognized arguments: --min-cuont=2 (did you mean '--min-count'?)",
        ),
        (
            ["rules", "test", "--rulez", "x"],
            "usage: taxonomy rules test [-h] [--rules DIR]",
            "taxonomy rules test: error: unrecognized arguments: --rulez x (did you mean '--rules'?)",
        ),
        (
            ["build", "--format", "jsnol"],
            "usage: taxonomy build [-h]",
            "taxonomy build: error: argument --format: invalid choice: 'jsnol' (did you mean 'jsonl'?); "
            "choose from listing, jsonl, json, csv, tsv, atom, bibtex, ris, wos, openalex, s2",
        ),
        (
            ["build", "--xyzzy"],
            "usage: taxonomy build [-h]",
            "taxonomy build: error: unrecognized arguments: --xyzzy",
        ),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else "",
)
def test_a_mistake_names_the_nearest_option_with_the_commands_usage(
    capsys: pytest.CaptureFixture[str], argv: list[str], usage: str, error: str
) -> None:
    first, last = usage_error(capsys, *argv)
    assert first.startswith(usage)
    assert last == error


def test_an_interrupted_run_exits_130(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "rules_check", interrupted)
    assert main(["rules", "check"]) == 130
    assert capsys.readouterr().err == "Interrupted.\n"


def test_a_user_error_exits_1_and_success_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "check", "--rules", str(FIXTURES / "rules" / "many-problems")]) == 1
    assert main(["rules", "check", "--rules", str(FIXTURES / "tagging")]) == 0


RECORDS = '{"id": "1", "name": "Mamba for audio", "text": "We propose Mamba."}\n{"id": "2", "name": "ViT"}\n'


@pytest.mark.parametrize(
    ("file", "text", "options", "error"),
    [
        (
            "papers.jsonl",
            RECORDS,
            ["--title-field", "title"],
            "Error: papers.jsonl: no field 'title' for --title-field in any of its 2 records; fields: id, name, text",
        ),
        (
            "papers.jsonl",
            RECORDS,
            ["--title-field", "nmae"],
            "Error: papers.jsonl: no field 'nmae' for --title-field in any of its 2 records (did you mean 'name'?); "
            "fields: id, name, text",
        ),
        (
            "papers.jsonl",
            RECORDS,
            ["--title-field", "name", "--date-field", "published"],
            "Error: papers.jsonl: no field 'published' for --date-field in any of its 2 records; fields: id, name, text",
        ),
        (
            "papers.json",
            '[{"id": "1", "name": "Mamba for audio"}]',
            ["--title-field", "name", "--abstract-field", "summary"],
            "Error: papers.json: no field 'summary' for --abstract-field in its record; fields: id, name",
        ),
        (
            "papers.csv",
            "name,text\nMamba for audio,We propose Mamba.\n",
            ["--title-field", "name", "--date-field", "year"],
            "Error: papers.csv: no column 'year' for --date-field; columns: name, text",
        ),
        (
            "papers.bib",
            "@article{gu2023, title = {Mamba for audio}, year = {2023}}\n",
            ["--date-field", "year"],
            "Error: papers.bib: --date-field names a field of CSV, TSV or JSON records, and this file is BibTeX; "
            "drop the option, or read this file in a run of its own",
        ),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else "",
)
def test_a_field_option_naming_a_field_the_input_lacks_is_an_error(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    file: str,
    text: str,
    options: list[str],
    error: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    Path(file).write_text(text, encoding="utf-8")
    assert main(["tag", file, "-o", "out", "--rules", str(FIXTURES / "tagging"), *options]) == 1
    assert capsys.readouterr().err.splitlines() == [error]
    assert not Path("out", "papers.jsonl").exists()


def test_field_options_that_name_fields_of_the_input_are_used(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("papers.jsonl").write_text(RECORDS, encoding="utf-8")
    argv = ["tag", "papers.jsonl", "-o", "out", "--rules", str(FIXTURES / "tagging")]
    assert main([*argv, "--title-field", "name", "--abstract-field", "text"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "Read 2 records: 2 papers, 0 rejected, 0 duplicates."


SMALL = str(FIXTURES / "tagging")


def test_quiet_runs_print_nothing_and_write_everything(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    sample = str(sample_corpus())
    runs = [
        ["tag", sample, "-o", "tagged", "--rules", SMALL, "--cache", "tags.sqlite"],
        ["build", sample, "-o", "built", "--rules", SMALL, "--quiet"],
        ["graph", "tagged/papers.jsonl", "-o", "graphs", "--rules", SMALL],
        ["report", "tagged/papers.jsonl", "-o", "reports", "--rules", SMALL],
        ["rules", "check", "--rules", SMALL],
        ["rules", "test", "--rules", SMALL],
    ]
    for argv in runs:
        quiet = argv if "--quiet" in argv else [*argv, "-q"]
        assert main(quiet) == 0, argv
        assert capsys.readouterr() == ("", ""), argv
    assert Path("tagged", "papers.jsonl").is_file() and Path("built", "report.html").is_file()
    assert Path("graphs", "concepts.graphml").is_file() and Path("reports", "report.md").is_file()
    assert main(runs[0]) == 0  # without -q, the same run reports what it did
    assert capsys.readouterr().out.splitlines()[0] == "Read 36 records: 36 papers, 0 rejected, 0 duplicates."


def test_quiet_keeps_errors_and_failures(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = (FIXTURES / "tagging" / "ssm.yaml").read_text()
    (tmp_path / "ssm.yaml").write_text(source.replace("aliases_cased: [Mamba]", "aliases: [Mamba]"))
    (tmp_path / "transformer.yaml").write_text((FIXTURES / "tagging" / "transformer.yaml").read_text())
    assert main(["rules", "test", "--rules", str(tmp_path), "--quiet"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and out[0].startswith(
        f"{tmp_path}/ssm.yaml:18: concept 'mamba': counterexample matched"
    )
    assert main(["tag", "missing.jsonl", "-q"]) == 1
    assert capsys.readouterr().err == "Error: missing.jsonl: no such file; check the path\n"


def test_quiet_leaves_progress_to_progress(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = str(tmp_path / "tagged")
    assert main(["tag", str(sample_corpus()), "-o", out, "--rules", SMALL, "-q", "--progress"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "36 papers" in captured.err


@pytest.mark.parametrize(
    "command",
    [["build"], ["tag"], ["graph"], ["report"], ["rules", "check"], ["rules", "test"]],
    ids=" ".join,
)
def test_every_command_that_reports_a_summary_has_quiet(
    capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    with pytest.raises(SystemExit):
        main([*command, "--help"])
    assert "-q, --quiet" in capsys.readouterr().out
    _, error = usage_error(capsys, *command, "papers.jsonl", "--quite")
    assert "--quite" in error and error.endswith("(did you mean '--quiet'?)")
