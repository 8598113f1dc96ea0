"""A part of the taxonomy: the concepts under some families, for tagging or scoring only those."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from taxonomy.errors import UsageError
from taxonomy.rules.model import Taxonomy


def select_families(taxonomy: Taxonomy, families: Iterable[str]) -> Taxonomy:
    """The taxonomy cut down to ``families`` and the concepts below them.

    A concept under a chosen and an unchosen family keeps only the chosen one ("knowledge
    distillation of LLMs" stays an llm concept when compression is not chosen); a concept under no
    chosen family is left out of the taxonomy but kept in ``hidden``: its names are still matched
    and claim their words, so that a selection finds what tagging every family finds, less the
    left-out families ("Masked Autoencoder for Distribution Estimation" is MADE, an autoregressive
    flow, with or without `autoencoder` chosen, never the shorter "masked autoencoder"). Concepts
    outside every family (free-standing, such as LoRA) are kept: they give no family either way.
    """
    chosen = frozenset(families)
    unknown = sorted(chosen - set(taxonomy.families))
    if unknown:
        raise UsageError(
            f"unknown famil{'ies' if len(unknown) > 1 else 'y'} {', '.join(unknown)} "
            f"(the rules have: {', '.join(taxonomy.families)})"
        )
    if chosen == set(taxonomy.families):
        return taxonomy
    kept = {
        cid: concept
        for cid, concept in taxonomy.concepts.items()
        if not concept.families or chosen.intersection(concept.families)
    }
    concepts = {
        cid: dataclasses.replace(
            concept,
            parents=tuple(p for p in concept.parents if p in kept),
            ancestors=tuple(a for a in concept.ancestors if a in kept),
            families=tuple(f for f in concept.families if f in chosen),
        )
        for cid, concept in kept.items()
    }
    areas = {
        aid: dataclasses.replace(area, families=tuple(f for f in area.families if f in chosen))
        for aid, area in taxonomy.areas.items()
        if chosen.intersection(area.families)
    }
    hidden = {
        cid: dataclasses.replace(concept, parents=(), ancestors=(), families=())
        for cid, concept in taxonomy.concepts.items()
        if cid not in kept
    }
    return dataclasses.replace(
        taxonomy,
        concepts=concepts,
        hidden={**taxonomy.hidden, **hidden},
        families=tuple(f for f in taxonomy.families if f in chosen),
        version=f"{taxonomy.version}:{','.join(sorted(chosen))}",
        areas=areas,
    )


def select_areas(taxonomy: Taxonomy, areas: Iterable[str]) -> Taxonomy:
    """The taxonomy cut down to the families of ``areas`` (see ``select_families``)."""
    chosen = list(dict.fromkeys(areas))
    unknown = [a for a in chosen if a not in taxonomy.areas]
    if unknown:
        known = ", ".join(taxonomy.areas) or "none: the rules folder has no areas.yaml"
        raise UsageError(
            f"unknown area{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} (areas: {known})"
        )
    return select_families(taxonomy, [f for a in chosen for f in taxonomy.areas[a].families])
