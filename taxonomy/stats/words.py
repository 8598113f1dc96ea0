"""The words of untagged titles worth counting: what the taxonomy misses."""

from __future__ import annotations

import re

from spacy.lang.en.stop_words import STOP_WORDS

# Words of a title that say nothing of its method: English stop words and words of any abstract.
_PLAIN_WORDS = STOP_WORDS | {
    "based", "learning", "model", "models", "using", "via", "towards", "toward", "new", "approach",
    "method", "methods", "deep", "neural", "network", "networks", "data", "efficient", "improving",
    "analysis", "study", "framework", "task", "tasks", "beyond", "robust", "training", "large",
}  # fmt: skip
_TITLE_WORD = re.compile(r"[a-z][a-z-]*[a-z]")


def title_words(title: str) -> set[str]:
    """The distinct words of a title worth counting (lowercase, 3 letters or more, not plain)."""
    return {w for w in _TITLE_WORD.findall(title.lower()) if len(w) > 2 and w not in _PLAIN_WORDS}
