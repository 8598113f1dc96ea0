"""Abbreviations defined in the text: "Gated Linear Attention (GLA)", found Schwartz-Hearst style."""

from __future__ import annotations

import re
from collections import Counter

from taxonomy.suggest import words as W


def ambiguous(long_forms: Counter[str]) -> bool:
    """Whether no one expansion accounts for three quarters of the definitions of a short form."""
    keys = Counter[str]()
    for form, n in long_forms.items():
        keys[norm(form)] += n
    return 4 * max(keys.values()) < 3 * sum(keys.values())


def norm(text: str) -> str:
    """Lower case, letters and digits only, no plural -s: for comparing spellings."""
    return re.sub(r"[^a-z0-9]", "", text.lower()).removesuffix("s")


def long_form(short: str, words: list[str]) -> str:
    """The long form that ``short`` abbreviates at the end of ``words``, or "" (Schwartz-Hearst)."""
    letters = [c.lower() for c in short if c.isalpha()]
    text = " ".join(w.strip(",;:\"'") for w in words)
    i = len(text) - 1
    for n, c in enumerate(reversed(letters)):
        first = n == len(letters) - 1
        while i >= 0 and (text[i].lower() != c or (first and i > 0 and text[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return ""
        i -= 1
    chosen = text[text.rfind(" ", 0, i + 1) + 1 :].split()
    rest = text[: text.rfind(" ", 0, i + 1) + 1].split()
    if any(c.isdigit() for c in short) and chosen:
        # "Structured State Space (S4)": a digit stands for repeated letters, so take in earlier
        # words whose initials are among the short form's letters and capitalised like the first.
        while rest and rest[-1][:1].lower() in letters and rest[-1][:1].isupper() == chosen[0][:1].isupper():
            chosen.insert(0, rest.pop())
    if (
        len(re.split(r"[\s-]+", " ".join(chosen))) < 2
        or chosen[0].lower() in W.LF_STOP
        or short.lower() in (w.lower() for w in chosen)
    ):
        return ""
    return " ".join(chosen)
