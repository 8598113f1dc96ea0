"""The rules compiled into spaCy matchers, and the kinds of match those report."""

from __future__ import annotations

import enum
import itertools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

import spacy
from spacy.attrs import IDS, IS_ALPHA, IS_PUNCT, LOWER
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from taxonomy.rules import Taxonomy, alias_variants, wildcard_parts
from taxonomy.tag.candidates import Candidates


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
class Matchers:
    """The compiled rules: phrase matchers on lowercase and exact text, and token patterns with the
    regular expression that must find something in a text before the pattern runs on it."""

    lower: PhraseMatcher
    orth: PhraseMatcher
    patterns: tuple[tuple[re.Pattern[str], Matcher], ...]
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
        self.patterns: list[tuple[re.Pattern[str], Matcher]] = []
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
                        self.candidates.add(docs)  # a text naming only hidden names gives nothing
            for guard in concept.guards:
                self.lower.add(self._key(Kind.GUARD, concept.id, guard), self._docs(alias_variants(guard)))
            for pattern in concept.patterns:
                matcher = Matcher(self.nlp.vocab)
                key = self._key(Kind.CONCEPT, concept.id, f"{concept.id}:pattern:{pattern.id}")
                matcher.add(key, [json.loads(pattern.tokens_json)])
                self.patterns.append((re.compile(pattern.trigger, re.IGNORECASE), matcher))
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
            self.candidates.add(self._docs(heads))  # a slotted match starts with its head


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
    variants = sorted(
        {v for p in phrases for v in alias_variants(p, plural=False)}, key=lambda v: (-len(v), v)
    )
    end = r"(?!\w)" if whole else ""
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, variants)) + ")" + end, re.IGNORECASE)
