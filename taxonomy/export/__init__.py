"""Write graphs to files that networkx, igraph, Gephi, Cytoscape and VOSviewer open as they are.

Every format is deterministic: the same graph gives the same bytes whatever order its nodes and
edges were added in (nodes, edges and attributes are written sorted) and no date, version or path
is written. Attribute values must be ``str``, ``int``, finite ``float`` or ``bool``: ``None`` and
lists raise ``TypeError`` (leave the attribute out; join lists with ``"; "``). An edge's id is its
``id`` attribute, else its key; ids must be unique. In an undirected graph an edge goes from its
``from`` attribute to its ``to`` attribute when it has them, else from the smaller node id.

Every file reads in every networkx ``pyproject.toml`` allows (3.1 and newer; CI reads them with the
oldest and the newest):

``graphml`` (:mod:`taxonomy.export.graphml`)
    GraphML 1.0 with typed keys, for networkx, igraph, Cytoscape and Gephi.
``gexf`` (:mod:`taxonomy.export.gexf`)
    GEXF 1.2draft with ``viz:`` position, colour and size, for Gephi.
``json``, ``cyjs`` (:mod:`taxonomy.export.nodelink`)
    networkx node-link data; Cytoscape.js / Cytoscape desktop elements JSON.
``csv``, ``vosviewer`` (:mod:`taxonomy.export.tables`)
    node and edge tables; VOSviewer map and network files.

XML 1.0 cannot hold most control characters; the XML formats write U+FFFD in their place
(``xml_safe``), and escape ``& < > "`` and line breaks so that every other character reads back.
"""

from __future__ import annotations

import contextlib
import difflib
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from taxonomy.errors import OutputError, UsageError
from taxonomy.export.gexf import SPELL_END, SPELL_START, render_gexf
from taxonomy.export.graphml import GRAPHML_FOOTER, GraphMLKeys, graphml_parts
from taxonomy.export.nodelink import render_cyjs, render_node_link
from taxonomy.export.table import FROM, TO, Table, table
from taxonomy.export.tables import render_csv, render_vosviewer
from taxonomy.export.values import Value, format_value, value_type, xml_attr, xml_safe, xml_text

GRAPH_FORMATS: tuple[str, ...] = ("graphml", "gexf", "json", "csv", "vosviewer", "cyjs")


def render(table: Table, fmt: str, stem: str) -> list[tuple[str, str]]:
    """The files of one format: (file name, text)."""
    return [(name, "".join(parts)) for name, parts in _parts(table, fmt, stem)]


def _parts(table: Table, fmt: str, stem: str) -> list[tuple[str, Iterable[str]]]:
    """The files of one format, each as the parts of its text: GraphML an element at a time (the
    concept graph of 100,000 papers is about 14 MB of text, written as it is made, not held whole)."""
    if fmt == "graphml":
        return [(f"{stem}.graphml", graphml_parts(table, stem))]
    if fmt == "gexf":
        return [(f"{stem}.gexf", (render_gexf(table, stem),))]
    if fmt == "json":
        return [(f"{stem}.json", (render_node_link(table),))]
    if fmt == "cyjs":
        return [(f"{stem}.cyjs", (render_cyjs(table),))]
    if fmt == "vosviewer":
        map_file, network = render_vosviewer(table)
        return [(f"{stem}-vosviewer-map.txt", (map_file,)), (f"{stem}-vosviewer-network.txt", (network,))]
    nodes, edges = render_csv(table)
    return [(f"{stem}-nodes.csv", (nodes,)), (f"{stem}-edges.csv", (edges,))]


def check_formats(formats: Sequence[str]) -> tuple[str, ...]:
    """The formats asked for, in order without repeats; ``UsageError`` for one that does not exist."""
    for fmt in formats:
        if fmt not in GRAPH_FORMATS:
            close = difflib.get_close_matches(fmt, GRAPH_FORMATS, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise UsageError(f"unknown graph format '{fmt}'{hint}; choose from {', '.join(GRAPH_FORMATS)}")
    return tuple(dict.fromkeys(formats))


def write_text(path: Path, text: str | Iterable[str]) -> None:
    """Write UTF-8 text (or its parts, in order) with ``\\n`` line ends, replacing the file only
    once it is complete."""
    hint = "choose another output folder with -o DIR"
    if path.parent.exists() and not path.parent.is_dir():
        raise OutputError(f"{path.parent}: is a file, not a folder; {hint}")
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as out:
            for part in (text,) if isinstance(text, str) else text:
                out.write(part.encode("utf-8"))
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot be written ({exc.strerror or exc}); {hint}") from exc
    except BaseException:  # the parts failed to be made: no half-written file is left
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise


def write_graph(
    graph: Any,
    out_dir: Path,
    stem: str = "concepts",
    formats: Sequence[str] = ("graphml",),
) -> list[Path]:
    """Write the graph in each format asked for; return the files written, in the order asked."""
    check_formats(formats)
    return write_table(table(graph), out_dir, stem, formats)


def write_table(
    flat: Table,
    out_dir: Path,
    stem: str = "concepts",
    formats: Sequence[str] = ("graphml",),
) -> list[Path]:
    """``write_graph`` of a graph flattened already (``table``), which need not be held meanwhile."""
    written = []
    for fmt in check_formats(formats):
        for name, parts in _parts(flat, fmt, stem):
            path = Path(out_dir) / name
            write_text(path, parts)
            written.append(path)
    return written


__all__ = [
    "FROM",
    "GRAPHML_FOOTER",
    "GRAPH_FORMATS",
    "SPELL_END",
    "SPELL_START",
    "TO",
    "GraphMLKeys",
    "Value",
    "check_formats",
    "format_value",
    "table",
    "value_type",
    "write_graph",
    "write_table",
    "write_text",
    "xml_attr",
    "xml_safe",
    "xml_text",
]
