"""Load a rules folder into a validated ``Taxonomy``.

A rules folder holds one YAML file per method family (the family and the concepts below it),
``cues.yaml`` (phrases that tell a concept's role in a sentence) and ``scoring.yaml`` (the weights of
the primary-family decision); ``schema.json`` in the bundled rules describes all three. Files are
read with ``yaml.safe_load`` semantics only: no rule can run code. Every problem in every file is
collected and reported at once, with file, line and what to do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from taxonomy.errors import RulesError
from taxonomy.rules.cached import cached_rules, rules_key, store_rules
from taxonomy.rules.checks import (
    check_links,
    collect_concepts,
    digest,
    link,
    parse_areas,
    parse_cues,
    parse_scoring,
    raise_problems,
    regex_problem,
    verb_problems,
)
from taxonomy.rules.model import (
    Area,
    Concept,
    Cues,
    Pattern,
    Scoring,
    Taxonomy,
    alias_variants,
    wildcard_parts,
)
from taxonomy.rules.schema import SCHEMA_FILE, load_schema, schema_problems
from taxonomy.rules.select import select_areas, select_families
from taxonomy.rules.yamlfile import LineDict, bundled_document, default_rules_dir, read_documents, rule_files

CUES_FILE = "cues.yaml"
SCORING_FILE = "scoring.yaml"
AREAS_FILE = "areas.yaml"

__all__ = [
    "AREAS_FILE",
    "CUES_FILE",
    "SCHEMA_FILE",
    "SCORING_FILE",
    "Area",
    "Concept",
    "Cues",
    "LineDict",
    "Pattern",
    "Scoring",
    "Taxonomy",
    "alias_variants",
    "default_rules_dir",
    "load_rules",
    "regex_problem",
    "rule_files",
    "select_areas",
    "select_families",
    "wildcard_parts",
]


def load_rules(rules_dir: str | Path | None = None) -> Taxonomy:
    """Read, validate and link a rules folder; raise ``RulesError`` listing every problem.

    Rules that loaded once are read back from a cache keyed by their files' bytes (``cached.py``).
    """
    root = Path(rules_dir) if rules_dir is not None else default_rules_dir()
    if not root.is_dir():
        raise RulesError(f"{root}: rules folder not found (pass --rules DIR, a folder of YAML files)")
    key = rules_key(root)
    taxonomy = cached_rules(key) if key is not None else None
    if taxonomy is None:
        taxonomy = _load(root)
        if key is not None:
            store_rules(key, taxonomy)
    return taxonomy


def _load(root: Path) -> Taxonomy:
    problems: list[str] = []
    docs = read_documents(root, problems)
    family_docs = {
        name: doc for name, doc in docs.items() if name not in (CUES_FILE, SCORING_FILE, AREAS_FILE)
    }
    if not family_docs and not problems:
        problems.append(
            f"{root}: no family files (*.yaml) found; each family needs a file with a 'family:' section"
        )
    schema = load_schema()
    valid: dict[str, Any] = {}
    for name, doc in docs.items():
        kind = {CUES_FILE: "cues_file", SCORING_FILE: "scoring_file", AREAS_FILE: "areas_file"}.get(
            name, "family_file"
        )
        found = schema_problems(root / name, doc, schema, kind)
        problems.extend(found)
        if not found:
            valid[name] = doc
    # Concepts from files that passed the schema are still checked, so one run shows every problem;
    # a parent may live in a file that failed, so unknown parents are only judged when all passed.
    complete = len(valid) == len(docs) and not problems
    concepts = collect_concepts(root, {n: d for n, d in valid.items() if n in family_docs}, problems)
    check_links(concepts, problems, check_parents=complete)
    areas = (
        parse_areas(root / AREAS_FILE, valid[AREAS_FILE], concepts, problems) if AREAS_FILE in valid else {}
    )
    if problems:
        raise_problems(root, problems)
    linked = link(concepts)
    # A rules folder without cue or scoring files uses the bundled ones.
    cues = parse_cues(docs.get(CUES_FILE) or bundled_document(CUES_FILE))
    if unread := verb_problems(cues):
        raise_problems(root, [f"{CUES_FILE}: {problem}" for problem in unread])
    scoring = parse_scoring(docs.get(SCORING_FILE) or bundled_document(SCORING_FILE))
    families = tuple(sorted(c.id for c in linked.values() if c.is_family))
    return Taxonomy(linked, families, cues, scoring, digest(root), str(root), areas)
