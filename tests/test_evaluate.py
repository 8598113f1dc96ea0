"""Evaluation against gold labels: scoring rules, optional labels, both gold formats, errors with evidence."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from taxonomy.cli import main
from taxonomy.errors import InputError, UsageError
from taxonomy.evaluate import (
    ListGold,
    ListPaper,
    evaluate,
    evaluate_lists,
    format_evaluation,
    format_list_evaluation,
    load_gold,
    read_gold,
    split,
)
from taxonomy.models import Paper
from taxonomy.rules import load_rules, select_families
from taxonomy.tag import Tagger

from .conftest import FIXTURES


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger(load_rules(FIXTURES / "tagging"))


def test_scores_follow_the_rules_for_optional_labels(tmp_path: Path, tagger: Tagger) -> None:
    gold = read_gold(
        write(
            tmp_path,
            "\n".join(
                [
                    '{"n": 1, "title": "Mamba for speech", "primary": ["ssm"], "primary_optional": [], "mentioned": ["ssm", "transformer"], "mentioned_optional": []}',
                    '{"n": 2, "title": "Jamba hybrids", "primary": ["ssm"], "primary_optional": ["transformer"], "mentioned": ["ssm"], "mentioned_optional": []}',
                ]
            ),
        )
    )
    papers = [
        Paper(id="1", title="Mamba for speech", abstract="Unlike Transformers, our Mamba is fast."),
        Paper(id="2", title="Jamba hybrids", abstract=""),
    ]
    result = evaluate(tagger.tag_batch(papers), gold, tagger.taxonomy)
    assert result.papers == 2
    primary, mentioned = result.overall["primary"], result.overall["mentioned"]
    assert (primary.tp, primary.fp, primary.fn) == (2, 0, 0)  # transformer on paper 2 is optional
    assert (mentioned.tp, mentioned.fp, mentioned.fn) == (3, 1, 0)  # transformer on paper 2 is not
    (error,) = result.errors
    assert (error.task, error.kind, error.family, error.title) == (
        "mentioned",
        "fp",
        "transformer",
        "Jamba hybrids",
    )
    assert any("Jamba" in line for line in error.evidence)
    text = format_evaluation(result)
    assert "mentioned      0.750   1.000  0.857    3   1   0" in text.splitlines()


def test_simple_gold_format_and_matching_by_title(tmp_path: Path, tagger: Tagger) -> None:
    gold = read_gold(write(tmp_path, '{"title": "A ViT!", "families": ["transformer"]}\n'))
    result = evaluate(tagger.tag_batch([Paper(id="x", title="a vit")]), gold, tagger.taxonomy)
    assert result.tasks == ("primary",)
    assert result.overall["primary"].f1 == 1.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{oops\n", "gold.jsonl:1: invalid JSON"),
        (
            '{"title": "x"}\n',
            "gold.jsonl:1: no labels: give 'primary' and 'mentioned', 'families', or one 'family'",
        ),
        ('{"title": "x", "family": ["ssm"]}\n', "gold.jsonl:1: 'family' must be one family id"),
        ('{"title": " ", "family": "ssm"}\n', "gold.jsonl:1: a list line needs a 'title'"),
        (
            '{"title": "x", "family": "ssm"}\n{"title": "y", "families": ["ssm"]}\n',
            "gold.jsonl:2: this line has labels, earlier lines have a 'family': keep one kind of gold "
            "line a file (list memberships or complete labels)",
        ),
        ('{"title": "x", "families": "ssm"}\n', "gold.jsonl:1: 'families' must be a list of family ids"),
        ("\n", "gold.jsonl: no gold papers (expected one JSON object per line)"),
    ],
)
def test_bad_gold_files(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        load_gold(write(tmp_path, text))
    assert str(caught.value).startswith(
        str(tmp_path / message.split(":")[0]) + message[len(message.split(":")[0]) :]
    )


def listed(title: str, family: str, name: str, line: int, abstract: str = "") -> ListPaper:
    return ListPaper(title, abstract, family, name, line)


def test_list_gold_is_read_as_memberships(tmp_path: Path) -> None:
    gold = load_gold(
        write(
            tmp_path,
            '{"title": "Mamba  for speech", "abstract": "", "family": "ssm", "url": "", "list": "a#x"}\n'
            '{"title": "A ViT", "abstract": "We  use a ViT.", "family": "transformer", "list": "b"}\n'
            '{"title": "State--space models", "abstract": "An \\\\emph{S4} layer.", "family": "ssm"}\n',
        )
    )
    assert isinstance(gold, ListGold)
    assert gold.papers == (  # cleaned as the readers clean any input
        ListPaper("Mamba for speech", "", "ssm", "a#x", 1),
        ListPaper("A ViT", "We use a ViT.", "transformer", "b", 2),
        ListPaper("State\u2013space models", "An S4 layer.", "ssm", "", 3),
    )
    with pytest.raises(InputError, match="holds list memberships"):
        read_gold(gold.path)


def test_split_keeps_each_list_on_one_side_and_balances_families() -> None:
    papers = [listed(f"p{i}", "ssm", "big", i) for i in range(6)]
    papers += [listed(f"q{i}", "ssm", "small", 10 + i) for i in range(2)]
    papers += [listed(f"r{i}", "ssm", "other", 20 + i) for i in range(3)]
    parts = split(papers)
    assert {parts[p.line] for p in papers if p.list == "big"} == {"tuning"}  # the largest list first
    assert {parts[p.line] for p in papers if p.list == "other"} == {"checking"}
    assert {parts[p.line] for p in papers if p.list == "small"} == {"checking"}  # 6 against 3
    assert split(list(reversed(papers))) == parts  # a function of the papers, not of their order


def test_split_of_a_family_with_one_list_goes_paper_by_paper() -> None:
    papers = [listed(f"Title number {i}", "kan", "only", i) for i in range(40)]
    parts = split(papers)
    assert 10 < sum(part == "tuning" for part in parts.values()) < 30
    assert split(papers) == parts


def test_list_evaluation_reports_recall_by_part_and_the_misses(tagger: Tagger) -> None:
    gold = [
        listed("Mamba for speech", "ssm", "a", 1),
        listed("Mamba for video", "ssm", "a", 2),
        listed("Jamba hybrids", "transformer", "b", 3),
        listed("Speech recognition at scale", "ssm", "c", 4, abstract="We use no such model."),
    ]
    papers = [Paper(id=str(g.line), title=g.title, abstract=g.abstract) for g in gold]
    result = evaluate_lists(tagger.tag_batch(papers), gold, tagger.taxonomy, name="gold.jsonl")
    every = result.groups["all"]
    assert (every.papers, every.primary, every.mentioned) == (4, 3, 3)
    assert every.primaries == 4  # Jamba is primary in ssm and transformer, the last paper in none
    assert result.groups["with abstract"].papers == 1
    assert result.groups["tuning"].papers + result.groups["checking"].papers == 4
    (miss,) = result.misses
    assert (miss.family, miss.title, miss.primary, miss.evidence) == (
        "ssm",
        "Speech recognition at scale",
        (),
        ("no mention",),
    )
    text = format_list_evaluation(result).splitlines()
    assert (
        text[0] == "Scored 4 listed papers of gold.jsonl (1 with an abstract): recall of the listed family."
    )
    assert text[3] == "all                 4    0.750      0.750           1.00"
    assert "  [ssm] Speech recognition at scale" in text
    only = evaluate_lists(tagger.tag_batch(papers), gold, tagger.taxonomy, part="checking")
    assert only.groups["all"].papers == result.groups["checking"].papers


def test_families_the_gold_does_not_label_count_neither_way(tmp_path: Path) -> None:
    gold = write(tmp_path, '{"title": "Transformers and Mamba for speech", "families": ["ssm"]}\n')
    rules = str(FIXTURES / "tagging")

    def run(*extra: str) -> str:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(["evaluate", "--gold", str(gold), "--rules", rules, "--no-errors", *extra]) == 0
        return out.getvalue()

    # The gold file knows only ssm: the transformer the title names is not a false positive ...
    assert "primary        1.000   1.000  1.000    1   0   0" in run()
    # ... unless every family of the rules is asked for.
    assert "primary        0.500   1.000  0.667    1   1   0" in run("--families", "all")


def test_select_families_cuts_the_taxonomy_down() -> None:
    rules = load_rules(FIXTURES / "tagging")
    ssm = select_families(rules, ["ssm"])
    assert ssm.families == ("ssm",)
    assert all(c.families in ((), ("ssm",)) for c in ssm.concepts.values())
    assert "vision-transformer" not in ssm.concepts and "mamba" in ssm.concepts
    hybrid = ssm.concepts["hybrid-ssm-attention"]  # under both families: keeps the chosen one
    assert hybrid.families == ("ssm",) and "transformer" not in hybrid.parents
    tp = Tagger(ssm).tag(Paper(id="p", title="Jamba: a hybrid of Transformers and Mamba"))
    assert tp.families_primary == ("ssm",) and "transformer" not in tp.families_mentioned
    with pytest.raises(UsageError, match="unknown family gnn"):
        select_families(rules, ["gnn"])


def test_a_left_out_family_still_claims_its_words(tmp_path: Path) -> None:
    """Tagging a few families finds what tagging all of them finds, less the others: a longer name
    of a left-out family is not read as the shorter name of a chosen one inside it."""
    for name in ("ssm.yaml", "transformer.yaml"):
        (tmp_path / name).write_text((FIXTURES / "tagging" / name).read_text())
    (tmp_path / "transformer.yaml").write_text(
        (tmp_path / "transformer.yaml").read_text() + "  state-space-transformer:\n"
        "    label: State space transformer\n"
        "    description: A transformer named after state spaces.\n"
        "    parents: [transformer]\n"
        "    aliases: [state space model transformer]\n"
        "    examples: [A state space model transformer reads the input.]\n"
        "    counterexamples: [A transformer reads the input.]\n"
    )
    rules = load_rules(tmp_path)
    title = "A state space model transformer for speech"
    assert Tagger(rules).tag(Paper(id="p", title=title)).families_primary == ("transformer",)
    ssm = select_families(rules, ["ssm"])
    assert "state-space-transformer" not in ssm.concepts and "state-space-transformer" in ssm.hidden
    tp = Tagger(ssm).tag(Paper(id="p", title=title))
    assert tp.mentions == () and tp.families_primary == ()
    assert Tagger(ssm).tag(Paper(id="p", title="A state space model for speech")).families_primary == ("ssm",)
