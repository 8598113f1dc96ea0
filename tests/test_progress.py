"""The progress line: rate, share done and time left; silent when not a terminal."""

from __future__ import annotations

import io

from taxonomy.cli.progress import Progress


def test_line_shows_rate_share_and_time_left() -> None:
    assert Progress.line(12_345, 10.0, 250, 1000) == "12,345 papers · 1,234 papers/s · 25% · 0:30 left"
    assert Progress.line(10, 0.0) == "10 papers · 0 papers/s"


def test_silent_unless_enabled() -> None:
    stream = io.StringIO()
    progress = Progress(stream)
    progress.update(5, 1, 2)
    progress.close()
    assert stream.getvalue() == ""


def test_enabled_progress_redraws_one_line_and_ends_it() -> None:
    stream = io.StringIO()
    progress = Progress(stream, enabled=True, interval=0.0)
    progress.update(5, 1, 2)
    progress.update(6, 2, 2)
    progress.close()
    text = stream.getvalue()
    assert text.count("\r") == 2 and text.endswith("\n") and "6 papers" in text
