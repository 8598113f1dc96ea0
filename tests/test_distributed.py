"""The Dask engine writes exactly what a local run writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from taxonomy.cli import main

from .conftest import SMALL_RULES

pytest.importorskip("dask.distributed")

OUTPUTS = ["papers.jsonl", "summary.json", "concepts.graphml", "papers.graphml", "report.md", "report.html"]


def test_local_cluster_of_two_workers_matches_local_run(tmp_path: Path, dask_scheduler: str) -> None:
    rules = ["--rules", str(SMALL_RULES)]
    dask = ["--engine", "dask", "--scheduler", dask_scheduler, "--batch-size", "4"]
    assert main(["build", "-o", str(tmp_path / "dask"), *dask, *rules]) == 0
    assert main(["build", "-o", str(tmp_path / "local"), *rules]) == 0
    for name in OUTPUTS:
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name


def test_scheduler_needs_dask_engine(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["build", "-o", str(tmp_path), "--scheduler", "tcp://127.0.0.1:1"]) == 1
    assert capsys.readouterr().err.strip() == "Error: --scheduler needs --engine dask"
