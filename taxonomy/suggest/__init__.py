"""Suggest concepts the rules do not cover: method names that papers use but no rule matches.

One pass over the papers, which are tagged as usual so that known concepts and their sentences are
at hand (:mod:`.scan`). In every sentence three kinds of candidate are collected:

- words shaped like model names: acronyms (``GLA``), CamelCase (``RetNet``, ``GraphSAGE``), names
  with digits (``T5``, ``Llama2``), hyphenated compounds of capitalised words (``Vision-LSTM``), and
  capitalised words inside a sentence (``Hyena``). Titles are in title case, so there only the first
  shapes count (and a title's first word before a colon, "Hyena: ..."). A lower-case tail is cut
  off and read as context: ``Mamba-based`` is ``Mamba`` used in a method-like way.
- abbreviations defined in the text, "Gated Linear Attention (GLA)", found in the manner of Schwartz
  and Hearst (2003): the letters of the short form appear in order in the words before the
  parenthesis, the first at the start of a word (a digit, as in "Structured State Space (S4)", takes
  in earlier words with the short form's initials). The long form becomes a variant of the short
  form's candidate; a long form the rules match makes the short form known.
- phrases of one or two modifiers before a method head, "spiking neural network", "energy-based
  model" (heads: model, architecture, network, layer, module, mechanism, block, unit, machine).

A word the rules already match where it stands is skipped. A candidate is kept when it is named in
at least ``min_papers`` papers and:

- it is used like a method at least once ("we propose X", "using X", "based on X", "X-based",
  "X model|architecture|network|layer|...", a title "X: ...", or a definition whose long form ends
  in such a head word) and not more often like data ("on X", "X dataset|benchmark|score|task...");
- it is not written in lower case more often than not (a common word), not on the stop list
  (generic acronyms, metrics, data sets, units: :mod:`.words`), and not a size such as ``7B``;
- a capitalised plain word (``Lipschitz``, ``Monte``) must be introduced somewhere ("we propose
  X, ..."); an abbreviation whose definitions disagree (CL: continual or contrastive learning) is
  dropped; a phrase's first word must occur in the phrase at least ``MIN_BOND`` of the time ("linear
  model" fails: "linear" is mostly used otherwise), and a phrase or compound that is the long form
  of a kept abbreviation is left to it.

The proposed parent comes from the concepts tagged in the candidate's sentences, each sentence voting
once for each concept and its ancestors: the family with most votes, then the most specific concept
under it with at least half of the family's votes (and two at least). No parent is proposed when the
family is tagged in fewer than two sentences or in less than ``MIN_SHARE`` of them, or when another
family has two thirds of its votes and the chosen concept is not under that family too.

Score: ``papers * (0.5 + 0.5 * spread) * (0.5 + 0.5 * related)``. ``papers`` counts the papers
naming the candidate. ``spread`` is the share of the venue-and-year groups its papers could have come
from that they did come from (``groups / min(papers, groups in the corpus)``), so a name seen in one
venue only counts half. ``related`` is ``min(1, share / (2 * MIN_SHARE))`` with ``share`` the share
of its sentences naming a concept of the proposed family: a name that never appears next to the
taxonomy's concepts counts half. The best candidates are checked once more with ``Tagger.find`` on
each spelling, so nothing the rules match is suggested.

Memory grows with the number of distinct candidates, not papers; past ``max_tallies`` candidates,
the ones seen in a single paper are forgotten. Output: :func:`to_table` and :func:`to_yaml` (rules
stubs in the format of ``rules/*.yaml``, in :mod:`.stubs`).
"""

from __future__ import annotations

from taxonomy.suggest.abbrev import long_form
from taxonomy.suggest.rank import Candidate, suggest
from taxonomy.suggest.stubs import to_table, to_yaml

__all__ = ["Candidate", "long_form", "suggest", "to_table", "to_yaml"]
