"""Suggesting concepts the rules miss: candidates, abbreviations, parents, stubs that load, the command."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from taxonomy import ingest
from taxonomy.cli import main
from taxonomy.models import Paper
from taxonomy.rules import load_rules
from taxonomy.ruletests import run_rule_tests
from taxonomy.suggest import Candidate, long_form, suggest, to_table, to_yaml
from taxonomy.suggest.place import kind_of, known, place
from taxonomy.suggest.scan import _Scanner, _shape, _Tally, _Votes
from taxonomy.tag import Tagger

from .conftest import FIXTURES

CORPUS = FIXTURES / "suggest" / "papers.jsonl"
RULES = FIXTURES / "tagging"


@pytest.fixture(scope="module")
def small_tagger() -> Tagger:
    return Tagger(load_rules(RULES))


def papers() -> list[Paper]:
    return [r for r in ingest.read([CORPUS]) if isinstance(r, Paper)]


@pytest.fixture(scope="module")
def found(small_tagger: Tagger) -> list[Candidate]:
    return suggest(papers(), small_tagger, min_papers=3)


def by_name(candidates: list[Candidate]) -> dict[str, Candidate]:
    return {c.name: c for c in candidates}


def test_names_with_a_parent_come_first_then_names_that_fit_no_family(found: list[Candidate]) -> None:
    assert [(c.name, c.parent) for c in found] == [
        ("RetNet", "ssm"),
        ("GLA", "transformer"),
        ("HAGO", None),
        ("liquid state machine", None),
    ]
    assert [c.papers for c in found] == [3, 3, 3, 3]
    assert found[0].score >= found[1].score and found[2].score >= found[3].score
    assert [c.why for c in found] == ["", "", "optimizer", "no family named near it"]


def test_top_limits_the_placed_names_and_others_the_rest(small_tagger: Tagger) -> None:
    assert [c.name for c in suggest(papers(), small_tagger, top=1, others=1)] == ["RetNet", "HAGO"]
    assert [c.name for c in suggest(papers(), small_tagger, top=5, others=0)] == ["RetNet", "GLA"]


KNOWN = ["Mamba", "S4", "ViT", "Vision Mamba", "Mamba-1.4B"]  # the last a size variant of Mamba
DATA_SETS = ["WikiText-103", "LRA"]  # named "on X", "X benchmark"
STOP_LIST = ["ImageNet", "SOTA", "GPU"]
COMMON = ["Lipschitz", "Model"]  # a capitalised name no paper introduces; a word mostly written in lower case


@pytest.mark.parametrize("name", KNOWN + DATA_SETS + STOP_LIST + COMMON)
def test_known_concepts_data_sets_and_common_words_are_left_out(small_tagger: Tagger, name: str) -> None:
    names = {v.lower() for c in suggest(papers(), small_tagger, min_papers=1, top=100) for v in c.variants}
    assert name.lower() not in names


def test_a_defined_abbreviation_is_one_candidate_with_both_forms(found: list[Candidate]) -> None:
    gla = by_name(found)["GLA"]
    assert gla.long_form == "Gated Linear Attention"
    assert gla.variants == ("GLA", "Gated Linear Attention")
    retnet = by_name(found)["RetNet"]
    assert retnet.variants == ("RetNet", "Retentive Network")


@pytest.mark.parametrize(
    ("short", "before", "expected"),
    [
        ("GLA", "we introduce Gated Linear Attention", "Gated Linear Attention"),
        ("RetNet", "we propose the Retentive Network", "Retentive Network"),
        ("S4", "built on the Structured State Space", "Structured State Space"),
        ("AC", "an off-policy actor-critic", "actor-critic"),
        ("NeRF", "scenes as neural radiance fields", "neural radiance fields"),
        ("GPU", "the model runs on one", ""),  # letters not at word starts
        ("LSTM", "the", ""),
    ],
)
def test_long_forms_are_found_schwartz_hearst_style(short: str, before: str, expected: str) -> None:
    assert long_form(short, before.split()) == expected


def test_the_parent_is_the_concept_whose_members_are_named_near_the_name(found: list[Candidate]) -> None:
    candidates = by_name(found)
    # RetNet is compared with Mamba and listed beside it: a peer of Mamba, so under Mamba's parent.
    assert candidates["RetNet"].parent == "ssm"
    assert candidates["RetNet"].votes == 5 and candidates["RetNet"].sentences == 8
    # "Gated Linear Attention (GLA), a Transformer layer": attention describes it.
    assert candidates["GLA"].parent == "transformer"
    assert candidates["liquid state machine"].parent is None  # no concept near it


def test_an_optimizer_gets_no_family_though_named_beside_one(found: list[Candidate]) -> None:
    hago = by_name(found)["HAGO"]  # "the HAGO optimizer", "SGD and HAGO", always next to Mamba or S4
    assert hago.parent is None and hago.kind == "optimizer" and hago.why == "optimizer"
    assert kind_of("hago", Counter({"optimizer": 5}), 7) == "optimizer"
    assert kind_of("adamw", Counter(), 7) == "optimizer"  # a well-known member is of its kind
    assert kind_of("hago", Counter({"optimizer": 1}), 7) == ""  # one sentence of seven says little
    assert kind_of("tsne", Counter(), 3) == "visualization"


@pytest.mark.parametrize(
    ("votes", "voters", "sentences", "parent"),
    [
        ({"ssm": 6, "mamba": 5, "transformer": 1}, {}, 8, "mamba"),  # a concept with half the votes
        ({"ssm": 2, "mamba": 1}, {}, 4, "ssm"),  # one vote is not enough for a concept
        ({"ssm": 6, "mamba": 5}, {"mamba": 1}, 8, "ssm"),  # nor are votes from one paper
        ({"ssm": 4, "mamba": 4, "transformer": 3}, {}, 6, None),  # a close rival family: no family is clear
        (
            {"ssm": 4, "transformer": 4, "hybrid-ssm-attention": 4},
            {},
            6,
            "hybrid-ssm-attention",
        ),  # under both
        ({"ssm": 1}, {}, 2, None),  # one sentence
        ({"ssm": 4}, {"ssm": 1}, 5, None),  # one paper
        ({"ssm": 2}, {}, 30, None),  # two sentences of thirty
        ({}, {}, 5, None),
    ],
)
def test_parent_rules(
    votes: dict[str, int], voters: dict[str, int], sentences: int, parent: str | None
) -> None:
    papers = Counter({**votes, **voters})  # each vote from another paper, unless said otherwise
    assert place(load_rules(RULES), Counter(votes), papers, sentences).parent == parent


def test_no_parent_for_a_tool_or_a_name_seldom_used_as_a_method() -> None:
    taxonomy = load_rules(RULES)
    votes = Counter({"ssm": 6, "mamba": 5})
    assert place(taxonomy, votes, votes, 8).parent == "mamba"
    assert place(taxonomy, votes, votes, 8, kind="optimizer").why == "optimizer"
    assert place(taxonomy, votes, votes, 8, method_papers=1).why == "seldom used as a method"


def test_one_papers_evidence_is_enough_when_names_of_one_paper_are_asked_for(small_tagger: Tagger) -> None:
    taxonomy = load_rules(RULES)
    votes, voters = Counter({"ssm": 1, "mamba": 1}), Counter({"ssm": 1, "mamba": 1})
    assert place(taxonomy, votes, voters, 3, method_papers=1).parent is None
    # The family on one sentence; a concept below it still needs two.
    assert place(taxonomy, votes, voters, 3, method_papers=1, papers=1).parent == "ssm"
    votes, voters = Counter({"ssm": 2, "mamba": 2}), Counter({"ssm": 1, "mamba": 1})
    assert place(taxonomy, votes, voters, 3, method_papers=1, papers=1).parent == "mamba"
    single = by_name(suggest(papers(), small_tagger, min_papers=1, top=100, others=0))
    assert single["Strider"].parent == "ssm" and single["Strider"].papers == 1  # s-10 only
    assert "Strider" not in by_name(suggest(papers(), small_tagger, min_papers=2, top=100, others=100))


def votes_of(small_tagger: Tagger, abstract: str, key: str) -> Counter[str]:
    scan = _Scanner(small_tagger.taxonomy)
    tagged = small_tagger.tag(Paper(id="p", title="A study", abstract=abstract))
    scan.paper(0, tagged.paper, tagged.mentions)
    return scan.tallies[key].votes.votes


@pytest.mark.parametrize(
    ("abstract", "votes"),
    [
        ("We propose ZorroNet, a fast Mamba variant.", {"mamba", "ssm"}),  # named near it: Mamba and above
        ("We compare ZorroNet, Mamba and S4 on long sequences.", {"ssm"}),  # listed beside: peers
        ("ZorroNet outperforms Mamba on long sequences.", {"ssm"}),  # compared with it: a peer too
        ("We propose Mamba-based ZorroNet for long sequences.", set()),  # built on Mamba, not a Mamba
        ("We use ZorroNet for speech; in the end, Mamba is slow.", set()),  # another clause
        ("We use ZorroNet in a system that for long audio streams of many hours uses Mamba.", set()),  # far
    ],
)
def test_what_a_sentence_votes_for(small_tagger: Tagger, abstract: str, votes: set[str]) -> None:
    assert set(votes_of(small_tagger, abstract, "zorronet")) == votes


def test_papers_that_spell_a_name_out_differently_do_not_vote() -> None:
    tally = _Tally(long_forms=Counter({"canonical correlation analysis": 3, "channel cross attention": 1}))
    tally.votes = _Votes(Counter({"ssm": 1}), Counter({"ssm": 1}), 4)
    tally.senses = {
        "canonicalcorrelationanalysi": _Votes(Counter(), Counter(), 3),
        "channelcrossattention": _Votes(Counter({"transformer": 2}), Counter({"transformer": 1}), 2),
    }
    evidence = tally.evidence()
    assert evidence.votes == Counter({"ssm": 1}) and evidence.sentences == 7


@pytest.mark.parametrize(
    ("name", "variant"),
    [
        ("LLaMA2-7B", True),
        ("Llama-2-70B", True),
        ("ViT-B", True),
        ("ViT-B/16", True),
        ("GPT-4o-mini", True),
        ("ResNet-50", True),
        ("RegNetY-16GF", True),
        ("BERT-Large", True),
        ("3D-UNet", True),  # a size before the name
        ("Bio-xLSTM", False),
        ("CLIP", False),
        ("Hourglass-Mixer", False),  # MLP-Mixer is a name the rules know (rules/mlp.yaml)
        ("ViT-Adapter", False),  # a known name and a word that is no size or version
    ],
)
def test_sizes_and_versions_of_known_names_are_known(tagger: Tagger, name: str, variant: bool) -> None:
    assert known(tagger, name) is variant


@pytest.mark.parametrize(
    ("name", "shape"),
    [
        ("RetNet", "name"),
        ("GLA", "name"),
        ("Vision-LSTM", "name"),
        ("Hyena", "word"),
        ("Time-Series", "word"),
        ("Monte-Carlo", "word"),
        ("Gaussian", ""),
    ],
)
def test_shapes(name: str, shape: str) -> None:
    assert _shape(name, title=False, first=False) == shape


def test_examples_name_the_candidate_with_paper_ids_method_uses_first(found: list[Candidate]) -> None:
    gla = by_name(found)["GLA"]
    assert [pid for pid, _ in gla.examples] == ["s-02", "s-03", "s-05"]
    assert gla.examples[0][1].startswith("We introduce Gated Linear Attention (GLA)")
    assert all("GLA" in sentence for _, sentence in gla.examples)


def test_output_is_the_same_on_every_run(small_tagger: Tagger, found: list[Candidate]) -> None:
    assert suggest(papers(), small_tagger, min_papers=3) == found


def test_min_papers_and_top(small_tagger: Tagger) -> None:
    everything = suggest(papers(), small_tagger, min_papers=1, top=100)
    assert len(everything) > 3 and all(c.papers >= 1 for c in everything)
    assert all(c.papers >= 2 for c in everything if " " in c.name)  # "reservoir model": one paper's phrase
    assert [c.name for c in suggest(papers(), small_tagger, min_papers=1, top=2, others=0)] == [
        c.name for c in everything[:2]
    ]
    assert suggest(papers(), small_tagger, min_papers=4) == []


def test_the_table_lists_placed_names_then_the_others(found: list[Candidate]) -> None:
    lines = to_table(found).splitlines()
    assert lines[0].split() == ["rank", "candidate", "papers", "score", "parent", "variants"]
    assert lines[1].split()[:5] == ["1", "RetNet", "3", "3.0", "ssm"]
    assert lines[2].split()[:5] == ["2", "GLA", "3", "2.5", "transformer"]
    assert lines[3:5] == ["", "Names that fit none of the families (no parent proposed):"]
    assert lines[5].split() == ["rank", "candidate", "papers", "score", "why", "variants"]
    assert lines[6].split()[:5] == ["1", "HAGO", "3", "1.5", "optimizer"]
    assert len(lines) == 8
    assert "no candidate fits a family" in to_table([])
    assert "fit none" not in to_table(found[:2])


def test_yaml_stubs_are_valid_yaml_grouped_by_family(found: list[Candidate]) -> None:
    text = to_yaml(found, load_rules(RULES))
    documents = [d for d in yaml.safe_load_all(text) if d]
    assert [sorted(d["concepts"]) for d in documents] == [["retnet"], ["gla"]]  # only names with a parent
    assert "#   HAGO (3 papers; optimizer)" in text and "#   liquid state machine (3 papers;" in text
    gla = documents[1]["concepts"]["gla"]
    assert gla["parents"] == ["transformer"]
    assert gla["aliases"] == ["gated linear attention"] and gla["aliases_cased"] == ["GLA"]
    assert gla["description"].startswith("TODO")
    assert gla["counterexamples"][0].startswith("TODO")
    assert gla["examples"] == [sentence for _, sentence in by_name(found)["GLA"].examples]
    assert "# GLA: 3 papers, score 2.5" in text


def test_pasted_stubs_load_and_pass_once_the_todo_is_replaced(found: list[Candidate], tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    text = to_yaml([c for c in found if c.parent], load_rules(RULES))
    for document in text.split("\n---\n")[1:]:
        target = re.search(r"in (\S+\.yaml)", document)
        assert target is not None
        entries = document.split("concepts:\n", 1)[1]
        path = rules / target.group(1)
        path.write_text(path.read_text() + entries)  # paste at the end of the file's concepts

    # As pasted, the rules load; the TODO counterexamples name the concept, so 'rules test' fails on them.
    taxonomy = load_rules(rules)
    assert {"retnet", "gla"} <= set(taxonomy.concepts)
    failures = run_rule_tests(taxonomy).failures
    assert sorted((f.concept, f.kind) for f in failures) == [
        ("gla", "counterexample"),
        ("retnet", "counterexample"),
    ]

    for path in rules.glob("*.yaml"):
        filled = re.sub(
            r'"TODO: replace with a sentence[^"]*"', "A sentence about something else.", path.read_text()
        )
        path.write_text(filled)
    assert run_rule_tests(load_rules(rules)).ok


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "suggest", str(CORPUS), "--rules", str(RULES))
    assert code == 0 and err == ""
    assert out.splitlines()[0].startswith("rank  candidate")
    rows = [line.split()[1] for line in out.splitlines()[1:] if line[:4].strip().isdigit()]
    assert rows == ["RetNet", "GLA", "HAGO", "liquid"]
    code, out, _ = run(capsys, "suggest", str(CORPUS), "--rules", str(RULES), "--others", "0")
    assert code == 0 and "fit none" not in out and len(out.splitlines()) == 3


def test_the_command_prints_yaml_stubs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "suggest", str(CORPUS), "--rules", str(RULES), "--format", "yaml", "--top", "2"
    )
    assert code == 0
    assert [sorted(d["concepts"]) for d in yaml.safe_load_all(out) if d] == [["retnet"], ["gla"]]


def test_the_command_reads_the_sample_corpus_without_input(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "suggest", "--min-papers", "1", "--top", "5")
    assert code == 0 and out.startswith("rank  candidate")


@pytest.mark.parametrize("option", ["--top", "--min-papers"])
def test_the_command_refuses_a_count_below_one(capsys: pytest.CaptureFixture[str], option: str) -> None:
    code, _, err = run(capsys, "suggest", str(CORPUS), option, "0")
    assert code == 1 and err == "Error: --min-papers and --top must be 1 or more\n"
    code, _, err = run(capsys, "suggest", str(CORPUS), "--others", "-1")
    assert code == 1 and err == "Error: --others must be 0 or more\n"


def test_the_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["suggest", "--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: taxonomy suggest") and "--min-papers" in out and "--format-in" in out
