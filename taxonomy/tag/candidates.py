"""Where in a text a concept name may be: one multi-pattern automaton over the lowercased text.

Tokenizing is the costly part of tagging, and most sentences of a corpus name no method at all
(more than half of the sentences of ML abstracts; far more of a whole-arXiv dump). Matching is done
sentence by sentence, so a sentence that cannot hold a concept's name need not be tokenized. This
module finds, in one pass of an Aho-Corasick automaton (pyahocorasick) over the lowercased text, the
places where a name may start; the tagger tokenizes the sentences that hold one. The test must never
miss a sentence the matchers would find a name in; it errs only the other way:

- Each alias spelling is reduced to its tokens as spaCy splits them and looked for as those tokens
  written together, lowercased ("gpt-3.5", "statespacemodel"), in the lowercased text with its
  spaces taken out. Between two tokens of a match the text holds nothing or one space: any other
  whitespace (a second space, a no-break space) is a token of its own, across which no phrase
  matches. So every match of a phrase is an occurrence of its key there.
- A key counts only where spaCy's tokens can start and end: spaCy cuts a run of letters and digits
  only between a digit and a letter ("10km" -> "10", "km") and in its special cases ("cannot" ->
  "can", "not"). So an occurrence counts when the characters on either side in the text are not
  both letters or both digits; a key with a token that a special case cuts out of a longer word
  counts wherever it occurs. (A slotted alias is looked for by its head.)
- Lowercasing a whole text equals lowercasing each token except for the final-sigma rule and the
  dotted capital I (which also changes the length); in texts holding either, every sentence counts.
- Token patterns have their own trigger expressions, searched in the text by the tagger: a sentence
  a trigger finds something in counts for that pattern.

``tests/test_candidates.py`` checks that tagging only the sentences found here gives the same
output as tagging every sentence, on generated texts built from alias pieces, digits, punctuation and
special cases, and on real corpora.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable

import ahocorasick
from spacy.attrs import ORTH
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

_WORD = re.compile(r"[^\W_]+")  # letters and digits: str.isalnum() characters
_LOWER_CONTEXT = ("\u03a3", "\u0130")  # capital sigma (final form depends on context), dotted capital I


class Candidates:
    """Places in a text where one of the registered phrases may start."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self._keys: dict[str, bool] = {}
        self._special = _special_pieces(tokenizer)
        self._automaton: ahocorasick.Automaton | None = None

    def add(self, docs: Iterable[Doc]) -> None:
        """Register phrase patterns (the same Docs given to the phrase matchers)."""
        for doc in docs:
            tokens = [t.lower_ for t in doc]
            key = "".join(tokens)
            if key:
                anywhere = any(t in self._special for t in tokens)
                self._keys[key] = self._keys.get(key, False) or anywhere

    def finish(self) -> None:
        """Build the automaton (call once every phrase is added)."""
        automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
        for key, anywhere in sorted(self._keys.items()):
            automaton.add_word(key, (len(key), anywhere))
        if len(automaton):
            automaton.make_automaton()
            self._automaton = automaton
        self._keys = {}

    def starts(self, text: str, lower: str | None = None) -> list[int] | None:
        """Offsets in ``text`` where a registered phrase may start, in rising order; None when any
        place may hold one (lowercasing that depends on context). ``lower``: ``text.lower()``."""
        if not text.isascii() and any(c in text for c in _LOWER_CONTEXT):
            return None
        automaton = self._automaton
        if automaton is None or not text:
            return []
        lower = text.lower() if lower is None else lower
        words = lower.split(" ")
        # where each space-free stretch ends in the text without spaces, to map offsets back
        ends = list(itertools.accumulate(map(len, words)))
        size = len(lower)
        out = []
        for last, (length, anywhere) in automaton.iter("".join(words)):
            first = last - length + 1
            start = first + bisect.bisect_right(ends, first)  # one space before each later stretch
            if not anywhere:
                if start and _glued(lower[start - 1], lower[start]):
                    continue
                end = last + bisect.bisect_right(ends, last)
                if end + 1 < size and _glued(lower[end], lower[end + 1]):
                    continue
            out.append(start)
        out.sort()
        return out


def _glued(left: str, right: str) -> bool:
    """Whether spaCy never starts a token between these two characters: both letters, or both
    digits (special cases aside)."""
    return left.isalnum() and right.isalnum() and left.isdecimal() == right.isdecimal()


def _special_pieces(tokenizer: Tokenizer) -> frozenset[str]:
    """Words that a tokenizer special case cuts out of a longer word ("can" and "not" of "cannot")."""
    out: set[str] = set()
    for string, tokens in tokenizer.rules.items():
        orths = [str(t.get(ORTH, t.get("ORTH", ""))).lower() for t in tokens]  # keyed by id or name
        for word in _WORD.findall(string.lower()):
            out.update(o for o in orths if o != word and _WORD.fullmatch(o) and o in word)
    return frozenset(out)
