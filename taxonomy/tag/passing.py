"""Names in passing: the items of a list and the examples of a kind, which are not a paper's method.

"Tasks such as meta-learning, bilevel optimization and reinforcement learning", "modern machine
learning models such as generative adversarial networks and invertible flow models": read from the
text around a mention (its sentence and offsets), for the tagger's roles and the primary decision.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
from collections import defaultdict
from collections.abc import Callable
from typing import TypeVar

from taxonomy.models import Mention
from taxonomy.rules import Cues, Taxonomy

T = TypeVar("T")

# Where the stretch of a sentence that may hold a list begins or ends.
# "like" after a plural noun gives examples as "such as" does ("algorithms like Random Forest,
# XGBoost"); after a verb ("works like"), or written onto a word ("RNN-like"), it gives a likeness.
_CLAUSE = re.compile(
    r"[;:()]|\bsuch as\b|\bincluding\b|\be\.g\.|\b(?i:for) (?:instance|example)\b"
    # (literal first, the words before it looked behind at: tried only where "like" is written)
    r"|like\b(?:(?<=[a-z]{2}s like)|(?<=[a-z]{2}s, like))(?<!looks like)(?<!seems like)(?<!sounds like)"
    r"(?<!behaves like)(?<!works like)(?<!acts like)(?<!feels like)(?<!does like)(?<!was like)(?<!has like)"
)
# What every match of ``_CLAUSE`` holds as written: a text without any has none (substring scans
# tell that faster than the expression's search, which tries its branches at every character).
_CLAUSE_MARKS = (
    ";",
    ":",
    "(",
    ")",
    "such as",
    "including",
    "e.g.",
    " instance",
    " example",
    "s like",
    "s, like",
)
_JOIN = re.compile(r"\b(?:and|or|etc)\b")
_GERUND = re.compile(r"[a-z]+ing")
# The markers of a stretch of examples that ``mixed_examples`` reads (``_CLAUSE`` finds them as
# written, so a sentence without one as a substring has none).
_EXAMPLE_MARKERS = ("such as", "including", "e.g.", "like")
# What a sentence holding one of them holds as written ("like" counts only after a plural).
_EXAMPLE_MARKS = ("such as", "including", "e.g.", "s like", "s, like")
# What joins two names of one list, and the most words between them ("CNNs and the larger ViTs").
_LIST_JOIN = re.compile(r",|/|\b(?:and|or)\b")
LIST_GAP_WORDS = 4
# A bracket with no bracket inside: an aside between two items of a list.
_ASIDE = re.compile(r"\([^()]*\)")
# Words that link one name to another of a different thing ("the loss during meta-training").
_LINKS = frozenset(
    [
        "about",
        "across",
        "after",
        "against",
        "as",
        "at",
        "by",
        "during",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "over",
        "through",
        "to",
        "under",
        "via",
        "with",
        "within",
    ]
)


def _bounds(text: str) -> list[re.Match[str]]:
    """The clause marks of ``text`` outside brackets it closes: a bracket closed before a name (an
    acronym, a citation: "such as Wide Residual Networks (WRN) and ViTs") is an aside, not an end of
    the clause the name is in."""
    bounds: list[re.Match[str]] = []
    opened: list[int] = []
    for mark in _CLAUSE.finditer(text):
        if mark.group() == "(":
            opened.append(len(bounds))
        elif mark.group() == ")" and opened:
            del bounds[opened.pop() :]
            continue
        bounds.append(mark)
    return bounds


def listed(mention: Mention) -> bool:
    """The mention is an item of a list of three or more ("tasks such as meta-learning, bilevel
    optimization and reinforcement learning"): an example named in passing."""
    at = mention.start - mention.sentence_start
    before = _CLAUSE.split(mention.sentence[:at])[-1].rstrip()
    after = _CLAUSE.split(mention.sentence[at + len(mention.text) :])[0]
    head, _, lead = before.rpartition(",")
    if "," in head and _GERUND.fullmatch(lead.strip()) and _JOIN.search(after):
        before = head + ","  # an item led by its own verb: "interpretability, preventing forgetting, etc."
    if before.endswith((",", " and", " or", "/")):  # the second or a later item
        return "," in before or (before.endswith(",") and bool(_JOIN.search(after)))
    return after.startswith(",") and "," in after[1:] + "," and bool(_JOIN.search(after))


def exemplified(mention: Mention) -> bool:
    """The mention is an example named in passing: an item of a list of three or more after "such
    as", "including", "e.g.", "for instance", "for example" or a plural and "like" ("architectures
    such as MLPs, CNNs and ViTs", "alternatives (e.g. H3, Mamba, RWKV)", "algorithms like Random
    Forest, XGBoost", but not the parts a model "consists of"), or any name after one of these but "including"
    that follows a word for the settings a method applies to ("application scenarios such as
    federated and continual learning", "other learning settings such as continual learning"), or
    the word "other" ("stacked with other popular models such as Transformers and SSMs"); an end of
    a range ("a wide variety of DNNs, from simple multilayer perceptrons to graph networks"); or a
    name after a colon that follows a word for a method's uses ("with two applications: ..., and
    analyzing random forests")."""
    at = mention.start - mention.sentence_start
    before = mention.sentence[:at]
    # every match of _RANGE holds "from" in some case, which lowercases to it
    if "from" in before.lower() and _RANGE.search(before):
        return True
    if not any(mark in before for mark in _CLAUSE_MARKS):
        return False
    bounds = _bounds(before)
    if not bounds:
        return False
    marker = bounds[-1]
    if marker.group() == ":":
        # "with two applications: ..., and analyzing random forests": what a method is applied to
        lead = mention.sentence[: marker.start()].split()[-SETTING_WORDS:]
        words = {w.lower() for w in lead}
        return (
            not words.isdisjoint(USES)
            and words.isdisjoint(OWN_TASKS)
            and not _OWN.search(mention.sentence[marker.end() : at])
        )
    if marker.group().lower() not in ("such as", "including", "e.g.", "for instance", "for example", "like"):
        return False
    if _PARTS.search(before, 0, marker.start()):
        return False  # "our solution consists of blocks like convolutional and self-attention layers"
    if listed(mention) or _first_of_commas(mention):
        return True
    if marker.group() == "including":
        return False
    between = mention.sentence[marker.end() : at]
    lead = mention.sentence[: marker.start()].rstrip(" ,(").split()[-SETTING_WORDS:]
    return (
        len(between.split()) <= EXAMPLE_WORDS
        and not _OWN.search(between)
        and any(word.lower().strip(",") in SETTINGS or word.lower() == "other" for word in lead)
    )


def _first_of_commas(mention: Mention) -> bool:
    """The first of three or more names separated by commas alone ("e.g. H3, Mamba, RWKV)")."""
    after = _CLAUSE.split(mention.sentence[mention.start - mention.sentence_start + len(mention.text) :])[0]
    return after.startswith(",") and after.count(",") >= 2


#: Words for what a method is applied to: a name given as an example of them is not the method.
SETTINGS = frozenset(
    {
        "application",
        "applications",
        "scenario",
        "scenarios",
        "setting",
        "settings",
        "problem",
        "problems",
        "task",
        "tasks",
        "domain",
        "domains",
        "field",
        "fields",
        "area",
        "areas",
        "phenomena",
        "phenomenon",
        "situation",
        "situations",
        "regime",
        "regimes",
        "context",
        "contexts",
        "case",
        "cases",
    }
)
#: Words for the uses a method is put to: what follows them after a colon ("two applications: ...")
#: is what it is applied or evaluated on. ("Setting" and "problem" there often name the paper's own
#: subject: "we study a basic formulation of this problem: PCA".)
USES = frozenset({"application", "applications", "task", "tasks"})
#: Tasks that are part of a method, not what it is applied to ("three pre-training tasks: ...").
OWN_TASKS = frozenset(
    {"pre-training", "pretraining", "pretext", "auxiliary", "training", "proxy", "surrogate"}
)
#: How many words before "such as" may hold such a word ("applications in robotics such as").
SETTING_WORDS = 3
#: The most words between "such as" and a name that is still one of its examples.
EXAMPLE_WORDS = 12
# The ends of a range of examples: "a wide variety of DNNs, from simple multilayer perceptrons to
# complex graph networks" names two of the many models a method applies to (the text before a name).
_RANGE = re.compile(
    r"(?:\b(?:variety|range|spectrum|array|classes|kinds|types) of\b[^;:()]{0,60}?,\s*from|\branging from)\b"
    r"(?:\s+[\w-]+){0,2}\s*(?:$|[^;:()]*?\bto(?:\s+[\w-]+){0,2}\s*$)",
    re.IGNORECASE,
)
# What a model is made of: the names after "such as" that follow are its parts, not examples.
_PARTS = re.compile(r"\b(?:consists? of|consisting of|composed of|comprises|comprising|made up of)\b")
# Words that start a clause of the authors' own after a list of examples ("..., and we train a CNN").
_OWN = re.compile(r"\b(?:we|our|this paper|this work)\b", re.IGNORECASE)


def mixed_examples(taxonomy: Taxonomy, mentions: tuple[Mention, ...]) -> tuple[Mention, ...]:
    """Names of two families given side by side as examples are examples, not the paper's method.

    "Modern machine learning models such as generative adversarial networks and invertible flow
    models", "general deep learning operations such as convolution and attention": after "such as",
    "including" or "e.g." in an abstract's sentence (up to a bracket, colon or semicolon), names
    joined into one list (``_joined_runs``) of which two have families and share none say what a
    method or a finding covers. Their ``uses`` and ``proposes`` roles become ``mentions``, with the
    marker as cue. A name the authors claim ("such as our CNN"), one after a marker that opens the
    sentence, and builds-on cues stay.
    """
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, m in enumerate(mentions):
        if m.field != "abstract" or not any(mark in m.sentence for mark in _EXAMPLE_MARKS):
            continue
        at = m.start - m.sentence_start
        bounds = _bounds(m.sentence[:at])
        if not bounds or bounds[-1].group() not in _EXAMPLE_MARKERS:
            continue
        marker = bounds[-1]
        if (
            m.sentence[: marker.start()].strip(" ,(")
            and not _OWN.search(m.sentence[marker.end() : at])
            and not _PARTS.search(m.sentence, 0, marker.start())
        ):
            groups[(m.sentence_start, marker.start())].append(i)
    if not groups:
        return mentions
    builds_on = builds_on_cues(taxonomy.cues)
    concepts = taxonomy.concepts
    examples: dict[int, str] = {}
    for (_, at), items in groups.items():
        cue = _CLAUSE.match(mentions[items[0]].sentence, at)
        for run in _joined_runs(mentions, sorted(items, key=lambda i: mentions[i].start)):
            families = [
                set(concepts[mentions[i].concept].families)
                for i in run
                if mentions[i].role != "compares" and concepts[mentions[i].concept].families
            ]
            if cue and any(a.isdisjoint(b) for a, b in itertools.combinations(families, 2)):
                for i in run:
                    if mentions[i].role in ("uses", "proposes") and mentions[i].cue.lower() not in builds_on:
                        examples[i] = cue.group()
    if not examples:
        return mentions
    return tuple(
        dataclasses.replace(m, role="mentions", cue=examples[i]) if i in examples else m
        for i, m in enumerate(mentions)
    )


def _joined_runs(mentions: tuple[Mention, ...], items: list[int]) -> list[list[int]]:
    """The items (mentions of one sentence, in order) split into runs of names joined into a list:
    one word but a preposition apart ("the MoE model Mixtral", not "the distillation loss during
    meta-training"), or a few words apart with a comma, "and", "or" or a slash between ("a
    personalized Stable Diffusion and an aligned Mistral"). Names that touch or overlap are one
    name ("zero-shot ICL", "model poisoning attacks"), not two items."""
    runs = [[items[0]]]
    for before, after in itertools.pairwise(items):
        a, b = mentions[before], mentions[after]
        between = a.sentence[a.end - a.sentence_start : b.start - b.sentence_start]
        if "(" in between:
            # an acronym or a citation after an item: "Transformers (Vaswani et al., 2017) and"
            between = _ASIDE.sub(" ", between)
        words = len(between.split())
        if (words == 1 and between.strip().lower() not in _LINKS) or (
            words <= LIST_GAP_WORDS and _LIST_JOIN.search(between)
        ):
            runs[-1].append(after)
        else:
            runs.append([after])
    return runs


def per_cues(build: Callable[[Cues], T]) -> Callable[[Cues], T]:
    """``build`` run once for each cues object: what a decision reads of the cues, remembered.

    (``functools.cache`` would hash the whole object, every field's hundreds of phrases, at each
    call: 4 microseconds each, some 58,000 times over 13,775 papers.)"""
    memo: dict[int, tuple[Cues, T]] = {}

    @functools.wraps(build)
    def get(cues: Cues) -> T:
        hit = memo.get(id(cues))
        if hit is None or hit[0] is not cues:
            hit = memo[id(cues)] = (cues, build(cues))
        return hit[1]

    return get


@per_cues
def builds_on_cues(cues: Cues) -> frozenset[str]:
    """The builds-on cues, lowercase ("X-based"): a name they mark is what a method is made of."""
    return frozenset(c.lower() for c in cues.builds_on)
