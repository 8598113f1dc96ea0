"""Field values of a record given as a mapping, read leniently: texts, author names, keywords,
values at a dotted path, and OpenAlex's inverted abstracts."""

from __future__ import annotations

from collections.abc import Mapping

from taxonomy.ingest.record import author_name, split_authors, split_keywords

_NAME_KEYS = ("name", "display_name", "displayName", "full_name", "literal")
_TERM_KEYS = ("display_name", "name", "term", "category", "label")


def text_of(value: object) -> str:
    """A text value: strings as they are, numbers written out, lists joined, else ''."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list):
        return " ".join(t for t in (text_of(v) for v in value) if t)
    if isinstance(value, dict):
        for key in ("text", "value", "#text", "name", "display_name"):
            if isinstance(value.get(key), str):
                return str(value[key])
    return ""


def _name_of(value: object) -> str:
    if isinstance(value, str):
        return author_name(value)
    if isinstance(value, dict):
        for key in _NAME_KEYS:
            name = value.get(key)
            if isinstance(name, str) and name.strip():
                return author_name(name) if key == "name" else name
        if "given" in value or "family" in value:  # CSL-JSON
            return f"{text_of(value.get('given'))} {text_of(value.get('family'))}"
        if isinstance(value.get("author"), dict):  # OpenAlex authorship
            return _name_of(value["author"])
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        parts = [str(v) for v in value]  # arXiv authors_parsed: [last, first, suffix]
        return " ".join(p for p in (parts[1:2] + parts[:1] + parts[2:3]) if p)
    return ""


def authors_of(value: object) -> tuple[str, ...]:
    """Author names from a list of names, of author objects, or one string of names."""
    if isinstance(value, str):
        return split_authors(value)
    if isinstance(value, list):
        return tuple(_name_of(v) for v in value)
    return ()


def keywords_of(value: object, *, spaces: bool = False) -> tuple[str, ...]:
    """Keywords from a list of terms or term objects, or one string (split on ``;``/``,``)."""
    if isinstance(value, str):
        return tuple(value.split()) if spaces else split_keywords(value)
    if isinstance(value, list):
        terms: list[str] = []
        for item in value:
            if isinstance(item, str):
                terms.append(item)
            elif isinstance(item, dict):
                terms.append(next((str(item[k]) for k in _TERM_KEYS if isinstance(item.get(k), str)), ""))
        return tuple(terms)
    return ()


def get_path(record: Mapping[str, object], key: str | None) -> object:
    """The value of field ``key``, or at the dotted path ``key`` names; None when there is none."""
    if key is None:
        return None
    value = record.get(key)
    if value is None and "." in key:  # a dotted path into nested objects: "metadata.title"
        node: object = record
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        return node
    return value


def dig(record: Mapping[str, object], *path: str) -> object:
    """The value at ``path`` in nested objects, or None."""
    node: object = record
    for part in path:
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def rebuild_abstract(index: object) -> str:
    """The text of an OpenAlex ``abstract_inverted_index`` (word -> positions), in position order."""
    if not isinstance(index, dict):
        return ""
    placed: list[tuple[int, str]] = []
    for word, positions in index.items():
        if isinstance(positions, list):
            placed.extend((p, str(word)) for p in positions if isinstance(p, int) and not isinstance(p, bool))
    placed.sort()
    return " ".join(word for _, word in placed)
