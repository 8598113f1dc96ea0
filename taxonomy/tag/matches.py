"""What the matchers found in one text, and the filters that turn raw matches into mentions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc

from taxonomy.models import Mention, Role

_BLANK = {"\n": " ", "\r": " ", "\t": " ", "\v": " ", "\f": " "}
_SPACES = str.maketrans(_BLANK)
_HAS_BREAK = re.compile(r"[\n\r\t\v\f]")


def one_line(text: str) -> str:
    """Line breaks and tabs as spaces, offsets unchanged: a lone newline makes spaCy's tokenizer stop
    caching words for the rest of the text (measured ~10x slower). Readers already collapse
    whitespace, so the common case is one cheap search."""
    return text.translate(_SPACES) if _HAS_BREAK.search(text) else text


# A sentence ends at . ! or ? followed by space and a capital, digit or opening mark, except after
# common abbreviations (lookbehinds must be fixed-width, hence one per abbreviation).
SENTENCE_END = re.compile(
    r"[.!?]\s+(?=[A-Z0-9\"'(\[])"  # the cheap test first: most positions are not a full stop
    r"(?<!\be\.g\.\s)(?<!\bi\.e\.\s)(?<!\bal\.\s)(?<!\bvs\.\s)(?<!\bcf\.\s)(?<!\bFig\.\s)(?<!\bEq\.\s)(?<!\bSec\.\s)"
)


@dataclass(frozen=True, slots=True)
class Match:
    concept: str
    start: int  # token offsets
    end: int
    rule: str
    cased: bool = False  # matched by a case-sensitive alias (an acronym)
    loose: bool = False  # matched by an alias with a "*" slot ("graph * networks")


@dataclass(frozen=True, slots=True)
class Cue:
    start: int
    end: int
    role: Role
    after: bool  # True for a cue that follows the concept it applies to
    text: str


@dataclass(slots=True)
class Sentence:
    """The matches and cues of one sentence, and whether it speaks of the authors' own work."""

    start: int  # first token
    matches: list[Match]
    cues: list[Cue]
    own: str = ""  # the words that mark it as the authors' own ("we", or the paper's method name)


def own_name(title: str) -> str:
    """The paper's own method name: a short title part before a colon ("SpeechT5: ..."), else ""."""
    head, colon, _ = title.partition(":")
    head = head.strip()
    if not colon or not head or len(head.split()) > 2 or len(head) < 3:
        return ""
    return head if any(ch.isupper() for ch in head[1:]) or any(ch.isdigit() for ch in head) else ""


def longest(matches: list[Match]) -> list[Match]:
    """Drop matches inside a longer match ("Vision Transformer" wins over "Transformer").

    A match of an alias with a ``*`` slot neither hides the names inside its slot ("recurrent
    convolutional networks" is a recurrent and a convolutional network) nor stands where a plain
    alias names the same words or more ("graph convolutional networks" is a GCN, not just "graph *
    networks").
    """
    exact = _longest([m for m in matches if not m.loose])
    if len(exact) == len(matches):
        return exact
    loose = [
        m
        for m in _longest([m for m in matches if m.loose])
        if not any(e.start <= m.start and m.end <= e.end for e in exact)
    ]
    return sorted(exact + loose, key=lambda m: (m.start, -(m.end - m.start), m.concept, m.rule))


def _longest(matches: list[Match]) -> list[Match]:
    ordered = sorted(matches, key=lambda m: (m.start, -(m.end - m.start), m.concept, m.rule))
    out: list[Match] = []
    reach = -1
    for m in ordered:
        if out and m.start == out[-1].start and m.end == out[-1].end:
            if m.concept != out[-1].concept:
                out.append(m)  # two concepts named by the same words (a cased and a plain alias)
            continue
        if m.end <= reach:
            continue
        if out and m.start < out[-1].end and m.concept == out[-1].concept:
            continue  # "image diffusion model" read as "image diffusion" and "diffusion model": one mention
        out.append(m)
        reach = max(reach, m.end)
    return out


def drop_glued(matches: list[Match], doc: Doc) -> list[Match]:
    """Drop names cut out of a longer word: spaCy splits a unit-like suffix off a digit, so "H3T"
    becomes "H3" and "T", but the model H3T is not the H3 layer."""
    text = doc.text
    kept = []
    for m in matches:
        first, last = doc[m.start], doc[m.end - 1]
        start, end = first.idx, last.idx + len(last)
        if (start and text[start - 1].isalnum()) or (end < len(text) and text[end].isalnum()):
            continue
        kept.append(m)
    return kept


def drop_guarded(
    matches: list[Match], guards: dict[str, list[tuple[int, int]]], doc: Doc
) -> tuple[list[Match], set[tuple[str, str]]]:
    """Drop matches inside a guard phrase of their concept; report guarded acronyms.

    An acronym keeps one sense through a text ("one sense per discourse"): once a guard shows that
    "MAE" means "mean absolute error" here, other bare uses of "MAE" in the paper are dropped too.
    Everyday words do not behave that way ("attracted attention" says nothing about "attention
    layers" later), so this applies to case-sensitive aliases only.
    """
    if not guards:
        return matches, set()
    kept: list[Match] = []
    vetoed: set[tuple[str, str]] = set()
    for m in matches:
        if any(g0 <= m.start and m.end <= g1 for g0, g1 in guards.get(m.concept, ())):
            if m.cased:
                vetoed.add((m.concept, doc[m.start : m.end].text))
        else:
            kept.append(m)
    return kept, vetoed


def drop_definitions(matches: list[Match], doc: Doc) -> list[Match]:
    """Count "Graph Neural Networks (GNNs)" once: an abbreviation defined right after its long form."""
    kept: list[Match] = []
    for m in matches:
        prev = kept[-1] if kept else None
        if (
            prev is not None
            and prev.concept == m.concept
            and m.start == prev.end + 1
            and doc[prev.end].text == "("
            and m.end < len(doc)
            and doc[m.end].text == ")"
        ):
            continue
        kept.append(m)
    return kept


def one_sense(
    mentions: list[Mention], vetoed: set[tuple[str, str]], other_sense: frozenset[str] = frozenset()
) -> tuple[Mention, ...]:
    """Drop the mentions a paper shows to mean something else: acronyms a guard or definition gave
    another sense (``vetoed``: concept and words) and concepts whose ``not_with`` phrases it names."""
    if not vetoed and not other_sense:
        return tuple(mentions)
    return tuple(m for m in mentions if (m.concept, m.text) not in vetoed and m.concept not in other_sense)
