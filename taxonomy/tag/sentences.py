"""The matchers' raw output sorted into concept matches, guard spans and cues, grouped by sentence."""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterator

from spacy.tokens import Doc

from taxonomy.tag.matchers import Keys, Kind, Slots
from taxonomy.tag.matches import SENTENCE_END, Cue, Match, Sentence

#: A cue found in a text: its kind, role (or ""), phrase and token offsets.
CueHit = tuple[Kind, str, str, int, int]

# A method name: a word with a capital after its first letter or a digit ("PLM", "SGConv", "GSM++").
_NAME = r"[A-Z][A-Za-z0-9]*(?:[A-Z][A-Za-z0-9]*|[0-9][A-Za-z0-9]*)(?:[-+][A-Za-z0-9+]*)?"
_NAME_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9+-]*[A-Za-z0-9+]|[A-Za-z0-9]")
# A name defined in parentheses, or named right after "we propose", "called", "dubbed" ...: two
# searches, as no match of one can overlap a match of the other. The verbs are found by substring
# scans and the expression is matched at each (``_verb_starts``), without the word start before
# them: a match inside a longer word ("represent") is dropped after, and the next verb tried.
_DEFINED_NAME = re.compile(rf"\(({_NAME})\)")
_VERBS = ("propose", "introduce", "present", "called", "named", "dubbed", "termed", "coined")
_NAMED_AFTER = re.compile(rf"(?:{'|'.join(_VERBS)})\s+({_NAME})(?=[\s,.:;)])")
_WORD_CHAR = re.compile(r"\w")
#: The most words a ``*`` slot of an alias stands for ("mixture of * experts").
SLOT_WORDS = 3
#: Words a slot never holds: they join phrases rather than name a kind ("graph and sequence models").
_SLOT_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "nor",
        "but",
        "of",
        "for",
        "with",
        "without",
        "in",
        "on",
        "at",
        "to",
        "from",
        "by",
        "via",
        "as",
        "into",
        "over",
        "than",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "we",
        "our",
        "their",
        "its",
        "it",
        "this",
        "that",
        "these",
        "those",
        "which",
        "who",
    ]
)


def sort_matches(
    found: list[tuple[int, int, int]], doc: Doc, keys: Keys, slots: Slots
) -> tuple[list[Match], dict[str, list[tuple[int, int]]], list[CueHit]]:
    """Split raw matcher output into concept matches, guard spans and cue hits."""
    matches: list[Match] = []
    guards: dict[str, list[tuple[int, int]]] = defaultdict(list)
    cue_hits: list[CueHit] = []
    heads: dict[int, list[tuple[int, int]]] = {}
    tails: dict[int, list[tuple[int, int]]] = {}
    for match_id, start, end in found:
        kind, payload, rule = keys[match_id]
        if kind is _CONCEPT:
            matches.append(Match(payload, start, end, rule))
        elif kind is _TAIL:
            tails.setdefault(match_id, []).append((start, end))
        elif kind is _HEAD:
            heads.setdefault(match_id, []).append((start, end))
        elif kind is _CASED:
            matches.append(Match(payload, start, end, rule, True))
        elif kind is _GUARD:
            guards[payload].append((start, end))
        else:
            cue_hits.append((kind, payload, rule, start, end))
    for head_id, spans in heads.items():
        for concept, rule, tail_id in slots[head_id]:
            if tail_id in tails:
                matches.extend(slotted(doc, concept, rule, spans, tails[tail_id]))
    return matches, guards, cue_hits


_CONCEPT, _CASED, _GUARD, _HEAD, _TAIL = Kind.CONCEPT, Kind.CASED, Kind.GUARD, Kind.HEAD, Kind.TAIL


def slotted(
    doc: Doc, concept: str, rule: str, heads: list[tuple[int, int]], tails: list[tuple[int, int]]
) -> Iterator[Match]:
    """Matches of a slotted alias: a head, one to three plain words, then the nearest tail."""
    for h_start, h_end in heads:
        for t_start, t_end in sorted(tails):
            if t_start <= h_end:
                continue
            if t_start - h_end > 2 * SLOT_WORDS + 1:
                break
            slot = [t for t in doc[h_end:t_start]]
            while slot and slot[0].text == "-":
                slot.pop(0)
            while slot and slot[-1].text == "-":
                slot.pop()
            words = [t for t in slot if t.text != "-"]
            if 1 <= len(words) <= SLOT_WORDS and all(
                t.text.isalnum() and t.lower_ not in _SLOT_STOP for t in words
            ):
                yield Match(concept, h_start, t_end, rule, loose=True)
            break


def sentence_bounds(text: str) -> list[int]:
    """Where the sentences of a text start (0 first)."""
    return [0] + [m.end() for m in SENTENCE_END.finditer(text)]


def sentence_of(
    doc: Doc,
    text: str,
    matches: list[Match],
    cue_hits: list[CueHit],
    own: tuple[str, ...],
    proposing: frozenset[str] = frozenset(),
) -> Sentence:
    """One sentence's matches and cues (``doc`` holds its tokens, ``text`` its words), and the words
    that mark it as the authors' own: a self marker, else one of the paper's ``own`` method names.
    A baseline the authors propose is not a comparison (``proposed_baseline``)."""
    sentence = Sentence(0, matches, [])
    for kind, role, phrase, start, end in cue_hits:
        if kind is Kind.SELF:
            sentence.own = sentence.own or phrase
        elif kind is Kind.EVALUATION:
            sentence.evaluation = sentence.evaluation or phrase
        elif (
            kind is not Kind.AFTER
            and end < len(doc)
            and doc[end].text == "-"
            and not doc[end - 1].whitespace_
        ):
            continue  # a word written onto a hyphen is no cue: "over-parametrized", "with-replacement"
        elif not (role == "compares" and proposed_baseline(doc, start, phrase, proposing)):
            sentence.cues.append(Cue(start, end, role, kind is Kind.AFTER, phrase))  # type: ignore[arg-type]
    if own and not sentence.own:
        words = set(_NAME_WORD.findall(text))
        sentence.own = next((name for name in own if name in words), "")
    return sentence


#: Comparison cues that name a model ("the LSTM baseline"), and the most words between a verb of
#: proposing and one of them ("we propose a simple yet effective baseline").
BASELINES = frozenset({"baseline", "baselines"})
PROPOSED_WORDS = 4
#: Words that end the noun phrase a verb of proposing governs: "we present results against the
#: baseline", "we design a model that beats the baseline".
_NOT_PROPOSED = frozenset(
    [
        "against",
        "than",
        "to",
        "with",
        "over",
        "on",
        "of",
        "for",
        "from",
        "in",
        "by",
        "via",
        "that",
        "which",
        "who",
        "where",
        "whereas",
        "while",
    ]
)


def proposing_verbs(proposes: list[str]) -> frozenset[str]:
    """The verbs of the rules' ``proposes`` cues that open with the authors or their paper ("we
    present", "this work introduces"), lowercase: "present", "introduces"."""
    verbs = set()
    for cue in proposes:
        words = cue.lower().split()
        if len(words) > 1 and words[0] in ("we", "paper", "this") and words[-1].isalpha():
            verbs.add(words[-1])
    return frozenset(verbs)


def proposed_baseline(doc: Doc, start: int, phrase: str, verbs: frozenset[str]) -> bool:
    """The baseline at token ``start`` is one the authors propose, so their own model: "we propose a
    simple baseline with one transformer decoder", "we design a strong baseline named PoseFormer".
    A verb of ``verbs`` at most PROPOSED_WORDS plain words before it, none of them a word that ends
    the verb's object."""
    if phrase.lower() not in BASELINES:
        return False
    words = 0
    for i in range(start - 1, -1, -1):
        token = doc[i]
        if token.lower_ in verbs:
            return True
        if token.text == "-":
            continue
        words += 1
        if words > PROPOSED_WORDS or not token.is_alpha or token.lower_ in _NOT_PROPOSED:
            return False
    return False


def own_names(text: str, bounds: list[int], self_marker: re.Pattern[str]) -> tuple[str, ...]:
    """Names an abstract gives its own method: "we propose Partial Label Masking (PLM)", "we
    present GSM++, ...", "a model called SGConv", in a sentence about the authors' work."""
    found = [(m.start(), m.group(1)) for m in _DEFINED_NAME.finditer(text)]
    pos = 0
    for at in _verb_starts(text):
        if at < pos or not (m := _NAMED_AFTER.match(text, at)):
            continue
        if at and _WORD_CHAR.match(text, at - 1):
            continue  # inside a longer word ("represent"): on to the next verb
        found.append((at, m.group(1)))
        pos = m.end()
    names: list[str] = []
    own: dict[int, bool] = {}  # by sentence: whether it is about the authors' work
    for at_char, name in sorted(found):
        # Two letters name a field ("Artificial Intelligence (AI)", "(ML)"), not a method ("S4", "A2").
        if len(name) == 2 and name.isalpha():
            continue
        at = bisect.bisect_right(bounds, at_char)
        if at not in own:
            start, end = bounds[at - 1], bounds[at] if at < len(bounds) else len(text)
            own[at] = self_marker.search(text, start, end) is not None
        if own[at]:
            names.append(name)
    return tuple(dict.fromkeys(names))


def _verb_starts(text: str) -> list[int]:
    """Where one of ``_VERBS`` is written in ``text``, in rising order: the only places where
    ``_NAMED_AFTER`` can match (substring scans find them faster than its search, which tries the
    eight words at every character)."""
    starts = []
    for verb in _VERBS:
        at = text.find(verb)
        while at >= 0:
            starts.append(at)
            at = text.find(verb, at + 1)
    starts.sort()
    return starts
