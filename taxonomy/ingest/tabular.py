"""CSV and TSV files with a header row: spreadsheet exports, Scopus and Web of Science exports.

The first non-blank row names the columns. Columns are found by their usual names, compared
ignoring case, spaces and punctuation (``Title``, ``Article Title``, ``Item Title``, ``TI``; ``Abstract``, ``AB``;
``Year``, ``Publication Date``, ``PY``; ``Authors``; ``Author Keywords``; ``Source title``,
``Journal``, ``Venue``; ``DOI``; ``id``; see :data:`taxonomy.ingest.shapes.CANDIDATES`), or by
the names given with ``--title-field``, ``--abstract-field``, ``--date-field`` and ``--id-field``.
A file without a title column cannot be read: the error lists the columns it has.

Fields are parsed with Python's ``csv`` module (Excel dialect: ``"`` quotes, doubled to escape,
quoted fields may span lines). The delimiter is ``--delimiter`` when given, else the one of ``,``
``;`` tab ``|`` that splits the header into a title column (so a ``;``-separated export or a
tab-separated file named ``.csv`` reads), else ``,`` for CSV and tab for TSV. Extra fields at the
end of a row that are all empty are dropped (Scopus ends its rows with one). A row with another
number of fields than the header, or that the csv module cannot parse, is a reject with the line
it starts on. Blank rows are skipped. Authors in one cell are separated by ``;``
(``Last, First`` names are turned around); keywords by ``;`` (or ``,`` when there is no ``;``).
"""

from __future__ import annotations

import csv
import difflib
from collections.abc import Iterator

from taxonomy.errors import InputError
from taxonomy.ingest.detect import delimiter, first_line
from taxonomy.ingest.files import Source
from taxonomy.ingest.record import FieldNames, Found, reject
from taxonomy.ingest.shapes import MappingReader, normal_key, resolve
from taxonomy.models import Reject

_SHOWN = 30  # columns named in an error message


def read_csv(src: Source, fields: FieldNames, shape: str | None = None) -> Iterator[Found | Reject]:
    """Papers and rejects from a delimited file with a header row (commas unless sniffed otherwise)."""
    return _read(src, fields, _delimiter(src, fields, ","))


def read_tsv(src: Source, fields: FieldNames, shape: str | None = None) -> Iterator[Found | Reject]:
    """Papers and rejects from a delimited file with a header row (tabs unless sniffed otherwise)."""
    return _read(src, fields, _delimiter(src, fields, "\t"))


def _delimiter(src: Source, fields: FieldNames, default: str) -> str:
    """``--delimiter``, else the one that splits the header into a title column, else ``default``."""
    return fields.delimiter or delimiter(first_line(src.head)) or default


def _read(src: Source, fields: FieldNames, delimiter: str) -> Iterator[Found | Reject]:
    rows = csv.reader(src.text_lines(), delimiter=delimiter, strict=False)
    header: list[str] | None = None
    mapper = MappingReader(src.name, fields, "generic")
    last_line = 0
    while True:
        start = last_line + 1
        try:
            row = next(rows, None)
        except csv.Error as exc:
            last_line = rows.line_num
            if header is None:
                raise InputError(
                    f"{src.name}:{start}: the header row is not valid CSV ({exc}); fix the first line"
                ) from None
            yield reject(src.name, start, f"malformed {'TSV' if delimiter == chr(9) else 'CSV'} row ({exc})")
            continue
        if row is None:
            return
        last_line = rows.line_num
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = _header(row)
            _check_columns(src.name, header, fields)
            continue
        if len(row) > len(header) and not any(cell.strip() for cell in row[len(header) :]):
            row = row[: len(header)]  # a trailing separator (Scopus ends rows with one more, empty field)
        if len(row) != len(header):
            yield reject(
                src.name, start, f"expected {len(header)} fields, found {len(row)}", delimiter.join(row)
            )
            continue
        yield mapper.paper(dict(zip(header, row, strict=True)), start, delimiter.join(row))


def _header(row: list[str]) -> list[str]:
    """Column names, stripped; a repeated name gets a suffix so no column is lost."""
    names: list[str] = []
    for cell in row:
        name = " ".join(cell.split()) or f"column{len(names) + 1}"
        candidate, n = name, 2
        while candidate in names:
            candidate, n = f"{name}_{n}", n + 1
        names.append(candidate)
    return names


def _check_columns(source: str, header: list[str], fields: FieldNames) -> None:
    columns = resolve(header, fields)
    shown = ", ".join(header[:_SHOWN]) + (f", ... ({len(header)} columns)" if len(header) > _SHOWN else "")
    for role in ("title", "abstract", "date", "id"):
        wanted = getattr(fields, role)
        if wanted is not None and getattr(columns, role) not in header:
            close = difflib.get_close_matches(wanted, header, n=1) or [
                h for h in header if normal_key(h) == normal_key(wanted)
            ]
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise InputError(f"{source}: no column '{wanted}' for --{role}-field{hint}; columns: {shown}")
    if columns.title is None:
        raise InputError(
            f"{source}: no header row with a title column (columns: {shown}); pass --title-field NAME"
        )
