"""Key papers and relations through the library, on the bundled rules: own methods first, combined only
when the paper's own method combines, papers named by title, catch-all concepts not listed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from taxonomy.models import Paper, TaggedPaper
from taxonomy.report import render_report
from taxonomy.report.context import build
from taxonomy.rules import Taxonomy, load_rules
from taxonomy.rules.yamlfile import default_rules_dir
from taxonomy.stats import CorpusStats, collect
from taxonomy.tag import Tagger

HASH_ID = re.compile(r"title:[0-9a-f]{16}")


@pytest.fixture(scope="module")
def rules() -> Taxonomy:
    return load_rules(default_rules_dir())


@pytest.fixture(scope="module")
def tagger(rules: Taxonomy) -> Tagger:
    return Tagger(rules)


def tag(tagger: Tagger, *papers: tuple[str, str, str]) -> list[TaggedPaper]:
    return tagger.tag_batch(
        [Paper(id=pid, title=title, abstract=abstract) for pid, title, abstract in papers]
    )


def combined(stats: CorpusStats) -> set[tuple[str, str]]:
    return {(a, b) for (kind, a, b), n in stats.relations.items() if kind == "combined_with" and n}


def test_experiments_that_use_two_families_combine_nothing(rules: Taxonomy, tagger: Tagger) -> None:
    tagged = tag(
        tagger,
        (
            "e1",
            "Robust speech recognition in noisy rooms",
            "We study robustness to noise. Our experiments use a CNN and an LSTM on three benchmarks.",
        ),
    )
    assert {"cnn", "rnn"} <= set(tagged[0].families_mentioned)
    assert not any({"cnn", "rnn"} == {a, b} for a, b in combined(collect(tagged, rules)))


def test_an_own_method_that_joins_two_families_combines_them(rules: Taxonomy, tagger: Tagger) -> None:
    tagged = tag(
        tagger,
        (
            "c1",
            "A convolutional recurrent model for speech",
            "We propose a model with a CNN encoder and an LSTM decoder for speech recognition.",
        ),
    )
    stats = collect(tagged, rules)
    assert ("cnn", "rnn") in combined(stats) or ("cnn", "lstm") in combined(stats)


def test_key_papers_start_with_papers_whose_own_method_is_in_the_family(
    rules: Taxonomy, tagger: Tagger
) -> None:
    tagged = tag(
        tagger,
        ("u1", "Image classification at scale", "We train a ResNet and use a CNN backbone for retrieval."),
        ("o1", "ConvNets for segmentation", "We propose a CNN with dilated convolutions for segmentation."),
        ("m1", "A survey of attention", "Attention replaced recurrence; CNNs were used before."),
    )
    data = build(rules, collect(tagged, rules), "t")
    cnn = next(s for s in data.sections if s.id == "cnn")
    titles = [e.title for e in cnn.evidence]
    assert titles[0] == "ConvNets for segmentation"
    assert cnn.evidence[0].own == "own method, in the title"
    assert len(cnn.evidence[0].before + cnn.evidence[0].match + cnn.evidence[0].after) <= 160


def test_catch_all_concepts_are_marked_in_the_rules_and_not_listed(rules: Taxonomy, tagger: Tagger) -> None:
    catch_all = {c.id for c in rules.concepts.values() if c.catch_all}
    assert {"former-compound", "open-llm"} <= catch_all
    assert not any(rules.concepts[c].is_family for c in catch_all)
    tagged = tag(
        tagger,
        ("f1", "PosFormer for handwriting", "We propose PosFormer, a transformer for handwritten math."),
        ("f2", "HiFormer for medical images", "We propose HiFormer, which fuses a CNN with a transformer."),
    )
    stats = collect(tagged, rules)
    assert stats.concept_papers["former-compound"] == 2  # counted as before
    data = build(rules, stats, "t")

    def labels(nodes: tuple[object, ...]) -> set[str]:
        found: set[str] = set()
        for node in nodes:
            found.add(node.label)  # type: ignore[attr-defined]
            found |= labels(node.children)  # type: ignore[attr-defined]
        return found

    assert "...former models" not in labels(data.tree)
    assert all("...former models" not in (r.a, r.b) for r in data.relations)
    assert data.concept_map is not None
    assert all(p.id != "former-compound" for p in data.concept_map.points)
    transformer = next(s for s in data.sections if s.id == "transformer")
    assert {e.concept for e in transformer.evidence} <= {"PosFormer", "HiFormer", "Transformers"}


def test_relation_examples_are_named_by_title_even_when_no_sample_keeps_them(
    rules: Taxonomy, tagger: Tagger, tmp_path: Path
) -> None:
    tagged = tag(
        tagger,
        *[
            (
                f"title:{i:016x}",
                f"Mamba beats transformers, part {i}",
                "Unlike Transformers, our Mamba model is fast.",
            )
            for i in range(6)
        ],
    )
    stats = collect(tagged, rules, sample_size=1)  # the family samples keep one paper each
    render_report(rules, stats, tmp_path)
    for name in ("report.html", "report.md"):
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert HASH_ID.search(text) is None, name
    data = build(rules, stats, "t")
    compared = next(r for r in data.relations if r.relation == "compared with")
    assert [e.title for e in compared.examples] == [
        "Mamba beats transformers, part 0",
        "Mamba beats transformers, part 1",
        "Mamba beats transformers, part 2",
    ]


def test_an_own_method_applied_to_two_families_does_not_combine_them(rules: Taxonomy, tagger: Tagger) -> None:
    tagged = tag(
        tagger,
        (
            "a1",
            "A pruning method",
            "We apply our pruning method to a CNN and an LSTM. Experiments on a CNN and an LSTM show it works.",
        ),
    )
    assert {"cnn", "rnn"} <= set(tagged[0].families_primary)  # both are used: the old rule combined them
    pairs = combined(collect(tagged, rules))
    assert ("cnn", "rnn") not in pairs and ("cnn", "lstm") not in pairs
    assert ("cnn", "pruning") in pairs  # the paper's own method is pruning, applied to each
