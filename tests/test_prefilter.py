"""The prefilter: texts it skips are exactly texts the matchers find nothing in."""

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
from taxonomy.tag.prefilter import Prefilter


@pytest.fixture(scope="module")
def unfiltered(taxonomy: Taxonomy) -> Tagger:
    return Tagger(taxonomy, prefilter=False)


def _prefilter(*phrases: str) -> Prefilter:
    nlp = spacy.blank("en")
    prefilter = Prefilter(nlp.tokenizer)
    prefilter.add(nlp.make_doc(p) for p in phrases)
    prefilter.finish()
    return prefilter


def test_a_text_without_any_name_is_skipped_and_one_with_a_name_is_not(tagger: Tagger) -> None:
    assert tagger._prefilter is not None
    assert not tagger._prefilter.may_match("We bound the error of the estimator under convex losses.")
    assert not tagger._prefilter.may_match("")
    assert tagger._prefilter.may_match("A Mamba layer for speech.")
    assert tagger._prefilter.may_match("Better than state-space models.")  # every word of a phrase
    assert tagger._prefilter.may_match("VisionMamba beats ViTs")  # a token pattern's trigger


def test_every_word_of_a_phrase_must_occur() -> None:
    prefilter = _prefilter("state space model")
    assert not prefilter.may_match("the state of the model")
    assert prefilter.may_match("a state-space model")
    assert prefilter.may_match("the Model of a STATE SPACE")  # order is the matchers' business


def test_words_the_tokenizer_cuts_out_of_longer_runs_count() -> None:
    # spaCy splits a unit off a number ("10km" -> "10", "km") and applies special cases
    # ("cannot" -> "can", "not"); those pieces are tokens the matchers see.
    assert _prefilter("km").may_match("a 10km run")
    assert _prefilter("not").may_match("we cannot")
    assert _prefilter("b").may_match("a 7b model")
    assert not _prefilter("km").may_match("a kmeans run")


def test_phrases_with_punctuation_inside_a_token_need_that_token() -> None:
    prefilter = _prefilter("GPT-3.5")
    assert prefilter.may_match("We prompt GPT-3.5 twice.")
    assert not prefilter.may_match("We prompt GPT 3 and 5 twice.")


def test_lowercasing_that_depends_on_context_is_never_skipped() -> None:
    prefilter = _prefilter("zzz")
    assert prefilter.may_match("ΟΔΟΣ")  # final sigma
    assert prefilter.may_match("İstanbul")
    assert not prefilter.may_match("Istanbul")


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
]  # fmt: skip
_GLUE = ["", " ", " ", " ", "-", "/", ". ", ", "]

_text = st.lists(
    st.tuples(st.sampled_from(_NAMES + _OTHERS + _OTHERS), st.sampled_from(_GLUE)), max_size=14
).map(lambda parts: "".join(p + g for p, g in parts))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(titles=st.lists(_text, min_size=1, max_size=6), abstracts=st.lists(_text, min_size=1, max_size=6))
def test_tagging_with_the_prefilter_equals_tagging_without(
    tagger: Tagger, unfiltered: Tagger, titles: list[str], abstracts: list[str]
) -> None:
    papers = [
        Paper(id=str(i), title=t, abstract=a)
        for i, (t, a) in enumerate(itertools.zip_longest(titles, abstracts, fillvalue=""))
    ]
    assert tagger.tag_batch(papers) == unfiltered.tag_batch(papers)


def test_on_real_abstracts_the_prefilter_changes_nothing_and_skips_many_silent_texts(
    tagger: Tagger, unfiltered: Tagger, shared: Path
) -> None:
    listing = [p for p in read([shared / "corpus" / "hf-papers-listing.txt"]) if isinstance(p, Paper)]
    abstracts = itertools.islice(read([shared / "corpus" / "abstracts-ml.jsonl"]), 4000)
    papers = listing + [p for p in abstracts if isinstance(p, Paper)]
    tagged = tagger.tag_batch(papers)
    # Without the prefilter every text is tokenized and every token pattern run: the costly half, so it
    # runs on the listing and the first 1,000 abstracts (the property test and the test above add more).
    compared = len(listing) + 1000
    assert unfiltered.tag_batch(papers[:compared]) == tagged[:compared]
    assert tagger._prefilter is not None
    skipped = sum(not tagger._prefilter.may_match(p.abstract) for p in papers)
    # The share of abstracts that name no concept falls as the rules cover more of the field, so the
    # bound is on those: the prefilter must skip a good part of the abstracts with nothing to find.
    # (Broad families such as optimisation, transfer or clustering name common words, so more silent
    # texts hold every word of some alias without matching it: about a quarter are skipped.)
    silent = sum(not any(m.field == "abstract" for m in t.mentions) for t in tagged)
    assert skipped > silent / 5
