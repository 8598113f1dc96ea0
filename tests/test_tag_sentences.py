"""The names an abstract gives its own method (``taxonomy/tag/sentences.py``)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taxonomy.tag.matchers import phrase_regex
from taxonomy.tag.sentences import _NAME, own_names, sentence_bounds

_SELF = phrase_regex(["we", "our", "this paper"], whole=True)


def _names(text: str) -> tuple[str, ...]:
    return own_names(text, sentence_bounds(text), _SELF)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("We propose Partial Label Masking (PLM) for tagging.", ("PLM",)),
        ("We present GSM++, a hybrid model.", ("GSM++",)),
        ("Our model, called SGConv, is fast. Others use (BiLSTM).", ("SGConv",)),
        ("We study Artificial Intelligence (AI).", ()),  # two letters name a field
        ("Prior work proposed (S4D). We test it.", ()),  # not in a sentence about our work
        ("We represent GPT4 as a graph.", ()),  # "present" inside "represent" names nothing
        ("We use the model we named SGConv2(a) and we propose S5.", ("S5",)),
        ("We propose\u00a0S5 and ViT2 (ViT2).", ("S5", "ViT2")),
        # a verb inside a longer word hides no verb after it
        ("we(represent A2-propose PLM.", ("PLM",)),
    ],
)
def test_an_abstract_names_its_own_method_in_parentheses_or_after_a_verb(
    text: str, names: tuple[str, ...]
) -> None:
    assert _names(text) == names


# The names as one expression finds them, as the tagger did before the search was split in two.
_ONE_EXPRESSION = re.compile(
    rf"\(({_NAME})\)|\b(?:propose|introduce|present|called|named|dubbed|termed|coined)\s+({_NAME})(?=[\s,.:;)])"
)


def _one_expression(text: str) -> tuple[str, ...]:
    bounds = sentence_bounds(text)
    names = []
    for found in _ONE_EXPRESSION.finditer(text):
        at = sum(1 for b in bounds if b <= found.start())
        start, end = bounds[at - 1], bounds[at] if at < len(bounds) else len(text)
        name = next(g for g in found.groups() if g)
        if not (len(name) == 2 and name.isalpha()) and _SELF.search(text, start, end):
            names.append(name)
    return tuple(dict.fromkeys(names))


_PIECES = [
    "we", "We", "our", "propose", "present", "represent", "repropose", "called", "named", "renamed",
    "dubbed", "termed", "coined", "introduce", "(", ")", "(S4)", "(AI)", "PLM", "GSM++", "SGConv", "S4",
    "ViT-B", "x", "é", "_", ".", ",", ";", ":", "A2", "a", "Mamba2", "ab", "2",
]  # fmt: skip
_GLUE = ["", " ", "  ", ". ", "\u00a0", "-", "_"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_PIECES), st.sampled_from(_GLUE)), max_size=16))
def test_the_two_searches_find_what_one_expression_finds(parts: list[tuple[str, str]]) -> None:
    text = "".join(p + g for p, g in parts)
    assert _names(text) == _one_expression(text)
