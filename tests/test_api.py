"""The library for notebooks: ``taxonomy.read``, ``taxonomy.tag`` and ``taxonomy.to_dataframe``."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import taxonomy
from taxonomy.cli import main
from taxonomy.models import Paper

from .conftest import FIXTURES, SMALL_RULES

ROOT = Path(__file__).resolve().parent.parent
CORPUS = FIXTURES / "api"  # the same eight papers as JSON Lines and CSV, LaTeX and HTML in their text


def _families(papers: object) -> list[tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]]:
    """(id, primary families, mentioned families, concepts) of each tagged paper, in order."""
    return [
        (tp.paper.id, tp.families_primary, tp.families_mentioned, tuple(h.concept for h in tp.concepts))
        for tp in papers  # type: ignore[attr-defined]
    ]


@pytest.fixture(scope="module")
def command_line(
    tmp_path_factory: pytest.TempPathFactory,
) -> list[tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]]:
    """What ``taxonomy tag`` writes for the CSV corpus, in the same shape as ``_families``."""
    out = tmp_path_factory.mktemp("tagged")
    assert main(["tag", str(CORPUS / "latex.csv"), "-o", str(out)]) == 0
    lines = [json.loads(line) for line in (out / "papers.jsonl").read_text(encoding="utf-8").splitlines()]
    return [
        (
            p["id"],
            tuple(p["families_primary"]),
            tuple(p["families_mentioned"]),
            tuple(c["concept"] for c in p["concepts"]),
        )
        for p in lines
    ]


def _jsonl_records() -> list[dict[str, object]]:
    text = (CORPUS / "latex.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def test_dicts_get_the_families_the_command_line_gives(command_line: list[tuple[str, ...]]) -> None:
    assert len(command_line) == 8
    assert _families(taxonomy.tag(_jsonl_records())) == command_line


def test_a_dataframe_and_its_rows_get_the_families_the_command_line_gives(
    command_line: list[tuple[str, ...]],
) -> None:
    pandas = pytest.importorskip("pandas")
    frame = pandas.read_csv(CORPUS / "latex.csv")  # the empty DOIs and the missing year are NaN
    assert _families(taxonomy.tag(frame)) == command_line
    assert _families(taxonomy.tag(frame.iterrows())) == command_line
    assert _families(taxonomy.tag(frame.itertuples(index=False))) == command_line
    assert _families(taxonomy.tag(frame.to_dict("records"))) == command_line


def test_papers_read_by_the_library_get_the_families_the_command_line_gives(
    command_line: list[tuple[str, ...]],
) -> None:
    papers = taxonomy.read(CORPUS / "latex.jsonl")
    assert len(papers) == 8 and papers.rejects == ()
    assert _families(taxonomy.tag(papers)) == command_line


def test_the_corpus_needs_its_text_cleaned(command_line: list[tuple[str, ...]]) -> None:
    # Tagged as it is written, with markup, most papers get other concepts: the comparisons above
    # would fail if tag() did not clean text as the readers do.
    raw = [
        Paper(id=pid, title=" ".join(str(r["title"]).split()), abstract=str(r["abstract"]))
        for r, (pid, *_) in zip(_jsonl_records(), command_line, strict=True)
    ]
    differ = [a != b for a, b in zip(_families(taxonomy.tag(raw)), command_line, strict=True)]
    assert sum(differ) >= 4


def test_strings_are_titles_and_records_without_a_title_are_listed_as_rejects() -> None:
    tagged = taxonomy.tag(["Mamba for audio", {"abstract": "No title here."}, {"title": " "}])
    assert [tp.paper.title for tp in tagged] == ["Mamba for audio"]
    assert [(r.where, r.reason) for r in tagged.rejects] == [
        ("records:2", "missing title"),
        ("records:3", "missing title"),
    ]
    assert tagged[0].paper.source == "records:1"
    assert taxonomy.tag("Mamba for audio")[0].families_primary == ("ssm",)  # one record alone


def test_tag_takes_field_names_and_a_part_of_the_taxonomy() -> None:
    record = {"Heading": "A Vision Transformer with Mamba blocks", "Text": "We propose a hybrid."}
    tagged = taxonomy.tag([record], title_field="Heading", abstract_field="Text", families=["ssm"])
    assert tagged[0].paper.title == "A Vision Transformer with Mamba blocks"
    assert tagged[0].families_mentioned == ("ssm",)


def test_the_repr_is_readable() -> None:
    tagged = taxonomy.tag(
        [{"title": "Mamba for audio", "abstract": "We propose a Mamba model."}, "A survey of sheep farming"]
    )
    assert repr(tagged).splitlines() == [
        "<Tagged: 2 papers, 1 with a family (1 with a primary family)>",
        "  Mamba for audio: primary ssm; concepts mamba (proposes)",
        "  A survey of sheep farming: no family",
    ]
    papers = taxonomy.read(CORPUS / "latex.csv")
    assert repr(papers).splitlines()[:2] == [
        "<Papers: 8 papers; 0 rejected, 0 duplicates>",
        "  Mamba: Linear-Time Sequence Modeling with Selective State Spaces",
    ]


def test_the_example_of_the_issue_runs_from_a_fresh_interpreter() -> None:
    code = "import taxonomy; print(taxonomy.tag([{'title': 'Mamba for audio', 'abstract': 'We propose a Mamba model.'}]))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "<Tagged: 1 paper, 1 with a family (1 with a primary family)>",
        "  Mamba for audio: primary ssm; concepts mamba (proposes)",
    ]


def test_import_taxonomy_loads_nothing_heavy() -> None:
    code = (
        "import sys, taxonomy; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('taxonomy', 'spacy', 'pandas', 'networkx')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['taxonomy', 'taxonomy.version']"


def test_the_tagging_sub_package_keeps_its_name_and_is_callable() -> None:
    code = (
        "from taxonomy.tag import Tagger; import taxonomy; import taxonomy.tag as stage; "
        "print(stage.Tagger is Tagger, taxonomy.tag is stage, taxonomy.tag('Mamba for audio')[0].families_primary)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True True ('ssm',)"


def test_to_dataframe_gives_one_row_a_paper_with_family_and_concept_columns() -> None:
    pytest.importorskip("pandas")
    tagged = taxonomy.tag(_jsonl_records())
    table = taxonomy.to_dataframe(tagged)
    assert len(table) == 8 and list(table["id"]) == [tp.paper.id for tp in tagged]
    families = [c for c in table.columns if c.startswith("family:")]
    concepts = [c for c in table.columns if c.startswith("concept:")]
    assert families == sorted(families) and "family:ssm" in families and "concept:mamba" in concepts
    first = table.iloc[0]
    assert (first["title"], first["year"], first["doi"]) == (
        "Mamba: Linear-Time Sequence Modeling with Selective State Spaces",
        2023,
        "10.48550/arxiv.2312.00752",
    )
    assert first["family:ssm"] == "primary" and first["concept:mamba"] == "proposes"
    assert first["family:gan"] == "" and table.iloc[1]["family:gan"] == "mentioned"
    assert (table["family:ssm"] != "").sum() == sum("ssm" in tp.families_mentioned for tp in tagged)
    assert table.equals(tagged.to_dataframe())


def test_to_dataframe_without_pandas_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    with pytest.raises(taxonomy.errors.UsageError, match=re.escape("pip install 'taxonomy[pandas]'")):
        taxonomy.to_dataframe(taxonomy.tag(["Mamba for audio"]))


def test_the_example_in_docs_api_md_runs_and_prints_what_the_page_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("pandas")
    page = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```(\w*)\n(.*?)^```", page, flags=re.MULTILINE | re.DOTALL)
    code = [text for kind, text in blocks if kind == "python"]
    shown = [text for kind, text in blocks if kind == "text"]
    assert code and len(code) == len(shown)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    for block, expected in zip(code, shown, strict=True):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(block, "docs/api.md", "exec"), namespace)
        # The page keeps no white space at line ends (pandas pads its columns with it).
        assert [line.rstrip() for line in printed.getvalue().splitlines()] == expected.splitlines(), block


def test_rules_of_ones_own_are_compiled_again_when_a_file_changes(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(SMALL_RULES, rules)
    title = "Zamba blocks for audio"
    assert taxonomy.tag(title, rules=rules)[0].families_mentioned == ()
    ssm = rules / "ssm.yaml"
    ssm.write_text(ssm.read_text(encoding="utf-8").replace("aliases: [Jamba]", "aliases: [Jamba, Zamba]"))
    later = ssm.stat().st_mtime + 10
    os.utime(ssm, (later, later))
    assert taxonomy.tag(title, rules=rules)[0].families_mentioned == ("ssm", "transformer")


def test_a_field_name_no_record_has_is_an_error() -> None:
    with pytest.raises(taxonomy.errors.InputError) as caught:
        taxonomy.tag([{"title": "Mamba for audio", "when": "2024"}], date_field="published")
    assert (
        str(caught.value)
        == "records: no field 'published' for --date-field in its record; fields: title, when"
    )
