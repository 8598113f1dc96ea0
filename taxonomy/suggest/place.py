"""Where a candidate goes: its kind, its proposed parent in the concept DAG, or why none fits.

See :mod:`taxonomy.suggest` for the method. Everything here reads the tallies of one pass
(:mod:`.scan`) and the rules (:class:`~taxonomy.rules.Taxonomy`, :class:`~taxonomy.tag.Tagger`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from taxonomy.rules import Taxonomy
from taxonomy.suggest import words as W
from taxonomy.tag import Tagger


@dataclass(frozen=True, slots=True)
class Placement:
    """A proposed parent (or ``None``) with its evidence, and the reason when there is none."""

    parent: str | None
    votes: int = 0  # sentences naming the parent (or a concept below it) near the candidate
    share: float = 0.0  # share of the candidate's sentences naming its best family near it
    why: str = ""  # why no parent: a kind ("optimizer"), "no family named near it", ...


def kind_of(key: str, kinds: Counter[str], sentences: int) -> str:
    """The kind of tool a name is ("optimizer", "metric", "visualization"), or "" for none."""
    for kind, (_, members) in W.KINDS.items():
        if key in members:
            return kind
    if not kinds:
        return ""
    n, kind = max((n, kind) for kind, n in kinds.items())
    return kind if n >= max(2, W.MIN_KIND * sentences) else ""


def place(
    taxonomy: Taxonomy,
    votes: Counter[str],
    voters: Counter[str],
    sentences: int,
    *,
    kind: str = "",
    method_papers: int = 2,
    papers: int = 2,
) -> Placement:
    """The most specific concept whose members are named near the candidate, or why there is none.

    ``votes`` counts, for each concept, the sentences naming it or a concept below it near the
    candidate, ``voters`` the papers doing so. The best family must be named near the candidate in
    ``papers`` sentences of as many papers (two; one when names of single papers are asked for),
    and in ``MIN_SHARE`` of its sentences; the name must be used like a method in as many papers
    and not be a tool of another kind (an optimizer, a metric). From the family the parent goes down
    the DAG to the child with most votes, as long as that child has half of the family's votes, two
    at least, and votes from ``papers`` papers.
    """
    if kind:
        return Placement(None, why=kind)
    families = sorted((-n, f) for f, n in votes.items() if taxonomy.concepts[f].is_family)
    if not families:
        return Placement(None, why="no family named near it")
    best, family = -families[0][0], families[0][1]
    share = best / max(1, sentences)
    if best < papers or voters[family] < papers:
        return Placement(None, share=share, why=f"{family} near it in {voters[family]} paper only")
    if share < W.MIN_SHARE:
        return Placement(None, share=share, why=f"{family} near it in {best} of {sentences} sentences")
    if method_papers < papers:
        return Placement(None, share=share, why="seldom used as a method")
    node = family
    while True:
        below = [
            (-votes[c], c)
            for c in taxonomy.children(node)
            if 2 * votes[c] >= best and votes[c] >= 2 and voters[c] >= papers
        ]
        if not below:
            break
        node = min(below)[1]
    rival = families[1][1] if len(families) > 1 and -3 * families[1][0] >= 2 * best else ""
    if rival and rival not in taxonomy.concepts[node].families:
        # MLP: named beside CNNs and Transformers alike, so no family is clear
        return Placement(None, share=share, why=f"named near {family} and {rival} alike")
    return Placement(node, votes[node], share)


def known(tagger: Tagger, name: str) -> bool:
    """Whether the rules match ``name`` on its own, or a known name followed by a size or version.

    ``LLaMA2-7B``, ``ViT-B``, ``GPT-4o-mini``, ``ResNet-50`` and ``RegNetY-16GF`` are variants of
    names the rules know, not new names.
    """
    for m in tagger.find(name):
        if m.start == 0 and (m.end >= len(name) or _versions(name[m.end :])):
            return True
    # The rules may not match the whole in one piece: try each place a version could start.
    for cut in _CUT.finditer(name):
        head, tail = name[: cut.start()], name[cut.start() :]
        if _versions(tail) and _whole(tagger, head):
            return True
        if cut.group() == "-" and _versions(head) and _whole(tagger, tail[1:]):
            return True  # "3D-UNet"
    return False


_CUT = re.compile(r"(?<=[A-Za-z0-9])[-_/ .]|(?<=[A-Za-z])(?=\d)|(?<=[a-z])(?=[A-Z][^a-z]*$)")


def _whole(tagger: Tagger, text: str) -> bool:
    return any(m.start == 0 and m.end >= len(text) for m in tagger.find(text))


def _versions(rest: str) -> bool:
    """Whether ``rest`` is only sizes and versions: "-7B", "2-7B", "-B/16", "-mini", "-Instruct"."""
    parts = [p for p in re.split(r"[-_/ .]+", rest) if p]
    return bool(parts) and all(W.VERSION.fullmatch(p) for p in parts)
