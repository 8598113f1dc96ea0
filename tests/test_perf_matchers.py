"""Shortcuts of the tagger's searches find what the searches they stand for find."""

from __future__ import annotations

import bisect
import itertools
import pickle
import re
import sys
from pathlib import Path

import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.matcher import PhraseMatcher

from taxonomy.ingest import read
from taxonomy.models import Paper
from taxonomy.rules import Taxonomy
from taxonomy.tag import Tagger
from taxonomy.tag.candidates import Candidates
from taxonomy.tag.matchers import (
    PhraseSets,
    Trigger,
    compile_rules,
    folds_as_lowercase,
    phrase_regex,
    required_literal,
)
from taxonomy.tag.phrases import PhraseTrie, pack_phrases
from taxonomy.tag.sentences import sentence_bounds

_EXCEPTIONS = "\u0130\u0131\u017f"


def test_ignoring_case_is_lowercasing_but_for_three_characters() -> None:
    every = "".join(chr(c) for c in range(128, sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    lowering_to: dict[str, set[str]] = {}
    for c in every:
        lowering_to.setdefault(c.lower(), set()).add(c)
    for code in range(128):
        char = chr(code)
        found = set(re.findall(re.escape(char), every, re.IGNORECASE))
        assert found - set(_EXCEPTIONS) == lowering_to.get(char.lower(), set()) - set(_EXCEPTIONS), char
    assert all(len(c.lower()) == 1 for c in every if c not in _EXCEPTIONS)
    assert folds_as_lowercase("Ångström and Kelvin") and not folds_as_lowercase("\u017ftate")


@pytest.mark.parametrize(
    ("pattern", "flags", "literal"),
    [
        ("(?-i:MAE)(?<=[A-Za-z0-9]MAE)", re.IGNORECASE, ("MAE", True)),
        ("[a-z0-9]splat\\b", re.IGNORECASE, ("splat", False)),
        ("pinns?(?![a-z])", re.IGNORECASE, ("pinn", False)),
        ("(?-i:AB)cd", re.IGNORECASE, ("abcd", False)),
        ("(?i)Abc", 0, ("abc", False)),
        ("a[bc]de", 0, ("de", True)),
        ("\u017ftate", re.IGNORECASE, ("tate", False)),  # a character that is not ASCII ends a run
        ("x|y", re.IGNORECASE, ("", True)),
        ("(?:ab)+", 0, ("", True)),
    ],
)
def test_the_literal_of_an_expression_is_a_run_every_match_holds(
    pattern: str, flags: int, literal: tuple[str, bool]
) -> None:
    assert required_literal(re.compile(pattern, flags)) == literal


_PIECES = [
    "MAE", "mae", "ViT", "VIT", "vit", "LLMs", "LLM", "Splat", "gaussian splatting", "3DGS-splat", "PINN",
    "pinns", "NeRF", "nerf", "Mamba", "VisionMamba", "7B", "B", "GCN", "ResNet-50", "ResNeXt", "Caps",
    "FedAvg", "MoE", "MoLEs", "Diffusion", "DiffuSE", "saliency map", "Saliency-Maps", "convolutional",
    "\u0130", "\u0131", "\u017f", "\u212a", "é", "Σ", "x", "a", "-", " ", ".", "(", ")", "_", "0", "9",
]  # fmt: skip
_text = st.lists(st.sampled_from(_PIECES), max_size=16).map("".join)


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(_text, min_size=1, max_size=4))
def test_a_trigger_finds_what_its_expression_finds(taxonomy: Taxonomy, texts: list[str]) -> None:
    triggers = [re.compile(p.trigger, re.IGNORECASE) for c in taxonomy.concepts.values() for p in c.patterns]
    for text in texts:
        for expression in triggers:
            assert Trigger.of(expression).finds(text, text.lower()) == bool(expression.search(text))


def _not_with(taxonomy: Taxonomy) -> dict[str, tuple[str, ...]]:
    return {c.id: c.not_with for c in taxonomy.concepts.values() if c.not_with}


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(_text, min_size=1, max_size=3))
def test_phrase_sets_find_what_their_expressions_find(taxonomy: Taxonomy, texts: list[str]) -> None:
    sets = _not_with(taxonomy) | {"made-up": ("saliency map", "Splat"), "odd": ("\u017ftate", "x")}
    found = PhraseSets(sets).found(sets, *texts)
    assert found == {
        name for name, phrases in sets.items() if any(phrase_regex(phrases).search(t) for t in texts)
    }


def test_phrase_sets_on_real_abstracts(taxonomy: Taxonomy, shared: Path) -> None:
    sets = _not_with(taxonomy)
    phrase_sets = PhraseSets(sets)
    expressions = {name: phrase_regex(phrases) for name, phrases in sets.items()}
    papers = itertools.islice(read([shared / "corpus" / "abstracts-ml.jsonl"]), 1000)
    for paper in papers:
        assert isinstance(paper, Paper)
        texts = (paper.title, paper.abstract)
        assert phrase_sets.found(sets, *texts) == {
            name for name, expression in expressions.items() if any(expression.search(t) for t in texts)
        }


def test_candidates_step_over_spaces_and_not_over_other_whitespace() -> None:
    nlp = spacy.blank("en")
    candidates = Candidates(nlp.tokenizer)
    candidates.add([nlp.make_doc("long  and short"), nlp.make_doc("state-space model")])
    candidates.finish()
    assert candidates.starts("a long  and short memory") == [2]  # the phrase has a token of spaces
    assert candidates.starts("a state - space  model") == [2]
    assert candidates.starts("a state-space\u00a0model") == []
    spaced = Candidates(nlp.tokenizer)
    spaced.add([nlp.make_doc("no\u00a0break")])
    spaced.finish()
    assert spaced.starts("anything") is None  # which whitespace the automaton steps over is not ours


def test_a_head_of_a_slotted_alias_counts_with_one_of_its_tails_after_it() -> None:
    nlp = spacy.blank("en")
    candidates = Candidates(nlp.tokenizer)
    candidates.add_slotted([nlp.make_doc("mixture of")], [nlp.make_doc("experts")], "experts")
    candidates.add([nlp.make_doc("gaussian")])
    candidates.finish()
    assert candidates.places("a mixture of sparse experts") == ([], [(2, 20)])
    assert candidates.starts("experts: a mixture of gaussian") == [22]  # the tail before the head: no
    assert candidates.places("a mixture of  two") == ([], [])
    # a sentence at a time, the tagger's way: a head counts with a tail in its own sentence only
    text = "A mixture of gaussian. Sparse experts win. A mixture of sparse experts. None."
    bounds = sentence_bounds(text)
    assert candidates.sentences(text, text.lower(), bounds) == [0, 2]
    phrases, slotted = candidates.places(text)
    index = [bisect.bisect_right(bounds, at) - 1 for at in phrases]
    index += [
        bisect.bisect_right(bounds, h) - 1
        for h, t in slotted
        if bisect.bisect_right(bounds, h) == bisect.bisect_right(bounds, t)
    ]
    assert sorted(set(index)) == [0, 2]


_SLOTTED = [
    "mixture of", "Mixture-of", "experts", "Experts", "deep", "Deep", "networks", "network", "graph",
    "neural", "contrastive", "learning", "federated", "few-shot", "in-context", "sparse", "big", "the",
    "of", "GNN", "Transformer", ".", ". ", "? ", " ", " ", " ", "-", "  ",
]  # fmt: skip


@pytest.fixture(scope="module")
def every_sentence(taxonomy: Taxonomy) -> Tagger:
    return Tagger(taxonomy, candidates=False)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    abstracts=st.lists(st.lists(st.sampled_from(_SLOTTED), max_size=24).map("".join), min_size=1, max_size=4)
)
def test_tagging_without_the_sentences_of_heads_alone_changes_nothing(
    tagger: Tagger, every_sentence: Tagger, abstracts: list[str]
) -> None:
    papers = [Paper(id=str(i), title="", abstract=a) for i, a in enumerate(abstracts)]
    assert tagger.tag_batch(papers) == every_sentence.tag_batch(papers)


def test_phrase_trie_and_packed_phrases_match_what_spacys_matchers_match_in_the_same_order(
    taxonomy: Taxonomy, tagger: Tagger, shared: Path
) -> None:
    # The lowercase phrases are matched by a trie of arrays (spaCy's matcher of them holds about
    # 55 MB), the case-sensitive ones by spaCy's matcher, which keeps no Python copy of its phrases
    # (a packed one is pickled): a tagger and one read back give spaCy's matches, in its order.
    original = compile_rules(taxonomy, spacy.blank("en"), None)  # as the tagger compiles them
    assert original.orth.__reduce__()[1][1]  # spaCy's matcher keeps every phrase
    stored = pickle.loads(pickle.dumps(tagger))
    again = pickle.loads(pickle.dumps(stored))
    assert tagger._orth.__reduce__()[1][1] == {} and stored._orth.__reduce__()[1][1] == {}
    texts = [
        text
        for p in itertools.islice(read([shared / "corpus" / "abstracts-ml.jsonl"]), 1500)
        if isinstance(p, Paper)
        for text in (p.title, p.abstract)
    ]
    docs = list(tagger.nlp.tokenizer.pipe(texts))
    found = [original.lower(doc) for doc in docs]
    assert sum(map(len, found)) > 10_000
    assert tagger._lower.match(docs) == found
    assert [stored._lower(doc) for doc in docs] == found  # one Doc at a time
    assert again._lower.match(docs[:700]) + again._lower.match(docs[700:]) == found
    assert [stored._orth(doc) for doc in docs] == [again._orth(doc) for doc in docs]
    assert [stored._orth(doc) for doc in docs] == [original.orth(doc) for doc in docs]
    # Matches of several keys on the same words come in the matcher's own order.
    assert any(len({(s, e) for _, s, e in f}) < len(f) for f in found)
    assert tagger._lower.match([]) == [] and tagger._lower.match(docs[:0]) == []


@given(st.lists(st.integers(min_value=2, max_value=2**64 - 1), min_size=1, max_size=40, unique=True))
@settings(max_examples=60, deadline=None)
def test_phrase_trie_gives_the_keys_of_the_same_words_in_spacys_order(keys: list[int]) -> None:
    nlp = spacy.blank("en")
    strings = [f"key{key}" for key in keys]
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    for key in strings:
        matcher.add(key, [nlp.make_doc("state space model"), nlp.make_doc("model")])
    trie = PhraseTrie(pack_phrases(matcher), nlp.vocab.strings)
    docs = [nlp.make_doc(text) for text in ("a State space model, a model", "", "model model", "space")]
    spacys = PhraseMatcher(nlp.vocab, attr="LOWER")
    for key in strings:
        spacys.add(key, [nlp.make_doc("state space model"), nlp.make_doc("model")])
    assert trie.match(docs) == [spacys(doc) for doc in docs]


def test_the_candidate_automaton_holds_one_object_for_equal_values(tagger: Tagger) -> None:
    # ~58,000 keys have ~2,100 different values (about 4 MB as one tuple each); pickling keeps them
    # shared. Most keys share ~300 values; the ~1,800 keys of case-sensitive aliases alone hold their
    # spellings, one value each.
    for candidates in (tagger._candidates, pickle.loads(pickle.dumps(tagger))._candidates):
        assert candidates is not None and candidates._automaton is not None
        values = [value for _, value in candidates._automaton.items()]
        assert len(values) > 50_000
        assert len({id(value) for value in values}) == len(set(values)) < 3_000
