"""Resuming from the last run: inputs that only grew are read from where that run stopped.

Every test compares every output file with a fresh build of the same inputs (into a folder holding
the first run's summary.json, so both reports have the same "since the last run" section). Builds
use the small rules of ``conftest.SMALL_RULES`` unless a test gives others: resuming does not
depend on which rules tag.
"""

from __future__ import annotations

import dataclasses
import gzip
import shutil
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import orjson
import pytest

from taxonomy.cli import main
from taxonomy.ingest.shapes import MappingReader
from taxonomy.models import Paper, Reject
from taxonomy.pipeline import GraphOptions, TagOptions, TagResult, build, sample_corpus
from taxonomy.rules import Taxonomy
from taxonomy.stats import CorpusStats, collect
from taxonomy.tag import Tagger

from .conftest import SMALL_RULES

Record = dict[str, object]


@pytest.fixture
def records_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The line of every JSON record turned into a paper (a list the test can clear)."""
    lines: list[int] = []
    original = MappingReader.paper

    def counting(self: MappingReader, record: Record, line: int | None, raw: str | bytes) -> Paper | Reject:
        lines.append(line or 0)
        return original(self, record, line, raw)

    monkeypatch.setattr(MappingReader, "paper", counting)
    return lines


def _records() -> list[Record]:
    return [orjson.loads(line) for line in sample_corpus().read_bytes().splitlines() if line.strip()]


def _lines(records: Sequence[Record]) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in records)


def _write(path: Path, records: Sequence[Record]) -> Path:
    path.write_bytes(_lines(records))
    return path


def _append(path: Path, records: Sequence[Record]) -> None:
    with path.open("ab") as out:
        out.write(_lines(records))


def _build(inputs: Sequence[Path], out: Path, cache: Path | None = None, **options: object) -> TagResult:
    options.setdefault("rules_dir", SMALL_RULES)
    tag = TagOptions(
        inputs=tuple(str(p) for p in inputs),
        out_dir=out,
        cache=cache,
        batch_size=8,
        **options,  # type: ignore[arg-type]
    )
    result, _ = build(tag, GraphOptions(formats=("graphml",)))
    return result


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _same_as_fresh(
    tmp_path: Path, inputs: Sequence[Path], out: Path, previous: bytes, **options: object
) -> None:
    """Every file in ``out`` equals what a build without a cache writes."""
    fresh = tmp_path / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir()
    (fresh / "summary.json").write_bytes(previous)
    _build(inputs, fresh, **options)
    written, expected = _files(out), _files(fresh)
    assert sorted(written) == sorted(expected)
    for name in expected:
        assert written[name] == expected[name], name


def _first_run(
    tmp_path: Path, records: Sequence[Record], **options: object
) -> tuple[Path, Path, Path, bytes]:
    """Build ``records`` with a cache; return the corpus, the output folder, the cache and its summary."""
    corpus, out, cache = (
        _write(tmp_path / "corpus.jsonl", records),
        tmp_path / "out",
        tmp_path / "tags.sqlite",
    )
    first = _build([corpus], out, cache, **options)
    assert first.resumed == 0 and first.not_resumed == ""
    return corpus, out, cache, (out / "summary.json").read_bytes()


# -- resuming ----------------------------------------------------------------------------------------


def test_an_appended_file_is_read_from_where_the_last_run_stopped(
    tmp_path: Path, records_read: list[int]
) -> None:
    records = _records()
    corpus, out, cache, previous = _first_run(tmp_path, records[:20])
    _append(corpus, records[20:])
    records_read.clear()
    result = _build([corpus], out, cache)
    assert records_read == list(range(21, 37))  # the new lines only, numbered as in the whole file
    assert (result.resumed, result.not_resumed, result.stats.papers) == (20, "", 36)
    _same_as_fresh(tmp_path, [corpus], out, previous)
    papers = (out / "papers.jsonl").read_bytes().splitlines()
    assert orjson.loads(papers[-1])["source"] == f"{corpus}:36"


def test_resuming_twice_and_with_nothing_new(tmp_path: Path, records_read: list[int]) -> None:
    records = _records()
    corpus, out, cache, previous = _first_run(tmp_path, records[:10])
    _append(corpus, records[10:25])
    assert _build([corpus], out, cache).resumed == 10
    _append(corpus, records[25:])
    assert _build([corpus], out, cache).resumed == 25
    records_read.clear()
    previous = (out / "summary.json").read_bytes()
    again = _build([corpus], out, cache)
    assert (again.resumed, again.stats.papers, records_read) == (36, 36, [])
    _same_as_fresh(tmp_path, [corpus], out, previous)


def test_a_new_input_after_the_last_ones_is_read_alone(tmp_path: Path, records_read: list[int]) -> None:
    records = _records()
    corpus, out, cache, previous = _first_run(tmp_path, records[:30])
    more = _write(tmp_path / "more.jsonl", records[30:])
    records_read.clear()
    result = _build([corpus, more], out, cache)
    assert result.resumed == 30 and records_read == list(range(1, 7))
    _same_as_fresh(tmp_path, [corpus, more], out, previous)


def test_a_compressed_input_that_did_not_change_is_skipped(tmp_path: Path, records_read: list[int]) -> None:
    records = _records()
    packed = tmp_path / "old.jsonl.gz"
    packed.write_bytes(gzip.compress(_lines(records[:30]), mtime=0))
    out, cache = tmp_path / "out", tmp_path / "tags.sqlite"
    _build([packed], out, cache)
    previous = (out / "summary.json").read_bytes()
    more = _write(tmp_path / "more.jsonl", records[30:])
    records_read.clear()
    assert _build([packed, more], out, cache).resumed == 30 and len(records_read) == 6
    _same_as_fresh(tmp_path, [packed, more], out, previous)


def test_a_new_paper_that_repeats_an_earlier_one_is_a_duplicate_as_in_a_fresh_build(tmp_path: Path) -> None:
    records = _records()
    corpus, out, cache, previous = _first_run(tmp_path, records[:20])
    same_id = {**records[25], "id": records[3]["id"]}
    same_title = {
        **records[26],
        "id": "new-id",
        "title": str(records[5]["title"]).upper(),
        "date": records[5]["date"],
    }
    _append(corpus, [records[20], same_id, same_title, records[21]])
    result = _build([corpus], out, cache)
    assert result.resumed == 20 and (result.stats.papers, result.stats.duplicates) == (22, 2)
    rejects = [orjson.loads(line) for line in (out / "rejects.jsonl").read_bytes().splitlines()]
    assert [r["duplicate_of"] for r in rejects] == [records[3]["id"], records[5]["id"]]
    _same_as_fresh(tmp_path, [corpus], out, previous)


def test_rejects_before_and_after_the_resume(tmp_path: Path) -> None:
    records = _records()
    corpus = _write(tmp_path / "corpus.jsonl", records[:5])
    _append(corpus, [])
    with corpus.open("ab") as handle:
        handle.write(b"not json\n[1, 2]\n")
    out, cache = tmp_path / "out", tmp_path / "tags.sqlite"
    _build([corpus], out, cache)
    previous = (out / "summary.json").read_bytes()
    with corpus.open("ab") as handle:
        handle.write(b'{"id": "x"}\n\n')
    _append(corpus, records[5:9])
    result = _build([corpus], out, cache)
    assert result.resumed == 5 and result.stats.rejects == 3
    _same_as_fresh(tmp_path, [corpus], out, previous)


def test_two_jobs_resume_to_the_same_files(tmp_path: Path) -> None:
    records = _records()
    corpus, out, cache, previous = _first_run(tmp_path, records[:20], jobs=2)
    _append(corpus, records[20:])
    assert _build([corpus], out, cache, jobs=2).resumed == 20
    _same_as_fresh(tmp_path, [corpus], out, previous)


def test_the_dask_engine_resumes_to_the_same_files(tmp_path: Path, dask_scheduler: str) -> None:
    records = _records()
    corpus, out, cache, previous = _first_run(tmp_path, records[:20])
    _append(corpus, records[20:])
    result = _build([corpus], out, cache, engine="dask", scheduler=dask_scheduler)
    assert result.resumed == 20
    _same_as_fresh(tmp_path, [corpus], out, previous)


def test_tag_resumes_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = _records()
    corpus, out, cache = (
        _write(tmp_path / "corpus.jsonl", records[:30]),
        tmp_path / "out",
        tmp_path / "c.sqlite",
    )
    args = ["tag", str(corpus), "-o", str(out), "--cache", str(cache), "--rules", str(SMALL_RULES)]
    assert main(args) == 0
    _append(corpus, records[30:])
    capsys.readouterr()
    assert main(args) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"Cache {cache}: resumed after the 30 papers of the last run; 6 new: 0 taken from it, 6 tagged and stored."
    )
    fresh = tmp_path / "fresh"
    assert main(["tag", str(corpus), "-o", str(fresh), "--rules", str(SMALL_RULES)]) == 0
    for name in ("papers.jsonl", "rejects.jsonl", "summary.json"):
        assert (out / name).read_bytes() == (fresh / name).read_bytes(), name


# -- reading everything again ------------------------------------------------------------------------


def _edit_first_byte(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    data = corpus.read_bytes()
    corpus.write_bytes(data.replace(b'"title":"', b'"title":"The ', 1))


CHANGES = {
    "an earlier byte": (_edit_first_byte, "corpus.jsonl changed (not only appended to)"),
    "papers.jsonl removed": (
        lambda tmp: (tmp / "out" / "papers.jsonl").unlink(),
        "out/papers.jsonl is not the file the last run wrote",
    ),
    "papers.jsonl edited": (
        lambda tmp: (tmp / "out" / "papers.jsonl").write_bytes(
            (tmp / "out" / "papers.jsonl").read_bytes().replace(b'"id":"', b'"id":"x', 1)
        ),
        "out/papers.jsonl is not the file the last run wrote",
    ),
    "papers.graphml edited": (
        lambda tmp: (tmp / "out" / "papers.graphml").write_bytes(
            (tmp / "out" / "papers.graphml").read_bytes().replace(b"paper:", b"Paper:", 1)
        ),
        "out/papers.graphml is not the file the last run wrote",
    ),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_change_besides_appending_reads_everything_again(
    tmp_path: Path, records_read: list[int], change: str
) -> None:
    records = _records()
    corpus, out, cache, previous = _first_run(tmp_path, records[:20])
    edit, reason = CHANGES[change]
    edit(tmp_path)
    _append(corpus, records[20:])
    records_read.clear()
    result = _build([corpus], out, cache)
    assert result.resumed == 0 and result.not_resumed == reason.replace("corpus.jsonl", str(corpus)).replace(
        "out/", f"{out}/"
    )
    assert len(records_read) == result.stats.papers + result.stats.duplicates
    _same_as_fresh(tmp_path, [corpus], out, previous)
    assert _build([corpus], out, cache).resumed == result.stats.papers  # and the next run resumes again


def test_an_output_longer_than_the_last_run_left_it_is_cut_back(tmp_path: Path) -> None:
    records = _records()
    corpus, out, cache, previous = _first_run(tmp_path, records[:20])
    with (out / "rejects.jsonl").open("ab") as handle:
        handle.write(b'{"source": "elsewhere"}\n')
    _append(corpus, records[20:])
    assert _build([corpus], out, cache).resumed == 20
    _same_as_fresh(tmp_path, [corpus], out, previous)


def test_a_shorter_input_is_read_again(tmp_path: Path) -> None:
    records = _records()
    corpus, out, cache, previous = _first_run(tmp_path, records)
    _write(corpus, records[:30])
    result = _build([corpus], out, cache)
    assert result.not_resumed == f"{corpus} is shorter than when the last run read it"
    _same_as_fresh(tmp_path, [corpus], out, previous)


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"sample_size": 3}, "an option that changes the outputs changed"),
        ({"strict": True}, "an option that changes the outputs changed"),
        ({"format": "json"}, "an option that changes the outputs changed"),
    ],
)
def test_another_option_reads_everything_again(
    tmp_path: Path, options: dict[str, object], reason: str
) -> None:
    records = _records()
    corpus, out, cache, previous = _first_run(tmp_path, records[:20])
    _append(corpus, records[20:])
    result = _build([corpus], out, cache, **options)
    assert (result.resumed, result.not_resumed) == (0, reason)
    _same_as_fresh(tmp_path, [corpus], out, previous, **options)


def test_a_rules_change_reads_everything_again(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(SMALL_RULES, rules)
    records = _records()
    corpus, out, cache, previous = _first_run(tmp_path, records[:20], rules_dir=rules)
    with (rules / "ssm.yaml").open("a", encoding="utf-8") as handle:
        handle.write("\n# an edit: the rules version changes\n")
    _append(corpus, records[20:])
    result = _build([corpus], out, cache, rules_dir=rules)
    assert (result.resumed, result.not_resumed) == (0, "the rules or the tagging setup changed")
    _same_as_fresh(tmp_path, [corpus], out, previous, rules_dir=rules)


def test_inputs_in_another_order_or_another_folder_read_everything_again(tmp_path: Path) -> None:
    records = _records()
    one, two = _write(tmp_path / "one.jsonl", records[:10]), _write(tmp_path / "two.jsonl", records[10:])
    out, cache = tmp_path / "out", tmp_path / "tags.sqlite"
    _build([one, two], out, cache)
    previous = (out / "summary.json").read_bytes()
    swapped = _build([two, one], out, cache)
    assert swapped.not_resumed == "the inputs are not the last run's inputs followed by new ones"
    _same_as_fresh(tmp_path, [two, one], out, previous)
    elsewhere = _build([two, one], tmp_path / "elsewhere", cache)
    assert elsewhere.not_resumed == "the last run wrote to another folder"


def test_a_file_without_a_final_newline_that_grew_is_read_again(tmp_path: Path) -> None:
    records = _records()
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_bytes(_lines(records[:20]).rstrip(b"\n"))
    out, cache = tmp_path / "out", tmp_path / "tags.sqlite"
    _build([corpus], out, cache)
    previous = (out / "summary.json").read_bytes()
    with corpus.open("ab") as handle:  # the last line of the last run goes on: it must be read again
        handle.write(b"\n" + _lines(records[20:]))
    result = _build([corpus], out, cache)
    assert result.not_resumed == (
        f"{corpus} grew, but cannot be read from where the last run stopped "
        "(only uncompressed JSON Lines ending in a newline can)"
    )
    _same_as_fresh(tmp_path, [corpus], out, previous)


def test_a_run_that_stops_half_way_leaves_the_last_point_for_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = _records()
    corpus, out, cache, previous = _first_run(tmp_path, records[:20])
    _append(corpus, records[20:])
    original = Tagger.tag_batch
    calls: list[int] = []

    def failing(self: Tagger, papers: Sequence[Paper], batch_size: int = 256) -> list[object]:
        calls.append(len(papers))
        if len(calls) > 1:
            raise KeyboardInterrupt
        return original(self, papers, batch_size)  # type: ignore[return-value]

    monkeypatch.setattr(Tagger, "tag_batch", failing)
    before = _files(out)
    with pytest.raises(KeyboardInterrupt):
        _build([corpus], out, cache)
    assert _files(out) == before  # the outputs are the last run's, byte for byte
    monkeypatch.setattr(Tagger, "tag_batch", original)
    result = _build([corpus], out, cache)
    assert (result.resumed, result.not_resumed, result.cached) == (20, "", 8)
    _same_as_fresh(tmp_path, [corpus], out, previous)


def test_a_run_that_another_run_overtook_stores_no_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = _records()
    corpus, out, cache, previous = _first_run(tmp_path, records[:20])
    _append(corpus, records[20:])
    other = _write(tmp_path / "other.jsonl", records[::-1])
    original = Tagger.tag_batch
    overtaken: list[bool] = []

    def overtake(self: Tagger, papers: Sequence[Paper], batch_size: int = 256) -> list[object]:
        if not overtaken:  # while the first run tags its new papers, another run with the cache ends
            overtaken.append(True)
            _build([other], tmp_path / "other", cache)
        return original(self, papers, batch_size)  # type: ignore[return-value]

    monkeypatch.setattr(Tagger, "tag_batch", overtake)
    assert _build([corpus], out, cache).resumed == 20
    monkeypatch.setattr(Tagger, "tag_batch", original)
    _same_as_fresh(tmp_path, [corpus], out, previous)  # the other run's papers did not leak in
    with sqlite3.connect(cache) as db:
        row = db.execute("SELECT count(*) FROM seen_ids").fetchone()
    assert row == (36,)  # the other run's: 36 papers, not 20 + 16 of the first
    assert _build([corpus], out, cache).not_resumed == "the last run wrote to another folder"


def test_a_damaged_resume_point_reads_everything_again(tmp_path: Path) -> None:
    records = _records()
    corpus, out, cache, previous = _first_run(tmp_path, records[:20])
    with sqlite3.connect(cache) as db:
        db.execute("UPDATE meta SET value = substr(value, 1, 100) WHERE name = 'resume'")
    _append(corpus, records[20:])
    result = _build([corpus], out, cache)
    assert result.not_resumed == "the resume point in the cache is damaged"
    _same_as_fresh(tmp_path, [corpus], out, previous)


def test_a_resume_point_of_another_version_says_so(tmp_path: Path) -> None:
    from taxonomy.resume.point import decode, encode

    records = _records()
    corpus, out, cache, previous = _first_run(tmp_path, records[:20])
    with sqlite3.connect(cache) as db:
        (stored,) = db.execute("SELECT value FROM meta WHERE name = 'resume'").fetchone()
        point = decode(stored)
        older = dataclasses.replace(point, stats={**point.stats, "format": point.stats["format"] - 1})
        db.execute("UPDATE meta SET value = ? WHERE name = 'resume'", (encode(older),))
    _append(corpus, records[20:])
    result = _build([corpus], out, cache)
    assert result.not_resumed == "the resume point was saved by another version of taxonomy"
    _same_as_fresh(tmp_path, [corpus], out, previous)


def test_standard_input_leaves_no_resume_point(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    records = _records()
    cache = tmp_path / "tags.sqlite"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(_lines(records[:5]))))
    _build([Path("-")], tmp_path / "out", cache)
    with sqlite3.connect(cache) as db:
        assert db.execute("SELECT count(*) FROM meta WHERE name = 'resume'").fetchone() == (0,)


def test_the_cli_says_why_it_read_everything_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = _records()
    corpus, out, cache, _ = _first_run(tmp_path, records[:20])
    _edit_first_byte(tmp_path)
    capsys.readouterr()
    assert (
        main(["build", str(corpus), "-o", str(out), "--cache", str(cache), "--rules", str(SMALL_RULES)]) == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2:] == [
        f"Cache {cache}: every input read again: {corpus} changed (not only appended to).",
        f"Cache {cache}: 19 papers taken from it, 1 tagged and stored.",
    ]


# -- the statistics as JSON --------------------------------------------------------------------------


def test_statistics_read_back_from_json_are_the_same_and_go_on_the_same(
    taxonomy: Taxonomy, tagger: Tagger
) -> None:
    papers = tagger.tag_batch(
        [
            Paper(id=str(r["id"]), title=str(r["title"]), abstract=str(r.get("abstract", "")))
            for r in _records()
        ]
    )
    first = collect(papers[:20], taxonomy, sample_size=4)
    first.add_reject(Reject(source="a", line=1, reason="invalid JSON (x: column 1)"))
    first.add_reject(Reject(source="a", line=2, reason="duplicate of p", duplicate_of="p"))
    restored = CorpusStats.from_dict(orjson.loads(orjson.dumps(first.to_dict())))
    assert restored == first
    rest = collect(papers[20:], taxonomy, sample_size=4)
    assert restored.merge(rest).to_dict() == first.merge(rest).to_dict()
    with pytest.raises(ValueError, match="not a count"):
        CorpusStats.from_dict({**first.to_dict(), "papers": "12"})
