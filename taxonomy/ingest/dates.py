"""Publication dates to ISO 8601 prefixes: ``2024``, ``2024-03`` or ``2024-03-14``.

Accepted shapes: ISO dates and timestamps (``2024-03-14``, ``2024-03-14T09:00:00Z``), RIS
(``2024/03/14/``, ``2024///``), a bare year (``2024`` or the number 2024), RFC 2822 as in arXiv
``versions`` (``Mon, 2 Apr 2007 19:18:42 GMT``), month names (``14 Mar 2024``, ``March 2024``,
``Mar 14, 2024``), day/month/year with an unambiguous order (``14/03/2024``), and CSL-JSON
``{"date-parts": [[2024, 3, 14]]}``. Years outside 1000-2999 and impossible months or days are
dropped to the part that is valid; anything else gives ``None`` (no date is not an error).

:func:`year_in` finds the year a venue names (``ICLR 2021 submission``, ``NeurIPS2019``,
``Phys. Rev. D 75, 043501 (2007)``): the first number 1900-2099 that is not part of a longer
number, an arXiv id (``arXiv:2001.01234``) or a path.
"""

from __future__ import annotations

import calendar
import re

_MONTHS = {
    name: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_ISO = re.compile(r"\s*(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?![\d])")
_NUMERIC_DMY = re.compile(r"\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\b")
_YEAR = re.compile(r"(?<!\d)([12]\d{3})(?!\d)")
_MONTH = re.compile(r"\b(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b\.?", re.I)
_VENUE_YEAR = re.compile(r"(?<![\d.:/])((?:19|20)\d{2})(?!\d|[.:/]\d)")
_DAY = re.compile(r"(?<![\d:])(\d{1,2})(?![\d:])")


def _iso(year: int, month: int | None = None, day: int | None = None) -> str | None:
    if not 1000 <= year <= 2999:
        return None
    if month is None or not 1 <= month <= 12:
        return f"{year:04d}"
    if day is None or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def month_number(value: str) -> int | None:
    """The month of ``'mar'``, ``'March'``, ``'3'`` or ``'03'``, else None."""
    value = value.strip().rstrip(".").lower()
    if value.isascii() and value.isdigit():
        number = int(value)
        return number if 1 <= number <= 12 else None
    return _MONTHS.get(value)


def parse_date(value: object, month: object = None) -> str | None:
    """An ISO date prefix from a date, timestamp, year or CSL date; ``month`` refines a bare year."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        if value != value or not 1000 <= value <= 2999:  # NaN or out of range
            return None
        found = _iso(int(value))
    elif isinstance(value, dict):
        found = _csl(value)
    elif isinstance(value, str):
        found = _parse_text(value)
    else:
        return None
    if found is not None and len(found) == 4 and isinstance(month, str) and month.strip():
        number = month_number(month.split()[0] if month.split() else month)
        if number is not None:
            found = f"{found}-{number:02d}"
    return found


def _csl(value: dict[object, object]) -> str | None:
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list):
        numbers: list[int] = []
        for part in parts[0][:3]:
            if isinstance(part, str) and part.isascii() and part.isdigit():
                part = int(part)
            if not isinstance(part, int) or isinstance(part, bool):
                break
            numbers.append(part)
        return _iso(*numbers) if numbers else None
    raw = value.get("raw") or value.get("literal")
    return _parse_text(raw) if isinstance(raw, str) else None


def _parse_text(text: str) -> str | None:
    if len(text) > 200:
        text = text[:200]
    match = _ISO.match(text)
    if match:
        year, month, day = match.groups()
        return _iso(int(year), int(month) if month else None, int(day) if day else None)
    match = _NUMERIC_DMY.match(text)
    if match:
        first, second, year = (int(g) for g in match.groups())
        if first > 12 >= second:
            return _iso(year, second, first)
        if second > 12 >= first:
            return _iso(year, first, second)
        return _iso(year)
    year_match = _YEAR.search(text)
    if not year_match:
        return None
    month_match = _MONTH.search(text)
    if not month_match:
        return _iso(int(year_match.group(1)))
    month = _MONTHS[month_match.group(1).lower()]
    rest = text[: year_match.start()] + " " + text[year_match.end() :]
    day_match = _DAY.search(rest)
    return _iso(int(year_match.group(1)), month, int(day_match.group(1)) if day_match else None)


def year_in(venue: str) -> int | None:
    """The year named in a venue string (``'ICLR 2021 submission'`` -> 2021), else None."""
    match = _VENUE_YEAR.search(venue) if venue else None
    return int(match.group(1)) if match else None
