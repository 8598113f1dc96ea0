"""Checking rule files against the JSON Schema, with one plain message per problem and a hint."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from taxonomy.rules.yamlfile import LineDict, default_rules_dir

if TYPE_CHECKING:
    import jsonschema

SCHEMA_FILE = "schema.json"


def load_schema() -> dict[str, Any]:
    text = (default_rules_dir() / SCHEMA_FILE).read_text(encoding="utf-8")
    return cast(dict[str, Any], json.loads(text))


def schema_problems(path: Path, doc: Any, schema: dict[str, Any], kind: str) -> list[str]:
    import jsonschema  # only when rule files are read, not when they come from the rules cache

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
            out.append(f"{path}:{bad_line}: {owner}unknown key '{bad}'{did_you_mean(bad, known)}")
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


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def suggest_names(word: str, candidates: Iterable[str]) -> str:
    """A did-you-mean hint, or else the most similar defined names."""
    names = list(candidates)
    hint = did_you_mean(word, names)
    if hint or not names:
        return hint
    ranked = sorted(names, key=lambda n: (-difflib.SequenceMatcher(None, word, n).ratio(), n))
    more = ", ..." if len(names) > 5 else ""
    return f" (defined: {', '.join(ranked[:5])}{more})"
