"""Gold files: papers with the families they are labelled with, in two kinds.

Every gold file holds one JSON object per line, of one of these kinds:

- **labels**: the families a paper is about and those it mentions, complete for the paper.
  Either the annotation format ``{"n": 1, "title": ..., "primary": [...], "primary_optional": [...],
  "mentioned": [...], "mentioned_optional": [...]}`` (optional labels count neither way), or the
  simple format ``{"title": ..., "families": [...]}`` (optionally with ``"mentioned": [...]``).
- **lists**: ``{"title": ..., "abstract": ..., "family": "cnn", "list": ..., "url": ...}``, a paper
  taken from a curated list of one family's papers. The label says the paper belongs to that family;
  other families are unknown, so such a file measures recall, not precision.

Either kind may carry an ``"abstract"``; without input files the gold papers' own titles and
abstracts are tagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import orjson

from taxonomy.errors import InputError
from taxonomy.ingest.text import clean

TASKS = ("primary", "mentioned")


@dataclass(frozen=True, slots=True)
class GoldPaper:
    """Gold labels of one paper for each task: required and optional families."""

    title: str
    n: int | None
    abstract: str
    required: dict[str, frozenset[str]]
    optional: dict[str, frozenset[str]]
    line: int


@dataclass(frozen=True, slots=True)
class ListPaper:
    """A paper from a curated list of one family: it belongs to ``family``; other families unknown."""

    title: str
    abstract: str
    family: str
    list: str  # which list (and section) it came from
    line: int


@dataclass(frozen=True, slots=True)
class LabelGold:
    """A gold file of complete labels."""

    path: Path
    papers: tuple[GoldPaper, ...]


@dataclass(frozen=True, slots=True)
class ListGold:
    """A gold file of list memberships."""

    path: Path
    papers: tuple[ListPaper, ...]


def gold_families(gold: LabelGold | ListGold) -> frozenset[str]:
    """The families a gold file labels: the ones its scores can speak of."""
    if isinstance(gold, ListGold):
        return frozenset(p.family for p in gold.papers)
    return frozenset(
        f for p in gold.papers for labels in (*p.required.values(), *p.optional.values()) for f in labels
    )


def load_gold(path: str | Path) -> LabelGold | ListGold:
    """Read a gold file of either kind; raise ``InputError`` naming the bad line."""
    path = Path(path)
    try:
        lines = path.read_bytes().splitlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    labelled: list[GoldPaper] = []
    listed: list[ListPaper] = []
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: invalid JSON ({exc})") from None
        if isinstance(data, dict) and "family" in data:
            listed.append(_list_paper(path, number, data))
        else:
            labelled.append(_gold_paper(path, number, data))
        if labelled and listed:
            kind, other = ("a 'family'", "labels") if listed[-1].line == number else ("labels", "a 'family'")
            raise InputError(
                f"{path}:{number}: this line has {kind}, earlier lines have {other}: keep one kind of "
                "gold line a file (list memberships or complete labels)"
            )
    if listed:
        return ListGold(path, tuple(listed))
    if not labelled:
        raise InputError(f"{path}: no gold papers (expected one JSON object per line)")
    return LabelGold(path, tuple(labelled))


def read_gold(path: str | Path) -> list[GoldPaper]:
    """Read a gold file of complete labels (see ``load_gold`` for both kinds)."""
    gold = load_gold(path)
    if isinstance(gold, ListGold):
        raise InputError(f"{gold.path}: holds list memberships ('family'), not complete labels")
    return list(gold.papers)


def _labels(path: Path, number: int, data: dict[str, object], key: str) -> frozenset[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{path}:{number}: '{key}' must be a list of family ids")
    return frozenset(value)


def _gold_paper(path: Path, number: int, data: object) -> GoldPaper:
    if not isinstance(data, dict) or not ("title" in data or "n" in data):
        raise InputError(
            f"{path}:{number}: expected an object with a 'title' (and 'primary', 'families' or 'family')"
        )
    n = data.get("n")
    title = str(data.get("title", ""))
    if "primary" in data:
        required = {t: _labels(path, number, data, t) for t in TASKS}
        optional = {t: _labels(path, number, data, f"{t}_optional") for t in TASKS}
    elif "families" in data:
        required = {"primary": _labels(path, number, data, "families")}
        if "mentioned" in data:
            required["mentioned"] = _labels(path, number, data, "mentioned")
        optional = {t: frozenset() for t in required}
    else:
        raise InputError(
            f"{path}:{number}: no labels: give 'primary' and 'mentioned', 'families', or one 'family'"
        )
    abstract = " ".join(str(data.get("abstract") or "").split())
    return GoldPaper(title, n if isinstance(n, int) else None, abstract, required, optional, number)


def _list_paper(path: Path, number: int, data: dict[str, object]) -> ListPaper:
    family, title = data.get("family"), data.get("title")
    if not isinstance(family, str) or not family:
        raise InputError(f"{path}:{number}: 'family' must be one family id")
    if not isinstance(title, str) or not title.strip():
        raise InputError(f"{path}:{number}: a list line needs a 'title'")
    # Cleaned as the readers clean any input, so a listed paper is tagged as it would be when read.
    abstract = clean(str(data.get("abstract") or ""))
    return ListPaper(clean(title), abstract, family, str(data.get("list") or ""), number)
