"""Build graphs from the rules and the corpus counts: the concept graph and the paper graph.

The **concept graph** (``concept_graph``) is a ``networkx.MultiDiGraph`` built from a ``Taxonomy``
and a ``CorpusStats``. Its nodes are every family and every concept that occurs in the corpus
(``all_concepts=True`` adds the rest of the taxonomy); its edges are ``is_a`` (child to parent, from
the rules), ``co_occurs`` (papers naming both; never between a concept and its ancestor) and the
typed relations the tagger found (``compared_with``, ``combined_with``, ``builds_on`` and any other
relation name the counts hold). Every edge is keyed by its ``id``, ``"<relation>:<source>:<target>"``.

The **paper graph** is written by ``PaperGraphSink`` straight to ``papers.graphml``: paper nodes
linked to the concepts they name. Papers are buffered in sorted chunks on disk and merged at
``close()``, so memory stays O(chunk + concepts) for any corpus, and the file is the same whatever
order the papers arrive in (a paper id seen twice is written once).

Values are only ``str``/``int``/``float``/``bool``: an unknown year is a missing attribute, not
``None``, and lists are joined with ``"; "``. Text from rules and papers goes through ``xml_safe``,
so what is in memory is exactly what every format reads back. ``docs/graph.md`` lists every attribute.
"""

from __future__ import annotations

import heapq
import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import IO

import networkx as nx

from taxonomy.errors import OutputError, UsageError
from taxonomy.export import GRAPHML_FOOTER, GraphMLKeys, Value, _attr, _text, xml_safe
from taxonomy.models import TaggedPaper
from taxonomy.rules import Concept, Taxonomy
from taxonomy.stats import CorpusStats

#: Relations whose direction carries no meaning: the edge goes from the smaller id to the larger.
SYMMETRIC_RELATIONS = frozenset({"co_occurs", "combined_with"})
SEPARATOR = "; "
_DIGITS = 6  # association strength and Jaccard are rounded, so files stay short and stable

Attrs = dict[str, Value]
Edge = tuple[str, str, Attrs]


def concept_graph(
    taxonomy: Taxonomy,
    stats: CorpusStats,
    *,
    min_count: int = 1,
    all_concepts: bool = False,
) -> nx.MultiDiGraph:
    """The concept graph: families and concepts with counts, joined by is_a, co_occurs and typed relations."""
    if min_count < 1:
        raise UsageError(f"--min-count must be at least 1, not {min_count}")
    _check_known(taxonomy, stats)
    concepts = taxonomy.concepts
    kept = {
        cid for cid, c in concepts.items() if c.is_family or all_concepts or stats.concept_papers[cid] > 0
    }
    years = _year_ranges(stats)
    graph = nx.MultiDiGraph()
    graph.graph.update({"min_count": min_count, "papers": stats.papers, "rules_version": taxonomy.version})
    for cid in sorted(kept):
        attrs = concept_attrs(concepts[cid])
        attrs.update(papers=stats.concept_papers[cid], papers_primary=stats.concept_primary[cid])
        attrs["mentions"] = stats.concept_mentions[cid]
        if cid in years:
            attrs["first_year"], attrs["last_year"] = years[cid]
        graph.add_node(cid, **dict(sorted(attrs.items())))
    edges = [
        *is_a_edges(taxonomy, kept),
        *_cooccur_edges(stats, kept, min_count),
        *_relation_edges(stats, kept, min_count),
    ]
    for source, target, attrs in sorted(edges, key=lambda e: str(e[2]["id"])):
        graph.add_edge(source, target, key=attrs["id"], **dict(sorted(attrs.items())))
    return graph


def concept_attrs(concept: Concept) -> Attrs:
    """The attributes a concept node has in every graph: label, name, kind, family, level, description."""
    return {
        "description": xml_safe(concept.description),
        "family": SEPARATOR.join(concept.families),
        "kind": "family" if concept.is_family else "concept",
        "label": xml_safe(concept.label),
        "level": concept.level,
        "name": concept.id,
    }


def edge_attrs(
    relation: str, source: str, target: str, *, directed: bool = True, weight: float = 1.0
) -> Attrs:
    """The attributes every edge has: id, relation, interaction (Cytoscape's name), name, weight."""
    return {
        "directed": directed,
        "id": f"{relation}:{source}:{target}",
        "interaction": relation,
        "name": f"{source} ({relation}) {target}",
        "relation": relation,
        "weight": weight,
    }


def is_a_edges(taxonomy: Taxonomy, kept: Iterable[str]) -> list[Edge]:
    """``is_a`` edges from each kept concept to each of its kept parents."""
    keep = set(kept)
    return [
        (cid, parent, edge_attrs("is_a", cid, parent))
        for cid in sorted(keep)
        for parent in taxonomy.concepts[cid].parents
        if parent in keep
    ]


def _cooccur_edges(stats: CorpusStats, kept: set[str], min_count: int) -> list[Edge]:
    edges = []
    n = stats.papers
    for (a, b), count in stats.cooccur.items():
        if count < min_count or a not in kept or b not in kept:
            continue
        sa, sb = stats.concept_papers[a], stats.concept_papers[b]
        attrs = edge_attrs("co_occurs", a, b, directed=False, weight=float(count))
        attrs["count"] = count
        attrs["association"] = round(count * n / (sa * sb), _DIGITS) if sa and sb else 0.0
        attrs["jaccard"] = round(count / (sa + sb - count), _DIGITS) if sa + sb > count else 0.0
        edges.append((a, b, attrs))
    return edges


def _relation_edges(stats: CorpusStats, kept: set[str], min_count: int) -> list[Edge]:
    edges = []
    for (relation, a, b), count in stats.relations.items():
        if count < min_count or a not in kept or b not in kept:
            continue
        attrs = edge_attrs(relation, a, b, directed=relation not in SYMMETRIC_RELATIONS, weight=float(count))
        attrs["count"] = count
        examples = sorted(stats.relation_examples.get((relation, a, b), ()))
        attrs["examples"] = xml_safe(SEPARATOR.join(examples))
        edges.append((a, b, attrs))
    return edges


def _year_ranges(stats: CorpusStats) -> dict[str, tuple[int, int]]:
    ranges: dict[str, tuple[int, int]] = {}
    for (cid, year), count in stats.years.items():
        if cid and count:
            first, last = ranges.get(cid, (year, year))
            ranges[cid] = (min(first, year), max(last, year))
    return ranges


def _check_known(taxonomy: Taxonomy, stats: CorpusStats) -> None:
    named = set(stats.concept_papers) | {c for pair in stats.cooccur for c in pair}
    named |= {c for _, a, b in stats.relations for c in (a, b)}
    unknown = sorted(named - set(taxonomy.concepts))
    if unknown:
        shown = ", ".join(unknown[:5]) + (", ..." if len(unknown) > 5 else "")
        raise UsageError(
            f"the counts name {len(unknown)} concept(s) the rules do not define ({shown}); "
            "build the graph with the rules the papers were tagged with (--rules DIR)"
        )


# --- the paper graph ---------------------------------------------------------------------------

_PAPER_KEYS = GraphMLKeys(
    {
        **{
            ("node", n): "string" for n in ("description", "families_mentioned", "families_primary", "family")
        },
        **{("node", n): "string" for n in ("kind", "label", "name", "title")},
        ("node", "level"): "int",
        ("node", "year"): "int",
        **{("edge", n): "string" for n in ("id", "interaction", "relation", "role")},
        ("edge", "count"): "int",
        ("edge", "score"): "double",
    }
)
_Record = tuple[str, str, str]  # (paper id, node XML, edges XML)


class PaperGraphSink:
    """Stream tagged papers into ``papers.graphml``: paper and concept nodes, paper -> concept edges.

    Paper nodes are ``paper:<id>`` (``kind``, ``label`` = ``title``, ``name`` = the paper id,
    ``year`` when known, ``families_primary``, ``families_mentioned``); concept nodes are
    ``concept:<id>`` for every concept named and its ancestors, joined by ``is_a`` edges. A paper's
    edge to each concept it names has ``role`` (proposes/uses/compares/mentions, also its
    ``relation`` and ``interaction``), ``score`` and ``count``; the file holds nothing else per edge,
    as it may hold millions. Use it as a context manager (nothing is written if the block fails) or
    call ``close()``.
    """

    def __init__(self, path: Path, taxonomy: Taxonomy, *, chunk_size: int = 20_000) -> None:
        self.path = Path(path)
        self.taxonomy = taxonomy
        self._chunk_size = max(1, chunk_size)
        self._buffer: list[_Record] = []
        self._runs: list[Path] = []
        self._concepts: set[str] = set()
        self._tmp: Path | None = None
        self._closed = False

    def add(self, tp: TaggedPaper) -> None:
        """Add one tagged paper (an untagged paper becomes a node without edges)."""
        if self._closed:
            raise ValueError(f"{self.path}: paper graph already closed")
        unknown = sorted(h.concept for h in tp.concepts if h.concept not in self.taxonomy.concepts)
        if unknown:
            raise UsageError(
                f"paper '{tp.paper.id}' names concepts the rules do not define ({', '.join(unknown)}); use the rules the papers were tagged with (--rules DIR)"
            )
        self._buffer.append(_paper_record(tp))
        for hit in tp.concepts:
            self._concepts.add(hit.concept)
            self._concepts.update(self.taxonomy.concepts[hit.concept].ancestors)
        if len(self._buffer) >= self._chunk_size:
            self._spill()

    def close(self) -> None:
        """Merge the buffered papers and write the file (deterministic: sorted, duplicates dropped)."""
        if self._closed:
            return
        self._closed = True
        try:
            self._write()
        finally:
            self._discard()

    def __enter__(self) -> PaperGraphSink:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is None:
            self.close()
        else:  # a failed run leaves no half-written graph behind
            self._closed = True
            self._discard()

    # -- internals -------------------------------------------------------------------------------

    def _tmpdir(self) -> Path:
        if self._tmp is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._tmp = Path(tempfile.mkdtemp(prefix=f".{self.path.name}-", dir=self.path.parent))
            except OSError as exc:
                raise OutputError(
                    f"{self.path.parent}: cannot be written ({exc.strerror or exc}); choose another output folder with -o DIR"
                ) from exc
        return self._tmp

    def _spill(self) -> None:
        self._buffer.sort()
        run = self._tmpdir() / f"run-{len(self._runs):06d}.jsonl"
        with run.open("w", encoding="utf-8") as out:
            out.writelines(json.dumps(record) + "\n" for record in self._buffer)
        self._runs.append(run)
        self._buffer = []

    def _merged(self) -> Iterator[_Record]:
        self._buffer.sort()
        streams: list[Iterable[_Record]] = [_read_run(run) for run in self._runs]
        last = None
        for record in heapq.merge(self._buffer, *streams):
            if record[0] != last:
                last = record[0]
                yield record

    def _write(self) -> None:
        tmp = self._tmpdir()
        out_tmp, edges_tmp = tmp / "papers.graphml", tmp / "edges.xml"
        concepts = self.taxonomy.concepts
        try:
            with (
                out_tmp.open("w", encoding="utf-8", newline="\n") as out,
                edges_tmp.open("w+", encoding="utf-8", newline="\n") as edges,
            ):
                out.write(_PAPER_KEYS.header("papers", directed=True))
                for cid in sorted(self._concepts):
                    out.write(_PAPER_KEYS.node(f"concept:{cid}", concept_attrs(concepts[cid])))
                for _, node_xml, edges_xml in self._merged():
                    out.write(node_xml)
                    edges.write(edges_xml)
                for child, parent, attrs in is_a_edges(self.taxonomy, self._concepts):
                    kept = {k: attrs[k] for k in ("id", "interaction", "relation")}
                    out.write(
                        _PAPER_KEYS.edge(str(attrs["id"]), f"concept:{child}", f"concept:{parent}", kept)
                    )
                _copy(edges, out)
                out.write(GRAPHML_FOOTER)
            os.replace(out_tmp, self.path)
        except OSError as exc:
            raise OutputError(
                f"{self.path}: cannot be written ({exc.strerror or exc}); choose another output folder with -o DIR"
            ) from exc

    def _discard(self) -> None:
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
        self._buffer = []
        self._runs = []


def _paper_record(tp: TaggedPaper) -> _Record:
    """A paper's node and edges as GraphML, written directly: the same bytes as ``_PAPER_KEYS.node``
    and ``.edge`` give (a test compares them), about three times faster, for graphs of millions of papers."""
    paper = tp.paper
    if not all(math.isfinite(hit.score) for hit in tp.concepts):
        return _checked_paper_record(tp)  # the general writer says which value cannot be exported
    node = _attr(f"paper:{paper.id}")
    title = _text(paper.title)
    data = [
        ("families_mentioned", _text(SEPARATOR.join(tp.families_mentioned))),
        ("families_primary", _text(SEPARATOR.join(tp.families_primary))),
        ("kind", "paper"),
        ("label", title),
        ("name", _text(paper.id)),
        ("title", title),
    ]
    if paper.year is not None:
        data.append(("year", str(paper.year)))
    lines = [f'    <node id="{node}">\n']
    lines += [f'      <data key="node_{key}">{value}</data>\n' for key, value in data]
    lines.append("    </node>\n")
    edges = []
    for hit in sorted(tp.concepts, key=lambda h: h.concept):
        edge_id = f"{hit.role}:{paper.id}:{hit.concept}"
        role = _text(hit.role)
        edges.append(
            f'    <edge id="{_attr(edge_id)}" source="{node}" target="{_attr("concept:" + hit.concept)}">\n'
            f'      <data key="edge_count">{int(hit.count)!r}</data>\n'
            f'      <data key="edge_id">{_text(edge_id)}</data>\n'
            f'      <data key="edge_interaction">{role}</data>\n'
            f'      <data key="edge_relation">{role}</data>\n'
            f'      <data key="edge_role">{role}</data>\n'
            f'      <data key="edge_score">{float(hit.score)!r}</data>\n'
            "    </edge>\n"
        )
    return (paper.id, "".join(lines), "".join(edges))


def _checked_paper_record(tp: TaggedPaper) -> _Record:
    """A paper's node and edges through the general GraphML writer, which checks every value."""
    paper = tp.paper
    node = f"paper:{paper.id}"
    title = xml_safe(paper.title)
    attrs: Attrs = {
        "families_mentioned": SEPARATOR.join(tp.families_mentioned),
        "families_primary": SEPARATOR.join(tp.families_primary),
        "kind": "paper",
        "label": title,
        "name": xml_safe(paper.id),
        "title": title,
    }
    if paper.year is not None:
        attrs["year"] = paper.year
    edges = []
    for hit in sorted(tp.concepts, key=lambda h: h.concept):
        target = f"concept:{hit.concept}"
        edge_id = f"{hit.role}:{paper.id}:{hit.concept}"
        edge: Attrs = {
            "count": hit.count,
            "id": xml_safe(edge_id),
            "interaction": hit.role,
            "relation": hit.role,
            "role": hit.role,
            "score": float(hit.score),
        }
        edges.append(_PAPER_KEYS.edge(edge_id, node, target, edge))
    return (paper.id, _PAPER_KEYS.node(node, attrs), "".join(edges))


def _read_run(path: Path) -> Iterator[_Record]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            pid, node, edges = json.loads(line)
            yield (pid, node, edges)


def _copy(source: IO[str], target: IO[str]) -> None:
    source.flush()
    source.seek(0)
    shutil.copyfileobj(source, target)
