"""Evaluation against gold labels: scoring rules, optional labels, both gold formats, errors with evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from taxonomy.errors import InputError
from taxonomy.evaluate import evaluate, format_evaluation, read_gold
from taxonomy.models import Paper
from taxonomy.rules import load_rules
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
        ('{"title": "x"}\n', "gold.jsonl:1: no labels: give 'primary' and 'mentioned', or 'families'"),
        ('{"title": "x", "families": "ssm"}\n', "gold.jsonl:1: 'families' must be a list of family ids"),
        ("\n", "gold.jsonl: no gold papers (expected one JSON object per line)"),
    ],
)
def test_bad_gold_files(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        read_gold(write(tmp_path, text))
    assert str(caught.value).startswith(
        str(tmp_path / message.split(":")[0]) + message[len(message.split(":")[0]) :]
    )
