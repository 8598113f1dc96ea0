"""The real inputs in ../shared/corpus read completely (skipped when ../shared is absent)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from taxonomy import ingest
from taxonomy.models import Paper, Reject

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
LISTING = SHARED / "corpus" / "hf-papers-listing.txt"
ABSTRACTS = SHARED / "corpus" / "abstracts-ml.jsonl"


@pytest.mark.skipif(not LISTING.is_file(), reason="../shared/corpus is not here")
def test_shared_listing_gives_99_papers_with_titles_and_abstracts() -> None:
    items = list(ingest.read([LISTING]))
    assert len(items) == 99
    assert all(isinstance(p, Paper) and p.title and p.abstract for p in items)
    first = items[0]
    assert isinstance(first, Paper)
    assert first.title == "TimeGraphs: Graph-based Temporal Reasoning"  # the page header is not a paper
    assert len({p.id for p in items if isinstance(p, Paper)}) == 99


@pytest.mark.skipif(not ABSTRACTS.is_file(), reason="../shared/corpus is not here")
def test_shared_abstracts_read_completely() -> None:
    records = ingest.read([ABSTRACTS])
    items = list(records)
    lines = sum(1 for line in ABSTRACTS.open("rb") if line.strip())
    papers = [p for p in items if isinstance(p, Paper)]
    rejects = [r for r in items if isinstance(r, Reject)]
    assert len(items) == lines == 13_775
    assert all(r.reason for r in rejects)
    assert len(papers) == 13_775
    assert all(p.title and p.abstract for p in papers)
    # LaTeX commands are gone from the text (an escaped \$ stays a dollar sign); keywords and venues came through
    assert not any(re.search(r"\\[A-Za-z]", p.title + p.abstract) for p in papers)
    assert sum(1 for p in papers if p.keywords) > 10_000
    assert all(p.venue for p in papers)
    assert records.bytes_read == records.total_bytes == ABSTRACTS.stat().st_size
