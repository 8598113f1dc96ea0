"""The tagger: mentions with evidence, false friends, roles from cues, and the primary decision."""

from __future__ import annotations

import itertools
import pickle
from pathlib import Path

import pytest
import spacy

from taxonomy.ingest import read
from taxonomy.models import Paper
from taxonomy.rules import Taxonomy, load_rules
from taxonomy.tag import Tagger

from .conftest import FIXTURES


@pytest.fixture(scope="module")
def rules() -> Taxonomy:
    return load_rules(FIXTURES / "tagging")


@pytest.fixture(scope="module")
def small(rules: Taxonomy) -> Tagger:
    return Tagger(rules)


def test_mention_carries_its_evidence(small: Tagger) -> None:
    (m,) = small.find("Results are strong. We train a Vision Transformer on patches. It works.")
    assert m.concept == "vision-transformer"
    assert (m.field, m.text, m.rule) == (
        "abstract",
        "Vision Transformer",
        "vision-transformer:alias:vision transformer",
    )
    assert m.sentence == "We train a Vision Transformer on patches."
    assert m.sentence[m.start - m.sentence_start : m.end - m.sentence_start] == "Vision Transformer"


def test_longest_match_wins_and_plural_and_hyphen_variants_match(small: Tagger) -> None:
    found = [(m.concept, m.text) for m in small.find("Vision Transformers and state-space models beat S4.")]
    assert found == [
        ("vision-transformer", "Vision Transformers"),
        ("ssm", "state-space models"),
        ("s4", "S4"),
    ]


def test_unicode_hyphens_and_en_dashes_join_names_as_hyphens(small: Tagger) -> None:
    found = [(m.concept, m.text) for m in small.find("State\u2013space models and vision\u2010transformers.")]
    assert found == [("ssm", "State-space models"), ("vision-transformer", "vision-transformers")]


def test_cased_alias_needs_exact_case(small: Tagger) -> None:
    assert [m.text for m in small.find("An SSM layer.")] == ["SSM"]
    assert small.find("The ssm team.") == []


def test_compound_name_pattern_runs_behind_its_trigger(small: Tagger) -> None:
    found = [(m.concept, m.text, m.rule) for m in small.find("We propose GraphMamba and LaMamba-Diff.")]
    assert found == [
        ("mamba", "GraphMamba", "mamba:pattern:compound"),
        ("mamba", "LaMamba", "mamba:pattern:compound"),
    ]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "Graph recurrent networks.",
            [("graph-network", "Graph recurrent networks"), ("recurrent-network", "recurrent networks")],
        ),
        ("Graph Low-Rank Adaptation networks.", [("graph-network", "Graph Low-Rank Adaptation networks")]),
        ("graph-long-range-networks", [("graph-network", "graph-long-range-networks")]),
        (
            "Graph attention networks.",
            [("graph-attention-network", "Graph attention networks")],
        ),  # the plain alias wins
        ("A graph and a network.", []),  # the slot holds plain words, not "and a"
        ("A graph of network traffic.", []),
        ("A graph with four long hidden networks.", []),  # at most three words
    ],
)
def test_a_star_in_an_alias_stands_for_one_to_three_words(
    small: Tagger, text: str, found: list[tuple[str, str]]
) -> None:
    assert [(m.concept, m.text) for m in small.find(text)] == found


def test_slotted_aliases_that_share_their_words_after_the_star_each_pair_with_their_own_head(
    tagger: Tagger,
) -> None:
    # "federated * learning", "lifelong * learning" and other aliases of the bundled rules end in
    # "learning": one word of the text is the tail of each of them
    text = "Federated multi-task learning meets lifelong robot learning."
    assert [(m.concept, m.text, m.rule) for m in tagger.find(text)] == [
        ("federated", "Federated multi-task learning", "federated:alias:federated * learning"),
        ("continual", "lifelong robot learning", "continual:alias:lifelong * learning"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "This question has attracted attention in robotics.",
        "We pay attention to rare classes.",
        "The power transformer failed.",
    ],
)
def test_false_friends_are_not_mentions(small: Tagger, text: str) -> None:
    assert small.find(text) == []


@pytest.mark.parametrize(
    ("text", "concept", "role", "cue"),
    [
        ("Unlike Transformers, our model scales linearly.", "transformer", "compares", "unlike"),
        ("We propose a state space model for audio.", "ssm", "proposes", "we propose"),
        ("Our S4 layer is fast.", "s4", "proposes", "our"),
        ("We build a Transformer-based detector.", "transformer", "uses", "-based"),
        ("We build on self-attention for speed.", "transformer", "uses", "build on"),
        ("It outperforms Transformers on long inputs.", "transformer", "compares", "outperforms"),
        ("Transformers are popular.", "transformer", "mentions", ""),
        # "Compare A to B": B is what A is compared with, also past a nearer cue inside A ...
        ("We compare our model to Transformers.", "transformer", "compares", "compare our model to"),
        ("We compared the algorithm with S4.", "s4", "compares", "compared the algorithm with"),
        ("Finally, we compare it against a state space model.", "ssm", "compares", "compare it against"),
        # ... but not past a cue after the "to", nor without one: "compare A and B" studies both;
        # a "with" of A's own participle does not join the two.
        ("We compare the baseline with our S4 layer.", "s4", "proposes", "our"),
        ("We compare Transformers and state space models.", "ssm", "uses", "we"),
        ("We compare models trained with S4 to our Transformers.", "s4", "uses", "with"),
        # What "compare" has for its object is A, not what A is compared with.
        ("We study Transformers by comparing our results to prior work.", "transformer", "uses", "we"),
    ],
)
def test_roles_come_from_the_nearest_cue(small: Tagger, text: str, concept: str, role: str, cue: str) -> None:
    mention = next(m for m in small.find(text) if m.concept == concept)
    assert (mention.role, mention.cue) == (role, cue)


@pytest.mark.parametrize(
    ("text", "roles"),
    [
        ("Our model is faster than S4 and Transformers.", {"s4": "compares", "transformer": "compares"}),
        (
            "Unlike S4 and ViT, our Mamba model is fast.",
            {"s4": "compares", "vision-transformer": "compares", "mamba": "proposes"},
        ),
        # "Compare A against B": B is compared with, A keeps its own cue (none in other work).
        ("Prior work compares Transformers against S4.", {"transformer": "mentions", "s4": "compares"}),
        ("We compare Transformers against S4.", {"transformer": "uses", "s4": "compares"}),
        # An item's own head noun, and a join of several words, carry the list on ...
        (
            "Our model outperforms S4 models and Transformer models.",
            {"s4": "compares", "transformer": "compares"},
        ),
        (
            "Our model is faster than S4 as well as Transformers.",
            {"s4": "compares", "transformer": "compares"},
        ),
        # ... and so does a word written onto the next name ("Liquid-S4"), not one apart from it.
        ("Our model outperforms Mamba and Liquid-S4.", {"mamba": "compares", "s4": "compares"}),
        ("Our model outperforms Mamba and Liquid - S4.", {"mamba": "compares", "s4": "uses"}),
        # ... but a head noun with no join after it ends the list: this Mamba is the S4 network named.
        ("Our method boosts the S4 network Mamba.", {"s4": "proposes", "mamba": "uses"}),
        # An item's own "-based" joins the list too.
        (
            "Our model outperforms S4-based and Transformer-based systems.",
            {"s4": "compares", "transformer": "compares"},
        ),
        # So do the words that call the next item other work ("state-of-the-art", "recent") ...
        (
            "Our model outperforms previous S4 and state-of-the-art Transformers.",
            {"s4": "compares", "transformer": "compares"},
        ),
        (
            "Our model is faster than S4 and recent Transformers.",
            {"s4": "compares", "transformer": "compares"},
        ),
        # ... but not other words: here the Transformer is the authors' own.
        (
            "Our model is faster than S4 and our Transformers.",
            {"s4": "compares", "transformer": "proposes"},
        ),
    ],
)
def test_a_cue_reaches_along_a_list_only(small: Tagger, text: str, roles: dict[str, str]) -> None:
    assert {m.concept: m.role for m in small.find(text)} == roles


@pytest.mark.parametrize(
    ("text", "concept", "cue"),
    [
        # A comparison governs the "uses" cue that makes the compared name a modifier ...
        ("Our model is competitive with Transformer-based models.", "transformer", "competitive with"),
        (
            "It is competitive with state-of-the-art Transformer-based models.",
            "transformer",
            "competitive with",
        ),
        # ... or the verb right after it.
        ("We get there without the need to train a Transformer.", "transformer", "without"),
        # Along a list, a comparison reaches past its window to the last item.
        (
            "Ours is faster than S4, Mamba, Vision Transformers, graph attention networks and Transformers.",
            "transformer",
            "than",
        ),
    ],
)
def test_a_comparison_reaches_what_it_compares_with(small: Tagger, text: str, concept: str, cue: str) -> None:
    mention = next(m for m in small.find(text) if m.concept == concept)
    assert (mention.role, mention.cue) == ("compares", cue)


def test_a_name_far_past_the_join_of_compare_is_not_reached_along_the_names_before_it(small: Tagger) -> None:
    text = "By comparing S4 agents with different sizes on two games, we show that S4 improves."
    assert [(m.role, m.cue) for m in small.find(text)] == [("uses", "we"), ("uses", "we")]


def test_a_title_comparing_two_models_is_about_both(small: Tagger) -> None:
    tagged = small.tag(Paper(id="t", title="Comparing Transformers with state space models for speech"))
    assert "compares" not in {m.role for m in tagged.mentions}
    assert tagged.families_primary == ("ssm", "transformer")


@pytest.mark.parametrize(
    ("text", "roles"),
    [
        # A comparison that opens its sentence governs its whole phrase, however long ...
        (
            "Unlike previous methods that rely on hand-crafted features or on a stack of Transformers, "
            "our S4 model is fast.",
            {"transformer": "compares", "s4": "proposes"},
        ),
        (
            "However, unlike methods that train many deep Transformers, we use S4.",
            {"transformer": "compares", "s4": "uses"},
        ),
        # ... a list inside it included, and nothing after the comma that closes it.
        (
            "Unlike S4, Mamba and Transformers, our model is fast.",
            {"s4": "compares", "mamba": "compares", "transformer": "compares"},
        ),
        ("Over the past years, Transformers have been popular.", {"transformer": "mentions"}),
        ("Compared to the slow simulations, Mamba reduces the time.", {"mamba": "mentions"}),
        (
            "Unlike Transformers (S4, Mamba), our model is fast.",
            {"transformer": "compares", "s4": "compares", "mamba": "compares"},
        ),
    ],
)
def test_a_comparison_opening_a_sentence_governs_its_phrase(
    small: Tagger, text: str, roles: dict[str, str]
) -> None:
    assert {m.concept: m.role for m in small.find(text)} == roles


def test_a_comparison_far_from_the_name_leaves_its_uses_cue_alone(small: Tagger) -> None:
    (m,) = small.find("Unlike prior systems, we use Transformer-based encoders.")
    assert m.role == "uses"


def test_a_family_named_only_in_passing_needs_the_fallback(small: Tagger) -> None:
    background = "Transformers are popular. Transformers are large. Transformers are slow. Transformers win."
    # Named four times, never in a sentence about the authors' work: background, not the subject ...
    tp = small.tag(Paper(id="p", title="Speech at scale", abstract=background + " We use S4 layers."))
    assert tp.families_primary == ("ssm",)
    assert tp.families_mentioned == ("ssm", "transformer")
    # ... unless nothing else is named: then the fallback takes it.
    tp = small.tag(Paper(id="p", title="Speech at scale", abstract=background))
    assert tp.families_primary == ("transformer",)


def test_uses_and_proposes_need_a_sentence_about_the_authors_work(small: Tagger) -> None:
    tp = small.tag(
        Paper(
            id="p",
            title="SpeechX: unified speech models",
            abstract="Large models leverage self-attention. SpeechX builds on S4. We build on Mamba.",
        )
    )
    roles = {m.concept: (m.role, m.cue) for m in tp.mentions}
    assert roles["transformer"] == ("mentions", "leverage")  # other work: the cue does not count
    assert roles["s4"] == ("uses", "builds on")  # the paper's own method, named in its title
    assert roles["mamba"] == ("uses", "build on")


def test_cue_does_not_cross_a_sentence(small: Tagger) -> None:
    mentions = small.find("We propose a new loss. Transformers are common.")
    assert [(m.concept, m.role) for m in mentions] == [("transformer", "mentions")]


def test_concept_in_two_families_rolls_up_to_both(small: Tagger) -> None:
    tp = small.tag(Paper(id="p", title="Jamba for long context"))
    assert tp.families_mentioned == ("ssm", "transformer")
    assert tp.families_primary == ("ssm", "transformer")


def test_title_and_proposal_outweigh_a_comparison(small: Tagger) -> None:
    paper = Paper(
        id="p1",
        title="Mamba for speech",
        abstract="Unlike Transformers, our Mamba model runs in linear time. Transformers are slower.",
    )
    tp = small.tag(paper)
    assert tp.families_primary == ("ssm",)
    assert tp.families_mentioned == ("ssm", "transformer")
    hits = {h.concept: h for h in tp.concepts}
    assert hits["mamba"].role == "proposes" and hits["mamba"].count == 2
    assert hits["transformer"].role == "compares"


@pytest.mark.parametrize(
    ("abstract", "primary"),
    [
        ("Speech is hard. Transformers are popular.", ("transformer",)),  # one passing mention is enough
        ("Speech is hard. Transformer-based state space models are popular.", ("ssm",)),  # what is described
        ("Speech is hard. Unlike Transformers, nothing else is popular.", ()),  # a comparison alone is not
        ("Speech is hard. Models like Transformers and S4 are popular.", ()),  # examples in passing
        ("Speech is hard. It matters for tasks such as search, Transformers and speech.", ()),  # a list item
        ("Speech is hard. Our method is evaluated on Transformers.", ()),  # a workload
        ("Speech is hard. It is trained in a similar fashion as Transformers.", ()),  # a comparison
        # An example named only as one of a method's applications is not the subject either.
        ("Speech is hard. We show it in two applications: speech and Transformers.", ()),
        ("Speech is hard. It extends to other settings such as Transformers.", ()),
        ("Speech is hard. We discuss the implications for Transformers.", ()),  # a field it bears on
        # A list item may open with its own verb, and a list may end with "etc."
        ("Speech is hard. It offers much, including speed, robustness, preventing Transformers, etc.", ()),
        ("Speech is hard. In speech, existing Transformers are large and slow.", ("transformer",)),
    ],
)
def test_without_a_strong_family_the_strongest_is_primary(
    small: Tagger, abstract: str, primary: tuple[str, ...]
) -> None:
    tp = small.tag(Paper(id="p", title="Speech recognition at scale", abstract=abstract))
    assert tp.families_primary == primary


@pytest.mark.parametrize(
    ("title", "primary"),
    [
        (
            "Mamba versus Transformers for speech",
            ("ssm", "transformer"),
        ),  # a title pairing both is about both
        ("Mamba vs. Transformers", ("ssm", "transformer")),
        ("Why Transformers struggle with long speech", ("transformer",)),  # what struggles is studied
        (
            "Vision Transformer: an alternative to state space models",
            ("transformer",),
        ),  # not across the colon
        ("Mamba as an alternative to Transformers", ("ssm",)),
        ("Matching Transformers with speech units", ("transformer",)),  # "matching" does not compare
        ("Mamba over Transformers for speech", ("ssm",)),
        ("A prior over speech via Mamba", ("ssm",)),  # no comparison across "via": the title's means
        ("Mamba rivals convolution for Transformers", ("ssm", "transformer")),  # nor across "for"
    ],
)
def test_title_cues_that_do_not_compare(small: Tagger, title: str, primary: tuple[str, ...]) -> None:
    assert small.tag(Paper(id="p", title=title)).families_primary == primary


def test_a_name_cut_out_of_a_longer_word_is_not_a_mention(small: Tagger) -> None:
    # spaCy splits a unit-like suffix off a digit ("S4T" -> "S4", "T"): S4T is not S4.
    assert [m.text for m in small.find("We run S4T and S4.")] == ["S4"]


def test_not_with_phrases_show_another_sense_in_the_whole_paper(small: Tagger) -> None:
    paper = Paper(
        id="p", title="Kalman filters at scale", abstract="We fit a state space model. S4 is faster."
    )
    assert [m.concept for m in small.tag(paper).mentions] == ["s4"]  # the sub-concept stays
    assert [m.concept for m in small.find("We fit a state-space model with Kalman filtering.")] == []
    assert [m.concept for m in small.find("We fit a state-space model.")] == ["ssm"]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("We propose Partial Label Masking (PLM). PLM helps.", []),  # the paper's PLM is something else
        ("We use PLM (Partial Label Masking) here. A PLM helps.", []),
        ("A pretrained language model (PLM) reads it. The PLM helps.", ["pretrained-lm", "pretrained-lm"]),
        ("A Vision Transformer (PLM) reads it.", ["vision-transformer"]),  # abbreviates the name before it
        ("We use a PLM (a large one) here.", ["pretrained-lm"]),  # not a long form of the letters
        # The same head word is not enough: the long form must share another word with a name.
        ("We propose Partial Label Model (PLM). PLM helps.", []),
        # After another concept's name, a long form that is not the acronym's concept holds for the
        # whole paper.
        ("We add pixel-level multi-head attention (PLM). Later the PLM helps.", ["transformer"]),
        # An apposition whose capitals spell the acronym defines it too ...
        ("We propose PLM, a Partial Label Masking scheme. PLM helps.", []),
        # ... not one without them, or one that names the concept.
        ("We use PLM, a popular language model. The PLM helps.", ["pretrained-lm", "pretrained-lm"]),
        ("We use PLM, a Pretrained Language Model. It helps.", ["pretrained-lm", "pretrained-lm"]),
    ],
)
def test_an_acronym_defined_as_something_else_is_not_the_concept(
    small: Tagger, text: str, found: list[str]
) -> None:
    assert [m.concept for m in small.find(text)] == found


@pytest.mark.parametrize(
    ("abstract", "concept", "role"),
    [
        # A name the abstract gives its own method marks later sentences as about the authors' work.
        ("We propose Speech Hyper Kernels (SHK). SHK is built on Transformers.", "transformer", "uses"),
        ("We present GSM++, a fast model. GSM++ is built on Transformers.", "transformer", "uses"),
        ("Prior work exists (see SHK). SHK is built on Transformers.", "transformer", "mentions"),
        # So do present-tense passives of method verbs.
        ("Speech is hard. A Transformer is trained on the corpus.", "transformer", "uses"),
        # A task or an evaluation workload is not the method, even in such a sentence.
        ("We report results on Transformer benchmarks.", "transformer", "mentions"),
        ("We train a ViT to evaluate our optimizer.", "vision-transformer", "mentions"),
        ("Our model closes the gap to Transformers.", "transformer", "compares"),
        ("Moving away from Transformers, we propose a kernel model.", "transformer", "compares"),
        # A report of results naming a model next to the paper's own method does not say it is used.
        (
            "We propose Speech Hyper Kernels (SHK). On speech benchmarks, SHK and a Transformer reach 90%.",
            "transformer",
            "mentions",
        ),
    ],
)
def test_own_work_sentences_and_what_is_not_the_method(
    small: Tagger, abstract: str, concept: str, role: str
) -> None:
    tp = small.tag(Paper(id="p", title="Speech recognition at scale", abstract=abstract))
    assert [(m.concept, m.role) for m in tp.mentions] == [(concept, role)]


def test_paper_without_mentions_is_untagged(small: Tagger) -> None:
    tp = small.tag(Paper(id="p", title="Sample size planning", abstract="We review power calculations."))
    assert not tp.tagged and tp.families_primary == () and tp.mentions == ()


def test_offsets_point_into_the_paper_fields_even_with_line_breaks(small: Tagger) -> None:
    paper = Paper(id="p", title="A ViT", abstract="First line.\nWe use a\tTransformer here.")
    tp = small.tag(paper)
    for m in tp.mentions:
        text = paper.title if m.field == "title" else paper.abstract
        assert text[m.start : m.end] == m.text


def test_batch_and_single_tagging_agree(small: Tagger) -> None:
    papers = [
        Paper(id=str(i), title=t, abstract=a)
        for i, (t, a) in enumerate(
            [
                ("Mamba", "Unlike Transformers, it is fast."),
                ("", ""),
                ("ViT", "We propose a ViT."),
            ]
        )
    ]
    assert small.tag_batch(papers) == [small.tag(p) for p in papers]
    assert list(small.tag_stream(iter(papers), batch_size=2)) == small.tag_batch(papers)


@pytest.mark.parametrize(
    ("text", "heads"),
    [
        ("We train a Transformer-based state space model.", {"transformer": "ssm"}),
        ("We train a state space model built on self-attention.", {"transformer": "ssm"}),
        ("We use Transformer-based encoders and S4.", {}),
    ],
)
def test_builds_on_names_what_is_built(small: Tagger, text: str, heads: dict[str, str]) -> None:
    assert {m.concept: m.head for m in small.find(text) if m.head} == heads


def test_overlapping_names_of_one_concept_are_one_mention(small: Tagger) -> None:
    assert [m.text for m in small.find("We use Vision Transformer Transformers.")] == [
        "Vision Transformer",
        "Transformers",
    ]


def test_rebuilding_the_pipeline_to_free_memory_changes_nothing(rules: Taxonomy) -> None:
    papers = [
        Paper(
            id=str(i),
            title=f"Mamba {i} for speech",
            abstract=f"Unlike Transformers, our S4 layer {i} is fast.",
        )
        for i in range(40)
    ]
    steady = Tagger(rules).tag_batch(papers, 8)
    rebuilding = Tagger(rules, vocab_limit=10)
    first_nlp, matchers = rebuilding.nlp, (rebuilding._lower, rebuilding._orth, rebuilding._patterns)
    assert [tp for i in range(0, 40, 8) for tp in rebuilding.tag_batch(papers[i : i + 8], 8)] == steady
    assert rebuilding.nlp is not first_nlp
    # Only the pipeline that tokenizes is new: the matchers' vocabulary holds no word of the texts.
    assert (rebuilding._lower, rebuilding._orth, rebuilding._patterns) == matchers
    assert rebuilding._rules_vocab is not first_nlp.vocab and "speech" not in rebuilding._rules_vocab
    stored = pickle.loads(pickle.dumps(rebuilding))
    assert [tp for i in range(0, 40, 8) for tp in stored.tag_batch(papers[i : i + 8], 8)] == steady


def test_a_sentence_ends_at_a_full_stop_that_lost_its_space(small: Tagger) -> None:
    from taxonomy.tag.sentences import sentence_bounds

    assert sentence_bounds("Methods model time series.We propose Mamba.") == [0, 26]
    assert sentence_bounds("We use the U.S.Army data, e.g.Mamba.") == [0]  # abbreviations stay whole
    (mention,) = [
        m for m in small.find("Methods model time series.We propose Mamba.") if m.concept == "mamba"
    ]
    assert mention.sentence == "We propose Mamba." and mention.role == "proposes"


def test_an_acronym_shown_to_mean_something_else_does_so_in_the_singular_too() -> None:
    from taxonomy.models import Mention
    from taxonomy.tag.matches import one_sense

    def mention(text: str) -> Mention:
        return Mention(
            concept="fcn",
            field="abstract",
            start=0,
            end=len(text),
            text=text,
            sentence=text,
            sentence_start=0,
            role="mentions",
            rule="fcn:alias:FCN",
            cue="",
            head="",
        )

    kept = one_sense([mention("FCN"), mention("FCNs"), mention("fully convolutional")], {("fcn", "FCNs")})
    assert [m.text for m in kept] == ["fully convolutional"]


@pytest.mark.parametrize(
    ("abstract", "roles"),
    [
        # A name after "such as" or "e.g." following a word for settings is an example of them.
        ("We extend it to other settings such as S4.", {"s4": "mentions"}),
        (
            "We show its use in application scenarios such as Transformers and S4.",
            {"transformer": "mentions", "s4": "mentions"},
        ),
        # So is every item of a list of three, with or without "and".
        (
            "We show that alternatives (e.g. S4, Mamba, ViT) fail.",
            {"s4": "mentions", "mamba": "mentions", "vision-transformer": "mentions"},
        ),
        # "For instance" and "for example" give examples as "e.g." does.
        ("Our layer helps, for instance in speech, S4 layers and vision.", {"s4": "mentions"}),
        (
            "For example, S4, Mamba and ViT gain from our layer.",
            {"s4": "mentions", "mamba": "mentions", "vision-transformer": "mentions"},
        ),
        # So is a name after "other ... such as": other work.
        (
            "We stack our layer with other popular models such as Transformers and S4.",
            {"transformer": "mentions", "s4": "mentions"},
        ),
        # Models such as two named ones of one family are what the sentence speaks of ...
        ("We study models such as S4 and Mamba.", {"s4": "uses", "mamba": "uses"}),
        # ... but two families' names given side by side as examples say what a finding covers,
        # joined by "and", "or", a comma or a slash, with a few words between, or one word.
        ("We study models such as Transformers and S4.", {"transformer": "mentions", "s4": "mentions"}),
        (
            "We train networks such as a large Transformer or a deep S4.",
            {"transformer": "mentions", "s4": "mentions"},
        ),
        ("We use models (e.g. the S4 model Transformer-XL).", {"s4": "mentions", "transformer": "mentions"}),
        # A plural noun and "like" give examples as "such as" does; a verb and "like", or "-like", do not.
        (
            "We train models like S4, Mamba and ViT with our layer.",
            {"s4": "mentions", "mamba": "mentions", "vision-transformer": "mentions"},
        ),
        ("We study models like Transformers and S4.", {"transformer": "mentions", "s4": "mentions"}),
        ("We study popular models, like Transformers and S4.", {"transformer": "mentions", "s4": "mentions"}),
        ("Our layer works like Transformers and S4.", {"transformer": "proposes", "s4": "proposes"}),
        (
            "We train S4-like layers, Mamba and Transformers.",
            {"s4": "uses", "mamba": "uses", "transformer": "uses"},
        ),
        # The parts a model is made of are not examples.
        (
            "Our layer consists of blocks like Transformers and S4.",
            {"transformer": "proposes", "s4": "proposes"},
        ),
        (
            "We propose a model composed of blocks such as S4, Mamba and Transformers.",
            {"s4": "proposes", "mamba": "uses", "transformer": "uses"},
        ),
        # A bracket closed before a name (an acronym, a citation) does not end the examples.
        (
            "We train models such as Transformers (Vaswani et al., 2017) and S4 (SSM).",
            {"transformer": "mentions", "s4": "mentions"},
        ),
        # A name after a bracket that ends the examples is not one of them.
        ("We train models (such as S4) with a Transformer.", {"s4": "uses", "transformer": "uses"}),
        # Not a name and what describes it, after a preposition or further away, nor names that touch.
        ("We train models such as S4 Transformers.", {"s4": "uses", "transformer": "uses"}),
        (
            "We propose variants of S4 such as Mamba with attention.",
            {"s4": "proposes", "mamba": "uses", "transformer": "uses"},
        ),
        (
            "We train models such as S4, which we then combine with a Transformer.",
            {"s4": "uses", "transformer": "uses"},
        ),
        # Nor a sentence that opens with the marker, or names the authors' own model among them.
        ("Including S4 and Transformers, we train all.", {"s4": "uses", "transformer": "uses"}),
        ("We train models such as S4 and our Transformers.", {"s4": "uses", "transformer": "proposes"}),
        # A name before the examples is still the paper's.
        ("We use S4 for tasks such as speech.", {"s4": "uses"}),
        # What a method is applied to, or has applications in, is not the method.
        ("We show novel applications in Transformers.", {"transformer": "mentions"}),
        ("Our layer is applied to S4 models.", {"s4": "mentions"}),
        ("Our layer is applicable to S4 models.", {"s4": "mentions"}),
        ("We discuss the implications of these findings for S4 models.", {"s4": "mentions"}),
        # The ends of a range of models are two examples of many.
        (
            "Our layer works for a wide range of models, from simple S4 layers to huge Transformers.",
            {"s4": "mentions", "transformer": "mentions"},
        ),
        (
            "Our layer works for models ranging from S4 to Transformers.",
            {"s4": "mentions", "transformer": "mentions"},
        ),
        ("We train models from S4 to Transformers.", {"s4": "uses", "transformer": "uses"}),
        # What follows "two applications:" is what the method is applied to ...
        (
            "We illustrate our layer with two applications: speech with S4 and Transformers.",
            {"s4": "mentions", "transformer": "mentions"},
        ),
        # ... but the pre-training tasks of a method, or a setting it studies, are its own.
        ("We pretrain it with two pre-training tasks: S4 prediction and denoising.", {"s4": "uses"}),
        ("We study an important setting: training S4 layers.", {"s4": "uses"}),
    ],
)
def test_examples_after_such_as_are_not_the_method(
    small: Tagger, abstract: str, roles: dict[str, str]
) -> None:
    tp = small.tag(Paper(id="p", title="Speech recognition at scale", abstract=abstract))
    assert {m.concept: m.role for m in tp.mentions} == roles


def test_a_name_of_no_family_does_not_make_examples_of_two_families(tagger: Tagger) -> None:
    def roles(abstract: str) -> dict[str, str]:
        tp = tagger.tag(Paper(id="p", title="Speech recognition at scale", abstract=abstract))
        return {m.concept: m.role for m in tp.mentions}

    assert roles("We train models such as Mamba or LSTMs.") == {"mamba": "mentions", "lstm": "mentions"}
    # in-context learning implies no family: beside Mamba it names one family, not two
    assert roles("We train models such as Mamba or in-context learners.") == {
        "mamba": "uses",
        "in-context-learning": "uses",
    }


@pytest.mark.parametrize(
    ("abstract", "concept", "role"),
    [
        # A name that outperforms the paper's own work is compared with.
        (
            "We propose Speech Hyper Kernels (SHK). Transformers can outperform SHK on speech.",
            "transformer",
            "compares",
        ),
        ("Speech is hard. In this study, Transformers outperform our model.", "transformer", "compares"),
        ("We propose Speech Hyper Kernels (SHK). Transformers and SHK are fast.", "transformer", "uses"),
        # A comparison governs a builds-on name past a list of other modifiers.
        ("Our model outperforms neural, symbolic, and Transformer-based systems.", "transformer", "compares"),
    ],
)
def test_what_outperforms_the_authors_work_is_compared_with(
    small: Tagger, abstract: str, concept: str, role: str
) -> None:
    tp = small.tag(Paper(id="p", title="Speech recognition at scale", abstract=abstract))
    assert [m.role for m in tp.mentions if m.concept == concept] == [role]


def test_words_get_only_the_lexical_attributes_tagging_reads_and_tag_as_with_all(
    tagger: Tagger, shared: Path
) -> None:
    stored = pickle.loads(pickle.dumps(tagger))  # as a compiled tagger is read back from the cache
    assert stored.nlp.vocab["Transformerish"].shape_ == ""  # a new word: no shape computed
    assert stored.nlp.vocab["Transformerish"].lower_ == "transformerish"
    every = pickle.loads(pickle.dumps(tagger))
    every.nlp.vocab.lex_attr_getters = spacy.blank("en").vocab.lex_attr_getters
    assert every.nlp.vocab["Transformerishly"].shape_ == "Xxxxx"
    listing = [p for p in read([shared / "corpus" / "hf-papers-listing.txt"]) if isinstance(p, Paper)]
    abstracts = itertools.islice(read([shared / "corpus" / "abstracts-ml.jsonl"]), 2000)
    papers = listing + [p for p in abstracts if isinstance(p, Paper)]
    assert stored.tag_batch(papers) == every.tag_batch(papers)


def _tagging_rules_with(tmp_path: Path, concept: str) -> Taxonomy:
    """The tagging fixture's rules with one more ``ssm`` concept (its YAML lines)."""
    for source in (FIXTURES / "tagging").iterdir():
        (tmp_path / source.name).write_text(source.read_text())
    with (tmp_path / "ssm.yaml").open("a") as out:
        out.write(concept)
    return load_rules(tmp_path)


def test_a_task_named_in_an_abstract_counts_for_no_family_but_a_title_about_it_does(tmp_path: Path) -> None:
    # A task (``task: true``) many families are evaluated on says what a method is tried on, not
    # what it is: its family is mentioned, never primary from the abstract, not even as the only
    # family named; a title naming the task is about it.
    rules = _tagging_rules_with(
        tmp_path,
        (
            "  sequence-modeling:\n"
            "    label: Sequence modeling\n"
            "    description: The task of predicting sequences.\n"
            "    parents: [ssm]\n"
            "    task: true\n"
            "    aliases: [sequence modeling]\n"
            "    examples: [We report results on sequence modeling.]\n"
            "    counterexamples: [We model sequences.]\n"
        ),
    )
    assert rules.concepts["sequence-modeling"].task and not rules.concepts["s4"].task
    tagger = Tagger(rules)
    abstract = "Our optimizer trains faster on image classification and sequence modeling."
    tagged = tagger.tag(Paper(id="p", title="A new optimizer", abstract=abstract))
    assert [(m.concept, m.role) for m in tagged.mentions] == [("sequence-modeling", "uses")]
    assert (tagged.families_mentioned, tagged.families_primary, tagged.family_scores) == (
        ("ssm",),
        (),
        (("ssm", 0.0),),
    )
    with_s4 = "We use S4 for sequence modeling."
    scores = [
        tagger.tag(Paper(id="p", title="A new layer", abstract=text)).family_scores
        for text in (with_s4, "We use S4.")
    ]
    assert scores[0] == scores[1] == (("ssm", 2.0),)
    titled = tagger.tag(Paper(id="p", title="Sequence modeling beyond the context window"))
    assert titled.families_primary == ("ssm",)


def test_a_reference_model_named_in_an_abstract_counts_for_no_family_but_a_title_naming_it_does(
    tmp_path: Path,
) -> None:
    # A reference model (``reference_model: true``) that methods of every kind are trained and
    # evaluated on says what a method is shown on: named only in the abstract, even in a sentence
    # about the authors' work, its family is mentioned, never primary; a title naming it is about it.
    rules = _tagging_rules_with(
        tmp_path,
        (
            "  s4-base:\n"
            "    label: S4-Base\n"
            "    description: The standard S4 configuration methods are benchmarked on.\n"
            "    parents: [s4]\n"
            "    reference_model: true\n"
            "    aliases: [S4-Base]\n"
            "    examples: [We train an S4-Base on text.]\n"
            "    counterexamples: [The base of the S4 stack.]\n"
        ),
    )
    assert rules.concepts["s4-base"].reference_model and not rules.concepts["s4"].reference_model
    tagger = Tagger(rules)
    shown_on = "We prune 90% of the weights of an S4-Base with no loss of accuracy."
    tagged = tagger.tag(Paper(id="p", title="A new pruning rule", abstract=shown_on))
    assert [(m.concept, m.role) for m in tagged.mentions] == [("s4-base", "uses")]
    assert (tagged.families_mentioned, tagged.families_primary) == (("ssm",), ())
    built_on = tagger.tag(Paper(id="p", title="A new layer", abstract="We build our layer on S4."))
    assert built_on.families_primary == ("ssm",)
    titled = tagger.tag(Paper(id="p", title="Pruning an S4-Base", abstract=shown_on))
    assert titled.families_primary == ("ssm",)


@pytest.mark.parametrize(
    ("text", "role"),
    [
        # A baseline the authors propose, present or design is their own model ...
        ("To this end, we first propose a baseline model with one Transformer decoder.", "uses"),
        ("We design a simple yet strong baseline named S4.", "uses"),
        ("We present a simple-yet-effective baseline with a state space model.", "uses"),
        # ... not one their method is measured against, however near a verb of proposing.
        ("Our method outperforms the Transformer baseline.", "compares"),
        ("We present results against the Transformer baseline.", "compares"),
        ("We propose a method that beats the Transformer baseline.", "compares"),
        ("We propose an ensemble of four small models and compare it with strong S4 baselines.", "compares"),
    ],
)
def test_a_baseline_the_authors_propose_is_their_own_model(small: Tagger, text: str, role: str) -> None:
    (mention,) = small.find(text)
    assert mention.role == role


@pytest.mark.parametrize(
    ("abstract", "roles"),
    [
        # A citation in brackets after a list item does not end the list a comparison reaches along.
        (
            "Our model outperforms baselines such as S4 (Gu et al., 2022), Transformers (Vaswani, 2017).",
            {"s4": "compares", "transformer": "compares"},
        ),
        # A cue word written onto a hyphen is part of another word: "over-parameterized" compares nothing.
        ("We study over-parameterized Transformers.", {"transformer": "uses"}),
        ("We study Transformers over S4.", {"transformer": "uses", "s4": "compares"}),
        # A relative clause after the phrase an opening comparison governs is still the other work.
        (
            "Compared to speech models, which often use Transformers, our model uses S4.",
            {"transformer": "compares", "s4": "uses"},
        ),
    ],
)
def test_citations_relative_clauses_and_words_written_onto_a_hyphen(
    small: Tagger, abstract: str, roles: dict[str, str]
) -> None:
    tp = small.tag(Paper(id="p", title="Speech recognition at scale", abstract=abstract))
    assert {m.concept: m.role for m in tp.mentions} == roles


@pytest.mark.parametrize(
    ("abstract", "roles"),
    [
        # The model a compared method runs on is compared with, and so are the next of those models.
        (
            "Our layer outperforms Mamba on S4 or Transformers.",
            {"mamba": "compares", "s4": "compares", "transformer": "compares"},
        ),
        # Not a name joined some other way, nor one after the paper's own method.
        ("Our layer outperforms Mamba with S4 layers.", {"mamba": "compares", "s4": "uses"}),
        ("Our layer on S4 outperforms Mamba.", {"s4": "proposes", "mamba": "compares"}),
    ],
)
def test_the_model_a_compared_method_runs_on_is_compared(
    small: Tagger, abstract: str, roles: dict[str, str]
) -> None:
    tp = small.tag(Paper(id="p", title="Speech recognition at scale", abstract=abstract))
    assert {m.concept: m.role for m in tp.mentions} == roles
