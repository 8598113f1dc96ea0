"""The rules compiled into spaCy matchers, and the kinds of match those report."""

from __future__ import annotations

import enum
import importlib
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import ahocorasick
import spacy
from spacy.attrs import IDS, IS_ALPHA, IS_PUNCT, LOWER
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from taxonomy.rules import Taxonomy, alias_variants, wildcard_parts
from taxonomy.tag.candidates import Candidates
from taxonomy.tag.matches import folds_as_lowercase


class Kind(enum.Enum):
    """What a match stands for. The values are part of the match keys (``kind|payload|rule``)."""

    CONCEPT = "concept"  # an alias (any case) or a token pattern names the concept
    CASED = "cased"  # a case-sensitive alias names it (an acronym)
    GUARD = "guard"  # a phrase in which the concept's aliases mean something else
    HEAD = "head"  # the words before the ``*`` of a slotted alias
    TAIL = "tail"  # the words after it
    BEFORE = "before"  # a role cue that comes before the name it applies to
    AFTER = "after"  # a role cue that follows it
    SELF = "self"  # words that mark a sentence as about the authors' own work ("we")
    EVALUATION = "evaluation"  # words that mark a sentence as a report of experiments


#: What a match id stands for: its kind, the concept (or the cue's role, or "") and the rule or phrase
#: (for one side of a slotted alias: its words, and "").
Keys = dict[int, tuple[Kind, str, str]]
#: The slotted aliases a head's match id starts: each one's concept, rule and the match id of its tail.
Slots = dict[int, tuple[tuple[str, str, int], ...]]


@dataclass(frozen=True, slots=True)
class Trigger:
    """The regular expression that must find something in a text before a token pattern runs on it,
    and a piece of text that every match of it holds (``literal``, "" when none is known).

    The literal is looked for first: a substring test costs a fraction of a search, above all of an
    expression that ignores case (``re`` then tries it at every character). ``cased``: the literal
    is matched as written; else it is lowercase ASCII, looked for in the text's lowercase
    (``folds_as_lowercase`` says where that is what ignoring case finds).
    """

    expression: re.Pattern[str]
    literal: str
    cased: bool

    @classmethod
    def of(cls, expression: re.Pattern[str]) -> Trigger:
        literal, cased = required_literal(expression)
        return cls(expression, literal, cased)

    def finds(self, text: str, lower: str) -> bool:
        """Whether the expression finds something in ``text`` (``lower``: its lowercase)."""
        if self.literal:
            if self.cased:
                if self.literal not in text:
                    return False
            elif self.literal not in lower and folds_as_lowercase(text):
                return False
        return self.expression.search(text) is not None


@dataclass(frozen=True, slots=True)
class Matchers:
    """The compiled rules: phrase matchers on lowercase and exact text, and token patterns with the
    trigger that must find something in a text before the pattern runs on it."""

    lower: PhraseMatcher
    orth: PhraseMatcher
    patterns: tuple[tuple[Trigger, Matcher], ...]
    keys: Keys
    slots: Slots


def compile_rules(taxonomy: Taxonomy, nlp: Language, candidates: Candidates | None) -> Matchers:
    """Compile every alias, guard, pattern and cue into matchers on ``nlp``'s vocabulary; the
    phrases a match needs every word of are added to ``candidates``."""
    return _Compiler(taxonomy, nlp, candidates).run()


class _Compiler:
    """The matchers as they are filled (compiling is one pass; the result is ``Matchers``)."""

    def __init__(self, taxonomy: Taxonomy, nlp: Language, candidates: Candidates | None) -> None:
        self.taxonomy = taxonomy
        self.nlp = nlp
        self.candidates = candidates
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.orth = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.keys: Keys = {}
        self.slots: Slots = {}
        self.patterns: list[tuple[Trigger, Matcher]] = []
        # Phrases are tokenized by a pipeline of their own: tokenizing ~9,000 phrases with the main
        # pipeline made its later tokenizing about 30% slower (measured). Matching compares hashed
        # strings, which are the same in every vocabulary.
        self.patterns_nlp = spacy.blank(nlp.lang or "en")
        # The phrase matchers read only each token's text and lowercase, so the phrases' words need
        # no other lexical attributes (shape, like_num, like_url ...): computing them for the ~13,000
        # words of the bundled rules was most of the cost of reading a stored tagger back (its
        # matchers re-add their phrases, and each word gets a new lexeme).
        self.patterns_nlp.vocab.lex_attr_getters = {LOWER: lowercase}  # type: ignore[attr-defined]

    def run(self) -> Matchers:
        hidden = self.taxonomy.hidden
        for concept in itertools.chain(self.taxonomy.concepts.values(), hidden.values()):
            for kind, aliases, phrase_matcher in (
                (Kind.CONCEPT, concept.aliases, self.lower),
                (Kind.CASED, concept.aliases_cased, self.orth),
            ):
                for alias in aliases:
                    parts = wildcard_parts(alias)
                    if parts is not None:
                        self._wildcard(concept.id, alias, *parts)
                        continue
                    docs = self._docs(alias_variants(alias))
                    phrase_matcher.add(self._key(kind, concept.id, f"{concept.id}:alias:{alias}"), docs)
                    if self.candidates is not None and concept.id not in hidden:
                        # (a text naming only hidden names gives nothing)
                        self.candidates.add(docs, cased=kind is Kind.CASED)
            for guard in concept.guards:
                self.lower.add(self._key(Kind.GUARD, concept.id, guard), self._docs(alias_variants(guard)))
            for pattern in concept.patterns:
                matcher = Matcher(self.nlp.vocab)
                key = self._key(Kind.CONCEPT, concept.id, f"{concept.id}:pattern:{pattern.id}")
                matcher.add(key, [json.loads(pattern.tokens_json)])
                self.patterns.append((Trigger.of(re.compile(pattern.trigger, re.IGNORECASE)), matcher))
        cues = self.taxonomy.cues
        for phrase, role in cues.before:
            self.lower.add(self._key(Kind.BEFORE, role, phrase), self._docs([phrase]))
        for phrase, role in cues.after:
            self.lower.add(self._key(Kind.AFTER, role, phrase), self._docs([phrase]))
        for phrase in cues.self_markers:
            self.lower.add(self._key(Kind.SELF, "", phrase), self._docs([phrase]))
        for phrase in cues.evaluation:
            self.lower.add(self._key(Kind.EVALUATION, "", phrase), self._docs([phrase]))
        return Matchers(self.lower, self.orth, tuple(self.patterns), self.keys, self.slots)

    def _key(self, kind: Kind, payload: str, rule: str) -> str:
        key = f"{kind.value}|{payload}|{rule}"
        self.keys[self.nlp.vocab.strings.add(key)] = (kind, payload, rule)
        return key

    def _part(self, kind: Kind, words: str, variants: list[str]) -> int:
        """The match id of one side of slotted aliases: one key for every alias with these words
        there, so that a sentence's "learning" is one match, not one for each "* learning" alias."""
        key = f"{kind.value}|{words}|"
        match_id = self.nlp.vocab.strings.add(key)
        if match_id not in self.keys:
            self.keys[match_id] = (kind, words, "")
            self.lower.add(key, self._docs(variants))
        return match_id

    def _docs(self, phrases: Iterable[str]) -> list[Doc]:
        out = []
        make_doc = self.patterns_nlp.make_doc
        for phrase in phrases:
            # A leading hyphen is an infix in context ("Transformer-based"): tokenize it that way.
            doc = make_doc("x" + phrase)[1:].as_doc() if phrase.startswith("-") else make_doc(phrase)
            if len(doc):
                out.append(doc)
        return out

    def _wildcard(self, concept: str, alias: str, head: str, tail: str) -> None:
        """An alias with a slot: its words before and after the ``*`` are matched as phrases and
        paired when one to three plain words lie between them (``sentences.slotted``)."""
        rule = f"{concept}:alias:{alias}"
        heads = alias_variants(head, plural=False)
        head_id = self._part(Kind.HEAD, head, heads)
        tail_id = self._part(Kind.TAIL, tail, alias_variants(tail))
        slots = self.slots.get(head_id, ())
        if (concept, rule, tail_id) not in slots:
            self.slots[head_id] = (*slots, (concept, rule, tail_id))
        if self.candidates is not None and concept not in self.taxonomy.hidden:
            self.candidates.add_slotted(self._docs(heads), self._docs(alias_variants(tail)), tail)


#: The lexical attributes the tagger reads of a token (``lower_``, ``is_alpha``, ``is_punct``);
#: its text and length are a word's own, not computed.
_READ = frozenset({LOWER, IS_ALPHA, IS_PUNCT})


def read_attributes_only(nlp: Language, taxonomy: Taxonomy) -> None:
    """Give the words a blank pipeline meets only the lexical attributes tagging reads.

    spaCy computes every lexical attribute of each new word it meets (shape, prefix, suffix,
    like_url, like_num, is_stop ...); the matchers and the tagger read the lowercase, is_alpha,
    is_punct and what the rules' token patterns test, so the others are not computed.
    """
    read = _attributes_read(taxonomy)
    getters = nlp.vocab.lex_attr_getters  # type: ignore[attr-defined]
    nlp.vocab.lex_attr_getters = {a: f for a, f in getters.items() if a in read}  # type: ignore[attr-defined]


def _attributes_read(taxonomy: Taxonomy) -> frozenset[int]:
    """The lexical attributes tagging with these rules reads: the tagger's and the token patterns'."""
    concepts = itertools.chain(taxonomy.concepts.values(), taxonomy.hidden.values())
    named = {
        key.upper()
        for concept in concepts
        for pattern in concept.patterns
        for token in json.loads(pattern.tokens_json)
        for key in token
    }
    return _READ | {IDS[name] for name in named if name in IDS}


def lowercase(text: str) -> str:
    """A word's lowercase (the one lexical attribute phrase patterns need; picklable by name)."""
    return text.lower()


def phrase_regex(phrases: Iterable[str], *, whole: bool = False) -> re.Pattern[str]:
    """One case-insensitive expression for phrases (any hyphen/space spelling) starting at a word
    ("Kalman filter" also finds "Kalman filtering"), or with ``whole``, ending at one too."""
    return _spellings_regex(_phrase_variants(phrases), whole=whole)


def _spellings_regex(spellings: Iterable[str], *, whole: bool = False) -> re.Pattern[str]:
    end = r"(?!\w)" if whole else ""
    alternatives = "|".join(map(re.escape, spellings))
    return re.compile(r"(?<!\w)(?:" + alternatives + ")" + end, re.IGNORECASE)


def _phrase_variants(phrases: Iterable[str]) -> list[str]:
    """The spellings ``phrase_regex`` looks for, the longest first."""
    return sorted({v for p in phrases for v in alias_variants(p, plural=False)}, key=lambda v: (-len(v), v))


_WORD_CHAR = re.compile(r"\w")


class PhraseSets:
    """Which of several named sets of phrases a text names: for each set, whether ``phrase_regex``
    of its phrases finds something.

    The ~55 expressions of a corpus's ``not_with`` phrases are alternatives of hundreds of spellings
    after a lookbehind, which ``re`` tries at every character (about 30 µs a search in an abstract).
    Here one pass of an automaton over the text's lowercase finds the spellings of every set; a hit
    counts where no word character comes before it, as the lookbehind asks. A set's spellings that
    are not ASCII are searched with an expression of their own (one finds something where one of
    its spellings does), and only in texts they can be in: an ASCII text holds none that has a
    character which ignoring case matches to no ASCII one ("Schrödinger"). Sets with an empty
    spelling, and texts where ignoring case is not lowercasing (``folds_as_lowercase``), are
    searched with their expression (compiled when first needed).
    """

    def __init__(self, sets: dict[str, Iterable[str]]) -> None:
        self._phrases = {name: tuple(phrases) for name, phrases in sets.items()}
        self._expressions: dict[str, re.Pattern[str]] = {}
        self._searched: set[str] = set()  # sets that are always searched with their expression
        # sets with spellings that are not ASCII: their expression, and whether an ASCII text can hold one
        self._others: dict[str, tuple[re.Pattern[str], bool]] = {}
        owners: dict[str, set[str]] = {}
        for name, phrases in self._phrases.items():
            variants = _phrase_variants(phrases)
            if not variants or not all(variants):
                self._searched.add(name)
                continue
            others = [v for v in variants if not v.isascii()]
            if others:
                in_ascii = not all(any(_no_ascii_fold(c) for c in v) for v in others)
                self._others[name] = (_spellings_regex(others), in_ascii)
            for variant in variants:
                if variant.isascii():
                    owners.setdefault(variant.lower(), set()).add(name)
        self._automaton: ahocorasick.Automaton | None = None
        if owners:
            self._automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
            for key, names in sorted(owners.items()):
                self._automaton.add_word(key, (len(key), frozenset(names)))
            self._automaton.make_automaton()

    def __contains__(self, name: object) -> bool:
        return name in self._phrases

    def found(self, names: Iterable[str], *texts: str) -> frozenset[str]:
        """The sets among ``names`` whose phrases one of ``texts`` names."""
        left = {n for n in names if n in self._phrases}
        out: set[str] = set()
        for text in texts:
            if not left:
                break
            if self._automaton is not None and folds_as_lowercase(text):
                for last, (length, owners) in self._automaton.iter(text.lower()):
                    start = last - length + 1
                    if left & owners and not (start and _WORD_CHAR.match(text, start - 1)):
                        out |= left & owners
                        left -= owners
                        if not left:
                            break
                searched = left & self._searched
                for name in left & self._others.keys():
                    expression, in_ascii = self._others[name]
                    if (in_ascii or not text.isascii()) and expression.search(text):
                        out.add(name)
                        left.discard(name)
            else:
                searched = set(left)
            for name in searched:
                if self._expression(name).search(text):
                    out.add(name)
                    left.discard(name)
        return frozenset(out)

    def _expression(self, name: str) -> re.Pattern[str]:
        expression = self._expressions.get(name)
        if expression is None:
            expression = self._expressions[name] = phrase_regex(self._phrases[name])
        return expression


def _no_ascii_fold(char: str) -> bool:
    """Whether ``char`` is not ASCII and ``re`` ignoring case matches it to no ASCII character."""
    if char.isascii():
        return False
    expression = re.compile(re.escape(char), re.IGNORECASE)
    return not any(expression.fullmatch(chr(code)) for code in range(128))


def required_literal(expression: re.Pattern[str]) -> tuple[str, bool]:
    """The longest run of plain characters that every match of ``expression`` holds, and whether
    they are all matched as written; a run with characters matched in any case is given lowercase,
    and is ASCII. ("", True) when there is none (or the expression cannot be read)."""
    try:
        parsed = _regex_parser().parse(expression.pattern, expression.flags)
    except Exception:  # a form this reading does not know: no literal, the expression is searched
        return "", True
    runs: list[list[tuple[str, bool]]] = [[]]
    for char, ignorecase in _sequence(parsed, bool(parsed.state.flags & re.IGNORECASE)):
        if char is None or (ignorecase and not char.isascii()):
            runs.append([])
        else:
            runs[-1].append((char, ignorecase))
    best = max(runs, key=len)  # the first of the longest
    cased = not any(ignorecase for _, ignorecase in best)
    literal = "".join(char for char, _ in best)
    return (literal if cased else literal.lower()), cased


def _sequence(items: Iterable[tuple[Any, Any]], ignorecase: bool) -> Iterator[tuple[str | None, bool]]:
    """The characters a parsed expression matches one after the other, each with whether it is
    matched in any case; None for anything else (a class, a repeat, a branch, an assertion)."""
    parser = _regex_parser()
    for op, av in items:
        if op is parser.LITERAL:
            yield chr(av), ignorecase
        elif op is parser.SUBPATTERN:  # a group, maybe with flags of its own: "(?-i:MAE)"
            _group, add, remove, inner = av
            yield from _sequence(
                inner, (ignorecase or bool(add & re.IGNORECASE)) and not remove & re.IGNORECASE
            )
        else:
            yield None, ignorecase


def _regex_parser() -> ModuleType:
    """The standard library's parser of regular expressions (``re._parser``, ``sre_parse`` before 3.11)."""
    try:
        return importlib.import_module("re._parser")
    except ImportError:
        return importlib.import_module("sre_parse")
