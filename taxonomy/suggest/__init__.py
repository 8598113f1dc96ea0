"""Suggest concepts the rules do not cover: method names that papers use but no rule matches.

One pass over the papers, which are tagged as usual so that known concepts and their sentences are
at hand (:mod:`.scan`). In every sentence three kinds of candidate are collected:

- words shaped like model names: acronyms (``GLA``), CamelCase (``RetNet``, ``GraphSAGE``), names
  with digits (``T5``, ``Llama2``), hyphenated compounds of capitalised words (``Vision-LSTM``), and
  capitalised words inside a sentence (``Hyena``; a compound of plain capitalised words such as
  ``Time-Series`` or ``Runge-Kutta`` counts as one of these). Titles are in title case, so there only the first
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

The proposed parent (:mod:`.place`) comes from the concepts the rules tag *near* the candidate: in
its clause (a ";" or "while", "but", "unlike" starts a new one) and at most ``WINDOW`` words away.
Each sentence votes once for each such concept and its ancestors, except that a concept listed
beside the name ("Mamba, RetNet and S4") or compared with it (the tagger's "compares" role) is a
peer and votes for its ancestors only, a concept the name is built on ("attention-based MIL") does
not vote, and a data-like use ("on X") does not vote. Papers that spell the name out differently
from most ("CCA" as "Channel-wise Cross-Attention" where most mean canonical correlation analysis)
do not vote. The family with most votes wins; from it the parent goes down the concept DAG to the
child with most votes as long as that child keeps half of the family's votes. No parent is proposed
when the family is named near the name in fewer than two sentences of two papers (one at
``min_papers=1``) or in less than ``MIN_SHARE`` of its sentences; when the name is used like a
method in fewer papers than that, or like data in more than half as many places as like a method;
when it is a tool of a kind that fits no family (an optimizer, a metric, a visualization or
dimensionality-reduction tool: ``KINDS`` in :mod:`.words`, read from "optimizers such as X", "the
X metric", "SGD and X"); or when another family has two thirds of the votes and the chosen concept
is not under it too. Names with a parent are ranked first; names without one are a second list,
with the reason.

Score: ``papers * (0.5 + 0.5 * spread) * (0.5 + 0.5 * related)``. ``papers`` counts the papers
naming the candidate. ``spread`` is the share of the venue-and-year groups its papers could have come
from that they did come from (``groups / min(papers, groups in the corpus)``), so a name seen in one
venue only counts half. ``related`` is ``min(1, share / (2 * MIN_SHARE))`` with ``share`` the share
of its sentences naming a concept of the proposed family: a name that never appears next to the
taxonomy's concepts counts half. The best candidates are checked once more with ``Tagger.find`` on
each spelling, so nothing the rules match is suggested, nor a known name with a size or version
added (``LLaMA2-7B``, ``ViT-B/16``, ``GPT-4o-mini``, ``3D-UNet``).

Memory grows with the number of distinct candidates, not papers; past ``max_tallies`` candidates,
the ones seen in a single paper are forgotten. Output: :func:`to_table` and :func:`to_yaml` (rules
stubs in the format of ``rules/*.yaml``, in :mod:`.stubs`).
"""

from __future__ import annotations

from taxonomy.suggest.abbrev import long_form
from taxonomy.suggest.rank import Candidate, suggest
from taxonomy.suggest.stubs import to_table, to_yaml

__all__ = ["Candidate", "long_form", "suggest", "to_table", "to_yaml"]
