"""``dedupe eval``: how many true duplicates a setting finds, and how many innocent documents it
joins, measured against truth labels, at one threshold or a sweep of them.

>>> from dedup.eval import evaluate
>>> ev = evaluate([("a", "one two three four"), ("b", "one two three four"), ("c", "five six")],
...               [["a", "b"]])
>>> ev.scores.pairwise.f1
1.0
"""

from __future__ import annotations

from .core import Evaluation, PairError, ThresholdScores, evaluate, parse_sweep
from .labels import labels_from_field, merge_groups, read_labels

__all__ = [
    "Evaluation",
    "PairError",
    "ThresholdScores",
    "evaluate",
    "labels_from_field",
    "merge_groups",
    "parse_sweep",
    "read_labels",
]
