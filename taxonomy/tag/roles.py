"""Which cue sets a mention's role: the nearest one in reach within its sentence."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from spacy.tokens import Doc

from taxonomy.models import CUE_ORDER, FieldName, Role
from taxonomy.rules import Cues
from taxonomy.tag.matches import Cue, Match, Sentence

# When two cues are equally near, the more specific reading wins: a comparison, then a cue that says
# the name is a task or workload ("we propose BERT-style pretraining" does not propose BERT).
_CUE_PRIORITY: dict[Role, int] = {role: rank for rank, role in enumerate(CUE_ORDER)}
#: The most words between a comparison and a name it governs, and tokens between it and a verb.
SCOPE_WORDS = 4
VERB_WORDS = 3
#: What joins the two sides of "compare A to B" (a verb of the cues' ``compares_with`` first).
COMPARED_WITH = frozenset({"to", "with", "against"})
#: The most tokens between a name and a comparison it is the subject of ("SSMs can marginally
#: outperform"), and the characters after the comparison that may hold the paper's own work.
SUBJECT_WORDS = 3
OWN_CHARS = 40


@dataclass(frozen=True, slots=True)
class Reach:
    """How far a cue reaches: the rules' cue settings, lowercased for matching tokens."""

    window: int
    after_window: int
    barriers: frozenset[str]
    joins: frozenset[str]
    builds_on: frozenset[str]
    not_in_titles: frozenset[str]
    title_barriers: frozenset[str]
    applies_to: frozenset[str] = frozenset()
    compares_with: frozenset[str] = frozenset()

    @classmethod
    def of(cls, cues: Cues) -> Reach:
        """The reach the rules' cues section sets."""
        return cls(
            window=cues.window,
            after_window=cues.window if cues.after_window is None else cues.after_window,
            barriers=frozenset(b.lower() for b in cues.barriers),
            joins=frozenset(w.lower() for w in cues.conjunctions),
            builds_on=frozenset(c.lower() for c in cues.builds_on),
            not_in_titles=frozenset(c.lower() for c in cues.not_in_titles),
            title_barriers=frozenset(w.lower() for w in cues.title_barriers),
            applies_to=frozenset(w.lower() for w in cues.applies_to),
            compares_with=frozenset(w.lower() for w in cues.compares_with),
        )

    def role(self, doc: Doc, m: Match, sentence: Sentence, field: FieldName) -> Cue | None:
        """The nearest cue in reach within the mention's sentence, which sets its role.

        A comparison in reach outranks a nearer ``uses`` cue it governs: in "competitive with
        Transformer-based models" and "without the need to train a CNN" the name is compared with.
        In "we apply our method to CNNs" the CNNs are what the method is applied to: after a verb of
        ``applies_to`` and a "to" between it and the name, the cue is that phrase and the role
        ``mentions`` (a task or a workload). In "we compare our method to CNNs" they are what it is
        compared with: after a verb of ``compares_with`` and a "to", "with" or "against", the cue is
        that phrase and the role ``compares``.
        """
        reach = self._cues_in_reach(doc, m, sentence, field)
        if not reach:
            return None
        for _, _, cue in reach:
            if opening_phrase(doc, cue) is not None:
                return cue  # "Unlike methods that train a CNN, we ...": all of it is other work
        best = min(reach, key=lambda r: r[:2])[2]
        target = self._joined(doc, m, reach)
        if target is not None and (best.after or best.start < target.end):
            return target  # "we apply our method to CNNs": "our" is inside what is applied
        if best.role == "uses":
            for _, _, cue in sorted(reach, key=lambda r: r[:2]):
                # words between the comparison and the name ("state-of-the-art" is four; the
                # commas and "and" of a list of modifiers are none: "neural, symbolic, and LLM-based")
                words = sum(
                    1
                    for i in range(cue.end, m.start)
                    if doc[i].text != "-" and doc[i].lower_ not in self.joins
                )
                if cue.role == "compares" and _scopes_over(cue, words, best):
                    return cue
        return best

    def compared_with_own(
        self, doc: Doc, m: Match, sentence: Sentence, text: str, self_marker: re.Pattern[str]
    ) -> str:
        """A comparison right after the name whose object is the paper's own work: "SSMs can
        marginally outperform RIR", "LSTMs outperform our model". Gives the comparison's words.
        What "compare" has for object is not compared with: "Transformers, by comparing our model to"."""
        for cue in sentence.cues:
            if cue.role != "compares" or cue.after or not 0 <= cue.start - m.end <= SUBJECT_WORDS:
                continue
            if cue.text.lower() in self.compares_with or any(
                doc[i].lower_ in self.barriers for i in range(m.end, cue.start)
            ):
                continue
            rest = text[doc[cue.end - 1].idx + len(doc[cue.end - 1]) :][:OWN_CHARS]
            own = re.search(r"(?<!\w)" + re.escape(sentence.own) + r"(?!\w)", rest, re.IGNORECASE)
            if own or self_marker.search(rest):
                return cue.text
        return ""

    def _joined(self, doc: Doc, m: Match, reach: list[tuple[int, int, Cue]]) -> Cue | None:
        """The phrase "apply ... to" (role ``mentions``) or "compare ... with" (role ``compares``)
        before the name, from a verb of ``applies_to`` or ``compares_with`` in reach."""
        for _, _, cue in reach:
            if cue.after:
                continue
            verb = cue.text.lower()
            role: Role
            if cue.role == "uses" and verb in self.applies_to:
                role = "mentions"
                to = next((i for i in range(cue.end + 1, m.start) if doc[i].lower_ == "to"), None)
            elif cue.role == "compares" and verb in self.compares_with:
                role = "compares"  # (a join right after the verb is a cue of its own: "compared to")
                to = _compared_with(doc, cue.end + 1, m.start)
            else:
                continue
            if to is not None:
                return Cue(cue.start, to + 1, role, False, doc[cue.start : to + 1].text)
        return None

    def _cues_in_reach(
        self, doc: Doc, m: Match, sentence: Sentence, field: FieldName
    ) -> list[tuple[int, int, Cue]]:
        """The cues that may set the mention's role, each with its distance and priority."""
        out = []
        for cue in sentence.cues:
            if cue.end > m.start and cue.start < m.end:
                continue  # the cue overlaps the name itself
            if field == "title" and cue.text.lower() in self.not_in_titles:
                continue
            if cue.after:
                if cue.start < m.end:
                    continue
                gap, lo, hi = cue.start - m.end, m.end, cue.start
            else:
                if cue.end > m.start:
                    continue
                gap, lo, hi = m.start - cue.end, cue.end, m.start
            # (each test below only drops the cue, so their order changes nothing: the cheap
            # ones come first, the scan for a barrier word between cue and name after them)
            start = lo
            if not cue.after and cue.role == "compares" and cue.text.lower() in self.compares_with:
                # "we compare CNNs and ViTs" sets no role: "compare" reaches only past its "to" or
                # "with", and from there ("we compare Transformers against S4")
                join = _compared_with(doc, lo, hi)
                if join is None:
                    continue
                start = join + 1
            phrase_end = opening_phrase(doc, cue)
            if phrase_end is not None:
                # a comparison opening its sentence governs all of its phrase and nothing after it
                if m.start < phrase_end and not self._barred(doc, lo, hi):
                    out.append((gap, _CUE_PRIORITY[cue.role], cue))
                continue
            window = self.after_window if cue.after else self.window
            if gap > window and (cue.after or not _listed_from(start, m, sentence, window)):
                continue
            if self._barred(doc, lo, hi):
                continue
            if field == "title" and cue.role == "compares" and self._barred_in_title(doc, cue, lo, hi):
                continue
            if not self._reaches(doc, cue, m, sentence, start, hi):
                continue
            out.append((gap, _CUE_PRIORITY[cue.role], cue))
        return out

    def _barred(self, doc: Doc, lo: int, hi: int) -> bool:
        """A barrier word between two tokens ("while", "but"): no cue reaches across it."""
        barriers = self.barriers
        return any(doc[i].lower_ in barriers for i in range(lo, hi))

    def _barred_in_title(self, doc: Doc, cue: Cue, lo: int, hi: int) -> bool:
        """In a title, a colon between a comparison and the name ("Vision Transformer: an alternative
        to attention" is about the ViT), or a title barrier word between a comparison before the name
        and the name ("Learning a prior over intent via meta-inverse RL": the title's own method)."""
        words = {doc[i].lower_ for i in range(lo, hi)}
        return ":" in words or (not cue.after and not words.isdisjoint(self.title_barriers))

    def head(self, doc: Doc, m: Match, cue: Cue, sentence: Sentence) -> str:
        """For a builds-on cue, the concept named right next to it that builds on ``m``."""
        if cue.text.lower() not in self.builds_on:
            return ""
        if cue.after:  # "Transformer-based (image) diffusion model": the next name after the cue
            near = [
                x for x in sentence.matches if x.start >= cue.end and self._adjacent(doc, cue.end, x.start)
            ]
            head = min(near, key=lambda x: x.start, default=None)
        else:  # "a diffusion model built on Transformers": the name right before the cue
            near = [
                x for x in sentence.matches if x.end <= cue.start and self._adjacent(doc, x.end, cue.start)
            ]
            head = max(near, key=lambda x: x.end, default=None)
        return head.concept if head is not None and head.concept != m.concept else ""

    def _adjacent(self, doc: Doc, lo: int, hi: int) -> bool:
        """At most one plain word between two tokens ("-based image diffusion")."""
        return hi - lo <= 1 and all(
            doc[i].is_alpha and doc[i].lower_ not in self.joins for i in range(lo, hi)
        )

    def _reaches(self, doc: Doc, cue: Cue, m: Match, sentence: Sentence, lo: int, hi: int) -> bool:
        """A cue reaches past other concepts only along a list: "than CNNs, RNNs and Transformers"."""
        between = [x for x in sentence.matches if lo <= x.start and x.end <= hi]
        if not between:
            return True
        chain = sorted([*between, m], key=lambda x: x.start)
        joins = self.joins
        if not cue.after and cue.start - sentence.start <= 2:
            joins = joins - {","}  # "Unlike CNNs, our model ...": the comma closes the cue's phrase
        # "outperforms GAN-based and diffusion-based methods": an item's own "-based" joins it too
        attached = {
            i
            for c in sentence.cues
            if c.after and c.text.lower() in self.builds_on and c.text.startswith("-")
            for i in range(c.start, c.end)
        }
        for a, b in itertools.pairwise(chain):
            if a.end > b.start:
                continue
            i = a.end
            while i < b.start and doc[i].lower_ in _ITEM_HEADS:
                i += 1  # "than CNN models and Transformer models": the item's own head noun
            joined = i
            while i < b.start:
                if doc[i].lower_ in joins or i in attached:
                    i += 1
                elif words := _joining_words(doc, i, b.start, joins):
                    i += words  # "as well as"
                else:
                    break
            if joined < i < b.start and _prefixed(doc, i, b.start):
                i = b.start  # "than CycleGAN and Nice-GAN": a word written onto the name
            if (joined > a.end and i == joined) or (
                i < b.start and (i == joined or not _modifiers(doc, i, b.start))
            ):
                return False  # a head noun needs a join after it: "the NAS network EfficientNet" is one name
        return True


#: Words that describe the next item of a list as other work, after the word joining it: "outperforms
#: platform-aware search and state-of-the-art EfficientNet", "than CNNs and recent Transformers".
_ITEM_MODIFIERS = frozenset(
    [
        "previous",
        "existing",
        "prior",
        "recent",
        "other",
        "popular",
        "standard",
        "conventional",
        "traditional",
        "classical",
        "classic",
        "vanilla",
        "strong",
        "competitive",
        "leading",
        "baseline",
    ]
)
_STATE_OF_THE_ART = ("state", "-", "of", "-", "the", "-", "art")


#: Head nouns that end a list item after its name ("outperforms CNN models and Transformer models",
#: "to optimization problems, as well as RL problems").
_HEADS = ("model", "method", "network", "architecture", "algorithm", "problem", "task", "baseline", "variant")
_ITEM_HEADS = frozenset({"approach", "approaches", *_HEADS, *(word + "s" for word in _HEADS)})


def _prefixed(doc: Doc, lo: int, hi: int) -> bool:
    """Tokens ``lo`` to ``hi`` are a word and a hyphen written onto the name at ``hi`` ("Nice-" of "Nice-GAN")."""
    word, hyphen = doc[lo], doc[lo + 1]
    return (
        hi - lo == 2 and word.is_alpha and hyphen.text == "-" and not (word.whitespace_ or hyphen.whitespace_)
    )


def _joining_words(doc: Doc, lo: int, hi: int, joins: frozenset[str]) -> int:
    """Tokens from ``lo`` (before ``hi``) a join of words ("as well as") or a bracket takes, or 0."""
    if doc[lo].text == "(":  # a citation after an item: "EfficientNet (Tan & Le, 2019), FBNetV3"
        return next((i + 1 - lo for i in range(lo + 1, hi) if doc[i].text == ")"), 0)
    for join in joins:
        words = join.split()
        if (
            len(words) > 1
            and lo + len(words) <= hi
            and [t.lower_ for t in doc[lo : lo + len(words)]] == words
        ):
            return len(words)
    return 0


def _modifiers(doc: Doc, lo: int, hi: int) -> bool:
    """Tokens ``lo`` to ``hi`` are words of other work that open a list item ("state-of-the-art")."""
    i = lo
    while i < hi:
        if doc[i].lower_ in _ITEM_MODIFIERS:
            i += 1
        elif tuple(t.lower_ for t in doc[i : i + len(_STATE_OF_THE_ART)]) == _STATE_OF_THE_ART:
            i += len(_STATE_OF_THE_ART)
        else:
            return False
    return i == hi


#: The most tokens before a comparison that still opens its sentence ("However , unlike",
#: "For instance , compared to"), and in a list item that carries a comparison's phrase on.
OPENING_TOKENS = 3
ITEM_TOKENS = 6
_CLOSERS = frozenset({";", ":"})
_LIST_WORDS = frozenset({"and", "or", "nor"})


def opening_phrase(doc: Doc, cue: Cue) -> int | None:
    """For a comparison that opens its sentence, where its phrase ends: the comma (or ";", ":") that
    closes it, outside brackets and not inside a list ("Unlike DNNs, LSTMs and CNNs, it ...").
    "Unlike previous methods that rely on hand-crafted features or recurrent networks, we ..."
    compares every name before that comma, however far, and none after it ("Over the past decade,
    CNNs have ...", "Compared to MD simulations, SymGNN reduces ..."). None when the cue does not
    open the sentence or no comma closes its phrase (then the cue's window applies).
    """
    if cue.after or cue.role != "compares" or cue.start > OPENING_TOKENS:
        return None
    if cue.start and doc[cue.start - 1].text != ",":
        return None
    commas: list[int] = []
    depth = 0
    for i in range(cue.end, len(doc)):
        text = doc[i].text
        if text in "([{":
            depth += 1
        elif text in ")]}":
            depth = max(0, depth - 1)
        elif depth == 0 and (text in _CLOSERS or text == ","):
            commas.append(i)
            if text != ",":
                break
    for k, comma in enumerate(commas):
        if k + 1 < len(commas) and doc[comma + 1].lower_ in ("which", "who"):
            continue  # "Compared to image generation, which often uses GANs, our ...": still other work
        if doc[comma].text != "," or not _list_goes_on(doc, commas[k:]):
            return comma
    return None


def _list_goes_on(doc: Doc, commas: list[int]) -> bool:
    """The words after the first of ``commas`` are further items of a list that ends with and/or
    before another comma ("DNNs, LSTMs and CNNs, ..."), each item a few tokens long."""
    for here, after in itertools.pairwise(commas):
        if doc[after].text != "," or after - here - 1 > ITEM_TOKENS:
            return False
        if any(doc[i].lower_ in _LIST_WORDS for i in range(here + 1, after)):
            return True
    return False


def _listed_from(start: int, m: Match, sentence: Sentence, window: int) -> bool:
    """A cue reaches beyond its window along a list that starts within it (from token ``start``,
    the cue's end): in "than CNNs, RNNs, LSTMs, GRUs and Transformers" every item is compared with
    (``_reaches`` checks the list)."""
    return any(x.start >= start and x.start - start <= window and x.end <= m.start for x in sentence.matches)


def _compared_with(doc: Doc, lo: int, hi: int) -> int | None:
    """The token that joins the two sides of "compare A to B" between ``lo`` and ``hi``: the first
    "to", "with" or "against" that does not follow a participle of A ("comparing the models trained
    with SGD to ...")."""
    for i in range(lo, hi):
        if doc[i].lower_ in COMPARED_WITH and not (i > lo and doc[i - 1].lower_.endswith("ed")):
            return i
    return None


def adjacent_cue(cue: Cue | None, m: Match) -> bool:
    """The cue is right next to the name ("our GNN", "novel Transformer", "Transformer-based")."""
    if cue is None:
        return False
    return (cue.start - m.end if cue.after else m.start - cue.end) <= 1


def _scopes_over(compares: Cue, words: int, uses: Cue) -> bool:
    """A comparison ``words`` before a name governs a ``uses`` cue: one that makes the name a
    modifier ("competitive with state-of-the-art Transformer-based models"), or a verb right after
    the comparison ("without the need to train a CNN")."""
    if compares.after:
        return False
    if uses.after:
        return words <= SCOPE_WORDS
    return 0 <= uses.start - compares.end <= VERB_WORDS
