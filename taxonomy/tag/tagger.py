"""The Tagger: rules compiled into spaCy matchers, run over titles and abstracts."""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import spacy
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from taxonomy.models import FieldName, Mention, Paper, Role, TaggedPaper
from taxonomy.rules import Taxonomy
from taxonomy.tag.candidates import Candidates
from taxonomy.tag.decide import decide
from taxonomy.tag.matchers import PhraseSets, compile_rules, phrase_regex, read_attributes_only
from taxonomy.tag.matches import (
    Cue,
    Match,
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
from taxonomy.tag.passing import exemplified
from taxonomy.tag.phrases import PhraseTrie, RawMatch, Tokens, pack_phrases, unpack_phrases, with_matches
from taxonomy.tag.roles import Reach, adjacent_cue
from taxonomy.tag.sentences import (
    CueHit,
    own_names,
    proposing_verbs,
    sentence_bounds,
    sentence_of,
    sort_matches,
)

#: Words in the vocabulary of the pipeline that tokenizes after which it is renewed to free its memory.
VOCAB_LIMIT = 250_000
#: Families whose models a report of experiments names side by side to list its workloads.
WORKLOAD_FAMILIES = 2


@dataclass(frozen=True, slots=True)
class Plan:
    """What of a text to tokenize: its sentence starts, and the sentences that may hold a name,
    each as its start and end offsets and the token patterns to run on it."""

    bounds: tuple[int, ...]
    spans: tuple[tuple[int, int, tuple[Matcher, ...]], ...]


_NOTHING = Plan((), ())


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
        candidates: bool = True,
    ) -> None:
        self.taxonomy = taxonomy
        self.model = model
        self.vocab_limit = vocab_limit
        # Sentences that cannot name any concept are not tokenized (same output, see candidates.py).
        # Its reasoning is about the blank English tokenizer: a trained pipeline tokenizes them all.
        self.candidates = candidates and not model
        self._names = {
            c.id: frozenset(name_words(a) for a in c.aliases + c.aliases_cased if len(name_words(a)) > 1)
            for c in taxonomy.concepts.values()
        }
        self._self_marker = phrase_regex(taxonomy.cues.self_markers, whole=True)
        self._not_with = PhraseSets({c.id: c.not_with for c in taxonomy.concepts.values() if c.not_with})
        self._reach = Reach.of(taxonomy.cues)
        self._proposing = proposing_verbs([c for c, role in taxonomy.cues.before if role == "proposes"])
        self._hidden = frozenset(taxonomy.hidden)
        self._build()

    def _build(self) -> None:
        """Load the pipeline and compile the rules into its vocabulary (``_rules_vocab``); a blank
        pipeline of their own tokenizes the texts (``nlp``, renewed as its vocabulary grows)."""
        model = self.model
        rules_nlp: Language = spacy.load(model) if model else self._blank()
        self._use_parser = bool(model) and (
            "parser" in rules_nlp.pipe_names or "senter" in rules_nlp.pipe_names
        )
        self._candidates = Candidates(rules_nlp.tokenizer) if self.candidates else None
        matchers = compile_rules(self.taxonomy, rules_nlp, self._candidates)
        self._rules_vocab = rules_nlp.vocab
        self.nlp = rules_nlp if model else self._blank()
        # spaCy's matcher of the lowercase phrases would hold about 75 MB (``phrases.py``)
        self._lower = PhraseTrie(pack_phrases(matchers.lower), rules_nlp.vocab.strings)
        self._orth, self._patterns = matchers.orth, matchers.patterns
        self._orth_phrases = pack_phrases(self._orth)
        self._keys, self._slots = matchers.keys, matchers.slots
        if self._candidates is not None:
            self._candidates.finish()

    def _blank(self) -> Language:
        nlp = spacy.blank("en")
        read_attributes_only(nlp, self.taxonomy)
        return nlp

    def _renew(self) -> None:
        """A new pipeline to tokenize with (it tags the same), freeing every word the old one met."""
        if self.model:
            self._build()  # a trained pipeline is loaded and compiled on again
        else:
            self.nlp = self._blank()

    # -- storing: a compiled tagger is pickled into the rules cache (``runs.compiled_tagger``) ------

    def __getstate__(self) -> dict[str, object]:
        state = self.__dict__.copy()
        del state["_orth"]  # spaCy's matcher: pickled as its packed phrases, added again when read
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._orth = unpack_phrases(self._orth_phrases, self._rules_vocab)
        if not self.model:
            read_attributes_only(self.nlp, self.taxonomy)

    # -- tagging ---------------------------------------------------------------------------------

    def tag(self, paper: Paper) -> TaggedPaper:
        """Tag one paper."""
        return self.tag_batch([paper])[0]

    def tag_batch(self, papers: Sequence[Paper], batch_size: int = 256) -> list[TaggedPaper]:
        """Tag papers in order; tokenizing their sentences together is faster than one at a time."""
        texts = [one_line(text) for p in papers for text in (p.title, p.abstract)]
        plans = [self._plan(text) for text in texts]
        pieces = [text[s:e] for text, plan in zip(texts, plans, strict=True) for s, e, _ in plan.spans]
        docs = self._pipe(pieces, batch_size)
        out = []
        for i, paper in enumerate(papers):
            title, abstract = texts[2 * i], texts[2 * i + 1]
            in_title, title_vetoed = self._mentions(title, plans[2 * i], docs, "title")
            in_abstract, abstract_vetoed = self._mentions(
                abstract, plans[2 * i + 1], docs, "abstract", own_name(title)
            )
            mentions = in_title + in_abstract
            other = self._other_sense(mentions, title, abstract)
            out.append(
                decide(self.taxonomy, paper, one_sense(mentions, title_vetoed | abstract_vetoed, other))
            )
        if len(self.nlp.vocab) > self.vocab_limit:
            # spaCy keeps every word it has seen in the vocabulary, so over millions of abstracts
            # memory would grow without bound (tens of thousands of new words per 10,000 papers,
            # measured). A fresh pipeline tags the same, so renewing it now and then keeps it flat.
            self._renew()
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
        plan = self._plan(text)
        docs = self._pipe([text[s:e] for s, e, _ in plan.spans], 1)
        mentions, vetoed = self._mentions(text, plan, docs, "abstract")
        return list(one_sense(mentions, vetoed, self._other_sense(mentions, text)))

    def _other_sense(self, mentions: list[Mention], *texts: str) -> frozenset[str]:
        """Concepts named here whose ``not_with`` phrases the paper also names (another sense)."""
        return self._not_with.found({m.concept for m in mentions}, *texts)

    def _pipe(self, texts: list[str], batch_size: int) -> Iterator[Tokens]:
        """The Docs of ``texts`` with their lowercase phrase matches (None: a trained pipeline's)."""
        if self.nlp.pipe_names:
            yield from ((doc, None) for doc in self.nlp.pipe(texts, batch_size=batch_size))
            return
        tokenizer: Tokenizer = self.nlp.tokenizer  # tokenizing is all a blank pipeline does
        yield from with_matches(tokenizer.pipe(texts, batch_size=batch_size), self._lower)

    def _plan(self, text: str) -> Plan:
        """The sentences of a text to tokenize and match, with the token patterns to run on each.

        Matching is done sentence by sentence: no name, cue or definition reaches across a sentence
        end. So only the sentences where a name may start (``candidates.py``) are tokenized, and a
        token pattern runs only on the sentences its trigger finds something in. (A pipeline that
        finds sentences itself tokenizes the whole text: ``_sentences`` cuts it.)
        """
        if not text:
            return _NOTHING
        # Most texts hold no trigger (1,112 of the 27,550 of abstracts-ml.jsonl hold any): a
        # substring test, then one search, says so for less than collecting every trigger's places.
        lower = text.lower()
        patterns = [
            (matcher, [(f.start(), f.end()) for f in trigger.expression.finditer(text)])
            for trigger, matcher in self._patterns
            if trigger.finds(text, lower)
        ]
        if self._use_parser:
            return Plan((), ((0, len(text), tuple(m for m, _ in patterns)),))
        bounds = sentence_bounds(text)
        found = self._candidates.sentences(text, lower, bounds) if self._candidates is not None else None
        if found == [] and not patterns:
            return _NOTHING
        wanted: dict[int, list[Matcher]] = {i: [] for i in (range(len(bounds)) if found is None else found)}
        for matcher, places in patterns:
            for start, end in places:
                first = bisect.bisect_right(bounds, start) - 1
                last = bisect.bisect_right(bounds, max(end - 1, start)) - 1
                for index in range(first, last + 1):
                    runs = wanted.setdefault(index, [])
                    if not runs or runs[-1] is not matcher:
                        runs.append(matcher)
        spans = []
        for index in sorted(wanted):
            start = bounds[index]
            end = bounds[index + 1] if index + 1 < len(bounds) else len(text)
            end = start + len(text[start:end].rstrip())
            if end > start:
                spans.append((start, end, tuple(wanted[index])))
        return Plan(tuple(bounds), tuple(spans))

    def _sentences(
        self, text: str, plan: Plan, docs: Iterator[Tokens]
    ) -> tuple[tuple[int, ...], list[tuple[Tokens, int, int, tuple[Matcher, ...]]]]:
        """The sentence starts of a text, and its planned sentences: tokens, start, end, patterns."""
        if not self._use_parser:
            return plan.bounds, [(next(docs), s, e, patterns) for s, e, patterns in plan.spans]
        if not plan.spans:
            return (), []
        doc, _ = next(docs)
        sents = list(doc.sents)
        bounds = tuple(sent.start_char for sent in sents)
        out: list[tuple[Tokens, int, int, tuple[Matcher, ...]]] = []
        for n, sent in enumerate(sents):
            start = sent.start_char
            end = bounds[n + 1] if n + 1 < len(bounds) else len(text)
            end = start + len(text[start:end].rstrip())
            patterns = tuple(m for t, m in self._patterns if t.expression.search(text, start, end))
            out.append(((sent.as_doc(), None), start, end, patterns))
        return bounds, out

    def _mentions(
        self, text: str, plan: Plan, docs: Iterator[Tokens], field: FieldName, own: str = ""
    ) -> tuple[list[Mention], set[tuple[str, str]]]:
        """Mentions in one field, and the acronyms a guard showed to mean something else here.

        ``docs`` yields the tokens of the planned sentences, in order (with a pipeline that finds
        sentences, one Doc of the whole text)."""
        out: list[Mention] = []
        vetoed: set[tuple[str, str]] = set()
        names: tuple[str, ...] | None = None
        bounds, sentences = self._sentences(text, plan, docs)
        for (doc, phrases), start, end, patterns in sentences:
            sentence_text = text[start:end]
            matches, cue_hits, sentence_vetoed = self._matches(doc, phrases, sentence_text, patterns)
            vetoed |= sentence_vetoed
            if not matches:
                continue
            if names is None:
                found = (
                    (own, *own_names(text, list(bounds), self._self_marker)) if field == "abstract" else ()
                )
                names = tuple(n for n in found if n)
            sentence = sentence_of(doc, sentence_text, matches, cue_hits, names, self._proposing)
            out.extend(self._sentence_mentions(doc, sentence, sentence_text, start, field))
        return out, vetoed

    def _matches(
        self, doc: Doc, phrases: list[RawMatch] | None, text: str, patterns: tuple[Matcher, ...]
    ) -> tuple[list[Match], list[CueHit], set[tuple[str, str]]]:
        """The concept matches and cues of one sentence (``text``, tokenized as ``doc``, ``phrases``
        its lowercase phrase matches if found), and the acronyms a guard or a definition showed to
        mean something else."""
        if not len(doc):
            return [], [], set()
        found = (self._lower(doc) if phrases is None else phrases) + self._orth(doc)
        for matcher in patterns:
            found.extend(matcher(doc))
        matches, guards, cue_hits = sort_matches(found, doc, self._keys, self._slots)
        matches = drop_glued(matches, doc, text)
        if not matches:
            return [], [], set()
        matches, vetoed = drop_guarded(longest(matches), guards, doc)
        matches = drop_definitions(matches, doc)
        matches, defined = drop_other_senses(matches, doc, self._names)
        vetoed |= defined
        if self._hidden:
            matches = [m for m in matches if m.concept not in self._hidden]
        return matches, cue_hits, vetoed

    def _sentence_mentions(
        self, doc: Doc, sentence: Sentence, text: str, offset: int, field: FieldName
    ) -> list[Mention]:
        """The mentions of one sentence (``text``, which starts at ``offset`` in its field)."""
        out = []
        cues = [self._reach.role(doc, m, sentence, field) for m in sentence.matches]
        # A report of experiments naming several families' models side by side, not as what it
        # compares with ("experiments on CNNs, LSTMs and Transformers"), names the workloads.
        workloads = sentence.evaluation and len(self._workload_families(sentence, cues)) >= WORKLOAD_FAMILIES
        # where the last name ends, the comparison it is in, and whether it is a compared one's model
        previous: tuple[int, str, bool] | None = None
        for m, found_cue in zip(sentence.matches, cues, strict=True):
            start_char, hosted = doc[m.start].idx, False
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
                    compared = self._reach.compared_with_own(doc, m, sentence, text, self._self_marker)
                    if not compared and previous and _hosts(doc, previous[0], m.start, previous[2]):
                        compared, hosted = previous[1], True  # "outperforms DreamBooth on Imagen"
                    role, cue = ("compares", compared) if compared else ("uses", sentence.own)
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
                start=offset + start_char,
                end=offset + end_char,
                text=text[start_char:end_char],
                sentence=text,
                sentence_start=offset,
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
            previous = (m.end, cue, hosted) if role == "compares" else None
            out.append(mention)
        return out

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


def _hosts(doc: Doc, end: int, start: int, hosted: bool) -> bool:
    """The name right after a compared one is the model that one runs on ("textual inversion on
    Imagen"), or the next of those models ("on Imagen or Stable Diffusion")."""
    return start - end == 1 and doc[end].lower_ in (("on", "or", "and") if hosted else ("on",))
