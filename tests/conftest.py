"""Shared test helpers: fixture folders, the bundled rules compiled once, a Dask cluster, the shared corpus."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from taxonomy.rules import Taxonomy, load_rules
from taxonomy.runs import compiled_tagger
from taxonomy.tag import Tagger

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
#: Two small families (ssm, transformer) that tag about half of the bundled sample in every role:
#: for tests of how runs are read, cached, resumed and written, which need tags but not the bundled rules.
SMALL_RULES = FIXTURES / "tagging"
# Property tests check what the code does, not how fast: on a loaded machine a first example can
# take longer than hypothesis's default deadline of 200 ms, which would fail a correct test.
settings.register_profile("taxonomy", deadline=None)
settings.load_profile("taxonomy")
# The tests, and the commands they start, cache loaded rules in a folder of their own, never the
# user's; it goes when the test process ends (a compiled tagger of the bundled rules is about 10 MB).
os.environ["TAXONOMY_CACHE_DIR"] = _CACHE = tempfile.mkdtemp(prefix="taxonomy-test-cache-")
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def _matplotlib_loaded() -> None:
    """Load matplotlib once, so the figure worker that each build forks from this process starts warm."""
    from taxonomy.report import figures

    figures.warm_up()


@pytest.fixture(autouse=True)
def _small_runs_use_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs with --jobs 2 go to the worker pool however few papers they have, so the tests' small
    corpora test the pool (tests/test_engines.py checks the rule that keeps small runs in one process)."""
    monkeypatch.setattr("taxonomy.engines.SMALL_RUN", 0)


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    """The bundled rules."""
    return load_rules()


@pytest.fixture(scope="session")
def tagger(taxonomy: Taxonomy) -> Tagger:
    """A tagger over the bundled rules (compiled once per test process: the builds and commands of
    the bundled rules in that process take the same one)."""
    return compiled_tagger(taxonomy)


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared corpus and gold folder; tests that need it skip when it is absent."""
    if not (SHARED / "corpus").is_dir():
        pytest.skip("../shared is not present")
    return SHARED


@pytest.fixture(scope="session")
def dask_scheduler() -> Iterator[str]:
    """The address of a local Dask cluster of two worker processes, started once per test session."""
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address
