"""The command line, as users type it: exit codes, outputs, and one-line errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from taxonomy.cli import main
from taxonomy.pipeline import sample_corpus

from .conftest import FIXTURES, SMALL_RULES

COMMANDS = [
    ["build"],
    ["tag"],
    ["graph"],
    ["report"],
    ["explain"],
    ["rules"],
    ["rules", "check"],
    ["rules", "test"],
    ["evaluate"],
    ["suggest"],
    ["audit"],
]
OUTPUTS = [
    "papers.jsonl",
    "rejects.jsonl",
    "summary.json",
    "concepts.graphml",
    "papers.graphml",
    "report.md",
    "report.html",
]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build")
    assert main(["build", "-o", str(out), "--progress"]) == 0
    return out


def test_build_on_the_sample_writes_every_output(built: Path) -> None:
    for name in OUTPUTS:
        assert (built / name).is_file(), name
    lines = (built / "papers.jsonl").read_text().splitlines()
    assert len(lines) == len(sample_corpus().read_text().splitlines()) == 36
    summary = json.loads((built / "summary.json").read_text())
    assert summary["corpus"]["papers"] == 36
    assert summary["corpus"]["tagged"] >= 30


def test_build_prints_what_it_did(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(
        capsys, "build", str(sample_corpus()), "-o", str(tmp_path), "--rules", str(SMALL_RULES)
    )
    assert code == 0 and err == ""
    assert out.splitlines()[0] == "Read 36 records: 36 papers, 0 rejected, 0 duplicates."
    assert out.splitlines()[2].startswith(f"Wrote {tmp_path}/: concepts.graphml, figures/")


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help(capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main([*command, "--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: taxonomy") and len(out.splitlines()) > 3


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys)
    assert code == 2 and "commands:" in err


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["build", "missing.jsonl"], "Error: missing.jsonl: no such file; check the path"),
        (["tag", "missing.jsonl"], "Error: missing.jsonl: no such file; check the path"),
        (["build", "--jobs", "0"], "Error: --jobs must be 1 or more, not 0"),
        (
            ["build", "--graph-format", "gexg"],
            "Error: unknown graph format 'gexg' (did you mean 'gexf'?); choose from graphml, gexf, json, csv, vosviewer, cyjs",
        ),
        (["explain"], "Error: give either --text TEXT, or --id ID with the input files holding that paper"),
        (
            ["graph", "missing/papers.jsonl"],
            "Error: missing/papers.jsonl: cannot be read (No such file or directory)",
        ),
    ],
)
def test_errors_are_one_line(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    error: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, *argv)
    assert code == 1
    assert err.splitlines() == [error]


def test_bad_rules_list_every_problem(capsys: pytest.CaptureFixture[str]) -> None:
    folder = FIXTURES / "rules" / "many-problems"
    code, _, err = run(capsys, "rules", "check", "--rules", str(folder))
    assert code == 1
    assert err.splitlines()[0] == f"Error: {folder}: 3 problems"
    assert len(err.splitlines()) == 4


def test_rules_check_and_test_pass_on_fixture(capsys: pytest.CaptureFixture[str]) -> None:
    folder = FIXTURES / "tagging"
    code, out, _ = run(capsys, "rules", "check", "--rules", str(folder))
    assert code == 0 and out.strip() == f"{folder}: OK: 2 families, 8 concepts, 15 aliases, 1 token patterns."
    code, out, _ = run(capsys, "rules", "test", "--rules", str(folder))
    assert code == 0 and out.strip() == "2 families and 8 concepts: 11 examples, 11 counterexamples: OK."


def test_rules_test_fails_with_file_line_and_concept(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = (FIXTURES / "tagging" / "ssm.yaml").read_text()
    (tmp_path / "ssm.yaml").write_text(source.replace("aliases_cased: [Mamba]", "aliases: [Mamba]"))
    (tmp_path / "transformer.yaml").write_text((FIXTURES / "tagging" / "transformer.yaml").read_text())
    code, out, _ = run(capsys, "rules", "test", "--rules", str(tmp_path))
    assert code == 1
    assert out.splitlines()[0] == (
        f"{tmp_path}/ssm.yaml:18: concept 'mamba': counterexample matched ('mamba'): 'The black mamba is a snake.'"
    )
    assert out.splitlines()[-1] == "2 families and 8 concepts: 11 examples, 11 counterexamples: 1 failed."


def test_explain_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "explain",
        "--rules",
        str(FIXTURES / "tagging"),
        "--title",
        "Mamba for speech",
        "--text",
        "Unlike Transformers, our Mamba model runs in linear time.",
    )
    assert code == 0
    assert "'Transformers' -> Transformers [transformer]" in out
    assert "role compares (cue: 'unlike'); rule transformer:alias:transformer" in out
    assert "Primary: " in out and out.rstrip().endswith("Mentioned: ssm, transformer")


def test_explain_says_why_a_reference_model_counts_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    text = "We reach full accuracy on ResNet-50 in half the steps."
    code, out, _ = run(capsys, "explain", "--title", "A new optimizer", "--text", text)
    assert code == 0
    assert "a reference model methods are shown on, so in an abstract it counts 0" in out
    assert "Primary: " in out and ": none\n" in out


def test_explain_by_id(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", str(sample_corpus()), "--id", "sample-024")
    assert code == 0 and out.startswith("sample-024: Direct Preference Optimization")


def test_graph_and_report_from_papers_jsonl(
    capsys: pytest.CaptureFixture[str], built: Path, tmp_path: Path
) -> None:
    code, _, _ = run(
        capsys, "graph", str(built / "papers.jsonl"), "-o", str(tmp_path), "--graph-format", "graphml,json"
    )
    assert code == 0 and (tmp_path / "concepts.json").is_file()
    assert (tmp_path / "concepts.graphml").read_bytes() == (built / "concepts.graphml").read_bytes()
    code, _, _ = run(capsys, "report", str(built / "papers.jsonl"), "-o", str(tmp_path))
    assert code == 0
    assert (tmp_path / "report.html").read_bytes() == (built / "report.html").read_bytes()


def test_jobs_give_identical_outputs(tmp_path: Path) -> None:
    for jobs in ("1", "2"):
        options = ["--jobs", jobs, "--batch-size", "5", "--rules", str(SMALL_RULES)]
        assert main(["build", "-o", str(tmp_path / jobs), *options]) == 0
    for name in OUTPUTS:
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes(), name


def _folder(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("how", ["fails", "is interrupted"])
def test_a_run_that_fails_or_is_interrupted_leaves_the_last_runs_files_as_they_were(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, how: str
) -> None:
    from taxonomy.tag import Tagger

    sample = sample_corpus().read_text(encoding="utf-8").splitlines(keepends=True)
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text("".join(sample[:10]), encoding="utf-8")
    second.write_text("".join(sample) + "not json\n", encoding="utf-8")  # 36 papers, then a bad line
    out, rules = tmp_path / "out", ["--rules", str(SMALL_RULES)]
    assert main(["build", str(first), "-o", str(out), *rules]) == 0
    before = _folder(out)
    assert len(before) >= 9 and len(before["papers.jsonl"].splitlines()) == 10
    if how == "is interrupted":  # at the second batch of papers to tag
        original, calls = Tagger.tag_batch, []

        def interrupted(self: Tagger, papers: list[object], batch_size: int = 256) -> object:
            calls.append(1)
            if len(calls) > 1:
                raise KeyboardInterrupt
            return original(self, papers, batch_size)  # type: ignore[arg-type]

        monkeypatch.setattr(Tagger, "tag_batch", interrupted)
        argv, code, err = [str(second), "--batch-size", "8"], 130, "Interrupted.\n"
    else:  # --strict stops at the bad line, after every paper was tagged
        argv, code, err = [str(second), "--strict"], 1, f"Error: {second}:37: invalid JSON"
    capsys.readouterr()
    assert main(["build", *argv, "-o", str(out), *rules]) == code
    assert capsys.readouterr().err.startswith(err)
    assert _folder(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first.jsonl", "out", "second.jsonl"]


def test_evaluate_on_fixture_gold(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        '{"title": "Mamba for speech", "abstract": "Unlike Transformers, our Mamba is fast.", "families": ["ssm"]}\n'
    )
    code, out, _ = run(capsys, "evaluate", "--gold", str(gold), "--rules", str(FIXTURES / "tagging"))
    assert code == 0
    assert "primary        1.000   1.000  1.000    1   0   0" in out.splitlines()


def test_evaluate_reports_each_gold_file_and_a_part(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    labels, lists = tmp_path / "labels.jsonl", tmp_path / "lists.jsonl"
    labels.write_text('{"title": "Mamba for speech", "families": ["ssm"]}\n')
    lists.write_text(
        '{"title": "Mamba for speech", "family": "ssm", "list": "a"}\n'
        '{"title": "Speech at scale", "family": "ssm", "list": "b"}\n'
    )
    rules = str(FIXTURES / "tagging")
    code, out, _ = run(capsys, "evaluate", "--gold", str(labels), "--gold", str(lists), "--rules", rules)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Scored 1 papers."
    assert "Scored 2 listed papers of lists.jsonl (0 with an abstract): recall of the listed family." in lines
    assert "all                 2    0.500      0.500           0.50" in lines
    assert "  [ssm] Speech at scale" in lines
    code, out, _ = run(
        capsys, "evaluate", "--gold", str(lists), "--part", "checking", "--no-errors", "--rules", rules
    )
    assert code == 0
    assert (
        out.splitlines()[0]
        == "Scored 1 listed papers of lists.jsonl (0 with an abstract): recall of the listed family."
    )
    assert "Missed" not in out


def test_installed_command_runs_from_any_folder(tmp_path: Path) -> None:
    exe = shutil.which("taxonomy")
    if exe is None or Path(exe).parent != Path(sys.executable).parent:
        pytest.skip("the taxonomy command is not installed in this environment")
    done = subprocess.run([exe, "build"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "output" / "report.html").is_file()


def test_tagging_a_part_of_the_taxonomy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(
        capsys, "tag", "--areas", "generative", "-o", str(tmp_path / "gen"), str(sample_corpus())
    )
    assert code == 0
    papers = [json.loads(line) for line in (tmp_path / "gen" / "papers.jsonl").read_text().splitlines()]
    named = {f for p in papers for f in p["families_mentioned"]}
    assert named and named <= {"diffusion", "gan", "autoencoder"}
    code, _, _ = run(capsys, "tag", "--families", "ssm", "-o", str(tmp_path / "ssm"), str(sample_corpus()))
    summary = json.loads((tmp_path / "ssm" / "summary.json").read_text())
    assert code == 0 and list(summary["families"]) == ["ssm"]
    code, _, err = run(
        capsys, "tag", "--families", "ssm,nope", "-o", str(tmp_path / "x"), str(sample_corpus())
    )
    assert code == 1 and err.startswith(
        "Error: unknown family nope (the rules have: adversarial, autoencoder,"
    )
    code, _, err = run(capsys, "build", "--areas", "nope", "-o", str(tmp_path / "y"))
    assert code == 1 and "unknown area nope (areas: architectures," in err


def test_tag_keeps_no_paper_table_unless_a_cache_keeps_the_statistics(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from taxonomy import pipeline

    given: list[bool] = []
    tag_corpus = pipeline.tag_corpus

    def recorded(options: pipeline.TagOptions) -> pipeline.TagResult:
        given.append(options.paper_table)
        return tag_corpus(options)

    monkeypatch.setattr(pipeline, "tag_corpus", recorded)
    corpus = str(sample_corpus())
    assert run(capsys, "tag", "-q", "-o", str(tmp_path / "a"), corpus)[0] == 0
    assert (
        run(capsys, "tag", "-q", "--cache", str(tmp_path / "c.db"), "-o", str(tmp_path / "b"), corpus)[0] == 0
    )
    assert given == [False, True]
