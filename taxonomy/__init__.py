"""taxonomy: tag papers with method families and concepts, and map how the methods relate.

The library in three calls (docs/api.md)::

    import taxonomy

    papers = taxonomy.read("refs.bib")  # any input format the command line reads
    tagged = taxonomy.tag(papers)  # or dicts, strings, a DataFrame or its rows
    table = taxonomy.to_dataframe(tagged)  # one row a paper (pip install 'taxonomy[pandas]')

They are loaded on first use, so ``import taxonomy`` (and the ``taxonomy`` command's start) loads
neither spaCy, nor the rules, nor pandas.

``taxonomy.tag`` is also the name of the tagging stage's sub-package (``from taxonomy.tag import
Tagger``): that module is made callable, and calling it calls :func:`taxonomy.api.tag`, so both
uses of the name work whichever is imported first.
"""

from __future__ import annotations

import sys
import types

from taxonomy.version import __version__

# not typing.TYPE_CHECKING: importing typing would double the cost of importing taxonomy
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from taxonomy.api import Papers, Tagged, read, tag, to_dataframe

__all__ = ["Papers", "Tagged", "__version__", "read", "tag", "to_dataframe"]

_API = frozenset(("Papers", "Tagged", "read", "to_dataframe"))


class _TagStage(types.ModuleType):
    """The ``taxonomy.tag`` sub-package, callable as :func:`taxonomy.api.tag`."""

    def __call__(self, records: object, **options: Any) -> Tagged:
        from taxonomy.api import tag as tag_records

        return tag_records(records, **options)


class _Package(types.ModuleType):
    """The package's module: makes the tagging sub-package callable when the import system binds it."""

    def __setattr__(self, name: str, value: object) -> None:
        if name == "tag" and type(value) is types.ModuleType:
            value.__class__ = _TagStage
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> object:
    """The library's functions, imported when first asked for."""
    if name == "tag":
        import taxonomy.tag  # noqa: F401  (binding the sub-package makes it callable: see _Package)

        return globals()["tag"]
    if name in _API:
        from taxonomy import api

        value = getattr(api, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'taxonomy' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_API, "tag"})
