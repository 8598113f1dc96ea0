"""The ``taxonomy`` command: parse options, call one library function, print a short result.

Library errors (``TaxonomyError``) become one ``Error: ...`` line on standard error and exit status 1;
anything else keeps its traceback, because it is a bug. ``parser`` declares the commands and their
options; ``commands`` holds one handler per command.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from taxonomy.cli.parser import Handler, build_parser
from taxonomy.errors import TaxonomyError

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return handler(args)
    except TaxonomyError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
