"""Atom XML feeds, as returned by the arXiv API (``export.arxiv.org/api/query``).

A feed holds one ``<entry>`` per paper::

    <feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
      <entry>
        <id>http://arxiv.org/abs/2401.01234v2</id>
        <published>2024-01-02T18:00:00Z</published>
        <title>...</title>
        <summary>...</summary>
        <author><name>Ada Lovelace</name></author>
        <arxiv:doi>10.1234/abcd</arxiv:doi>
        <arxiv:journal_ref>...</arxiv:journal_ref>
        <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
      </entry>
    </feed>

Read per entry: ``title``; ``summary`` (else ``content``); ``published`` (else ``updated``) as the
date; ``author/name``; ``category/@term`` as keywords; ``arxiv:journal_ref`` as venue;
``arxiv:doi`` (or a ``link`` titled ``doi``) and the arXiv id in ``id``; the first ``link`` with
``rel="alternate"`` (else an http(s) ``id``) as the URL. Elements are matched by
local name, so feeds without namespaces read too. An arXiv API error entry is a reject.

Parsed incrementally with defusedxml (expat underneath; no tree is kept beyond one entry): a
document that declares entities (the "billion laughs" attack) or refers to external resources is
refused at once, and XML that is not well-formed stops the file with its line number. The line of
a reject is the line where its ``<entry>`` starts. The encoding is the one the XML declares
(UTF-8 by default), as the XML standard says.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from taxonomy.errors import InputError
from taxonomy.ingest.dates import parse_date
from taxonomy.ingest.files import Source
from taxonomy.ingest.ids import norm_arxiv, norm_source_id
from taxonomy.ingest.record import FieldNames, Found, build, reject
from taxonomy.models import Reject

_READ = 64 * 1024
_LISTS = frozenset(("name", "category"))


class _Expat(Protocol):
    CurrentLineNumber: int


class _Entry:
    """The text of one entry's fields, collected while it is parsed."""

    def __init__(self, line: int) -> None:
        self.line = line
        self.fields: dict[str, str] = {}
        self.authors: list[str] = []
        self.categories: list[str] = []
        self.doi_link = ""
        self.link = ""  # the entry's page: its first link rel="alternate" (the default rel)


class _Target:
    """Receives parser events and collects finished entries."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.expat: _Expat | None = None
        self.done: list[_Entry] = []
        self.entry: _Entry | None = None
        self.texts: list[list[str]] = []
        self.root: str | None = None

    def _line(self) -> int:
        return self.expat.CurrentLineNumber if self.expat is not None else 0

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        local = tag.rpartition("}")[2]
        if self.root is None:
            self.root = local
            if local not in ("feed", "entry"):
                raise InputError(
                    f"{self.name}:{self._line()}: not an Atom feed (the root element is <{local}>); "
                    "pass --format to read it as another format"
                )
        if local == "entry" and self.entry is None:
            self.entry = _Entry(self._line())
            self.texts = []
            return
        if self.entry is None:
            return
        if local == "category" and attrib.get("term"):
            self.entry.categories.append(attrib["term"])
        elif local == "link" and attrib.get("title") == "doi":
            self.entry.doi_link = attrib.get("href", "")
        elif local == "link" and attrib.get("rel", "alternate") == "alternate" and not self.entry.link:
            self.entry.link = attrib.get("href", "")
        self.texts.append([])

    def data(self, text: str) -> None:
        if self.texts:
            self.texts[-1].append(text)

    def end(self, tag: str) -> None:
        entry = self.entry
        if entry is None:
            return
        local = tag.rpartition("}")[2]
        if not self.texts:  # the entry itself ends
            self.done.append(entry)
            self.entry = None
            return
        text = "".join(self.texts.pop())
        if self.texts:
            self.texts[-1].append(text)  # XHTML content: its text belongs to the parent too
        if local == "name" and len(self.texts) == 1:
            entry.authors.append(text)
        elif local not in _LISTS:
            entry.fields.setdefault(local, text)

    def close(self) -> None:
        return None


def _paper(name: str, entry: _Entry) -> Found | Reject:
    get = entry.fields.get
    identifier = get("id", "").strip()
    if "/api/errors" in identifier:
        return reject(
            name, entry.line, f"arXiv API error: {' '.join(get('summary', '').split())}", identifier
        )
    arxiv = norm_arxiv(identifier)
    return build(
        name,
        entry.line,
        get("title", ""),
        title=get("title", ""),
        abstract=get("summary") or get("content", ""),
        date=parse_date(get("published") or get("updated")),
        authors=entry.authors,
        keywords=entry.categories,
        venue=get("journal_ref", ""),
        doi=get("doi") or entry.doi_link or None,
        arxiv=arxiv,
        url=entry.link or identifier,
        source_id=norm_source_id(identifier) if identifier and not arxiv else None,
    )


def read_atom(src: Source, fields: FieldNames, shape: str | None = None) -> Iterator[Found | Reject]:
    """Papers and rejects from an Atom feed, one per entry, parsed incrementally."""
    target = _Target(src.name)
    parser = DefusedXMLParser(target=target)
    expat = getattr(parser, "parser", None)
    target.expat = expat
    try:
        while True:
            chunk = src.read(_READ)
            if chunk:
                parser.feed(chunk)
            else:
                parser.close()
            for entry in target.done:
                yield _paper(src.name, entry)
            target.done.clear()
            if not chunk:
                return
    except ParseError as exc:
        yield from (_paper(src.name, entry) for entry in target.done)  # entries completed before the damage
        line = exc.position[0] if exc.position else 0
        message = str(exc).split(":")[0]
        raise InputError(
            f"{src.name}:{line}: XML is not well-formed ({message}); fix the file or pass --format"
        ) from None
    except DefusedXmlException as exc:
        raise InputError(
            f"{src.name}: refusing XML that declares entities or loads external resources ({type(exc).__name__}), "
            "as in an entity-expansion attack; remove the DOCTYPE"
        ) from None
