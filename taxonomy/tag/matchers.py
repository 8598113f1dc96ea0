"""The rules compiled into spaCy matchers, and the kinds of match those report."""

from __future__ import annotations

import enum
import importlib
import itertools
import json
import re
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import ahocorasick
import numpy as np
import spacy
from spacy.attrs import IDS, IS_ALPHA, IS_PUNCT, LOWER
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.strings import StringStore
from spacy.tokens import Doc
from spacy.vocab import Vocab

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
                        self.candidates.add(docs)  # a text naming only hidden names gives nothing
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


@dataclass(frozen=True, slots=True)
class PackedPhrases:
    """The phrases of a ``PhraseMatcher`` in a few arrays, to pickle it and build it again.

    spaCy's matcher keeps a set of tuples of token ids for each key besides the trie it matches
    with, only to pickle or remove them: about 20 MB of Python objects for the ~73,000 phrases of
    the bundled rules, against about 3 MB here. The keys keep the order they were added in, which
    is the order the matcher gives the matches of several keys on the same words.
    """

    attr: int  # the token attribute matched (LOWER, ORTH)
    keys: tuple[str, ...]
    counts: array[int]  # how many phrases each key has
    lengths: array[int]  # how many tokens each phrase has
    ids: array[int]  # the tokens' ids, phrase after phrase


def pack_phrases(matcher: PhraseMatcher) -> PackedPhrases:
    """The phrases of ``matcher``; ``matcher`` then forgets its own copy (it matches the same)."""
    _vocab, phrases, _callbacks, attr = matcher.__reduce__()[1]
    counts, lengths, ids = array("I"), array("I"), array("Q")
    for key_phrases in phrases.values():
        counts.append(len(key_phrases))
        for phrase in key_phrases:
            lengths.append(len(phrase))
            ids.extend(phrase)
    packed = PackedPhrases(attr, tuple(phrases), counts, lengths, ids)
    phrases.clear()  # the matcher's own dict: it reads it only to pickle itself or remove a key
    return packed


def unpack_phrases(packed: PackedPhrases, vocab: Vocab) -> PhraseMatcher:
    """A ``PhraseMatcher`` of the packed phrases (keeping no copy of them, as ``pack_phrases``)."""
    matcher = PhraseMatcher(vocab, attr=packed.attr)
    own = matcher.__reduce__()[1][1]
    lengths, ids = iter(packed.lengths), packed.ids
    at = 0
    for key, count in zip(packed.keys, packed.counts, strict=True):
        phrases = []
        for length in itertools.islice(lengths, count):
            phrases.append(tuple(ids[at : at + length]))
            at += length
        matcher.add(key, phrases)  # type: ignore[arg-type]  # token ids, as spaCy pickles them
        own.clear()  # at once, so that the next key's tuples take the memory of these
    return matcher


#: A match as spaCy's matchers give it: the match id, the first token and the token after the last.
RawMatch = tuple[int, int, int]


class PhraseTrie:
    """A phrase matcher that gives the matches spaCy's ``PhraseMatcher`` gives, in the same order,
    for a few MB of arrays instead of its trie of hash tables (about 55 MB for the ~73,000
    lowercase phrases of the bundled rules, most of it the allocator's bookkeeping of each table).

    The phrases' tokens are a trie whose nodes are numbers: a token's number is found in a hash
    table of the tokens that occur in phrases, a node's child in the sorted array of its
    transitions (the root's in an array of its own). ``match`` walks the trie from every token
    of a list of Docs at once, one step for all the places still on a path at a time (numpy).
    Matches come as spaCy's do: by start, then end; the keys of the same words in the order its
    hash table of them gives (``_preshed_order``), the keys ordered as they were added.
    """

    def __init__(self, packed: PackedPhrases, strings: StringStore) -> None:
        self.attr = packed.attr
        phrases: dict[tuple[int, ...], list[int]] = {}
        lengths, ids = iter(packed.lengths), packed.ids
        at = 0
        for key, count in zip(packed.keys, packed.counts, strict=True):
            match_id = strings[key]
            for length in itertools.islice(lengths, count):
                keys = phrases.setdefault(tuple(ids[at : at + length]), [])
                at += length
                if match_id not in keys:
                    keys.append(match_id)
        numbers = {token: n for n, token in enumerate(sorted({t for phrase in phrases for t in phrase}))}
        self._size = size = len(numbers)
        slots = 1 << max(4, (4 * size).bit_length())  # a quarter full at most
        self._tokens = np.zeros(slots, np.uint64)
        self._numbers = np.full(slots, -1, np.int64)
        for token, n in numbers.items():
            slot = token & (slots - 1)
            while self._numbers[slot] >= 0:
                slot = (slot + 1) & (slots - 1)
            self._tokens[slot], self._numbers[slot] = token, n
        children: dict[tuple[int, int], int] = {}
        node_keys: list[list[int]] = [[]]
        for phrase, keys in phrases.items():
            node = 0
            for token in phrase:
                edge = (node, numbers[token])
                child = children.get(edge)
                if child is None:
                    child = children[edge] = len(node_keys)
                    node_keys.append([])
                node = child
            node_keys[node] = _preshed_order(keys)
        self._root = np.full(size, -1, np.int64)
        edges = []
        for (node, n), child in children.items():
            if node:
                edges.append((node * size + n, child))
            else:
                self._root[n] = child
        edges.sort()
        self._edges = np.array([edge for edge, _ in edges], np.int64)
        self._children = np.array([child for _, child in edges], np.int64)
        self._counts = np.array([len(keys) for keys in node_keys], np.int64)
        self._first_key = np.cumsum(self._counts) - self._counts
        self._keys = np.array([key for keys in node_keys for key in keys], np.uint64)

    def __call__(self, doc: Doc) -> list[RawMatch]:
        return self.match([doc])[0]

    def match(self, docs: Sequence[Doc]) -> list[list[RawMatch]]:
        """The matches in each Doc."""
        arrays = [doc.to_array(self.attr) for doc in docs]
        sizes = np.fromiter(map(len, arrays), np.int64, len(arrays))
        ends = np.cumsum(sizes)
        numbers = self._numbers_of(np.concatenate(arrays) if arrays else np.zeros(0, np.uint64))
        doc_end = np.repeat(ends, sizes)  # where each token's Doc ends
        places = np.flatnonzero(numbers >= 0)
        nodes = self._root[numbers[places]]
        on = nodes >= 0
        starts, nodes = places[on], nodes[on]
        found_starts, found_ends, found_nodes = [], [], []
        edges, children, size = self._edges, self._children, self._size
        last_edge = len(edges) - 1
        length = 1
        while len(starts):
            ending = self._counts[nodes] > 0
            found_starts.append(starts[ending])
            found_ends.append(starts[ending] + length)
            found_nodes.append(nodes[ending])
            after = starts + length
            on = after < doc_end[starts]
            starts, nodes, after = starts[on], nodes[on], after[on]
            following = numbers[after]
            on = following >= 0
            starts, edge = starts[on], nodes[on] * size + following[on]
            if not len(edges):
                break
            at = np.minimum(np.searchsorted(edges, edge), last_edge)
            on = edges[at] == edge
            starts, nodes = starts[on], children[at[on]]
            length += 1
        if not found_starts:
            return [[] for _ in docs]
        first = np.concatenate(found_starts)
        end = np.concatenate(found_ends)
        node = np.concatenate(found_nodes)
        order = np.lexsort((end, first))  # (start, end) is one phrase: no two the same
        first, end, node = first[order], end[order], node[order]
        counts = self._counts[node]
        first, end = np.repeat(first, counts), np.repeat(end, counts)
        nth = np.arange(len(first)) - np.repeat(np.cumsum(counts) - counts, counts)
        keys = self._keys[np.repeat(self._first_key[node], counts) + nth]
        doc = np.searchsorted(ends, first, side="right")
        offset = (ends - sizes)[doc]
        flat = list(zip(keys.tolist(), (first - offset).tolist(), (end - offset).tolist(), strict=True))
        cuts = np.searchsorted(doc, np.arange(len(docs) + 1)).tolist()
        return [flat[a:b] for a, b in itertools.pairwise(cuts)]

    def _numbers_of(self, tokens: np.ndarray) -> np.ndarray:
        """Each token's number, -1 for a token in no phrase."""
        slots = len(self._tokens)
        out = np.full(len(tokens), -1, np.int64)
        todo = np.arange(len(tokens))
        slot = (tokens & np.uint64(slots - 1)).astype(np.int64)
        while len(todo):
            n = self._numbers[slot]
            hit = (n >= 0) & (self._tokens[slot] == tokens[todo])
            out[todo[hit]] = n[hit]
            more = (n >= 0) & ~hit
            todo, slot = todo[more], (slot[more] + 1) & (slots - 1)
        return out


def _preshed_order(keys: list[int]) -> list[int]:
    """The order in which spaCy's matcher gives the match ids of the same words: that of the
    cells of the hash table (preshed's) they were set in one after the other, open addressing
    from the id's low bits, 8 cells at first and twice as many when the table grows 3/5 full."""
    cells: list[int | None] = [None] * 8
    filled = 0
    for key in keys:
        filled += _set_cell(cells, key)
        if (filled + 1) * 5 >= len(cells) * 3:
            old, cells = cells, [None] * (2 * len(cells))
            for kept in old:
                if kept is not None:
                    _set_cell(cells, kept)
    return [key for key in cells if key is not None]


def _set_cell(cells: list[int | None], key: int) -> int:
    mask = len(cells) - 1
    at = key & mask
    while cells[at] is not None and cells[at] != key:
        at = (at + 1) & mask
    new = cells[at] is None
    cells[at] = key
    return int(new)


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
    end = r"(?!\w)" if whole else ""
    alternatives = "|".join(map(re.escape, _phrase_variants(phrases)))
    return re.compile(r"(?<!\w)(?:" + alternatives + ")" + end, re.IGNORECASE)


def _phrase_variants(phrases: Iterable[str]) -> list[str]:
    """The spellings ``phrase_regex`` looks for, the longest first."""
    return sorted({v for p in phrases for v in alias_variants(p, plural=False)}, key=lambda v: (-len(v), v))


_WORD_CHAR = re.compile(r"\w")
#: The characters that ``re`` ignoring case matches to an ASCII letter but that do not lowercase to
#: it: dotted capital I and dotless i ("i"), long s ("s"). (``tests/test_perf_matchers.py`` checks
#: every character.)
_FOLD_EXCEPTIONS = ("\u0130", "\u0131", "\u017f")


def folds_as_lowercase(text: str) -> bool:
    """Whether an ASCII expression or phrase that ignores case finds in ``text`` just what its
    lowercase finds in ``text.lower()``, at the same offsets."""
    return text.isascii() or not any(c in text for c in _FOLD_EXCEPTIONS)


class PhraseSets:
    """Which of several named sets of phrases a text names: for each set, whether ``phrase_regex``
    of its phrases finds something.

    The ~55 expressions of a corpus's ``not_with`` phrases are alternatives of hundreds of spellings
    after a lookbehind, which ``re`` tries at every character (about 30 µs a search in an abstract).
    Here one pass of an automaton over the text's lowercase finds the spellings of every set; a hit
    counts where no word character comes before it, as the lookbehind asks. Sets with a spelling
    that is not ASCII or is empty, and texts where ignoring case is not lowercasing
    (``folds_as_lowercase``), are searched with their expression (compiled when first needed).
    """

    def __init__(self, sets: dict[str, Iterable[str]]) -> None:
        self._phrases = {name: tuple(phrases) for name, phrases in sets.items()}
        self._expressions: dict[str, re.Pattern[str]] = {}
        self._searched: set[str] = set()  # sets that are always searched with their expression
        owners: dict[str, set[str]] = {}
        for name, phrases in self._phrases.items():
            variants = _phrase_variants(phrases)
            if not variants or not all(v and v.isascii() for v in variants):
                self._searched.add(name)
                continue
            for variant in variants:
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
