"""The cache of loaded rules: same rules and same output from a warm cache, never a stale or broken entry."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from taxonomy.cli import main
from taxonomy.pipeline import sample_corpus
from taxonomy.rules import load_rules
from taxonomy.rules.cached import ENV

from .conftest import SMALL_RULES


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(ENV, str(folder))
    return folder


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("rules-*.pickle"))


def tag(rules: Path, out: Path) -> dict[str, bytes]:
    assert main(["tag", str(sample_corpus()), "-o", str(out), "--rules", str(rules), "-q"]) == 0
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def test_warm_cache_tags_byte_identical(cache: Path, tmp_path: Path) -> None:
    cold = tag(SMALL_RULES, tmp_path / "cold")
    assert len(entries(cache)) == 1
    warm = tag(SMALL_RULES, tmp_path / "warm")
    assert warm == cold
    assert "papers.jsonl" in warm


def test_warm_cache_gives_the_same_rules(cache: Path) -> None:
    cold = load_rules(SMALL_RULES)
    (entry,) = entries(cache)
    before = entry.stat().st_mtime_ns
    assert load_rules(SMALL_RULES) == cold
    assert entry.stat().st_mtime_ns == before  # read back, not written again


def test_changed_rules_file_is_not_served_from_cache(cache: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(SMALL_RULES, rules)
    first = load_rules(rules)
    ssm = rules / "ssm.yaml"
    text = ssm.read_text(encoding="utf-8")
    ssm.write_text(text.replace("label: State space models", "label: Edited", 1), encoding="utf-8")
    edited = load_rules(rules)
    assert edited.concepts["ssm"].label == "Edited"
    assert edited.version != first.version
    assert len(entries(cache)) == 2
    assert load_rules(rules) == edited


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_corrupt_entry_is_ignored(cache: Path, damage: str) -> None:
    fresh = load_rules(SMALL_RULES)
    (entry,) = entries(cache)
    data = entry.read_bytes()
    entry.write_bytes(
        {"garbage": b"not a pickle" * 10, "truncated": data[: len(data) // 2], "empty": b""}[damage]
    )
    assert load_rules(SMALL_RULES) == fresh
    assert entry.read_bytes() == data  # the entry is written again


def test_unwritable_cache_folder_loads_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(ENV, str(blocker / "cache"))
    assert load_rules(SMALL_RULES) == load_rules(SMALL_RULES)


def test_empty_variable_turns_the_cache_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    load_rules(SMALL_RULES)
    assert not any(tmp_path.rglob("rules-*.pickle"))


def test_default_folder_is_under_xdg_cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    load_rules(SMALL_RULES)
    assert len(entries(tmp_path / "taxonomy")) == 1


def test_a_compiled_tagger_is_kept_and_read_back(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from taxonomy import runs
    from taxonomy.models import Paper
    from taxonomy.serialize import tagged_to_line

    monkeypatch.setattr(runs, "_compiled", {})  # as a new process: nothing compiled yet
    rules = load_rules(SMALL_RULES)
    paper = Paper(
        id="p", title="Mamba for speech", abstract="We propose a Mamba model. Unlike Transformers, it scales."
    )
    first = runs.compiled_tagger(rules)
    (entry,) = sorted(cache.glob("tagger-*.pickle"))
    monkeypatch.setattr(runs, "_compiled", {})
    again = runs.compiled_tagger(rules)
    assert again is not first and tagged_to_line(again.tag(paper)) == tagged_to_line(first.tag(paper))
    # reading the matchers back sets cheap word attributes for their keys only: words read later
    # get every attribute tagging reads (and no others: test_tag.py)
    word = again.nlp.vocab["Zqxwords"]
    assert (word.lower_, word.is_alpha, word.is_punct, word.shape_) == ("zqxwords", True, False, "")
    entry.write_bytes(entry.read_bytes()[:1000])  # a truncated entry is compiled again and replaced
    monkeypatch.setattr(runs, "_compiled", {})
    third = runs.compiled_tagger(rules)
    assert tagged_to_line(third.tag(paper)) == tagged_to_line(first.tag(paper))
    assert entry.stat().st_size > 1000
    monkeypatch.setattr(runs, "_compiled", {})
    assert runs.compiled_tagger(load_rules(SMALL_RULES), model=None) is not third  # read back, a new object
