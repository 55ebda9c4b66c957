"""Verify candidates on exact shingle sets, join duplicates with union-find, pick representatives.

>>> groups = connected_components(4, [(0, 1), (2, 1)])
>>> groups
[[0, 1, 2]]
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numba import njit

from .signature import estimate_jaccard

__all__ = [
    "Pair",
    "UnionFind",
    "choose_representative",
    "choose_representatives",
    "component_arrays",
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
    """Exact ``(jaccard, containment of a in b, containment of b in a)`` of two sorted unique
    hash sets: the 64-bit shingle sets of :mod:`dedup.exact` for every verdict (32-bit hashes
    would make distinct shingles equal now and then).

    >>> overlap(np.array([1, 2, 3], dtype=np.uint64), np.array([2, 3], dtype=np.uint64))
    (0.6666666666666666, 0.6666666666666666, 1.0)
    """
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


def choose_representatives(
    nodes: npt.NDArray[np.int64],
    bounds: npt.NDArray[np.int64],
    lengths: npt.NDArray[np.int64],
    ids: Sequence[str],
) -> list[int]:
    """:func:`choose_representative` of every group ``nodes[bounds[g]:bounds[g + 1]]`` (as
    :func:`component_arrays` gives them), at once."""
    if not len(nodes):
        return []
    sizes = np.diff(bounds)
    length = lengths[nodes]
    best = length == np.repeat(np.maximum.reduceat(length, bounds[:-1]), sizes)
    chosen = np.zeros(len(sizes), dtype=np.int64)
    chosen[np.repeat(np.arange(len(sizes)), sizes)[best]] = nodes[best]  # right where one is
    picked: list[int] = chosen.tolist()
    for group in np.flatnonzero(np.add.reduceat(best, bounds[:-1]) > 1).tolist():
        lo, hi = bounds[group], bounds[group + 1]  # equally long: the smallest id
        picked[group] = min(nodes[lo:hi][best[lo:hi]].tolist(), key=lambda m: ids[m])
    return picked


def connected_components(n: int, edges: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Groups of two or more nodes joined by ``edges``; each sorted, ordered by first member."""
    pairs = np.array(list(edges), dtype=np.int64).reshape(-1, 2)
    nodes, bounds = component_arrays(n, pairs[:, 0], pairs[:, 1])
    flat = nodes.tolist()
    return [flat[lo:hi] for lo, hi in itertools.pairwise(bounds.tolist())]


def component_arrays(
    n: int, a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """:func:`connected_components` of the edges ``(a[k], b[k])`` over nodes ``0..n-1`` as
    arrays: group ``g`` is ``nodes[bounds[g]:bounds[g + 1]]``."""
    root = _roots(n, np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64))
    inside = np.flatnonzero(np.bincount(root, minlength=n)[root] > 1)
    group_root = root[inside]
    roots, first_index = np.unique(group_root, return_index=True)
    first = np.zeros(n, dtype=np.int64)
    first[roots] = inside[first_index]  # members ascend: a group's first index is its least
    key = first[group_root]
    order = np.lexsort((inside, key))
    nodes, key = inside[order], key[order]
    starts = np.flatnonzero(np.diff(key)) + 1 if len(key) else np.zeros(0, dtype=np.int64)
    bounds = np.concatenate([[0], starts, [len(nodes)]]) if len(nodes) else np.zeros(1, np.int64)
    return nodes, bounds.astype(np.int64)


@njit(cache=True)
def _roots(n: int, a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The root of every node after joining each ``(a[k], b[k])`` (union by size, path
    halving)."""
    parent = np.arange(n)
    size = np.ones(n, dtype=np.int64)
    for k in range(len(a)):
        x, y = a[k], b[k]
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        while parent[y] != y:
            parent[y] = parent[parent[y]]
            y = parent[y]
        if x == y:
            continue
        if size[x] < size[y]:
            x, y = y, x
        parent[y] = x
        size[x] += size[y]
    for i in range(n):
        r = i
        while parent[r] != r:
            r = parent[r]
        parent[i] = r
    return parent


def choose_representative(
    members: Sequence[int], lengths: Sequence[int], ids: Sequence[str]
) -> int:
    """The most complete member: longest normalized text, ties broken by the smallest id."""
    return min(members, key=lambda m: (-lengths[m], ids[m]))
