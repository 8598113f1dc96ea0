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
  counts wherever it occurs. A slotted alias is looked for by its head, which counts where one of
  its tails starts after it in the same sentence.
- Lowercasing a whole text equals lowercasing each token except for the final-sigma rule and the
  dotted capital I (which also changes the length); in texts holding either, every sentence counts.
- A case-sensitive alias (an acronym: "ICA", "DEN") matches only tokens written as it is: its key
  counts by itself only where the text, whitespace left out, is written as one such alias ("ica"
  as a word is no place for ICA).
- Token patterns have their own trigger expressions, searched in the text by the tagger: a sentence
  a trigger finds something in counts for that pattern.

``tests/test_candidates.py`` checks that tagging only the sentences found here gives the same
output as tagging every sentence, on generated texts built from alias pieces, digits, punctuation and
special cases, and on real corpora.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import ahocorasick
from spacy.attrs import ORTH
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

_WORD = re.compile(r"[^\W_]+")  # letters and digits: str.isalnum() characters
_WHITESPACE = re.compile(r"\s")  # str.isspace() characters
_OTHER_WHITESPACE = re.compile(r"[^\S ]")
_LOWER_CONTEXT = ("\u03a3", "\u0130")  # capital sigma (final form depends on context), dotted capital I


#: What the automaton holds for a key: its length, whether it counts anywhere, whether it is a phrase
#: that counts by itself, the tails a slotted alias's head needs, the tails it spells, and the
#: spellings it counts by itself in when only case-sensitive phrases have it (else None: any case).
_Value = tuple[int, bool, bool, frozenset[str] | None, frozenset[str] | None, frozenset[str] | None]
#: A slotted alias's head and the places after it where one of its tails starts (``Candidates.places``).
Slotted = list[tuple[int, int]]


class Candidates:
    """Places in a text where one of the registered phrases may start."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self._anywhere: dict[str, bool] = {}  # every key: whether it counts anywhere
        self._phrases: set[str] = set()  # the keys of phrases that count by themselves
        self._cased: dict[str, set[str]] = {}  # the keys of case-sensitive phrases: their spellings
        self._needs: dict[str, set[str]] = {}  # the key of a slotted alias's head: its tails' names
        self._gives: dict[str, set[str]] = {}  # the key of a tail: the names of the tails it spells
        self._special = _special_pieces(tokenizer)
        self._automaton: ahocorasick.Automaton | None = None
        # Which whitespace the automaton steps over is the C library's choice (no-break spaces
        # not): a phrase with a token of whitespace other than spaces makes every place count.
        self._everywhere = False

    def add(self, docs: Iterable[Doc], cased: bool = False) -> None:
        """Register phrase patterns (the same Docs given to the phrase matchers); ``cased``: they
        are matched as written (spaCy's ORTH), else in any case."""
        for doc in docs:
            for key in self._keys([doc]):
                if cased:
                    self._cased.setdefault(key, set()).add("".join(t.text for t in doc).replace(" ", ""))
                else:
                    self._phrases.add(key)

    def add_slotted(self, heads: Iterable[Doc], tails: Iterable[Doc], name: str) -> None:
        """Register the head and tail phrases of slotted aliases (``name`` tells the tails apart): a
        slotted match is a head and then a tail in one sentence, so a head counts only there."""
        for key in self._keys(heads):
            self._needs.setdefault(key, set()).add(name)
        for key in self._keys(tails):
            self._gives.setdefault(key, set()).add(name)

    def _keys(self, docs: Iterable[Doc]) -> list[str]:
        out = []
        for doc in docs:
            tokens = [t.lower_ for t in doc]
            # A token of spaces ("long  and short-term ...") is stepped over like the space it follows.
            key = "".join(tokens).replace(" ", "")
            if key:
                anywhere = any(t in self._special for t in tokens)
                self._anywhere[key] = self._anywhere.get(key, False) or anywhere
                self._everywhere = self._everywhere or _WHITESPACE.search(key) is not None
                out.append(key)
        return out

    def finish(self) -> None:
        """Build the automaton (call once every phrase is added)."""
        automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
        names: dict[frozenset[str], frozenset[str]] = {}  # one object for equal sets (pickled once)
        # ... and for equal values: ~58,000 keys have ~330 (one tuple each was about 4 MB)
        values: dict[_Value, _Value] = {}
        for key, anywhere in sorted(self._anywhere.items()):
            needs = frozenset(self._needs.get(key, ()))
            gives = frozenset(self._gives.get(key, ()))
            cased_only = key in self._cased and key not in self._phrases
            spellings = frozenset(self._cased[key]) if cased_only else None
            value = (
                len(key),
                anywhere,
                key in self._phrases or cased_only,
                names.setdefault(needs, needs) if needs else None,
                names.setdefault(gives, gives) if gives else None,
                spellings,
            )
            automaton.add_word(key, values.setdefault(value, value))
        if len(automaton):
            automaton.make_automaton()
            self._automaton = automaton
        self._anywhere, self._phrases, self._needs, self._gives, self._cased = {}, set(), {}, {}, {}

    def starts(self, text: str, lower: str | None = None) -> list[int] | None:
        """Offsets in ``text`` where a registered phrase may start, in rising order (a slotted
        alias's head only with one of its tails after it); None when any place may hold one
        (lowercasing that depends on context). ``lower``: ``text.lower()``."""
        found = self.places(text, lower)
        if found is None:
            return None
        phrases, slotted = found
        return sorted(phrases + [head for head, _ in slotted])

    def places(self, text: str, lower: str | None = None) -> tuple[list[int], Slotted] | None:
        """Where in ``text`` a phrase that counts by itself may start, and where a slotted alias's
        head does, with the nearest place after it where one of its tails starts (the head counts
        only when that is in its sentence). None when any place may hold one."""
        if self._everywhere or (not text.isascii() and any(c in text for c in _LOWER_CONTEXT)):
            return None
        automaton = self._automaton
        if automaton is None or not text:
            return [], []
        lower = text.lower() if lower is None else lower
        size = len(lower)
        phrases = []
        heads: list[tuple[int, int, frozenset[str]]] = []
        tails: list[tuple[int, frozenset[str]]] = []
        for last, (length, anywhere, phrase, needs, gives, spellings) in automaton.iter(
            lower, ignore_white_space=True
        ):
            if not (phrase or needs or heads):
                continue  # a tail with no head before it (hits come in the order of their ends)
            start = _start_of(lower, size, last, length, anywhere)
            if start < 0:
                continue
            if spellings is not None:  # only case-sensitive phrases: written as one of them?
                phrase = "".join(text[start : last + 1].split()) in spellings
            if phrase:
                phrases.append(start)
            if needs:
                heads.append((start, last + 1, needs))
            if gives:
                tails.append((start, gives))
        slotted = []
        if heads and tails:
            tails.sort(key=lambda tail: tail[0])
            for start, end, needs in heads:
                after = next((at for at, gives in tails if at >= end and not gives.isdisjoint(needs)), None)
                if after is not None:
                    slotted.append((start, after))
        return phrases, slotted

    def sentences(self, text: str, lower: str, bounds: Sequence[int]) -> list[int] | None:
        """The sentences of ``text`` (``bounds``: their starts; ``lower``: ``text.lower()``) where a
        phrase that counts by itself may start, or a slotted alias's head with one of its tails
        after it, in rising order; None when any place may hold one.

        The places ``places`` judges, a sentence at a time: the automaton runs over one sentence
        and stops at the first place that counts, so the rest of a sentence already wanted is not
        scanned. (A key found across a sentence end is no place: each sentence is tokenized alone.)
        """
        if self._everywhere or (not text.isascii() and any(c in text for c in _LOWER_CONTEXT)):
            return None
        automaton = self._automaton
        if automaton is None or not text:
            return []
        size = len(lower)
        out = []
        for index, lo in enumerate(bounds):
            hi = bounds[index + 1] if index + 1 < len(bounds) else size
            heads: list[tuple[int, frozenset[str]]] = []
            for last, (length, anywhere, phrase, needs, gives, spellings) in automaton.iter(
                lower, lo, hi, ignore_white_space=True
            ):
                if not (phrase or needs or heads):
                    continue  # a tail with no head before it (hits come in the order of their ends)
                start = _start_of(lower, size, last, length, anywhere)
                if start < 0:
                    continue
                if spellings is not None:  # only case-sensitive phrases: written as one of them?
                    phrase = "".join(text[start : last + 1].split()) in spellings
                if phrase or (
                    gives and any(end <= start and not gives.isdisjoint(names) for end, names in heads)
                ):
                    out.append(index)
                    break
                if needs:
                    heads.append((last + 1, needs))
        return out


def _start_of(lower: str, size: int, last: int, length: int, anywhere: bool) -> int:
    """Where a hit of a key of ``length`` characters ending at ``last`` starts, or -1 when it is
    written onto a letter or digit at either end (unless its key counts ``anywhere``)."""
    if not anywhere and last + 1 < size and _glued(lower[last], lower[last + 1]):
        return -1
    start = last - length + 1
    if _WHITESPACE.search(lower, start, last):
        start = _start(lower, last, length)
    if not anywhere and start and _glued(lower[start - 1], lower[start]):
        return -1
    return start


def _start(text: str, last: int, length: int) -> int:
    """Where a key of ``length`` characters found ending at ``last`` starts, whitespace stepped over
    (keys hold none)."""
    # Widen the span by the spaces inside it until it holds no more (counting is done in C).
    start, widened = last - length + 1, -1
    while widened != start:
        widened, start = start, last - length + 1 - text.count(" ", start, last)
    if _OTHER_WHITESPACE.search(text, start, last):
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
