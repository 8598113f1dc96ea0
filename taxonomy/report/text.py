"""Text helpers for the reports: Markdown escaping, evidence splitting, anchors.

HTML escaping is Jinja's job (autoescape is on for the HTML template). Markdown has no such switch,
so the Markdown environment runs every ``{{ value }}`` through ``md_escape`` unless the value is
``Markup`` (structure the report itself wrote, such as a figure link).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from markupsafe import Markup

# Characters that start or end Markdown constructs anywhere in a line (emphasis, code, links,
# strikethrough, table cells) get a backslash; the three HTML characters become entities.
_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MD_SPECIAL = re.compile(r"[\\`*_\[\]|~&<>]")
# Block markers that only act at the start of a line (list items, headings).
_WHITESPACE = re.compile(r"\s+")
_MD_LINE_START = re.compile(r"^(#{1,6}|[-+]|\d{1,9}[.)])(?=\s|$)")


def md_escape(value: object) -> str:
    """Escape text for Markdown so it shows as written: no markup, links, HTML or line breaks."""
    # Runs of whitespace become one space (a newline would end a table row or list item); the
    # spaces at the ends stay, since evidence is cut into pieces that must join up again.
    text = _WHITESPACE.sub(" ", str(value))

    def one(match: re.Match[str]) -> str:
        char = match.group(0)
        return _MD_ENTITIES.get(char, "\\" + char)

    text = _MD_SPECIAL.sub(one, text)
    start = _MD_LINE_START.match(text)
    if start:
        marker = start.group(1)
        # "1." becomes "1\." and "-" becomes "\-": the text reads the same, no list starts.
        escaped = marker[:-1] + "\\" + marker[-1] if marker[-1] in ".)" else "\\" + marker
        text = escaped + text[len(marker) :]
    return text


def md_indent(depth: int) -> Markup:
    """Indentation for a nested Markdown list item (two spaces a level, left unescaped)."""
    return Markup("  " * depth)  # noqa: S704 - only spaces


def md_finalize(value: object) -> object:
    """Jinja ``finalize`` for Markdown: escape every value except ``Markup`` (the report's own)."""
    if isinstance(value, Markup):
        return str(value)
    if value is None:
        return ""
    return md_escape(value)


def md_link(title: object, link: str) -> Markup:
    """A paper's title as a Markdown link to its page (just the escaped title when it has none).

    Only http and https links are written; the address is percent-encoded except for the characters
    URLs need, so no bracket, parenthesis, space or angle bracket can end the link early.
    """
    text = md_escape(title)
    if not link.lower().startswith(("https://", "http://")):
        return Markup(text)  # noqa: S704 - escaped above
    url = quote(link, safe="/:?=&%#@!$'*+,;~.-_")
    return Markup(f"[{text}]({url})")  # noqa: S704 - both parts escaped


def split_evidence(sentence: str, start: int, end: int) -> tuple[str, str, str]:
    """Cut a sentence into text before, inside and after the matched words (offsets clamped)."""
    start = max(0, min(start, len(sentence)))
    end = max(start, min(end, len(sentence)))
    before, match, after = sentence[:start], sentence[start:end], sentence[end:]
    # Emphasis next to spaces does not render in Markdown: keep spaces outside the match.
    stripped = match.strip()
    if stripped != match:
        lead = match[: len(match) - len(match.lstrip())]
        trail = match[len(lead) + len(stripped) :]
        before, match, after = before + lead, stripped, trail + after
    return before, match, after


def shorten(text: str, limit: int) -> str:
    """Collapse whitespace and cut text to ``limit`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def github_slug(text: str, seen: dict[str, int]) -> str:
    """The anchor GitHub gives a Markdown heading (lowercase, punctuation dropped, -1, -2 for repeats)."""
    text = unicodedata.normalize("NFC", text).lower()
    slug = "".join(ch for ch in text if ch.isalnum() or ch in " -_").replace(" ", "-")
    count = seen.get(slug, 0)
    seen[slug] = count + 1
    return slug if count == 0 else f"{slug}-{count}"


def percent(part: float, whole: float) -> str:
    """``part`` as a share of ``whole``, rounded for reading (``"—"`` when there is no whole)."""
    if not whole:
        return "—"
    value = 100.0 * part / whole
    return f"{value:.0f}%" if value >= 10 or value == 0 else f"{value:.1f}%"


def plural(count: int, word: str, many: str | None = None) -> str:
    """``"1 paper"``, ``"3 papers"``."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


__all__ = [
    "github_slug",
    "md_escape",
    "md_finalize",
    "md_indent",
    "md_link",
    "percent",
    "plural",
    "shorten",
    "split_evidence",
]
