"""Digests of inputs and outputs: what a run checks before it carries on from the files of the last one.

BLAKE2b (32 bytes) runs at about a gigabyte a second here, so checking that a 130 MB input still
starts with the bytes the last run read costs about a tenth of a second.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO

CHUNK = 1024 * 1024


def new_hasher() -> hashlib.blake2b:
    """The digest used for every input and output file (BLAKE2b, 32 bytes)."""
    return hashlib.blake2b(digest_size=32, person=b"taxonomy-file")


def prefix_hasher(path: Path, size: int) -> hashlib.blake2b | None:
    """A hasher that has digested the first ``size`` bytes of a file; None if the file is shorter."""
    hasher = new_hasher()
    left = size
    with path.open("rb") as handle:
        while left:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                return None
            hasher.update(chunk)
            left -= len(chunk)
    return hasher


def digests(
    files: Sequence[tuple[Path, int]], meanwhile: Callable[[], None] | None = None
) -> list[hashlib.blake2b | None]:
    """``prefix_hasher`` of several files at once (in threads: hashing runs outside the GIL); None for one unreadable.

    ``meanwhile`` runs in this thread while the files are hashed.
    """
    with ThreadPoolExecutor(max_workers=min(4, len(files)) or 1) as pool:
        futures = [pool.submit(_prefix_or_none, path, size) for path, size in files]
        if meanwhile is not None:
            meanwhile()
        return [future.result() for future in futures]


def _prefix_or_none(path: Path, size: int) -> hashlib.blake2b | None:
    try:
        return prefix_hasher(path, size)
    except OSError:
        return None


class HashingWriter:
    """Writes bytes to a file, keeping the digest and the length of everything written through it."""

    def __init__(self, out: IO[bytes], hasher: hashlib.blake2b | None = None, size: int = 0) -> None:
        self.out = out
        self.hasher = hasher or new_hasher()
        self.size = size

    def write(self, data: bytes) -> int:
        """Write and digest ``data``."""
        self.out.write(data)
        self.hasher.update(data)
        self.size += len(data)
        return len(data)

    def copy(self, source: IO[bytes], start: int = 0, end: int | None = None) -> None:
        """Write bytes ``start`` to ``end`` (the end of ``source`` when None) of an open file."""
        source.seek(start)
        left = None if end is None else end - start
        while left is None or left > 0:
            chunk = source.read(CHUNK if left is None else min(CHUNK, left))
            if not chunk:
                if left:
                    raise OSError(f"{getattr(source, 'name', 'a file')} ended {left} bytes early")
                return
            self.write(chunk)
            if left is not None:
                left -= len(chunk)

    def digest(self) -> str:
        """The digest of everything written so far, as hex."""
        return self.hasher.hexdigest()
