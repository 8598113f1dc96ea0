"""The primary-family decision: mentions weighted by field and role, summed with decay per family."""

from __future__ import annotations

import dataclasses
import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

from taxonomy.models import ROLES, ConceptHit, Mention, Paper, TaggedPaper
from taxonomy.rules import Cues, Scoring, Taxonomy

ROLE_RANK = {role: i for i, role in enumerate(ROLES)}


def mention_weight(taxonomy: Taxonomy, mention: Mention) -> float:
    """How much a mention counts towards its families, by field and role (from scoring.yaml)."""
    return taxonomy.scoring.weights[mention.field][mention.role]


def contributions(taxonomy: Taxonomy, mentions: Iterable[Mention]) -> dict[str, list[tuple[float, Mention]]]:
    """Each family's weighted mentions, strongest first (the order the decay is applied in)."""
    out: dict[str, list[tuple[float, Mention]]] = defaultdict(list)
    for mention in mentions:
        weight = mention_weight(taxonomy, mention)
        for family in taxonomy.concepts[mention.concept].families:
            out[family].append((weight, mention))
    for entries in out.values():
        entries.sort(key=lambda e: -e[0])
    return dict(out)


def decayed(weights: Iterable[float], decay: float) -> float:
    """Sum of weights, strongest first, the i-th one scaled by decay**i."""
    return sum(w * decay**i for i, w in enumerate(sorted(weights, reverse=True)))


@functools.cache
def workload_cues(cues: Cues) -> frozenset[str]:
    """Cues that make a name a task or a workload ("language modeling tasks", "experiments on")."""
    own = {phrase.lower() for phrase, role in cues.before + cues.after if role == "mentions"}
    return frozenset(own | {phrase.lower() for phrase in cues.evaluation + cues.reports})


def _alternatives(phrases: Iterable[str]) -> str:
    """The phrases as one alternation of escaped lowercase spellings, longest first ("" for none)."""
    return "|".join(sorted({re.escape(p.lower()) for p in phrases}, key=len, reverse=True))


@functools.cache
def _reported(cues: Cues) -> tuple[re.Pattern[str], frozenset[str]]:
    """The words that open a report of experiments as one pattern, and the builds-on cues."""
    words = _alternatives(cues.reports)
    pattern = re.compile(r"\b(?:" + words + r")\b" if words else r"(?!)", re.IGNORECASE)
    return pattern, frozenset(c.lower() for c in cues.builds_on)


@functools.cache
def _metrics(cues: Cues) -> re.Pattern[str]:
    """The names of result metrics ("top-1", "BLEU"), to find wherever they are in a sentence."""
    words = _alternatives(cues.metrics)
    return re.compile(r"(?<![\w-])(?:" + words + r")(?![\w-])" if words else r"(?!)", re.IGNORECASE)


@functools.cache
def _run_on(cues: Cues) -> re.Pattern[str]:
    """What follows a model run on a benchmark data set: "(ResNet-50) trained on ImageNet".

    Matched where the model's name ends: at most 60 characters with no comma, colon, semicolon,
    bracket or full stop, then "on" or "over", and a data set's name.
    """
    names = _alternatives(cues.datasets)
    if not names:
        return re.compile(r"(?!)")
    return re.compile(
        r"[^.,;:()\[\]!?]{0,60}?(?<![\w-])(?P<cue>(?:on|over)\s+(?:the\s+)?(?:" + names + r"))(?![\w-])",
        re.IGNORECASE,
    )


def workloads(taxonomy: Taxonomy, mentions: tuple[Mention, ...]) -> tuple[Mention, ...]:
    """Models used only in reports of experiments are the workloads of a paper with a method of its own.

    "Extensive experiments using mainstream CNN models show that our optimizer ...": a name used in
    an abstract's sentence after the words that open a report of experiments (the cues' ``reports``:
    "experiments", "we evaluate"), in one that names a result metric (``metrics``: "top-1"), or just
    before "on" a benchmark data set (``datasets``: "we prune ResNet-50 on ImageNet"), is what the
    paper's method is tried on, when none of its families
    is named in the title or involved elsewhere in the abstract, and another family is; in a paper
    that involves no other family, when it is an item of a list ("experiments using ARIMA, Prophet
    and Transformer models"). Its role becomes ``mentions``, its cue those words. (Two families'
    models in one report are workloads whatever else the paper does: the tagger.)
    """
    pattern, builds_on = _reported(taxonomy.cues)
    metrics = _metrics(taxonomy.cues)
    run_on = _run_on(taxonomy.cues)
    concepts = taxonomy.concepts
    reported: dict[int, str] = {}
    for i, m in enumerate(mentions):
        if m.field == "abstract" and m.role == "uses" and m.cue.lower() not in builds_on:
            found = pattern.search(m.sentence, 0, m.start - m.sentence_start) or metrics.search(m.sentence)
            if found:
                reported[i] = found.group()
            elif found := run_on.match(m.sentence, m.end - m.sentence_start):
                reported[i] = found.group("cue")
    if not reported:
        return mentions
    elsewhere = {
        f
        for i, m in enumerate(mentions)
        if i not in reported and involved(m)
        for f in concepts[m.concept].families
    }
    return tuple(
        dataclasses.replace(m, role="mentions", cue=reported[i])
        if i in reported and (elsewhere.isdisjoint(concepts[m.concept].families) if elsewhere else listed(m))
        else m
        for i, m in enumerate(mentions)
    )


def primary_families(
    scoring: Scoring,
    family_scores: Mapping[str, float],
    entries: Mapping[str, list[tuple[float, Mention]]],
    cues: Cues | None = None,
) -> tuple[str, ...]:
    """Families whose score reaches ``min_score`` and ``min_share`` of the top score.

    With ``mentions_alone`` off, a family named only in passing (abstract mentions, none in a
    sentence about the authors' work) does not reach ``min_score`` however often it is named.
    When none does, the top-scoring family is primary (a paper is more likely about what it names,
    if only once, than about nothing), unless it is named only as an item of a list or an example of
    what a method applies to, or named in a sentence quoting a result metric ("reaches 71.8% top-1
    accuracy"). Between equal scores, a family named only as what another
    name builds on ("Transformer-based language models") yields to the one it describes; families
    still equal are examples in passing ("generative models like GANs and VAEs"), and none is chosen.
    The fallback reads the workload cues and result metrics of ``cues`` (none without them).
    """
    top = max(family_scores.values(), default=0.0)
    chosen = [
        f
        for f, s in family_scores.items()
        if s >= scoring.min_score
        and s >= scoring.min_share * top
        and (scoring.mentions_alone or any(involved(m) for _, m in entries[f]))
    ]
    if not chosen and scoring.fallback and top > 0:
        workloads = workload_cues(cues) if cues else frozenset()
        metrics = _metrics(cues) if cues else None
        named = {
            f: [
                m
                for w, m in entries[f]
                if w > 0
                and not listed(m)
                and not exemplified(m)
                and m.cue.lower() not in workloads
                and not (cues and cues.applied_to(m.cue))
                and not (metrics and metrics.search(m.sentence))
            ]
            for f in family_scores
        }
        chosen = [f for f, s in family_scores.items() if s == top and named[f]]
        heads = [f for f in chosen if any(not m.head for m in named[f])]
        chosen = heads or chosen
        if len(chosen) > 1:
            chosen = []  # "generative models like GANs and VAEs": examples, not the subject
    return tuple(sorted(chosen))


def involved(mention: Mention) -> bool:
    """The mention says the paper involves the concept: in the title, or used or proposed."""
    return mention.field == "title" or mention.role in ("proposes", "uses")


# Where the stretch of a sentence that may hold a list begins or ends.
_CLAUSE = re.compile(r"[;:()]|\bsuch as\b|\bincluding\b|\be\.g\.|\b(?i:for) (?:instance|example)\b")
_JOIN = re.compile(r"\b(?:and|or|etc)\b")
_GERUND = re.compile(r"[a-z]+ing")


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
    as", "including", "e.g.", "for instance" or "for example" ("architectures such as MLPs, CNNs and
    ViTs", "alternatives (e.g. H3, Mamba, RWKV)"), or any name after one of these but "including"
    that follows a word for the settings a method applies to ("application scenarios such as
    federated and continual learning", "other learning settings such as continual learning"), or
    the word "other" ("stacked with other popular models such as Transformers and SSMs"); an end of
    a range ("a wide variety of DNNs, from simple multilayer perceptrons to graph networks"); or a
    name after a colon that follows a word for a method's uses ("with two applications: ..., and
    analyzing random forests")."""
    at = mention.start - mention.sentence_start
    if _RANGE.search(mention.sentence[:at]):
        return True
    bounds = list(_CLAUSE.finditer(mention.sentence[:at]))
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
    if marker.group().lower() not in ("such as", "including", "e.g.", "for instance", "for example"):
        return False
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
# Words that start a clause of the authors' own after a list of examples ("..., and we train a CNN").
_OWN = re.compile(r"\b(?:we|our|this paper|this work)\b", re.IGNORECASE)


def decide(taxonomy: Taxonomy, paper: Paper, mentions: tuple[Mention, ...]) -> TaggedPaper:
    """Score families from the mentions and pick the primary ones (weights from scoring.yaml)."""
    scoring = taxonomy.scoring
    mentions = workloads(taxonomy, mentions)
    entries = contributions(taxonomy, mentions)
    family_scores = {
        family: decayed((w for w, _ in e), scoring.repeat_decay) for family, e in entries.items()
    }
    primary = primary_families(scoring, family_scores, entries, taxonomy.cues)
    by_concept: dict[str, list[Mention]] = defaultdict(list)
    for mention in mentions:
        by_concept[mention.concept].append(mention)
    hits = tuple(
        ConceptHit(
            concept=cid,
            count=len(ms),
            score=round(decayed((mention_weight(taxonomy, m) for m in ms), scoring.repeat_decay), 3),
            role=min((m.role for m in ms), key=ROLE_RANK.__getitem__),
        )
        for cid, ms in sorted(by_concept.items())
    )
    return TaggedPaper(
        paper=paper,
        mentions=mentions,
        concepts=hits,
        families_primary=primary,
        families_mentioned=tuple(sorted(family_scores)),
        family_scores=tuple((f, round(s, 3)) for f, s in sorted(family_scores.items())),
    )
