"""Building concepts from valid files and checking what a schema cannot: links, cycles, aliases, patterns."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from taxonomy.errors import RulesError
from taxonomy.models import ROLES, Role
from taxonomy.rules.model import (
    WILDCARD,
    Area,
    Concept,
    Cues,
    Pattern,
    Scoring,
    alias_variants,
    wildcard_parts,
)
from taxonomy.rules.schema import suggest_names
from taxonomy.rules.yamlfile import LineDict, rule_files

_MAX_REGEX = 200
# Nested quantifiers such as (a+)+ or (\w*)* backtrack catastrophically on near-misses.
_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[+*](?:[^()\\]|\\.)*\)\s*(?:[+*]|\{\d*,)")


def _tuple(doc: Mapping[str, Any], key: str) -> tuple[str, ...]:
    return tuple(str(v) for v in doc.get(key) or ())


def _concept(cid: str, doc: LineDict, path: Path, is_family: bool, line: int) -> Concept:
    patterns = tuple(
        Pattern(str(p["id"]), str(p["trigger"]), json.dumps(p["tokens"], sort_keys=True))
        for p in doc.get("patterns") or ()
    )
    return Concept(
        id=cid,
        label=str(doc["label"]),
        description=" ".join(str(doc["description"]).split()),
        is_family=is_family,
        parents=_tuple(doc, "parents"),
        aliases=_tuple(doc, "aliases"),
        aliases_cased=_tuple(doc, "aliases_cased"),
        patterns=patterns,
        guards=_tuple(doc, "guards"),
        not_with=_tuple(doc, "not_with"),
        catch_all=doc.get("catch_all") is True,
        task=doc.get("task") is True,
        reference_model=doc.get("reference_model") is True,
        examples=_tuple(doc, "examples"),
        counterexamples=_tuple(doc, "counterexamples"),
        file=str(path),
        line=line,
    )


def collect_concepts(root: Path, family_docs: Mapping[str, Any], problems: list[str]) -> dict[str, Concept]:
    concepts: dict[str, Concept] = {}
    for name, doc in family_docs.items():
        path = root / name
        family = doc["family"]
        section = doc.get("concepts") or LineDict()
        entries = [(str(family["id"]), family, True, doc.key_lines["family"])]
        entries += [
            (cid, body, False, section.key_lines.get(cid, body.line)) for cid, body in section.items()
        ]
        for cid, body, is_family, line in entries:
            concept = _concept(cid, body, path, is_family, line)
            if cid in concepts:
                first = concepts[cid]
                problems.append(
                    f"{concept.where}: concept '{cid}': id already defined at {first.where} (ids must be unique across files; rename one)"
                )
                continue
            concepts[cid] = concept
    return concepts


def check_links(concepts: Mapping[str, Concept], problems: list[str], *, check_parents: bool) -> None:
    """Parents exist, no cycles, aliases belong to one concept, patterns and regexes are sound."""
    owners: dict[str, str] = {}
    for concept in concepts.values():
        head = f"{concept.where}: concept '{concept.id}'"
        for parent in concept.parents:
            if parent not in concepts and check_parents:
                problems.append(f"{head}: parent '{parent}' is not defined{suggest_names(parent, concepts)}")
            elif parent == concept.id:
                problems.append(f"{head}: a concept cannot be its own parent")
        for alias in concept.aliases + concept.aliases_cased:
            key = alias if alias in concept.aliases_cased else alias.lower()
            other = owners.setdefault(key, concept.id)
            if other != concept.id:
                problems.append(
                    f"{head}: alias '{alias}' also belongs to concept '{other}' (an alias may name one concept only)"
                )
        problems.extend(f"{head}: {msg}" for msg in _wildcard_problems(concept))
        for pattern in concept.patterns:
            problems.extend(f"{head}: pattern '{pattern.id}': {msg}" for msg in _pattern_problems(pattern))
        for guard in concept.guards:
            names = [v for a in concept.aliases + concept.aliases_cased for v in _guardable(a)]
            if not concept.patterns and not any(_contains_phrase(guard, name) for name in names):
                problems.append(
                    f"{head}: guard '{guard}' contains none of the concept's aliases, so it can never apply"
                )
    cycle = _find_cycle(concepts)
    if cycle:
        first = concepts[cycle[0]]
        problems.append(
            f"{first.where}: concept '{first.id}': parents form a cycle ({' -> '.join(cycle)}); remove one of these parent links"
        )


def _guardable(alias: str) -> list[str]:
    """The spellings a guard may contain to apply to an alias (for a slotted alias, either part)."""
    parts = wildcard_parts(alias)
    return alias_variants(alias) if parts is None else [v for p in parts for v in alias_variants(p)]


def _wildcard_problems(concept: Concept) -> list[str]:
    """A ``*`` stands alone between words of a case-insensitive alias, once."""
    out = []
    for alias in concept.aliases:
        if WILDCARD not in alias:
            continue
        words = alias.split(" ")
        head, tail = wildcard_parts(alias) or ("", "")
        if words.count(WILDCARD) != 1 or alias.count(WILDCARD) != 1 or not head or not tail:
            out.append(
                f"alias '{alias}': a '*' stands for one to three words and must appear once, as a word "
                "of its own between other words (e.g. 'mixture of * experts')"
            )
    out.extend(
        f"alias '{alias}': '*' is not allowed in aliases_cased (move the alias to aliases)"
        for alias in concept.aliases_cased
        if WILDCARD in alias
    )
    return out


def _contains_phrase(guard: str, alias: str) -> bool:
    """``alias`` occurs in ``guard`` as whole words (case-insensitive)."""
    text, phrase = guard.lower(), alias.lower()
    at = text.find(phrase)
    while at >= 0:  # a loop over str.find: a regex per pair was most of the time rules took to load
        end = at + len(phrase)
        before = text[at - 1] if at else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
            return True
        at = text.find(phrase, at + 1)
    return False


def regex_problem(expression: str) -> str | None:
    """Why a regular expression from the rules is refused, or None when it is safe to run."""
    if len(expression) > _MAX_REGEX:
        return f"regular expression is {len(expression)} characters long (at most {_MAX_REGEX})"
    if _NESTED_QUANTIFIER.search(expression):
        return f"regular expression '{expression}' nests quantifiers (like '(a+)+'), which can take exponential time; rewrite it without the outer repeat"
    try:
        re.compile(expression)
    except re.error as exc:
        return f"invalid regular expression '{expression}': {exc}"
    return None


@functools.cache
def _validation_vocab() -> Any:
    from spacy.lang.en import English

    return English().vocab


def _pattern_problems(pattern: Pattern) -> list[str]:
    from spacy.matcher import Matcher

    out = []
    trigger = regex_problem(pattern.trigger)
    if trigger:
        out.append(f"trigger: {trigger}")
    tokens = json.loads(pattern.tokens_json)
    for spec in tokens:
        for value in spec.values():
            if isinstance(value, dict) and "REGEX" in value:
                problem = regex_problem(str(value["REGEX"]))
                if problem:
                    out.append(problem)
    if not out:
        try:
            Matcher(_validation_vocab(), validate=True).add(pattern.id, [tokens])
        except (ValueError, TypeError, KeyError) as exc:
            summary = " ".join(str(exc).split())
            out.append(f"not a valid spaCy token pattern: {summary[:300]}")
    return out


def _find_cycle(concepts: Mapping[str, Concept]) -> list[str]:
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(cid: str) -> list[str]:
        state[cid] = 1
        path.append(cid)
        for parent in concepts[cid].parents:
            if parent not in concepts:
                continue
            if state.get(parent) == 1:
                return [*path[path.index(parent) :], parent]
            if parent not in state:
                found = visit(parent)
                if found:
                    return found
        path.pop()
        state[cid] = 2
        return []

    for cid in sorted(concepts):
        if cid not in state:
            found = visit(cid)
            if found:
                return found
    return []


def link(concepts: Mapping[str, Concept]) -> dict[str, Concept]:
    """Fill in ancestors, families and level for every concept (the DAG is known to be acyclic)."""
    ancestors: dict[str, frozenset[str]] = {}

    def up(cid: str) -> frozenset[str]:
        if cid not in ancestors:
            found: set[str] = set()
            for parent in concepts[cid].parents:
                found |= {parent} | up(parent)
            ancestors[cid] = frozenset(found)
        return ancestors[cid]

    levels: dict[str, int] = {}

    def level(cid: str) -> int:
        if cid not in levels:
            parents = concepts[cid].parents
            levels[cid] = 0 if not parents else 1 + min(level(p) for p in parents)
        return levels[cid]

    linked = {}
    for cid in sorted(concepts):
        concept = concepts[cid]
        above = up(cid)
        families = tuple(sorted(a for a in above | {cid} if concepts[a].is_family))
        linked[cid] = replace(concept, ancestors=tuple(sorted(above)), families=families, level=level(cid))
    return linked


def verb_problems(cues: Cues) -> list[str]:
    """Verbs of "apply A to B" and "compare A to B" that are not cues of their role before a name:
    the reading of either phrase starts from such a cue."""
    out: list[str] = []
    for key, verbs, role in (
        ("applies_to", cues.applies_to, "uses"),
        ("compares_with", cues.compares_with, "compares"),
    ):
        known = {phrase.lower() for phrase, r in cues.before if r == role}
        out.extend(
            f"{key} verb '{v}' is not a '{role}' cue before a name (add it to roles.{role}.before)"
            for v in verbs
            if v.lower() not in known
        )
    return out


def parse_cues(doc: Mapping[str, Any]) -> Cues:
    before: list[tuple[str, Role]] = []
    after: list[tuple[str, Role]] = []
    for role in ROLES:
        lists = (doc.get("roles") or {}).get(role) or {}
        before.extend((str(p), role) for p in lists.get("before") or ())
        after.extend((str(p), role) for p in lists.get("after") or ())
    return Cues(
        int(doc["window"]),
        tuple(before),
        tuple(after),
        _tuple(doc, "barriers"),
        _tuple(doc, "conjunctions"),
        _tuple(doc, "self"),
        _tuple(doc, "builds_on"),
        _tuple(doc, "not_in_titles"),
        int(doc["after_window"]) if "after_window" in doc else None,
        _tuple(doc, "evaluation") + _tuple(doc, "metrics"),  # a metric is a word of a report too
        _tuple(doc, "title_barriers"),
        _tuple(doc, "reports"),
        _tuple(doc, "metrics"),
        _tuple(doc, "applies_to"),
        _tuple(doc, "datasets"),
        _tuple(doc, "compares_with"),
    )


def parse_scoring(doc: Mapping[str, Any]) -> Scoring:
    return Scoring(
        weights={f: {r: float(w) for r, w in roles.items()} for f, roles in doc["weights"].items()},
        repeat_decay=float(doc["repeat_decay"]),
        min_score=float(doc["primary"]["min_score"]),
        min_share=float(doc["primary"]["min_share"]),
        fallback=bool(doc["primary"].get("fallback", True)),
        mentions_alone=bool(doc["primary"].get("mentions_alone", True)),
    )


def parse_areas(
    path: Path, doc: Any, concepts: Mapping[str, Concept], problems: list[str]
) -> dict[str, Area]:
    """The areas of ``areas.yaml``: each of its families must exist and belong to one area only."""
    areas: dict[str, Area] = {}
    seen: dict[str, str] = {}
    for aid, body in doc["areas"].items():
        line = getattr(body, "line", 0) or doc["areas"].key_lines.get(aid, 0)
        where = f"{path}:{line}" if line else str(path)
        if aid in concepts:
            problems.append(f"{where}: area '{aid}' has the id of a concept or family; give it another id")
        families = tuple(str(f) for f in body["families"])
        for family in families:
            if family not in concepts or not concepts[family].is_family:
                known = ", ".join(sorted(c for c, v in concepts.items() if v.is_family))
                problems.append(
                    f"{where}: area '{aid}' lists '{family}', which is no family (families: {known})"
                )
            elif family in seen:
                problems.append(f"{where}: family '{family}' is in area '{seen[family]}' and in area '{aid}'")
            else:
                seen[family] = aid
        areas[aid] = Area(aid, str(body["label"]), str(body["description"]), families)
    return areas


def digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in rule_files(root):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def raise_problems(root: Path, problems: list[str]) -> None:
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    lines = "\n".join(f"  - {p}" for p in problems)
    raise RulesError(f"{root}: {count}\n{lines}", tuple(problems))
