"""The resume point: what a run with ``--cache`` leaves in the cache file for the next run.

It is stored as JSON (never pickle: a cache file must not be able to run code) behind a BLAKE2b
checksum, under the name ``resume`` in the cache's ``meta`` table:

- ``setup``: digests of everything that decides the outputs besides the inputs (the tagging setup,
  taxonomy's code, the options) and the output folder;
- ``inputs``: each input as read (label, size, digest, format, lines; see ``ingest.InputEnd``);
- ``outputs``: the length and digest of ``papers.jsonl`` and ``rejects.jsonl`` as written;
- ``graph``: where ``papers.graphml`` holds its paper nodes and edges (``graph.GraphLayout``);
- ``stats``: the ``CorpusStats`` after the last record (``CorpusStats.to_dict``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from taxonomy.cache import module_files
from taxonomy.graph import GraphLayout
from taxonomy.ingest import FieldNames, InputEnd
from taxonomy.runs import TagOptions
from taxonomy.stats import STATS_FORMAT

POINT_FORMAT = 1
_CHECKSUM = 32


@dataclass(frozen=True, slots=True)
class ResumePoint:
    """Where a run ended: its setup, its inputs as read, its output files, and its statistics."""

    setup: dict[str, str]
    inputs: tuple[InputEnd, ...]
    outputs: dict[str, tuple[int, str]]  # file name -> (length, digest)
    graph: GraphLayout | None
    stats: dict[str, Any]  # CorpusStats.to_dict()


def run_setup(options: TagOptions, tagging: bytes, paper_graph: bool) -> dict[str, str]:
    """What besides the inputs decides a run's outputs, in parts that name what changed."""
    fields = options.fields or FieldNames()
    chosen = [
        options.format or "",
        [fields.title, fields.abstract, fields.date, fields.id],
        options.strict,
        options.sample_size,
        paper_graph,
    ]
    return {
        "tagging": tagging.hex(),  # rules, model, and the code that tags (as the tag cache keys)
        "code": _code_digest(),
        "options": hashlib.blake2b(orjson.dumps(chosen), digest_size=16).hexdigest(),
        "output": str(Path(options.out_dir).resolve()),
    }


def _code_digest() -> str:
    """A digest of every module of taxonomy: a new version may read, count or write differently."""
    h = hashlib.blake2b(digest_size=16)
    for path in module_files("taxonomy"):
        h.update(hashlib.blake2b(path.read_bytes(), digest_size=16).digest())
    return h.hexdigest()


def encode(point: ResumePoint) -> bytes:
    """The point as stored: a 32-byte checksum, then JSON."""
    data = orjson.dumps(
        {
            "format": POINT_FORMAT,
            "setup": point.setup,
            "inputs": [end.to_dict() for end in point.inputs],
            "outputs": point.outputs,
            "graph": point.graph.to_dict() if point.graph is not None else None,
            "stats": point.stats,
        }
    )
    return hashlib.blake2b(data, digest_size=_CHECKSUM).digest() + data


class OtherFormat(ValueError):
    """A sound resume point of another layout: saved by another version of taxonomy."""


def decode(stored: bytes) -> ResumePoint:
    """A stored point; ``OtherFormat`` when another version saved it (its point or statistics
    layout differs), ``ValueError`` (or ``KeyError``/``TypeError``) when it is damaged."""
    checksum, data = stored[:_CHECKSUM], stored[_CHECKSUM:]
    if hashlib.blake2b(data, digest_size=_CHECKSUM).digest() != checksum:
        raise ValueError("checksum mismatch")
    raw = orjson.loads(data)
    saved = raw["stats"].get("format") if isinstance(raw["stats"], dict) else None
    if raw["format"] != POINT_FORMAT or saved != STATS_FORMAT:
        raise OtherFormat(f"resume point of format {raw['format']}, statistics of format {saved}")
    outputs = {str(name): (int(size), str(digest)) for name, (size, digest) in raw["outputs"].items()}
    graph = GraphLayout.from_dict(raw["graph"]) if raw["graph"] is not None else None
    inputs = tuple(InputEnd.from_dict(end) for end in raw["inputs"])
    setup = {str(k): str(v) for k, v in raw["setup"].items()}
    return ResumePoint(setup, inputs, outputs, graph, dict(raw["stats"]))


def same_labels(old: Sequence[InputEnd], labels: Sequence[str]) -> bool:
    """Whether the inputs start with the last run's inputs, in the same order."""
    return len(labels) >= len(old) and [end.label for end in old] == list(labels[: len(old)])
