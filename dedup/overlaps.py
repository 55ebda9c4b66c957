"""Exact overlap of many document pairs, reading shingle sets from a :class:`HashStore`.

Pairs are measured in chunks, so only the sets of one chunk's documents are in memory at once.

>>> a = np.array([1, 2, 3], dtype=np.uint32); b = np.array([2, 3, 4, 5], dtype=np.uint32)
>>> _intersections(np.concatenate([a, b]), np.array([0, 3, 7]), np.array([[0, 1]])).tolist()
[2]
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = ["SetSource", "exact_overlaps"]

_CHUNK = 50_000  # pairs measured together at most
_BUDGET = 64 << 20  # bytes of shingle sets loaded at once, about


@njit(cache=True, nogil=True)
def _intersections(
    flat: npt.NDArray[np.uint32], bounds: npt.NDArray[np.int64], pairs: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Size of the intersection of sorted sets ``pairs[k, 0]`` and ``pairs[k, 1]``."""
    out = np.zeros(len(pairs), dtype=np.int64)
    for k in range(len(pairs)):
        i, end_i = bounds[pairs[k, 0]], bounds[pairs[k, 0] + 1]
        j, end_j = bounds[pairs[k, 1]], bounds[pairs[k, 1] + 1]
        common = 0
        while i < end_i and j < end_j:
            x, y = flat[i], flat[j]
            if x == y:
                common += 1
                i += 1
                j += 1
            elif x < y:
                i += 1
            else:
                j += 1
        out[k] = common
    return out


class SetSource(Protocol):
    """Where :func:`exact_overlaps` reads shingle sets (a :class:`~dedup.spill.HashStore`)."""

    def counts(self, docs: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """How many hashes each of ``docs`` has."""
        ...

    def gather(self, docs: npt.NDArray[np.int64]) -> npt.NDArray[np.uint32]:
        """The sorted unique hashes of each of ``docs``, one set after the other."""
        ...


def exact_overlaps(
    pairs: npt.NDArray[np.int64], sets: SetSource, budget: int = _BUDGET, workers: int = 1
) -> npt.NDArray[np.float64]:
    """``(jaccard, containment of a in b, containment of b in a)`` of each pair ``(a, b)``, as an
    ``(m, 3)`` array, from the documents' sorted unique shingle hashes in ``sets``.

    Pairs are measured in chunks whose sets take at most about ``budget`` bytes (one pair at
    least); ``workers`` threads measure chunks at once (their kernels run without the GIL,
    and memory then holds that many chunks). Empty sets follow :func:`dedup.cluster.overlap`:
    two empty sets are equal, one is nothing.
    """
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    out = np.zeros((len(pairs), 3), dtype=np.float64)
    if not len(pairs):
        return out
    cost = 4 * (sets.counts(pairs[:, 0]) + sets.counts(pairs[:, 1]))
    chunks = []
    lo = 0
    while lo < len(pairs):
        used = np.cumsum(cost[lo : lo + _CHUNK])
        hi = lo + max(1, int(np.searchsorted(used, budget, side="right")))
        chunks.append((lo, hi))
        lo = hi

    def measure(chunk: tuple[int, int]) -> None:
        lo, hi = chunk
        out[lo:hi] = _measure(pairs[lo:hi], sets)

    if workers > 1 and len(chunks) > 1:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(measure, chunks))
    else:
        for chunk in chunks:
            measure(chunk)
    return out


def _measure(chunk: npt.NDArray[np.int64], sets: SetSource) -> npt.NDArray[np.float64]:
    docs = np.unique(chunk)
    sizes = sets.counts(docs)
    bounds = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum(sizes, out=bounds[1:])
    flat = sets.gather(docs)
    local = np.searchsorted(docs, chunk)
    inter = _intersections(flat, bounds, local).astype(np.float64)
    size_a = sizes[local[:, 0]].astype(np.float64)
    size_b = sizes[local[:, 1]].astype(np.float64)
    union = size_a + size_b - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        part = np.stack([inter / union, inter / size_a, inter / size_b], axis=1)
    both_empty = (size_a == 0) & (size_b == 0)
    one_empty = (size_a == 0) ^ (size_b == 0)
    part[both_empty] = 1.0
    part[one_empty] = 0.0
    return part
