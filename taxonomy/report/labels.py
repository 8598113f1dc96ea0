"""How the report names families and concepts: by label, and never a catch-all concept as a concept."""

from __future__ import annotations

from taxonomy.rules import Taxonomy


def label_of(taxonomy: Taxonomy, concept_id: str) -> str:
    """A concept's label, or its id when the rules no longer define it."""
    concept = taxonomy.concepts.get(concept_id)
    return concept.label if concept else concept_id


def families_label(taxonomy: Taxonomy, concept_id: str) -> str:
    """The labels of the families a concept rolls up to, joined ("" for a family)."""
    concept = taxonomy.concepts.get(concept_id)
    if concept is None or concept.is_family:
        return ""
    return ", ".join(sorted(label_of(taxonomy, f) for f in concept.families))


def listed(taxonomy: Taxonomy, concept_id: str) -> bool:
    """Whether the report lists the concept as one: not when the rules mark it ``catch_all`` (it
    gathers names with no concept of their own; its papers show under its family)."""
    concept = taxonomy.concepts.get(concept_id)
    return concept is None or not concept.catch_all
