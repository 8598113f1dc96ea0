"""Command-line mistakes: the nearest option or command suggested, with the usage of the command typed.

argparse reports an unknown option of a subcommand from the top-level parser, with the top-level
usage, and suggests nothing. :class:`Parser` reports it from the subcommand's own parser (its usage
is what the user needs) and adds a "did you mean ...?" hint, as it does for a mistyped command or
choice. Every such mistake exits with status 2.
"""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Iterable, Sequence
from typing import Any, NoReturn


def nearest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to ``word``, or None when none is close."""
    found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that names the nearest option, command or choice of a mistyped one."""

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        """Parse, and stop at an argument this parser does not know (so its own usage is shown)."""
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:
            self.unrecognized(extras)
        return parsed, extras

    def unrecognized(self, extras: Sequence[str]) -> NoReturn:
        """Exit with the arguments not understood, and the nearest option to the first unknown one."""
        message = f"unrecognized arguments: {' '.join(extras)}"
        option = next((e for e in extras if e.startswith("-")), None)
        if option is not None:
            known = [s for action in self._actions for s in action.option_strings if s.startswith("--")]
            close = nearest(option.partition("=")[0], known)
            if close is not None:
                message += f" (did you mean '{close}'?)"
        self.error(message)

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        if action.choices is None or value in action.choices:
            return
        choices = [str(choice) for choice in action.choices]
        close = nearest(str(value), choices)
        hint = f" (did you mean '{close}'?)" if close is not None else ""
        raise argparse.ArgumentError(
            action, f"invalid choice: '{value}'{hint}; choose from {', '.join(choices)}"
        )
