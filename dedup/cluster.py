"""Verify candidates on exact shingle sets, join duplicates with union-find, pick representatives.

>>> groups = connected_components(4, [(0, 1), (2, 1)])
>>> groups
[[0, 1, 2]]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .signature import estimate_jaccard

__all__ = [
    "Pair",
    "UnionFind",
    "choose_representative",
    "connected_components",
    "overlap",
    "verify_pair",
]

DUPLICATE = "duplicate"
CONTAINED = "contained"
REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Pair:
    """A verified candidate pair of document indices (``a < b``) and the verdict."""

    a: int
    b: int
    estimated_jaccard: float
    jaccard: float
    containment_a_in_b: float
    containment_b_in_a: float
    verdict: str

    @property
    def accepted(self) -> bool:
        return self.verdict != REJECTED


def overlap(set_a: np.ndarray, set_b: np.ndarray) -> tuple[float, float, float]:
    """Exact ``(jaccard, containment of a in b, containment of b in a)`` of two sorted hash sets."""
    if set_a.size == 0 or set_b.size == 0:
        return (1.0, 1.0, 1.0) if set_a.size == set_b.size else (0.0, 0.0, 0.0)
    inter = int(np.intersect1d(set_a, set_b, assume_unique=True).size)
    union = set_a.size + set_b.size - inter
    return inter / union, inter / set_a.size, inter / set_b.size


def verify_pair(
    a: int,
    b: int,
    sets: Sequence[np.ndarray],
    signatures: Sequence[np.ndarray],
    threshold: float,
    containment: float | None,
) -> Pair:
    """Measure one candidate pair and decide: ``duplicate``, ``contained`` or ``rejected``.

    ``duplicate`` needs exact Jaccard >= ``threshold``; ``contained`` (only when ``containment``
    is set) needs the smaller side to lie at least ``containment`` inside the larger one.
    """
    if a > b:
        a, b = b, a
    jaccard, c_ab, c_ba = overlap(sets[a], sets[b])
    if jaccard >= threshold:
        verdict = DUPLICATE
    elif containment is not None and max(c_ab, c_ba) >= containment:
        verdict = CONTAINED
    else:
        verdict = REJECTED
    return Pair(
        a=a,
        b=b,
        estimated_jaccard=estimate_jaccard(signatures[a], signatures[b]),
        jaccard=jaccard,
        containment_a_in_b=c_ab,
        containment_b_in_a=c_ba,
        verdict=verdict,
    )


class UnionFind:
    """Disjoint sets over ``0..n-1`` with path halving and union by size."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.size = [1] * n

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, x: int, y: int) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx == ry:
            return
        if self.size[rx] < self.size[ry]:
            rx, ry = ry, rx
        self.parent[ry] = rx
        self.size[rx] += self.size[ry]


def connected_components(n: int, edges: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Groups of two or more nodes joined by ``edges``; each sorted, ordered by first member."""
    uf = UnionFind(n)
    for x, y in edges:
        uf.union(x, y)
    groups: dict[int, list[int]] = {}
    for node in range(n):
        groups.setdefault(uf.find(node), []).append(node)
    return sorted((g for g in groups.values() if len(g) > 1), key=lambda g: g[0])


def choose_representative(
    members: Sequence[int], lengths: Sequence[int], ids: Sequence[str]
) -> int:
    """The most complete member: longest normalized text, ties broken by the smallest id."""
    return min(members, key=lambda m: (-lengths[m], ids[m]))
