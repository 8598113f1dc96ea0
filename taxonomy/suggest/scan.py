"""One pass over tagged papers: tally name-shaped words, defined abbreviations and method phrases.

For every occurrence the scanner also notes the concepts the rules tagged near it (the same clause,
at most ``WINDOW`` words away) and the category words beside it ("optimizers such as X"), read in
:mod:`.near`, which :mod:`.place` turns into a proposed parent. See :mod:`taxonomy.suggest` for the method; the word
lists are in :mod:`taxonomy.suggest.words`.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from taxonomy.models import FIELDS, Mention, Paper
from taxonomy.rules import Taxonomy
from taxonomy.suggest import words as W
from taxonomy.suggest.abbrev import ambiguous, long_form, norm
from taxonomy.suggest.near import _Hit, _hit, _Near, _strip_suffix, _Words
from taxonomy.tag import SENTENCE_END  # the tagger's own rule, so sentences agree


@dataclass(slots=True)
class _Votes:
    """Sentences (and papers) naming each concept near a candidate, ancestors included."""

    votes: Counter[str] = field(default_factory=Counter)
    voters: Counter[str] = field(default_factory=Counter)
    sentences: int = 0


@dataclass(slots=True)
class _Tally:
    forms: Counter[str] = field(default_factory=Counter)
    long_forms: Counter[str] = field(default_factory=Counter)
    groups: set[str] = field(default_factory=set)
    votes: _Votes = field(default_factory=_Votes)  # from papers that do not spell the name out
    senses: dict[str, _Votes] = field(default_factory=dict)  # from papers that do, by long form
    kinds: Counter[str] = field(default_factory=Counter)  # sentences saying it is an optimizer, metric, ...
    examples: list[tuple[int, int, str, str]] = field(default_factory=list)  # (rank, order, id, sentence)
    papers: int = 0
    seen: int = 0  # occurrences written with a capital or digit
    lower: int = 0  # occurrences written all in lower case
    method: int = 0
    method_papers: int = 0  # papers with a method-like use
    introduced: int = 0  # occurrences where the name is introduced ("we propose X")
    data: int = 0
    words: int = 0  # occurrences as a plain capitalised word, which must be introduced somewhere
    sentences: int = 0

    def evidence(self) -> _Votes:
        """The votes of the papers that use the name in its usual sense (its most common long form).

        A paper that spells out "CCA" as "Channel-wise Cross-Attention" where most spell out
        "canonical correlation analysis" is about another thing, and its sentences do not vote.
        """
        if not self.senses:
            return self.votes
        main = Counter[str]()
        for form, n in self.long_forms.items():
            main[norm(form)] += n
        sense = self.senses.get(max(main.items(), key=lambda e: (e[1], e[0]))[0], _Votes())
        return _Votes(
            self.votes.votes + sense.votes,
            self.votes.voters + sense.voters,
            self.votes.sentences + sense.sentences,
        )


class _Scanner:
    """The running tallies of one pass: candidates by key, keys the rules know, groups seen."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.tallies: dict[str, _Tally] = {}
        self.known: set[str] = set()
        self.groups: set[str] = set()
        self.modifiers: Counter[str] = Counter()  # how often each phrase's first word occurs at all
        self.above: dict[str, tuple[str, ...]] = {
            cid: (cid, *c.ancestors) for cid, c in taxonomy.concepts.items()
        }

    def paper(self, index: int, paper: Paper, mentions: Iterable[Mention]) -> None:
        """Count the candidates of one tagged paper."""
        year = str(paper.year) if paper.year else ""
        group = paper.venue if year in paper.venue else f"{paper.venue} {year}".strip()
        self.groups.add(group)
        by_field: dict[str, list[Mention]] = {name: [] for name in FIELDS}
        for mention in mentions:
            by_field[mention.field].append(mention)
        hits: dict[str, list[tuple[_Hit, str]]] = {}
        for name in FIELDS:
            text: str = getattr(paper, name)
            bounds = [0] + [m.end() for m in SENTENCE_END.finditer(text)] + [len(text)]
            for start, end in itertools.pairwise(bounds):
                inside = [m for m in by_field[name] if start <= m.start < end]
                for key, hit in self._sentence(text, start, end, inside, name == "title").items():
                    hits.setdefault(key, []).append((hit, text[start:end].rstrip()))
        for key, found in hits.items():
            tally = self.tallies.get(key)
            if tally is not None:  # None: a later sentence spelled it out as a known concept
                self._note(tally, found, index, paper.id, group)

    def _sentence(
        self, text: str, start: int, end: int, inside: list[Mention], title: bool
    ) -> dict[str, _Hit]:
        """Tally the names in one sentence; return what each is near, by key."""
        words = [(w.group(), w.start(), w.end()) for w in W.WORD.finditer(text, start, end)]
        defined = self._definitions(text, start, end, inside) if "(" in text[start:end] else {}
        near = _Near(words, text, inside, self.above)
        found: dict[str, _Hit] = {}
        for i, (word, a, b) in enumerate(words):
            if word.islower():
                if word in self.modifiers:
                    self.modifiers[word] += 1
                # A lower-case use ("multi-head" for "Multi", "space" for "SPACE") marks a common word.
                tally = self.tallies.get(_key(_strip_suffix(word)[0]) if "-" in word else word)
                if tally is not None and i > 0:
                    tally.lower += 1
                if word in W.PHRASE_HEADS and i > 0:
                    self._phrase(words, i, inside, near, found)
                continue
            if word.lower() in self.modifiers:
                self.modifiers[word.lower()] += 1
            name, suffix = _strip_suffix(word)
            key = _key(name)
            colon = title and i == 0 and text[b : b + 1] == ":"  # "Hyena: Towards ..."
            shape = _shape(name, title=title and not colon, first=i == 0 and not colon)
            if not shape or key in W.STOP or key in self.known or W.SIZE.fullmatch(name):
                continue
            if any(m.start <= a and m.end >= a + len(name) for m in inside):
                continue  # the rules already match it here
            tally = self.tallies.setdefault(key, _Tally())
            tally.forms[name] += 1
            tally.seen += 1
            context = _context(words, i, suffix, text, b, title)
            if key in defined:
                tally.long_forms[defined[key][0]] += 1
                context = defined[key][1] or context  # "Gated Linear Attention (GLA)": a method head
            tally.method += context >= 1
            tally.introduced += context == 2
            tally.data += context == -1
            tally.words += shape == "word"
            hit = _hit(found, key, 0 if context >= 1 else 1, near, i, i, data=context == -1)
            if key in defined:
                hit.sense = hit.sense or norm(defined[key][0])
        return found

    def _phrase(
        self, words: _Words, i: int, inside: list[Mention], near: _Near, found: dict[str, _Hit]
    ) -> None:
        """Tally "spiking neural network", "energy-based model": up to two modifiers before a method head."""
        j = i
        while j > max(0, i - 2) and _modifier(words[j - 1][0], first=j == 1):
            j -= 1
        a, starts = words[j][1], {w[1] for w in words[j:i]}
        if j == i or any(m.start <= a < m.end or m.start in starts for m in inside):
            # No modifier, or the rules know a modifier word: "Transformer model", "renowned
            # transformer model", "dense attention-based model" are known concepts with a generic
            # head ("image-language model", where they match inside a word, is kept).
            return
        head = words[i][0][:-1] if words[i][0][:-1] in W.PHRASE_HEADS else words[i][0]
        name = " ".join([w for w, _, _ in words[j:i]] + [head])
        tally = self.tallies.setdefault(name.lower(), _Tally())
        self.modifiers.setdefault(words[j][0].lower(), 1)
        tally.forms[name] += 1
        tally.seen += 1
        tally.method += 1
        _hit(found, name.lower(), 0, near, j, i, data=False)

    def _note(
        self, tally: _Tally, found: list[tuple[_Hit, str]], index: int, paper_id: str, group: str
    ) -> None:
        """Add one paper's sentences naming a candidate to its tally."""
        tally.papers += 1
        tally.groups.add(group)
        tally.method_papers += any(hit.rank == 0 for hit, _ in found)
        sense = next((hit.sense for hit, _ in found if hit.sense), "")
        votes = tally.senses.setdefault(sense, _Votes()) if sense else tally.votes
        voted: set[str] = set()
        for hit, _ in found:
            tally.sentences += 1
            tally.kinds.update(hit.kinds)
            votes.sentences += 1
            votes.votes.update(hit.near)
            voted |= hit.near
        votes.voters.update(voted)
        rank, sentence = min(((hit.rank, n), sentence) for n, (hit, sentence) in enumerate(found))
        tally.examples.append((rank[0], index, paper_id, sentence))
        tally.examples.sort()
        del tally.examples[3:]

    def _definitions(
        self, text: str, start: int, end: int, inside: list[Mention]
    ) -> dict[str, tuple[str, int]]:
        """Short-form key -> (long form, 1 / -1 / 0 as it ends in a method head / a quantity / else)."""
        out: dict[str, tuple[str, int]] = {}
        for match in W.SF.finditer(text, start, end):
            short = match.group(1)
            if not any(c.isupper() for c in short):
                continue
            before = text[start : match.start()].split()
            long = long_form(short, before[-min(len(short) + 5, 2 * len(short)) :])
            if not long:
                continue
            key = _key(short)
            at = text.rfind(long, start, match.start())
            if at >= 0 and any(m.start <= at and m.end >= at + len(long) for m in inside):
                self.known.add(key)  # "long short-term memory (LSTM)": the rules know the long form
                self.tallies.pop(key, None)
                continue
            last = re.split(r"[\s-]", long)[-1].lower()
            out[key] = (long, 1 if last in W.HEADS else -1 if last in W.NOT_HEADS else 0)
        return out

    def prune(self) -> None:
        """Forget candidates seen in one paper only (bounds memory on very large corpora)."""
        for key in [k for k, t in self.tallies.items() if t.papers <= 1]:
            del self.tallies[key]

    def keep(self, key: str, tally: _Tally, min_papers: int) -> bool:
        """Frequent enough, used like a method at least once and more than like data, not a common word."""
        if tally.papers < min_papers or key in self.known or tally.method == 0 or tally.data > tally.method:
            return False
        if " " in key and tally.seen < W.MIN_BOND * self.modifiers[key.split()[0]]:
            return False  # "linear model": the first word is mostly used otherwise, so not a name
        if " " in key and tally.papers < 2:
            return False  # "concise model": a phrase of one paper describes, it does not name
        if tally.long_forms and ambiguous(tally.long_forms):
            return False  # CL: continual learning in some papers, contrastive learning in others
        if tally.words == tally.seen and not tally.introduced:
            return False  # Lipschitz, Monte Carlo: capitalised names that no paper introduces
        return tally.lower <= tally.seen // 2


def _key_plural(form: str, key: str) -> bool:
    return form.replace("-", "").replace(".", "").lower() != key


def _modifier(word: str, *, first: bool) -> bool:
    """Whether a word can modify a method head in a phrase candidate ("spiking", "Hopfield")."""
    if len(word) < 3 or not word.replace("-", "").isalpha() or word.lower() in W.GENERIC:
        return False
    if word.lower() in W.PHRASE_HEADS:
        return False  # "network architecture", "model layer": a head word makes no name of a phrase
    return word.islower() or (word[0].isupper() and word[1:].islower() and not first)


def _shape(name: str, *, title: bool, first: bool) -> str:
    """ "name" for a model-like word, "word" for a capitalised word inside a sentence, else ""."""
    if len(name) < 2 or not any(c.isalpha() for c in name) or name.endswith(("ian", "ean")):
        return ""  # -ian/-ean words are adjectives (Gaussian, Euclidean, PAC-Bayesian), not names
    if any(c.isdigit() for c in name):
        return "name"
    if sum(c.isupper() for c in name) >= 2 and not any(c.islower() for c in name[:-1]):
        return "name"  # an acronym, maybe plural
    if any(c.isupper() and name[i - 1] != "-" for i, c in enumerate(name) if i > 0):
        return "name"  # CamelCase, or a compound with a capital inside a word
    if title or first:
        return ""  # title case, or the first word of a sentence
    if "-" in name:
        parts = name.split("-")
        if all(p.isalpha() and p[1:].islower() for p in parts):
            return "word"  # "Time-Series", "Monte-Carlo", "Runge-Kutta": title case or eponyms, not names
        return "name" if all(p[:1].isupper() or p[:1].isdigit() for p in parts) else ""
    return "word" if name[0].isupper() and len(name) >= 3 else ""


def _key(name: str) -> str:
    """Spellings that differ in case, hyphens or a plural -s share a key."""
    key = name.replace("-", "").replace(".", "").lower()
    plural = len(name) > 2 and name.endswith("s") and not name.endswith("ss")
    if plural and (not name[-2].islower() or (len(name) > 3 and any(c.isupper() for c in name[1:]))):
        return key[:-1]  # GNNs, NeRFs, ResNets
    return key


def _context(words: _Words, i: int, suffix: str, text: str, end: int, title: bool) -> int:
    """2 where a name is introduced, 1 for another method-like use, -1 for a data-like use, else 0."""
    left = [w[0].lower() for w in words[max(0, i - 2) : i]]
    right = words[i + 1][0].lower() if i + 1 < len(words) else ""
    if title and i == 0 and text[end : end + 1] == ":":
        return 2  # "RetNet: Retentive Networks for ..."
    if (
        left
        and left[-1] in W.INTRO
        and (not right or right in W.AFTER_NAME or text[end : end + 1] in ",(:;.")
    ):
        return 2  # "we propose X, a ...", but not "we propose Lipschitz regularisation"
    if suffix in W.SUFFIXES or suffix in W.HEADS or right in W.RIGHT or (left and left[-1] in W.LEFT):
        return 1
    if len(left) == 2 and (left[0], left[1]) in W.PAIRS:
        return 1
    if right in W.DATA_RIGHT or (left and left[-1] in W.DATA_LEFT):
        return -1
    if left and left[-1] == "on" and (len(left) < 2 or left[0] not in W.ON_OK):
        return -1
    return 0
