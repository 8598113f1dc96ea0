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

from taxonomy.models import FIELDS
from taxonomy.tag.decide import contributions, decayed, decide, mention_weight
from taxonomy.tag.matches import SENTENCE_END, own_name
from taxonomy.tag.tagger import Tagger

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
