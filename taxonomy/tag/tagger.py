"""The Tagger: rules compiled into spaCy matchers, run over titles and abstracts."""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

import spacy
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from taxonomy.models import CUE_ORDER, FieldName, Mention, Paper, Role, TaggedPaper
from taxonomy.rules import Taxonomy, alias_variants, wildcard_parts
from taxonomy.tag.decide import decide, exemplified
from taxonomy.tag.matches import (
    SENTENCE_END,
    Cue,
    Match,
    Sentence,
    drop_definitions,
    drop_glued,
    drop_guarded,
    drop_other_senses,
    head_word,
    longest,
    one_line,
    one_sense,
    own_name,
)
from taxonomy.tag.prefilter import Prefilter

# When two cues are equally near, the more specific reading wins: a comparison, then a cue that says
# the name is a task or workload ("we propose BERT-style pretraining" does not propose BERT).
_CUE_PRIORITY: dict[Role, int] = {role: rank for rank, role in enumerate(CUE_ORDER)}
#: Words in the vocabulary after which the pipeline is rebuilt (about 0.4 s) to free its memory.
VOCAB_LIMIT = 250_000
# A method name: a word with a capital after its first letter or a digit ("PLM", "SGConv", "GSM++").
_NAME = r"[A-Z][A-Za-z0-9]*(?:[A-Z][A-Za-z0-9]*|[0-9][A-Za-z0-9]*)(?:[-+][A-Za-z0-9+]*)?"
_NAME_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9+-]*[A-Za-z0-9+]|[A-Za-z0-9]")
# A name defined in parentheses, or named right after "we propose", "called", "dubbed" ...
_OWN_NAME = re.compile(
    rf"\(({_NAME})\)|\b(?:propose|introduce|present|called|named|dubbed|termed|coined)\s+({_NAME})(?=[\s,.:;)])"
)
#: The most words a ``*`` slot of an alias stands for ("mixture of * experts").
SLOT_WORDS = 3
#: Families whose models a report of experiments names side by side to list its workloads.
WORKLOAD_FAMILIES = 2
#: The most words between a comparison and a name it governs, and tokens between it and a verb.
SCOPE_WORDS = 4
VERB_WORDS = 3
#: Words a slot never holds: they join phrases rather than name a kind ("graph and sequence models").
_SLOT_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "nor",
        "but",
        "of",
        "for",
        "with",
        "without",
        "in",
        "on",
        "at",
        "to",
        "from",
        "by",
        "via",
        "as",
        "into",
        "over",
        "than",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "we",
        "our",
        "their",
        "its",
        "it",
        "this",
        "that",
        "these",
        "those",
        "which",
        "who",
    ]
)


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
        self._build()

    def _build(self) -> None:
        """Load the pipeline and compile the rules into its vocabulary."""
        taxonomy, model = self.taxonomy, self.model
        self.nlp: Language = spacy.load(model) if model else spacy.blank("en")
        self._use_parser = bool(model) and (
            "parser" in self.nlp.pipe_names or "senter" in self.nlp.pipe_names
        )
        vocab = self.nlp.vocab
        self._lower = PhraseMatcher(vocab, attr="LOWER")
        self._orth = PhraseMatcher(vocab, attr="ORTH")
        self._kinds: dict[int, tuple[str, str, str]] = {}  # match id -> (kind, concept or role, rule)
        self._patterns: list[tuple[re.Pattern[str], Matcher]] = []
        self._heads = {
            c.id: frozenset(head_word(a) for a in c.aliases + c.aliases_cased if len(a.split()) > 1)
            for c in taxonomy.concepts.values()
        }
        self._self_marker = _phrase_regex(taxonomy.cues.self_markers, whole=True)
        self._not_with = {c.id: _phrase_regex(c.not_with) for c in taxonomy.concepts.values() if c.not_with}
        cues = taxonomy.cues
        self._barriers = frozenset(b.lower() for b in cues.barriers)
        self._joins = frozenset(w.lower() for w in cues.conjunctions)
        self._window = cues.window
        self._after_window = cues.window if cues.after_window is None else cues.after_window
        self._builds_on = frozenset(c.lower() for c in cues.builds_on)
        self._not_in_titles = frozenset(c.lower() for c in cues.not_in_titles)
        # Phrases are tokenized by a pipeline of their own: tokenizing ~9,000 phrases with the main
        # pipeline made its later tokenizing about 30% slower (measured). Matching compares hashed
        # strings, which are the same in every vocabulary.
        self._patterns_nlp = spacy.blank(self.nlp.lang or "en")
        self._prefilter = Prefilter(self.nlp.tokenizer) if self.prefilter else None
        self._compile()
        del self._patterns_nlp
        if self._prefilter is not None:
            self._prefilter.finish([t for t, _ in self._patterns])

    # -- compiling -------------------------------------------------------------------------------

    def _key(self, kind: str, payload: str, rule: str) -> str:
        key = f"{kind}|{payload}|{rule}"
        self._kinds[self.nlp.vocab.strings.add(key)] = (kind, payload, rule)
        return key

    def _docs(self, phrases: Iterable[str]) -> list[Doc]:
        out = []
        make_doc = self._patterns_nlp.make_doc
        for phrase in phrases:
            # A leading hyphen is an infix in context ("Transformer-based"): tokenize it that way.
            doc = make_doc("x" + phrase)[1:].as_doc() if phrase.startswith("-") else make_doc(phrase)
            if len(doc):
                out.append(doc)
        return out

    def _compile(self) -> None:
        for concept in self.taxonomy.concepts.values():
            for kind, aliases, phrase_matcher in (
                ("concept", concept.aliases, self._lower),
                ("cased", concept.aliases_cased, self._orth),
            ):
                for alias in aliases:
                    parts = wildcard_parts(alias)
                    if parts is not None:
                        self._compile_wildcard(concept.id, alias, *parts)
                        continue
                    docs = self._docs(alias_variants(alias))
                    phrase_matcher.add(self._key(kind, concept.id, f"{concept.id}:alias:{alias}"), docs)
                    if self._prefilter is not None:
                        self._prefilter.add(docs)
            for guard in concept.guards:
                self._lower.add(self._key("guard", concept.id, guard), self._docs(alias_variants(guard)))
            for pattern in concept.patterns:
                matcher = Matcher(self.nlp.vocab)
                key = self._key("concept", concept.id, f"{concept.id}:pattern:{pattern.id}")
                matcher.add(key, [json.loads(pattern.tokens_json)])
                self._patterns.append((re.compile(pattern.trigger, re.IGNORECASE), matcher))
        cues = self.taxonomy.cues
        for phrase, role in cues.before:
            self._lower.add(self._key("before", role, phrase), self._docs([phrase]))
        for phrase, role in cues.after:
            self._lower.add(self._key("after", role, phrase), self._docs([phrase]))
        for phrase in cues.self_markers:
            self._lower.add(self._key("self", "", phrase), self._docs([phrase]))
        for phrase in cues.evaluation:
            self._lower.add(self._key("evaluation", "", phrase), self._docs([phrase]))

    def _compile_wildcard(self, concept: str, alias: str, head: str, tail: str) -> None:
        """An alias with a slot: its words before and after the ``*`` are matched as phrases and
        paired when one to three plain words lie between them (``_slotted``)."""
        rule = f"{concept}:alias:{alias}"
        heads, tails = alias_variants(head, plural=False), alias_variants(tail)
        self._lower.add(self._key("head", concept, rule), self._docs(heads))
        self._lower.add(self._key("tail", concept, rule), self._docs(tails))
        if self._prefilter is not None:  # a slotted match needs every word of both parts
            self._prefilter.add(self._docs([f"{h} {t}" for h in heads for t in tails]))

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
        matches, guards, cue_hits = self._sort(found, doc)
        matches = drop_glued(matches, doc, text)
        if not matches:
            return [], set()
        matches, vetoed = drop_guarded(longest(matches), guards, doc)
        matches = drop_definitions(matches, doc)
        matches, defined = drop_other_senses(matches, doc, self._heads)
        vetoed |= defined
        if not matches:
            return [], vetoed
        bounds = self._sentence_bounds(doc, text)
        names = (own, *self._own_names(text, bounds)) if field == "abstract" else ()
        sentences = self._sentences(doc, text, bounds, matches, cue_hits, tuple(n for n in names if n))
        out = []
        for sentence in sentences.values():
            s_index = bisect.bisect_right(bounds, doc[sentence.start].idx) - 1  # bounds rise strictly
            s_start = bounds[s_index]
            s_end = bounds[s_index + 1] if s_index + 1 < len(bounds) else len(text)
            sentence_text = text[s_start:s_end].rstrip()
            cues = [self._role(doc, m, sentence, field) for m in sentence.matches]
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
                head = self._head(doc, m, found_cue, sentence) if found_cue else ""
                if field == "abstract":
                    if role in ("proposes", "uses") and not sentence.own:
                        # the cue describes other work: "Transformer-based LLMs dominate NLP"
                        role = "mentions"
                    elif role == "mentions" and not cue and sentence.own:
                        # "In our study, an LSTM reads ...": the work involves it
                        role, cue = "uses", sentence.own
                    if (
                        workloads
                        and (role == "uses" or (role == "proposes" and not _adjacent_cue(found_cue, m)))
                        and cue.lower() not in self._builds_on
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
                    and cue.lower() not in self._builds_on
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

    def _sort(
        self, found: list[tuple[int, int, int]], doc: Doc
    ) -> tuple[list[Match], dict[str, list[tuple[int, int]]], list[tuple[str, str, str, int, int]]]:
        """Split raw matcher output into concept matches, guard spans and cue hits."""
        matches: list[Match] = []
        guards: dict[str, list[tuple[int, int]]] = defaultdict(list)
        cue_hits: list[tuple[str, str, str, int, int]] = []
        parts: dict[tuple[str, str], tuple[list[tuple[int, int]], list[tuple[int, int]]]] = {}
        for match_id, start, end in found:
            kind, payload, rule = self._kinds[match_id]
            if kind == "concept" or kind == "cased":
                matches.append(Match(payload, start, end, rule, kind == "cased"))
            elif kind == "guard":
                guards[payload].append((start, end))
            elif kind == "head" or kind == "tail":
                heads, tails = parts.setdefault((payload, rule), ([], []))
                (heads if kind == "head" else tails).append((start, end))
            else:
                cue_hits.append((kind, payload, rule, start, end))
        for (concept, rule), (heads, tails) in parts.items():
            matches.extend(_slotted(doc, concept, rule, heads, tails))
        return matches, guards, cue_hits

    def _sentence_bounds(self, doc: Doc, text: str) -> list[int]:
        if self._use_parser:
            return [sent.start_char for sent in doc.sents]
        return [0] + [m.end() for m in SENTENCE_END.finditer(text)]

    def _sentences(
        self,
        doc: Doc,
        text: str,
        bounds: list[int],
        matches: list[Match],
        cue_hits: list[tuple[str, str, str, int, int]],
        own: tuple[str, ...],
    ) -> dict[int, Sentence]:
        """Group matches and cues by sentence (only sentences with matches are kept)."""
        first_token: dict[int, int] = {}
        sentences: dict[int, Sentence] = {}
        for m in matches:
            index = bisect.bisect_right(bounds, doc[m.start].idx)
            if index not in sentences:
                sentences[index] = Sentence(self._first_token(doc, bounds[index - 1], m.start), [], [])
                first_token[index] = sentences[index].start
            sentences[index].matches.append(m)
        for kind, role, phrase, start, end in cue_hits:
            sentence = sentences.get(bisect.bisect_right(bounds, doc[start].idx))
            if sentence is None:
                continue
            if kind == "self":
                sentence.own = sentence.own or phrase
            elif kind == "evaluation":
                sentence.evaluation = sentence.evaluation or phrase
            else:
                sentence.cues.append(Cue(start, end, role, kind == "after", phrase))  # type: ignore[arg-type]
        if own:
            for index, sentence in sentences.items():
                end = bounds[index] if index < len(bounds) else len(text)
                if not sentence.own:
                    words = set(_NAME_WORD.findall(text[bounds[index - 1] : end]))
                    sentence.own = next((name for name in own if name in words), "")
        return sentences

    def _own_names(self, text: str, bounds: list[int]) -> tuple[str, ...]:
        """Names an abstract gives its own method: "we propose Partial Label Masking (PLM)", "we
        present GSM++, ...", "a model called SGConv", in a sentence about the authors' work."""
        names: list[str] = []
        for found in _OWN_NAME.finditer(text):
            at = bisect.bisect_right(bounds, found.start())
            start, end = bounds[at - 1], bounds[at] if at < len(bounds) else len(text)
            name = next(g for g in found.groups() if g)
            # Two letters name a field ("Artificial Intelligence (AI)", "(ML)"), not a method ("S4", "A2").
            if not (len(name) == 2 and name.isalpha()) and self._self_marker.search(text, start, end):
                names.append(name)
        return tuple(dict.fromkeys(names))

    @staticmethod
    def _first_token(doc: Doc, start_char: int, at: int) -> int:
        i = at
        while i > 0 and doc[i - 1].idx >= start_char:
            i -= 1
        return i

    def _role(self, doc: Doc, m: Match, sentence: Sentence, field: FieldName) -> Cue | None:
        """The nearest cue in reach within the mention's sentence, which sets its role.

        A comparison in reach outranks a nearer ``uses`` cue it governs: in "competitive with
        Transformer-based models" and "without the need to train a CNN" the name is compared with.
        """
        reach = self._cues_in_reach(doc, m, sentence, field)
        if not reach:
            return None
        best = min(reach, key=lambda r: r[:2])[2]
        if best.role == "uses":
            for _, _, cue in sorted(reach, key=lambda r: r[:2]):
                # words between the comparison and the name ("state-of-the-art" is four)
                words = sum(1 for i in range(cue.end, m.start) if doc[i].text != "-")
                if cue.role == "compares" and _scopes_over(cue, words, best):
                    return cue
        return best

    def _cues_in_reach(
        self, doc: Doc, m: Match, sentence: Sentence, field: FieldName
    ) -> list[tuple[int, int, Cue]]:
        """The cues that may set the mention's role, each with its distance and priority."""
        out = []
        for cue in sentence.cues:
            if cue.end > m.start and cue.start < m.end:
                continue  # the cue overlaps the name itself
            if field == "title" and cue.text.lower() in self._not_in_titles:
                continue
            if cue.after:
                if cue.start < m.end:
                    continue
                gap, lo, hi = cue.start - m.end, m.end, cue.start
            else:
                if cue.end > m.start:
                    continue
                gap, lo, hi = m.start - cue.end, cue.end, m.start
            window = self._after_window if cue.after else self._window
            if gap > window and (cue.after or not self._listed_from(cue, m, sentence, window)):
                continue
            if any(doc[i].lower_ in self._barriers for i in range(lo, hi)):
                continue
            if field == "title" and cue.role == "compares" and any(doc[i].text == ":" for i in range(lo, hi)):
                continue  # "Vision Transformer: an alternative to attention" is about the ViT
            if not self._reaches(doc, cue, m, sentence, lo, hi):
                continue
            out.append((gap, _CUE_PRIORITY[cue.role], cue))
        return out

    @staticmethod
    def _listed_from(cue: Cue, m: Match, sentence: Sentence, window: int) -> bool:
        """A cue reaches beyond its window along a list that starts within it: in "than CNNs,
        RNNs, LSTMs, GRUs and Transformers" every item is compared with (``_reaches`` checks the list)."""
        return any(
            x.start >= cue.end and x.start - cue.end <= window and x.end <= m.start for x in sentence.matches
        )

    def _head(self, doc: Doc, m: Match, cue: Cue, sentence: Sentence) -> str:
        """For a builds-on cue, the concept named right next to it that builds on ``m``."""
        if cue.text.lower() not in self._builds_on:
            return ""
        if cue.after:  # "Transformer-based (image) diffusion model": the next name after the cue
            near = [
                x for x in sentence.matches if x.start >= cue.end and self._adjacent(doc, cue.end, x.start)
            ]
            head = min(near, key=lambda x: x.start, default=None)
        else:  # "a diffusion model built on Transformers": the name right before the cue
            near = [
                x for x in sentence.matches if x.end <= cue.start and self._adjacent(doc, x.end, cue.start)
            ]
            head = max(near, key=lambda x: x.end, default=None)
        return head.concept if head is not None and head.concept != m.concept else ""

    def _adjacent(self, doc: Doc, lo: int, hi: int) -> bool:
        """At most one plain word between two tokens ("-based image diffusion")."""
        return hi - lo <= 1 and all(
            doc[i].is_alpha and doc[i].lower_ not in self._joins for i in range(lo, hi)
        )

    def _reaches(self, doc: Doc, cue: Cue, m: Match, sentence: Sentence, lo: int, hi: int) -> bool:
        """A cue reaches past other concepts only along a list: "than CNNs, RNNs and Transformers"."""
        between = [x for x in sentence.matches if lo <= x.start and x.end <= hi]
        if not between:
            return True
        chain = sorted([*between, m], key=lambda x: x.start)
        joins = self._joins
        if not cue.after and cue.start - sentence.start <= 2:
            joins = joins - {","}  # "Unlike CNNs, our model ...": the comma closes the cue's phrase
        for a, b in itertools.pairwise(chain):
            if a.end > b.start:
                continue
            if not all(doc[i].lower_ in joins for i in range(a.end, b.start)):
                return False
        return True


def _adjacent_cue(cue: Cue | None, m: Match) -> bool:
    """The cue is right next to the name ("our GNN", "novel Transformer", "Transformer-based")."""
    if cue is None:
        return False
    return (cue.start - m.end if cue.after else m.start - cue.end) <= 1


def _scopes_over(compares: Cue, words: int, uses: Cue) -> bool:
    """A comparison ``words`` before a name governs a ``uses`` cue: one that makes the name a
    modifier ("competitive with state-of-the-art Transformer-based models"), or a verb right after
    the comparison ("without the need to train a CNN")."""
    if compares.after:
        return False
    if uses.after:
        return words <= SCOPE_WORDS
    return 0 <= uses.start - compares.end <= VERB_WORDS


def _slotted(
    doc: Doc, concept: str, rule: str, heads: list[tuple[int, int]], tails: list[tuple[int, int]]
) -> Iterator[Match]:
    """Matches of a slotted alias: a head, one to three plain words, then the nearest tail."""
    for h_start, h_end in heads:
        for t_start, t_end in sorted(tails):
            if t_start <= h_end:
                continue
            if t_start - h_end > 2 * SLOT_WORDS + 1:
                break
            slot = [t for t in doc[h_end:t_start]]
            while slot and slot[0].text == "-":
                slot.pop(0)
            while slot and slot[-1].text == "-":
                slot.pop()
            words = [t for t in slot if t.text != "-"]
            if 1 <= len(words) <= SLOT_WORDS and all(
                t.text.isalnum() and t.lower_ not in _SLOT_STOP for t in words
            ):
                yield Match(concept, h_start, t_end, rule, loose=True)
            break


def _phrase_regex(phrases: Iterable[str], *, whole: bool = False) -> re.Pattern[str]:
    """One case-insensitive expression for phrases (any hyphen/space spelling) starting at a word
    ("Kalman filter" also finds "Kalman filtering"), or with ``whole``, ending at one too."""
    variants = sorted(
        {v for p in phrases for v in alias_variants(p, plural=False)}, key=lambda v: (-len(v), v)
    )
    end = r"(?!\w)" if whole else ""
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, variants)) + ")" + end, re.IGNORECASE)
