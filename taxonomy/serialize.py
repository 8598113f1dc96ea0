"""Tagged papers as JSON Lines (``papers.jsonl``), and back.

One line per input paper, tagged or not, in input order::

    {"id": ..., "title": ..., "date": ..., "source": ...,
     "year": ..., "authors": [...], "venue": ..., "keywords": [...],
     "doi": ..., "arxiv_id": ..., "url": ..., "key": ...,
     "families_primary": [...], "families_mentioned": [...], "family_scores": {...},
     "concepts": [{"concept", "count", "score", "role"}],
     "mentions": [{"concept", "field", "start", "end", "text", "sentence", "sentence_start",
                   "role", "rule", "cue", "head" (only when set)}]}

Abstracts are not repeated here (the input has them); everything the graph and the reports need is,
so ``taxonomy graph`` and ``taxonomy report`` can rebuild their inputs from this file alone. The
bibliographic fields (``year`` through ``key``) are always written (``null``, ``[]`` or ``""`` when
absent) so every line has the same keys; a file written before they existed still reads, its year
taken from its date.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from taxonomy.errors import InputError
from taxonomy.models import ConceptHit, Mention, Paper, Reject, TaggedPaper

_MENTION_KEYS = (
    "concept",
    "field",
    "start",
    "end",
    "text",
    "sentence",
    "sentence_start",
    "role",
    "rule",
    "cue",
)
# Written only when set, to keep papers.jsonl small.
_OPTIONAL_KEYS = ("head",)
_TEXT_KEYS = ("doi", "arxiv_id", "url", "key")


def tagged_to_dict(tp: TaggedPaper) -> dict[str, Any]:
    """The JSON-ready form of a tagged paper."""
    paper = tp.paper
    return {
        "id": paper.id,
        "title": paper.title,
        "date": paper.date,
        "source": paper.source,
        "year": paper.year,
        "authors": list(paper.authors),
        "venue": paper.venue,
        "keywords": list(paper.keywords),
        "doi": paper.doi,
        "arxiv_id": paper.arxiv_id,
        "url": paper.url,
        "key": paper.key,
        "families_primary": list(tp.families_primary),
        "families_mentioned": list(tp.families_mentioned),
        "family_scores": dict(tp.family_scores),
        "concepts": [
            {"concept": h.concept, "count": h.count, "score": h.score, "role": h.role} for h in tp.concepts
        ],
        "mentions": [_mention(m) for m in tp.mentions],
    }


def _mention(m: Mention) -> dict[str, Any]:
    out = {k: getattr(m, k) for k in _MENTION_KEYS}
    for key in _OPTIONAL_KEYS:
        value = getattr(m, key)
        if value:
            out[key] = value
    return out


def tagged_to_line(tp: TaggedPaper) -> bytes:
    """One ``papers.jsonl`` line, newline included."""
    return orjson.dumps(tagged_to_dict(tp)) + b"\n"


def reject_to_line(reject: Reject) -> bytes:
    """One ``rejects.jsonl`` line, newline included."""
    record: dict[str, Any] = {"source": reject.source, "line": reject.line, "reason": reject.reason}
    if reject.duplicate_of:
        record["duplicate_of"] = reject.duplicate_of
    if reject.excerpt:
        record["excerpt"] = reject.excerpt
    return orjson.dumps(record) + b"\n"


def tagged_from_dict(data: dict[str, Any]) -> TaggedPaper:
    """Rebuild a tagged paper from ``tagged_to_dict`` output (the abstract is not stored)."""
    paper = Paper(
        id=str(data["id"]),
        title=str(data["title"]),
        date=data.get("date"),
        source=str(data.get("source") or ""),
        venue_year=None if data.get("date") else _year(data.get("year")),
        authors=tuple(str(a) for a in data.get("authors") or ()),
        venue=str(data.get("venue") or ""),
        keywords=tuple(str(k) for k in data.get("keywords") or ()),
        **{name: str(data.get(name) or "") for name in _TEXT_KEYS},
    )
    return TaggedPaper(
        paper=paper,
        mentions=tuple(
            Mention(**{k: m[k] for k in _MENTION_KEYS}, **{k: m[k] for k in _OPTIONAL_KEYS if k in m})
            for m in data["mentions"]
        ),
        concepts=tuple(ConceptHit(**c) for c in data["concepts"]),
        families_primary=tuple(data["families_primary"]),
        families_mentioned=tuple(data["families_mentioned"]),
        family_scores=tuple((str(k), float(v)) for k, v in data["family_scores"].items()),
    )


def _year(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"year {value!r} is not a whole number")
    return value


def read_tagged(path: str | Path) -> Iterator[TaggedPaper]:
    """Stream the tagged papers of a ``papers.jsonl`` written by ``taxonomy tag`` or ``build``."""
    path = Path(path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                yield tagged_from_dict(orjson.loads(line))
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                raise InputError(
                    f"{path}:{number}: not a line of papers.jsonl ({type(exc).__name__}: {exc}); "
                    "pass the papers.jsonl written by 'taxonomy tag' or 'taxonomy build'"
                ) from None
