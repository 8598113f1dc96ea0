"""Opening inputs: files, gzip, standard input, encodings, and counting the bytes consumed.

Every reader gets a :class:`Source`: the name as the user gave it, a buffered byte stream with
gzip already undone, the first bytes for format detection, and helpers that yield lines or text
chunks. Text is decoded as UTF-8 (a leading byte-order mark dropped); a byte sequence that is not
UTF-8 is decoded as Windows-1252 (Latin-1 for the five bytes cp1252 leaves undefined), so a Latin-1
or cp1252 file, or a UTF-8 file with a few such bytes, reads without loss. UTF-16 is read when the
file starts with its byte-order mark. Nothing is read whole: lines are capped at ``MAX_LINE``.
"""

from __future__ import annotations

import codecs
import gzip
import io
import re
import sys
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO, TypeVar

from taxonomy.errors import InputError
from taxonomy.ingest.position import Tracker

MAX_LINE = 16 * 1024 * 1024  # longer lines are refused: the file is not what it claims to be
HEAD_SIZE = 256 * 1024  # bytes peeked for detection (after any leading white space)
MAX_LEADING_SPACE = 64 * 1024 * 1024  # white space before the first record, read past for detection
_CHUNK = 1024 * 1024
_ERRORS = "taxonomy-cp1252"
_GZIP_MAGIC = b"\x1f\x8b"
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_T = TypeVar("_T", bytes, str)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Decode the bytes UTF-8 rejected as cp1252, each undefined byte as Latin-1."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    text = "".join(bytes([b]).decode("cp1252", "ignore") or chr(b) for b in bad)
    return text, exc.end


codecs.register_error(_ERRORS, _cp1252_fallback)


def decode(raw: bytes) -> str:
    """Decode bytes as UTF-8, falling back to cp1252 for sequences that are not UTF-8."""
    return raw.decode("utf-8", _ERRORS)


class _Counting(io.RawIOBase):
    """A raw stream that counts the bytes read through it (for progress), and passes them to a tracker."""

    def __init__(self, inner: BinaryIO, tracker: Tracker | None = None, count: int = 0) -> None:
        self._inner = inner
        self.tracker = tracker
        self.count = count

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        data = self._inner.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        if self.tracker is not None:
            self.tracker.update(data)
        return n


class _Prefixed(io.RawIOBase):
    """A raw stream that replays bytes already read (the detection head) before the rest."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


@dataclass
class Source:
    """One input opened for reading: its name as given, a byte stream, and the first bytes."""

    name: str
    stream: BinaryIO
    head: bytes
    counter: _Counting
    utf16: bool = False
    closers: list[IO[bytes]] = field(default_factory=list)
    first_line: int = 1  # the number of the first line the stream yields (> 1 when resuming mid-file)
    gzip: bool = False

    def close(self) -> None:
        """Close the streams this source opened (never standard input itself)."""
        for stream in reversed(self.closers):
            stream.close()

    def drain(self) -> None:
        """Read what the reader left unread (trailing bytes), so the tracker sees the whole file."""
        while self._guard(self._read_raw, _CHUNK):
            pass

    def _read_raw(self, size: int) -> bytes:
        return self.counter.read(size) or b""

    def byte_lines(self) -> Iterator[bytes]:
        """Yield the raw lines (newline kept), BOM dropped and UTF-16 re-encoded as UTF-8."""
        if self.utf16:
            yield from self._utf16_lines()
            return
        readline = self.stream.readline
        number = self.first_line - 1
        while True:
            raw = self._guard(readline, MAX_LINE)
            if not raw:
                return
            number += 1
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[3:]
            if len(raw) >= MAX_LINE and not raw.endswith(b"\n"):
                raise InputError(
                    f"{self.name}:{number}: line longer than {MAX_LINE // 2**20} MiB; "
                    "check that the file is in the format you meant (see --format)"
                )
            yield raw

    def text_lines(self) -> Iterator[str]:
        """Yield decoded lines with their line endings kept (what the csv module wants)."""
        for raw in self.byte_lines():
            yield decode(raw)

    def universal_lines(self) -> Iterator[str]:
        """Yield decoded lines without their endings, which may be ``\\r\\n``, ``\\n`` or a lone ``\\r``.

        Tagged formats (RIS, Web of Science) come with every line ending, mixed in one file; a CR-only
        file is one "line" to :meth:`byte_lines`. Line numbers count every ending.
        """
        rest = ""
        for chunk in self.chunks():
            text = rest + chunk
            held = "\r" if text.endswith("\r") else ""  # a CRLF may be split between chunks
            lines = _LINE_BREAK.split(text[: len(text) - len(held)])
            rest = lines.pop() + held
            if len(rest) > MAX_LINE:
                raise InputError(
                    f"{self.name}: a line longer than {MAX_LINE // 2**20} MiB; "
                    "check that the file is in the format you meant (see --format)"
                )
            yield from lines
        if rest:
            yield rest.removesuffix("\r")

    def chunks(self) -> Iterator[str]:
        """Yield the decoded text in chunks of about a mebibyte, BOM dropped."""
        if self.utf16:
            wrapper = io.TextIOWrapper(self.stream, encoding="utf-16", errors="replace")
            while chunk := self._guard(wrapper.read, _CHUNK):
                yield chunk
            return
        decoder = codecs.getincrementaldecoder("utf-8")(_ERRORS)
        first = True
        while True:
            raw = self._guard(self.stream.read, _CHUNK)
            text = decoder.decode(raw, final=not raw)
            if first and text:
                text = text.removeprefix("\ufeff")
                first = False
            if text:
                yield text
            if not raw:
                return

    def _utf16_lines(self) -> Iterator[bytes]:
        text = io.TextIOWrapper(self.stream, encoding="utf-16", errors="replace", newline="")
        while line := self._guard(text.readline, MAX_LINE):
            yield line.encode("utf-8", "surrogatepass")

    def read(self, size: int) -> bytes:
        """Up to ``size`` raw (decompressed) bytes; b"" at the end."""
        return self._guard(self.stream.read, size)

    def _guard(self, read: Callable[[int], _T], size: int) -> _T:
        """Call ``read(size)``, turning a damaged gzip stream or an I/O failure into InputError."""
        try:
            return read(size)
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            raise InputError(
                f"{self.name}: damaged gzip data ({exc}); re-download or re-compress the file"
            ) from None
        except OSError as exc:
            raise InputError(f"{self.name}: cannot be read ({exc.strerror or exc})") from None


def check_path(name: str) -> int | None:
    """Return the size of an input (None for standard input), or raise InputError if unusable."""
    if name == "-":
        return None
    path = Path(name)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError(f"{name}: no such file; check the path") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    if path.is_dir():
        raise InputError(
            f"{name}: is a folder, not a file; pass the files inside it (e.g. {name.rstrip('/')}/*.jsonl)"
        )
    return info.st_size


def open_source(
    name: str,
    label: str | None = None,
    *,
    tracker: Tracker | None = None,
    offset: int = 0,
    lines: int = 0,
) -> Source:
    """Open an input for reading: gzip undone by content, first bytes peeked, nothing decoded yet.

    ``label`` is how the input is named in papers and messages (default: ``name``). Every byte read
    goes through ``tracker``. With ``offset`` (a plain file), reading starts at that byte, after
    line ``lines``: the head is still the file's first bytes, and ``tracker`` has seen those before it.
    """
    closers: list[IO[bytes]] = []
    path, name = name, label or name
    if path == "-":
        raw: BinaryIO = sys.stdin.buffer
    else:
        try:
            raw = open(path, "rb", buffering=0)  # noqa: SIM115 - closed by Source.close
        except IsADirectoryError:
            raise InputError(f"{name}: is a folder, not a file; pass the files inside it") from None
        except FileNotFoundError:
            raise InputError(f"{name}: no such file; check the path") from None
        except OSError as exc:
            raise InputError(f"{name}: cannot be read ({exc.strerror or exc})") from None
        closers.append(raw)
    if offset:
        return _open_at(name, raw, closers, tracker, offset, lines)
    counter = _Counting(raw, tracker)
    stream = io.BufferedReader(counter, _CHUNK)
    source = Source(name, stream, b"", counter, closers=closers)
    try:
        if source._guard(stream.peek, 2)[:2] == _GZIP_MAGIC:
            unzipped = gzip.GzipFile(fileobj=stream, mode="rb")
            stream = io.BufferedReader(unzipped, _CHUNK)  # type: ignore[arg-type]  # GzipFile has readinto
            closers.append(stream)
            source.gzip = True
        head = _read_head(source, stream)
        if not head.startswith(_UTF16_BOMS) and b"\0" in head[:8000]:
            raise InputError(
                f"{name}: looks like a binary file, not text (it holds NUL bytes); pass a text export"
            )
    except InputError:
        source.close()
        raise
    source.stream = io.BufferedReader(_Prefixed(head, stream), _CHUNK)
    source.head = head
    source.utf16 = head.startswith(_UTF16_BOMS)
    return source


def _open_at(
    name: str, raw: BinaryIO, closers: list[IO[bytes]], tracker: Tracker | None, offset: int, lines: int
) -> Source:
    """A plain file opened at ``offset``: its first bytes for detection, the stream from ``offset`` on."""
    source = Source(name, raw, b"", _Counting(raw, tracker, offset), closers=closers, first_line=lines + 1)
    try:
        source.head = source._guard(raw.read, HEAD_SIZE)  # raw, so the tracker does not see it again
        raw.seek(offset)
    except OSError as exc:
        source.close()
        raise InputError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    except InputError:
        source.close()
        raise
    if source.head[:2] == _GZIP_MAGIC or source.head.startswith(_UTF16_BOMS):
        source.close()  # checked before the run started: the file changed since
        raise InputError(f"{name}: changed while this run read it; run again")
    source.stream = io.BufferedReader(source.counter, _CHUNK)
    return source


def _read_head(source: Source, stream: BinaryIO) -> bytes:
    """The first ``HEAD_SIZE`` bytes after any leading white space (which is kept, up to a bound)."""
    parts: list[bytes] = []
    size = content = 0
    while content < HEAD_SIZE and size < MAX_LEADING_SPACE + HEAD_SIZE:
        part = source._guard(stream.read, HEAD_SIZE - content)
        if not part:
            break
        parts.append(part)
        size += len(part)
        content = len(part.lstrip()) if not content else content + len(part)
    return b"".join(parts)


__all__ = ["MAX_LINE", "Source", "check_path", "decode", "open_source"]
