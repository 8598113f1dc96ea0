"""Choosing the reader for an input: by the first bytes of its content, else by its file extension.

Exports are often misnamed (a Web of Science ``savedrecs.txt`` saved as ``.ris``, an API page saved
as ``.jsonl``, a tab-separated file named ``.csv``), so content that can only be one format decides
first, whatever the name. From the first non-blank bytes:

- ``{`` with a whole JSON object on the first line -> JSON Lines (the line may be a whole API
  page); ``[`` -> JSON array;
- ``<`` -> Atom XML; ``@type{`` (after any ``%`` comment lines) -> BibTeX; a ``TY  -`` line -> RIS;
- ``FN`` or ``PT`` followed by more two-letter tags -> Web of Science plain text.

Otherwise the extension decides (after removing a final ``.gz``): ``.jsonl`` ``.ndjson`` -> JSON
Lines; ``.json``; ``.csv``; ``.tsv`` ``.tab``; ``.xml`` ``.atom`` -> Atom; ``.bib`` ``.bibtex``;
``.ris``. Any other name (``.txt``, no extension, ``-`` for standard input): ``{`` -> a JSON
document (pretty-printed); a first line that
names a title column when split on ``,``, ``;``, tab or ``|`` -> CSV (or TSV for tabs), and
anything else -> listing text. CSV and TSV readers sniff their delimiter the same way
(:func:`delimiter`).

Whether a JSON record is arXiv, OpenAlex or Semantic Scholar is decided per record from its keys
(see :mod:`taxonomy.ingest.shapes`); ``openalex`` and ``s2`` as formats force that reading.
"""

from __future__ import annotations

import codecs
import csv
import re

import orjson

from taxonomy.ingest.shapes import CANDIDATES, normal_key

#: Names of the formats in messages.
LABELS: dict[str, str] = {
    "listing": "listing text",
    "jsonl": "JSON Lines",
    "json": "JSON",
    "csv": "CSV",
    "tsv": "TSV",
    "atom": "Atom XML",
    "bibtex": "BibTeX",
    "ris": "RIS",
    "wos": "Web of Science plain text",
    "openalex": "OpenAlex JSON",
    "s2": "Semantic Scholar JSON",
}
#: What content detection looks for, in order (for the message when nothing matched).
TRIED = "JSON, JSON Lines, Atom XML, BibTeX, RIS, Web of Science, CSV/TSV with a title column"
DELIMITERS = (",", ";", "\t", "|")
EXTENSIONS: dict[str, str] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonlines": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".xml": "atom",
    ".atom": "atom",
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".ris": "ris",
}
_RIS = re.compile(rb"(?m)^TY {1,2}- ?")
_RIS_WITHIN = 4096  # bytes: RIS from some publishers starts with "Provider: ..." lines before the first TY
_LINE = re.compile(rb"\r\n|\r|\n")
_WOS_FIRST = re.compile(rb"(?:FN|PT) \S")
_WOS_TAG = re.compile(rb"(?:[A-Z][A-Z0-9] \S|ER\s*$|EF\s*$)")
_BIBTEX_AFTER_COMMENTS = re.compile(rb"(?:[ \t]*(?:%[^\n]*)?\r?\n)*[ \t]*@[A-Za-z]+[ \t]*[{(]")
_TITLE_NAMES = frozenset(CANDIDATES["title"])


def suffix(name: str) -> str:
    """The extension that names the format: ``papers.jsonl.gz`` -> ``.jsonl``."""
    base = name.lower()
    base = base.removesuffix(".gz")
    slash = max(base.rfind("/"), base.rfind("\\"))
    dot = base.rfind(".")
    return base[dot:] if dot > slash + 1 else ""


def content_start(head: bytes) -> bytes:
    """The first bytes with a byte-order mark and leading white space removed (UTF-16 as UTF-8)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = head[: len(head) // 2 * 2].decode("utf-16", "replace").encode("utf-8")
    return head.removeprefix(codecs.BOM_UTF8).lstrip()


def json_container(head: bytes) -> str:
    """``jsonl`` when the first line is a whole JSON object, else ``json``."""
    start = content_start(head)
    if not start.startswith(b"{"):
        return "json"
    line = start.split(b"\n", 1)[0]
    try:
        return "jsonl" if isinstance(orjson.loads(line), dict) else "json"
    except orjson.JSONDecodeError:
        return "json"


def delimiter(first_line: str) -> str | None:
    """The delimiter that splits a header line into columns naming a title (most columns wins)."""
    best: tuple[int, str] | None = None
    for candidate in DELIMITERS:
        if candidate not in first_line:
            continue
        cells = next(csv.reader([first_line], delimiter=candidate), [])
        if any(normal_key(cell) in _TITLE_NAMES for cell in cells) and (best is None or len(cells) > best[0]):
            best = (len(cells), candidate)
    return best[1] if best else None


def first_line(head: bytes) -> str:
    """The first non-blank line of the content, decoded."""
    start = content_start(head)
    return _LINE.split(start, 1)[0].decode("utf-8", "replace")


def _tabular(head: bytes) -> str | None:
    found = delimiter(first_line(head))
    if found is None:
        return None
    return "tsv" if found == "\t" else "csv"


def _wos(start: bytes) -> bool:
    """Web of Science plain text: ``FN``/``PT`` lines followed by more two-letter tags."""
    if not _WOS_FIRST.match(start):
        return False
    lines = [line for line in _LINE.split(start[:2048]) if line.strip()][1:4]
    return bool(lines) and all(_WOS_TAG.match(line) or line.startswith(b"   ") for line in lines)


def by_content(head: bytes) -> str | None:
    """The format the first bytes can only be, or None when they could be several."""
    start = content_start(head)
    first = start[:1]
    if first == b"[":
        return "json"
    if first == b"{":  # JSON Lines when the first line is a whole object; else the name decides
        return "jsonl" if json_container(head) == "jsonl" else None
    if first == b"<":
        return "atom"
    if (first == b"@" or first == b"%") and _BIBTEX_AFTER_COMMENTS.match(start):
        return "bibtex"
    if _RIS.search(start[:_RIS_WITHIN]):
        return "ris"
    if _wos(start):
        return "wos"
    return None


def sniff(head: bytes) -> str:
    """The format suggested by the first bytes of a file."""
    return by_content(head) or _tabular(head) or "listing"


def detect(name: str, head: bytes) -> str:
    """The format of an input from its first bytes, or its name when they do not say."""
    return detect_how(name, head)[0]


def detect_how(name: str, head: bytes) -> tuple[str, str]:
    """The format of an input, and what decided it: ``"content"`` or ``"name"``."""
    found = by_content(head)
    if found is not None:
        return found, "content"
    ext = suffix(name)
    if ext == ".json":
        return json_container(head), "name"
    if ext in EXTENSIONS:
        return EXTENSIONS[ext], "name"
    if content_start(head).startswith(b"{"):
        return "json", "content"  # a pretty-printed JSON document (or a broken first line)
    return _tabular(head) or "listing", "content"
