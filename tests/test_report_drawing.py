"""Worker processes of a build: figures drawn there are the figures drawn here; Ctrl-C stays one line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from taxonomy.report import render_report
from taxonomy.report.drawing import FigureWorkers

from .conftest import SMALL_RULES
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
        f"code = main(['build', '-o', {str(tmp_path)!r}, '--no-progress', '--rules', {str(SMALL_RULES)!r}])\n"
        "print(code, 'matplotlib' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split()[-2:] == ["0", "False"]
    assert (tmp_path / "figures" / "families.svg").is_file()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_during_a_build_is_one_line_from_every_process(tmp_path: Path, jobs: str) -> None:
    # A terminal's Ctrl-C signals the whole process group: the figure worker and the tagging pool's
    # workers must leave it to the parent, which says "Interrupted." and exits with status 130.
    corpus = tmp_path / "corpus.jsonl"
    record = '{{"id": "p{0}", "title": "Paper {0} on graphs", "abstract": "We study a model {0} with a transformer and an LSTM. "}}\n'
    corpus.write_text("".join(record.format(i) for i in range(50_000)), encoding="utf-8")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "taxonomy", "build", str(corpus), "-o", str(out), "--jobs", jobs]
    command += ["--rules", str(SMALL_RULES)]
    process = subprocess.Popen(
        [*command, "--no-progress"], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 120
    while sum(p.stat().st_size for p in tmp_path.glob(".out.partial-*/papers.jsonl")) < 100_000:
        assert process.poll() is None, "the build ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert (process.returncode, err.decode()) == (130, "Interrupted.\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.jsonl", "out"]  # no staging folder left
    assert list(out.iterdir()) == []  # and nothing half-written in the output folder
