"""The tag cache: a rerun tags only what the cache lacks, and writes what a fresh run writes.

Builds use the small rules of ``conftest.SMALL_RULES`` unless a test gives others.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import orjson
import pytest

from taxonomy.cache import TagCache, setup_digest
from taxonomy.cli import main
from taxonomy.errors import InputError
from taxonomy.models import Paper, TaggedPaper
from taxonomy.pipeline import GraphOptions, TagOptions, TagResult, build, sample_corpus
from taxonomy.rules import Taxonomy
from taxonomy.tag import Tagger

from .conftest import SMALL_RULES

OUTPUTS = (
    "papers.jsonl",
    "rejects.jsonl",
    "summary.json",
    "concepts.graphml",
    "papers.graphml",
    "report.md",
    "report.html",
)


@pytest.fixture
def tag_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of papers each call of ``Tagger.tag_batch`` was given (in this process)."""
    calls: list[int] = []
    original = Tagger.tag_batch

    def counting(self: Tagger, papers: Sequence[Paper], batch_size: int = 256) -> list[TaggedPaper]:
        calls.append(len(papers))
        return original(self, papers, batch_size)

    monkeypatch.setattr(Tagger, "tag_batch", counting)
    return calls


def _records() -> list[dict[str, object]]:
    return [orjson.loads(line) for line in sample_corpus().read_bytes().splitlines() if line.strip()]


def _write(path: Path, records: Sequence[dict[str, object]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


def _build(corpus: Path, out: Path, cache: Path | None = None, **options: object) -> TagResult:
    options.setdefault("rules_dir", SMALL_RULES)
    tag = TagOptions(inputs=(str(corpus),), out_dir=out, cache=cache, batch_size=8, **options)  # type: ignore[arg-type]
    result, _ = build(tag, GraphOptions(formats=("graphml",)))
    return result


def _same_outputs(a: Path, b: Path) -> None:
    for name in OUTPUTS:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_a_cached_rerun_tags_nothing_and_writes_the_same_bytes(tmp_path: Path, tag_calls: list[int]) -> None:
    corpus, cache = _write(tmp_path / "corpus.jsonl", _records()), tmp_path / "tags.sqlite"
    first = _build(corpus, tmp_path / "first", cache)
    assert sum(tag_calls) == 36 and first.cached == 0
    tag_calls.clear()
    again = _build(corpus, tmp_path / "again", cache)
    assert tag_calls == [] and again.cached == 36
    _build(corpus, tmp_path / "fresh")
    _same_outputs(tmp_path / "again", tmp_path / "fresh")
    _same_outputs(tmp_path / "first", tmp_path / "fresh")


def test_added_papers_are_the_only_ones_tagged(tmp_path: Path, tag_calls: list[int]) -> None:
    records, cache = _records(), tmp_path / "tags.sqlite"
    _build(_write(tmp_path / "old.jsonl", records[:30]), tmp_path / "old", cache)
    tag_calls.clear()
    corpus = _write(tmp_path / "new.jsonl", records)
    result = _build(corpus, tmp_path / "incremental", cache)
    assert sum(tag_calls) == 6 and result.cached == 30
    _build(corpus, tmp_path / "fresh")
    _same_outputs(tmp_path / "incremental", tmp_path / "fresh")


def test_a_changed_abstract_is_tagged_again(tmp_path: Path, tag_calls: list[int]) -> None:
    records, cache = _records(), tmp_path / "tags.sqlite"
    _build(_write(tmp_path / "corpus.jsonl", records), tmp_path / "first", cache)
    records[4] = {**records[4], "abstract": "We propose a diffusion transformer for molecules."}
    corpus = _write(tmp_path / "corpus.jsonl", records)
    tag_calls.clear()
    result = _build(corpus, tmp_path / "again", cache)
    assert sum(tag_calls) == 1 and result.cached == 35
    _build(corpus, tmp_path / "fresh")
    _same_outputs(tmp_path / "again", tmp_path / "fresh")


def test_papers_that_moved_are_not_tagged_but_name_their_new_place(
    tmp_path: Path, tag_calls: list[int]
) -> None:
    records, cache = _records(), tmp_path / "tags.sqlite"
    _build(_write(tmp_path / "corpus.jsonl", records), tmp_path / "first", cache)
    corpus = _write(tmp_path / "moved.jsonl", list(reversed(records)))
    tag_calls.clear()
    result = _build(corpus, tmp_path / "again", cache)
    assert tag_calls == [] and result.cached == 36
    _build(corpus, tmp_path / "fresh")
    _same_outputs(tmp_path / "again", tmp_path / "fresh")
    first_line = orjson.loads((tmp_path / "again" / "papers.jsonl").read_bytes().split(b"\n")[0])
    assert first_line["source"].endswith("moved.jsonl:1")


def test_a_rules_change_tags_everything_again(tmp_path: Path, tag_calls: list[int]) -> None:
    rules, cache = tmp_path / "rules", tmp_path / "tags.sqlite"
    shutil.copytree(SMALL_RULES, rules)
    corpus = _write(tmp_path / "corpus.jsonl", _records())
    _build(corpus, tmp_path / "first", cache, rules_dir=rules)
    with (rules / "ssm.yaml").open("a", encoding="utf-8") as handle:
        handle.write("\n# an edit: the rules version changes\n")
    tag_calls.clear()
    result = _build(corpus, tmp_path / "again", cache, rules_dir=rules)
    assert sum(tag_calls) == 36 and result.cached == 0
    with sqlite3.connect(cache) as db:  # the old version's entries were dropped, the new ones kept
        assert db.execute("SELECT count(*) FROM papers").fetchone()[0] == 36


def test_the_setup_covers_rules_model_and_code(taxonomy: Taxonomy) -> None:
    plain = setup_digest(taxonomy)
    assert setup_digest(taxonomy) == plain
    assert setup_digest(taxonomy, "en_core_web_sm") != plain
    assert len(plain) == 32


def test_keys_cover_the_paper_but_not_where_it_was_read(tmp_path: Path, taxonomy: Taxonomy) -> None:
    with TagCache(tmp_path / "tags.sqlite", setup_digest(taxonomy)) as cache:
        paper = Paper(id="p1", title="A title", abstract="An abstract.", date="2024", source="a.jsonl:1")
        key = cache.key(paper)
        assert len(key) == 16
        assert (
            cache.key(Paper(id="p1", title="A title", abstract="An abstract.", date="2024", source="b:9"))
            == key
        )
        for changed in ({"abstract": "Another."}, {"title": "B"}, {"date": "2023"}, {"id": "p2"}):
            fields = {"id": "p1", "title": "A title", "abstract": "An abstract.", "date": "2024", **changed}
            assert cache.key(Paper(**fields)) != key  # type: ignore[arg-type]


def test_a_damaged_entry_is_tagged_again(tmp_path: Path, tag_calls: list[int]) -> None:
    corpus, cache = _write(tmp_path / "corpus.jsonl", _records()), tmp_path / "tags.sqlite"
    _build(corpus, tmp_path / "first", cache)
    with sqlite3.connect(cache) as db:
        db.execute("UPDATE papers SET line = x'7b6e6f74' WHERE rowid = (SELECT min(rowid) FROM papers)")
    tag_calls.clear()
    result = _build(corpus, tmp_path / "again", cache)
    assert sum(tag_calls) == 1 and result.cached == 35
    _same_outputs(tmp_path / "again", tmp_path / "first")


def test_cache_with_two_jobs(tmp_path: Path) -> None:
    records, cache = _records(), tmp_path / "tags.sqlite"
    _build(_write(tmp_path / "old.jsonl", records[:20]), tmp_path / "old", cache, jobs=2)
    corpus = _write(tmp_path / "new.jsonl", records)
    result = _build(corpus, tmp_path / "incremental", cache, jobs=2)
    assert result.cached == 20
    assert _build(corpus, tmp_path / "all-cached", cache, jobs=2).cached == 36
    _build(corpus, tmp_path / "fresh")
    _same_outputs(tmp_path / "incremental", tmp_path / "fresh")
    _same_outputs(tmp_path / "all-cached", tmp_path / "fresh")


def test_cache_with_the_dask_engine(tmp_path: Path, dask_scheduler: str) -> None:
    records, cache = _records(), tmp_path / "tags.sqlite"
    _build(_write(tmp_path / "old.jsonl", records[:20]), tmp_path / "old", cache)
    corpus = _write(tmp_path / "new.jsonl", records)
    result = _build(corpus, tmp_path / "dask", cache, engine="dask", scheduler=dask_scheduler)
    assert result.cached == 20
    _build(corpus, tmp_path / "fresh")
    _same_outputs(tmp_path / "dask", tmp_path / "fresh")


# -- files that are not a usable cache ---------------------------------------------------------------


def _cli_error(capsys: pytest.CaptureFixture[str], tmp_path: Path, cache: Path) -> str:
    corpus = _write(tmp_path / "corpus.jsonl", _records()[:3])
    rules = ["--rules", str(SMALL_RULES)]
    assert main(["tag", str(corpus), "-o", str(tmp_path / "out"), "--cache", str(cache), *rules]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err  # one line, no traceback
    return err.strip()


def test_a_file_that_is_not_sqlite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = tmp_path / "notes.txt"
    cache.write_text("these are my notes, not a database\n" * 200, encoding="utf-8")
    assert _cli_error(capsys, tmp_path, cache) == (
        f"Error: {cache}: not a usable taxonomy cache (file is not a database); "
        "delete it or choose another file with --cache FILE"
    )
    assert cache.read_text(encoding="utf-8").startswith("these are my notes")


def test_another_programs_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = tmp_path / "app.db"
    with sqlite3.connect(cache) as db:
        db.execute("CREATE TABLE accounts (name TEXT)")
    assert _cli_error(capsys, tmp_path, cache) == (
        f"Error: {cache}: an SQLite database that is not a taxonomy cache; "
        "choose another file with --cache FILE (this one is left as it is)"
    )
    with sqlite3.connect(cache) as db:
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == [("accounts",)]


def test_a_cache_of_another_schema_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], taxonomy: Taxonomy
) -> None:
    cache = tmp_path / "tags.sqlite"
    TagCache(cache, setup_digest(taxonomy)).close()
    with sqlite3.connect(cache) as db:
        db.execute("PRAGMA user_version = 99")
    assert _cli_error(capsys, tmp_path, cache) == (
        f"Error: {cache}: a taxonomy cache of schema version 99 (this taxonomy reads version 2); "
        "delete the file to start a new cache"
    )


def test_a_cache_of_version_1_is_upgraded_and_keeps_its_papers(tmp_path: Path, tag_calls: list[int]) -> None:
    corpus, cache = _write(tmp_path / "corpus.jsonl", _records()), tmp_path / "tags.sqlite"
    _build(corpus, tmp_path / "first", cache)
    with sqlite3.connect(cache) as db:  # what version 1 had: no resume point, no Seen tables
        db.execute("DROP TABLE seen_ids")
        db.execute("DROP TABLE seen_titles")
        db.execute("DELETE FROM meta WHERE name = 'resume'")
        db.execute("PRAGMA user_version = 1")
    tag_calls.clear()
    assert _build(corpus, tmp_path / "again", cache).cached == 36 and tag_calls == []
    with sqlite3.connect(cache) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (2,)
    _same_outputs(tmp_path / "again", tmp_path / "first")


def test_a_folder_is_not_a_cache_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli_error(capsys, tmp_path, tmp_path) == (
        f"Error: {tmp_path}: is a folder; --cache needs a file name (e.g. {tmp_path}/tags.sqlite)"
    )


def test_a_truncated_cache(tmp_path: Path, taxonomy: Taxonomy) -> None:
    cache = tmp_path / "tags.sqlite"
    with TagCache(cache, setup_digest(taxonomy)) as opened:
        opened.lookup([Paper(id="p1", title="T")])
    data = cache.read_bytes()
    cache.write_bytes(data[:100] + b"\x00garbage" * 200)
    with pytest.raises(
        InputError,
        match=r"not a usable taxonomy cache \((file is not a database|database disk image is malformed)\)",
    ):
        TagCache(cache, setup_digest(taxonomy)).lookup([Paper(id="p1", title="T")])


def test_the_cli_takes_cache_on_build_and_tag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = tmp_path / "tags.sqlite"
    rules = ["--rules", str(SMALL_RULES)]
    assert main(["build", "-o", str(tmp_path / "a"), "--cache", str(cache), *rules]) == 0
    assert (
        capsys.readouterr().out.splitlines()[-1]
        == f"Cache {cache}: 0 papers taken from it, 36 tagged and stored."
    )
    assert main(["tag", str(sample_corpus()), "-o", str(tmp_path / "b"), "--cache", str(cache), *rules]) == 0
    assert (
        capsys.readouterr().out.splitlines()[-1]
        == f"Cache {cache}: 36 papers taken from it, 0 tagged and stored."
    )
    assert cache.is_file()
    assert "--cache FILE" in _help(capsys, "build") and "--cache FILE" in _help(capsys, "tag")


def _help(capsys: pytest.CaptureFixture[str], command: str) -> str:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    return capsys.readouterr().out
