"""The report stage: ``Taxonomy`` + ``CorpusStats`` → report.html, report.md and figures/*.svg.

``context.build`` turns the statistics into plain values, ``figures`` draws them as SVG, and two
Jinja2 templates installed with the package lay them out. The HTML page is self-contained (styles,
figures and the concept map's small script inline, no network); the Markdown file links the same figures as files.
Paper and rule text is escaped in both: by Jinja's autoescape for HTML, and by a ``finalize`` hook
that escapes every value for Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from taxonomy.errors import OutputError
from taxonomy.report.context import build
from taxonomy.report.data import ReportData
from taxonomy.report.drawing import Figures, draw_figures, draw_here
from taxonomy.report.mapview import map_view
from taxonomy.report.papertable import table_json
from taxonomy.report.text import md_finalize, md_indent, md_link, plural
from taxonomy.rules import Taxonomy
from taxonomy.stats import CorpusStats

HTML_FILE = "report.html"
MARKDOWN_FILE = "report.md"
FIGURES_DIR = "figures"
FIGURE_NAMES = ("map", "families", "cooccurrence")
RETIRED_FIGURES = ("trends",)  # drawn by earlier versions; removed so that figures/ matches the report
TITLE = "Method taxonomy report"
_BLANK_LINES = re.compile(r"\n{3,}")  # templates with optional parts leave runs of blank lines


def render_report(
    taxonomy: Taxonomy,
    stats: CorpusStats,
    out_dir: Path,
    *,
    title: str = TITLE,
    previous: Mapping[str, Any] | None = None,
    draw: Callable[[ReportData], tuple[Figures, Figures]] = draw_here,
) -> list[Path]:
    """Write report.html, report.md and figures/*.svg to ``out_dir``; return the paths written.

    ``previous`` is the summary.json data of an earlier run (``pipeline.summary_data``): the report
    then says what changed since it. Data of another shape is ignored. ``draw`` gives the wide and
    the narrow figures (``drawing.FigureWorkers().draw`` draws them in worker processes).
    """
    data = build(taxonomy, stats, title, previous)
    return write_report(data, draw(data), out_dir)


def write_report(data: ReportData, figures: tuple[Figures, Figures], out_dir: Path) -> list[Path]:
    """Write report.html, report.md and figures/*.svg of ``data`` with its figures (wide, narrow)."""
    wide, narrow = figures
    out_dir = Path(out_dir)
    _mkdir(out_dir)
    # Matplotlib's SVG is trusted markup (labels inside it are escaped as XML text); phones get the narrow drawing.
    inline = {name: InlineFigure(Markup(fig.svg), Markup(narrow[name].svg)) for name, fig in wide.items()}  # noqa: S704
    links = {name: Markup(f"{FIGURES_DIR}/{fig.filename}") for name, fig in wide.items()}  # noqa: S704
    view = map_view(data.concept_map) if data.concept_map is not None else None
    table = table_json(data.table) if data.table is not None else Markup("")
    # Written as the template makes it: the page of 100,000 papers is about 7 MB, not held whole.
    html = (
        _environment("html")
        .get_template("report.html.j2")
        .generate(data=data, figures=inline, svg=wide, mapview=view, table_data=table)
    )
    markdown = _environment("md").get_template("report.md.j2").render(data=data, figures=links, svg=wide)
    written = [
        _write(out_dir / HTML_FILE, html),
        _write(out_dir / MARKDOWN_FILE, _BLANK_LINES.sub("\n\n", markdown)),
    ]
    if wide:
        _mkdir(out_dir / FIGURES_DIR)
    written += [_write(out_dir / FIGURES_DIR / fig.filename, fig.document) for fig in wide.values()]
    # A figure an earlier run drew but this one has no data for would outlive the report that used it.
    for name in (*FIGURE_NAMES, *RETIRED_FIGURES):
        if name not in wide:
            (out_dir / FIGURES_DIR / f"{name}.svg").unlink(missing_ok=True)
    return written


@dataclass(frozen=True, slots=True)
class InlineFigure:
    """A figure for the HTML page: the drawing for wide screens and the one for phones."""

    wide: Markup
    narrow: Markup


def _mkdir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{path}: cannot create the folder ({exc.strerror or exc})") from None


def _write(path: Path, text: str | Iterable[str]) -> Path:
    try:
        with path.open("w", encoding="utf-8", newline="\n") as out:
            out.writelines((text,) if isinstance(text, str) else text)
    except OSError as exc:
        raise OutputError(f"{path}: cannot be written ({exc.strerror or exc})") from None
    return path


@lru_cache(maxsize=2)
def _environment(kind: str) -> Environment:
    """The Jinja environment for ``html`` (autoescape) or ``md`` (escape every value for Markdown)."""
    options: dict[str, Any] = {
        "loader": PackageLoader("taxonomy.report", "templates"),
        "undefined": StrictUndefined,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": True,
    }
    if kind == "html":
        env = Environment(autoescape=True, **options)
    else:
        env = Environment(autoescape=False, finalize=md_finalize, **options)  # noqa: S701 - Markdown, escaped by finalize
    env.filters["num"] = lambda n: f"{n:,}"
    env.filters["plural"] = plural
    env.globals["indent"] = md_indent
    env.globals["md_link"] = md_link
    return env


__all__ = ["InlineFigure", "draw_figures", "draw_here", "render_report"]
