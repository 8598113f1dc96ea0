"""Atomic outputs: a run writes into a folder beside its output folder, and moves its files in at the end.

The staging folder (``.NAME.partial-XXXX`` beside the output folder ``NAME``, so on the same file
system) gets every file the run writes. Only when the run has written all of them are they moved
into the output folder, each with ``os.replace``, and the staging folder removed. A run that
fails or is interrupted before that removes the staging folder and leaves the output folder's
files exactly as the earlier run left them. (A run killed outright leaves the hidden staging
folder behind; it holds nothing another run reads.)

A resumed run extends the files of the last run: ``open`` starts a staged file with the bytes the
last run wrote (a copy, so the original stays as it is until the end), and ``link`` puts an
earlier file where a writer that replaces it (the paper graph) can read it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from taxonomy.digest import HashingWriter
from taxonomy.errors import OutputError


class Staging:
    """A run's staging folder for the output folder ``out_dir``."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir)
        beside = self.out_dir.resolve().parent
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            self.path = Path(tempfile.mkdtemp(prefix=f".{self.out_dir.resolve().name}.partial-", dir=beside))
        except OSError as exc:
            raise OutputError(
                f"{self.out_dir}: cannot create the output folder ({exc.strerror or exc})"
            ) from None

    def final(self, path: Path) -> Path:
        """Where a staged file goes in the output folder."""
        return self.out_dir / path.relative_to(self.path)

    @contextmanager
    def open(self, name: str, kept: tuple[int, hashlib.blake2b] | None = None) -> Iterator[HashingWriter]:
        """A staged file written through a digest: new, or after the first ``kept[0]`` bytes of the earlier one.

        ``kept[1]`` has digested those bytes already (the resume check read them).
        """
        path = self.path / name
        try:
            if kept:
                shutil.copyfile(self.out_dir / name, path)
            handle = path.open("r+b" if kept else "wb")
            if kept:
                handle.seek(kept[0])
                handle.truncate()
        except OSError as exc:
            raise OutputError(f"{self.out_dir / name}: cannot be written ({exc.strerror or exc})") from None
        with handle:
            yield HashingWriter(handle, kept[1], kept[0]) if kept else HashingWriter(handle)

    def link(self, name: str) -> Path:
        """The earlier run's file, made readable at its staged path (a hard link, else a copy)."""
        source, path = self.out_dir / name, self.path / name
        try:
            os.link(source, path)
        except OSError:
            shutil.copyfile(source, path)
        return path

    def commit(self, stale: Iterable[str] = ()) -> None:
        """Move every staged file into the output folder; remove the ``stale`` ones this run did not write."""
        try:
            written = sorted(p for p in self.path.rglob("*") if p.is_file())
            gone = [name for name in stale if not (self.path / name).exists()]
            for path in written:
                target = self.final(path)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
            for name in gone:
                (self.out_dir / name).unlink(missing_ok=True)
        except OSError as exc:
            raise OutputError(f"{self.out_dir}: cannot be written ({exc.strerror or exc})") from None
        finally:
            self.discard()

    def discard(self) -> None:
        """Remove the staging folder and whatever is still in it."""
        shutil.rmtree(self.path, ignore_errors=True)


@contextmanager
def staged(out_dir: Path, stale: Iterable[str] = ()) -> Iterator[Staging]:
    """A staging folder for ``out_dir`` whose files replace the folder's when the block succeeds."""
    staging = Staging(out_dir)
    try:
        yield staging
    except BaseException:
        staging.discard()
        raise
    staging.commit(stale)
