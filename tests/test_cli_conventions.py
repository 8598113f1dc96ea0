"""Command-line conventions: suggestions for mistakes with the command's own usage, and exit codes."""

from __future__ import annotations

import pytest

from taxonomy.cli import commands, main

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
