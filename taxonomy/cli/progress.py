"""Progress of a long run on standard error: papers done, papers per second, and time left."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """A one-line progress display, redrawn at most a few times a second; silent when not a terminal."""

    def __init__(
        self, stream: TextIO | None = None, *, enabled: bool | None = None, interval: float = 0.5
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.interval = interval
        self.started = time.monotonic()
        self._last = 0.0
        self._drawn = False

    def update(self, papers: int, done_bytes: int = 0, total_bytes: int | None = None) -> None:
        """Redraw if enough time has passed since the last redraw."""
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < self.interval:
            return
        self._last = now
        self.stream.write("\r" + self.line(papers, now - self.started, done_bytes, total_bytes) + "\033[K")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        """End the progress line so later output starts on a fresh line."""
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False

    @staticmethod
    def line(papers: int, elapsed: float, done_bytes: int = 0, total_bytes: int | None = None) -> str:
        """The text of the progress line, e.g. ``12,345 papers · 3,210 papers/s · 41% · 0:12 left``."""
        rate = papers / elapsed if elapsed > 0 else 0.0
        parts = [f"{papers:,} papers", f"{rate:,.0f} papers/s"]
        if total_bytes and done_bytes:
            share = min(done_bytes / total_bytes, 1.0)
            parts.append(f"{share:.0%}")
            if 0 < share < 1:
                left = elapsed * (1 - share) / share
                parts.append(f"{int(left // 60)}:{int(left % 60):02d} left")
        return " · ".join(parts)
