"""Carry on from the last run: when the inputs only grew, read only what is new.

A run with ``--cache`` ends by storing a *resume point* in the cache file (:mod:`.point`): its
setup, how far it read each input (size, digest, line), the digests of the ``papers.jsonl`` and
``rejects.jsonl`` it wrote, where ``papers.graphml`` keeps its papers, and its statistics. The ids
and titles of the papers it kept stay in the cache's ``Seen`` tables.

The next run with the same cache resumes from that point when all of these hold:

- the same setup: rules, model, taxonomy's code, the options that change outputs, the output folder;
- its inputs are the last run's inputs, in the same order, maybe followed by new ones;
- every one of them but the last is unchanged (size and digest), and the last is unchanged or only
  grew (its first bytes digest as before), and if it grew it is uncompressed JSON Lines that ended
  in a newline (so the new lines read on their own);
- ``papers.jsonl``, ``rejects.jsonl`` and ``papers.graphml`` in the output folder are the files the
  last run wrote (length and digest).

It then restores the statistics, starts the output files with what the last run wrote (copies in the
run's staging folder, ``taxonomy.staging``) and appends to them, reads the grown input
from the byte where the last run stopped and any new input in full, and extends the paper graph
(:class:`taxonomy.graph.PaperGraphSink` with a ``base``): the outputs are those of a fresh build.
Otherwise the run reads everything (its papers still come from the tag cache) and ``reason`` says
why.

The point and the papers seen are read from a snapshot of the cache (``TagCache.snapshot``) and
replaced together, in one transaction, when a run ends; the papers a run sees go to a temporary
database until then. So a run that stops half-way changes neither (nor the output files, which it
replaces only when it ends: the next run resumes from the same point), and two runs sharing a
cache cannot mix their papers: a resumed run that finds another run stored a point meanwhile
stores none.
"""

from __future__ import annotations

import dataclasses
import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from taxonomy.cache import TagCache
from taxonomy.digest import HashingWriter, digests, new_hasher
from taxonomy.graph import GraphLayout
from taxonomy.ingest import InputEnd, ResumeAt
from taxonomy.ingest.dedupe import Seen
from taxonomy.resume.point import OtherFormat, ResumePoint, decode, encode, run_setup, same_labels
from taxonomy.runs import PAPER_GRAPH_FILE, PAPERS_FILE, REJECTS_FILE, TagOptions
from taxonomy.stats import CorpusStats

__all__ = ["Start", "begin", "finish"]

#: The output files a resumed run appends to.
KEPT_OUTPUTS = (PAPERS_FILE, REJECTS_FILE)
GRAPH_FILE = PAPER_GRAPH_FILE
_SETUP_CHANGES = {
    "tagging": "the rules or the tagging setup changed",
    "code": "taxonomy's code changed",
    "options": "an option that changes the outputs changed",
    "output": "the last run wrote to another folder",
}


@dataclass
class Start:
    """How a run with ``--cache`` begins: afresh, or where the last run stopped."""

    setup: dict[str, str]
    stats: CorpusStats
    seen: Seen | None = None  # the papers seen (those of the last run too, when resuming)
    view: sqlite3.Connection | None = None  # the cache snapshot the point was read from
    after: bytes | None = None  # the point resumed from, as stored
    reason: str = ""  # why the last run's resume point was not used ("" when there was none, or it was)
    at: ResumeAt | None = None  # where reading starts (None: from the first input)
    kept_inputs: tuple[InputEnd, ...] = ()  # the inputs not read again
    kept_outputs: dict[str, tuple[int, hashlib.blake2b]] = field(default_factory=dict)
    graph: GraphLayout | None = None  # the paper graph to extend
    resumed: int = 0  # papers of the last run kept as they are (0 when starting afresh)

    def close(self) -> None:
        """Let go of the papers seen and of the cache snapshot."""
        if self.seen is not None:
            self.seen.close()
        if self.view is not None:
            self.view.close()


def begin(
    cache: TagCache, options: TagOptions, paper_graph: bool, meanwhile: Callable[[], None] | None = None
) -> Start:
    """Resume from the cache's resume point when the inputs and outputs allow it; else start afresh.

    ``meanwhile`` runs while the inputs and outputs are hashed, when there is new input to read (the
    caller compiles the tagger then: hashing runs outside the GIL, so the two overlap).
    """
    setup = run_setup(options, cache.setup, paper_graph)
    view, stored = cache.snapshot()
    start = _plan(stored, setup, options, paper_graph, meanwhile) if stored is not None else ""
    if isinstance(start, str):
        view.close()
        return Start(setup, CorpusStats(sample_size=options.sample_size), Seen(), reason=start)
    start.seen, start.view, start.after = Seen(view), view, stored
    return start


def finish(
    cache: TagCache,
    start: Start,
    inputs: Sequence[str],
    ends: Sequence[InputEnd],
    stats: CorpusStats,
    outputs: Sequence[HashingWriter],
    graph: GraphLayout | None,
) -> None:
    """Store the resume point of a run that read every input to its end (none when one was standard input)."""
    read = (*start.kept_inputs, *ends)
    if "-" in inputs or len(read) != len(inputs) or start.seen is None:
        return
    written = {name: (out.size, out.digest()) for name, out in zip(KEPT_OUTPUTS, outputs, strict=True)}
    point = encode(ResumePoint(start.setup, read, written, graph, stats.to_dict()))
    cache.keep_resume_point(point, start.seen, after=start.after)


def _plan(
    stored: bytes,
    setup: dict[str, str],
    options: TagOptions,
    paper_graph: bool,
    meanwhile: Callable[[], None] | None = None,
) -> Start | str:
    """A resumed start, or why the last run's point cannot be used (cheap checks first, then digests)."""
    try:
        point = decode(stored)
        stats = CorpusStats.from_dict(point.stats)
    except OtherFormat:
        return "the resume point was saved by another version of taxonomy"
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return "the resume point in the cache is damaged"
    changed = next((part for part in _SETUP_CHANGES if point.setup.get(part) != setup[part]), None)
    if changed is not None:
        return _SETUP_CHANGES[changed]
    if not point.inputs or not same_labels(point.inputs, options.labels or options.inputs):
        return "the inputs are not the last run's inputs followed by new ones"
    out_dir = Path(options.out_dir)
    checks = [_Check(out_dir / name, *point.outputs[name], "") for name in KEPT_OUTPUTS]
    if paper_graph:
        path, layout = out_dir / GRAPH_FILE, point.graph
        if layout is None or _size(path) != layout.size:
            return f"{path} is not the file the last run wrote"
        checks.append(_Check(path, layout.size, layout.digest, ""))
    last = len(point.inputs) - 1
    for index, (end, name) in enumerate(zip(point.inputs, options.inputs, strict=False)):
        checks.append(_Check(Path(name), end.size, end.digest, f"{end.label} changed"))
        if index < last and _size(Path(name)) != end.size:
            return checks[-1].reason
    at = _resume_at(point.inputs, checks[-1])
    if isinstance(at, str):
        return at
    new_input = at.index < len(options.inputs)
    hashed = digests([(c.path, c.size) for c in checks], meanwhile if new_input else None)
    for check, hasher in zip(checks, hashed, strict=True):
        if hasher is None or hasher.hexdigest() != check.digest:
            return check.reason or f"{check.path} is not the file the last run wrote"
        check.hasher = hasher
    if at.offset and checks[-1].hasher is not None:  # reading goes on where this digest stopped
        at = dataclasses.replace(at, hasher=checks[-1].hasher)
    outputs = checks[: len(KEPT_OUTPUTS)]
    kept = {name: (c.size, c.hasher) for name, c in zip(KEPT_OUTPUTS, outputs, strict=True) if c.hasher}
    kept_inputs = point.inputs if at.offset == 0 else point.inputs[:-1]
    graph = point.graph if paper_graph else None
    return Start(setup, stats, None, None, None, "", at, kept_inputs, kept, graph, stats.papers)


@dataclass
class _Check:
    """A file whose first ``size`` bytes must have ``digest``; ``reason`` says what it means if not."""

    path: Path
    size: int
    digest: str
    reason: str
    hasher: hashlib.blake2b | None = None


def _resume_at(read: tuple[InputEnd, ...], last_check: _Check) -> ResumeAt | str:
    """Where to carry on in the last input the last run read (its digest still to check), or why not."""
    last, index = read[-1], len(read) - 1
    skipped = sum(end.size for end in read[:-1])
    size = _size(last_check.path)
    if size < last.size:
        return f"{last.label} is shorter than when the last run read it"
    last_check.reason = f"{last.label} changed (not only appended to)"
    if size == last.size:  # unchanged: start with the next input
        return ResumeAt(index + 1, 0, 0, "", new_hasher(), skipped + size)
    if not last.resumable:
        return (
            f"{last.label} grew, but cannot be read from where the last run stopped "
            "(only uncompressed JSON Lines ending in a newline can)"
        )
    return ResumeAt(index, last.size, last.lines, last.format, new_hasher(), skipped)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1
