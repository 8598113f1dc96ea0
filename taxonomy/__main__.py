"""``python -m taxonomy`` runs the command line."""

from __future__ import annotations

import sys

from taxonomy.cli import main

sys.exit(main())
