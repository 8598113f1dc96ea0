"""JSON Lines, JSON arrays and JSON documents of paper records.

- **JSON Lines** (``.jsonl``, ``.ndjson``): one JSON object per line, parsed with orjson; blank
  lines are skipped; a line that is not valid JSON, or not an object, is a reject with its line
  number. A line that is not UTF-8 is decoded as cp1252 and parsed again. A line holding a whole
  API page (a minified OpenAlex or Semantic Scholar response: see :func:`page_records`) gives the
  page's records, each with the line of the page.
- **JSON array** (``[ {...}, {...} ]``, pretty-printed or not): streamed. A small scanner finds
  where each top-level element ends (counting brackets outside strings), and only that element
  is parsed, so memory stays flat however large the array is. An element that is not valid JSON
  is a reject with the line it starts on; the rest of the array is still read. An array that ends
  without its ``]`` (cut inside an element or between two) ends with a reject, "truncated JSON".
- **JSON document** (a single top-level object): read whole, up to ``MAX_DOCUMENT`` bytes of
  text. Its records are the list under ``results`` (OpenAlex API pages), ``data`` (Semantic
  Scholar API pages), ``papers``, ``records``, ``items`` or ``works``; an object with none of
  these is one record. The "line" of a reject is then the record number.

Each object is turned into a paper by :class:`taxonomy.ingest.shapes.MappingReader` (arXiv
snapshot, OpenAlex, Semantic Scholar or generic field names).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import orjson

from taxonomy.errors import InputError
from taxonomy.ingest.files import Source, decode
from taxonomy.ingest.record import FieldNames, Found, reject
from taxonomy.ingest.shapes import MappingReader
from taxonomy.models import Reject

MAX_ELEMENT = 16 * 1024 * 1024  # characters in one element of a JSON array
MAX_DOCUMENT = 256 * 1024 * 1024  # characters in a single JSON object read whole
CONTAINERS = ("results", "data", "papers", "records", "items", "works")
_RECORD_KEYS = ("title", "display_name", "paperId", "id", "abstract")
_DROP_AFTER = 1024 * 1024
_STRUCT = re.compile(r'["{}\[\]]')
_STRING_REST = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_SCALAR = re.compile(r'[^,\[\]{}"\s]+')
_SEPARATORS = re.compile(r"[\s,]*")
_SPACE = re.compile(r"\s*")


def _end(pattern: re.Pattern[str], text: str, index: int) -> int:
    """Where ``pattern`` (which may match the empty string) stops matching from ``index``."""
    match = pattern.match(text, index)
    return match.end() if match else index


def _json_error(exc: orjson.JSONDecodeError) -> str:
    # orjson's wording grows between versions ("unexpected character, expected ',' or '}'"): keep the
    # first clause so reasons, and the tests that assert them, do not depend on the installed version.
    return f"invalid JSON ({exc.msg.split(',')[0]}: column {exc.colno})"


def _kind(value: object) -> str:
    return {list: "an array", str: "a string", bool: "true or false", type(None): "null"}.get(
        type(value), "a number"
    )


def read_jsonl(src: Source, fields: FieldNames, shape: str | None = None) -> Iterator[Found | Reject]:
    """Papers and rejects from a JSON Lines file, one per non-blank line."""
    mapper = MappingReader(src.name, fields, shape)
    loads = orjson.loads
    name = src.name
    for number, raw in enumerate(src.byte_lines(), src.first_line):
        if raw.isspace():
            continue
        try:
            record = loads(raw)
        except orjson.JSONDecodeError as exc:
            record = _retry_decoded(raw, exc)
            if isinstance(record, str):
                yield reject(name, number, record, raw)
                continue
        if not isinstance(record, dict):
            yield reject(name, number, f"not a JSON object (found {_kind(record)})", raw)
        elif (records := page_records(record)) is not None:
            yield from _records(mapper, number, records, raw)  # a minified API page on one line
        else:
            yield mapper.paper(record, number, raw)
    mapper.check_fields()


def page_records(document: dict[str, object]) -> list[object] | None:
    """The records of an API page (OpenAlex ``results``, Semantic Scholar ``data``, ...), else None.

    A page is an object with a list under one of :data:`CONTAINERS` and no title or id of its own,
    so a paper record that happens to have a ``data`` list is still read as a paper.
    """
    if any(key in document for key in _RECORD_KEYS):
        return None
    found = next((document[k] for k in CONTAINERS if isinstance(document.get(k), list)), None)
    return found if isinstance(found, list) else None


def _records(
    mapper: MappingReader, line: int | None, records: list[object], raw: str | bytes
) -> Iterator[Found | Reject]:
    """The papers of a page on one line: each one's "line" is the page's line."""
    for record in records:
        if isinstance(record, dict):
            yield mapper.paper(record, line, raw)
        else:
            yield reject(mapper.source, line, f"not a JSON object (found {_kind(record)})", str(record))


def _retry_decoded(raw: bytes, exc: orjson.JSONDecodeError) -> object:
    """Parse a line again after decoding it as cp1252 when it is not UTF-8; else the error text."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return orjson.loads(decode(raw))
        except orjson.JSONDecodeError as again:
            return _json_error(again)
    return _json_error(exc)


def read_json(src: Source, fields: FieldNames, shape: str | None = None) -> Iterator[Found | Reject]:
    """Papers and rejects from a JSON array (streamed) or a single JSON object."""
    mapper = MappingReader(src.name, fields, shape)
    scanner = _Scanner(src.chunks(), src.name)
    first = scanner.first()
    if first == "[":
        for line, text, problem in scanner.array_items():
            yield reject(src.name, line, problem, text) if problem else _element(mapper, line, text)
    elif first == "{":
        yield from _document(mapper, scanner)
    else:
        shown = repr(first) if first else "nothing"
        raise InputError(
            f"{src.name}: not JSON (it starts with {shown}); pass --format to read it as another format"
        )
    mapper.check_fields()


def _element(mapper: MappingReader, line: int, text: str) -> Found | Reject:
    try:
        record = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        return reject(mapper.source, line, _json_error(exc), text)
    if not isinstance(record, dict):
        return reject(mapper.source, line, f"not a JSON object (found {_kind(record)})", text)
    return mapper.paper(record, line, text)


def _document(mapper: MappingReader, scanner: _Scanner) -> Iterator[Found | Reject]:
    while scanner.more():
        if len(scanner.text) > MAX_DOCUMENT:
            raise InputError(
                f"{mapper.source}: a single JSON object larger than {MAX_DOCUMENT // 2**20} MiB; "
                "convert it to JSON Lines (one record per line) or a JSON array"
            )
    try:
        document = orjson.loads(scanner.text)
    except orjson.JSONDecodeError as exc:
        raise InputError(
            f"{mapper.source}:{exc.lineno}: invalid JSON ({exc.msg}: column {exc.colno}); "
            "fix the file, or write one JSON object per line and name it .jsonl"
        ) from None
    found = page_records(document) if isinstance(document, dict) else None
    records = found if found is not None else [document]
    for number, record in enumerate(records, 1):
        if isinstance(record, dict):
            yield mapper.paper(record, number, "")
        else:
            yield reject(mapper.source, number, f"not a JSON object (found {_kind(record)})", str(record))


class _Scanner:
    """Finds the top-level elements of a JSON array in a stream of text chunks."""

    def __init__(self, chunks: Iterator[str], name: str) -> None:
        self._chunks = chunks
        self.name = name
        self.text = ""
        self._line = 1  # line number at index self._counted
        self._counted = 0
        self._eof = False

    def more(self) -> bool:
        """Append the next chunk; False at the end of the input."""
        if not self._eof:
            chunk = next(self._chunks, "")
            if chunk:
                self.text += chunk
                return True
            self._eof = True
        return False

    def first(self) -> str:
        """The first character that is not white space ('' for none)."""
        while True:
            index = _end(_SPACE, self.text, 0)
            if index < len(self.text):
                return self.text[index]
            if not self.more():
                return ""

    def _line_of(self, index: int) -> int:
        self._line += self.text.count("\n", self._counted, index)
        self._counted = index
        return self._line

    def _drop(self, upto: int) -> None:
        self._line_of(upto)
        self.text = self.text[upto:]
        self._counted = 0

    def _skip(self, pattern: re.Pattern[str], index: int) -> int:
        """The index after ``pattern`` matched at ``index``, reading on; -1 at the end of the input."""
        while True:
            index = _end(pattern, self.text, index)
            if index < len(self.text):
                return index
            if not self.more():
                return -1

    def array_items(self) -> Iterator[tuple[int, str, str]]:
        """Yield (line, text, problem) per element; problem is '' or why the element is a reject."""
        index = self.text.index("[") + 1
        while True:
            index = self._skip(_SEPARATORS, index)
            if index < 0:  # cut between two elements: every complete element was read, but not the rest
                yield self._line_of(len(self.text)), "", "truncated JSON at the end of the file"
                return
            if index > _DROP_AFTER:
                self._drop(index)
                index = 0
            if self.text[index] == "]":
                break
            end = self._element_end(index)
            line = self._line_of(index)
            if end < 0:
                yield line, self.text[index:], "truncated JSON at the end of the file"
                return
            yield line, self.text[index:end], ""
            index = end
        index = self._skip(_SPACE, index + 1)
        if index >= 0:
            yield self._line_of(index), self.text[index:], "unexpected text after the end of the JSON array"

    def _element_end(self, start: int) -> int:
        """The index just after the element starting at ``start``; -1 if the input ends inside it."""
        first = self.text[start]
        if first not in '{["':
            while True:
                match = _SCALAR.match(self.text, start)
                end = match.end() if match else start + 1
                if end < len(self.text) or not self.more():
                    return end
        depth, index = 0, start
        while True:
            if index - start > MAX_ELEMENT:
                raise InputError(
                    f"{self.name}:{self._line_of(start)}: a JSON element longer than {MAX_ELEMENT // 2**20} MiB; "
                    "check that the file is a JSON array of paper records"
                )
            if first == '"' and index == start:
                found_at, sign = start, '"'
            else:
                match = _STRUCT.search(self.text, index)
                if match is None:
                    index = len(self.text)
                    if not self.more():
                        return -1
                    continue
                found_at, sign = match.start(), match.group()
            if sign == '"':
                string = _STRING_REST.match(self.text, found_at + 1)
                if string is None:  # the string goes on in the next chunk
                    index = found_at
                    if not self.more():
                        return -1
                    continue
                index = string.end()
                if depth == 0:
                    return index
                continue
            index = found_at + 1
            depth += 1 if sign in "{[" else -1
            if depth == 0:
                return index
