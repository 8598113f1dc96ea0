"""Load a rules folder into a validated ``Taxonomy``.

A rules folder holds one YAML file per method family (the family and the concepts below it),
``cues.yaml`` (phrases that tell a concept's role in a sentence) and ``scoring.yaml`` (the weights of
the primary-family decision); ``schema.json`` in the bundled rules describes all three. Files are
read with ``yaml.safe_load`` semantics only: no rule can run code. Every problem in every file is
collected and reported at once, with file, line and what to do.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, cast

import jsonschema
import yaml

from taxonomy.errors import RulesError
from taxonomy.models import ROLES, Role

CUES_FILE = "cues.yaml"
SCORING_FILE = "scoring.yaml"
SCHEMA_FILE = "schema.json"

_MAX_REGEX = 200
# Nested quantifiers such as (a+)+ or (\w*)* backtrack catastrophically on near-misses.
_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[+*](?:[^()\\]|\\.)*\)\s*(?:[+*]|\{\d*,)")


@dataclass(frozen=True, slots=True)
class Pattern:
    """A token pattern for a name shape, run only where its trigger regex matches the text."""

    id: str
    trigger: str
    tokens_json: str  # the spaCy Matcher pattern, as canonical JSON (keeps the value hashable)


@dataclass(frozen=True, slots=True)
class Concept:
    """A family (level 0) or a concept below one, as defined in the rules."""

    id: str
    label: str
    description: str
    is_family: bool
    parents: tuple[str, ...]
    aliases: tuple[str, ...]
    aliases_cased: tuple[str, ...]
    patterns: tuple[Pattern, ...]
    guards: tuple[str, ...]
    examples: tuple[str, ...]
    counterexamples: tuple[str, ...]
    file: str
    line: int
    ancestors: tuple[str, ...] = ()  # every concept above this one, sorted
    families: tuple[str, ...] = ()  # the families it rolls up to (itself for a family)
    level: int = 0  # 0 for a family, else 1 + the lowest parent level

    @property
    def where(self) -> str:
        """``file:line`` of the definition."""
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class Cues:
    """Role cue phrases: ``before`` cues apply to a concept after them, ``after`` cues to one before."""

    window: int
    before: tuple[tuple[str, Role], ...]
    after: tuple[tuple[str, Role], ...]
    barriers: tuple[str, ...]
    conjunctions: tuple[str, ...] = ()
    self_markers: tuple[str, ...] = ()
    builds_on: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Scoring:
    """Weights and thresholds of the primary-family decision."""

    weights: Mapping[str, Mapping[str, float]]  # field -> role -> weight of one mention
    repeat_decay: float
    min_score: float
    min_share: float


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """The validated rules: concepts by id (families included), cues and scoring."""

    concepts: Mapping[str, Concept]
    families: tuple[str, ...]
    cues: Cues
    scoring: Scoring
    version: str  # a digest of the rules files' contents
    root: str = field(default="", compare=False)

    def family_of(self, concept_id: str) -> tuple[str, ...]:
        """The families a concept rolls up to."""
        return self.concepts[concept_id].families

    def children(self, concept_id: str) -> tuple[str, ...]:
        """Concepts whose parents include ``concept_id``, sorted."""
        return tuple(sorted(c.id for c in self.concepts.values() if concept_id in c.parents))


def default_rules_dir() -> Path:
    """The rules bundled with the package (the repository's ``rules/`` in a source checkout)."""
    bundled = Path(str(resources.files("taxonomy"))) / "_rules"
    if bundled.is_dir():
        return bundled
    return Path(__file__).resolve().parent.parent / "rules"


def load_rules(rules_dir: str | Path | None = None) -> Taxonomy:
    """Read, validate and link a rules folder; raise ``RulesError`` listing every problem."""
    root = Path(rules_dir) if rules_dir is not None else default_rules_dir()
    if not root.is_dir():
        raise RulesError(f"{root}: rules folder not found (pass --rules DIR, a folder of YAML files)")
    problems: list[str] = []
    docs = _read_documents(root, problems)
    family_docs = {name: doc for name, doc in docs.items() if name not in (CUES_FILE, SCORING_FILE)}
    if not family_docs and not problems:
        problems.append(
            f"{root}: no family files (*.yaml) found; each family needs a file with a 'family:' section"
        )
    schema = _schema()
    valid: dict[str, Any] = {}
    for name, doc in docs.items():
        kind = {CUES_FILE: "cues_file", SCORING_FILE: "scoring_file"}.get(name, "family_file")
        found = _schema_problems(root / name, doc, schema, kind)
        problems.extend(found)
        if not found:
            valid[name] = doc
    # Concepts from files that passed the schema are still checked, so one run shows every problem;
    # a parent may live in a file that failed, so unknown parents are only judged when all passed.
    complete = len(valid) == len(docs) and not problems
    concepts = _collect_concepts(root, {n: d for n, d in valid.items() if n in family_docs}, problems)
    _check_links(concepts, problems, check_parents=complete)
    if problems:
        _raise(root, problems)
    linked = _link(concepts)
    # A rules folder without cue or scoring files uses the bundled ones.
    cues = _cues(docs.get(CUES_FILE) or _bundled_document(CUES_FILE))
    scoring = _scoring(docs.get(SCORING_FILE) or _bundled_document(SCORING_FILE))
    families = tuple(sorted(c.id for c in linked.values() if c.is_family))
    return Taxonomy(linked, families, cues, scoring, _digest(root), str(root))


def rule_files(root: Path) -> list[Path]:
    """The YAML files of a rules folder, sorted by name."""
    return sorted(p for p in root.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def alias_variants(alias: str) -> list[str]:
    """Spellings an alias also matches: hyphen or space between words, joined words, plural -s.

    Up to four words get every hyphen/space combination (at most 8); longer aliases keep their
    own separators or all spaces, so the list stays short (at most 20 with plurals).
    """
    words = re.split(r"[ -]", alias)
    variants = {alias}
    if len(words) > 1:
        seps = [" ", "-"] if len(words) <= 4 else [" "]  # 2**(n-1) combinations: cap the growth
        forms = [words[0]]
        for word in words[1:]:
            forms = [f + sep + word for f in forms for sep in seps]
        variants.update(forms)
        if "-" in alias:
            variants.add("".join(words))
    for form in list(variants):
        last = re.split(r"[ -]", form)[-1]
        if last.isalpha() and len(last) > 1 and not last.lower().endswith("s"):
            variants.add(form + ("S" if last.isupper() and len(last) > 4 else "s"))
    return sorted(variants)


# --- reading YAML with line numbers -------------------------------------------------------------


class LineDict(dict[str, Any]):
    """A mapping read from YAML that remembers the line of itself and of each key."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.key_lines: dict[str, int] = {}


_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when present: ~5x faster


class _LineLoader(_SafeLoader):  # type: ignore[misc]
    """A safe loader that records lines and refuses duplicate keys (YAML would keep the last silently)."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> Iterator[LineDict]:
    data = LineDict()
    data.line = node.start_mark.line + 1
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        if key in data:
            raise yaml.MarkedYAMLError(
                problem=f"duplicate key '{key}' (the second one would silently replace the first)",
                problem_mark=key_node.start_mark,
            )
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = key_node.start_mark.line + 1


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def _parse_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a SafeLoader


def _read_documents(root: Path, problems: list[str]) -> dict[str, Any]:
    docs: dict[str, Any] = {}
    for path in rule_files(root):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: cannot be read ({exc})")
            continue
        try:
            doc = _parse_yaml(text)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            line = f":{mark.line + 1}" if mark is not None else ""
            problems.append(f"{path}{line}: invalid YAML: {exc.problem}")
            continue
        except yaml.YAMLError as exc:
            problems.append(f"{path}: invalid YAML: {exc}")
            continue
        if doc is None:
            problems.append(f"{path}: file is empty")
            continue
        docs[path.name] = doc
    return docs


def _bundled_document(name: str) -> Any:
    return _parse_yaml((default_rules_dir() / name).read_text(encoding="utf-8"))


# --- schema ---------------------------------------------------------------------------------


def _schema() -> dict[str, Any]:
    text = (default_rules_dir() / SCHEMA_FILE).read_text(encoding="utf-8")
    return cast(dict[str, Any], json.loads(text))


def _schema_problems(path: Path, doc: Any, schema: dict[str, Any], kind: str) -> list[str]:
    sub = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": f"#/$defs/{kind}"}
    validator = jsonschema.Draft202012Validator(sub)
    out = []
    for error in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        out.extend(_describe(path, doc, error, schema))
    return out


def _describe(path: Path, doc: Any, error: jsonschema.ValidationError, schema: dict[str, Any]) -> list[str]:
    """Turn a schema error into ``file:line: concept 'x': what is wrong (hint)`` messages."""
    where = list(error.absolute_path)
    line, owner = _locate(doc, where)
    prefix = f"{path}:{line}: {owner}" if owner else f"{path}:{line}: "
    key = where[-1] if where else None
    if error.validator in ("unevaluatedProperties", "additionalProperties"):
        known = _known_keys(error.schema, schema)
        instance = error.instance if isinstance(error.instance, dict) else {}
        out = []
        for bad in sorted(k for k in instance if k not in known):
            bad_line = getattr(instance, "key_lines", {}).get(bad, line)
            out.append(f"{path}:{bad_line}: {owner}unknown key '{bad}'{_did_you_mean(bad, known)}")
        return out or [f"{prefix}{error.message}"]
    if error.validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        return [f"{prefix}missing key '{m}'" for m in missing] or [f"{prefix}{error.message}"]
    if error.schema is False:  # the schema's only false subschema: a family's parents
        family = doc.get("family") if isinstance(doc, dict) else None
        bad_line = getattr(family, "key_lines", {}).get("parents", line)
        return [
            f"{path}:{bad_line}: {owner}a family has no parents; remove 'parents' (concepts name their family as parent)"
        ]
    if error.validator == "pattern" and isinstance(error.instance, str):
        return [f"{prefix}'{error.instance}' is not a valid id (use lowercase letters, digits and hyphens)"]
    if error.validator == "type":
        return [
            f"{prefix}'{key}' must be {_type_name(error.validator_value)}, not {_type_name(_json_type(error.instance))}"
        ]
    if error.validator == "minItems":
        return [f"{prefix}'{key}' needs at least {error.validator_value} entry"]
    if error.validator == "uniqueItems":
        return [f"{prefix}'{key}' lists the same entry twice"]
    label = f"'{key}': " if key is not None else ""
    return [f"{prefix}{label}{error.message}"]


def _known_keys(sub: Any, schema: dict[str, Any]) -> list[str]:
    """Property names a (sub)schema allows, following $ref one level deep."""
    keys: list[str] = []
    if isinstance(sub, dict):
        keys.extend(k for k, v in sub.get("properties", {}).items() if v is not False)
        ref = sub.get("$ref", "")
        if ref.startswith("#/$defs/"):
            keys.extend(_known_keys(schema["$defs"][ref.removeprefix("#/$defs/")], schema))
    return sorted(set(keys))


def _locate(doc: Any, where: list[Any]) -> tuple[int, str]:
    """The line of the deepest mapping on a path, and the concept the path is in."""
    line, owner, node = getattr(doc, "line", 1), "", doc
    for i, step in enumerate(where):
        if isinstance(node, LineDict) and step in node.key_lines:
            line = node.key_lines[step]
        if i == 1 and where[0] == "concepts":
            owner = f"concept '{step}': "
        elif i == 0 and step == "family":
            family_id = node.get("family", {}).get("id", "?") if isinstance(node, dict) else "?"
            owner = f"family '{family_id}': "
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
    return line, owner


def _json_type(value: Any) -> str:
    for name, kind in (("boolean", bool), ("string", str), ("integer", int), ("number", float)):
        if isinstance(value, kind):
            return name
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def _type_name(kind: Any) -> str:
    names = {
        "array": "a list",
        "object": "a mapping",
        "string": "text",
        "number": "a number",
        "integer": "a whole number",
        "boolean": "true or false",
        "null": "empty",
    }
    return names.get(str(kind), str(kind))


def _did_you_mean(word: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _suggest(word: str, candidates: Iterable[str]) -> str:
    """A did-you-mean hint, or else the most similar defined names."""
    names = list(candidates)
    hint = _did_you_mean(word, names)
    if hint or not names:
        return hint
    ranked = sorted(names, key=lambda n: (-difflib.SequenceMatcher(None, word, n).ratio(), n))
    more = ", ..." if len(names) > 5 else ""
    return f" (defined: {', '.join(ranked[:5])}{more})"


# --- concepts -------------------------------------------------------------------------------


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
        examples=_tuple(doc, "examples"),
        counterexamples=_tuple(doc, "counterexamples"),
        file=str(path),
        line=line,
    )


def _collect_concepts(root: Path, family_docs: Mapping[str, Any], problems: list[str]) -> dict[str, Concept]:
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


def _check_links(concepts: Mapping[str, Concept], problems: list[str], *, check_parents: bool) -> None:
    """Parents exist, no cycles, aliases belong to one concept, patterns and regexes are sound."""
    owners: dict[str, str] = {}
    for concept in concepts.values():
        head = f"{concept.where}: concept '{concept.id}'"
        for parent in concept.parents:
            if parent not in concepts and check_parents:
                problems.append(f"{head}: parent '{parent}' is not defined{_suggest(parent, concepts)}")
            elif parent == concept.id:
                problems.append(f"{head}: a concept cannot be its own parent")
        for alias in concept.aliases + concept.aliases_cased:
            key = alias if alias in concept.aliases_cased else alias.lower()
            other = owners.setdefault(key, concept.id)
            if other != concept.id:
                problems.append(
                    f"{head}: alias '{alias}' also belongs to concept '{other}' (an alias may name one concept only)"
                )
        for pattern in concept.patterns:
            problems.extend(f"{head}: pattern '{pattern.id}': {msg}" for msg in _pattern_problems(pattern))
        for guard in concept.guards:
            names = [v for a in concept.aliases + concept.aliases_cased for v in alias_variants(a)]
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


def _contains_phrase(guard: str, alias: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(alias.lower())}(?!\w)", guard.lower()) is not None


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


def _link(concepts: Mapping[str, Concept]) -> dict[str, Concept]:
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
        linked[cid] = _replace(concept, ancestors=tuple(sorted(above)), families=families, level=level(cid))
    return linked


def _replace(concept: Concept, **changes: Any) -> Concept:
    from dataclasses import replace

    return replace(concept, **changes)


def _cues(doc: Mapping[str, Any]) -> Cues:
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
    )


def _scoring(doc: Mapping[str, Any]) -> Scoring:
    return Scoring(
        weights={f: {r: float(w) for r, w in roles.items()} for f, roles in doc["weights"].items()},
        repeat_decay=float(doc["repeat_decay"]),
        min_score=float(doc["primary"]["min_score"]),
        min_share=float(doc["primary"]["min_share"]),
    )


def _digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in rule_files(root):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _raise(root: Path, problems: list[str]) -> None:
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    lines = "\n".join(f"  - {p}" for p in problems)
    raise RulesError(f"{root}: {count}\n{lines}", tuple(problems))
