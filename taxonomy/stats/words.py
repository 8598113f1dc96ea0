"""The words of untagged titles worth counting: what the taxonomy misses."""

from __future__ import annotations

import functools
import re

# Words of a title that say nothing of its method, besides English stop words.
_METHOD_WORDS = {
    "based", "learning", "model", "models", "using", "via", "towards", "toward", "new", "approach",
    "method", "methods", "deep", "neural", "network", "networks", "data", "efficient", "improving",
    "analysis", "study", "framework", "task", "tasks", "beyond", "robust", "training", "large",
}  # fmt: skip
_TITLE_WORD = re.compile(r"[a-z][a-z-]*[a-z]")


@functools.cache
def _plain_words() -> frozenset[str]:
    """English stop words and ``_METHOD_WORDS``.

    Imported when first needed: importing spaCy costs about 65 MB and half a second, which the parent
    of ``--jobs 2`` (it merges what the workers counted) need not pay.
    """
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS | _METHOD_WORDS)


def title_words(title: str) -> set[str]:
    """The distinct words of a title worth counting (lowercase, 3 letters or more, not plain)."""
    plain = _plain_words()
    return {w for w in _TITLE_WORD.findall(title.lower()) if len(w) > 2 and w not in plain}
