"""Web of Science plain text (``savedrecs.txt``), as "Export > Plain text file" writes it.

The file starts with ``FN Clarivate Analytics Web of Science`` and ``VR 1.0`` and ends with
``EF``. Each record runs from ``PT`` (publication type) to ``ER``. A line is a two-character tag,
a space and a value; a line starting with three spaces continues the tag above it. For
``AU``/``AF`` (authors), ``C1``, ``CR`` and the like each such line is one more value; for
``TI``, ``AB``, ``SO`` and ``DE`` it is the same value wrapped. Line endings may be CRLF, LF or CR.

Read per record: title ``TI``; abstract ``AB``; date from ``PY`` (year) with ``PD`` (``MAR 14``,
``MAR``), else the early-access ``EA``/``EY``; authors ``AF`` (full names), else ``AU``, ``Last,
First`` turned around; keywords ``DE`` (author keywords, ``;``-separated), else ``ID`` (Keywords
Plus); venue ``SO``; DOI ``DI``; the accession number ``UT`` (``WOS:000...``) as the id
``wos:000...`` when there is no DOI. A record missing its ``ER`` ends at the next ``PT`` or at the
end of the file and is still read. Tagged lines outside any record (other than ``FN``, ``VR`` and
``EF``) are one reject per run; the line of a reject is the line of its ``PT``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from taxonomy.ingest.dates import parse_date
from taxonomy.ingest.files import Source
from taxonomy.ingest.record import FieldNames, Found, author_name, build, reject
from taxonomy.models import Reject

MAX_RECORD = 1024 * 1024  # characters kept of one record; a longer "record" is a reject
_TAG = re.compile(r"^([A-Z][A-Z0-9])(?: (.*))?$")
_USED = frozenset(("TI", "AB", "PY", "PD", "EA", "EY", "AU", "AF", "DE", "ID", "SO", "DI", "UT"))
_LISTS = frozenset(("AU", "AF"))  # one value per line
_FILE_TAGS = frozenset(("FN", "VR", "EF"))
_MONTHS = {m: i for i, m in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN"), 1)} | {
    m: i for i, m in enumerate(("JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 7)
}
_MONTH_DAY = re.compile(r"^([A-Z]{3})[A-Z-]*(?:\s+(\d{1,2}))?\b")
_TOO_LONG = f"record longer than {MAX_RECORD // 1024} KiB (missing ER line?)"
_STRAY = "data outside a PT ... ER record"

Values = dict[str, list[str]]


def _records(src: Source) -> Iterator[tuple[int, Values, str, str]]:
    """(line, tag -> values, raw start, problem) per record; problem is '' for a normal record."""
    values: Values | None = None
    start = size = stray = 0
    last, raw_start = "", ""
    for number, line in enumerate(src.universal_lines(), 1):
        if line.startswith("   ") or not line.strip():
            if values is not None and last in values and line.strip():
                _continue(values[last], last, line.strip())
                size += len(line)
            continue
        match = _TAG.match(line.rstrip())
        if match is None:
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag == "PT":
            if values is not None:
                yield start, values, raw_start, ""
            if stray:
                yield stray, {}, raw_start, _STRAY
                stray = 0
            values, start, size, last, raw_start = {}, number, 0, "", line
        elif values is None:
            if not stray and tag not in _FILE_TAGS and tag != "ER":
                stray, raw_start = number, line
        elif tag == "ER":
            yield start, values, raw_start, ""
            values = None
        else:
            last = tag
            if tag in _USED:
                values.setdefault(tag, []).append(value)
                size += len(value)
        if values is not None and size > MAX_RECORD:
            yield start, {}, raw_start, _TOO_LONG
            values = None
    if values is not None:
        yield start, values, raw_start, ""
    if stray:
        yield stray, {}, raw_start, _STRAY


def _continue(found: list[str], tag: str, text: str) -> None:
    """Add a continuation line: one more value of a list tag, else more of the same value."""
    if tag in _LISTS:
        found.append(text)
    else:
        found[-1] += " " + text


def read_wos(src: Source, fields: FieldNames, shape: str | None = None) -> Iterator[Found | Reject]:
    """Papers and rejects from a Web of Science plain-text export, one per ``PT`` ... ``ER`` record."""
    for line, values, raw, problem in _records(src):
        if problem:
            yield reject(src.name, line, problem, raw)
            continue
        keywords = _first(values, "DE") or _first(values, "ID")
        accession = _first(values, "UT").removeprefix("WOS:")
        yield build(
            src.name,
            line,
            raw,
            title=_first(values, "TI"),
            abstract=_first(values, "AB"),
            date=_date(values),
            authors=[author_name(a) for a in values.get("AF") or values.get("AU") or []],
            keywords=keywords.split(";") if keywords else (),
            venue=_first(values, "SO"),
            doi=_first(values, "DI") or None,
            source_id=f"wos:{accession}" if accession else None,
        )


def _first(values: Values, tag: str) -> str:
    found = values.get(tag)
    return found[0] if found else ""


def _date(values: Values) -> str | None:
    """``PY`` with the month and day of ``PD`` (``MAR 14``); else the early-access date."""
    year = _first(values, "PY")
    if not year:
        early = _first(values, "EA")  # "JUN 2020"
        return parse_date(early) or parse_date(_first(values, "EY"))
    match = _MONTH_DAY.match(_first(values, "PD").upper())
    month = _MONTHS.get(match.group(1)) if match else None
    if match is None or month is None:
        return parse_date(year)
    day = match.group(2)
    return parse_date(f"{year}-{month:02d}-{int(day):02d}" if day else f"{year}-{month:02d}")
