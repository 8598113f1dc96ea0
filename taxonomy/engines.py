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
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TYPE_CHECKING

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


_worker: tuple[Tagger, int] | None = None


def _init_worker(taxonomy: Taxonomy, model: str | None, sample_size: int) -> None:
    global _worker
    # Ctrl-C reaches the whole process group: the parent stops the pool, and a worker that took it
    # too would only print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker = (compiled_tagger(taxonomy, model), sample_size)


def _tag_one_batch(batch: list[Paper]) -> Tagged:
    """Tag a batch in a worker: the lines and rows to write and the batch's statistics."""
    assert _worker is not None, "worker not initialised"
    tagger, sample_size = _worker
    return tag_and_fold(tagger, batch, sample_size)


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
) -> Iterator[Tagged]:
    """Tag batches in order (this process, a pool or Dask); an empty batch costs nothing (no tagger is built for it).

    ``tagger``, compiled already for ``taxonomy``, is used by ``--jobs 1`` instead of compiling one.
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
            yield tag_and_fold(tagger, batch, options.sample_size)
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
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    context = multiprocessing.get_context(method)
    args = (taxonomy, options.model, options.sample_size)
    with ProcessPoolExecutor(
        options.jobs, mp_context=context, initializer=_init_worker, initargs=args
    ) as pool:
        pending: deque[Future[Tagged]] = deque()
        for batch in batches:
            if batch:
                pending.append(pool.submit(_tag_one_batch, batch))
            else:  # nothing to tag (the cache had every paper): no worker is started for it
                pending.append(Future())
                pending[-1].set_result(nothing_tagged(options.sample_size))
            if len(pending) >= 3 * options.jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
