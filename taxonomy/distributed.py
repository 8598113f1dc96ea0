"""Tag on a Dask cluster: batches go to workers, lines and partial statistics come back in order.

The parent reads the inputs (so duplicates are found across the whole corpus and papers keep their
input order), submits each batch as a task with a bounded number in flight, and merges what comes
back exactly as the local engines do. Each worker compiles the rules once and keeps the tagger for
later tasks. Workers need ``taxonomy`` installed (``pip install '.[dask]'`` on every machine).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from taxonomy.errors import UsageError
from taxonomy.models import Paper
from taxonomy.rules import Taxonomy
from taxonomy.runs import Tagged, TagOptions, table_size, tag_and_fold

if TYPE_CHECKING:  # imports spaCy, which only the workers need
    from taxonomy.tag import Tagger

_taggers: dict[tuple[str, str | None], Tagger] = {}


def _tag_on_worker(
    batch: list[Paper], taxonomy: Taxonomy, model: str | None, sample_size: int, table: int
) -> Tagged:
    """The task run on a worker: compile the rules once per worker, tag, fold."""
    key = (taxonomy.version, model)
    if key not in _taggers:
        from taxonomy.tag import Tagger

        _taggers[key] = Tagger(taxonomy, model=model)
    return tag_and_fold(_taggers[key], batch, sample_size, table)


def dask_tag_batches(
    batches: Iterator[list[Paper]], taxonomy: Taxonomy, options: TagOptions
) -> Iterator[Tagged]:
    """Tag batches on a Dask cluster (``options.scheduler``, or a local one) and yield results in order."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise UsageError("--engine dask needs Dask: pip install 'taxonomy[dask]'") from None
    cluster: Any = None
    if options.scheduler:
        try:
            client = Client(options.scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise UsageError(f"cannot reach the Dask scheduler at {options.scheduler} ({exc})") from None
    else:
        workers = options.jobs if options.jobs > 1 else (os.cpu_count() or 1)
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    try:
        rules = client.scatter(taxonomy, broadcast=True)
        in_flight = 3 * max(1, len(client.scheduler_info()["workers"]))
        pending: deque[Any] = deque()
        for batch in batches:
            pending.append(
                client.submit(
                    _tag_on_worker,
                    batch,
                    rules,
                    options.model,
                    options.sample_size,
                    table_size(options),
                    pure=False,
                )
            )
            if len(pending) >= in_flight:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
