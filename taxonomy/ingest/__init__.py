"""The input stage: read paper records from files in many formats as one stream of Paper | Reject.

``read(paths)`` opens each input in turn (``-`` is standard input; gzip is undone whatever the
name), chooses a reader by extension or content (:mod:`~taxonomy.ingest.detect`) unless
``format`` says which, and yields one item per record, in input order:

- a :class:`~taxonomy.models.Paper` (text cleaned, id chosen as in :mod:`~taxonomy.ingest.ids`);
- a :class:`~taxonomy.models.Reject` with file, line (or record number) and reason for a record
  that cannot be used;
- with ``dedupe``, a ``Reject`` whose ``duplicate_of`` names the kept paper for a record with the
  id, DOI, arXiv id or (identifiers and year permitting) normalised title of an earlier paper
  (kept in a few bytes per paper: :mod:`.dedupe`). The kept paper takes the fields it lacks from
  its duplicates (:mod:`.merge`), so records are spooled to disk and handed out once every input
  is read.

So papers + rejects + duplicates = records read. A title or abstract longer than
``record.MAX_TEXT`` characters is cut there and counted in ``Records.warnings``. With ``track``, each input read to its end is
noted in ``Records.ends`` (size, digest, lines: :mod:`.position`); with ``resume``, reading skips
the inputs a previous run read and starts the last of them where that run stopped. A file that cannot be read at all raises
:class:`~taxonomy.errors.InputError` with a one-line message; with ``strict`` so does the first
reject that is not a duplicate. Readers stream: memory does not grow with the input.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections import Counter
from collections.abc import Callable, Generator, Iterator, Sequence
from pathlib import Path

from taxonomy.errors import InputError, UsageError
from taxonomy.ingest.dedupe import Keys, Seen
from taxonomy.ingest.detect import LABELS, TRIED, content_start, detect_how, json_container, sniff
from taxonomy.ingest.files import Source, check_path, open_source
from taxonomy.ingest.ids import doi_id, title_key
from taxonomy.ingest.merge import Spool, with_id
from taxonomy.ingest.position import RESUMABLE_FORMATS, InputEnd, ResumeAt, Tracker
from taxonomy.ingest.record import CUT_WARNING, FieldNames, Found, excerpt
from taxonomy.ingest.shapes import NAMED_ROLES
from taxonomy.models import Paper, Reject

__all__ = ["FORMATS", "FieldNames", "InputEnd", "Records", "ResumeAt", "read"]

#: The names ``format=`` (and ``--format``) accepts.
FORMATS: tuple[str, ...] = (
    "listing",
    "jsonl",
    "json",
    "csv",
    "tsv",
    "atom",
    "bibtex",
    "ris",
    "wos",
    "openalex",
    "s2",
)
_LINE_FORMATS = frozenset(("listing", "jsonl", "csv", "tsv"))
_NAMED_FORMATS = frozenset(("jsonl", "json", "csv", "tsv"))  # formats whose fields --title-field etc. name
Reader = Callable[[Source, FieldNames, "str | None"], Iterator["Found | Reject"]]


def _reader(fmt: str) -> Reader:
    if fmt in ("jsonl", "json"):
        from taxonomy.ingest import jsonl

        return jsonl.read_jsonl if fmt == "jsonl" else jsonl.read_json
    if fmt in ("csv", "tsv"):
        from taxonomy.ingest import tabular

        return tabular.read_csv if fmt == "csv" else tabular.read_tsv
    if fmt == "atom":
        from taxonomy.ingest import atom

        return atom.read_atom
    if fmt == "bibtex":
        from taxonomy.ingest import bibtex

        return bibtex.read_bibtex
    if fmt == "ris":
        from taxonomy.ingest import ris

        return ris.read_ris
    if fmt == "wos":
        from taxonomy.ingest import wos

        return wos.read_wos
    from taxonomy.ingest import listing

    return listing.read_listing


class Records:
    """The records of all inputs, one at a time, with how far reading has got (for progress)."""

    def __init__(
        self,
        names: Sequence[str],
        sizes: Sequence[int | None],
        *,
        format: str | None,
        fields: FieldNames,
        strict: bool,
        dedupe: bool,
        labels: Sequence[str] | None = None,
        seen: Seen | None = None,
        track: bool = False,
        resume: ResumeAt | None = None,
        on_kept: Callable[[Paper], None] | None = None,
    ) -> None:
        self._labels = list(labels) if labels is not None else list(names)
        self.total_bytes: int | None = None if None in sizes else sum(s or 0 for s in sizes)
        self.papers = 0
        self.read_all = False  # every input read: ``papers`` is the number of papers to come
        self.rejects = 0
        self.duplicates = 0
        self.warnings: Counter[str] = Counter()  # e.g. text fields cut, by what was done
        self.ends: list[InputEnd] = []  # with ``track``: each input read to its end, in order
        self._done = resume.skipped_bytes if resume is not None else 0
        self._current: Source | None = None
        self._handed: tuple[int, int] | None = None  # (records handed out, records spooled)
        self._track = track
        self._resume = resume
        self._on_kept = on_kept
        self._items = self._generate(names, format, fields, strict, dedupe, seen)

    def __iter__(self) -> Iterator[Paper | Reject]:
        return self

    def __next__(self) -> Paper | Reject:
        return next(self._items)

    def close(self) -> None:
        """Stop reading and let go of the deduplication store and the spool now, in this thread
        (a reader left half-read would otherwise close them whenever, and wherever, it is freed)."""
        self._items.close()

    @property
    def bytes_read(self) -> int:
        """Bytes consumed so far over all inputs (compressed bytes for gzip); best effort.

        Once every input is read and spooled records are handed out, the same share of the bytes as
        of the records handed out, so progress goes on moving while the papers are tagged.
        """
        if self._handed is not None:
            handed, spooled = self._handed
            return self._done * handed // max(spooled, 1)
        current = self._current.counter.count if self._current is not None else 0
        return self._done + current

    def _generate(
        self,
        names: Sequence[str],
        format: str | None,
        fields: FieldNames,
        strict: bool,
        dedupe: bool,
        given: Seen | None,
    ) -> Generator[Paper | Reject, None, None]:
        if not dedupe:
            for item in self._records(names, format, fields, strict):
                if isinstance(item, Found):
                    self.papers += 1
                    yield item.paper()
                else:
                    yield item
            self.read_all = True
            return
        seen, spool = given or Seen(), Spool()
        try:
            for item in self._records(names, format, fields, strict):
                if isinstance(item, Found):
                    self._dedupe(item, seen, spool)
                else:
                    spool.reject(item)
            self._handed = (0, spool.size)
            self.read_all = True
            for handed, spooled in enumerate(spool.items(), 1):
                self._handed = (handed, spool.size)
                yield spooled
        finally:
            spool.close()
            if seen is not given:
                seen.close()

    def _dedupe(self, found: Found, seen: Seen, spool: Spool) -> None:
        """Spool a paper, or a duplicate merged into the paper it duplicates."""
        kept, paper_id = seen.check_keys(_keys(found), spool.size + 1)
        if kept is None:
            self.papers += 1
            found = found if paper_id == found.id else with_id(found, paper_id)
            spool.paper(found)
            if self._on_kept is not None:
                self._on_kept(found.paper())
            return
        self.duplicates += 1
        after = spool.duplicate(_duplicate(found, kept.id), found, kept.seq, seen.taken)
        if after is not None and kept.seq is not None:
            seen.remember(_keys(after), kept.seq)  # the DOI or arXiv id it took finds its later duplicates

    def _open(self, index: int, name: str) -> tuple[Source, Tracker | None]:
        """Open input ``index``: from the start, or where the last run stopped (``resume``)."""
        start = self._resume
        if start is None or index != start.index or not start.offset:
            tracker = Tracker() if self._track else None
            return open_source(name, self._labels[index], tracker=tracker), tracker
        tracker = Tracker(start.hasher, start.lines, b"\n")
        source = open_source(
            name, self._labels[index], tracker=tracker, offset=start.offset, lines=start.lines
        )
        return source, tracker

    def _records(
        self, names: Sequence[str], format: str | None, fields: FieldNames, strict: bool
    ) -> Iterator[Found | Reject]:
        start = self._resume
        for index in range(start.index if start is not None else 0, len(names)):
            source, tracker = self._open(index, names[index])
            self._current = source
            try:
                fmt, shape, how = _format_of(source, format)
                _check_named(source.name, fmt, fields)
                resumed = start is not None and index == start.index and bool(start.offset)
                if resumed and start is not None and fmt != start.format:
                    raise InputError(f"{source.name}: changed while this run read it; run again")
                count = 0
                for item in _reader(fmt)(source, fields, shape):
                    count += 1
                    if isinstance(item, Reject):
                        self.rejects += 1
                        if strict:
                            what = "line" if fmt in _LINE_FORMATS else "record"
                            raise InputError(f"{item.where}: {item.reason}; fix the {what} or drop --strict")
                    elif item.cut:
                        self.warnings[CUT_WARNING] += item.cut
                    yield item
                if not count and not resumed:
                    raise InputError(_no_records(source, shape or fmt, how))
                if tracker is not None:
                    source.drain()
                    self.ends.append(_input_end(source, names[index], fmt, tracker))
            finally:
                self._done += source.counter.count
                self._current = None
                source.close()


def _format_of(source: Source, forced: str | None) -> tuple[str, str | None, str]:
    """The reader format, the forced record shape ('openalex', 's2' or None), and what chose them."""
    if not content_start(source.head):
        raise InputError(f"{source.name}: the file is empty; pass a file with at least one paper in it")
    if forced in ("openalex", "s2"):
        return json_container(source.head), forced, "--format"
    if forced == "json" and json_container(source.head) == "jsonl":
        return "jsonl", None, "--format"
    if forced:
        return forced, None, "--format"
    fmt, how = detect_how(source.name, source.head)
    return fmt, None, how


def _check_named(name: str, fmt: str, fields: FieldNames) -> None:
    """Raise InputError for a field named with --title-field (etc.) in a format that has no named fields."""
    if fmt in _NAMED_FORMATS:
        return
    role = next((r for r in NAMED_ROLES if getattr(fields, r) is not None), None)
    if role is not None:
        raise InputError(
            f"{name}: --{role}-field names a field of CSV, TSV or JSON records, and this file is "
            f"{LABELS.get(fmt, fmt)}; drop the option, or read this file in a run of its own"
        )


def _no_records(source: Source, fmt: str, how: str) -> str:
    """Why a file that is not empty gave no records, and what to do."""
    label = LABELS.get(fmt, fmt)
    if how == "name" and sniff(source.head) == "listing":
        return (
            f"{source.name}: no records in it as {label} (chosen by its name); its content matches none "
            f"of: {TRIED}; pass --format to choose one"
        )
    chosen = {"name": "chosen by its name", "--format": "chosen with --format"}.get(
        how, "as its content suggests"
    )
    return (
        f"{source.name}: no records in it as {label} ({chosen}); pass --format to read it as another format"
    )


def _keys(found: Found) -> Keys:
    return Keys(
        id=found.id,
        title=title_key(found.title),
        doi=doi_id(found.doi) if found.doi else None,
        arxiv=f"arxiv:{found.arxiv_id}" if found.arxiv_id else None,
        year=found.date[:4] if found.date else None,
    )


def _checked(fields: FieldNames) -> FieldNames:
    """``fields`` with its delimiter spelled as one character (``tab`` and ``\\t`` are a tab)."""
    given = fields.delimiter
    if given is None:
        return fields
    delimiter = "\t" if given.lower() in ("tab", "\\t") else given
    if len(delimiter) != 1 or delimiter in '\r\n"':
        raise UsageError(f"--delimiter takes one character (or 'tab'), not {given!r}")
    return dataclasses.replace(fields, delimiter=delimiter)


def _input_end(source: Source, path: str, fmt: str, tracker: Tracker) -> InputEnd:
    """What a later run needs to know of an input read to its end."""
    plain = path != "-" and not source.gzip and not source.utf16
    return InputEnd(
        label=source.name,
        size=source.counter.count,
        digest=tracker.hasher.hexdigest(),
        format=fmt,
        lines=tracker.newlines,
        resumable=plain and fmt in RESUMABLE_FORMATS and tracker.last == b"\n",
    )


def _duplicate(paper: Paper, kept: str) -> Reject:
    where, _, line = paper.source.rpartition(":")
    if not (line.isascii() and line.isdigit()):
        where, line = paper.source, ""
    return Reject(
        source=where,
        line=int(line) if line else None,
        reason=f"duplicate of {kept}",
        excerpt=excerpt(paper.title),
        duplicate_of=kept,
    )


def read(
    paths: Sequence[str | Path],
    *,
    format: str | None = None,
    fields: FieldNames | None = None,
    strict: bool = False,
    dedupe: bool = True,
    labels: Sequence[str] | None = None,
    seen: Seen | None = None,
    track: bool = False,
    resume: ResumeAt | None = None,
    on_kept: Callable[[Paper], None] | None = None,
) -> Records:
    """Read papers from files (``-`` for standard input) as a stream of Paper | Reject, in order.

    ``labels``, one per path, name the inputs in papers' ``source`` and in messages instead of
    the paths (the bundled sample is named by its file name, not its install location). ``seen``
    holds the papers of earlier runs for finding duplicates (default: none, in a temporary
    database); ``track`` notes how each input ended (``Records.ends``); ``resume`` starts reading
    where a previous run stopped. With deduplication, ``on_kept`` is called with each paper kept,
    in order, as it is read: that is before any is handed out, and a later duplicate may still
    change it (merged into it).
    """
    if format == "auto":
        format = None
    if format is not None and format not in FORMATS:
        close = difflib.get_close_matches(format, FORMATS, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise UsageError(f"unknown input format '{format}'{hint}; choose one of: {', '.join(FORMATS)}")
    fields = _checked(fields or FieldNames())
    names = [str(p) for p in paths]
    sizes = [check_path(n) for n in names]
    if labels is not None and len(labels) != len(names):
        raise UsageError(f"{len(labels)} labels for {len(names)} inputs")
    return Records(
        names,
        sizes,
        format=format,
        fields=fields,
        strict=strict,
        dedupe=dedupe,
        labels=labels,
        seen=seen,
        track=track,
        resume=resume,
        on_kept=on_kept,
    )
