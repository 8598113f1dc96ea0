"""Run every concept's examples (must match) and counterexamples (must not) against the tagger."""

from __future__ import annotations

from dataclasses import dataclass

from taxonomy.rules import Taxonomy
from taxonomy.tag import Tagger


@dataclass(frozen=True, slots=True)
class RuleTestFailure:
    """An example the concept missed, or a counterexample it matched."""

    concept: str
    where: str  # file:line of the concept
    kind: str  # "example" | "counterexample"
    text: str
    found: tuple[str, ...]  # the words matched for the concept (empty for a missed example)

    def describe(self) -> str:
        """One line for the user: where, which concept, what went wrong."""
        if self.kind == "example":
            return f"{self.where}: concept '{self.concept}': example not matched: {self.text!r}"
        words = ", ".join(repr(w) for w in self.found)
        return f"{self.where}: concept '{self.concept}': counterexample matched ({words}): {self.text!r}"


@dataclass(frozen=True, slots=True)
class RuleTestResult:
    """Counts of what ran and the failures."""

    concepts: int
    examples: int
    counterexamples: int
    failures: tuple[RuleTestFailure, ...]

    @property
    def ok(self) -> bool:
        """True when every example matched and no counterexample did."""
        return not self.failures


def run_rule_tests(taxonomy: Taxonomy, tagger: Tagger | None = None) -> RuleTestResult:
    """Tag each example and counterexample; a concept counts as found through any of its descendants."""
    tagger = tagger or Tagger(taxonomy)
    failures: list[RuleTestFailure] = []
    examples = counterexamples = 0
    for cid in sorted(taxonomy.concepts):
        concept = taxonomy.concepts[cid]
        for text in concept.examples:
            examples += 1
            if not _found(tagger, taxonomy, cid, text):
                failures.append(RuleTestFailure(cid, concept.where, "example", text, ()))
        for text in concept.counterexamples:
            counterexamples += 1
            found = _found(tagger, taxonomy, cid, text)
            if found:
                failures.append(RuleTestFailure(cid, concept.where, "counterexample", text, found))
    return RuleTestResult(len(taxonomy.concepts), examples, counterexamples, tuple(failures))


def _found(tagger: Tagger, taxonomy: Taxonomy, cid: str, text: str) -> tuple[str, ...]:
    words = []
    for mention in tagger.find(text):
        if mention.concept == cid or cid in taxonomy.concepts[mention.concept].ancestors:
            words.append(mention.text)
    return tuple(words)
