"""Property tests: no input bytes make a reader raise anything but InputError.

Arbitrary bytes under every extension, gzip-compressed bytes, text built from each format's syntax
characters with every format forced, and JSON records whose fields hold values of the wrong type.
Whatever is read must also account for itself: every item is a Paper or a Reject.
"""

from __future__ import annotations

import gzip
import itertools
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from taxonomy import ingest
from taxonomy.errors import InputError
from taxonomy.ingest import files
from taxonomy.models import Paper, Reject

EXTENSIONS = (
    ".jsonl",
    ".ndjson",
    ".json",
    ".csv",
    ".tsv",
    ".xml",
    ".atom",
    ".bib",
    ".ris",
    ".txt",
    "",
    ".jsonl.gz",
)
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# Characters that mean something to one of the readers, so random text reaches past the first check.
SYNTAX = '{}[]",:\\ \n\n\t\r@=#%<>/&;$~TYERAUTIFNPD|- abcxyz01é\ufeff'


def _read_all(path: Path, **options: object) -> None:
    try:
        items = list(ingest.read([path], **options))  # type: ignore[arg-type]
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    assert all(isinstance(i, (Paper, Reject)) for i in items)
    for item in items:
        if isinstance(item, Paper):
            assert item.title and item.title == " ".join(item.title.split())
            assert item.abstract == " ".join(item.abstract.split())
            assert item.date is None or item.date[:4].isdigit()


@SETTINGS
@given(data=st.binary(max_size=3000), ext=st.sampled_from(EXTENSIONS))
def test_arbitrary_bytes(tmp_path: Path, data: bytes, ext: str) -> None:
    path = tmp_path / f"input{ext}"
    path.write_bytes(data)
    _read_all(path)


@SETTINGS
@given(data=st.binary(max_size=3000), ext=st.sampled_from(EXTENSIONS))
def test_arbitrary_gzip_content(tmp_path: Path, data: bytes, ext: str) -> None:
    path = tmp_path / f"input{ext}.gz"
    path.write_bytes(gzip.compress(data))
    _read_all(path)


@SETTINGS
@given(text=st.text(alphabet=SYNTAX, max_size=1500), fmt=st.sampled_from((None, *ingest.FORMATS)))
def test_syntax_soup_in_every_format(tmp_path: Path, text: str, fmt: str | None) -> None:
    path = tmp_path / "input"
    path.write_text(text, encoding="utf-8")
    _read_all(path, format=fmt)


@SETTINGS
@given(
    prefix=st.sampled_from(
        ("[", "{", "<feed>", "@article{k,", "TY  - JOUR\n", "title,abstract\n", "FN x\nVR 1.0\nPT J\n", "")
    ),
    text=st.text(alphabet=SYNTAX, max_size=1500),
    fmt=st.sampled_from((None, *ingest.FORMATS)),
)
def test_plausible_starts(tmp_path: Path, prefix: str, text: str, fmt: str | None) -> None:
    path = tmp_path / "input"
    path.write_text(prefix + text, encoding="utf-8")
    _read_all(path, format=fmt)


_KEYS = st.sampled_from(
    (
        "title", "abstract", "id", "doi", "date", "year", "authors", "keywords", "categories", "venue",
        "versions", "update_date", "authors_parsed", "abstract_inverted_index", "paperId", "externalIds",
        "authorships", "publication_date", "publicationDate", "primary_location", "fieldsOfStudy",
        "arxiv_id", "journal", "concepts", "issued", "author",
    )
)  # fmt: skip
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(_KEYS | st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)


@SETTINGS
@given(
    records=st.lists(st.dictionaries(_KEYS, _JSON, max_size=8), max_size=5),
    shape=st.sampled_from((None, "openalex", "s2")),
)
def test_json_fields_of_any_type(tmp_path: Path, records: list[dict[str, object]], shape: str | None) -> None:
    lines = tmp_path / "input.jsonl"
    lines.write_bytes(b"\n".join(orjson.dumps(r) for r in records) + b"\n")
    _read_all(lines, format=shape)
    array = tmp_path / "input.json"
    array.write_bytes(orjson.dumps(records, option=orjson.OPT_INDENT_2))
    _read_all(array, format=shape)


@SETTINGS
@given(records=st.lists(st.dictionaries(_KEYS, _JSON, max_size=8), min_size=1, max_size=5))
def test_streamed_array_equals_parsed_array(tmp_path: Path, records: list[dict[str, object]]) -> None:
    """The incremental array scanner finds the same records as parsing the whole document."""
    path = tmp_path / "input.json"
    path.write_bytes(orjson.dumps(records, option=orjson.OPT_INDENT_2))
    streamed = list(ingest.read([path], dedupe=False))
    one_per_line = tmp_path / "input.jsonl"
    one_per_line.write_bytes(b"\n".join(orjson.dumps(r) for r in records))
    parsed = list(ingest.read([one_per_line], dedupe=False))
    assert [_identity(i) for i in streamed] == [_identity(i) for i in parsed]


def _identity(item: Paper | Reject) -> object:
    return (
        item.reason
        if isinstance(item, Reject)
        else (item.id, item.title, item.abstract, item.date, item.authors)
    )


@SETTINGS
@given(
    lines=st.lists(st.text(alphabet="ab \t\u00e9", max_size=6), min_size=1, max_size=12),
    endings=st.lists(st.sampled_from(("\n", "\r", "\r\n")), min_size=12, max_size=12),
    chunk=st.integers(min_value=1, max_value=8),
)
def test_universal_lines_split_on_every_ending(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lines: list[str], endings: list[str], chunk: int
) -> None:
    """Lines ending in LF, CR or CRLF, mixed, come back whole, even with a CRLF split between chunks."""
    pairs = list(zip(lines, endings, strict=False))
    # "\r" then an empty line ending in "\n" is one CRLF: that text has fewer lines than were joined
    assume(
        not any(e == "\r" and not b and f.startswith("\n") for (_, e), (b, f) in itertools.pairwise(pairs))
    )
    monkeypatch.setattr(files, "_CHUNK", chunk)
    path = tmp_path / "lines.txt"
    path.write_bytes("".join(line + end for line, end in pairs).encode())
    source = files.open_source(str(path))
    try:
        assert list(source.universal_lines()) == lines
    finally:
        source.close()
