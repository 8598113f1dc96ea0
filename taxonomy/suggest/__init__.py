"""Suggest concepts the rules do not cover: method names that papers use but no rule matches.

One pass over the papers, which are tagged as usual so that known concepts and their sentences are
at hand. In every sentence, words shaped like model names are candidates: acronyms (``GLA``),
CamelCase (``RetNet``, ``GraphSAGE``), names with digits (``T5``, ``Llama2``), hyphenated compounds
with a capital inside (``Vision-LSTM``), and capitalised words inside a sentence (``Hyena``).
Titles are in title case, so there only the first four shapes count. A word the rules already match
where it stands is skipped. Abbreviations defined in the text, "Gated Linear Attention (GLA)", are
found in the manner of Schwartz and Hearst (2003): the letters of the short form appear in order in
the words before the parenthesis, the first at the start of a word. The long form becomes a variant
of the short form's candidate.

A name is a method only if it is used like one: at least one occurrence must be in a method context
("we propose X", "using X", "based on X", "X-based", "X model|architecture|network|layer|module|
mechanism|...", a title "X: ...", or a definition whose long form ends in such a head word), and it
must not be used more often in data contexts ("on X", "X dataset|benchmark|score|task..."). Names
written in lower case more often than capitalised are common words; a stop list removes generic
acronyms (GPU, SOTA, NLP), metrics, data sets and units.

Score: ``papers * (0.5 + 0.5 * spread)``, where ``papers`` counts the papers naming the candidate and
``spread`` is the share of the distinct venue-and-year groups its papers could have come from
that they did (``groups / min(papers, groups in the corpus)``): a name used in one venue only counts
half. The proposed parent comes from the concepts tagged in the candidate's sentences (each
sentence votes once for each concept and its ancestors): the family with most votes, then the most
specific concept under it that has at least half of the family's votes. The top candidates are
checked once more with ``Tagger.find`` on each spelling, so nothing the rules match is suggested.

Memory grows with the number of distinct candidates, not papers; past ``max_tallies`` candidates,
the ones seen in a single paper are dropped.
"""

from __future__ import annotations

from taxonomy.suggest.scan import Candidate, long_form, suggest
from taxonomy.suggest.stubs import to_table, to_yaml

__all__ = ["Candidate", "long_form", "suggest", "to_table", "to_yaml"]
