"""A cheap, exact test that a text cannot hold any concept name, so it need not be tokenized.

Most texts in a broad corpus name no method at all (70% of the abstracts of an ML-heavy sample;
far more of a whole-arXiv dump), yet tokenizing them is the single largest cost of tagging. A phrase
matches only where every one of its tokens occurs in the text, so a text that lacks at least one
token of every alias spelling cannot give a mention, and the tagger skips it. The test must never
skip a text the matchers would have found something in; it errs only the other way:

- Each alias spelling is reduced to its tokens as spaCy splits them. Every run of letters and digits
  in them ("words": "gpt", "3", "5" in "GPT-3.5") must occur among the text's words, and every token
  that is not a word ("gpt-3.5") must occur in the lowercased text.
- A text's words are its runs of letters and digits, lowercased. spaCy's tokenizer cuts inside such a
  run in two ways only, and both are added as extra words: a unit or similar suffix after a digit
  ("10km" -> "10", "km"), so every piece of a mixed letter-and-digit run between digit/letter
  changes is added; and its special cases ("cannot" -> "can", "not"), whose pieces are listed from
  the tokenizer's own table.
- Lowercasing a whole text equals lowercasing each token except for the final-sigma rule and the
  dotted capital I; texts holding either are never skipped.
- Token patterns have their own trigger expressions; a text any trigger matches is never skipped.

``tests/test_prefilter.py`` checks that tagging with and without this test gives the same output, on
generated texts built from alias pieces, digits, punctuation and special cases, and on real corpora.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from itertools import filterfalse

from spacy.attrs import ORTH
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

_WORD = re.compile(r"[^\W_]+")  # letters and digits: str.isalnum() characters
_PIECE = re.compile(r"\d+|[^\W\d_]+")  # the digit and non-digit stretches of a word
_LOWER_CONTEXT = ("\u03a3", "\u0130")  # capital sigma (final form depends on context), dotted capital I


# Words found in most research abstracts, whatever the field (only used to order the lookups).
_COMMON = STOP_WORDS | {
    "based", "data", "learning", "model", "models", "trained", "training", "neural", "network",
    "networks", "deep", "image", "optimization", "linear", "code", "real", "vision", "method",
    "methods", "simple", "machine", "supervised", "layer", "sequence", "time", "large", "language",
    "system", "systems", "approach", "task", "tasks", "performance", "results",
}  # fmt: skip


class Prefilter:
    """Which texts may hold a match of the given phrase patterns."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self._triggers: tuple[re.Pattern[str], ...] = ()
        # Phrases filed under their rarest word, then their second rarest ("" for one-word phrases).
        self._phrases: dict[str, dict[str, list[tuple[frozenset[str], tuple[str, ...]]]]] = {}
        self._wordless: list[tuple[str, ...]] = []  # phrases with no letters-and-digits token
        self._pending: list[tuple[frozenset[str], tuple[str, ...]]] = []
        self._special = self._special_pieces(tokenizer)
        self._special_words = frozenset(self._special)

    def add(self, docs: Iterable[Doc]) -> None:
        """Register phrase patterns (the same Docs given to the phrase matchers)."""
        for doc in docs:
            tokens = [t.lower_ for t in doc]
            words = frozenset(w for t in tokens for w in _WORD.findall(t))
            other = tuple(sorted({t for t in tokens if not _WORD.fullmatch(t)}))
            if words:
                self._pending.append((words, other))
            elif other:
                self._wordless.append(other)

    def finish(self, triggers: Sequence[re.Pattern[str]] = ()) -> None:
        """Index the phrases (call once all are added), and take the token patterns' triggers.

        Each phrase is filed under two of its words, preferring ones rare in text: a text looks at
        the phrases filed under the pairs of words it holds. English stop words and words common in
        any research abstract come last, then words many names share ("model").
        """
        share: dict[str, int] = defaultdict(int)
        for words, _ in self._pending:
            for word in words:
                share[word] += 1
        for words, other in self._pending:
            first, *rest = sorted(words, key=lambda w: (w in _COMMON, share[w], -len(w), w))
            second = rest[0] if rest else ""
            self._phrases.setdefault(first, {}).setdefault(second, []).append((words, other))
        self._pending = []
        self._triggers = tuple(triggers)
        self._keys = frozenset(self._phrases)

    def may_match(self, text: str) -> bool:
        """False only when no registered phrase and no token pattern can match ``text``."""
        if not text:
            return False
        for trigger in self._triggers:
            if trigger.search(text):
                return True
        if not text.isascii() and any(c in text for c in _LOWER_CONTEXT):
            return True
        lower = text.lower()
        words = set(_WORD.findall(lower))
        extra: set[str] = set()
        for word in filterfalse(str.isalpha, words):
            if not word.isdigit():
                extra.update(_pieces(word))
        for word in self._special_words.intersection(words):  # faster than words & ...
            extra.update(self._special[word])
        words |= extra
        for key in self._keys.intersection(words):
            for second, phrases in self._phrases[key].items():
                if second and second not in words:
                    continue
                for needed, other in phrases:
                    if needed <= words and all(o in lower for o in other):
                        return True
        return any(all(o in lower for o in other) for other in self._wordless)

    @staticmethod
    def _special_pieces(tokenizer: Tokenizer) -> dict[str, frozenset[str]]:
        """Words that a tokenizer special case cuts into smaller tokens, with those tokens."""
        out: dict[str, set[str]] = defaultdict(set)
        for string, tokens in tokenizer.rules.items():
            orths = [str(t.get(ORTH, t.get("ORTH", ""))).lower() for t in tokens]  # keyed by id or name
            for word in _WORD.findall(string.lower()):
                parts = [o for o in orths if o != word and _WORD.fullmatch(o) and o in word]
                if parts:
                    out[word].update(parts)
        return {word: frozenset(parts) for word, parts in out.items()}


def _pieces(word: str) -> set[str]:
    """Every stretch of a mixed word between digit/letter changes: "a5km" -> a, 5, km, a5, 5km, a5km."""
    cuts = [0] + [m.end() for m in _PIECE.finditer(word)]
    return {word[i:j] for n, i in enumerate(cuts) for j in cuts[n + 1 :]}
