"""Attribute values and XML text: the checks and escapes every format shares."""

from __future__ import annotations

import math
import re
from typing import TypeAlias

Value: TypeAlias = str | int | float | bool

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTR = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#9;"}
)


def xml_safe(text: str) -> str:
    """The text with every character XML 1.0 forbids (most control characters) replaced by U+FFFD."""
    if text.isprintable():  # no control character, surrogate or noncharacter: the common case, ~5x faster
        return text
    return _NOT_XML.sub("\ufffd", text)


def xml_text(value: str) -> str:
    """``value`` made XML-safe and escaped for element content."""
    if value.isprintable():  # no control character (so no line break) to replace or escape
        if "&" in value or "<" in value or ">" in value:
            return value.translate(_TEXT)
        return value  # most values: nothing to do, and no new string
    return _NOT_XML.sub("\ufffd", value).translate(_TEXT)


def xml_attr(value: str) -> str:
    """``value`` made XML-safe and escaped for a double-quoted attribute (line breaks and tabs kept)."""
    if value.isprintable():
        if "&" in value or "<" in value or ">" in value or '"' in value:
            return value.translate(_ATTR)
        return value
    return _NOT_XML.sub("\ufffd", value).translate(_ATTR)


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


def merge_type(old: str | None, new: str, where: str) -> str:
    """The type of an attribute that holds ``old`` and ``new`` values: ints and floats make a double."""
    if old is None or old == new:
        return new
    if {old, new} == {"int", "double"}:
        return "double"
    raise TypeError(f"{where} holds both {old} and {new} values; give it one type")
