"""GraphML 1.0: the one writer of both graphs, the concept graph and the streamed paper graph.

Each attribute has a ``<key>`` with an ``attr.type`` of ``int``, ``double``, ``boolean`` or
``string`` and an id such as ``node_label`` (never networkx's ``d3``, which Gephi takes for a yEd
label). Graph attributes are left out: Gephi reports a ``for="graph"`` key as an error. All nodes
come before all edges, as Cytoscape and Gephi need.

``render_graphml`` writes a whole graph (the concept graph). ``GraphMLKeys`` writes one element at a
time, checking each value against its key, and ``GraphMLKeys.row`` compiles a writer for elements
that hold a fixed set of attributes (the paper graph streams millions of them through two rows);
both give the same bytes. The edge id is both the XML ``id`` attribute (networkx's edge key, Gephi's
edge id) and an ``id`` data key: python-igraph 1.0 fills its ``id`` edge attribute with the wrong
values when it reads them from the XML attribute alone.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from taxonomy.export.table import SCOPES, Table
from taxonomy.export.values import Value, format_value, value_type, xml_attr, xml_text

GRAPHML_FOOTER = "  </graph>\n</graphml>\n"


@dataclass(frozen=True, slots=True)
class GraphMLKeys:
    """The typed GraphML keys of a document: (scope, attribute name) -> attr.type, with stable key ids."""

    types: Mapping[tuple[str, str], str]
    # The escaped key id of each (scope, name), computed once: a paper graph writes millions of <data>.
    _ids: Mapping[tuple[str, str], str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_ids", {key: xml_attr(self.key_id(*key)) for key in self.types})

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
        for scope, name in sorted(self.types, key=lambda k: (SCOPES.index(k[0]), k[1])):
            lines.append(
                f'  <key id="{xml_attr(self.key_id(scope, name))}" for="{scope}"'
                f' attr.name="{xml_attr(name)}" attr.type="{self.types[scope, name]}"/>'
            )
        edgedefault = "directed" if directed else "undirected"
        lines.append(f'  <graph id="{xml_attr(graph_id)}" edgedefault="{edgedefault}">')
        return "\n".join(lines) + "\n"

    def row(self, scope: str, names: Sequence[str]) -> GraphMLRow:
        """A writer of ``scope`` elements that hold only ``names`` (checked against the keys once)."""
        ordered = tuple(sorted(names))
        for name in ordered:
            if (scope, name) not in self.types:
                raise ValueError(f"{scope} attribute '{name}' has no declared GraphML key")
        prefixes = tuple(f'\n      <data key="{self._ids[scope, n]}">' for n in ordered)
        return GraphMLRow(self, scope, ordered, tuple(self.types[scope, n] for n in ordered), prefixes)

    def node(self, node_id: str, data: Mapping[str, Value]) -> str:
        """One ``<node>`` element with its data, sorted by attribute name."""
        return self._element(f'<node id="{xml_attr(node_id)}"', "node", node_id, data)

    def edge(self, edge_id: str, source: str, target: str, data: Mapping[str, Value]) -> str:
        """One ``<edge>`` element (its id as the XML ``id``) with its data, sorted by attribute name."""
        head = f'<edge id="{xml_attr(edge_id)}" source="{xml_attr(source)}" target="{xml_attr(target)}"'
        return self._element(head, "edge", edge_id, data)

    def _element(self, head: str, scope: str, ident: str, data: Mapping[str, Value]) -> str:
        body = self._data(scope, ident, data, "      ")
        if not body:
            return f"    {head}/>\n"
        tag = head.split(" ", 1)[0][1:]
        return "\n".join([f"    {head}>", *body, f"    </{tag}>"]) + "\n"

    def _data(self, scope: str, ident: str, data: Mapping[str, Value], indent: str) -> list[str]:
        ids = self._ids
        return [
            f'{indent}<data key="{ids[scope, name]}">{xml_text(self._text(scope, ident, name, data[name]))}</data>'
            for name in sorted(data)
        ]

    def _text(self, scope: str, ident: str, name: str, value: Value) -> str:
        """A value as the text of its ``<data>`` element (not yet escaped), checked against its key."""
        declared = self.types.get((scope, name))
        kind = type(value)
        # Plain values of their key's own type are most values (millions in a paper graph): they
        # skip the general checks, which name the attribute and say what is wrong.
        if kind is str and declared == "string":
            return value  # type: ignore[return-value]
        if (kind is int and declared == "int") or (
            kind is float and declared == "double" and math.isfinite(value)  # type: ignore[arg-type]
        ):
            return repr(value)
        where = f"{scope} '{ident}' attribute '{name}'"
        if declared is None:
            raise ValueError(f"{where} has no declared GraphML key")
        found = value_type(value, where)
        if found != declared and (found, declared) != ("int", "double"):
            raise TypeError(f"{where} is {found}, but its key is declared {declared}")
        return format_value(value)


@dataclass(frozen=True, slots=True)
class GraphMLRow:
    """Writes elements whose attributes are a fixed set of names: the bytes ``GraphMLKeys.node`` and
    ``.edge`` write, several times faster, for the paper graph's millions of elements. Values are
    given in the order of ``names`` (sorted), ``None`` for an attribute an element does not have."""

    keys: GraphMLKeys
    scope: str
    names: tuple[str, ...]
    kinds: tuple[str, ...]
    prefixes: tuple[str, ...]

    def node(self, node_id: str, values: Sequence[Value | None]) -> str:
        """One ``<node>``."""
        return self._element(f'    <node id="{xml_attr(node_id)}"', "node", node_id, values)

    def edge(self, edge_id: str, source: str, target: str, values: Sequence[Value | None]) -> str:
        """One ``<edge>`` (its id as the XML ``id``)."""
        head = f'    <edge id="{xml_attr(edge_id)}" source="{xml_attr(source)}" target="{xml_attr(target)}"'
        return self._element(head, "edge", edge_id, values)

    def _element(self, head: str, tag: str, ident: str, values: Sequence[Value | None]) -> str:
        parts = [head, ">"]
        for name, kind, prefix, value in zip(self.names, self.kinds, self.prefixes, values, strict=True):
            if value is None:
                continue
            if kind == "string" and type(value) is str:  # most values: no check needed
                parts += [prefix, xml_text(value), "</data>"]
            else:
                parts += [prefix, xml_text(self.keys._text(self.scope, ident, name, value)), "</data>"]
        if len(parts) == 2:
            return f"{head}/>\n"
        parts.append(f"\n    </{tag}>\n")
        return "".join(parts)


def render_graphml(table: Table, stem: str) -> str:
    """The whole GraphML document of a flattened graph (the edge id also as an ``id`` data key)."""
    return "".join(graphml_parts(table, stem))


def graphml_parts(table: Table, stem: str) -> Iterator[str]:
    """``render_graphml`` a part at a time (the header, each element, the footer), to write as it goes."""
    types = {key: kind for key, kind in table.types.items() if key[0] != "graph"}
    if table.edges:
        types["edge", "id"] = "string"
    keys = GraphMLKeys(types)
    yield keys.header(stem, directed=table.directed)
    for node, data in table.nodes:
        yield keys.node(node, data)
    for eid, u, v, data in table.edges:
        yield keys.edge(eid, u, v, {**data, "id": eid})
    yield GRAPHML_FOOTER
