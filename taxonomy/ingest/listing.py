"""Paper listings saved as text: a title paragraph, then an abstract paragraph, for each paper.

This is what a listing page (such as Hugging Face daily papers) looks like when saved as text::

    new

    Get trending papers in your email inbox!

    Mar 14

    TimeGraphs: Graph-based Temporal Reasoning

    Many real-world systems exhibit temporal, dynamic behaviors, ...

Paragraphs are separated by blank lines; the lines of one paragraph are joined with spaces (so a
wrapped abstract reads as one). A paragraph is an *abstract* when it is long (at least 300
characters, or at least 15 words ending with ``.``, ``!`` or ``?``); otherwise it is a *title*.

- **Header**: the short paragraphs before the first title that is followed by an abstract are
  page furniture (at most 12 of them, each under 80 characters, none of them an abstract). They
  are skipped and are not records. If there are more, or a long one, there is no header.
- **Body**: a title followed by an abstract is a paper; a title followed by another title is a
  title-only paper (abstract ``""``); an abstract with no title before it is a reject
  ("abstract without a title"). A paragraph whose first line is a title and whose other lines
  form an abstract is a paper too (title and abstract without a blank line between them) when the
  first line is shorter than the second, does not end with ``,;:-``, and the second starts with a
  capital or a digit; otherwise the paragraph is one wrapped text.

Listings carry no ids, dates, authors or venues: a paper's id is the hash of its title.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from taxonomy.ingest.files import Source, decode
from taxonomy.ingest.record import FieldNames, Found, build, reject
from taxonomy.models import Reject

MAX_HEADER = 12
_HEADER_WIDTH = 80
_LONG = 300
_SENTENCE_WORDS = 15


def is_abstract(text: str) -> bool:
    """Whether a paragraph reads as an abstract rather than a title."""
    if len(text) >= _LONG:
        return True
    return text[-1:] in ".!?" and len(text.split()) >= _SENTENCE_WORDS


def _paragraphs(src: Source) -> Iterator[tuple[int, list[str]]]:
    """(first line number, lines) of each run of non-blank lines."""
    lines: list[str] = []
    start = 0
    for number, raw in enumerate(src.byte_lines(), 1):
        text = " ".join(decode(raw).split())
        if text:
            if not lines:
                start = number
            lines.append(text)
        elif lines:
            yield start, lines
            lines = []
    if lines:
        yield start, lines


def _glued(lines: list[str]) -> bool:
    """Whether a paragraph is a title line followed by its abstract, not one wrapped abstract."""
    first, second = lines[0], lines[1]
    return (
        not is_abstract(first)
        and len(first) < len(second)  # a wrapped paragraph's first line is as long as the next
        and (second[:1].isupper() or second[:1].isdigit())
        and first[-1:] not in ",;:-"
        and is_abstract(" ".join(lines[1:]))
    )


def _units(src: Source) -> Iterator[tuple[int, str, bool]]:
    """(line, text, is_abstract) per paragraph; a title line glued to its abstract gives two."""
    for start, lines in _paragraphs(src):
        text = " ".join(lines)
        if len(lines) > 1 and _glued(lines):
            yield start, lines[0], False
            yield start + 1, " ".join(lines[1:]), True
        else:
            yield start, text, is_abstract(text)


def read_listing(src: Source, fields: FieldNames, shape: str | None = None) -> Iterator[Found | Reject]:
    """Papers (and rejects) from a listing saved as text, page header skipped."""
    units = _units(src)
    pending: deque[tuple[int, str, bool]] = deque()
    # Look ahead for the first title + abstract pair; what comes before it may be a header.
    for unit in units:
        pending.append(unit)
        if len(pending) >= 2 and pending[-1][2] and not pending[-2][2]:
            header = list(pending)[:-2]
            if len(header) <= MAX_HEADER and all(
                len(text) < _HEADER_WIDTH and not long for _, text, long in header
            ):
                for _ in header:
                    pending.popleft()
            break
        if len(pending) > MAX_HEADER + 2:
            break
    name = src.name
    body = _chain(pending, units)
    title: tuple[int, str] | None = None
    for line, text, long in body:
        if long:
            if title is None:
                yield reject(name, line, "abstract without a title", text)
            else:
                yield build(name, title[0], title[1], title=title[1], abstract=text)
                title = None
        else:
            if title is not None:
                yield build(name, title[0], title[1], title=title[1])
            title = (line, text)
    if title is not None:
        yield build(name, title[0], title[1], title=title[1])


def _chain(
    first: deque[tuple[int, str, bool]], rest: Iterator[tuple[int, str, bool]]
) -> Iterator[tuple[int, str, bool]]:
    yield from first
    yield from rest
