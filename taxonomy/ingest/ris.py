"""RIS files (``.ris``), as exported by Zotero, EndNote, Mendeley, Scopus and most databases.

Each line is ``TAG  - value`` (a two-character tag, two spaces, a hyphen, a space). A record runs
from ``TY  - <type>`` to ``ER  -``; a line without a tag continues the value before it (wrapped
abstracts). Tags may repeat (``AU``, ``KW``, ``UR``).

Read per record: title from ``TI`` (else ``T1``, ``CT``); abstract from ``AB`` (else ``N2``);
date from ``DA`` (else ``PY``, ``Y1``; ``2024/03/14/`` and ``2024///`` both work); authors from
``AU`` (else ``A1``), ``Last, First`` turned around; keywords from ``KW`` (a value holding ``;``
is split); venue from ``T2`` (else ``JO``, ``JF``, ``J2``, ``JA``, ``BT``); ``DO`` as the DOI;
the arXiv id from a ``UR``/``L1``/``DO`` or venue that names one; the first http(s) ``UR`` as the
URL. ``ID`` is kept as the paper's ``key``, not used as its id (it is local to one library).

Lines may end with CRLF, LF or a lone CR, mixed in one file (IEEE Xplore starts records with a
stray CR; old Mac exports use CR alone). A record missing its ``ER`` ends at the next ``TY`` (or the end of the file) and is still read.
Tagged lines outside any record are one reject per run ("data outside a TY ... ER record"). The
line of a reject is the line of its ``TY``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from taxonomy.ingest.dates import parse_date
from taxonomy.ingest.files import Source
from taxonomy.ingest.ids import arxiv_in_text
from taxonomy.ingest.record import FieldNames, Found, author_name, build, link_of, reject
from taxonomy.models import Reject

_TAG = re.compile(r"^([A-Z][A-Z0-9])  ?-(?: (.*)|\s*)$")
MAX_RECORD = 1024 * 1024  # characters; a longer "record" is a reject
_TOO_LONG = f"record longer than {MAX_RECORD // 1024} KiB (missing ER line?)"


def _first(values: dict[str, list[str]], *tags: str) -> str:
    for tag in tags:
        found = values.get(tag)
        if found and found[0].strip():
            return found[0]
    return ""


def _records(src: Source) -> Iterator[tuple[int, dict[str, list[str]], str, str]]:
    """(line, tag -> values, raw start, problem) per record; problem is '' for a normal record."""
    values: dict[str, list[str]] | None = None
    start, size, last = 0, 0, ""
    stray = 0  # line where a run of tagged lines outside a record began
    raw_start = ""
    skipping = False  # after a record too long to keep, until its ER
    for number, line in enumerate(src.universal_lines(), 1):
        match = _TAG.match(line)
        if match is None:
            if values is not None and last and line.strip():
                values[last][-1] += " " + line.strip()
                size += len(line)
                if size > MAX_RECORD:
                    yield start, {}, raw_start, _TOO_LONG
                    values, skipping = None, True
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        if skipping and tag not in ("TY", "ER"):
            continue
        skipping = False
        if tag == "TY":
            if values is not None:
                yield start, values, raw_start, ""
            if stray:
                yield stray, {}, raw_start, "data outside a TY ... ER record"
                stray = 0
            values, start, size, last, raw_start = {"TY": [value]}, number, 0, "", line
        elif values is None:
            if not stray and tag != "ER":
                stray, raw_start = number, line
        elif tag == "ER":
            yield start, values, raw_start, ""
            values = None
        else:
            values.setdefault(tag, []).append(value)
            last, size = tag, size + len(value)
            if size > MAX_RECORD:
                yield start, {}, raw_start, _TOO_LONG
                values, skipping = None, True
    if values is not None:
        yield start, values, raw_start, ""
    if stray:
        yield stray, {}, raw_start, "data outside a TY ... ER record"


def read_ris(src: Source, fields: FieldNames, shape: str | None = None) -> Iterator[Found | Reject]:
    """Papers and rejects from a RIS file, one per ``TY`` ... ``ER`` record."""
    for line, values, raw, problem in _records(src):
        if problem:
            yield reject(src.name, line, problem, raw)
            continue
        venue = _first(values, "T2", "JO", "JF", "J2", "JA", "BT")
        links = values.get("UR", []) + values.get("L1", []) + values.get("DO", [])
        arxiv = next((a for a in map(arxiv_in_text, [*links, venue]) if a), None)
        keywords = [k for value in values.get("KW", []) for k in value.split(";")]
        yield build(
            src.name,
            line,
            raw,
            title=_first(values, "TI", "T1", "CT"),
            abstract=_first(values, "AB", "N2"),
            date=parse_date(_first(values, "DA")) or parse_date(_first(values, "PY", "Y1")),
            authors=_authors(values),
            keywords=keywords,
            venue=venue,
            doi=_first(values, "DO") or None,
            arxiv=arxiv,
            url=next((u for u in values.get("UR", []) if link_of(u)), ""),
            key=_first(values, "ID"),
        )


def _authors(values: dict[str, list[str]]) -> list[str]:
    return [author_name(a) for a in values.get("AU") or values.get("A1") or []]
