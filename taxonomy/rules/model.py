"""The values a rules folder loads into: concepts, cues, scoring, the taxonomy; alias spellings."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from taxonomy.models import Role


@dataclass(frozen=True, slots=True)
class Pattern:
    """A token pattern for a name shape, run only where its trigger regex matches the text."""

    id: str
    trigger: str
    tokens_json: str  # the spaCy Matcher pattern, as canonical JSON (keeps the value hashable)


@dataclass(frozen=True, slots=True)
class Concept:
    """A family (level 0) or a concept below one, as defined in the rules."""

    id: str
    label: str
    description: str
    is_family: bool
    parents: tuple[str, ...]
    aliases: tuple[str, ...]
    aliases_cased: tuple[str, ...]
    patterns: tuple[Pattern, ...]
    guards: tuple[str, ...]
    examples: tuple[str, ...]
    counterexamples: tuple[str, ...]
    file: str
    line: int
    not_with: tuple[str, ...] = ()  # phrases showing another sense of the concept's words in a paper
    catch_all: bool = False  # gathers names with no concept of their own: not listed as a concept in reports
    # names a task or an objective ("language modeling"): in an abstract it adds nothing to its families
    task: bool = False
    # a reference model methods of every kind are trained and evaluated on ("ResNet-18"): likewise
    reference_model: bool = False
    ancestors: tuple[str, ...] = ()  # every concept above this one, sorted
    families: tuple[str, ...] = ()  # the families it rolls up to (itself for a family)
    level: int = 0  # 0 for a family, else 1 + the lowest parent level

    @property
    def names_a_workload(self) -> bool:
        """A task or a reference model: what methods are trained and shown on, so its mentions in
        an abstract count for nothing (a title naming it is about it)."""
        return self.task or self.reference_model

    @property
    def where(self) -> str:
        """``file:line`` of the definition."""
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class Cues:
    """Role cue phrases: ``before`` cues apply to a concept after them, ``after`` cues to one before."""

    window: int
    before: tuple[tuple[str, Role], ...]
    after: tuple[tuple[str, Role], ...]
    barriers: tuple[str, ...]
    conjunctions: tuple[str, ...] = ()
    self_markers: tuple[str, ...] = ()
    builds_on: tuple[str, ...] = ()
    not_in_titles: tuple[str, ...] = ()  # cues that do not apply in a title ("X vs Y" is about both)
    after_window: int | None = None  # the reach of `after` cues (None: `window`)
    evaluation: tuple[str, ...] = ()  # words of a sentence that reports experiments or results
    title_barriers: tuple[str, ...] = ()  # no comparison reaches across these in a title
    reports: tuple[str, ...] = ()  # words opening a report of experiments (a model used after is a workload)
    metrics: tuple[str, ...] = ()  # names of result metrics, a report wherever they are (also in evaluation)
    applies_to: tuple[str, ...] = ()  # "apply A to B": B, after "to", is a task or a workload
    datasets: tuple[str, ...] = ()  # benchmark data sets: a model named just before "on" one is run on it
    # "compare A to B": B, after "to", "with" or "against", is what A is compared with
    compares_with: tuple[str, ...] = ()

    def applied_to(self, cue: str) -> bool:
        """The cue is "apply ... to" ("applying this method to"): what follows is a task or a workload."""
        words = cue.lower().split()
        return len(words) > 1 and words[-1] == "to" and words[0] in {v.lower() for v in self.applies_to}


@dataclass(frozen=True, slots=True)
class Scoring:
    """Weights and thresholds of the primary-family decision."""

    weights: Mapping[str, Mapping[str, float]]  # field -> role -> weight of one mention
    repeat_decay: float
    min_score: float
    min_share: float
    fallback: bool = True  # no family reaches min_score: the strongest one is primary
    mentions_alone: bool = True  # a family only mentioned in passing may reach min_score


@dataclass(frozen=True, slots=True)
class Area:
    """A group of families above them in the taxonomy ("generative models": diffusion, GANs ...)."""

    id: str
    label: str
    description: str
    families: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """The validated rules: concepts by id (families included), cues and scoring."""

    concepts: Mapping[str, Concept]
    families: tuple[str, ...]
    cues: Cues
    scoring: Scoring
    version: str  # a digest of the rules files' contents
    root: str = field(default="", compare=False)
    areas: Mapping[str, Area] = field(default_factory=dict)  # by id, from areas.yaml (none without it)
    # Concepts of families a selection left out (``select_families``): their names are still matched,
    # so that a shorter name inside them is not read instead, and their matches are then dropped.
    hidden: Mapping[str, Concept] = field(default_factory=dict)

    def area_of(self, family: str) -> str:
        """The area a family belongs to ("" when none)."""
        return next((a.id for a in self.areas.values() if family in a.families), "")

    def family_of(self, concept_id: str) -> tuple[str, ...]:
        """The families a concept rolls up to."""
        return self.concepts[concept_id].families

    def children(self, concept_id: str) -> tuple[str, ...]:
        """Concepts whose parents include ``concept_id``, sorted."""
        return tuple(sorted(c.id for c in self.concepts.values() if concept_id in c.parents))


#: In an alias, a ``*`` word stands for one to three words ("mixture of * experts").
WILDCARD = "*"


def wildcard_parts(alias: str) -> tuple[str, str] | None:
    """The words before and after an alias's ``*`` ("mixture of", "experts"), or None without one."""
    words = alias.split(" ")
    if WILDCARD not in words:
        return None
    at = words.index(WILDCARD)
    return " ".join(words[:at]), " ".join(words[at + 1 :])


def _plurals(word: str) -> list[str]:
    """Plural forms of an alias's last word: -s, -es after a sibilant, -ies after a consonant + y."""
    if not word.isalpha() or len(word) < 2:
        return []
    lower = word.lower()
    if word.isupper():  # an acronym: "GANs" ("GANS" would also read "IRLS" as inverse RL)
        return [] if lower.endswith("s") else [word + ("S" if len(word) > 4 else "s")]
    if lower.endswith(("ss", "as", "x", "z", "ch", "sh")):  # "process", "bias"
        return [word + "es"]
    if lower.endswith("s"):  # already a plural ("experts"), or a Latin singular ("analysis")
        return []
    if lower.endswith("y") and lower[-2] not in "aeiou":
        return [word[:-1] + "ies"]
    return [word + "s"]


def alias_variants(alias: str, *, plural: bool = True) -> list[str]:
    """Spellings an alias also matches: hyphen or space between words, joined words, plurals.

    Up to four words get every hyphen/space combination (at most 8); longer aliases keep their
    own separators or all spaces, so the list stays short. The plural of the last word is an -s,
    an -es after ss, as, x, z, ch or sh ("Gaussian processes"), or -ies after a consonant and y
    ("policies"); a last word already ending in s gets none; an acronym takes -s (a long capitalised
    word, -S).
    """
    words = re.split(r"[ -]", alias)
    variants = {alias}
    if len(words) > 1:
        seps = [" ", "-"] if len(words) <= 4 else [" "]  # 2**(n-1) combinations: cap the growth
        forms = [words[0]]
        for word in words[1:]:
            forms = [f + sep + word for f in forms for sep in seps]
        variants.update(forms)
        if "-" in alias:
            variants.add("".join(words))
    if plural:
        for form in list(variants):
            last = re.split(r"[ -]", form)[-1]
            variants.update(form[: len(form) - len(last)] + p for p in _plurals(last))
    return sorted(variants)
