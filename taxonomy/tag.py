"""Tag papers with concepts and families using spaCy matchers compiled from the rules.

The pipeline is ``spacy.blank("en")``'s tokenizer and two ``PhraseMatcher`` passes (aliases,
guards and role cues on ``LOWER``; case-sensitive aliases on ``ORTH``). Token patterns, which cost
far more per token, run only on texts their trigger regex matches. Sentence boundaries are found
with a regular expression only in texts that have matches, so papers without mentions cost little
more than tokenizing them. spaCy objects never leave this module: matches become ``Mention`` values.
"""

from __future__ import annotations

import bisect
import itertools
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import spacy
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from taxonomy.models import FIELDS, ROLES, ConceptHit, FieldName, Mention, Paper, Role, TaggedPaper
from taxonomy.rules import Taxonomy, alias_variants

_BLANK = {"\n": " ", "\r": " ", "\t": " ", "\v": " ", "\f": " "}
_SPACES = str.maketrans(_BLANK)
_HAS_BREAK = re.compile(r"[\n\r\t\v\f]")


def _one_line(text: str) -> str:
    """Line breaks and tabs as spaces, offsets unchanged: a lone newline makes spaCy's tokenizer stop
    caching words for the rest of the text (measured ~10x slower). Readers already collapse
    whitespace, so the common case is one cheap search."""
    return text.translate(_SPACES) if _HAS_BREAK.search(text) else text


# A sentence ends at . ! or ? followed by space and a capital, digit or opening mark, except after
# common abbreviations (lookbehinds must be fixed-width, hence one per abbreviation).
_SENTENCE_END = re.compile(
    r"[.!?]\s+(?=[A-Z0-9\"'(\[])"  # the cheap test first: most positions are not a full stop
    r"(?<!\be\.g\.\s)(?<!\bi\.e\.\s)(?<!\bal\.\s)(?<!\bvs\.\s)(?<!\bcf\.\s)(?<!\bFig\.\s)(?<!\bEq\.\s)(?<!\bSec\.\s)"
)
_ROLE_RANK = {role: i for i, role in enumerate(ROLES)}
# When two cues are equally near, the more specific reading wins.
_CUE_PRIORITY: dict[Role, int] = {"compares": 0, "proposes": 1, "uses": 2, "mentions": 3}


@dataclass(frozen=True, slots=True)
class _Match:
    concept: str
    start: int  # token offsets
    end: int
    rule: str
    cased: bool = False  # matched by a case-sensitive alias (an acronym)


@dataclass(frozen=True, slots=True)
class _Cue:
    start: int
    end: int
    role: Role
    after: bool  # True for a cue that follows the concept it applies to
    text: str


@dataclass(slots=True)
class _Sentence:
    """The matches and cues of one sentence, and whether it speaks of the authors' own work."""

    start: int  # first token
    matches: list[_Match]
    cues: list[_Cue]
    own: str = ""  # the words that mark it as the authors' own ("we", or the paper's method name)


class Tagger:
    """Rules compiled into spaCy matchers: tag papers, or find concepts in a text.

    Compiling costs about a second; build one Tagger per process and reuse it.
    """

    def __init__(self, taxonomy: Taxonomy, *, model: str | None = None) -> None:
        self.taxonomy = taxonomy
        self.nlp: Language = spacy.load(model) if model else spacy.blank("en")
        self._use_parser = bool(model) and (
            "parser" in self.nlp.pipe_names or "senter" in self.nlp.pipe_names
        )
        vocab = self.nlp.vocab
        self._lower = PhraseMatcher(vocab, attr="LOWER")
        self._orth = PhraseMatcher(vocab, attr="ORTH")
        self._kinds: dict[int, tuple[str, str, str]] = {}  # match id -> (kind, concept or role, rule)
        self._patterns: list[tuple[re.Pattern[str], Matcher]] = []
        cues = taxonomy.cues
        self._barriers = frozenset(b.lower() for b in cues.barriers)
        self._joins = frozenset(w.lower() for w in cues.conjunctions)
        self._window = cues.window
        self._builds_on = frozenset(c.lower() for c in cues.builds_on)
        # Phrases are tokenized by a pipeline of their own: tokenizing ~9,000 phrases with the main
        # pipeline made its later tokenizing about 30% slower (measured). Matching compares hashed
        # strings, which are the same in every vocabulary.
        self._patterns_nlp = spacy.blank(self.nlp.lang or "en")
        self._compile()
        del self._patterns_nlp
        # One search tells whether any token pattern can match; most texts need no further look.
        self._any_trigger = (
            re.compile("|".join(f"(?:{p.pattern})" for p, _ in self._patterns), re.IGNORECASE)
            if self._patterns
            else None
        )

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
            for alias in concept.aliases:
                key = self._key("concept", concept.id, f"{concept.id}:alias:{alias}")
                self._lower.add(key, self._docs(alias_variants(alias)))
            for alias in concept.aliases_cased:
                key = self._key("cased", concept.id, f"{concept.id}:alias:{alias}")
                self._orth.add(key, self._docs(alias_variants(alias)))
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

    # -- tagging ---------------------------------------------------------------------------------

    def tag(self, paper: Paper) -> TaggedPaper:
        """Tag one paper."""
        return self.tag_batch([paper])[0]

    def tag_batch(self, papers: Sequence[Paper], batch_size: int = 256) -> list[TaggedPaper]:
        """Tag papers in order; tokenizing them together is faster than one at a time."""
        texts = [_one_line(text) for p in papers for text in (p.title, p.abstract)]
        docs = iter(self._pipe(texts, batch_size))
        out = []
        for i, paper in enumerate(papers):
            title_text, abstract_text = texts[2 * i], texts[2 * i + 1]
            title, title_vetoed = self._mentions(next(docs), title_text, "title")
            own = own_name(title_text)
            abstract, abstract_vetoed = self._mentions(next(docs), abstract_text, "abstract", own)
            mentions = _one_sense(title + abstract, title_vetoed | abstract_vetoed)
            out.append(decide(self.taxonomy, paper, mentions))
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
        text = _one_line(text)
        mentions, vetoed = self._mentions(next(iter(self._pipe([text], 1))), text, "abstract")
        return list(_one_sense(mentions, vetoed))

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
        if self._any_trigger is not None and self._any_trigger.search(text):
            for trigger, matcher in self._patterns:
                if trigger.search(text):
                    found.extend(matcher(doc))
        matches, guards, cue_hits = self._sort(found)
        if not matches:
            return [], set()
        matches, vetoed = _drop_guarded(_longest(matches), guards, doc)
        matches = _drop_definitions(matches, doc)
        if not matches:
            return [], vetoed
        bounds = self._sentence_bounds(doc, text)
        sentences = self._sentences(doc, text, bounds, matches, cue_hits, own)
        out = []
        for sentence in sentences.values():
            s_start = bounds[bisect.bisect_right(bounds, doc[sentence.start].idx) - 1]
            s_index = bounds.index(s_start)
            s_end = bounds[s_index + 1] if s_index + 1 < len(bounds) else len(text)
            sentence_text = text[s_start:s_end].rstrip()
            for m in sentence.matches:
                start_char = doc[m.start].idx
                last = doc[m.end - 1]
                end_char = last.idx + len(last)
                found_cue = self._role(doc, m, sentence)
                role: Role = found_cue.role if found_cue else "mentions"
                cue = found_cue.text if found_cue else ""
                head = self._head(doc, m, found_cue, sentence) if found_cue else ""
                if field == "abstract":
                    if role in ("proposes", "uses") and not sentence.own:
                        role = (
                            "mentions"  # the cue describes other work: "Transformer-based LLMs dominate NLP"
                        )
                    elif role == "mentions" and not cue and sentence.own:
                        role, cue = (
                            "uses",
                            sentence.own,
                        )  # "In our study, an LSTM reads ...": the work involves it
                out.append(
                    Mention(
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
                )
        return out, vetoed

    def _sort(
        self, found: list[tuple[int, int, int]]
    ) -> tuple[list[_Match], dict[str, list[tuple[int, int]]], list[tuple[str, str, str, int, int]]]:
        """Split raw matcher output into concept matches, guard spans and cue hits."""
        matches: list[_Match] = []
        guards: dict[str, list[tuple[int, int]]] = defaultdict(list)
        cue_hits: list[tuple[str, str, str, int, int]] = []
        for match_id, start, end in found:
            kind, payload, rule = self._kinds[match_id]
            if kind == "concept" or kind == "cased":
                matches.append(_Match(payload, start, end, rule, kind == "cased"))
            elif kind == "guard":
                guards[payload].append((start, end))
            else:
                cue_hits.append((kind, payload, rule, start, end))
        return matches, guards, cue_hits

    def _sentence_bounds(self, doc: Doc, text: str) -> list[int]:
        if self._use_parser:
            return [sent.start_char for sent in doc.sents]
        return [0] + [m.end() for m in _SENTENCE_END.finditer(text)]

    def _sentences(
        self,
        doc: Doc,
        text: str,
        bounds: list[int],
        matches: list[_Match],
        cue_hits: list[tuple[str, str, str, int, int]],
        own: str,
    ) -> dict[int, _Sentence]:
        """Group matches and cues by sentence (only sentences with matches are kept)."""
        first_token: dict[int, int] = {}
        sentences: dict[int, _Sentence] = {}
        for m in matches:
            index = bisect.bisect_right(bounds, doc[m.start].idx)
            if index not in sentences:
                sentences[index] = _Sentence(self._first_token(doc, bounds[index - 1], m.start), [], [])
                first_token[index] = sentences[index].start
            sentences[index].matches.append(m)
        for kind, role, phrase, start, end in cue_hits:
            sentence = sentences.get(bisect.bisect_right(bounds, doc[start].idx))
            if sentence is None:
                continue
            if kind == "self":
                sentence.own = sentence.own or phrase
            else:
                sentence.cues.append(_Cue(start, end, role, kind == "after", phrase))  # type: ignore[arg-type]
        if own:
            for index, sentence in sentences.items():
                end = bounds[index] if index < len(bounds) else len(text)
                if not sentence.own and own in text[bounds[index - 1] : end]:
                    sentence.own = own
        return sentences

    @staticmethod
    def _first_token(doc: Doc, start_char: int, at: int) -> int:
        i = at
        while i > 0 and doc[i - 1].idx >= start_char:
            i -= 1
        return i

    def _role(self, doc: Doc, m: _Match, sentence: _Sentence) -> _Cue | None:
        """The nearest cue in reach within the mention's sentence, which sets its role."""
        best: tuple[int, int, _Cue] | None = None
        for cue in sentence.cues:
            if cue.end > m.start and cue.start < m.end:
                continue  # the cue overlaps the name itself
            if cue.after:
                if cue.start < m.end:
                    continue
                gap, lo, hi = cue.start - m.end, m.end, cue.start
            else:
                if cue.end > m.start:
                    continue
                gap, lo, hi = m.start - cue.end, cue.end, m.start
            if gap > self._window:
                continue
            rank = (gap, _CUE_PRIORITY[cue.role])
            if best is not None and rank >= best[:2]:
                continue
            if any(doc[i].lower_ in self._barriers for i in range(lo, hi)):
                continue
            if not self._reaches(doc, cue, m, sentence, lo, hi):
                continue
            best = (*rank, cue)
        return None if best is None else best[2]

    def _head(self, doc: Doc, m: _Match, cue: _Cue, sentence: _Sentence) -> str:
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

    def _reaches(self, doc: Doc, cue: _Cue, m: _Match, sentence: _Sentence, lo: int, hi: int) -> bool:
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


def own_name(title: str) -> str:
    """The paper's own method name: a short title part before a colon ("SpeechT5: ..."), else ""."""
    head, colon, _ = title.partition(":")
    head = head.strip()
    if not colon or not head or len(head.split()) > 2 or len(head) < 3:
        return ""
    return head if any(ch.isupper() for ch in head[1:]) or any(ch.isdigit() for ch in head) else ""


def mention_weight(taxonomy: Taxonomy, mention: Mention) -> float:
    """How much a mention counts towards its families, by field and role (from scoring.yaml)."""
    return taxonomy.scoring.weights[mention.field][mention.role]


def contributions(taxonomy: Taxonomy, mentions: Iterable[Mention]) -> dict[str, list[tuple[float, Mention]]]:
    """Each family's weighted mentions, strongest first (the order the decay is applied in)."""
    out: dict[str, list[tuple[float, Mention]]] = defaultdict(list)
    for mention in mentions:
        weight = mention_weight(taxonomy, mention)
        for family in taxonomy.concepts[mention.concept].families:
            out[family].append((weight, mention))
    for entries in out.values():
        entries.sort(key=lambda e: -e[0])
    return dict(out)


def decayed(weights: Iterable[float], decay: float) -> float:
    """Sum of weights, strongest first, the i-th one scaled by decay**i."""
    return sum(w * decay**i for i, w in enumerate(sorted(weights, reverse=True)))


def decide(taxonomy: Taxonomy, paper: Paper, mentions: tuple[Mention, ...]) -> TaggedPaper:
    """Score families from the mentions and pick the primary ones (weights from scoring.yaml)."""
    scoring = taxonomy.scoring
    family_scores = {
        family: decayed((w for w, _ in entries), scoring.repeat_decay)
        for family, entries in contributions(taxonomy, mentions).items()
    }
    top = max(family_scores.values(), default=0.0)
    primary = tuple(
        sorted(
            f
            for f, score in family_scores.items()
            if score >= scoring.min_score and score >= scoring.min_share * top
        )
    )
    by_concept: dict[str, list[Mention]] = defaultdict(list)
    for mention in mentions:
        by_concept[mention.concept].append(mention)
    hits = tuple(
        ConceptHit(
            concept=cid,
            count=len(ms),
            score=round(decayed((mention_weight(taxonomy, m) for m in ms), scoring.repeat_decay), 3),
            role=min((m.role for m in ms), key=_ROLE_RANK.__getitem__),
        )
        for cid, ms in sorted(by_concept.items())
    )
    return TaggedPaper(
        paper=paper,
        mentions=mentions,
        concepts=hits,
        families_primary=primary,
        families_mentioned=tuple(sorted(family_scores)),
        family_scores=tuple((f, round(s, 3)) for f, s in sorted(family_scores.items())),
    )


def _longest(matches: list[_Match]) -> list[_Match]:
    """Drop matches inside a longer match ("Vision Transformer" wins over "Transformer")."""
    ordered = sorted(matches, key=lambda m: (m.start, -(m.end - m.start), m.concept, m.rule))
    out: list[_Match] = []
    reach = -1
    for m in ordered:
        if out and m.start == out[-1].start and m.end == out[-1].end:
            if m.concept != out[-1].concept:
                out.append(m)  # two concepts named by the same words (a cased and a plain alias)
            continue
        if m.end <= reach:
            continue
        if out and m.start < out[-1].end and m.concept == out[-1].concept:
            continue  # "image diffusion model" read as "image diffusion" and "diffusion model": one mention
        out.append(m)
        reach = max(reach, m.end)
    return out


def _drop_guarded(
    matches: list[_Match], guards: dict[str, list[tuple[int, int]]], doc: Doc
) -> tuple[list[_Match], set[tuple[str, str]]]:
    """Drop matches inside a guard phrase of their concept; report guarded acronyms.

    An acronym keeps one sense through a text ("one sense per discourse"): once a guard shows that
    "MAE" means "mean absolute error" here, other bare uses of "MAE" in the paper are dropped too.
    Everyday words do not behave that way ("attracted attention" says nothing about "attention
    layers" later), so this applies to case-sensitive aliases only.
    """
    if not guards:
        return matches, set()
    kept: list[_Match] = []
    vetoed: set[tuple[str, str]] = set()
    for m in matches:
        if any(g0 <= m.start and m.end <= g1 for g0, g1 in guards.get(m.concept, ())):
            if m.cased:
                vetoed.add((m.concept, doc[m.start : m.end].text))
        else:
            kept.append(m)
    return kept, vetoed


def _drop_definitions(matches: list[_Match], doc: Doc) -> list[_Match]:
    """Count "Graph Neural Networks (GNNs)" once: an abbreviation defined right after its long form."""
    kept: list[_Match] = []
    for m in matches:
        prev = kept[-1] if kept else None
        if (
            prev is not None
            and prev.concept == m.concept
            and m.start == prev.end + 1
            and doc[prev.end].text == "("
            and m.end < len(doc)
            and doc[m.end].text == ")"
        ):
            continue
        kept.append(m)
    return kept


def _one_sense(mentions: list[Mention], vetoed: set[tuple[str, str]]) -> tuple[Mention, ...]:
    if not vetoed:
        return tuple(mentions)
    return tuple(m for m in mentions if (m.concept, m.text) not in vetoed)


__all__ = ["FIELDS", "Tagger", "contributions", "decayed", "decide", "mention_weight", "own_name"]
