"""One bad file per failure mode, with the exact error message or reject reason asserted.

Fixtures are in tests/fixtures/ingest/bad/. Files that cannot be read at all raise InputError with a
one-line message naming the file; records that cannot be used become rejects with file, line, reason.
"""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import pytest

from taxonomy import ingest
from taxonomy.errors import InputError, UsageError
from taxonomy.models import Paper, Reject

BAD = Path(__file__).parent / "fixtures" / "ingest" / "bad"


def _read(name: str, **options: object) -> list[Paper | Reject]:
    return list(ingest.read([str(BAD / name)], **options))  # type: ignore[arg-type]


def _rejects(items: list[Paper | Reject]) -> list[tuple[int | None, str]]:
    return [(r.line, r.reason) for r in items if isinstance(r, Reject)]


def _error(name: str, **options: object) -> str:
    with pytest.raises(InputError) as caught:
        _read(name, **options)
    message = str(caught.value)
    assert "\n" not in message
    return message.replace(str(BAD) + "/", "")


# -- files that cannot be read ------------------------------------------------------------------------


def test_missing_file() -> None:
    with pytest.raises(InputError, match=r"^nope\.jsonl: no such file; check the path$"):
        ingest.read(["nope.jsonl"])


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        ingest.read([tmp_path])
    assert (
        str(caught.value)
        == f"{tmp_path}: is a folder, not a file; pass the files inside it (e.g. {tmp_path}/*.jsonl)"
    )


def test_empty_file() -> None:
    assert (
        _error("empty.jsonl") == "empty.jsonl: the file is empty; pass a file with at least one paper in it"
    )


def test_blank_file() -> None:
    assert _error("blank.csv") == "blank.csv: the file is empty; pass a file with at least one paper in it"


def test_binary_file() -> None:
    expected = "spreadsheet.csv: looks like a binary file, not text (it holds NUL bytes); pass a text export"
    assert _error("spreadsheet.csv") == expected
    assert _error("binary.jsonl").startswith("binary.jsonl: looks like a binary file")


def test_csv_without_title_column() -> None:
    expected = "no-title-column.csv: no header row with a title column (columns: name, text); pass --title-field NAME"
    assert _error("no-title-column.csv") == expected


def test_csv_title_field_that_does_not_exist() -> None:
    fields = ingest.FieldNames(title="nmae")
    expected = (
        "no-title-column.csv: no column 'nmae' for --title-field (did you mean 'name'?); columns: name, text"
    )
    assert _error("no-title-column.csv", fields=fields) == expected


def test_csv_title_field_names_the_column() -> None:
    items = _read("no-title-column.csv", fields=ingest.FieldNames(title="name", abstract="text"))
    assert [(p.title, p.abstract) for p in items if isinstance(p, Paper)] == [("Attention", "We attend.")]


def test_billion_laughs_is_refused_within_a_second() -> None:
    started = time.perf_counter()
    message = _error("billion-laughs.xml")
    assert time.perf_counter() - started < 1.0
    assert message == (
        "billion-laughs.xml: refusing XML that declares entities or loads external resources "
        "(EntitiesForbidden), as in an entity-expansion attack; remove the DOCTYPE"
    )


def test_external_entity_is_refused() -> None:
    assert _error("external-entity.xml").startswith(
        "external-entity.xml: refusing XML that declares entities"
    )


def test_xml_not_well_formed_names_the_line_after_reading_what_came_before() -> None:
    records = ingest.read([BAD / "not-well-formed.xml"], dedupe=False)  # streamed: nothing spooled
    first = next(records)
    assert isinstance(first, Paper) and first.title == "A paper read before the damage"
    with pytest.raises(InputError) as caught:
        list(records)
    expected = "not-well-formed.xml:7: XML is not well-formed (mismatched tag); fix the file or pass --format"
    assert str(caught.value).replace(str(BAD) + "/", "") == expected


def test_xml_that_is_not_atom() -> None:
    expected = "not-atom.xml:1: not an Atom feed (the root element is <html>); pass --format to read it as another format"
    assert _error("not-atom.xml") == expected


def test_wrong_format_forced() -> None:
    expected = "latin1.csv: not JSON (it starts with 't'); pass --format to read it as another format"
    assert _error("latin1.csv", format="json") == expected


def test_damaged_gzip(tmp_path: Path) -> None:
    target = tmp_path / "cut.jsonl.gz"
    target.write_bytes(gzip.compress(b'{"title": "x"}\n' * 1000)[:60])
    with pytest.raises(
        InputError, match=r"cut\.jsonl\.gz: damaged gzip data \(.*\); re-download or re-compress the file$"
    ):
        list(ingest.read([target]))


def test_unknown_format_is_a_usage_error() -> None:
    with pytest.raises(
        UsageError, match=r"^unknown input format 'jsnol' \(did you mean 'jsonl'\?\); choose one of: listing,"
    ):
        ingest.read([BAD / "mixed.jsonl"], format="jsnol")


# -- records that cannot be used ----------------------------------------------------------------------


def test_missing_title() -> None:
    items = _read("missing-title.jsonl")
    assert _rejects(items) == [
        (1, "missing title"),
        (2, "missing title"),
        (3, "missing title"),
        (4, "missing title"),
    ]
    assert items[1] == Reject(
        str(BAD / "missing-title.jsonl"), 2, "missing title", '{"abstract": "No title key at all."}'
    )


def test_invalid_json_lines() -> None:
    items = _read("invalid-json.jsonl")
    assert _rejects(items) == [
        (2, "invalid JSON (unexpected character: column 20)"),
        (3, "invalid JSON (unexpected control character in string: column 59)"),
        (4, "not a JSON object (found an array)"),
    ]
    assert [p.title for p in items if isinstance(p, Paper)] == ["A fine first paper", "A fine last paper"]


def test_csv_rows_with_the_wrong_number_of_fields() -> None:
    items = _read("wrong-fields.csv")
    assert _rejects(items) == [(3, "expected 3 fields, found 4"), (4, "expected 3 fields, found 1")]
    assert [p.title for p in items if isinstance(p, Paper)] == [
        "Dropout as a Bayesian Approximation",
        "Quoted, with a comma",
    ]


def test_latin1_file() -> None:
    (paper,) = _read("latin1.csv")
    assert isinstance(paper, Paper)
    assert paper.title == "Réseaux de neurones pour la détection"
    assert paper.abstract == "Un résumé écrit en Latin-1 \u2013 with a cp1252 dash."


@pytest.mark.parametrize("name", ["utf8-bom.csv", "utf8-bom.jsonl"])
def test_utf8_byte_order_mark(name: str) -> None:
    (paper,) = _read(name)
    assert isinstance(paper, Paper) and not paper.title.startswith("\ufeff") and paper.abstract


def test_utf16_tsv_as_excel_writes_it(tmp_path: Path) -> None:
    target = tmp_path / "export.txt"
    target.write_bytes("Title\tAbstract\r\nÜber Attention\tEin Text.\r\n".encode("utf-16"))
    (paper,) = ingest.read([target])
    assert isinstance(paper, Paper) and (paper.title, paper.abstract) == ("Über Attention", "Ein Text.")


def test_broken_bibtex_entries() -> None:
    items = _read("broken.bib")
    assert _rejects(items) == [
        (5, "malformed BibTeX entry: unbalanced braces"),
        (12, "malformed BibTeX entry: no fields after the citation key"),
        (13, "missing title"),
    ]
    assert [p.title for p in items if isinstance(p, Paper)] == [
        "Layer Normalization",
        "Read after the broken entry",
    ]


def test_ris_outside_records_and_missing_er() -> None:
    items = _read("stray.ris")
    assert _rejects(items) == [(1, "data outside a TY ... ER record"), (7, "missing title")]
    assert [p.title for p in items if isinstance(p, Paper)] == [
        "Group Normalization",
        "A record whose ER line is missing",
    ]


def test_truncated_json_array() -> None:
    items = _read("truncated-array.json")
    assert _rejects(items) == [
        (3, "invalid JSON (unexpected character: column 17)"),
        (4, "not a JSON object (found a number)"),
        (5, "truncated JSON at the end of the file"),
    ]
    assert [p.title for p in items if isinstance(p, Paper)] == ["Batch Normalization"]


# -- accounting and --strict --------------------------------------------------------------------------


def test_mixed_file_accounts_for_every_record() -> None:
    records = ingest.read([BAD / "mixed.jsonl"])
    items = list(records)
    papers = [i for i in items if isinstance(i, Paper)]
    rejects = [i for i in items if isinstance(i, Reject) and not i.duplicate_of]
    duplicates = [i for i in items if isinstance(i, Reject) and i.duplicate_of]
    non_blank_lines = sum(1 for line in (BAD / "mixed.jsonl").read_text().splitlines() if line.strip())
    assert len(papers) + len(rejects) + len(duplicates) == len(items) == non_blank_lines == 8
    assert (records.papers, records.rejects, records.duplicates) == (4, 2, 2)
    assert [(r.line, r.reason) for r in rejects] == [
        (3, "missing title"),
        (6, "invalid JSON (invalid literal: column 1)"),
    ]
    assert [(d.line, d.reason, d.duplicate_of) for d in duplicates] == [
        (4, "duplicate of P1", "P1"),  # the same id
        (5, "duplicate of P1", "P1"),  # the same normalised title
    ]


def test_strict_stops_at_the_first_bad_record() -> None:
    records = ingest.read([BAD / "mixed.jsonl"], strict=True, dedupe=False)
    seen = [next(records), next(records)]
    assert all(isinstance(p, Paper) for p in seen)
    with pytest.raises(InputError) as caught:
        next(records)
    assert str(caught.value) == f"{BAD / 'mixed.jsonl'}:3: missing title; fix the line or drop --strict"


def test_strict_stops_before_any_paper_with_dedupe() -> None:
    """Records are spooled for merging duplicates, so a bad record stops the run before any paper."""
    records = ingest.read([BAD / "mixed.jsonl"], strict=True)
    with pytest.raises(InputError, match=r"mixed\.jsonl:3: missing title; fix the line or drop --strict$"):
        next(records)


def test_strict_message_for_invalid_json() -> None:
    message = _error("invalid-json.jsonl", strict=True)
    assert (
        message
        == "invalid-json.jsonl:2: invalid JSON (unexpected character: column 20); fix the line or drop --strict"
    )


def test_strict_ignores_duplicates(tmp_path: Path) -> None:
    target = tmp_path / "dupes.jsonl"
    target.write_text('{"title": "Same"}\n{"title": "same!"}\n')
    items = list(ingest.read([target], strict=True))
    assert [type(i).__name__ for i in items] == ["Paper", "Reject"]


def test_strict_names_the_record_in_record_formats() -> None:
    assert _error("broken.bib", strict=True) == (
        "broken.bib:5: malformed BibTeX entry: unbalanced braces; fix the record or drop --strict"
    )


def test_dedupe_off_keeps_duplicates() -> None:
    items = _read("mixed.jsonl", dedupe=False)
    assert sum(isinstance(i, Paper) for i in items) == 6


def test_duplicates_across_files(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.csv"
    first.write_text('{"title": "Mamba: Linear-Time Sequence Modeling", "doi": "10.1234/X"}\n')
    second.write_text(
        "title,doi\nAnother title,https://doi.org/10.1234/x\nMamba -- linear-time sequence modeling,\n"
    )
    items = list(ingest.read([first, second]))
    assert [(type(i).__name__, getattr(i, "duplicate_of", "")) for i in items] == [
        ("Paper", ""),
        ("Reject", "doi:10.1234/x"),
        ("Reject", "doi:10.1234/x"),
    ]
    assert isinstance(items[2], Reject) and (items[2].source, items[2].line) == (str(second), 3)


def test_ten_thousand_malformed_lines(tmp_path: Path) -> None:
    target = tmp_path / "garbage.jsonl"
    target.write_text("".join(f'{{"title": "paper {i}", oops}}\n' for i in range(10_000)))
    items = list(ingest.read([target]))
    assert len(items) == 10_000
    assert all(isinstance(r, Reject) and r.reason.startswith("invalid JSON") for r in items)
    assert [r.line for r in items] == list(range(1, 10_001))


def test_ten_thousand_malformed_csv_rows(tmp_path: Path) -> None:
    target = tmp_path / "garbage.csv"
    target.write_text("title,abstract\n" + "".join(f"t{i},a,b\n" for i in range(10_000)))
    items = list(ingest.read([target]))
    assert len(items) == 10_000
    assert {r.reason for r in items if isinstance(r, Reject)} == {"expected 2 fields, found 3"}
