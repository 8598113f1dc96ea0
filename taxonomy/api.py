"""The library for notebooks and scripts: read papers, tag records of any shape, tabulate the tags.

``import taxonomy`` gives :func:`read`, :func:`tag` and :func:`to_dataframe` (loaded on first
use, so importing the package stays instant):

- :func:`read` reads files as ``taxonomy tag`` does: the same formats, cleaning, ids and duplicates;
- :func:`tag` tags papers, or records given in memory (dicts, strings, a DataFrame or its rows),
  cleaned exactly as the readers clean them (:mod:`taxonomy.ingest.memory`), so a record gets the
  families ``taxonomy tag`` gives it in a file;
- :func:`to_dataframe` makes one row a paper, with a column per family and per concept
  (pandas is an optional extra: ``pip install 'taxonomy[pandas]'``).

The rules are compiled once per folder and part of the taxonomy (a few seconds) and kept for the
next call in the same process; a rules file changed since is compiled again.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, overload

from taxonomy.ingest import FieldNames
from taxonomy.models import Paper, Reject, TaggedPaper

if TYPE_CHECKING:
    import pandas

    from taxonomy.tag import Tagger

__all__ = ["Papers", "Tagged", "read", "tag", "to_dataframe"]

SHOWN = 10  # papers listed by the repr of a Papers or Tagged value
_TITLE = 80  # characters of a title in a repr


@dataclass(frozen=True, slots=True, repr=False)
class Papers(Sequence[Paper]):
    """Papers read from files, in input order, with the records that could not be used."""

    papers: tuple[Paper, ...]
    rejects: tuple[Reject, ...] = ()  # unreadable records, and duplicates (``duplicate_of`` set)

    @overload
    def __getitem__(self, index: int) -> Paper: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Paper, ...]: ...
    def __getitem__(self, index: int | slice) -> Paper | tuple[Paper, ...]:
        return self.papers[index]

    def __len__(self) -> int:
        return len(self.papers)

    def __iter__(self) -> Iterator[Paper]:
        return iter(self.papers)

    def __repr__(self) -> str:
        duplicates = sum(1 for r in self.rejects if r.duplicate_of)
        head = (
            f"<Papers: {_count(len(self.papers), 'paper')}; {len(self.rejects) - duplicates:,} rejected, "
            f"{duplicates:,} duplicates>"
        )
        return _listing(head, [_title(p.title) for p in self.papers])


@dataclass(frozen=True, slots=True, repr=False)
class Tagged(Sequence[TaggedPaper]):
    """Tagged papers, in the order given, with the records that could not be tagged."""

    papers: tuple[TaggedPaper, ...]
    rejects: tuple[Reject, ...] = ()  # records without a title, or of a type that cannot be read

    @overload
    def __getitem__(self, index: int) -> TaggedPaper: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[TaggedPaper, ...]: ...
    def __getitem__(self, index: int | slice) -> TaggedPaper | tuple[TaggedPaper, ...]:
        return self.papers[index]

    def __len__(self) -> int:
        return len(self.papers)

    def __iter__(self) -> Iterator[TaggedPaper]:
        return iter(self.papers)

    def __repr__(self) -> str:
        tagged = sum(1 for tp in self.papers if tp.tagged)
        primary = sum(1 for tp in self.papers if tp.families_primary)
        rejected = f"; {len(self.rejects):,} rejected" if self.rejects else ""
        head = (
            f"<Tagged: {_count(len(self.papers), 'paper')}, {tagged:,} with a family "
            f"({primary:,} with a primary family){rejected}>"
        )
        return _listing(head, [f"{_title(tp.paper.title)}: {describe(tp)}" for tp in self.papers])

    def to_dataframe(self) -> pandas.DataFrame:
        """The papers as a table, one row a paper (see :func:`to_dataframe`)."""
        return to_dataframe(self.papers)


def describe(tp: TaggedPaper, concepts: int = 3) -> str:
    """A tagged paper in a few words: ``primary ssm; concepts mamba (proposes)``."""
    if not tp.tagged:
        return "no family"
    parts = []
    if tp.families_primary:
        parts.append(f"primary {', '.join(tp.families_primary)}")
    others = [f for f in tp.families_mentioned if f not in tp.families_primary]
    if others:
        parts.append(f"mentions {', '.join(others)}")
    ranked = sorted(tp.concepts, key=lambda hit: (-hit.score, hit.concept))
    parts.append("concepts " + ", ".join(f"{hit.concept} ({hit.role})" for hit in ranked[:concepts]))
    if len(ranked) > concepts:
        parts[-1] += ", ..."
    return "; ".join(parts)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _title(title: str) -> str:
    return title if len(title) <= _TITLE else title[: _TITLE - 3].rstrip() + "..."


def _listing(head: str, lines: Sequence[str]) -> str:
    shown = [f"  {line}" for line in lines[:SHOWN]]
    if len(lines) > SHOWN:
        shown.append(f"  ... and {len(lines) - SHOWN:,} more")
    return "\n".join([head, *shown])


def _fields(title: str | None, abstract: str | None, date: str | None, id: str | None) -> FieldNames:
    return FieldNames(title=title, abstract=abstract, date=date, id=id)


def read(
    paths: str | Path | Sequence[str | Path],
    *,
    format: str | None = None,
    title_field: str | None = None,
    abstract_field: str | None = None,
    date_field: str | None = None,
    id_field: str | None = None,
    delimiter: str | None = None,
    strict: bool = False,
    dedupe: bool = True,
) -> Papers:
    """Read papers from files, as ``taxonomy tag`` reads them (same options, same papers and ids).

    Raises :class:`~taxonomy.errors.InputError` for a file that cannot be read (with ``strict``,
    for the first record that cannot be used).
    """
    from taxonomy import ingest

    names = [paths] if isinstance(paths, (str, Path)) else list(paths)
    fields = FieldNames(title_field, abstract_field, date_field, id_field, delimiter)
    papers: list[Paper] = []
    rejects: list[Reject] = []
    for item in ingest.read(names, format=format, fields=fields, strict=strict, dedupe=dedupe):
        (papers if isinstance(item, Paper) else rejects).append(item)  # type: ignore[arg-type]
    return Papers(tuple(papers), tuple(rejects))


def tag(
    records: object,
    *,
    rules: str | Path | None = None,
    families: Sequence[str] = (),
    areas: Sequence[str] = (),
    title_field: str | None = None,
    abstract_field: str | None = None,
    date_field: str | None = None,
    id_field: str | None = None,
) -> Tagged:
    """Tag papers, or records given in memory, with the bundled rules (or those in ``rules``).

    ``records`` are :class:`~taxonomy.models.Paper` values (from :func:`read`), dicts (read as JSON
    records: ``title``, ``abstract``, ``date`` or ``year``, ``doi`` ... by their usual names, or
    the ``*_field`` names), strings (titles), a DataFrame, or its rows (``iterrows()`` rows,
    ``itertuples()``). Text is cleaned as the readers clean it. ``families`` or ``areas`` tag with
    that part of the taxonomy only. Records without a title are left out and listed in
    ``Tagged.rejects``; every other record gives one tagged paper, in the order given.
    """
    from taxonomy.ingest.memory import read_records

    fields = _fields(title_field, abstract_field, date_field, id_field)
    papers: list[Paper] = []
    rejects: list[Reject] = []
    for item in read_records(_rows(records), fields):
        (papers if isinstance(item, Paper) else rejects).append(item)  # type: ignore[arg-type]
    if not papers:
        return Tagged((), tuple(rejects))
    tagger = _tagger(_rules_key(rules), tuple(families), tuple(areas))
    return Tagged(tuple(tagger.tag_stream(papers)), tuple(rejects))


def _rows(records: object) -> object:
    """``records``, with the ``(index, row)`` pairs of ``DataFrame.iterrows()`` as their rows."""
    from taxonomy.ingest.memory import is_frame

    if isinstance(records, (str, Paper, dict)) or is_frame(records) or not isinstance(records, Iterable):
        return records
    return (_row(r) for r in records)


def _row(record: object) -> object:
    if isinstance(record, tuple) and len(record) == 2 and hasattr(record[1], "to_dict"):
        return record[1]
    return record


def _rules_key(rules: str | Path | None) -> tuple[str, float]:
    """The rules folder, and when its files last changed (so an edited rule is compiled again)."""
    from taxonomy.rules import default_rules_dir, rule_files

    root = Path(rules) if rules is not None else default_rules_dir()
    files = rule_files(root) if root.is_dir() else []
    changed = max((p.stat().st_mtime for p in files), default=0.0)
    return str(root), changed


@functools.lru_cache(maxsize=4)
def _tagger(rules: tuple[str, float], families: tuple[str, ...], areas: tuple[str, ...]) -> Tagger:
    from taxonomy.rules import load_rules, select_areas, select_families
    from taxonomy.runs import compiled_tagger

    taxonomy = load_rules(rules[0])
    if families or areas:
        from_areas = select_areas(taxonomy, areas).families if areas else ()
        taxonomy = select_families(taxonomy, [*families, *from_areas])
    return compiled_tagger(taxonomy)  # the one a build of the same rules in this process compiled


def to_dataframe(tagged: Iterable[TaggedPaper]) -> pandas.DataFrame:
    """Tagged papers as a pandas DataFrame, one row a paper, in order.

    Columns: the paper's ``id``, ``title``, ``abstract``, ``year``, ``date``, ``venue``,
    ``authors``, ``keywords``, ``doi``, ``arxiv_id``, ``url``, ``link``, ``key`` and ``source``;
    ``families_primary`` and ``families_mentioned`` (tuples of family ids; a primary family is
    also mentioned); then one ``family:<id>`` column per family that any paper names, holding
    ``"primary"``, ``"mentioned"`` or ``""``, and one ``concept:<id>`` column per concept named,
    holding the concept's strongest role in the paper (``"proposes"``, ``"uses"``,
    ``"compares"``, ``"mentions"``) or ``""``. Family and concept columns are sorted by id.
    """
    try:
        import pandas
    except ImportError:
        from taxonomy.errors import UsageError

        raise UsageError("to_dataframe needs pandas: pip install 'taxonomy[pandas]'") from None
    papers = list(tagged)
    family_ids = sorted({f for tp in papers for f in tp.families_mentioned})
    concept_ids = sorted({hit.concept for tp in papers for hit in tp.concepts})
    rows = [_frame_row(tp, family_ids, concept_ids) for tp in papers]
    columns = [*_PAPER_COLUMNS, *(f"family:{f}" for f in family_ids), *(f"concept:{c}" for c in concept_ids)]
    frame = pandas.DataFrame(rows, columns=columns)
    frame["year"] = frame["year"].astype("Int64")  # whole years, <NA> for papers without one
    return frame


_PAPER_COLUMNS = (
    "id",
    "title",
    "abstract",
    "year",
    "date",
    "venue",
    "authors",
    "keywords",
    "doi",
    "arxiv_id",
    "url",
    "link",
    "key",
    "source",
    "families_primary",
    "families_mentioned",
)


def _frame_row(tp: TaggedPaper, family_ids: Sequence[str], concept_ids: Sequence[str]) -> list[object]:
    p = tp.paper
    primary, mentioned = set(tp.families_primary), set(tp.families_mentioned)
    roles = {hit.concept: hit.role for hit in tp.concepts}
    return [
        *(p.id, p.title, p.abstract, p.year, p.date, p.venue, p.authors, p.keywords, p.doi),
        *(p.arxiv_id, p.url, p.link, p.key, p.source, tp.families_primary, tp.families_mentioned),
        *("primary" if f in primary else "mentioned" if f in mentioned else "" for f in family_ids),
        *(roles.get(c, "") for c in concept_ids),
    ]
