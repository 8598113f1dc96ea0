"""Plain values passed between the stages: papers in, tagged papers out.

Everything here is a frozen dataclass holding tuples, strings and numbers, so values can be
hashed, compared, pickled to worker processes and serialised without surprises.
"""

from __future__ import annotations

import dataclasses
import operator
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, get_args

T = TypeVar("T")

#: The role of a mention, from strongest to weakest claim of what a paper is about.
Role = Literal["proposes", "uses", "compares", "mentions"]
FieldName = Literal["title", "abstract"]

#: Roles from strongest to weakest claim of what a paper is about (a concept takes its strongest).
ROLES: tuple[Role, ...] = get_args(Role)
#: Roles that say a paper works with a concept, not only sets it against another or names it.
STRONG_ROLES: tuple[Role, ...] = ROLES[:2]
#: Roles by how well a mention shows what its family is about, best first: a concept only named
#: shows more of it than one a paper compares itself with.
EVIDENCE_ORDER: tuple[Role, ...] = ("proposes", "uses", "mentions", "compares")
#: Which role's cue wins when two cues are equally near a name: the more specific reading first (a
#: comparison; then a cue that says the name is a task or workload, so "we propose BERT-style
#: pretraining" does not propose BERT).
CUE_ORDER: tuple[Role, ...] = ("compares", "mentions", "proposes", "uses")
FIELDS: tuple[FieldName, ...] = get_args(FieldName)


def quick_pickle(cls: type[T]) -> type[T]:
    """Pickle a frozen dataclass with slots as its class and its values, in field order.

    The dataclass's own way looks its fields up again for every object, which made that most of the
    time of pickling a batch of papers to a worker, and of unpickling the statistics it sends back.
    Every field must be an ``__init__`` argument.
    """
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    values = operator.attrgetter(*names) if len(names) > 1 else lambda obj: (getattr(obj, names[0]),)

    def reduce(self: Any) -> tuple[type[T], tuple[Any, ...]]:
        return cls, values(self)

    cls.__reduce__ = reduce  # type: ignore[method-assign]
    return cls


@quick_pickle
@dataclass(frozen=True, slots=True)
class Paper:
    """One record of a corpus, as read from any input format.

    ``title`` and ``abstract`` are plain text with whitespace collapsed to single spaces (markup
    removed by the reader), so character offsets into them are stable. ``date`` is an ISO 8601
    prefix (``2024``, ``2024-03`` or ``2024-03-14``) or ``None``; ``venue_year`` is a year a reader
    found in the venue (``ICLR 2021 submission``) of a record without a date, and :attr:`year` the
    one to use.
    The bibliographic fields are ``""`` when the record has none: ``doi`` (``10.1234/abc``),
    ``arxiv_id`` (``2401.01234``), ``url`` (the record's own link) and ``key``, the record's key in
    its source (a BibTeX citation key, an RIS ``ID``, ``openalex:W...``, ``s2:...``). ``source``
    says where the record came from (``file:line``) and is not part of a paper's identity.
    """

    id: str
    title: str
    abstract: str = ""
    date: str | None = None
    authors: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    venue: str = ""
    source: str = field(default="", compare=False)
    venue_year: int | None = None
    doi: str = ""
    arxiv_id: str = ""
    url: str = ""
    key: str = ""

    @property
    def year(self) -> int | None:
        """The publication year: the date's, else the venue's, else None."""
        return int(self.date[:4]) if self.date else self.venue_year

    @property
    def link(self) -> str:
        """The page to read the paper at: its DOI, else its arXiv page, else its URL ("" if none)."""
        if self.doi:
            return f"https://doi.org/{self.doi}"
        if self.arxiv_id:
            return f"https://arxiv.org/abs/{self.arxiv_id}"
        return self.url


@quick_pickle
@dataclass(frozen=True, slots=True)
class Reject:
    """A record that could not become a paper, with where it was and why.

    A duplicate (same id or same normalised title as an earlier paper) is a ``Reject`` whose
    ``duplicate_of`` names the paper kept, so every record read is accounted for.
    """

    source: str  # file name as given by the user, or "-" for standard input
    line: int | None  # 1-based line (or record number for formats without lines)
    reason: str
    excerpt: str = ""  # the start of the offending record, for the user to find it
    duplicate_of: str = ""  # id of the paper this record duplicates; "" for a real reject

    @property
    def where(self) -> str:
        """``file:line`` or just ``file`` when no line is known."""
        return f"{self.source}:{self.line}" if self.line is not None else self.source


@quick_pickle
@dataclass(frozen=True, slots=True)
class Mention:
    """One place where a concept is named in a paper, with the evidence for it."""

    concept: str  # concept id, e.g. "mamba"
    field: FieldName  # "title" | "abstract"
    start: int  # character offsets into that field of the paper
    end: int
    text: str  # the words matched
    sentence: str  # the sentence holding the match
    sentence_start: int  # offset of the sentence in the field, so start - sentence_start is in it
    role: Role
    rule: str  # id of the rule that fired, e.g. "mamba:alias" or "mamba:pattern:compound"
    cue: str = ""  # the cue words that decided the role ("" when none did)
    head: str = ""  # in "A-based B" or "B built on A", the concept B that builds on this one (A)


@quick_pickle
@dataclass(frozen=True, slots=True)
class ConceptHit:
    """A concept found in a paper: how often, how strongly, and in which strongest role."""

    concept: str
    count: int
    score: float
    role: Role


@quick_pickle
@dataclass(frozen=True, slots=True)
class TaggedPaper:
    """A paper with its mentions, concepts, and the families it is about or mentions."""

    paper: Paper
    mentions: tuple[Mention, ...] = ()
    concepts: tuple[ConceptHit, ...] = ()
    families_primary: tuple[str, ...] = ()
    families_mentioned: tuple[str, ...] = ()
    family_scores: tuple[tuple[str, float], ...] = ()

    @property
    def tagged(self) -> bool:
        """True when at least one family was found."""
        return bool(self.families_mentioned)
