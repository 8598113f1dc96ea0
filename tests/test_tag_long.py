"""Long texts: every mention still names its own sentence, however many sentences come before it.

The sentence of a mention is found by looking its start up among the sentence starts once (a
bisection), not by searching the list of starts again for each sentence, which made a text's
tagging time grow with the square of its sentences (bench/long_text.py measures 1 MB and 5 MB).
"""

from __future__ import annotations

import bisect

import orjson

from taxonomy.models import Paper
from taxonomy.pipeline import sample_corpus
from taxonomy.tag import Tagger
from taxonomy.tag.matches import SENTENCE_END


def _long_text(copies: int) -> str:
    abstracts = [orjson.loads(line)["abstract"] for line in sample_corpus().read_bytes().splitlines()]
    return " ".join(abstracts * copies)


def test_mentions_of_a_long_text_name_their_sentences(tagger: Tagger) -> None:
    text = _long_text(3)
    starts = [0] + [m.end() for m in SENTENCE_END.finditer(text)]
    assert len(starts) > 300
    mentions = tagger.tag(Paper(id="long", title="A long abstract", abstract=text)).mentions
    in_abstract = [m for m in mentions if m.field == "abstract"]
    assert len(in_abstract) > 300
    for m in in_abstract:
        index = bisect.bisect_right(starts, m.start) - 1
        end = starts[index + 1] if index + 1 < len(starts) else len(text)
        assert m.sentence_start == starts[index]
        assert m.sentence == text[starts[index] : end].rstrip()


def test_a_text_repeated_gives_its_mentions_repeated(tagger: Tagger) -> None:
    """Each copy of the corpus's abstracts gets the same mentions, shifted by the copy's offset."""
    once, twice = _long_text(1), _long_text(2)
    first = tagger.tag(Paper(id="a", title="A long abstract", abstract=once)).mentions
    both = tagger.tag(Paper(id="b", title="A long abstract", abstract=twice)).mentions
    shift = len(once) + 1
    second = [m for m in both if m.field == "abstract" and m.start >= shift]
    expected = [(m.concept, m.start + shift, m.role, m.sentence) for m in first if m.field == "abstract"]
    assert [(m.concept, m.start, m.role, m.sentence) for m in second] == expected
