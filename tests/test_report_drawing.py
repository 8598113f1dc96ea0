"""Figures drawn in worker processes are the figures drawn here, and a dead worker changes nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from taxonomy.report import render_report
from taxonomy.report.drawing import FigureWorkers

from .test_report import corpus

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="workers are forked on Linux only"
)


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_workers_draw_the_same_bytes_as_this_process(tmp_path: Path) -> None:
    taxonomy = corpus.taxonomy()
    stats = corpus.stats(taxonomy)
    render_report(taxonomy, stats, tmp_path / "here")
    with FigureWorkers() as workers:
        render_report(taxonomy, stats, tmp_path / "workers", draw=workers.draw)
    assert _files(tmp_path / "workers") == _files(tmp_path / "here")
    assert len(_files(tmp_path / "here")) == 5  # two pages, three figures


def test_a_dead_worker_means_drawing_here(tmp_path: Path) -> None:
    taxonomy = corpus.taxonomy()
    stats = corpus.stats(taxonomy)
    render_report(taxonomy, stats, tmp_path / "here")
    with FigureWorkers() as workers:
        pool = workers._pool
        assert pool is not None
        workers._started.result(timeout=60)
        for process in list(pool._processes.values()):  # type: ignore[attr-defined]
            os.kill(process.pid, signal.SIGKILL)
            process.join()
        render_report(taxonomy, stats, tmp_path / "after", draw=workers.draw)
    assert _files(tmp_path / "after") == _files(tmp_path / "here")


def test_build_leaves_matplotlib_to_the_workers(tmp_path: Path) -> None:
    # Loading matplotlib here would undo the overlap the workers are for.
    script = (
        "import sys\n"
        "from taxonomy.cli import main\n"
        f"code = main(['build', '-o', {str(tmp_path)!r}, '--no-progress'])\n"
        "print(code, 'matplotlib' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split()[-2:] == ["0", "False"]
    assert (tmp_path / "figures" / "families.svg").is_file()
