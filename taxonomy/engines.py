"""Where papers are tagged: in this process, in a pool of worker processes, or on Dask workers.

Each engine takes batches of papers and yields, per batch and in input order, a ``Tagged``: the
batch's ``papers.jsonl`` lines, its ``papers.csv`` rows and a ``CorpusStats`` of just that batch; a
worker compiles the rules once.
``tag_cached`` puts the tag cache in front of an engine: only the papers the cache lacks are sent.
"""

from __future__ import annotations

import dataclasses
import itertools
import multiprocessing
import os
import pickle
import signal
import sys
import tempfile
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from hashlib import blake2b
from typing import IO, TYPE_CHECKING, NamedTuple

import orjson

from taxonomy.cache import Lookup, TagCache
from taxonomy.distributed import dask_tag_batches
from taxonomy.flat import csv_rows
from taxonomy.ingest import Records
from taxonomy.models import Paper, TaggedPaper
from taxonomy.rules import Taxonomy
from taxonomy.runs import (
    SMALL_RUN,
    Tagged,
    TagOptions,
    compiled_tagger,
    nothing_tagged,
    table_size,
    tag_and_fold,
    tags_here,
)
from taxonomy.serialize import tagged_from_dict

if TYPE_CHECKING:  # imports spaCy: the workers need it, the parent of --jobs 2 does not
    from taxonomy.tag import Tagger


def feed(results: Iterator[Tagged], on_paper: Callable[[TaggedPaper], None] | None) -> Iterator[Tagged]:
    """Pass each tagged paper of the results to ``on_paper`` (decoded from its line) on the way."""
    for result in results:
        if on_paper is not None:
            for line in result.lines.split(b"\n")[:-1]:  # every line ends with a newline
                on_paper(tagged_from_dict(orjson.loads(line)))
        yield result


_worker: tuple[Tagger, int, int] | None = None


def _init_worker(taxonomy: Taxonomy, model: str | None, sample_size: int, table: int) -> None:
    global _worker
    # Ctrl-C reaches the whole process group: the parent stops the pool, and a worker that took it
    # too would only print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker = (compiled_tagger(taxonomy, model), sample_size, table)


def _tag_one_batch(batch: list[Paper]) -> Tagged:
    """Tag a batch in a worker: the lines and rows to write and the batch's statistics."""
    assert _worker is not None, "worker not initialised"
    tagger, sample_size, table = _worker
    return tag_and_fold(tagger, batch, sample_size, table)


def by_size(
    batches: Iterator[list[Paper]], records: Records, options: TagOptions
) -> tuple[Iterator[list[Paper]], TagOptions]:
    """The batches and the options to tag them with: a run of fewer than ``SMALL_RUN`` papers is
    tagged in this process whatever ``jobs`` says (starting workers would cost more than they save).

    Deduplication reads every input before the first batch, so once it is out the number of papers
    is known; without it (``records.read_all`` still false) the pool is kept.
    """
    if options.engine != "local" or options.jobs == 1:
        return batches, options
    first = next(batches, None)
    batches = itertools.chain(() if first is None else (first,), batches)
    if records.read_all and records.papers < SMALL_RUN:
        return batches, dataclasses.replace(options, jobs=1)
    return batches, options


def tag_batches(
    batches: Iterator[list[Paper]],
    taxonomy: Taxonomy,
    options: TagOptions,
    tagger: Tagger | None = None,
    pool: Pool | None = None,
) -> Iterator[Tagged]:
    """Tag batches in order (this process, a pool or Dask); an empty batch costs nothing (no tagger is built for it).

    ``tagger``, compiled already for ``taxonomy``, is used by ``--jobs 1`` instead of compiling one;
    ``pool``, told of the papers as they were read, by ``--jobs N`` instead of starting one.
    """
    if options.engine == "dask":
        yield from dask_tag_batches(batches, taxonomy, options)
    elif tags_here(options):
        # Built at the first paper to tag (unless given): a run the cache answers needs none.
        for batch in batches:
            if not batch:
                yield nothing_tagged(options.sample_size)
                continue
            tagger = tagger or compiled_tagger(taxonomy, options.model)
            yield tag_and_fold(tagger, batch, options.sample_size, table_size(options))
    elif pool is not None:
        yield from pool.tag(batches)
    else:
        yield from _pool(batches, taxonomy, options)


def tag_cached(
    batches: Iterator[list[Paper]],
    taxonomy: Taxonomy,
    options: TagOptions,
    cache: TagCache,
    on_paper: Callable[[TaggedPaper], None] | None = None,
    tagger: Tagger | None = None,
) -> Iterator[Tagged]:
    """Tag only the papers the cache lacks; fold the cached ones here, store the new ones, keep input order.

    ``on_paper`` gets every paper of a batch in input order, cached or just tagged; ``tagger`` is
    passed on to ``tag_batches``.
    """
    pending: deque[Lookup] = deque()  # one per batch the engine has taken and not yet answered

    def to_tag() -> Iterator[list[Paper]]:
        for batch in batches:
            found = cache.lookup(batch)
            pending.append(found)
            yield found.to_tag

    for lines, rows, part in tag_batches(to_tag(), taxonomy, options, tagger):
        found = pending.popleft()
        for tp in found.cached():
            part.add(tp, taxonomy)
        if on_paper is not None:
            fresh = iter(lines.split(b"\n")[:-1])  # the lines of found.todo, in order
            for i in range(len(found.papers)):
                hit = found.found.get(i)
                on_paper(hit[1] if hit is not None else tagged_from_dict(orjson.loads(next(fresh))))
        if found.found:  # the rows of the cached papers, put back in input order
            new_rows, old_rows = iter(rows), iter(csv_rows(found.cached()))
            rows = tuple(next(old_rows if i in found.found else new_rows) for i in range(len(found.papers)))
        yield Tagged(cache.store(found, lines), rows, part)


def _pool(batches: Iterator[list[Paper]], taxonomy: Taxonomy, options: TagOptions) -> Iterator[Tagged]:
    """Tag batches on worker processes, a bounded number in flight, results in input order."""
    with Pool(taxonomy, options) as pool:
        yield from pool.tag(batches)


class Spilled(NamedTuple):
    """Where a result tagged ahead waits in the spill file."""

    at: int
    size: int


def _tag_ahead(batch: list[Paper]) -> bytes:
    """Tag a batch in a worker ahead of its turn: the ``Tagged``, pickled (the parent keeps it on disk)."""
    return pickle.dumps(_tag_one_batch(batch), pickle.HIGHEST_PROTOCOL)


def _digest(batch: list[Paper]) -> bytes:
    """What a batch holds, every field of every paper (two batches of equal papers get the same digest)."""
    return blake2b(orjson.dumps(batch), digest_size=16).digest()


class Pool:
    """Worker processes that tag batches in input order, and may start on a run's papers while its
    inputs are still being read.

    Reading every input comes first (a later duplicate may change a paper read earlier), and it is
    one process: without more, the workers would wait for it. :meth:`kept` is told of each paper
    kept, in input order, as it is read; it groups them into the batches tagging will have, and a
    worker free tags one ahead. Once reading is done, :meth:`tag` takes the run's real batches: one
    that holds exactly the papers a batch tagged ahead held (same digest; a later duplicate merged
    into none of them) takes that result, any other is tagged then. Results tagged ahead wait in a
    temporary file, so memory does not grow with the corpus. Workers start at the ``SMALL_RUN``-th
    paper kept: a smaller run is tagged in one process.
    """

    def __init__(self, taxonomy: Taxonomy, options: TagOptions) -> None:
        self._taxonomy, self._options = taxonomy, options
        self._executor: ProcessPoolExecutor | None = None
        self._forming: list[Paper] = []
        self._formed = 0  # batches formed so far
        # Batches tagged ahead, by index: their digest and the result (a Future, or where it is spilled).
        self._ahead: dict[int, tuple[bytes, Future[bytes] | Spilled]] = {}
        self._running: deque[int] = deque()  # the batches tagged ahead whose results are not spilled yet
        self._spill: IO[bytes] | None = None
        # Batches tagged ahead and then "used", or "changed" and tagged again; results "spilled" to disk.
        self.counts: Counter[str] = Counter()

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._executor is not None:
            self._executor.shutdown(cancel_futures=True)
        if self._spill is not None:
            self._spill.close()

    def kept(self, paper: Paper) -> None:
        """One more paper kept, in input order, while the inputs are read."""
        self._forming.append(paper)
        if len(self._forming) < self._options.batch_size:
            return
        batch, self._forming = self._forming, []
        index, self._formed = self._formed, self._formed + 1
        self._spill_done()
        started = (index + 1) * self._options.batch_size >= SMALL_RUN
        if started and len(self._running) < 2 * self._options.jobs:
            self._ahead[index] = (_digest(batch), self._workers().submit(_tag_ahead, batch))
            self._running.append(index)

    def tag(self, batches: Iterator[list[Paper]]) -> Iterator[Tagged]:
        """Tag the run's batches, results in input order (each tagged ahead used where it still holds)."""
        pending: deque[Future[Tagged] | Future[bytes] | Spilled] = deque()
        for index, batch in enumerate(batches):
            ahead = self._ahead.pop(index, None)
            if ahead is not None and ahead[0] == _digest(batch):
                self.counts["used"] += 1
                pending.append(ahead[1])
            elif batch:
                self.counts["changed"] += ahead is not None
                pending.append(self._workers().submit(_tag_one_batch, batch))
            else:  # nothing to tag (the cache had every paper): no worker is started for it
                done: Future[Tagged] = Future()
                done.set_result(nothing_tagged(self._options.sample_size))
                pending.append(done)
            if len(pending) >= 3 * self._options.jobs:
                yield self._result(pending.popleft())
        while pending:
            yield self._result(pending.popleft())

    def _workers(self) -> ProcessPoolExecutor:
        if self._executor is None:
            method = "fork" if sys.platform.startswith("linux") else "spawn"
            args = (self._taxonomy, self._options.model, self._options.sample_size, table_size(self._options))
            self._executor = ProcessPoolExecutor(
                self._options.jobs,
                mp_context=multiprocessing.get_context(method),
                initializer=_init_worker,
                initargs=args,
            )
        return self._executor

    def _spill_done(self) -> None:
        """Move the results tagged ahead that are ready, in order, out of memory into the spill file."""
        while self._running:
            digest, result = self._ahead[self._running[0]]
            if not isinstance(result, Future) or not result.done():
                return
            if self._spill is None:
                self._spill = tempfile.TemporaryFile()  # noqa: SIM115 (closed by __exit__)
            data = result.result()
            at = self._spill.seek(0, os.SEEK_END)
            self._spill.write(data)
            self._ahead[self._running.popleft()] = (digest, Spilled(at, len(data)))
            self.counts["spilled"] += 1

    def _result(self, item: Future[Tagged] | Future[bytes] | Spilled) -> Tagged:
        if isinstance(item, Spilled):
            assert self._spill is not None
            self._spill.seek(item.at)
            data: Tagged | bytes = self._spill.read(item.size)
        else:
            data = item.result()
        return pickle.loads(data) if isinstance(data, bytes) else data  # noqa: S301 (our own workers' results)
