"""One pass over tagged papers: tally name-shaped words, defined abbreviations and method phrases.

See :mod:`taxonomy.suggest` for the method; the word lists are in :mod:`taxonomy.suggest.words`.
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
from taxonomy.tag import _SENTENCE_END, Tagger  # the tagger's own rule, so sentences agree


@dataclass(frozen=True, slots=True)
class Candidate:
    """A name the rules do not cover, with the evidence for adding it."""

    name: str  # the most frequent spelling (singular when one was seen)
    variants: tuple[str, ...]  # every spelling seen, most frequent first, long forms last
    papers: int
    score: float
    parent: str | None  # proposed parent concept id, None when no concept shared a sentence
    examples: tuple[tuple[str, str], ...]  # (paper id, sentence), method-like uses first
    long_form: str = ""  # the expansion given in a definition such as "Gated Linear Attention (GLA)"
    sentences: int = 0  # sentences naming it
    votes: int = 0  # of those, sentences in which the parent (or a concept below it) was tagged
    method_uses: int = 0  # occurrences in a method context
    data_uses: int = 0  # occurrences in a data context


@dataclass(slots=True)
class _Tally:
    forms: Counter[str] = field(default_factory=Counter)
    long_forms: Counter[str] = field(default_factory=Counter)
    groups: set[str] = field(default_factory=set)
    votes: Counter[str] = field(default_factory=Counter)
    examples: list[tuple[int, int, str, str]] = field(default_factory=list)  # (rank, order, id, sentence)
    papers: int = 0
    last: int = -1
    seen: int = 0  # occurrences written with a capital or digit
    lower: int = 0  # occurrences written all in lower case
    method: int = 0
    introduced: int = 0  # occurrences where the name is introduced ("we propose X")
    data: int = 0
    words: int = 0  # occurrences as a plain capitalised word, which must be introduced somewhere
    sentences: int = 0


def suggest(
    papers: Iterable[Paper], tagger: Tagger, *, min_papers: int = 3, top: int = 20, max_tallies: int = 200_000
) -> list[Candidate]:
    """Candidate concepts in the papers that no rule matches, best first (at most ``top``)."""
    scan = _Scanner(tagger.taxonomy)
    for index, tagged in enumerate(tagger.tag_stream(papers)):
        scan.paper(index, tagged.paper, tagged.mentions)
        if len(scan.tallies) > max_tallies:
            scan.prune()
    kept = {key: t for key, t in scan.tallies.items() if scan.keep(key, t, min_papers)}
    # "energy-based model", "Expectation-Maximization": already there as the long form of EBM, EM.
    defined = {norm(lf) for t in kept.values() for lf in t.long_forms}
    ranked = sorted(
        (scan.candidate(key, t) for key, t in kept.items() if t.long_forms or norm(key) not in defined),
        key=lambda c: (-c.score, -c.papers, c.name),
    )
    out: list[Candidate] = []
    for candidate in ranked:
        if len(out) >= top:
            break
        if not any(_matched(tagger, v) for v in candidate.variants):
            out.append(candidate)
    return out


class _Scanner:
    """The running tallies of one pass: candidates by key, keys the rules know, groups seen."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.tallies: dict[str, _Tally] = {}
        self.known: set[str] = set()
        self.groups: set[str] = set()
        self.modifiers: Counter[str] = Counter()  # how often each phrase's first word occurs at all

    def paper(self, index: int, paper: Paper, mentions: Iterable[Mention]) -> None:
        """Count the candidates of one tagged paper."""
        year = str(paper.year) if paper.year else ""
        group = paper.venue if year in paper.venue else f"{paper.venue} {year}".strip()
        self.groups.add(group)
        by_field: dict[str, list[Mention]] = {name: [] for name in FIELDS}
        for mention in mentions:
            by_field[mention.field].append(mention)
        for name in FIELDS:
            text: str = getattr(paper, name)
            bounds = [0] + [m.end() for m in _SENTENCE_END.finditer(text)] + [len(text)]
            for start, end in itertools.pairwise(bounds):
                inside = [m for m in by_field[name] if start <= m.start < end]
                found = self._sentence(text, start, end, inside, name == "title")
                if found:
                    self._note(found, inside, index, paper.id, group, text[start:end].rstrip())

    def _sentence(
        self, text: str, start: int, end: int, inside: list[Mention], title: bool
    ) -> dict[str, int]:
        """Tally the names in one sentence; return key -> 0 if used like a method here, else 1."""
        words = [(w.group(), w.start(), w.end()) for w in W.WORD.finditer(text, start, end)]
        defined = self._definitions(text, start, end, inside) if "(" in text[start:end] else {}
        found: dict[str, int] = {}
        for i, (word, a, b) in enumerate(words):
            if word.islower():
                if word in self.modifiers:
                    self.modifiers[word] += 1
                # A lower-case use ("multi-head" for "Multi", "space" for "SPACE") marks a common word.
                tally = self.tallies.get(_key(_strip_suffix(word)[0]) if "-" in word else word)
                if tally is not None and i > 0:
                    tally.lower += 1
                if word in W.PHRASE_HEADS and i > 0:
                    self._phrase(words, i, inside, found)
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
            found[key] = min(found.get(key, 1), 0 if context >= 1 else 1)
        return found

    def _phrase(
        self, words: list[tuple[str, int, int]], i: int, inside: list[Mention], found: dict[str, int]
    ) -> None:
        """Tally "spiking neural network", "energy-based model": up to two modifiers before a method head."""
        j = i
        while j > max(0, i - 2) and _modifier(words[j - 1][0], first=j == 1):
            j -= 1
        a = words[j][1]
        if j == i or any(m.start <= a < m.end for m in inside):
            return  # no modifier, or the rules know the first words ("Transformer model")
        head = words[i][0][:-1] if words[i][0][:-1] in W.PHRASE_HEADS else words[i][0]
        name = " ".join([w for w, _, _ in words[j:i]] + [head])
        tally = self.tallies.setdefault(name.lower(), _Tally())
        self.modifiers.setdefault(words[j][0].lower(), 1)
        tally.forms[name] += 1
        tally.seen += 1
        tally.method += 1
        found[name.lower()] = 0

    def _note(
        self,
        found: dict[str, int],
        inside: list[Mention],
        index: int,
        paper_id: str,
        group: str,
        sentence: str,
    ) -> None:
        concepts = {m.concept for m in inside}
        for cid in list(concepts):
            concepts.update(self.taxonomy.concepts[cid].ancestors)
        for key, rank in found.items():
            tally = self.tallies[key]
            if tally.last != index:
                tally.last, tally.papers = index, tally.papers + 1
                tally.groups.add(group)
            tally.sentences += 1
            tally.votes.update(concepts)
            if any(e[2] == paper_id for e in tally.examples):
                continue
            tally.examples.append((rank, index, paper_id, sentence))
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
        if tally.long_forms and _ambiguous(tally.long_forms):
            return False  # CL: continual learning in some papers, contrastive learning in others
        if tally.words == tally.seen and not tally.introduced:
            return False  # Lipschitz, Monte Carlo: capitalised names that no paper introduces
        return tally.lower <= tally.seen // 2

    def candidate(self, key: str, tally: _Tally) -> Candidate:
        """The public value for one tally, with its score and proposed parent."""
        groups = max(1, len(self.groups))
        spread = len(tally.groups) / min(tally.papers, groups)
        forms = sorted(tally.forms.items(), key=lambda f: (_key_plural(f[0], key), -f[1], f[0]))
        longs = [lf for lf, _ in sorted(tally.long_forms.items(), key=lambda f: (-f[1], f[0]))]
        parent, votes, share = _parent(self.taxonomy, tally.votes, tally.sentences)
        related = 0.5 + 0.5 * min(1.0, share / (2 * W.MIN_SHARE))
        return Candidate(
            name=forms[0][0],
            variants=tuple([f for f, _ in forms] + longs[:3]),
            papers=tally.papers,
            score=round(tally.papers * (0.5 + 0.5 * spread) * related, 2),
            parent=parent,
            examples=tuple((pid, sentence) for _, _, pid, sentence in tally.examples),
            long_form=longs[0] if longs else "",
            sentences=tally.sentences,
            votes=votes,
            method_uses=tally.method,
            data_uses=tally.data,
        )


def _ambiguous(long_forms: Counter[str]) -> bool:
    """Whether no one expansion accounts for three quarters of the definitions of a short form."""
    keys = Counter[str]()
    for form, n in long_forms.items():
        keys[norm(form)] += n
    return 4 * max(keys.values()) < 3 * sum(keys.values())


def norm(text: str) -> str:
    """Lower case, letters and digits only, no plural -s: for comparing spellings."""
    return re.sub(r"[^a-z0-9]", "", text.lower()).removesuffix("s")


def _key_plural(form: str, key: str) -> bool:
    return form.replace("-", "").replace(".", "").lower() != key


def _parent(taxonomy: Taxonomy, votes: Counter[str], sentences: int) -> tuple[str | None, int, float]:
    """(parent, its votes, share of sentences its family was tagged in): see the package docstring."""
    families = sorted((-n, f) for f, n in votes.items() if taxonomy.concepts[f].is_family)
    if not families:
        return None, 0, 0.0
    best, family = -families[0][0], families[0][1]
    share = best / max(1, sentences)
    if best < 2 or share < W.MIN_SHARE:
        return None, 0, share
    under = [
        (taxonomy.concepts[c].level, n, c)
        for c, n in votes.items()
        if family in taxonomy.concepts[c].families and 2 * n >= best and n >= 2
    ]
    _, n, cid = min(under, key=lambda e: (-e[0], -e[1], e[2]))
    rival = families[1][1] if len(families) > 1 and -3 * families[1][0] >= 2 * best else ""
    if rival and rival not in taxonomy.concepts[cid].families:
        return None, 0, share  # MLP: named beside CNNs and Transformers alike, so no family is clear
    return cid, n, share


def _matched(tagger: Tagger, text: str) -> bool:
    """Whether the rules match the whole of ``text`` (a name or long form on its own)."""
    return any(m.start == 0 and m.end >= len(text) for m in tagger.find(text))


def _modifier(word: str, *, first: bool) -> bool:
    """Whether a word can modify a method head in a phrase candidate ("spiking", "Hopfield")."""
    if len(word) < 3 or not word.replace("-", "").isalpha() or word.lower() in W.GENERIC:
        return False
    return word.islower() or (word[0].isupper() and word[1:].islower() and not first)


def _strip_suffix(word: str) -> tuple[str, str]:
    """``Mamba-based`` -> (``Mamba``, ``based``): a lower-case tail says how the name is used."""
    parts = word.split("-")
    suffix = ""
    while len(parts) > 1 and parts[-1].isalpha() and parts[-1].islower():
        suffix = parts.pop()
    return "-".join(parts), suffix


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
        return "name" if all(p[:1].isupper() or p[:1].isdigit() for p in name.split("-")) else ""
    return "word" if name[0].isupper() and len(name) >= 3 else ""


def _key(name: str) -> str:
    """Spellings that differ in case, hyphens or a plural -s share a key."""
    key = name.replace("-", "").replace(".", "").lower()
    plural = len(name) > 2 and name.endswith("s") and not name.endswith("ss")
    if plural and (not name[-2].islower() or (len(name) > 3 and any(c.isupper() for c in name[1:]))):
        return key[:-1]  # GNNs, NeRFs, ResNets
    return key


def _context(words: list[tuple[str, int, int]], i: int, suffix: str, text: str, end: int, title: bool) -> int:
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


def long_form(short: str, words: list[str]) -> str:
    """The long form that ``short`` abbreviates at the end of ``words``, or "" (Schwartz-Hearst)."""
    letters = [c.lower() for c in short if c.isalpha()]
    text = " ".join(w.strip(",;:\"'") for w in words)
    i = len(text) - 1
    for n, c in enumerate(reversed(letters)):
        first = n == len(letters) - 1
        while i >= 0 and (text[i].lower() != c or (first and i > 0 and text[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return ""
        i -= 1
    chosen = text[text.rfind(" ", 0, i + 1) + 1 :].split()
    rest = text[: text.rfind(" ", 0, i + 1) + 1].split()
    if any(c.isdigit() for c in short) and chosen:
        # "Structured State Space (S4)": a digit stands for repeated letters, so take in earlier
        # words whose initials are among the short form's letters and capitalised like the first.
        while rest and rest[-1][:1].lower() in letters and rest[-1][:1].isupper() == chosen[0][:1].isupper():
            chosen.insert(0, rest.pop())
    if (
        len(re.split(r"[\s-]+", " ".join(chosen))) < 2
        or chosen[0].lower() in W.LF_STOP
        or short.lower() in (w.lower() for w in chosen)
    ):
        return ""
    return " ".join(chosen)
