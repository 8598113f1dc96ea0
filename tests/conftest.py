"""Shared test helpers: fixture folders, the bundled rules compiled once, and the shared corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from taxonomy.rules import Taxonomy, load_rules
from taxonomy.tag import Tagger

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    """The bundled rules."""
    return load_rules()


@pytest.fixture(scope="session")
def tagger(taxonomy: Taxonomy) -> Tagger:
    """A tagger over the bundled rules (compiled once per test session)."""
    return Tagger(taxonomy)


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared corpus and gold folder; tests that need it skip when it is absent."""
    if not (SHARED / "corpus").is_dir():
        pytest.skip("../shared is not present")
    return SHARED
