"""The typed relations a paper gives between concepts, and what a paper's own method is.

*compared with*: a paper proposes or uses A and compares it with B. *builds on*: "A-based B" or "B
built on A". *combined with*: the paper's **own method** holds both A and B (of different
families): both are named in its title; or, in one sentence of the abstract that is not a report
of experiments, one is proposed and the other proposed or used, or (nothing being proposed there)
both are used ("we propose a model with a CNN encoder and an LSTM decoder", not "our experiments use
a CNN and an LSTM", nor the CNN with the LSTM in "we apply our pruning to a CNN and an LSTM"); or
one is built on the other; and two families the paper
is about are combined when two such concepts of theirs are, or when its own method is one concept
of both (an SSM-attention hybrid). A paper that only uses two
families side by side combines nothing.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from taxonomy.models import STRONG_ROLES, ConceptHit, Mention, TaggedPaper
from taxonomy.rules import Taxonomy

Relation = tuple[str, str, str]  # (kind, a, b)


@lru_cache(maxsize=8)
def _evaluation_words(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """A regex finding any of the rules' evaluation phrases as whole words ("experiments show")."""
    if not phrases:
        return None
    words = sorted({re.escape(p.lower()) for p in phrases}, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(words) + r")(?![\w-])")


def is_evaluation(sentence: str, taxonomy: Taxonomy) -> bool:
    """True when the sentence reports experiments or results (the rules' ``evaluation`` cues)."""
    found = _evaluation_words(taxonomy.cues.evaluation)
    return found is not None and found.search(sentence.lower()) is not None


def is_own(mention: Mention) -> bool:
    """A mention of the paper's own method: proposed anywhere, or named in the title and not compared."""
    return mention.role == "proposes" or (mention.field == "title" and mention.role != "compares")


def own_pairs(tp: TaggedPaper, taxonomy: Taxonomy) -> set[tuple[str, str]]:
    """Pairs of concepts the paper's own method holds together (sorted pairs): two named in its
    title; in an abstract sentence that is not a report of experiments, a proposed concept with
    another proposed or used one ("we apply our pruning to a CNN and an LSTM" pairs the pruning
    with each, not the CNN with the LSTM), or, where nothing is proposed, two used ones; and a
    concept with the one built on it."""
    pairs: set[tuple[str, str]] = set()

    def pair_all(group: Iterable[str]) -> None:
        pairs.update(itertools.combinations(sorted(set(group)), 2))

    pair_all(m.concept for m in tp.mentions if m.field == "title" and m.role != "compares")
    sentences: dict[int, list[Mention]] = {}
    for m in tp.mentions:
        if m.field == "abstract" and m.role in STRONG_ROLES:
            sentences.setdefault(m.sentence_start, []).append(m)
    for mentions in sentences.values():
        if is_evaluation(mentions[0].sentence, taxonomy):
            continue
        proposed = {m.concept for m in mentions if m.role == "proposes"}
        used = {m.concept for m in mentions} - proposed
        if not proposed:
            pair_all(used)
            continue
        pair_all(proposed)
        pairs.update(tuple(sorted((p, u))) for p in proposed for u in used)  # type: ignore[misc]
    for m in tp.mentions:
        if m.head and m.role in STRONG_ROLES and m.head != m.concept:
            pairs.add((min(m.concept, m.head), max(m.concept, m.head)))
    return pairs


def relations_of(
    tp: TaggedPaper, direct: Mapping[str, ConceptHit], primary: Iterable[str], taxonomy: Taxonomy
) -> set[Relation]:
    """Every typed relation the paper gives, each once."""
    concepts = taxonomy.concepts

    def related(a: str, b: str) -> bool:
        return a == b or a in concepts[b].ancestors or b in concepts[a].ancestors

    strong = sorted(c for c, hit in direct.items() if hit.role in STRONG_ROLES)
    compared = sorted(c for c, hit in direct.items() if hit.role == "compares")
    found: set[Relation] = set()
    for a in strong:
        for b in compared:
            if not related(a, b):
                found.add(("compared_with", a, b))
    primary_families = set(primary)
    for a, b in sorted(own_pairs(tp, taxonomy)):
        fa, fb = set(concepts[a].families), set(concepts[b].families)
        if fa == fb or related(a, b):
            continue
        found.add(("combined_with", a, b))
        # The families the two concepts belong to are combined too, where the paper is about them.
        for first, second in itertools.product(sorted(fa & primary_families), sorted(fb & primary_families)):
            if first != second:
                found.add(("combined_with", min(first, second), max(first, second)))
    # A concept of several families (an SSM-attention hybrid) that is the paper's own method
    # combines those of its families the paper is about.
    for concept in sorted({m.concept for m in tp.mentions if is_own(m)}):
        both = sorted(set(concepts[concept].families) & primary_families)
        for first, second in itertools.combinations(both, 2):
            found.add(("combined_with", first, second))
    for mention in tp.mentions:
        if mention.head and mention.head != mention.concept:
            found.add(("builds_on", mention.head, mention.concept))
    return found


#: How well a paper shows a family as its own method: named in the title and proposed (0), one of
#: the two (1), neither (2: it only uses, mentions or compares the family's concepts).
OWN_TITLE_AND_PROPOSED, OWN_METHOD, NOT_OWN = 0, 1, 2


def family_tiers(tp: TaggedPaper, taxonomy: Taxonomy) -> dict[str, int]:
    """For each family the paper names, how well the paper shows it as its own method (lower: better)."""
    titled: set[str] = set()
    proposed: set[str] = set()
    named: set[str] = set()
    for m in tp.mentions:
        families = taxonomy.concepts[m.concept].families
        named.update(families)
        if m.field == "title" and m.role != "compares":
            titled.update(families)
        if m.role == "proposes":
            proposed.update(families)
    return {f: 2 - (f in titled) - (f in proposed) for f in named}
