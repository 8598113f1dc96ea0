"""Write graphs to files that networkx, igraph, Gephi and Cytoscape open as they are.

Every format is deterministic: the same graph gives the same bytes whatever order its nodes and
edges were added in (nodes, edges and attributes are written sorted) and no date, version or path
is written. Attribute values must be ``str``, ``int``, finite ``float`` or ``bool``: ``None`` and
lists raise ``TypeError`` (leave the attribute out; join lists with ``"; "``). An edge's id is its
``id`` attribute, else its key; ids must be unique.

``graphml``
    GraphML 1.0, nodes and edges only: graph attributes are left out, as Gephi reports a
    ``for="graph"`` key as an error (they are in the JSON and the GEXF ``<meta>``). Each node and
    edge attribute has a ``<key>`` with an ``attr.type`` of ``int``, ``double``,
    ``boolean`` or ``string`` (types networkx, igraph, Gephi and Cytoscape all read; an attribute
    holding both ints and floats is ``double``) and an id such as ``node_label``: never networkx's
    ``d3``/``d7``, which Gephi takes for yEd labels. All nodes come before all edges, as Cytoscape
    and Gephi need. The edge id is both the XML ``id`` attribute (networkx's edge key, Gephi's edge
    id) and an ``id`` data key: python-igraph 1.0 fills its ``id`` edge attribute with the wrong
    values when it reads them from the XML attribute alone (it then warns "Could not add edge ids,
    there is already an 'id' edge attribute" and keeps the right ones).
``gexf``
    GEXF 1.3, for Gephi. Node ``label``, edge ``id`` and ``weight`` are XML attributes; the rest are
    ``<attvalue>`` of declared typed attributes. A node with ``first_year``/``last_year`` gets
    ``start``/``end`` (graph ``mode="dynamic"``, ``timeformat="double"``): Gephi's timeline. An
    edge's ``kind`` is its ``relation``, so Gephi keeps parallel edges of different relations apart.
``json``
    networkx node-link data with the edge list under ``"edges"``; read it back with
    ``nx.node_link_graph(data, edges="edges")``.
``csv``
    ``STEM-nodes.csv`` (``id``, then the attributes) and ``STEM-edges.csv`` (``id``, ``source``,
    ``target``, ``kind`` = relation as in the GEXF, then the attributes): UTF-8, one header row, an
    empty cell where a value is missing.

XML 1.0 cannot hold most control characters; the XML formats write U+FFFD in their place
(``xml_safe``), and escape ``& < > "`` and line breaks so that every other character reads back.
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import io
import itertools
import json
import math
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

import networkx as nx

from taxonomy.errors import OutputError, UsageError

GRAPH_FORMATS: tuple[str, ...] = ("graphml", "gexf", "json", "csv")
SPELL_START = "first_year"  # node attributes that become GEXF start/end (Gephi's timeline)
SPELL_END = "last_year"
GRAPHML_FOOTER = "  </graph>\n</graphml>\n"

Value: TypeAlias = str | int | float | bool
_SCOPES = ("node", "edge")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTR = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#9;"}
)
_GEXF_TYPES = {"int": "integer", "double": "double", "boolean": "boolean", "string": "string"}
_IGNORED_GRAPH_KEYS = ("node_default", "edge_default")  # added by networkx's readers


def xml_safe(text: str) -> str:
    """The text with every character XML 1.0 forbids (most control characters) replaced by U+FFFD."""
    if text.isprintable():  # no control character, surrogate or noncharacter: the common case, ~5x faster
        return text
    return _NOT_XML.sub("\ufffd", text)


def value_type(value: object, where: str) -> str:
    """The GraphML type of an attribute value; ``TypeError`` naming ``where`` for a value no format holds."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where} is {value}: only finite numbers can be exported")
        return "double"
    if isinstance(value, str):
        return "string"
    if value is None:
        hint = "leave the attribute out instead"
    elif isinstance(value, list | tuple | set | frozenset):
        hint = "join the items into one string with '; '"
    else:
        hint = "use a str, int, float or bool"
    raise TypeError(f"{where} is a {type(value).__name__}, which cannot be exported ({hint})")


def format_value(value: Value) -> str:
    """A value as text: ``true``/``false`` for booleans, the shortest round-tripping form for numbers."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else repr(value)


def _merge_type(old: str | None, new: str, where: str) -> str:
    if old is None or old == new:
        return new
    if {old, new} == {"int", "double"}:
        return "double"
    raise TypeError(f"{where} holds both {old} and {new} values; give it one type")


def _text(value: str) -> str:
    return xml_safe(value).translate(_TEXT)


def _attr(value: str) -> str:
    return xml_safe(value).translate(_ATTR)


@dataclass(frozen=True, slots=True)
class GraphMLKeys:
    """The typed GraphML keys of a document: (scope, attribute name) -> attr.type, with stable key ids."""

    types: Mapping[tuple[str, str], str]
    # The escaped key id of each (scope, name), computed once: a paper graph writes millions of <data>.
    _ids: Mapping[tuple[str, str], str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_ids", {key: _attr(self.key_id(*key)) for key in self.types})

    def key_id(self, scope: str, name: str) -> str:
        """``node_label``-style id; names that are not XML name tokens fall back to a numbered id."""
        if re.fullmatch(r"[A-Za-z0-9_.-]+", name):
            return f"{scope}_{name}"
        return f"{scope}{sorted(n for s, n in self.types if s == scope).index(name)}"

    def header(self, graph_id: str, *, directed: bool) -> str:
        """The XML declaration, the key declarations and the opening graph tag."""
        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"'
            ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
            ' xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns'
            ' http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">',
        ]
        for scope, name in sorted(self.types, key=lambda k: (_SCOPES.index(k[0]), k[1])):
            lines.append(
                f'  <key id="{_attr(self.key_id(scope, name))}" for="{scope}"'
                f' attr.name="{_attr(name)}" attr.type="{self.types[scope, name]}"/>'
            )
        edgedefault = "directed" if directed else "undirected"
        lines.append(f'  <graph id="{_attr(graph_id)}" edgedefault="{edgedefault}">')
        return "\n".join(lines) + "\n"

    def node(self, node_id: str, data: Mapping[str, Value]) -> str:
        """One ``<node>`` element with its data, sorted by attribute name."""
        return self._element(f'<node id="{_attr(node_id)}"', "node", node_id, data)

    def edge(self, edge_id: str, source: str, target: str, data: Mapping[str, Value]) -> str:
        """One ``<edge>`` element (its id as the XML ``id``) with its data, sorted by attribute name."""
        head = f'<edge id="{_attr(edge_id)}" source="{_attr(source)}" target="{_attr(target)}"'
        return self._element(head, "edge", edge_id, data)

    def _element(self, head: str, scope: str, ident: str, data: Mapping[str, Value]) -> str:
        body = self._data(scope, ident, data, "      ")
        if not body:
            return f"    {head}/>\n"
        tag = head.split(" ", 1)[0][1:]
        return "\n".join([f"    {head}>", *body, f"    </{tag}>"]) + "\n"

    def _data(self, scope: str, ident: str, data: Mapping[str, Value], indent: str) -> list[str]:
        lines = []
        types, ids = self.types, self._ids
        for name in sorted(data):
            value = data[name]
            declared = types.get((scope, name))
            # Plain strings into string keys are most values: skip the general checks for them.
            if declared != "string" or type(value) is not str:
                where = f"{scope} '{ident}' attribute '{name}'"
                if declared is None:
                    raise ValueError(f"{where} has no declared GraphML key")
                found = value_type(value, where)
                if found != declared and (found, declared) != ("int", "double"):
                    raise TypeError(f"{where} is {found}, but its key is declared {declared}")
                value = format_value(value)
            lines.append(f'{indent}<data key="{ids[scope, name]}">{_text(value)}</data>')
        return lines


@dataclass(frozen=True, slots=True)
class _Table:
    """A graph checked and flattened for writing: sorted nodes and edges with their attributes."""

    directed: bool
    graph: dict[str, Value]
    nodes: list[tuple[str, dict[str, Value]]]
    edges: list[tuple[str, str, str, dict[str, Value]]]  # (id, source, target, attributes without id)
    types: dict[tuple[str, str], str]


def _edges(graph: Any) -> Iterator[tuple[str, Any, Any, Any, dict[str, Any]]]:
    """(id, source, target, key, data) of every edge; the id is the ``id`` attribute, else the key."""
    if graph.is_multigraph():
        for u, v, key, data in graph.edges(keys=True, data=True):
            yield str(data.get("id", key)), u, v, key, data
    else:
        for u, v, data in graph.edges(data=True):
            yield str(data.get("id", f"{u}->{v}")), u, v, None, data


def _table(graph: Any) -> _Table:
    types: dict[tuple[str, str], str] = {}

    def check(scope: str, ident: str, data: Mapping[str, Any]) -> dict[str, Value]:
        for name, value in data.items():
            where = f"{scope} '{ident}' attribute '{name}'"
            types[scope, str(name)] = _merge_type(
                types.get((scope, str(name))), value_type(value, where), where
            )
        return {str(k): v for k, v in sorted(data.items())}

    graph_data = {k: v for k, v in graph.graph.items() if k not in _IGNORED_GRAPH_KEYS}
    gdata = check("graph", "graph", graph_data)
    nodes = []
    for node, data in graph.nodes(data=True):
        if "id" in data:
            raise ValueError(
                f"node '{node}' has an attribute 'id', which clashes with the node id; rename it"
            )
        nodes.append((str(node), check("node", str(node), data)))
    nodes.sort(key=lambda n: n[0])
    if len({n for n, _ in nodes}) != len(nodes):
        raise ValueError("two nodes have the same id once written as text; give nodes distinct string ids")
    edges = []
    for edge_id, u, v, _, data in _edges(graph):
        rest = {k: val for k, val in data.items() if k != "id"}
        edges.append((edge_id, str(u), str(v), check("edge", edge_id, rest)))
    edges.sort(key=lambda e: e[0])
    for (a, *_), (b, *_) in itertools.pairwise(edges):  # sorted, so a repeated id is a neighbour
        if a == b:
            raise ValueError(f"two edges have the id '{a}'; edge ids must be unique")
    return _Table(graph.is_directed(), gdata, nodes, edges, types)


# --- the formats -------------------------------------------------------------------------------


def _graphml(table: _Table, stem: str) -> str:
    types = {key: kind for key, kind in table.types.items() if key[0] != "graph"}
    if table.edges:
        types["edge", "id"] = "string"
    keys = GraphMLKeys(types)
    parts = [keys.header(stem, directed=table.directed)]
    parts.extend(keys.node(node, data) for node, data in table.nodes)
    parts.extend(keys.edge(eid, u, v, {**data, "id": eid}) for eid, u, v, data in table.edges)
    parts.append(GRAPHML_FOOTER)
    return "".join(parts)


def _gexf(table: _Table, stem: str) -> str:
    node_types = {n: t for (s, n), t in table.types.items() if s == "node" and n != "label"}
    numeric_weight = table.types.get(("edge", "weight")) in ("int", "double")
    edge_types = {
        n: t for (s, n), t in table.types.items() if s == "edge" and not (n == "weight" and numeric_weight)
    }
    dynamic = any(SPELL_START in d or SPELL_END in d for _, d in table.nodes)
    mode = ' mode="dynamic" timeformat="double"' if dynamic else ' mode="static"'
    about = "; ".join(f"{k}={format_value(v)}" for k, v in table.graph.items())
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gexf xmlns="http://gexf.net/1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">',
        "  <meta>",
        "    <creator>taxonomy</creator>",
        f"    <description>{_text(stem + (': ' + about if about else ''))}</description>",
        "  </meta>",
        f'  <graph defaultedgetype="{"directed" if table.directed else "undirected"}"{mode}>',
    ]
    for scope, declared in (("node", node_types), ("edge", edge_types)):
        if declared:
            lines.append(f'    <attributes class="{scope}">')
            lines.extend(
                f'      <attribute id="{_attr(n)}" title="{_attr(n)}" type="{_GEXF_TYPES[t]}"/>'
                for n, t in sorted(declared.items())
            )
            lines.append("    </attributes>")
    lines.append("    <nodes>")
    for node, data in table.nodes:
        head = f'<node id="{_attr(node)}" label="{_attr(str(data.get("label", node)))}"'
        for xml_name, name in (("start", SPELL_START), ("end", SPELL_END)):
            if isinstance(data.get(name), int | float):
                head += f' {xml_name}="{format_value(data[name])}"'
        lines.extend(_gexf_element(head, {k: v for k, v in data.items() if k != "label"}))
    lines.extend(["    </nodes>", "    <edges>"])
    for edge_id, u, v, data in table.edges:
        head = f'<edge id="{_attr(edge_id)}" source="{_attr(u)}" target="{_attr(v)}"'
        if "relation" in data:
            head += f' kind="{_attr(str(data["relation"]))}"'
        rest = dict(data)
        if numeric_weight and "weight" in rest:
            head += f' weight="{format_value(rest.pop("weight"))}"'
        lines.extend(_gexf_element(head, rest))
    lines.extend(["    </edges>", "  </graph>", "</gexf>"])
    return "\n".join(lines) + "\n"


def _gexf_element(head: str, data: Mapping[str, Value]) -> list[str]:
    tag = head.split(" ", 1)[0][1:]
    if not data:
        return [f"      {head}/>"]
    values = [
        f'          <attvalue for="{_attr(k)}" value="{_attr(format_value(v))}"/>'
        for k, v in sorted(data.items())
    ]
    return [f"      {head}>", "        <attvalues>", *values, "        </attvalues>", f"      </{tag}>"]


def _node_link(graph: Any, table: _Table) -> str:
    ordered = nx.MultiDiGraph() if table.directed else nx.MultiGraph()
    ordered.graph.update(table.graph)
    originals = {str(n): n for n in graph.nodes}
    ordered.add_nodes_from((originals[n], data) for n, data in table.nodes)
    by_id = {edge_id: (u, v, key, data) for edge_id, u, v, key, data in _edges(graph)}
    for edge_id, *_ in table.edges:
        u, v, key, attrs = by_id[edge_id]
        ordered.add_edge(u, v, key=edge_id if key is None else key, **dict(sorted(attrs.items())))
    data = nx.node_link_data(ordered, edges="edges")
    data["edges"].sort(key=lambda e: str(e.get("id", e["key"])))  # networkx lists edges by source node
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"


def _csv(rows: Iterable[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue()


def _csv_tables(table: _Table) -> tuple[str, str]:
    node_cols = sorted(n for s, n in table.types if s == "node")
    edge_cols = sorted(n for s, n in table.types if s == "edge")

    def cell(data: Mapping[str, Value], name: str) -> str:
        return format_value(data[name]) if name in data else ""

    nodes = [["id", *node_cols]] + [[n, *(cell(d, c) for c in node_cols)] for n, d in table.nodes]
    # Gephi's spreadsheet import keeps parallel edges apart only when their "kind" differs.
    kind = "relation" in edge_cols and "kind" not in edge_cols
    head = ["id", "source", "target", *(["kind"] if kind else [])]
    edges = [head + edge_cols]
    for eid, u, v, d in table.edges:
        edges.append([eid, u, v, *([cell(d, "relation")] if kind else []), *(cell(d, c) for c in edge_cols)])
    return _csv(nodes), _csv(edges)


def _render(graph: Any, table: _Table, fmt: str, stem: str) -> list[tuple[str, str]]:
    if fmt == "graphml":
        return [(f"{stem}.graphml", _graphml(table, stem))]
    if fmt == "gexf":
        return [(f"{stem}.gexf", _gexf(table, stem))]
    if fmt == "json":
        return [(f"{stem}.json", _node_link(graph, table))]
    nodes, edges = _csv_tables(table)
    return [(f"{stem}-nodes.csv", nodes), (f"{stem}-edges.csv", edges)]


def check_formats(formats: Sequence[str]) -> tuple[str, ...]:
    """The formats asked for, in order without repeats; ``UsageError`` for one that does not exist."""
    for fmt in formats:
        if fmt not in GRAPH_FORMATS:
            close = difflib.get_close_matches(fmt, GRAPH_FORMATS, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise UsageError(f"unknown graph format '{fmt}'{hint}; choose from {', '.join(GRAPH_FORMATS)}")
    return tuple(dict.fromkeys(formats))


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text with ``\\n`` line ends, replacing the file only once it is complete."""
    hint = "choose another output folder with -o DIR"
    if path.parent.exists() and not path.parent.is_dir():
        raise OutputError(f"{path.parent}: is a file, not a folder; {hint}")
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(text.encode("utf-8"))
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot be written ({exc.strerror or exc}); {hint}") from exc


def write_graph(
    graph: nx.MultiDiGraph,
    out_dir: Path,
    stem: str = "concepts",
    formats: Sequence[str] = ("graphml",),
) -> list[Path]:
    """Write the graph in each format asked for; return the files written, in the order asked."""
    fmts = check_formats(formats)
    table = _table(graph)
    written = []
    for fmt in fmts:
        for name, text in _render(graph, table, fmt, stem):
            path = Path(out_dir) / name
            write_text(path, text)
            written.append(path)
    return written
