"""The audit sample: seeded, per family, with evidence, printed as a Markdown checklist."""

from __future__ import annotations

import pytest

from taxonomy.audit import draw, format_audit
from taxonomy.cli import main
from taxonomy.models import Paper
from taxonomy.pipeline import sample_corpus
from taxonomy.rules import Taxonomy, load_rules
from taxonomy.tag import Tagger

from .conftest import FIXTURES


@pytest.fixture(scope="module")
def rules() -> Taxonomy:
    return load_rules(FIXTURES / "tagging")


def papers(n: int) -> list[Paper]:
    return [Paper(id=f"m{i}", title=f"Mamba number {i}") for i in range(n)] + [
        Paper(id="v", title="A ViT for *bold* [links](x)"),
        Paper(id="u", title="Speech at scale"),
    ]


def test_draws_the_same_number_a_family_with_a_seed(rules: Taxonomy) -> None:
    tagged = Tagger(rules).tag_batch(papers(30))
    audit = draw(tagged, rules, per_family=5, seed=7)
    assert audit.primary_counts == {"ssm": 30, "transformer": 1}
    assert [i.family for i in audit.items] == ["ssm"] * 5 + ["transformer"]
    assert draw(tagged, rules, per_family=5, seed=7) == audit
    assert draw(tagged, rules, per_family=5, seed=8).items != audit.items
    (vit,) = [i for i in audit.items if i.family == "transformer"]
    assert vit.evidence == ('title "ViT" as mentions (6): A ViT for *bold* [links](x)',)


def test_checklist_escapes_titles(rules: Taxonomy) -> None:
    text = format_audit(draw(Tagger(rules).tag_batch(papers(2)), rules, per_family=1))
    assert "## transformer (1 of 1 papers with it primary)" in text
    assert "1. [ ] A ViT for \\*bold\\* \\[links\\](x) (`v`, score 6)" in text


def test_cli_prints_the_checklist(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", str(sample_corpus()), "--per-family", "2", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Primary tags to check: up to 2 a family, seed 3\n")
    assert out.count("\n1. [ ] ") == out.count("\n## ")
    assert main(["audit", str(sample_corpus()), "--per-family", "0"]) == 1
    assert capsys.readouterr().err.strip() == "Error: --per-family must be 1 or more"
