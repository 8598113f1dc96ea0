"""What every runner of the stages shares: a run's options and results, its file names, and the tag-and-fold step.

``pipeline`` (the stages chained), ``resume`` (where a run can carry on), ``engines`` and
``distributed`` (where papers are tagged) import from here; nothing here imports them.
"""

from __future__ import annotations

import gc
import hashlib
import pickle
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from taxonomy.flat import csv_rows
from taxonomy.ingest import FieldNames
from taxonomy.models import Paper
from taxonomy.rules import Taxonomy
from taxonomy.rules.cached import entry_key, read_entry, write_entry
from taxonomy.serialize import tagged_to_line
from taxonomy.stats import DEFAULT_SAMPLE, DEFAULT_TABLE, CorpusStats
from taxonomy.version import __version__

if TYPE_CHECKING:  # the tagger imports spaCy, which a process that does not tag never needs
    from taxonomy.tag import Tagger

PAPERS_FILE = "papers.jsonl"
PAPER_GRAPH_FILE = "papers.graphml"
REJECTS_FILE = "rejects.jsonl"
SUMMARY_FILE = "summary.json"
ENGINES = ("local", "dask")
#: A run of fewer papers is tagged in its own process whatever ``--jobs`` says: starting workers (each
#: reads the compiled tagger back, about a second) costs more than they save.
SMALL_RUN = 2_000

#: Told as a run goes: papers done, bytes of input read, and all the bytes to read (None if unknown).
OnProgress = Callable[[int, int, "int | None"], None]


@dataclass(frozen=True, slots=True)
class TagOptions:
    """How to read and tag a corpus."""

    inputs: tuple[str, ...]
    out_dir: Path
    labels: tuple[str, ...] | None = None  # how inputs are named in outputs (default: as given)
    rules_dir: Path | None = None
    format: str | None = None
    fields: FieldNames | None = None
    strict: bool = False
    jobs: int = 1
    engine: str = "local"  # "local" (this process or a process pool) or "dask"
    scheduler: str | None = None  # a Dask scheduler address; None starts a local cluster
    model: str | None = None
    batch_size: int = 256
    sample_size: int = DEFAULT_SAMPLE
    on_progress: OnProgress | None = field(
        default=None, compare=False
    )  # the CLI draws it; nothing prints here
    cache: Path | None = None  # an SQLite file of tagged papers: tag only papers it does not hold
    # Keep the report's paper table in the statistics (about 20 MB past 20,000 papers). A run with
    # a cache always keeps it, since the cache keeps the statistics for a later run to carry on.
    paper_table: bool = True
    families: tuple[str, ...] = ()  # tag with these families only (all when empty)
    areas: tuple[str, ...] = ()  # ... or with the families of these areas


@dataclass(frozen=True, slots=True)
class TagResult:
    """What a tagging run produced."""

    taxonomy: Taxonomy
    stats: CorpusStats
    files: tuple[Path, ...] = field(default=())
    cached: int = 0  # papers taken from the cache instead of being tagged
    resumed: int = 0  # papers of the last run kept as they were (not read again; see taxonomy.resume)
    not_resumed: str = ""  # why the last run's resume point could not be used, if there was one


@dataclass(frozen=True, slots=True)
class GraphOptions:
    """Which graph files to write and how to prune them."""

    formats: tuple[str, ...] = ("graphml",)
    min_count: int = 1
    all_concepts: bool = False
    paper_graph: bool = True


def tags_here(options: TagOptions) -> bool:
    """Whether papers are tagged in this process (with one Tagger) rather than on workers."""
    return options.engine != "dask" and options.jobs == 1


#: Taggers compiled in this process, by a digest of their rules and model, the most recently used last.
_compiled: dict[tuple[str, str | None], Tagger] = {}
#: How many compiled taggers a process keeps (one holds the bundled rules' matchers, about 100 MB).
KEEP_COMPILED = 2


#: Compiled taggers kept in the cache folder (the bundled rules' one is about 10 MB).
KEEP_STORED = 2


def compiled_tagger(taxonomy: Taxonomy, model: str | None = None) -> Tagger:
    """A Tagger for ``taxonomy``, compiled once per process and reused by later runs of the same rules.

    Compiling the bundled rules takes seconds; a notebook or a test session that runs several builds
    compiles them once. The key is a digest of the pickled rules (about 0.05 s for the bundled ones),
    so rules that changed in any way are compiled again. A process forked from this one (the
    process pool's workers) finds what this one compiled. With spaCy's blank pipeline the compiled
    tagger is also kept in the rules cache folder (``taxonomy.rules.cached``), so a new process reads
    it back (about 0.9 s for the bundled rules) instead of compiling (about 3 s); that entry's key
    adds the package, spaCy and Python versions and the source of ``taxonomy.tag``.
    """
    from taxonomy.tag import Tagger

    digest = hashlib.blake2b(pickle.dumps(taxonomy, protocol=5), digest_size=16).hexdigest()
    key = (digest, model)
    tagger = _compiled.pop(key, None)
    fresh = tagger is None
    if tagger is None:
        stored = _stored_key(digest) if model is None else None
        value = read_entry("tagger", stored) if stored else None
        tagger = value if isinstance(value, Tagger) else None
        if tagger is None:
            tagger = Tagger(taxonomy, model=model)
            if stored:
                write_entry("tagger", stored, tagger, KEEP_STORED)
    _compiled[key] = tagger
    while len(_compiled) > KEEP_COMPILED:
        del _compiled[next(iter(_compiled))]
    if fresh:
        _settle()
    return tagger


def _settle() -> None:
    """Take what this process holds now, a tagger just compiled or read back among it, out of the
    cyclic garbage collector's reach.

    The compiled rules (about 600,000 references between 110,000 objects with the modules) live as
    long as the process, and each full collection read them all again: a dozen collections over
    20,000 papers, about 50 ms each. Frozen objects are still freed when no longer referenced, but
    a reference cycle among them is not (a tagger dropped from ``_compiled`` holds some): so what
    was frozen before is collected with the rest first, which costs one full collection a tagger.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _stored_key(digest: str) -> str | None:
    """The cache key of a compiled tagger of the rules with this digest, on this code (None when
    the source cannot be read)."""
    from spacy import about as spacy_about

    sources = sorted((Path(__file__).parent / "tag").glob("*.py"))
    parts = [digest.encode(), __version__.encode(), spacy_about.__version__.encode(), sys.version.encode()]
    try:
        parts += [part for p in sources for part in (p.name.encode(), p.read_bytes())]
    except OSError:
        return None
    return entry_key(b"taxonomy-tagger", parts)


class Tagged(NamedTuple):
    """A batch of papers tagged: its ``papers.jsonl`` lines, its ``papers.csv`` rows (one a paper)
    and a ``CorpusStats`` of just its papers."""

    lines: bytes
    rows: tuple[bytes, ...]
    stats: CorpusStats


def nothing_tagged(sample_size: int) -> Tagged:
    """What an empty batch gives."""
    return Tagged(b"", (), CorpusStats(sample_size=sample_size))


def table_size(options: TagOptions) -> int:
    """How many rows of the paper table a run's statistics keep (none without ``paper_table``)."""
    return DEFAULT_TABLE if options.paper_table else 0


def tag_and_fold(
    tagger: Tagger, batch: Sequence[Paper], sample_size: int, table_size: int = DEFAULT_TABLE
) -> Tagged:
    """Tag papers and return their papers.jsonl lines and papers.csv rows with a ``CorpusStats`` of just them.

    Everything a paper needs is done here, where it is tagged (on a worker with ``--jobs N``): the
    parent only writes the bytes and merges the statistics (with a ``table_size`` of 0, a run that
    keeps no paper table, they hold no rows of it).
    """
    stats = CorpusStats(sample_size=sample_size, table_size=table_size)
    tagged = tagger.tag_batch(batch)
    for tp in tagged:
        stats.add(tp, tagger.taxonomy)
    return Tagged(b"".join(map(tagged_to_line, tagged)), csv_rows(tagged), stats)
