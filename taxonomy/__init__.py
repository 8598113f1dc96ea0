"""taxonomy: tag papers with method families and concepts, and map how the methods relate."""

from __future__ import annotations

__version__ = "0.1.0"
