"""What stands near a name in its sentence: the concepts tagged there, and words saying what kind of
tool it is. Read by :mod:`.scan` for every occurrence of a candidate."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from taxonomy.models import Mention
from taxonomy.suggest import words as W

_Words = list[tuple[str, int, int]]  # (word, start, end) in the field's text


@dataclass(slots=True)
class _Hit:
    """One candidate in one sentence: how it is used there and what is named near it."""

    rank: int  # 0 when used like a method here, else 1 (examples sort on it)
    near: set[str]  # concepts it votes for: those named near it, and their ancestors
    kinds: set[str]  # kinds (optimizer, metric, ...) that the words beside it name
    sense: str = ""  # the long form a definition gives it here, normalised


class _Near:
    """The concepts tagged in a sentence, by word position and clause, and the words around a name.

    Built for every sentence, worked out at the first name found in it.
    """

    def __init__(
        self, words: _Words, text: str, inside: list[Mention], above: dict[str, tuple[str, ...]]
    ) -> None:
        self.words, self.text, self.inside, self.above = words, text, inside, above
        self.clause: list[int] = []  # clause number of each word: a ";" or "while", "but" starts one
        self.spans: list[tuple[int, int, Mention]] = []  # first word, last word, mention
        self.cues: dict[int, tuple[str, bool]] = {}  # word index -> (kind, whether a member of it)

    def _ready(self) -> None:
        if self.clause or not self.words:
            return
        words, text = self.words, self.text
        self.clause = [0] * len(words)
        for k, (word, a, _) in enumerate(words):
            lower = word.lower()
            if k and (lower in W.CLAUSE_WORDS or ";" in text[words[k - 1][2] : a]):
                self.clause[k] = self.clause[k - 1] + 1
            elif k:
                self.clause[k] = self.clause[k - 1]
            if lower in W.KIND_OF_CUE:
                self.cues[k] = (W.KIND_OF_CUE[lower], False)
            elif lower.replace("-", "") in W.KIND_OF_MEMBER:
                self.cues[k] = (W.KIND_OF_MEMBER[lower.replace("-", "")], True)
        starts = [w[1] for w in words]
        for m in self.inside:
            lo = max(0, bisect_right(starts, m.start) - 1)
            self.spans.append((lo, max(lo, bisect_left(starts, m.end) - 1), m))

    def concepts(self, lo: int, hi: int) -> set[str]:
        """What a name at words ``lo..hi`` votes for: the concepts tagged in its clause at most
        ``WINDOW`` words away, with their ancestors.

        A concept listed beside the name ("Mamba, RetNet and S4") or compared with it is a peer:
        the name votes for the concept's ancestors only. A concept the name is built on
        ("attention-based MIL") says what it uses, not what it is, and gets no vote.
        """
        self._ready()
        out: set[str] = set()
        clause = self.clause[lo]
        for a, b, m in self.spans:
            if a > hi + W.WINDOW or b < lo - W.WINDOW or clause not in (self.clause[a], self.clause[b]):
                continue
            if lo - 2 <= b < lo and _strip_suffix(self.words[b][0])[1] in W.SUFFIXES:
                continue
            listed = (a > hi or b < lo) and self._listed(
                *((m.end, self.words[lo][1]) if b < lo else (self.words[hi][2], m.start))
            )
            out.update(self.above[m.concept][1:] if listed or m.role == "compares" else self.above[m.concept])
        return out

    def _listed(self, start: int, end: int) -> bool:
        """Whether only commas, "and", "or" and other concepts stand between ``start`` and ``end``."""
        between = self.text[start:end]
        for _, _, m in self.spans:
            if start <= m.start and m.end <= end:
                between = between.replace(m.text, ",", 1)
        return bool(W.LIST.fullmatch(between))

    def kinds(self, lo: int, hi: int) -> set[str]:
        """Kinds that words beside ``lo..hi`` name: "optimizers such as X", "SGD and X", "X metric"."""
        self._ready()
        out: set[str] = set()
        for k, (kind, member) in self.cues.items():
            if not (lo - W.KIND_WINDOW <= k < lo or hi < k <= hi + W.KIND_WINDOW):
                continue
            if self.clause[k] != self.clause[lo]:
                continue
            between = self.words[k + 1 : lo] if k < lo else self.words[hi + 1 : k]
            if not member or all(w[0].lower() in W.LIST_WORDS for w in between):
                out.add(kind)
        return out


def _hit(found: dict[str, _Hit], key: str, rank: int, near: _Near, lo: int, hi: int, *, data: bool) -> _Hit:
    """Note one occurrence of ``key`` at words ``lo..hi``; a data-like use ("on X") votes for no parent."""
    hit = found.setdefault(key, _Hit(rank, set(), set()))
    hit.rank = min(hit.rank, rank)
    if not data:
        hit.near |= near.concepts(lo, hi)
    hit.kinds |= near.kinds(lo, hi)
    return hit


def _strip_suffix(word: str) -> tuple[str, str]:
    """``Mamba-based`` -> (``Mamba``, ``based``): a lower-case tail says how the name is used."""
    parts = word.split("-")
    suffix = ""
    while len(parts) > 1 and parts[-1].isalpha() and parts[-1].islower():
        suffix = parts.pop()
    return "-".join(parts), suffix
