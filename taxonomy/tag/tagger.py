"""The Tagger: rules compiled into spaCy matchers, run over titles and abstracts."""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Iterable, Iterator, Sequence

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from taxonomy.models import FieldName, Mention, Paper, Role, TaggedPaper
from taxonomy.rules import Taxonomy
from taxonomy.tag.decide import decide, exemplified
from taxonomy.tag.matchers import compile_rules, phrase_regex
from taxonomy.tag.matches import (
    SENTENCE_END,
    Cue,
    Sentence,
    drop_definitions,
    drop_glued,
    drop_guarded,
    drop_other_senses,
    longest,
    name_words,
    one_line,
    one_sense,
    own_name,
)
from taxonomy.tag.prefilter import Prefilter
from taxonomy.tag.roles import Reach, adjacent_cue
from taxonomy.tag.sentences import group, own_names, sort_matches

#: Words in the vocabulary after which the pipeline is rebuilt (about 0.4 s) to free its memory.
VOCAB_LIMIT = 250_000
#: Families whose models a report of experiments names side by side to list its workloads.
WORKLOAD_FAMILIES = 2


class Tagger:
    """Rules compiled into spaCy matchers: tag papers, or find concepts in a text.

    Compiling costs about a second; build one Tagger per process and reuse it.
    """

    def __init__(
        self,
        taxonomy: Taxonomy,
        *,
        model: str | None = None,
        vocab_limit: int = VOCAB_LIMIT,
        prefilter: bool = True,
    ) -> None:
        self.taxonomy = taxonomy
        self.model = model
        self.vocab_limit = vocab_limit
        # Texts that cannot name any concept are not tokenized (same output, see prefilter.py). Its
        # reasoning is about the blank English tokenizer, so a trained pipeline always tokenizes.
        self.prefilter = prefilter and not model
        self._names = {
            c.id: frozenset(name_words(a) for a in c.aliases + c.aliases_cased if len(name_words(a)) > 1)
            for c in taxonomy.concepts.values()
        }
        self._self_marker = phrase_regex(taxonomy.cues.self_markers, whole=True)
        self._not_with = {c.id: phrase_regex(c.not_with) for c in taxonomy.concepts.values() if c.not_with}
        self._reach = Reach.of(taxonomy.cues)
        self._hidden = frozenset(taxonomy.hidden)
        self._build()

    def _build(self) -> None:
        """Load the pipeline and compile the rules into its vocabulary."""
        model = self.model
        self.nlp: Language = spacy.load(model) if model else spacy.blank("en")
        self._use_parser = bool(model) and (
            "parser" in self.nlp.pipe_names or "senter" in self.nlp.pipe_names
        )
        self._prefilter = Prefilter(self.nlp.tokenizer) if self.prefilter else None
        matchers = compile_rules(self.taxonomy, self.nlp, self._prefilter)
        self._lower, self._orth, self._patterns = matchers.lower, matchers.orth, matchers.patterns
        self._keys = matchers.keys
        if self._prefilter is not None:
            self._prefilter.finish([t for t, _ in self._patterns])

    # -- tagging ---------------------------------------------------------------------------------

    def tag(self, paper: Paper) -> TaggedPaper:
        """Tag one paper."""
        return self.tag_batch([paper])[0]

    def tag_batch(self, papers: Sequence[Paper], batch_size: int = 256) -> list[TaggedPaper]:
        """Tag papers in order; tokenizing them together is faster than one at a time."""
        texts = [one_line(text) for p in papers for text in (p.title, p.abstract)]
        may = self._prefilter.may_match if self._prefilter is not None else bool
        wanted = [may(text) for text in texts]
        docs = iter(self._pipe([t for t, w in zip(texts, wanted, strict=True) if w], batch_size))

        def field(i: int, name: FieldName, own: str = "") -> tuple[list[Mention], set[tuple[str, str]]]:
            return self._mentions(next(docs), texts[i], name, own) if wanted[i] else ([], set())

        out = []
        for i, paper in enumerate(papers):
            title, title_vetoed = field(2 * i, "title")
            abstract, abstract_vetoed = field(2 * i + 1, "abstract", own_name(texts[2 * i]))
            mentions = title + abstract
            other = self._other_sense(mentions, texts[2 * i], texts[2 * i + 1])
            out.append(
                decide(self.taxonomy, paper, one_sense(mentions, title_vetoed | abstract_vetoed, other))
            )
        if len(self.nlp.vocab) > self.vocab_limit:
            # spaCy keeps every word it has seen in the vocabulary, so over millions of abstracts
            # memory would grow without bound (tens of thousands of new words per 10,000 papers,
            # measured). A fresh pipeline tags the same, so rebuilding now and then keeps it flat.
            self._build()
        return out

    def tag_stream(self, papers: Iterable[Paper], batch_size: int = 256) -> Iterator[TaggedPaper]:
        """Tag a stream of papers lazily, a batch at a time."""
        batch: list[Paper] = []
        for paper in papers:
            batch.append(paper)
            if len(batch) >= batch_size:
                yield from self.tag_batch(batch, batch_size)
                batch = []
        if batch:
            yield from self.tag_batch(batch, batch_size)

    def find(self, text: str) -> list[Mention]:
        """Mentions in a free text, treated as an abstract (used by rule tests and ``explain``)."""
        text = one_line(text)
        mentions, vetoed = self._mentions(next(iter(self._pipe([text], 1))), text, "abstract")
        return list(one_sense(mentions, vetoed, self._other_sense(mentions, text)))

    def _other_sense(self, mentions: list[Mention], *texts: str) -> frozenset[str]:
        """Concepts named here whose ``not_with`` phrases the paper also names (another sense)."""
        named = {m.concept for m in mentions if m.concept in self._not_with}
        return frozenset(c for c in named if any(self._not_with[c].search(t) for t in texts))

    def _pipe(self, texts: list[str], batch_size: int) -> Iterable[Doc]:
        if self.nlp.pipe_names:
            docs: Iterable[Doc] = self.nlp.pipe(texts, batch_size=batch_size)
        else:
            tokenizer: Tokenizer = self.nlp.tokenizer  # tokenizing is all a blank pipeline does
            docs = tokenizer.pipe(texts, batch_size=batch_size)
        return docs

    def _mentions(
        self, doc: Doc, text: str, field: FieldName, own: str = ""
    ) -> tuple[list[Mention], set[tuple[str, str]]]:
        """Mentions in one field, and the acronyms a guard showed to mean something else here."""
        if not len(doc):
            return [], set()
        found = self._lower(doc) + self._orth(doc)
        for trigger, matcher in self._patterns:
            # Each trigger starts with a literal, which re finds fast; one alternation of all of
            # them searched twice as slowly (measured).
            if trigger.search(text):
                found.extend(matcher(doc))
        matches, guards, cue_hits = sort_matches(found, doc, self._keys)
        matches = drop_glued(matches, doc, text)
        if not matches:
            return [], set()
        matches, vetoed = drop_guarded(longest(matches), guards, doc)
        matches = drop_definitions(matches, doc)
        matches, defined = drop_other_senses(matches, doc, self._names)
        vetoed |= defined
        if self._hidden:
            matches = [m for m in matches if m.concept not in self._hidden]
        if not matches:
            return [], vetoed
        bounds = self._sentence_bounds(doc, text)
        names = (own, *own_names(text, bounds, self._self_marker)) if field == "abstract" else ()
        sentences = group(doc, text, bounds, matches, cue_hits, tuple(n for n in names if n))
        out = []
        for sentence in sentences.values():
            s_index = bisect.bisect_right(bounds, doc[sentence.start].idx) - 1  # bounds rise strictly
            s_start = bounds[s_index]
            s_end = bounds[s_index + 1] if s_index + 1 < len(bounds) else len(text)
            sentence_text = text[s_start:s_end].rstrip()
            cues = [self._reach.role(doc, m, sentence, field) for m in sentence.matches]
            # A report of experiments naming several families' models side by side, not as what it
            # compares with ("experiments on CNNs, LSTMs and Transformers"), names the workloads.
            workloads = (
                sentence.evaluation and len(self._workload_families(sentence, cues)) >= WORKLOAD_FAMILIES
            )
            for m, found_cue in zip(sentence.matches, cues, strict=True):
                start_char = doc[m.start].idx
                last = doc[m.end - 1]
                end_char = last.idx + len(last)
                role: Role = found_cue.role if found_cue else "mentions"
                cue = found_cue.text if found_cue else ""
                head = self._reach.head(doc, m, found_cue, sentence) if found_cue else ""
                if field == "abstract":
                    if role in ("proposes", "uses") and not sentence.own:
                        # the cue describes other work: "Transformer-based LLMs dominate NLP"
                        role = "mentions"
                    elif role == "mentions" and not cue and sentence.own and not sentence.evaluation:
                        # "In our study, an LSTM reads ...": the work involves it; a report of
                        # results naming a model ("our method beats SHK on ...") does not say so
                        role, cue = "uses", sentence.own
                    if (
                        workloads
                        and (role == "uses" or (role == "proposes" and not adjacent_cue(found_cue, m)))
                        and cue.lower() not in self._reach.builds_on
                    ):
                        # "Experiments on CNNs and Transformers show ...", "we present experiments
                        # for CNNs and RNNs": workloads ("our GNN" stays the paper's own)
                        role, cue = "mentions", sentence.evaluation
                mention = Mention(
                    concept=m.concept,
                    field=field,
                    start=start_char,
                    end=end_char,
                    text=text[start_char:end_char],
                    sentence=sentence_text,
                    sentence_start=s_start,
                    role=role,
                    rule=m.rule,
                    cue=cue,
                    head=head,
                )
                if (
                    field == "abstract"
                    and role in ("uses", "proposes")
                    and cue.lower() not in self._reach.builds_on
                    and exemplified(mention)
                ):
                    # "for architectures such as MLPs, CNNs and ViTs": examples, not the method
                    mention = dataclasses.replace(mention, role="mentions", cue="")
                out.append(mention)
        return out, vetoed

    def _workload_families(self, sentence: Sentence, cues: list[Cue | None]) -> set[str]:
        """Families a sentence names but does not compare with ("than RL methods like PPO" compares
        reinforcement learning, PPO included)."""
        concepts = self.taxonomy.concepts
        named: set[str] = set()
        compared: set[str] = set()
        for m, cue in zip(sentence.matches, cues, strict=True):
            (compared if cue is not None and cue.role == "compares" else named).update(
                concepts[m.concept].families
            )
        return named - compared

    def _sentence_bounds(self, doc: Doc, text: str) -> list[int]:
        if self._use_parser:
            return [sent.start_char for sent in doc.sents]
        return [0] + [m.end() for m in SENTENCE_END.finditer(text)]
