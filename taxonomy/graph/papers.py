"""The paper graph, ``papers.graphml``: papers linked to the concepts they name, written as papers pass."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from taxonomy.digest import HashingWriter
from taxonomy.errors import OutputError, UsageError
from taxonomy.export import GRAPHML_FOOTER, GraphMLKeys, xml_safe
from taxonomy.graph.concepts import SEPARATOR, concept_attrs, is_a_edges
from taxonomy.ingest.dedupe import Seen
from taxonomy.models import ConceptHit, TaggedPaper
from taxonomy.rules import Taxonomy

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


@dataclass(frozen=True, slots=True)
class GraphLayout:
    """Where a ``papers.graphml`` holds its paper nodes and edges: what a later run needs to extend it."""

    size: int
    digest: str  # of the whole file (``taxonomy.digest``), as hex
    nodes: tuple[int, int]  # byte range of the paper nodes
    edges: tuple[int, int]  # byte range of the paper -> concept edges
    concepts: tuple[str, ...]  # the concept nodes, sorted

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict."""
        return {k: getattr(self, k) for k in self.__slots__}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GraphLayout:
        """Rebuild from ``to_dict`` output; ``ValueError`` when a field has the wrong type."""
        (node_start, node_end), (edge_start, edge_end) = data["nodes"], data["edges"]
        nodes, edges = (int(node_start), int(node_end)), (int(edge_start), int(edge_end))
        concepts = tuple(str(c) for c in data["concepts"])
        return cls(int(data["size"]), str(data["digest"]), nodes, edges, concepts)


class PaperGraphSink:
    """Stream tagged papers into ``papers.graphml``: paper and concept nodes, paper -> concept edges.

    Paper nodes are ``paper:<id>`` (``kind``, ``label`` = ``title``, ``name`` = the paper id,
    ``year`` when known, ``families_primary``, ``families_mentioned``); concept nodes are
    ``concept:<id>`` for every concept named and its ancestors, joined by ``is_a`` edges. A paper's
    edge to each concept it names has ``role`` (proposes/uses/compares/mentions, also its
    ``relation`` and ``interaction``), ``score`` and ``count``; the file holds nothing else per edge,
    as it may hold millions. Use it as a context manager (nothing is written if the block fails) or
    call ``close()``.

    The file is, in order: the keys, the concept nodes (sorted), the paper nodes (in the order the
    papers came), the ``is_a`` edges, the paper edges (in the same order), so every node comes
    before every edge. Papers and their edges go to two temporary files as they come (memory stays
    flat) and are copied into place at ``close()``. With ``dedupe``, a paper id seen again is left
    out (a temporary database remembers the ids); the pipeline's papers are unique already. With
    ``base`` (the ``layout`` of the file at ``path``), the papers of that file are kept and the new
    ones come after them: the same bytes as writing all the papers at once. ``layout`` describes
    the file once written.
    """

    def __init__(
        self, path: Path, taxonomy: Taxonomy, *, dedupe: bool = True, base: GraphLayout | None = None
    ) -> None:
        self.path = Path(path)
        self.taxonomy = taxonomy
        self.base = base
        self.layout: GraphLayout | None = None
        self._seen = Seen() if dedupe else None
        self._concepts: set[str] = set(base.concepts) if base is not None else set()
        self._tmp: Path | None = None
        self._parts: tuple[IO[bytes], IO[bytes]] | None = None  # paper nodes, paper edges
        self._closed = False

    def add(self, tp: TaggedPaper) -> None:
        """Add one tagged paper (an untagged paper becomes a node without edges)."""
        if self._closed:
            raise ValueError(f"{self.path}: paper graph already closed")
        concepts = self.taxonomy.concepts
        unknown = sorted(h.concept for h in tp.concepts if h.concept not in concepts)
        if unknown:
            raise UsageError(
                f"paper '{tp.paper.id}' names concepts the rules do not define ({', '.join(unknown)}); use the rules the papers were tagged with (--rules DIR)"
            )
        if self._seen is not None and self._seen.check(tp.paper.id, "") is not None:
            return
        _, node_xml, edges_xml = _paper_record(tp)
        nodes, edges = self._open_parts()
        nodes.write(node_xml.encode("utf-8"))
        if edges_xml:
            edges.write(edges_xml.encode("utf-8"))
        for hit in tp.concepts if tp.tagged else ():
            if hit.concept not in self._concepts:
                self._concepts.add(hit.concept)
                self._concepts.update(concepts[hit.concept].ancestors)

    def close(self) -> None:
        """Write the file (the previous one's papers first when extending it)."""
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

    def _open_parts(self) -> tuple[IO[bytes], IO[bytes]]:
        if self._parts is None:
            tmp = self._tmpdir()
            self._parts = ((tmp / "nodes.xml").open("w+b"), (tmp / "edges.xml").open("w+b"))
        return self._parts

    def _write(self) -> None:
        tmp = self._tmpdir()
        out_tmp = tmp / "papers.graphml"
        nodes, edges = self._open_parts()
        concepts = self.taxonomy.concepts
        try:
            with out_tmp.open("wb") as handle, _previous(self.path, self.base) as previous:
                out = HashingWriter(handle)
                out.write(_PAPER_KEYS.header("papers", directed=True).encode("utf-8"))
                for cid in sorted(self._concepts):
                    out.write(
                        _PAPER_KEYS.node(
                            f"concept:{cid}", concept_attrs(concepts[cid], self.taxonomy)
                        ).encode("utf-8")
                    )
                node_range = self._copy_papers(out, previous, nodes, "nodes")
                for child, parent, attrs in is_a_edges(self.taxonomy, self._concepts):
                    kept = {k: attrs[k] for k in ("id", "interaction", "relation")}
                    xml = _PAPER_KEYS.edge(str(attrs["id"]), f"concept:{child}", f"concept:{parent}", kept)
                    out.write(xml.encode("utf-8"))
                edge_range = self._copy_papers(out, previous, edges, "edges")
                out.write(GRAPHML_FOOTER.encode("utf-8"))
            os.replace(out_tmp, self.path)
        except OSError as exc:
            raise OutputError(
                f"{self.path}: cannot be written ({exc.strerror or exc}); choose another output folder with -o DIR"
            ) from exc
        concept_ids = tuple(sorted(self._concepts))
        self.layout = GraphLayout(out.size, out.digest(), node_range, edge_range, concept_ids)

    def _copy_papers(
        self, out: HashingWriter, previous: IO[bytes] | None, part: IO[bytes], name: str
    ) -> tuple[int, int]:
        """Copy the previous file's papers (nodes or edges), then this run's; return their byte range."""
        start = out.size
        if previous is not None and self.base is not None:
            out.copy(previous, *getattr(self.base, name))
        part.flush()
        out.copy(part)
        return start, out.size

    def _discard(self) -> None:
        if self._parts is not None:
            for part in self._parts:
                part.close()
            self._parts = None
        if self._seen is not None:
            self._seen.close()
            self._seen = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None


@contextmanager
def _previous(path: Path, base: GraphLayout | None) -> Iterator[IO[bytes] | None]:
    """The file being extended, open for reading (nothing without a ``base``)."""
    if base is None:
        yield None
        return
    with path.open("rb") as handle:
        yield handle


def _linked(tp: TaggedPaper) -> tuple[ConceptHit, ...]:
    """The concepts a paper is linked to: none for an untagged paper (no family), which the concept
    graph does not count either, so every concept here is a node of ``concepts.graphml`` too."""
    return tp.concepts if tp.tagged else ()


_NODE = _PAPER_KEYS.row(
    "node", ("families_mentioned", "families_primary", "kind", "label", "name", "title", "year")
)
_EDGE = _PAPER_KEYS.row("edge", ("count", "id", "interaction", "relation", "role", "score"))


def _paper_record(tp: TaggedPaper) -> _Record:
    """A paper's node and edges as GraphML, through the export's compiled rows (``GraphMLRow``):
    the bytes ``GraphMLKeys.node`` and ``.edge`` give (a test compares them), for millions of papers."""
    paper = tp.paper
    node = f"paper:{paper.id}"
    title = xml_safe(paper.title)
    node_xml = _NODE.node(
        node,
        (
            SEPARATOR.join(tp.families_mentioned),
            SEPARATOR.join(tp.families_primary),
            "paper",
            title,
            xml_safe(paper.id),
            title,
            paper.year,
        ),
    )
    edges = []
    for hit in sorted(_linked(tp), key=lambda h: h.concept):
        edge_id = f"{hit.role}:{paper.id}:{hit.concept}"
        values = (hit.count, xml_safe(edge_id), hit.role, hit.role, hit.role, float(hit.score))
        edges.append(_EDGE.edge(edge_id, node, f"concept:{hit.concept}", values))
    return (paper.id, node_xml, "".join(edges))
