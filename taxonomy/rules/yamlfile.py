"""Reading rule files: YAML with safe-loader semantics, line numbers kept, duplicate keys refused."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import yaml


def default_rules_dir() -> Path:
    """The rules bundled with the package (the repository's ``rules/`` in a source checkout)."""
    bundled = Path(str(resources.files("taxonomy"))) / "_rules"
    if bundled.is_dir():
        return bundled
    return Path(__file__).resolve().parents[2] / "rules"


def rule_files(root: Path) -> list[Path]:
    """The YAML files of a rules folder, sorted by name."""
    return sorted(p for p in root.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


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


def parse_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a SafeLoader


def read_documents(root: Path, problems: list[str]) -> dict[str, Any]:
    docs: dict[str, Any] = {}
    for path in rule_files(root):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: cannot be read ({exc})")
            continue
        try:
            doc = parse_yaml(text)
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


def bundled_document(name: str) -> Any:
    return parse_yaml((default_rules_dir() / name).read_text(encoding="utf-8"))
