"""papers.jsonl lines round-trip to the same tagged papers (abstracts are not stored)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from taxonomy.errors import InputError
from taxonomy.models import Paper
from taxonomy.rules import load_rules
from taxonomy.serialize import read_tagged, tagged_from_dict, tagged_to_dict, tagged_to_line
from taxonomy.tag import Tagger

from .conftest import FIXTURES


def test_round_trip(tmp_path: Path) -> None:
    tagger = Tagger(load_rules(FIXTURES / "tagging"))
    papers = [
        Paper(
            id="a",
            title='Mamba <b>&</b> "ViT"',
            abstract="Unlike Transformers, our Mamba is fast.",
            date="2024-01",
            source="x.jsonl:1",
        ),
        Paper(id="b", title="Nothing here"),
    ]
    tagged = tagger.tag_batch(papers)
    path = tmp_path / "papers.jsonl"
    path.write_bytes(b"".join(tagged_to_line(tp) for tp in tagged))
    back = list(read_tagged(path))
    assert back == [replace(tp, paper=replace(tp.paper, abstract="")) for tp in tagged]
    assert tagged_from_dict(tagged_to_dict(tagged[0])).paper.source == "x.jsonl:1"


def test_bad_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "papers.jsonl"
    path.write_text('{"id": "a"}\n')
    with pytest.raises(InputError) as caught:
        list(read_tagged(path))
    assert str(caught.value).startswith(f"{path}:1: not a line of papers.jsonl (KeyError")
