"""A cache of tagged papers in one SQLite file, so a rerun tags only new or changed papers.

Each entry maps a 16-byte key to the paper's ``papers.jsonl`` line (as ``serialize.tagged_to_line``
wrote it). The key is a BLAKE2b digest of everything the line depends on:

- the *tagging setup*: the rules version (a digest of the rules files), the ``--model`` name and its
  version, the spaCy and taxonomy versions, and the source of the modules that tag and serialize
  (``tag``, ``rules``, ``models``, ``serialize``), so a code change re-tags like a rules change;
- the paper: every field of ``Paper`` (id, title, abstract, date, authors, ... key) but
  ``source``, which says where the record was read and is patched into the stored line instead.

A cache holds the entries of one tagging setup: a run with another setup (edited rules, another
model) empties it first, so the file never grows with old versions. A cache hit costs a lookup and
the parse of the stored line; the pipeline folds it into the statistics as if it had been tagged.

The file also holds what a later run needs to carry on where the last one stopped (see
``taxonomy.resume``): a *resume point*, and the ids and titles of the papers that run kept
(``seen_ids`` and ``seen_titles``, as ``ingest.dedupe.Seen`` keeps them).

The file is an ordinary SQLite database in WAL mode, marked with an application id and a schema
version (``PRAGMA application_id`` / ``user_version``); a cache of version 1 (no resume tables) is
upgraded in place. A file that is not SQLite, another program's
database, or a cache of another schema version is refused with a one-line error; nothing is
overwritten or deleted except the entries of this cache.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.metadata
import importlib.util
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import orjson

from taxonomy.errors import InputError, OutputError, TaxonomyError
from taxonomy.ingest.dedupe import TABLES as SEEN_TABLES
from taxonomy.ingest.dedupe import Seen
from taxonomy.models import Paper, TaggedPaper
from taxonomy.rules import Taxonomy
from taxonomy.serialize import tagged_from_dict
from taxonomy.version import __version__

APPLICATION_ID = 0x54415843  # "TAXC": marks the file as a taxonomy cache
SCHEMA_VERSION = 2  # 2: the resume point and the Seen tables
_UPGRADABLE = (1,)  # versions that only lack tables this version adds
LOOKUP_BATCH = 256
#: Modules whose code decides what a papers.jsonl line holds; their source is part of the setup.
OUTPUT_MODULES = ("taxonomy.tag", "taxonomy.rules", "taxonomy.models", "taxonomy.serialize")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS papers (key BLOB PRIMARY KEY, line BLOB NOT NULL);
"""
_T = TypeVar("_T")
#: The fields of a paper its papers.jsonl line depends on: all but ``source`` (patched in instead).
_PAPER_FIELDS = tuple(f.name for f in dataclasses.fields(Paper) if f.compare)


def setup_digest(taxonomy: Taxonomy, model: str | None = None) -> bytes:
    """A 32-byte digest of everything besides the paper that decides its tagged output."""
    h = hashlib.blake2b(digest_size=32, person=b"taxonomy-setup")
    parts = [f"schema {SCHEMA_VERSION}", f"taxonomy {__version__}", f"spacy {_package_version('spacy')}"]
    parts += [f"rules {taxonomy.version}", f"model {model or ''} {_package_version(model)}"]
    h.update(orjson.dumps(parts))
    for name in OUTPUT_MODULES:
        for path in module_files(name):
            h.update(hashlib.blake2b(path.read_bytes(), digest_size=32).digest())
    return h.digest()


def module_files(name: str) -> list[Path]:
    """The source files of a module, or of every module of a package, in a stable order."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.origin or not Path(spec.origin).is_file():
        return []
    if spec.submodule_search_locations:  # a package: all of its modules count
        return sorted(p for folder in spec.submodule_search_locations for p in Path(folder).rglob("*.py"))
    return [Path(spec.origin)]


def _package_version(name: str | None) -> str:
    if not name:
        return ""
    try:
        return importlib.metadata.version(name)
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return ""  # a model given as a path: its name is all we know


@dataclass(slots=True)
class Lookup:
    """A batch of papers split into those found in the cache and those left to tag."""

    papers: list[Paper]
    keys: list[bytes]
    found: dict[int, tuple[bytes, TaggedPaper]] = field(default_factory=dict)  # index -> (line, paper)
    todo: list[int] = field(default_factory=list)  # indexes of the papers to tag

    @property
    def to_tag(self) -> list[Paper]:
        """The papers the cache did not have, in input order."""
        return [self.papers[i] for i in self.todo]

    def cached(self) -> Iterator[TaggedPaper]:
        """The tagged papers taken from the cache, in input order."""
        for i in sorted(self.found):
            yield self.found[i][1]


class TagCache:
    """An open cache file: look up batches of papers, store the lines of papers just tagged."""

    def __init__(self, path: str | Path, setup: bytes) -> None:
        self.path = Path(path)
        self.setup = setup
        self._hasher = hashlib.blake2b(setup, digest_size=16, person=b"taxonomy-paper")
        self.hits = 0  # papers found in this run
        self.stored = 0  # papers tagged and stored in this run
        self.pruned = 0  # entries of another tagging setup removed on opening
        self._db = self._connect()
        with self._errors("open"):
            self._check_and_prepare()

    # -- opening ---------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        if self.path.is_dir():
            raise OutputError(
                f"{self.path}: is a folder; --cache needs a file name (e.g. {self.path}/tags.sqlite)"
            )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
        except (OSError, sqlite3.Error) as exc:
            raise OutputError(f"{self.path}: cannot open the cache ({_reason(exc)})") from None

    def _check_and_prepare(self) -> None:
        db = self._db
        app = _scalar(db.execute("PRAGMA application_id"), 0)  # fails here when the file is not SQLite
        schema = _scalar(db.execute("PRAGMA user_version"), 0)
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if app != APPLICATION_ID and (tables or schema):
            raise InputError(
                f"{self.path}: an SQLite database that is not a taxonomy cache; "
                "choose another file with --cache FILE (this one is left as it is)"
            )
        if app == APPLICATION_ID and schema != SCHEMA_VERSION and schema not in _UPGRADABLE:
            raise InputError(
                f"{self.path}: a taxonomy cache of schema version {schema} (this taxonomy reads version "
                f"{SCHEMA_VERSION}); delete the file to start a new cache"
            )
        if app == APPLICATION_ID and not {"meta", "papers"} <= tables:
            raise InputError(
                f"{self.path}: a damaged taxonomy cache (tables missing); delete the file to start a new cache"
            )
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in _SCHEMA.strip().split(";"):
                if statement.strip():
                    db.execute(statement)
            for statement in SEEN_TABLES:
                db.execute(statement)
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            row = db.execute("SELECT value FROM meta WHERE name = 'setup'").fetchone()
            if row is None or bytes(row[0]) != self.setup:
                # Another tagging setup: its entries can never be hit again (their keys hold the old setup).
                self.pruned = _scalar(db.execute("SELECT count(*) FROM papers"), 0)
                db.execute("DELETE FROM papers")
                db.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('setup', ?)", (self.setup,))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    # -- keys, lookups and stores ------------------------------------------------------------------

    def key(self, paper: Paper) -> bytes:
        """The 16-byte key of a paper under this cache's tagging setup."""
        h = self._hasher.copy()
        h.update(orjson.dumps([getattr(paper, name) for name in _PAPER_FIELDS]))
        return h.digest()

    def lookup(self, papers: Sequence[Paper]) -> Lookup:
        """Find a batch of papers in the cache; their stored lines carry the papers' current ``source``."""
        batch = Lookup(list(papers), [self.key(p) for p in papers])
        stored: dict[bytes, bytes] = {}
        with self._errors("read"):
            for start in range(0, len(batch.keys), LOOKUP_BATCH):
                chunk = batch.keys[start : start + LOOKUP_BATCH]
                query = f"SELECT key, line FROM papers WHERE key IN ({','.join('?' * len(chunk))})"  # noqa: S608
                for key, line in self._db.execute(query, chunk):  # the query holds placeholders only
                    stored[bytes(key)] = bytes(line)
        for i, (paper, key) in enumerate(zip(batch.papers, batch.keys, strict=True)):
            hit = _decode(stored[key], paper) if key in stored else None
            if hit is None:
                batch.todo.append(i)
            else:
                batch.found[i] = hit
        self.hits += len(batch.found)
        return batch

    def store(self, batch: Lookup, tagged_lines: bytes) -> bytes:
        """Store the lines of the papers just tagged (``batch.todo``, in order); return all lines in input order."""
        fresh = tagged_lines.split(b"\n")[:-1] if tagged_lines else []
        if len(fresh) != len(batch.todo):
            raise AssertionError(f"{len(batch.todo)} papers tagged but {len(fresh)} lines returned")
        rows = [(batch.keys[i], line + b"\n") for i, line in zip(batch.todo, fresh, strict=True)]
        if rows:
            with self._errors("write"), self._transaction():
                self._db.executemany("INSERT OR REPLACE INTO papers (key, line) VALUES (?, ?)", rows)
            self.stored += len(rows)
        lines = {i: line for i, (line, _) in batch.found.items()}
        lines.update((i, line) for i, (_, line) in zip(batch.todo, rows, strict=True))
        return b"".join(lines[i] for i in range(len(batch.papers)))

    # -- what a later run needs to carry on (see taxonomy.resume) ----------------------------------

    def snapshot(self) -> tuple[sqlite3.Connection, bytes | None]:
        """A read-only view of the file as it is now (later writes leave it as it is), and its resume point.

        The resume point and the ``Seen`` tables beside it are read through the view, so a run that
        finishes meanwhile and stores its own cannot mix with them. Close the view when done.
        """
        with self._errors("read"):
            view = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
            view.execute("PRAGMA query_only = ON")
            view.execute("BEGIN")  # the snapshot starts with the first read, and lasts until closed
            row = view.execute("SELECT CAST(value AS BLOB) FROM meta WHERE name = 'resume'").fetchone()
        return view, (bytes(row[0]) if row is not None else None)

    def keep_resume_point(self, point: bytes, seen: Seen, *, after: bytes | None) -> bool:
        """Store a resume point and the papers ``seen``, in one transaction.

        ``after`` is the point the run resumed from: its papers stay and ``seen``'s are added, unless
        another run stored a point since (then nothing is stored: False). Without ``after``, the
        papers seen are replaced.
        """
        with self._errors("write"), self._transaction():
            db = self._db
            if after is not None:
                query = "SELECT 1 FROM meta WHERE name = 'resume' AND value = ?"
                if db.execute(query, (after,)).fetchone() is None:
                    return False
            else:
                db.execute("DELETE FROM seen_ids")
                db.execute("DELETE FROM seen_titles")
            db.executemany("INSERT INTO seen_ids VALUES (?)", seen.ids())
            db.executemany("INSERT INTO seen_titles VALUES (?, ?)", seen.titles())
            db.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('resume', ?)", (point,))
        return True

    def __len__(self) -> int:
        with self._errors("read"):
            return _scalar(self._db.execute("SELECT count(*) FROM papers"), 0)

    def close(self) -> None:
        """Close the file (the WAL is folded back into it)."""
        with self._errors("close"):
            self._db.close()

    def __enter__(self) -> TagCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """Write in a transaction, and commit."""
        self._db.execute("BEGIN")
        try:
            yield
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """SQLite errors as one-line ``InputError`` (a bad file) or ``OutputError`` (cannot write)."""
        try:
            yield
        except TaxonomyError:
            raise
        except sqlite3.Error as exc:
            reason = _reason(exc)
            if isinstance(exc, sqlite3.DatabaseError) and (
                "not a database" in reason or "malformed" in reason
            ):
                raise InputError(
                    f"{self.path}: not a usable taxonomy cache ({reason}); delete it or choose another file with --cache FILE"
                ) from None
            raise OutputError(f"{self.path}: cannot {doing} the cache ({reason})") from None


def _decode(line: bytes, paper: Paper) -> tuple[bytes, TaggedPaper] | None:
    """A stored line as (line, tagged paper), with the paper's current source; None if unreadable."""
    try:
        data = orjson.loads(line)
        if data.get("source") != paper.source:
            # The same paper read from another file or line: only where it was read from changes.
            data["source"] = paper.source
            line = orjson.dumps(data) + b"\n"
        return line, tagged_from_dict(data)
    except (orjson.JSONDecodeError, AttributeError, KeyError, TypeError, ValueError):
        return None  # a damaged entry is tagged again and overwritten


def _scalar(cursor: sqlite3.Cursor, default: _T) -> _T:
    row = cursor.fetchone()
    return row[0] if row is not None else default


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc) or type(exc).__name__
