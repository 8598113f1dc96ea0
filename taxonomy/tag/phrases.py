"""Phrase matchers that hold little memory: spaCy's with its phrases packed, and a trie of arrays.

spaCy's ``PhraseMatcher`` keeps a Python copy of every phrase besides the trie of hash tables it
matches with, and that trie costs about 300 bytes a node (each table and its cells are allocations
that its memory pool records in a dict): for the ~73,000 lowercase phrases of the bundled rules
about 20 MB and 55 MB. The case-sensitive phrases (~2,000) stay with spaCy's matcher, packed; the
lowercase ones are matched by ``PhraseTrie``, which gives the same matches in the same order.
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from spacy.attrs import LOWER
from spacy.matcher import PhraseMatcher
from spacy.strings import StringStore
from spacy.tokens import Doc
from spacy.vocab import Vocab

from taxonomy.tag.matchers import lowercase

#: Docs whose phrase matches the trie finds at once (it costs a few numpy calls a step for all).
MATCH_DOCS = 256


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
    getters = vocab.lex_attr_getters  # type: ignore[attr-defined]
    # Adding a phrase makes a word of its match key ("cased|mae|mae:alias:MAE"), whose lexical
    # attributes nobody reads; computing them all (shape, like_url ...) for the ~12,000 keys of the
    # bundled rules was most of the time a stored tagger took to read back.
    vocab.lex_attr_getters = {LOWER: lowercase}  # type: ignore[attr-defined]
    try:
        return _matcher_of(packed, vocab)
    finally:
        vocab.lex_attr_getters = getters  # type: ignore[attr-defined]


def _matcher_of(packed: PackedPhrases, vocab: Vocab) -> PhraseMatcher:
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


#: A Doc and its lowercase phrase matches (None when they are yet to be found).
Tokens = tuple[Doc, list[RawMatch] | None]


def with_matches(docs: Iterable[Doc], trie: PhraseTrie) -> Iterator[Tokens]:
    """Each Doc with its matches, found ``MATCH_DOCS`` Docs at a time."""
    docs = iter(docs)
    while chunk := list(itertools.islice(docs, MATCH_DOCS)):
        yield from zip(chunk, trie.match(chunk), strict=True)
