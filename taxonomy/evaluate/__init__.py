"""Score the tagger against gold labels: complete labels (precision, recall, F1) or list memberships
(recall of the listed family), each error or miss shown with its evidence."""

from __future__ import annotations

from taxonomy.evaluate.gold import (
    GoldPaper,
    LabelGold,
    ListGold,
    ListPaper,
    gold_families,
    load_gold,
    read_gold,
)
from taxonomy.evaluate.labels import (
    Evaluation,
    PaperError,
    Score,
    evaluate,
    format_evaluation,
    normalise_title,
)
from taxonomy.evaluate.lists import ListEvaluation, Miss, Tally, evaluate_lists, format_list_evaluation
from taxonomy.evaluate.split import PARTS, Part, split

__all__ = [
    "PARTS",
    "Evaluation",
    "GoldPaper",
    "LabelGold",
    "ListEvaluation",
    "ListGold",
    "ListPaper",
    "Miss",
    "PaperError",
    "Part",
    "Score",
    "Tally",
    "evaluate",
    "evaluate_lists",
    "format_evaluation",
    "format_list_evaluation",
    "gold_families",
    "load_gold",
    "normalise_title",
    "read_gold",
    "split",
]
