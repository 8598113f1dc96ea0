"""What the matchers found in one text, and the filters that turn raw matches into mentions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from taxonomy.models import Mention, Role

if TYPE_CHECKING:
    from spacy.tokens import Doc

_BLANK = {"\n": " ", "\r": " ", "\t": " ", "\v": " ", "\f": " "}
#: Unicode hyphens and the en dash, which joins names as a hyphen does (Kolmogorov-Arnold).
_DASHES = {"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-"}
_SPACES = str.maketrans(_BLANK | _DASHES)
_HAS_BREAK = re.compile(r"[\n\r\t\v\f\u2010-\u2013]")
_ASCII_BREAKS = tuple(c for c in _BLANK if c.isascii())


def one_line(text: str) -> str:
    """Line breaks and tabs as spaces, offsets unchanged: a lone newline makes spaCy's tokenizer stop
    caching words for the rest of the text (measured ~10x slower). Readers already collapse
    whitespace, so the common case is one cheap search. Unicode hyphens and en dashes become
    hyphens, so "Kolmogorov-Arnold networks" written with an en dash is matched. (An ASCII text,
    most of them, is tested by a substring scan for each break, faster than the expression.)"""
    ascii_text = text.isascii()
    if (ascii_text and any(c in text for c in _ASCII_BREAKS)) or (not ascii_text and _HAS_BREAK.search(text)):
        return text.translate(_SPACES)
    return text


#: The characters that ``re`` ignoring case matches to an ASCII letter but that do not lowercase to
#: it: dotted capital I and dotless i ("i"), long s ("s"). (``tests/test_perf_matchers.py`` checks
#: every character.)
_FOLD_EXCEPTIONS = ("\u0130", "\u0131", "\u017f")


def folds_as_lowercase(text: str) -> bool:
    """Whether an ASCII expression or phrase that ignores case finds in ``text`` just what its
    lowercase finds in ``text.lower()``, at the same offsets."""
    return text.isascii() or not any(c in text for c in _FOLD_EXCEPTIONS)


# A sentence ends at . ! or ? followed by space and a capital, digit or opening mark, except after
# common abbreviations (lookbehinds must be fixed-width, hence one per abbreviation); or, with the
# space left out, between a lowercase word and a capitalised one ("time series.We propose": spaCy
# cuts the full stop off there too, unlike in "U.S.Army" or "e.g.Mamba").
SENTENCE_END = re.compile(
    r"[.!?](?:\s+(?=[A-Z0-9\"'(\[])"  # the cheap test first: most positions are not a full stop
    r"(?<!\be\.g\.\s)(?<!\bi\.e\.\s)(?<!\bal\.\s)(?<!\bvs\.\s)(?<!\bcf\.\s)(?<!\bFig\.\s)(?<!\bEq\.\s)(?<!\bSec\.\s)"
    r"|(?<=[a-z][a-z][.!?])(?=[A-Z][a-z]))"
)


# Match and Cue live only while a sentence is matched, hundreds of thousands of them per 10,000
# papers: not frozen, as a frozen dataclass takes three times as long to make (object.__setattr__
# for each field). Nothing changes them once made.
@dataclass(slots=True)
class Match:
    concept: str
    start: int  # token offsets
    end: int
    rule: str
    cased: bool = False  # matched by a case-sensitive alias (an acronym)
    loose: bool = False  # matched by an alias with a "*" slot ("graph * networks")


@dataclass(slots=True)
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
    evaluation: str = ""  # the words that mark it as a report of experiments ("experiments show")


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


def drop_glued(matches: list[Match], doc: Doc, text: str) -> list[Match]:
    """Drop names cut out of a longer word: spaCy splits a unit-like suffix off a digit, so "H3T"
    becomes "H3" and "T", but the model H3T is not the H3 layer. ``text`` is the text ``doc`` was
    made from (``doc.text`` would rebuild it from every token)."""
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


#: Tokens that end the stretch of words an acronym's long form may come from.
_CLAUSE_END = frozenset(".;:()[]")


def drop_other_senses(
    matches: list[Match], doc: Doc, names: Mapping[str, frozenset[tuple[str, ...]]]
) -> tuple[list[Match], set[tuple[str, str]]]:
    """Acronyms a paper defines with another long form: "Partial Label Masking (PLM)" or
    "PLM (Partial Label Masking)" is not a pretrained language model, here or anywhere else in the
    paper (one sense per text). A long form that spells one of the concept's own names is that
    concept ("Mixture-of-Expert (MoE)"); an acronym right after another concept's name abbreviates
    that name ("Protein Language Model (PLM)") and counts as one mention with it, and when its long
    form is not the acronym's concept ("abnormal adversarial examples (AAEs)") the acronym means
    that name in the whole paper. ``names`` holds each concept's names of two or more words, as
    :func:`name_words` gives them.
    """
    ends = {m.end for m in matches}
    kept: list[Match] = []
    vetoed: set[tuple[str, str]] = set()
    for m in matches:
        if not m.cased or m.end - m.start != 1:
            kept.append(m)
            continue
        short = doc[m.start].text
        if not _acronym_like(short):
            kept.append(m)
            continue
        before = m.start > 0 and doc[m.start - 1].text == "(" and m.end < len(doc) and doc[m.end].text == ")"
        after = m.end < len(doc) and doc[m.end].text == "("
        long_form = ""
        if before:
            long_form = _defined(short, _words_before(doc, m.start - 1))
        elif after:
            long_form = _defined(short, _inside(doc, m.end, ends), whole=True)
        elif m.end < len(doc) and doc[m.end].text == ",":
            long_form = _capitalised(short, doc, m.end + 1, ends)
        other = bool(long_form) and not _spells(name_words(long_form), names.get(m.concept, frozenset()))
        if other:
            vetoed.add((m.concept, short))
        if other or (before and m.start - 1 in ends):
            continue  # another sense, or it abbreviates the concept named right before it
        kept.append(m)
    return kept, vetoed


#: Words that link the words of a name and say nothing of what it names.
_LINKS = frozenset({"a", "an", "and", "based", "by", "for", "in", "of", "on", "the", "to", "with"})


def name_words(name: str) -> tuple[str, ...]:
    """A name's words, lowercase, singular, one spelling: "Mixture-of-Experts" -> mixture, of, expert."""
    words = []
    for word in re.findall(r"[^\W_]+", name.lower()):
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        words.append(re.sub(r"is(ation|e|ed|ing)$", r"iz\1", word) if len(word) > 6 else word)
    return tuple(words)


def _spells(long_form: tuple[str, ...], names: frozenset[tuple[str, ...]]) -> bool:
    """Whether a long form is one of the names: the same words, or the same head word and one more
    word in common ("Mixture of Expert" for "mixture of experts", "sparse mixture of experts")."""
    if not long_form:
        return False
    own = set(long_form) - _LINKS
    for name in names:
        if name == long_form:
            return True
        if name[-1] == long_form[-1] and len(own & (set(name) - _LINKS)) >= 2:
            return True
    return False


def _acronym_like(text: str) -> bool:
    """Two or more capitals and letters only, with an optional plural s ("PLM", "PLMs", "MoE")."""
    return text.isalpha() and sum(c.isupper() for c in text) >= 2 and len(text) <= 10


def _words_before(doc: Doc, at: int) -> str:
    """The words of the clause that ends at token ``at``."""
    i = at
    while i > 0 and doc[i - 1].text not in _CLAUSE_END and at - i < 12:
        i -= 1
    return doc[i:at].text


def _inside(doc: Doc, at: int, ends: set[int]) -> str:
    """The words between the parenthesis at token ``at`` and its closing one; "" when a concept
    is named inside ("T5 (Text-to-Text Transfer Transformer)" explains the name)."""
    for j in range(at + 1, min(len(doc), at + 14)):
        if doc[j].text == ")":
            return "" if any(at < e <= j for e in ends) else doc[at + 1 : j].text
    return ""


_ARTICLES = frozenset({"a", "an", "the"})


def _capitalised(short: str, doc: Doc, at: int, ends: set[int]) -> str:
    """The long form of ``short`` that an apposition from token ``at`` spells with its capitals, or "".

    "we propose SPIDER, a Streaming ProbabilistIc Deep tEnsoR factorization" defines SPIDER: the
    capitals of the words up to the next punctuation are the acronym's letters. A description
    without them ("PPO, a popular policy gradient method") defines nothing, nor does one that names
    a concept ("BERT, a Bidirectional Encoder Representations from Transformers model" explains it).
    """
    letters = short[:-1] if short.endswith("s") and short[:-1].isupper() else short
    capitals = "".join(c for c in letters if c.isupper())
    if at < len(doc) and doc[at].lower_ in _ARTICLES:
        at += 1
    end = at
    while end < len(doc) and end - at < 2 * len(letters) + 3 and not doc[end].is_punct:
        end += 1
    while end > at and not any(c.isupper() for c in doc[end - 1].text):
        end -= 1  # the long form ends with its last capital's word
    text = doc[at:end].text
    if not text or text[0].upper() != letters[0].upper() or any(at < e <= end for e in ends):
        return ""
    return text if "".join(c for c in text if c.isupper()) == capitals else ""


def _defined(short: str, text: str, *, whole: bool = False) -> str:
    """The long form of the acronym ``short`` that ``text`` ends with (``whole``: that it is), or "".

    Schwartz and Hearst's algorithm: the acronym's letters in order, right to left, the first one
    starting a word; at most min(n + 5, 2n) words for n letters.
    """
    letters = short[:-1] if short.endswith("s") and short[:-1].isupper() else short
    if len(letters) < 2 or not text:
        return ""
    s, i = len(letters) - 1, len(text) - 1
    while s >= 0:
        c = letters[s].lower()
        while i >= 0 and (text[i].lower() != c or (s == 0 and i > 0 and text[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return ""
        i -= 1
        s -= 1
    start = i + 1
    if whole and text[:start].strip():
        return ""
    words = text[start:].split()
    return text[start:] if 0 < len(words) <= min(len(letters) + 5, 2 * len(letters)) else ""


def one_sense(
    mentions: list[Mention], vetoed: set[tuple[str, str]], other_sense: frozenset[str] = frozenset()
) -> tuple[Mention, ...]:
    """Drop the mentions a paper shows to mean something else: acronyms a guard or definition gave
    another sense (``vetoed``: concept and words) and concepts whose ``not_with`` phrases it names.
    An acronym and its plural are one word here: once "FCNs" is shown to mean fully-connected
    networks, a later "FCN" is not a fully convolutional network either."""
    if not vetoed and not other_sense:
        return tuple(mentions)
    vetoed = vetoed | {(concept, _singular(text)) for concept, text in vetoed}
    return tuple(
        m
        for m in mentions
        if (m.concept, m.text) not in vetoed
        and (m.concept, _singular(m.text)) not in vetoed
        and m.concept not in other_sense
    )


def _singular(text: str) -> str:
    """An acronym's singular ("FCNs" -> "FCN"); any other text as it is."""
    return text[:-1] if len(text) > 2 and text.endswith("s") and text[:-1].isupper() else text
