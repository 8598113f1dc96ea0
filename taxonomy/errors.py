"""The project's exceptions: the library raises these, the CLI turns them into one-line messages."""

from __future__ import annotations


class TaxonomyError(Exception):
    """Base of every error a user can cause (bad input, bad rules, bad options)."""


class InputError(TaxonomyError):
    """An input file cannot be read, or a record in it is unusable under ``--strict``."""


class RulesError(TaxonomyError):
    """The rules folder has problems; the message lists every one of them."""

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


class OutputError(TaxonomyError):
    """An output folder or file cannot be written."""


class UsageError(TaxonomyError):
    """Options that do not fit together or name something that does not exist."""
