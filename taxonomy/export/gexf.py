"""GEXF 1.2draft, for Gephi: the GEXF version every networkx that ``pyproject.toml`` allows reads.

(networkx 3.1 reads only 1.1draft and 1.2draft, and 3.2 to 3.5 fail on 1.3 with "No <graph>
element"; Gephi reads them all.) Node ``label``, edge ``id``, ``label`` and ``weight`` are XML
attributes; a node's ``x``/``y``/``size``/``color`` are ``viz:position``/``viz:size``/``viz:color``;
the rest are ``<attvalue>`` of declared typed attributes. A node with ``first_year``/``last_year``
gets ``start``/``end`` (graph ``mode="dynamic"``, ``timeformat="double"``): Gephi's timeline. An
edge's ``kind`` is its ``relation``, so Gephi keeps parallel edges of different relations apart.
"""

from __future__ import annotations

from collections.abc import Mapping

from taxonomy.export.table import Table
from taxonomy.export.values import Value, format_value, xml_attr, xml_text

SPELL_START = "first_year"  # node attributes that become GEXF start/end (Gephi's timeline)
SPELL_END = "last_year"
VIZ = ("x", "y", "size", "color")  # node attributes written as viz elements
NAMESPACE = "http://www.gexf.net/1.2draft"
_TYPES = {"int": "integer", "double": "double", "boolean": "boolean", "string": "string"}


def render_gexf(table: Table, stem: str) -> str:
    """The whole GEXF document of a flattened graph."""
    viz = _has_viz(table)
    skip_node = {"label", *(VIZ if viz else ())}
    node_types = {n: t for (s, n), t in table.types.items() if s == "node" and n not in skip_node}
    numeric_weight = table.types.get(("edge", "weight")) in ("int", "double")
    label_edge = table.types.get(("edge", "label")) == "string"
    edge_types = {
        n: t
        for (s, n), t in table.types.items()
        if s == "edge" and not (n == "weight" and numeric_weight) and not (n == "label" and label_edge)
    }
    dynamic = any(SPELL_START in d or SPELL_END in d for _, d in table.nodes)
    mode = ' mode="dynamic" timeformat="double"' if dynamic else ' mode="static"'
    about = "; ".join(f"{k}={format_value(v)}" for k, v in table.graph.items())
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<gexf xmlns="{NAMESPACE}" xmlns:viz="{NAMESPACE}/viz"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        f' xsi:schemaLocation="{NAMESPACE} {NAMESPACE}/gexf.xsd" version="1.2">',
        "  <meta>",
        "    <creator>taxonomy</creator>",
        f"    <description>{xml_text(stem + (': ' + about if about else ''))}</description>",
        "  </meta>",
        f'  <graph defaultedgetype="{"directed" if table.directed else "undirected"}"{mode}>',
    ]
    for scope, declared in (("node", node_types), ("edge", edge_types)):
        if declared:
            lines.append(f'    <attributes class="{scope}">')
            lines.extend(
                f'      <attribute id="{xml_attr(n)}" title="{xml_attr(n)}" type="{_TYPES[t]}"/>'
                for n, t in sorted(declared.items())
            )
            lines.append("    </attributes>")
    lines.append("    <nodes>")
    for node, data in table.nodes:
        head = f'<node id="{xml_attr(node)}" label="{xml_attr(str(data.get("label", node)))}"'
        for xml_name, name in (("start", SPELL_START), ("end", SPELL_END)):
            if isinstance(data.get(name), int | float):
                head += f' {xml_name}="{format_value(data[name])}"'
        rest = {k: v for k, v in data.items() if k not in skip_node}
        lines.extend(_element(head, rest, _viz(data) if viz else []))
    lines.extend(["    </nodes>", "    <edges>"])
    for edge_id, u, v, data in table.edges:
        head = f'<edge id="{xml_attr(edge_id)}" source="{xml_attr(u)}" target="{xml_attr(v)}"'
        if "relation" in data:
            head += f' kind="{xml_attr(str(data["relation"]))}"'
        rest = dict(data)
        if label_edge and "label" in rest:
            head += f' label="{xml_attr(str(rest.pop("label")))}"'
        if numeric_weight and "weight" in rest:
            head += f' weight="{format_value(rest.pop("weight"))}"'
        lines.extend(_element(head, rest, []))
    lines.extend(["    </edges>", "  </graph>", "</gexf>"])
    return "\n".join(lines) + "\n"


def _has_viz(table: Table) -> bool:
    """Whether the nodes carry a layout: numeric ``x`` and ``y`` and a text ``color``."""
    kinds = {name: table.types.get(("node", name)) for name in VIZ}
    return (
        kinds["x"] in ("int", "double")
        and kinds["y"] in ("int", "double")
        and kinds["size"] in ("int", "double", None)
        and kinds["color"] in ("string", None)
    )


def _viz(data: Mapping[str, Value]) -> list[str]:
    out = []
    color = data.get("color")
    if isinstance(color, str) and len(color) == 7 and color.startswith("#"):
        r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
        out.append(f'        <viz:color r="{r}" g="{g}" b="{b}"/>')
    if "x" in data and "y" in data:
        x, y = format_value(data["x"]), format_value(data["y"])
        out.append(f'        <viz:position x="{x}" y="{y}" z="0.0"/>')
    if "size" in data:
        out.append(f'        <viz:size value="{format_value(data["size"])}"/>')
    return out


def _element(head: str, data: Mapping[str, Value], viz: list[str]) -> list[str]:
    tag = head.split(" ", 1)[0][1:]
    if not data and not viz:
        return [f"      {head}/>"]
    body = []
    if data:
        body = [
            "        <attvalues>",
            *(
                f'          <attvalue for="{xml_attr(k)}" value="{xml_attr(format_value(v))}"/>'
                for k, v in sorted(data.items())
            ),
            "        </attvalues>",
        ]
    return [f"      {head}>", *body, *viz, f"      </{tag}>"]
