"""Strict and lax precision, recall and F1 over paragraph groupings.

The metric published by sentence aligners such as Vecalign and Bertalign. A grouping is a
pair ``(A indices, B indices)``. Only groupings with both sides non-empty are scored (as
Vecalign's recall does); inserted and deleted paragraphs are scored apart, as the F1 of the
set of unmatched paragraphs.

- **strict**: a grouping counts when exactly the same grouping is on the other side;
- **lax**: a grouping counts when it shares at least one link ``(a, b)`` with a grouping
  on the other side.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

Grouping = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass
class Counts:
    """Running totals for one kind of match."""

    found: int = 0  # test groupings
    right: int = 0  # test groupings that count
    gold: int = 0  # gold groupings
    recalled: int = 0  # gold groupings that count

    def add(self, other: Counts) -> None:
        self.found += other.found
        self.right += other.right
        self.gold += other.gold
        self.recalled += other.recalled

    @property
    def precision(self) -> float:
        return self.right / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.recalled / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _links(groupings: Iterable[Grouping]) -> set[tuple[int, int]]:
    return {(a, b) for xs, ys in groupings for a in xs for b in ys}


def score_pair(gold: Iterable[Grouping], test: Iterable[Grouping]) -> dict[str, Counts]:
    """Counts for ``strict``, ``lax`` and ``unmatched`` (inserted/deleted paragraphs)."""
    gold_m = {g for g in gold if g[0] and g[1]}
    test_m = {g for g in test if g[0] and g[1]}
    gold_links, test_links = _links(gold_m), _links(test_m)
    strict = Counts(len(test_m), len(test_m & gold_m), len(gold_m), len(gold_m & test_m))
    lax = Counts(
        len(test_m),
        sum(1 for g in test_m if _links([g]) & gold_links),
        len(gold_m),
        sum(1 for g in gold_m if _links([g]) & test_links),
    )
    gold_u = {(side, i) for g in gold if not (g[0] and g[1]) for side, i in _sides(g)}
    test_u = {(side, i) for g in test if not (g[0] and g[1]) for side, i in _sides(g)}
    both = len(gold_u & test_u)
    unmatched = Counts(len(test_u), both, len(gold_u), both)
    return {"strict": strict, "lax": lax, "unmatched": unmatched}


def _sides(g: Grouping) -> list[tuple[str, int]]:
    return [("a", i) for i in g[0]] + [("b", j) for j in g[1]]
