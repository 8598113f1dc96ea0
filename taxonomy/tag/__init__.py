"""Tag papers with concepts and families using spaCy matchers compiled from the rules.

Matching is done sentence by sentence (sentence starts come from one regular expression). One
Aho-Corasick automaton over the lowercased text finds where a concept name may start
(``candidates``); only the sentences holding such a place go through ``spacy.blank("en")``'s
tokenizer and two ``PhraseMatcher`` passes (aliases, guards and role cues on ``LOWER``;
case-sensitive aliases on ``ORTH``). Token patterns, which cost far more per token, run only on the
sentences their trigger regex finds something in. spaCy objects never leave this module: matches
become ``Mention`` values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from taxonomy.models import FIELDS
from taxonomy.tag.decide import contributions, decayed, decide, mention_weight
from taxonomy.tag.matches import SENTENCE_END, own_name

if TYPE_CHECKING:
    from taxonomy.tag.tagger import Tagger


def __getattr__(name: str) -> Any:
    """``Tagger``, imported when first asked for: it imports spaCy (about 65 MB and half a second),
    which a process that only reads, merges and writes (the parent of ``--jobs 2``) never needs."""
    if name == "Tagger":
        from taxonomy.tag.tagger import Tagger

        return Tagger
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "FIELDS",
    "SENTENCE_END",
    "Tagger",
    "contributions",
    "decayed",
    "decide",
    "mention_weight",
    "own_name",
]
