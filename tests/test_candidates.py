"""The candidate finder: sentences it leaves out are exactly sentences the matchers find nothing in."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taxonomy.ingest import read
from taxonomy.models import Paper
from taxonomy.rules import Taxonomy
from taxonomy.tag import Tagger
from taxonomy.tag.candidates import Candidates


@pytest.fixture(scope="module")
def every_sentence(taxonomy: Taxonomy) -> Tagger:
    return Tagger(taxonomy, candidates=False)


def _candidates(*phrases: str) -> Candidates:
    nlp = spacy.blank("en")
    candidates = Candidates(nlp.tokenizer)
    candidates.add(nlp.make_doc(p) for p in phrases)
    candidates.finish()
    return candidates


def test_a_text_without_any_name_has_no_candidate_and_one_with_a_name_has(tagger: Tagger) -> None:
    assert tagger._candidates is not None
    assert tagger._candidates.starts("We bound the error of the estimator under convex losses.") == []
    assert tagger._candidates.starts("") == []
    assert 2 in (tagger._candidates.starts("A Mamba layer for speech.") or [])


def test_a_phrase_is_found_with_or_without_a_space_between_its_tokens() -> None:
    candidates = _candidates("state-space model", "graph neural network")
    assert candidates.starts("a state-space model") == [2]
    assert candidates.starts("a state - space model") == [2]  # the same tokens
    assert candidates.starts("the GRAPH NEURAL NETWORK") == [4]
    assert candidates.starts("the state of the model") == []
    # whitespace other than plain spaces is a token of its own: the phrase cannot match across it
    assert candidates.starts("graph\u00a0neural network") == []


def test_a_name_inside_a_longer_word_is_no_candidate_but_one_cut_off_a_number_is() -> None:
    candidates = _candidates("gan", "km", "gpt-3.5")
    assert candidates.starts("we began") == []
    assert candidates.starts("a GAN, and GANs") == [2]
    assert candidates.starts("a 10km run") == [4]  # spaCy cuts a unit off a number
    assert candidates.starts("a kmeans run") == []
    assert candidates.starts("We prompt GPT-3.5 twice.") == [10]
    assert candidates.starts("We prompt GPT 3 and 5 twice.") == []


def test_words_a_special_case_cuts_out_count_anywhere() -> None:
    # spaCy's special cases cut "cannot" into "can" and "not": "not" is a token there
    assert _candidates("not").starts("we cannot") == [6]


def test_a_case_sensitive_alias_counts_only_where_it_is_written_as_it_is() -> None:
    nlp = spacy.blank("en")
    candidates = Candidates(nlp.tokenizer)
    candidates.add([nlp.make_doc("ICA"), nlp.make_doc("MoE")], cased=True)
    candidates.add([nlp.make_doc("gan")])
    candidates.finish()
    assert candidates.starts("we run ICA here") == [7]
    assert candidates.starts("an ica run, Ica too, a moe") == []
    assert candidates.starts("a GAN and ICA") == [2, 10]
    assert candidates.starts("a MoE-based model") == [2]


def test_lowercasing_that_depends_on_context_makes_every_place_a_candidate() -> None:
    candidates = _candidates("zzz")
    assert candidates.starts("ΟΔΟΣ") is None  # final sigma
    assert candidates.starts("İstanbul") is None
    assert candidates.starts("Istanbul") == []


def test_only_sentences_that_may_hold_a_name_are_tokenized(tagger: Tagger) -> None:
    text = "We bound the error. A Mamba layer reads speech. Convex losses are smooth. VisionMamba wins."
    plan = tagger._plan(text)
    assert [text[s:e] for s, e, _ in plan.spans] == ["A Mamba layer reads speech.", "VisionMamba wins."]
    patterns = dict((text[s:e], p) for s, e, p in plan.spans)
    assert not patterns["A Mamba layer reads speech."]  # no token pattern's trigger there
    assert patterns["VisionMamba wins."]


# Pieces that stress the tokenizer: names and parts of names, units, special cases, punctuation,
# characters whose lowercase is unusual, glued together or apart.
_NAMES = [
    "Mamba", "S4", "state space", "State-Space", "Transformer", "transformers", "ViT", "ViTs", "U-Net",
    "GPT-3.5", "GPT-4", "LLaMA-2", "7B", "LoRA", "RLHF", "GAN", "StyleGAN2", "ResNet-50", "ResNet50",
    "BERT", "RoBERTa", "LSTM", "Bi-LSTM", "GCN", "GraphSAGE", "PPO", "MoE", "VAE", "diffusion", "DDPM",
    "attention", "self-attention", "knowledge graph", "experts", "convolution", "CNN", "RNNs", "RL",
    "policy", "gradient", "Q-learning", "auto-encoder", "encoder", "decoder", "LLM", "LLMs",
]  # fmt: skip
_OTHERS = [
    "can", "not", "cannot", "gonna", "don't", "10km", "3D", "2x", "km", "x", "\u2019s", "'s", "—", "-", "/",
    "(", ")", ".", ",", ";", ":", "\u2019", "\u201c", "\u201d", "é", "²", "K", "Σ", "ς", "İ", "_", "+", "++", "%",
    "e.g.", "i.e.", "vs.", "a.m.", "model", "based", "we", "propose", "unlike", "than", "our", "0", "9",
    "moe", "vit", "Rl", "lora", "gcn", "Bert",  # case-sensitive names written in another case
]  # fmt: skip
_GLUE = ["", " ", " ", " ", "-", "/", ". ", ", ", "? ", "  ", "\u00a0"]

_text = st.lists(
    st.tuples(st.sampled_from(_NAMES + _OTHERS + _OTHERS), st.sampled_from(_GLUE)), max_size=14
).map(lambda parts: "".join(p + g for p, g in parts))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(titles=st.lists(_text, min_size=1, max_size=6), abstracts=st.lists(_text, min_size=1, max_size=6))
def test_tagging_the_candidate_sentences_equals_tagging_every_sentence(
    tagger: Tagger, every_sentence: Tagger, titles: list[str], abstracts: list[str]
) -> None:
    papers = [
        Paper(id=str(i), title=t, abstract=a)
        for i, (t, a) in enumerate(itertools.zip_longest(titles, abstracts, fillvalue=""))
    ]
    assert tagger.tag_batch(papers) == every_sentence.tag_batch(papers)


def test_on_real_abstracts_the_candidates_change_nothing_and_leave_most_sentences_out(
    tagger: Tagger, every_sentence: Tagger, shared: Path
) -> None:
    listing = [p for p in read([shared / "corpus" / "hf-papers-listing.txt"]) if isinstance(p, Paper)]
    abstracts = itertools.islice(read([shared / "corpus" / "abstracts-ml.jsonl"]), 3000)
    papers = listing + [p for p in abstracts if isinstance(p, Paper)]
    assert every_sentence.tag_batch(papers) == tagger.tag_batch(papers)
    texts = [p.abstract for p in papers]
    planned = sum(e - s for text in texts for s, e, _ in tagger._plan(text).spans)
    # 52% of the characters of these abstracts are in sentences that may hold a name (37% of the
    # titles and abstracts of the whole file): the rest is never tokenized.
    assert planned < 0.6 * sum(len(text) for text in texts)
