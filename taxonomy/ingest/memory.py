"""Records given in memory (dicts, strings, papers, a DataFrame or its rows) read as files are read.

A mapping goes through the same :class:`~taxonomy.ingest.shapes.MappingReader` as a JSON record,
so its text is cleaned (LaTeX and HTML removed), its fields found and its id chosen exactly as
``taxonomy tag`` would for the same record in a JSON Lines file. A string is a title. A
:class:`~taxonomy.models.Paper` is taken as it is (a reader already cleaned it).

A DataFrame (anything with ``columns`` and ``to_dict``), a pandas row (``to_dict``) and a row of
``itertuples()`` (``_asdict``) are mappings too. Their values are made plain first, as a CSV
reader or a JSON parser would have given them: a missing value (NaN, NaT) is no value, NumPy
scalars are Python numbers, an integral float is an int (a column of years with a gap in it is a
float column), a date is its ISO text, arrays and tuples are lists. pandas is not imported here.

Records are numbered from 1 in the order given; a paper's ``source`` is ``records:N`` and a reject
names the record by that number.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Mapping
from typing import cast

from taxonomy.ingest.record import FieldNames, Found, build, reject
from taxonomy.ingest.shapes import MappingReader
from taxonomy.models import Paper, Reject

SOURCE = "records"  # how records given in memory are named in a paper's source and in rejects


def is_frame(value: object) -> bool:
    """Whether ``value`` looks like a DataFrame (iterating one gives its column names, not rows)."""
    return hasattr(value, "columns") and hasattr(value, "to_dict") and not isinstance(value, Mapping)


def as_records(records: object) -> Iterable[object]:
    """The records of ``records``: a DataFrame's rows, one record given alone, or the items given."""
    if is_frame(records):
        return cast("list[object]", records.to_dict("records"))  # type: ignore[attr-defined]
    if isinstance(records, (str, Paper, Mapping)):
        return (records,)
    if isinstance(records, Iterable):
        return records
    raise TypeError(f"cannot read records from {type(records).__name__}; {_WANTED}")


_WANTED = "give dicts, strings, Papers, a DataFrame or its rows"


def read_records(records: object, fields: FieldNames | None = None) -> Iterator[Paper | Reject]:
    """Each record as a Paper, or a Reject (a record without a title), in the order given."""
    mapper = MappingReader(SOURCE, fields or FieldNames())
    for number, record in enumerate(as_records(records), 1):
        if isinstance(record, Found):
            yield record.paper()
        elif isinstance(record, Paper):
            yield record
        elif isinstance(record, str):
            yield _found(build(SOURCE, number, record, title=record))
        elif isinstance(record, Mapping):
            # The rows of a DataFrame given whole are dicts of a table's columns.
            yield _found(mapper.paper(_mapping(record, columnar=is_frame(records)), number, str(record)))
        elif hasattr(record, "to_dict") or hasattr(record, "_asdict"):
            to_dict = getattr(record, "to_dict", None) or getattr(record, "_asdict")  # noqa: B009  (a pandas row, an itertuples() row)
            row = cast("Mapping[object, object]", to_dict())
            yield _found(mapper.paper(_mapping(row, columnar=True), number, str(row)))
        else:
            yield reject(SOURCE, number, f"cannot read a {type(record).__name__}; {_WANTED}")
    mapper.check_fields()


def _found(item: Found | Reject) -> Paper | Reject:
    return item.paper() if isinstance(item, Found) else item


def _mapping(record: Mapping[object, object], *, columnar: bool) -> dict[str, object]:
    return {str(key): plain(value, columnar=columnar) for key, value in record.items()}


def plain(value: object, *, columnar: bool = False) -> object:
    """A value as a JSON parser (or, with ``columnar``, a CSV reader) would have given it."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        return int(value) if columnar and value.is_integer() else value
    if isinstance(value, datetime.datetime):
        return None if value != value else value.date().isoformat()  # NaT is not equal to itself
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v, columnar=columnar) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v, columnar=columnar) for v in value]
    tolist = getattr(value, "tolist", None)  # a NumPy scalar (to a Python number) or array (to a list)
    if callable(tolist):
        return plain(tolist(), columnar=columnar)
    return value
