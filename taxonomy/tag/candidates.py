"""Where in a text a concept name may be: one multi-pattern automaton over the lowercased text.

Tokenizing is the costly part of tagging, and most sentences of a corpus name no method at all
(more than half of the sentences of ML abstracts; far more of a whole-arXiv dump). Matching is done
sentence by sentence, so a sentence that cannot hold a concept's name need not be tokenized. This
module finds, in one pass of an Aho-Corasick automaton (pyahocorasick) over the lowercased text, the
places where a name may start; the tagger tokenizes the sentences that hold one. The test must never
miss a sentence the matchers would find a name in; it errs only the other way:

- Each alias spelling is reduced to its tokens as spaCy splits them and looked for as those tokens
  written together, lowercased ("gpt-3.5", "statespacemodel"), in the lowercased text, the
  automaton stepping over whitespace (``ignore_white_space``: spaces, and most other whitespace
  but no-break spaces). Between two tokens of a match the text holds nothing or one space, so
  every match of a phrase is an occurrence of its key there (a key stepped over other whitespace
  too is only a place too many).
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

import re
from collections.abc import Iterable

import ahocorasick
from spacy.attrs import ORTH
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

_WORD = re.compile(r"[^\W_]+")  # letters and digits: str.isalnum() characters
_WHITESPACE = re.compile(r"\s")  # str.isspace() characters
_LOWER_CONTEXT = ("\u03a3", "\u0130")  # capital sigma (final form depends on context), dotted capital I


class Candidates:
    """Places in a text where one of the registered phrases may start."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self._keys: dict[str, bool] = {}
        self._special = _special_pieces(tokenizer)
        self._automaton: ahocorasick.Automaton | None = None
        # Which whitespace the automaton steps over is the C library's choice (no-break spaces
        # not): a phrase with a token of whitespace other than spaces makes every place count.
        self._everywhere = False

    def add(self, docs: Iterable[Doc]) -> None:
        """Register phrase patterns (the same Docs given to the phrase matchers)."""
        for doc in docs:
            tokens = [t.lower_ for t in doc]
            # A token of spaces ("long  and short-term ...") is stepped over like the space it follows.
            key = "".join(tokens).replace(" ", "")
            if key:
                anywhere = any(t in self._special for t in tokens)
                self._keys[key] = self._keys.get(key, False) or anywhere
                self._everywhere = self._everywhere or _WHITESPACE.search(key) is not None

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
        if self._everywhere or (not text.isascii() and any(c in text for c in _LOWER_CONTEXT)):
            return None
        automaton = self._automaton
        if automaton is None or not text:
            return []
        lower = text.lower() if lower is None else lower
        size = len(lower)
        out = []
        for last, (length, anywhere) in automaton.iter(lower, ignore_white_space=True):
            if not anywhere and last + 1 < size and _glued(lower[last], lower[last + 1]):
                continue
            start = last - length + 1
            if _WHITESPACE.search(lower, start, last):
                start = _start(lower, last, length)
            if not anywhere and start and _glued(lower[start - 1], lower[start]):
                continue
            out.append(start)
        out.sort()
        return out


def _start(text: str, last: int, length: int) -> int:
    """Where a key of ``length`` characters found ending at ``last`` starts, whitespace stepped over
    (keys hold none)."""
    start = last + 1
    while length:
        start -= 1
        if not text[start].isspace():
            length -= 1
    return start


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
