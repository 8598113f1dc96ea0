"""Records given as field -> value mappings (JSON objects, CSV rows) turned into papers.

Four shapes are recognised per record, so one file may mix them:

- **OpenAlex work** (has ``abstract_inverted_index``, or an ``id`` at ``https://openalex.org/``):
  ``title``/``display_name``; the abstract rebuilt from ``abstract_inverted_index`` (word ->
  positions); ``publication_date`` or ``publication_year``; ``authorships[].author.display_name``;
  keywords from ``keywords[].display_name``, else ``concepts[].display_name``; venue from
  ``primary_location.source.display_name`` (or ``host_venue.display_name``); ``doi``; id
  ``openalex:W...``.
- **Semantic Scholar paper** (has ``paperId`` or ``externalIds``): ``title``, ``abstract``,
  ``publicationDate`` or ``year``, ``authors[].name``, keywords from ``fieldsOfStudy`` (else
  ``s2FieldsOfStudy[].category``), ``venue`` (or ``publicationVenue.name``, ``journal.name``),
  ``externalIds.DOI``/``externalIds.ArXiv``; id ``s2:<paperId>``.
- **arXiv metadata snapshot** (has ``categories`` and ``versions``, ``update_date`` or
  ``authors_parsed``): ``id`` is the arXiv id; the date is the first version's date (else
  ``update_date``); ``authors_parsed`` (else ``authors``); keywords are the ``categories``;
  venue is ``journal-ref``; ``doi``.
- **Anything else**: fields found by their usual names, compared ignoring case, spaces and
  punctuation (see :data:`CANDIDATES`), or by the names given in :class:`FieldNames`. This is
  also how CSV/TSV columns are found.

``FieldNames`` overrides the title, abstract, date and id of every shape. The values themselves
(texts, names, keywords, nested fields) are read leniently by :mod:`taxonomy.ingest.values`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from taxonomy.errors import InputError
from taxonomy.ingest.dates import parse_date
from taxonomy.ingest.ids import arxiv_in_text, norm_source_id
from taxonomy.ingest.record import FieldNames, Found, build, reject
from taxonomy.ingest.values import authors_of, dig, get_path, keywords_of, rebuild_abstract, text_of
from taxonomy.models import Reject

#: Usual field names per role, most specific first, compared after :func:`normal_key`.
CANDIDATES: dict[str, tuple[str, ...]] = {
    "title": ("title", "papertitle", "articletitle", "documenttitle", "itemtitle", "displayname", "ti", "t1"),
    "abstract": ("abstract", "summary", "abstracttext", "paperabstract", "ab", "n2"),
    "date": (
        "publicationdate",
        "datepublished",
        "publisheddate",
        "published",
        "date",
        "pubdate",
        "issued",
        "created",
        "updatedate",
        "updated",
        "publicationyear",
        "year",
        "py",
    ),
    "id": ("id", "paperid", "identifier", "uid", "lensid"),
    "authors": ("authors", "author", "authornames", "au", "creators", "creator"),
    "keywords": (
        "keywords",
        "authorkeywords",
        "keyword",
        "categories",
        "tags",
        "subjects",
        "de",
        "fieldsofstudy",
        "concepts",
        "topics",
    ),
    "venue": (
        "venue",
        "journal",
        "journalref",
        "journaltitle",
        "booktitle",
        "sourcetitle",
        "source",
        "containertitle",
        "conference",
        "publicationvenue",
        "publicationtitle",
        "so",
        "jo",
        "jf",
    ),
    "doi": ("doi", "itemdoi", "di"),
    "arxiv": ("arxivid", "arxiv", "eprint"),
}
_NOT_ALNUM = re.compile(r"[^a-z0-9]")
_CACHE_SIZE = 64
#: The roles whose field a user can name (``FieldNames``; ``--title-field`` and the like).
NAMED_ROLES = ("title", "abstract", "date", "id")
_NAMES_KEPT = 200  # field names remembered for the message when a named field is never found
_SHOWN = 30  # field names listed in that message


def normal_key(name: str) -> str:
    """A field name compared loosely: ``'Publication Date'`` -> ``'publicationdate'``."""
    return _NOT_ALNUM.sub("", name.lower())


@dataclass(frozen=True, slots=True)
class Columns:
    """Which field of a record holds each role (None: the record has no such field)."""

    title: str | None
    abstract: str | None
    date: str | None
    id: str | None
    authors: str | None
    keywords: str | None
    venue: str | None
    doi: str | None
    arxiv: str | None


def resolve(names: Sequence[str], fields: FieldNames) -> Columns:
    """Map each role to one of ``names``: the name the user gave, else the first usual name present."""
    normal: dict[str, str] = {}
    for name in names:
        normal.setdefault(normal_key(name), name)
    chosen: dict[str, str | None] = {}
    given = {"title": fields.title, "abstract": fields.abstract, "date": fields.date, "id": fields.id}
    for role, candidates in CANDIDATES.items():
        wanted = given.get(role)
        if wanted is not None:
            # A name that is not a key may be a dotted path ("metadata.title"), tried per record.
            chosen[role] = wanted if wanted in names else normal.get(normal_key(wanted), wanted)
            continue
        chosen[role] = next((normal[c] for c in candidates if c in normal), None)
    if given["id"] is None and chosen["id"] is not None and chosen["id"] in (chosen["doi"], chosen["arxiv"]):
        chosen["id"] = None
    return Columns(**chosen)


# -- shapes -------------------------------------------------------------------------------------------


class MappingReader:
    """Turns mappings from one input into papers, remembering how each key set resolved."""

    def __init__(self, source: str, fields: FieldNames, shape: str | None = None) -> None:
        self.source = source
        self.fields = fields
        self.shape = shape  # "openalex", "s2" or "generic" to force a shape, None to detect per record
        self._columns: dict[tuple[str, ...], Columns] = {}
        # Roles named by the user that no record has had yet, and the field names seen meanwhile.
        self._unseen = [role for role in NAMED_ROLES if getattr(fields, role) is not None]
        self._names: dict[str, None] = {}
        self._records = 0

    def columns(self, names: Sequence[str]) -> Columns:
        """The roles of a key set, cached because the records of a file share a few key sets."""
        key = tuple(names)
        found = self._columns.get(key)
        if found is None:
            if len(self._columns) >= _CACHE_SIZE:
                self._columns.clear()
            found = self._columns[key] = resolve(key, self.fields)
        return found

    def paper(self, record: Mapping[str, object], line: int | None, raw: str | bytes) -> Found | Reject:
        """A paper from one record of any shape."""
        self._records += 1
        if self._unseen:
            self._note_fields(record)
        shape = self.shape or _shape_of(record)
        if shape == "openalex":
            return self._openalex(record, line, raw)
        if shape == "s2":
            return self._s2(record, line, raw)
        return self._generic(record, line, raw, arxiv_snapshot=shape == "arxiv")

    def _note_fields(self, record: Mapping[str, object]) -> None:
        """Mark the named fields this record has as found; remember its field names for a message."""
        if len(self._names) < _NAMES_KEPT:
            self._names.update(dict.fromkeys(record))
        cols = self.columns(list(record))
        self._unseen = [
            role
            for role in self._unseen
            if (name := getattr(cols, role)) not in record and get_path(record, name) is None
        ]

    def check_fields(self) -> None:
        """Raise InputError when a field named with ``--title-field`` (etc.) was in none of the records."""
        if not self._unseen or not self._records:
            return
        role = self._unseen[0]
        wanted = str(getattr(self.fields, role))
        names = list(self._names)
        close = difflib.get_close_matches(wanted, names, n=1) or [
            n for n in names if normal_key(n) == normal_key(wanted)
        ]
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        shown = ", ".join(names[:_SHOWN]) + (", ..." if len(names) > _SHOWN else "")
        records = "its record" if self._records == 1 else f"any of its {self._records:,} records"
        raise InputError(
            f"{self.source}: no field '{wanted}' for --{role}-field in {records}{hint}; fields: {shown}"
        )

    def _overrides(self, record: Mapping[str, object], values: dict[str, object]) -> dict[str, object]:
        for role in ("title", "abstract", "date", "id"):
            name = getattr(self.fields, role)
            if name is not None:
                values[role] = get_path(record, name)
        return values

    def _generic(
        self, record: Mapping[str, object], line: int | None, raw: str | bytes, *, arxiv_snapshot: bool
    ) -> Found | Reject:
        cols = self.columns(list(record))
        get = record.get
        if self.fields.title is not None and get_path(record, cols.title) is None:
            return reject(self.source, line, f"missing title (no field '{self.fields.title}')", raw)
        identifier = text_of(get_path(record, cols.id)) if cols.id else ""
        arxiv = text_of(get(cols.arxiv)) if cols.arxiv else None
        venue = text_of(get(cols.venue)) if cols.venue else ""
        date = parse_date(get_path(record, cols.date)) if cols.date else None
        authors = authors_of(get(cols.authors)) if cols.authors else ()
        if arxiv_snapshot:
            if not self.fields.id:
                arxiv, identifier = identifier or arxiv, ""
            if not self.fields.date:
                date = _first_version_date(get("versions")) or date
            if "authors_parsed" in record:
                authors = authors_of(get("authors_parsed"))
        elif not arxiv and venue:
            arxiv = arxiv_in_text(venue)
        kw_key = cols.keywords
        keywords = keywords_of(get(kw_key), spaces=kw_key == "categories") if kw_key else ()
        return build(
            self.source,
            line,
            raw,
            title=text_of(get_path(record, cols.title)),
            abstract=text_of(get_path(record, cols.abstract)),
            date=date,
            authors=authors,
            keywords=keywords,
            venue=venue,
            doi=text_of(get(cols.doi)) if cols.doi else None,
            arxiv=arxiv,
            source_id=norm_source_id(identifier) if identifier and not self.fields.id else None,
            explicit_id=identifier if identifier and self.fields.id else None,
        )

    def _openalex(self, record: Mapping[str, object], line: int | None, raw: str | bytes) -> Found | Reject:
        v = self._overrides(
            record,
            {
                "title": record.get("title") or record.get("display_name"),
                "abstract": rebuild_abstract(record.get("abstract_inverted_index")) or record.get("abstract"),
                "date": record.get("publication_date") or record.get("publication_year"),
                "id": None,
            },
        )
        location = dig(record, "primary_location", "source", "display_name") or dig(
            record, "host_venue", "display_name"
        )
        ids = record.get("ids")
        openalex_id = text_of(record.get("id"))
        return build(
            self.source,
            line,
            raw,
            title=text_of(v["title"]),
            abstract=text_of(v["abstract"]),
            date=parse_date(v["date"]),
            authors=authors_of(record.get("authorships")),
            keywords=keywords_of(record.get("keywords") or record.get("concepts")),
            venue=text_of(location),
            doi=text_of(record.get("doi"))
            or (text_of(ids.get("doi")) if isinstance(ids, dict) else "")
            or None,
            source_id=norm_source_id(openalex_id) if openalex_id else None,
            explicit_id=text_of(v["id"]) or None,
        )

    def _s2(self, record: Mapping[str, object], line: int | None, raw: str | bytes) -> Found | Reject:
        v = self._overrides(
            record,
            {
                "title": record.get("title"),
                "abstract": record.get("abstract"),
                "date": record.get("publicationDate") or record.get("year"),
                "id": None,
            },
        )
        external = record.get("externalIds")
        external = external if isinstance(external, dict) else {}
        fields_of_study = record.get("fieldsOfStudy") or record.get("s2FieldsOfStudy")
        venue = (
            record.get("venue") or dig(record, "publicationVenue", "name") or dig(record, "journal", "name")
        )
        paper = text_of(record.get("paperId"))
        return build(
            self.source,
            line,
            raw,
            title=text_of(v["title"]),
            abstract=text_of(v["abstract"]),
            date=parse_date(v["date"]),
            authors=authors_of(record.get("authors")),
            keywords=keywords_of(fields_of_study),
            venue=text_of(venue),
            doi=text_of(external.get("DOI")) or None,
            arxiv=text_of(external.get("ArXiv")) or None,
            source_id=f"s2:{paper}" if paper else None,
            explicit_id=text_of(v["id"]) or None,
        )


def _shape_of(record: Mapping[str, object]) -> str:
    if "abstract_inverted_index" in record:
        return "openalex"
    identifier = record.get("id")
    if isinstance(identifier, str) and identifier.startswith("https://openalex.org/"):
        return "openalex"
    if "paperId" in record or "externalIds" in record:
        return "s2"
    if "categories" in record and (
        "versions" in record or "update_date" in record or "authors_parsed" in record
    ):
        return "arxiv"
    return "generic"


def _first_version_date(versions: object) -> str | None:
    if isinstance(versions, list) and versions and isinstance(versions[0], dict):
        return parse_date(versions[0].get("created"))
    return None


def all_names(records: Iterable[Mapping[str, object]]) -> list[str]:
    """Every key used by the records, in first-seen order (for messages)."""
    seen: dict[str, None] = {}
    for record in records:
        seen.update(dict.fromkeys(record))
    return list(seen)
