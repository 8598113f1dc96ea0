"""How far a run read each input, so that a later run can skip what it already read.

With ``track``, :func:`taxonomy.ingest.read` passes every byte of each input through a
:class:`Tracker` (a BLAKE2b digest, a byte count and a newline count, about a millisecond a
megabyte) and, once an input is read to its end, notes an :class:`InputEnd`: its size, digest,
format and lines, and whether more lines appended to it could be read on their own (a plain file of
JSON Lines that ends with a newline). A later run given a :class:`ResumeAt` skips the inputs before
it and starts reading the grown one at the byte where the last run stopped.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from taxonomy.digest import new_hasher

#: Formats whose records are single lines, so that lines appended to a file can be read on their own.
RESUMABLE_FORMATS = frozenset(("jsonl",))


@dataclass(slots=True)
class Tracker:
    """The digest, newline count and last byte of everything read from one input so far."""

    hasher: hashlib.blake2b = field(default_factory=new_hasher)
    newlines: int = 0
    last: bytes = b""

    def update(self, data: bytes) -> None:
        """Account for bytes just read."""
        if data:
            self.hasher.update(data)
            self.newlines += data.count(b"\n")
            self.last = data[-1:]


@dataclass(frozen=True, slots=True)
class InputEnd:
    """One input as a run read it: what a later run checks to skip it, or to resume reading it."""

    label: str  # the input's name in outputs (the path as given, unless labels were given)
    size: int  # bytes read: the whole file
    digest: str  # BLAKE2b of those bytes, as hex
    format: str  # the reader used
    lines: int  # newlines in those bytes: the line number reading ended on
    resumable: bool  # lines appended later can be read on their own (see RESUMABLE_FORMATS)

    def to_dict(self) -> dict[str, str | int | bool]:
        """A JSON-ready dict."""
        return {k: getattr(self, k) for k in self.__slots__}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> InputEnd:
        """Rebuild from ``to_dict`` output; ``ValueError`` when a field has the wrong type."""
        values = {k: data[k] for k in cls.__slots__}
        kinds = {"label": str, "size": int, "digest": str, "format": str, "lines": int, "resumable": bool}
        for name, kind in kinds.items():
            if type(values[name]) is not kind:
                raise ValueError(f"input field {name} is not a {kind.__name__}")
        return cls(**values)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class ResumeAt:
    """Skip the first ``index`` inputs; read input ``index`` from byte ``offset`` (after line ``lines``)."""

    index: int
    offset: int
    lines: int
    format: str  # the format the last run read it in
    hasher: hashlib.blake2b  # has digested the input's first ``offset`` bytes already
    skipped_bytes: int = 0  # the size of the inputs skipped (for progress)
