"""Choosing the reader for an input: by file extension, else by the first bytes of its content.

Extensions (after removing a final ``.gz``): ``.jsonl`` ``.ndjson`` -> JSON Lines; ``.json`` ->
JSON Lines when the first line is a whole JSON object, else a JSON array or document; ``.csv``;
``.tsv`` ``.tab``; ``.xml`` ``.atom`` -> Atom; ``.bib`` ``.bibtex``; ``.ris``. Any other name
(``.txt``, no extension, ``-`` for standard input) is sniffed from its first non-blank bytes:

- ``{`` -> JSON Lines (first line a whole object) or a JSON document; ``[`` -> JSON array;
- ``<`` -> Atom XML; ``@`` (after any ``%`` comment lines) -> BibTeX; ``TY  -`` -> RIS;
- a first line with tabs (or commas) naming a title column -> TSV (or CSV);
- anything else -> listing text.

Whether a JSON record is arXiv, OpenAlex or Semantic Scholar is decided per record from its keys
(see :mod:`taxonomy.ingest.shapes`); ``openalex`` and ``s2`` as formats force that reading.
"""

from __future__ import annotations

import codecs
import re

import orjson

from taxonomy.ingest.shapes import CANDIDATES, normal_key

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
_RIS = re.compile(rb"TY {1,2}- ?")
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


def _tabular(first_line: bytes) -> str | None:
    for delimiter, kind in ((b"\t", "tsv"), (b",", "csv")):
        if delimiter in first_line:
            names = (normal_key(cell.decode("utf-8", "replace")) for cell in first_line.split(delimiter))
            if any(name in _TITLE_NAMES for name in names):
                return kind
    return None


def sniff(head: bytes) -> str:
    """The format suggested by the first bytes of a file."""
    start = content_start(head)
    first = start[:1]
    if first in (b"{", b"["):
        return json_container(head)
    if first == b"<":
        return "atom"
    if first == b"@" or (first == b"%" and _BIBTEX_AFTER_COMMENTS.match(start)):
        return "bibtex"
    if _RIS.match(start):
        return "ris"
    return _tabular(start.split(b"\n", 1)[0].rstrip(b"\r")) or "listing"


def detect(name: str, head: bytes) -> str:
    """The format of an input from its name, or its first bytes when the name does not say."""
    ext = suffix(name)
    if ext == ".json":
        return json_container(head)
    return EXTENSIONS.get(ext) or sniff(head)
