"""Tables: CSV node and edge lists, and VOSviewer map and network files.

``csv``
    ``STEM-nodes.csv`` (``id``, then the attributes) and ``STEM-edges.csv`` (``id``, ``source``,
    ``target``, ``kind`` = relation as in the GEXF, then the attributes): UTF-8, one header row, an
    empty cell where a value is missing.
``vosviewer``
    ``STEM-vosviewer-map.txt`` and ``STEM-vosviewer-network.txt``, the tab-separated map and
    network files VOSviewer opens (File > Open > VOSviewer map file). The map file has a header
    row and the columns ``id`` (1, 2, ... in node id order), ``label``, ``description`` (the node
    id, then its description, as HTML), ``x``, ``y``, ``cluster`` (an integer from 1), and the weights
    ``weight<Papers>``, ``weight<Links>`` and ``weight<Total link strength>``. The network file has
    no header and one line per pair of items: ``id``, ``id``, strength (papers naming both), from
    the ``co_occurs`` edges and the ``is_a`` edges (a concept and its parent share every paper of
    the concept): the co-occurrence network VOSviewer would build itself.
"""

from __future__ import annotations

import csv
import html
import io
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from taxonomy.export.table import Table
from taxonomy.export.values import Value, format_value

LINK_RELATIONS = ("co_occurs", "is_a")  # the edges whose ``count`` is papers naming both ends


def render_csv(table: Table) -> tuple[str, str]:
    """The nodes table and the edges table."""
    node_cols = table.columns("node")
    edge_cols = table.columns("edge")

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


def render_vosviewer(table: Table) -> tuple[str, str]:
    """The VOSviewer map file and network file."""
    number = {node: i for i, (node, _) in enumerate(table.nodes, start=1)}
    strength: Counter[tuple[int, int]] = Counter()
    for _, u, v, data in table.edges:
        count = data.get("count")
        if data.get("relation") in LINK_RELATIONS and isinstance(count, int) and count > 0 and u != v:
            a, b = sorted((number[u], number[v]))
            strength[a, b] += count
    links: Counter[int] = Counter()
    total: Counter[int] = Counter()
    for (a, b), value in strength.items():
        for end in (a, b):
            links[end] += 1
            total[end] += value
    rows = [["id", "label", "description", "x", "y", "cluster"]]
    rows[0] += ["weight<Papers>", "weight<Links>", "weight<Total link strength>"]
    for node, data in table.nodes:
        i = number[node]
        # VOSviewer shows a description as HTML: its text is escaped.
        description = html.escape(
            node + (f": {data['description']}" if data.get("description") else ""), quote=False
        )
        papers = data.get("papers", 0)
        rows.append(
            [
                str(i),
                _field(str(data.get("label", node))),
                _field(description),
                _number(data.get("x", 0.0)),
                _number(data.get("y", 0.0)),
                str(data.get("cluster", 1)),
                str(papers if isinstance(papers, int) else 0),
                str(links[i]),
                str(total[i]),
            ]
        )
    network = [f"{a}\t{b}\t{value}" for (a, b), value in sorted(strength.items())]
    return _lines("\t".join(row) for row in rows), _lines(network)


def _field(text: str) -> str:
    """A map-file text cell: one line, no tab; quoted when it holds a comma, semicolon or quote."""
    text = " ".join(text.split())
    if any(c in text for c in ',;"'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _number(value: Value) -> str:
    return (
        format_value(float(value))
        if isinstance(value, int | float) and not isinstance(value, bool)
        else "0.0"
    )


def _lines(lines: Iterable[str]) -> str:
    return "".join(f"{line}\n" for line in lines)


def _csv(rows: Iterable[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue()
