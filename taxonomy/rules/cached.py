"""A cache of loaded rules, so that a run does not read and validate the same rules files again.

Reading and validating the bundled rules (45 files, ~1,450 concepts) costs about 1.3 s here; reading
the pickled ``Taxonomy`` back costs about 0.01 s. An entry is keyed by a BLAKE2b digest of everything
the loaded value depends on: the package and Python versions, the rules folder's path (the value
keeps it), the bytes of every rules file and of the bundled schema, cue and scoring files, and the
source of the ``taxonomy.rules`` modules, so an edited rule or loader is never served from the cache.

The folder is ``$TAXONOMY_CACHE_DIR`` when that is set (empty: no cache), else
``$XDG_CACHE_HOME/taxonomy`` or ``~/.cache/taxonomy``. A file is written to a temporary name and
renamed, and starts with a digest of the rest: a missing, unreadable, truncated or otherwise corrupt
entry is ignored and the rules are loaded from their files, and a folder that cannot be written only
means no entry is kept. Only the user's own cache folder is read (pickle runs what it reads).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

from taxonomy.rules.model import Taxonomy
from taxonomy.rules.yamlfile import default_rules_dir, rule_files
from taxonomy.version import __version__

ENV = "TAXONOMY_CACHE_DIR"
#: Entries kept in the folder (one per rules version); older ones are removed when one is written.
KEEP = 16
_CHECK = 32  # bytes of the digest that starts each file
_CHUNK = 1 << 20  # bytes read at a time to check it
_BUNDLED = ("schema.json", "cues.yaml", "scoring.yaml")


def cache_dir() -> Path | None:
    """The folder of cached rules, or None when ``$TAXONOMY_CACHE_DIR`` is set to the empty string."""
    value = os.environ.get(ENV)
    if value is not None:
        return Path(value) if value else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "taxonomy"


def rules_key(root: Path) -> str | None:
    """The digest of everything ``load_rules(root)`` depends on; None if a file cannot be read."""
    bundled = default_rules_dir()
    sources = sorted(Path(__file__).parent.glob("*.py"))
    try:
        files = [*rule_files(root), *(bundled / name for name in _BUNDLED), *sources]
        parts = [__version__.encode(), sys.version.encode(), str(root).encode()]
        parts += [part for p in files for part in (p.name.encode(), p.read_bytes())]
    except OSError:
        return None
    return entry_key(b"taxonomy-rules", parts)


def entry_key(person: bytes, parts: list[bytes]) -> str:
    """A cache key: the digest of ``parts``, each led by its length, so that no two lists of parts
    give the same bytes (``person`` keeps the keys of different kinds of entry apart)."""
    hasher = hashlib.blake2b(digest_size=16, person=person)
    for part in parts:
        hasher.update(len(part).to_bytes(8, "big") + part)
    return hasher.hexdigest()


def cached_rules(key: str) -> Taxonomy | None:
    """The rules stored under ``key``, or None when there is no sound entry."""
    value = read_entry("rules", key)
    return value if isinstance(value, Taxonomy) else None


def store_rules(key: str, taxonomy: Taxonomy) -> None:
    """Keep ``taxonomy`` under ``key`` (atomically); a folder that cannot be written keeps nothing."""
    write_entry("rules", key, taxonomy, KEEP)


def read_entry(kind: str, key: str) -> object | None:
    """The value stored as ``kind`` under ``key`` in the cache folder, or None when there is no sound
    entry (missing, unreadable, truncated, corrupt or not unpicklable)."""
    folder = cache_dir()
    if folder is None:
        return None
    # The file is read twice, once to check its digest and once by the unpickler, rather than held
    # in memory while its objects are made: the tagger's entry is about 20 MB.
    try:
        with (folder / f"{kind}-{key}.pickle").open("rb") as entry:
            check = entry.read(_CHECK)
            hasher = hashlib.blake2b(digest_size=_CHECK)
            while chunk := entry.read(_CHUNK):
                hasher.update(chunk)
            if check != hasher.digest():
                return None
            entry.seek(_CHECK)
            try:
                value: object = pickle.load(entry)  # noqa: S301 (the user's own cache folder, checked by digest)
            except Exception:  # an entry that cannot be read back is no worse than no entry
                return None
    except OSError:
        return None
    return value


def write_entry(kind: str, key: str, value: object, keep: int) -> None:
    """Keep ``value`` as ``kind`` under ``key`` (atomically), and the ``keep`` newest entries of that
    kind; a folder that cannot be written keeps nothing."""
    folder = cache_dir()
    if folder is None:
        return
    body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    data = hashlib.blake2b(body, digest_size=_CHECK).digest() + body
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{kind}-")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, folder / f"{kind}-{key}.pickle")
        _prune(folder, kind, keep)
    except OSError:
        Path(temporary).unlink(missing_ok=True)


def _prune(folder: Path, kind: str, keep: int) -> None:
    entries = sorted(folder.glob(f"{kind}-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[keep:]:
        old.unlink(missing_ok=True)
