"""The primary-family decision: mentions weighted by field and role, summed with decay per family."""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

from taxonomy.models import ROLES, ConceptHit, Mention, Paper, TaggedPaper
from taxonomy.rules import Cues, Scoring, Taxonomy
from taxonomy.tag.matches import folds_as_lowercase
from taxonomy.tag.passing import builds_on_cues, exemplified, listed, mixed_examples, per_cues

ROLE_RANK = {role: i for i, role in enumerate(ROLES)}


def mention_weight(taxonomy: Taxonomy, mention: Mention) -> float:
    """How much a mention counts towards its families, by field and role (from scoring.yaml).

    A task's name ("language modeling") in an abstract counts for nothing: there it says what a
    method is trained or evaluated on ("results on image classification and language modeling"),
    not what it is. So is a reference model's ("ResNet-18"): there it is what a method is shown on.
    In a title either is the paper's subject and counts as any name."""
    if mention.field == "abstract" and taxonomy.concepts[mention.concept].names_a_workload:
        return 0.0
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


@per_cues
def workload_cues(cues: Cues) -> frozenset[str]:
    """Cues that make a name a task or a workload ("language modeling tasks", "experiments on")."""
    own = {phrase.lower() for phrase, role in cues.before + cues.after if role == "mentions"}
    return frozenset(own | {phrase.lower() for phrase in cues.evaluation + cues.reports})


def _alternatives(phrases: Iterable[str]) -> str:
    """The phrases as one alternation of escaped lowercase spellings, longest first ("" for none)."""
    return "|".join(sorted({re.escape(p.lower()) for p in phrases}, key=len, reverse=True))


@per_cues
def _reported(cues: Cues) -> re.Pattern[str]:
    """The words that open a report of experiments as one pattern."""
    words = _alternatives(cues.reports)
    return re.compile(r"\b(?:" + words + r")\b" if words else r"(?!)", re.IGNORECASE)


@per_cues
def _metrics(cues: Cues) -> re.Pattern[str]:
    """The names of result metrics ("top-1", "BLEU"), to find wherever they are in a sentence."""
    words = _alternatives(cues.metrics)
    return re.compile(r"(?<![\w-])(?:" + words + r")(?![\w-])" if words else r"(?!)", re.IGNORECASE)


@per_cues
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


@per_cues
def _run_with(cues: Cues) -> re.Pattern[str]:
    """What comes before a model a benchmark data set is run with: "on ImageNet using (ResNet-34)".

    Searched in the text before the model's name, which it must reach: "on" or "over", a data set's
    name, at most 30 characters with no comma, colon, semicolon, bracket or full stop, then "with" or
    "using" and at most three words.
    """
    names = _alternatives(cues.datasets)
    if not names:
        return re.compile(r"(?!)")
    return re.compile(
        r"(?<![\w-])(?P<cue>(?:on|over)\s+(?:the\s+)?(?:" + names + r"))(?![\w-])[^.,;:()\[\]!?]{0,30}?"
        r"(?<![\w-])(?:with|using)\s+(?:[\w-]+\s+){0,3}\Z",
        re.IGNORECASE,
    )


@per_cues
def _spellings(cues: Cues) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """The report words and the metric names as ``_reported`` and ``_metrics`` look for them,
    lowercase (None when one is not ASCII: ``_first`` cannot tell where it is)."""

    def spellings(phrases: Iterable[str]) -> tuple[str, ...] | None:
        out = tuple(sorted({p.lower() for p in phrases}))
        return out if all(p and p.isascii() for p in out) else None

    return spellings(cues.reports), spellings(cues.metrics)


def _first(text: str, spellings: tuple[str, ...] | None) -> int:
    """Where the first of ``spellings`` is written in ``text`` in any case, -1 when nowhere: no
    expression of them ignoring case finds anything before it. 0 when that cannot be told."""
    if spellings is None or not folds_as_lowercase(text):
        return 0
    lower = text.lower()
    return min((at for at in map(lower.find, spellings) if at >= 0), default=-1)


def workloads(taxonomy: Taxonomy, mentions: tuple[Mention, ...]) -> tuple[Mention, ...]:
    """Models used only in reports of experiments are the workloads of a paper with a method of its own.

    "Extensive experiments using mainstream CNN models show that our optimizer ...": a name used in
    an abstract's sentence after the words that open a report of experiments (the cues' ``reports``:
    "experiments", "we evaluate"), in one that names a result metric (``metrics``: "top-1"), or just
    before "on" a benchmark data set (``datasets``: "we prune ResNet-50 on ImageNet") or just after
    "with" or "using" that follows one ("on ImageNet with ViT-L/14"), is what the
    paper's method is tried on, when none of its families
    is named in the title or involved elsewhere in the abstract, and another family is; in a paper
    that involves no other family, when it is an item of a list ("experiments using ARIMA, Prophet
    and Transformer models"). So is a name a proposal's cue reaches past the method it names ("We
    evaluate our new algorithms on a neural architecture search problem"; not "our new NAS method").
    Its role becomes ``mentions``, its cue those words. (Two families'
    models in one report are workloads whatever else the paper does: the tagger.)
    """
    pattern, builds_on = _reported(taxonomy.cues), builds_on_cues(taxonomy.cues)
    metrics = _metrics(taxonomy.cues)
    run_on, run_with = _run_on(taxonomy.cues), _run_with(taxonomy.cues)
    reports, metric_words = _spellings(taxonomy.cues)
    concepts = taxonomy.concepts
    reported: dict[int, str] = {}
    # by sentence (its start): where its first report word may start, and the metric it names
    first_report: dict[int, int] = {}
    metric: dict[int, re.Match[str] | None] = {}
    for i, m in enumerate(mentions):
        if m.field == "abstract" and m.role in ("uses", "proposes") and m.cue.lower() not in builds_on:
            if m.role == "proposes" and _next_to(m):
                continue  # "our new NAS method" is the authors' own
            at = m.sentence_start
            if at not in first_report:
                first_report[at] = _first(m.sentence, reports)
                metric[at] = metrics.search(m.sentence) if _first(m.sentence, metric_words) >= 0 else None
            start = m.start - m.sentence_start
            found = (
                pattern.search(m.sentence, 0, start) if 0 <= first_report[at] < start else None
            ) or metric[at]
            if found:
                reported[i] = found.group()
                continue
            end = m.end - m.sentence_start
            if found := run_on.match(m.sentence, end) or run_with.search(
                m.sentence[max(0, start - 120) : start]
            ):
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


def decide(taxonomy: Taxonomy, paper: Paper, mentions: tuple[Mention, ...]) -> TaggedPaper:
    """Score families from the mentions and pick the primary ones (weights from scoring.yaml)."""
    scoring = taxonomy.scoring
    mentions = workloads(taxonomy, mixed_examples(taxonomy, mentions))
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


def _next_to(mention: Mention) -> bool:
    """The mention's cue is written just before its name ("our new NAS method")."""
    before = mention.sentence[: mention.start - mention.sentence_start].rstrip().lower()
    return bool(mention.cue) and before.endswith(mention.cue.lower())
