"""Tag papers with concepts and families using spaCy matchers compiled from the rules.

Texts that cannot hold any concept name are found by a word lookup and not tokenized at all
(``prefilter``). The rest go through ``spacy.blank("en")``'s tokenizer and two ``PhraseMatcher``
passes (aliases, guards and role cues on ``LOWER``; case-sensitive aliases on ``ORTH``). Token
patterns, which cost far more per token, run only on texts their trigger regex matches. Sentence
boundaries are found with a regular expression only in texts that have matches. spaCy objects never
leave this module: matches become ``Mention`` values.
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
