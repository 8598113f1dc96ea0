"""BibTeX and BibLaTeX files, as exported by Zotero, Mendeley, Google Scholar or arXiv.

An entry is ``@type{key, name = value, ...}`` (or with parentheses instead of braces). A value is
``{...}`` with nested braces, ``"..."``, a number, or a macro name (the months ``jan``..``dec`` and
those defined by ``@string``), and parts may be joined with ``#``. ``@comment`` and ``@preamble``
(in any letter case, as JabRef writes ``@Comment{jabref-meta: ...}``) are skipped whatever they
hold; text outside entries is a comment. Values are LaTeX: :func:`~taxonomy.ingest.text.clean_bibtex`
removes braces and commands and composes accents (``{\\"o}`` -> ``ö``), ``~`` is a space.

Read per entry: ``title``; ``abstract``; ``date`` (BibLaTeX), else ``year`` with ``month``;
``author`` (``Last, First and ...``; ``and others`` dropped); ``keywords`` (split on ``,`` or ``;``);
``journal``, ``journaltitle`` or ``booktitle`` as venue; ``doi``; the arXiv id from ``eprint``
when ``archiveprefix``/``eprinttype`` is arXiv, else from ``arxivid``, ``url`` or an
"arXiv:..." journal; ``url``. The citation key is kept as the paper's ``key``, not used as its id
(it is local to one library).

Entries are found line by line: an entry starts at a line beginning with ``@`` and ends when its
braces balance, so memory holds one entry at a time. An entry whose braces never balance is a
reject ("unbalanced braces") that ends where the next entry starts. The line of a reject is the
line of its ``@``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from taxonomy.ingest.dates import parse_date
from taxonomy.ingest.files import Source, decode
from taxonomy.ingest.ids import arxiv_in_text
from taxonomy.ingest.record import FieldNames, Found, author_name, build, reject, split_keywords
from taxonomy.ingest.text import clean_bibtex
from taxonomy.models import Reject

MAX_ENTRY = 1024 * 1024  # characters; a longer "entry" is a reject
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_START = re.compile(r"\s*@\s*([A-Za-z]+)\s*([{(])")
_NAME = re.compile(r"\s*([A-Za-z_][\w:.+/-]*)\s*")
_EQUALS = re.compile(r"\s*=\s*")
_BARE = re.compile(r"[^\s,#{}\"()=]+")
_HASH = re.compile(r"\s*#\s*")
_BRACES = re.compile(r"[{}]")
_QUOTED = re.compile(r'(?:[^"{}\\]|\\.)*')
_AND = re.compile(r"\s+and\s+", re.I)
_NOT_RECORDS = frozenset(("comment", "preamble"))  # any letter case: @Comment, @PREAMBLE


class BibError(ValueError):
    """An entry that cannot be parsed (internal: becomes a reject)."""


def _braced(text: str, start: int) -> tuple[str, int]:
    """The content of ``{...}`` starting at ``start`` and the index after it."""
    depth = 0
    for match in _BRACES.finditer(text, start):
        if match.start() > 0 and text[match.start() - 1] == "\\":
            continue
        depth += 1 if match.group() == "{" else -1
        if depth == 0:
            return text[start + 1 : match.start()], match.end()
    raise BibError("unbalanced braces")


def _quoted(text: str, start: int) -> tuple[str, int]:
    """The content of ``"..."`` starting at ``start`` (braces inside may hold a quote)."""
    index = start + 1
    parts: list[str] = []
    while True:
        plain = _QUOTED.match(text, index)
        end = plain.end() if plain else index
        parts.append(text[index:end])
        sign = text[end : end + 1]
        if sign == '"':
            return "".join(parts), end + 1
        if sign != "{":
            raise BibError('unterminated "..." value')
        content, index = _braced(text, end)
        parts.append("{" + content + "}")


def _value(text: str, index: int, macros: dict[str, str]) -> tuple[str, int]:
    """A field value (parts joined by ``#``) and the index after it."""
    parts: list[str] = []
    while True:
        while index < len(text) and text[index].isspace():
            index += 1
        if index >= len(text):
            raise BibError("a field has no value")
        sign = text[index]
        if sign == "{":
            part, index = _braced(text, index)
        elif sign == '"':
            part, index = _quoted(text, index)
        else:
            bare = _BARE.match(text, index)
            if bare is None:
                raise BibError(f"unexpected {sign!r} where a value should be")
            part, index = macros.get(bare.group().lower(), bare.group()), bare.end()
        parts.append(part)
        joined = _HASH.match(text, index)
        if joined is None:
            return "".join(parts), index
        index = joined.end()


def parse_entry(text: str, macros: dict[str, str]) -> tuple[str, str, dict[str, str]]:
    """The type, the citation key ("" for ``@string``) and the fields (lowercased names, raw values)
    of one ``@type{...}`` entry."""
    start = _START.match(text)
    if start is None:
        raise BibError("not an entry")
    kind, close = start.group(1).lower(), "}" if start.group(2) == "{" else ")"
    index = start.end()
    fields: dict[str, str] = {}
    key = ""
    if kind not in ("string", "preamble", "comment"):
        key_end = text.find(",", index)
        if key_end < 0:
            raise BibError("no fields after the citation key")
        key, index = text[index:key_end].strip(), key_end + 1
    while True:
        while index < len(text) and (text[index].isspace() or text[index] == ","):
            index += 1
        if index >= len(text):
            raise BibError(f"missing '{close}' at the end of the entry")
        if text[index] == close:
            return kind, key, fields
        name = _NAME.match(text, index)
        equals = _EQUALS.match(text, name.end()) if name else None
        if name is None or equals is None:
            raise BibError(f"expected 'name = value' at {text[index : index + 20]!r}")
        value, index = _value(text, equals.end(), macros)
        fields.setdefault(name.group(1).lower(), value)


def split_names(value: str) -> list[str]:
    """Split an ``author`` value on ``and`` outside braces (``{Barnes and Noble}`` is one name)."""
    names: list[str] = []
    start = 0
    for match in _AND.finditer(value):
        before = value[: match.start()]
        if before.count("{") == before.count("}"):
            names.append(value[start : match.start()])
            start = match.end()
    names.append(value[start:])
    return [n.strip() for n in names if n.strip()]


def _entries(src: Source) -> Iterator[tuple[int, str]]:
    """(line, text) of each ``@`` entry, found by balancing braces line by line."""
    lines: list[str] = []
    start = depth = size = 0
    for number, raw in enumerate(src.byte_lines(), 1):
        line = decode(raw)
        if lines and _START.match(line) and (depth > 0 or size > MAX_ENTRY):
            yield start, "".join(lines)  # the previous entry never closed: parse_entry says so
            lines = []
        if not lines:
            if not _START.match(line):
                continue  # text between entries is a comment
            start, depth, size = number, 0, 0
        lines.append(line)
        size += len(line)
        depth += line.count("{") - line.count("\\{") - line.count("}") + line.count("\\}")
        if depth <= 0 and _closed(lines):
            yield start, "".join(lines)
            lines = []
    if lines:
        yield start, "".join(lines)


def _closed(lines: list[str]) -> bool:
    """Whether the entry in ``lines`` has seen its closing brace or parenthesis."""
    first = _START.match(lines[0])
    if first is None or first.group(2) == "{":
        return True
    text = "".join(lines)
    return text.rstrip().endswith(")")


def read_bibtex(src: Source, fields: FieldNames, shape: str | None = None) -> Iterator[Found | Reject]:
    """Papers and rejects from a BibTeX file, one per entry (``@string`` and ``@comment`` skipped)."""
    macros = {month: month for month in _MONTHS}
    for line, text in _entries(src):
        start = _START.match(text)
        if start is not None and start.group(1).lower() in _NOT_RECORDS:
            continue  # JabRef keeps its settings in @Comment{jabref-meta: ...}: not name = value pairs
        if len(text) > MAX_ENTRY:
            yield reject(
                src.name, line, f"entry longer than {MAX_ENTRY // 1024} KiB (unbalanced braces?)", text
            )
            continue
        try:
            kind, key, values = parse_entry(text, macros)
        except BibError as exc:
            yield reject(src.name, line, f"malformed BibTeX entry: {exc}", text)
            continue
        if kind == "string":
            macros.update((k, v) for k, v in values.items())
        else:
            yield _paper(src.name, line, text, key, values)


def _paper(name: str, line: int, text: str, key: str, values: dict[str, str]) -> Found | Reject:
    get = values.get
    date = parse_date(clean_bibtex(get("date", ""))) or parse_date(
        clean_bibtex(get("year", "")), get("month")
    )
    prefix = (get("archiveprefix") or get("eprinttype") or "").lower()
    venue = clean_bibtex(get("journal") or get("journaltitle") or get("booktitle") or "")
    arxiv = (
        (get("eprint") if "arxiv" in prefix else None)
        or get("arxivid")
        or arxiv_in_text(get("url", ""))
        or arxiv_in_text(venue)
    )
    authors = [author_name(clean_bibtex(a)) for a in split_names(get("author", ""))]
    if authors and authors[-1].lower() == "others":
        authors.pop()
    return build(
        name,
        line,
        text,
        title=clean_bibtex(get("title", "")),
        abstract=clean_bibtex(get("abstract", "")),
        date=date,
        authors=authors,
        keywords=split_keywords(clean_bibtex(get("keywords", ""))) if get("keywords") else (),
        venue=venue,
        doi=clean_bibtex(get("doi", "")) or None,
        arxiv=arxiv,
        url=get("url", ""),
        key=key,
    )
