"""Exact overlap of many document pairs, reading shingle sets from a :class:`HashStore`.

A shingle set is the sorted unique 64-bit hashes of a document's shingles (see
:mod:`dedup.exact`). Pairs are measured in chunks, so only the sets of one chunk's documents
are mapped at once.

>>> words = np.array([1, 2, 3, 2, 3, 4, 5], dtype=np.uint64)  # two sets in one file
>>> one, three, four = (np.array([v]) for v in (1, 3, 4))
>>> _intersections(words, one - 1, three, words, three, four).tolist()
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
    words_a: npt.NDArray[np.uint64],
    start_a: npt.NDArray[np.int64],
    count_a: npt.NDArray[np.int64],
    words_b: npt.NDArray[np.uint64],
    start_b: npt.NDArray[np.int64],
    count_b: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:
    """Size of the intersection of the sorted sets ``words_a[start_a[k]:][:count_a[k]]`` and
    ``words_b[start_b[k]:][:count_b[k]]``, for every ``k``."""
    out = np.zeros(len(start_a), dtype=np.int64)
    for k in range(len(start_a)):
        i, end_i = start_a[k], start_a[k] + count_a[k]
        j, end_j = start_b[k], start_b[k] + count_b[k]
        common = 0
        while i < end_i and j < end_j:
            x, y = words_a[i], words_b[j]
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

    def locate(
        self, docs: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """``(file, first word, count)`` of each of ``docs``' sorted unique hashes."""
        ...

    def words(self, file: int) -> npt.NDArray[np.uint64]:
        """All the (64-bit) words of ``file`` (memory-mapped: released when the caller lets go)."""
        ...


def exact_overlaps(
    pairs: npt.NDArray[np.int64], sets: SetSource, budget: int = _BUDGET, workers: int = 1
) -> npt.NDArray[np.float64]:
    """``(jaccard, containment of a in b, containment of b in a)`` of each pair ``(a, b)``, as an
    ``(m, 3)`` array, from the documents' sorted unique shingle hashes in ``sets``.

    The sets are read where they lie (mapped files, no copies), in chunks of pairs whose sets
    take at most about ``budget`` bytes (one pair at least), so that no more than that stays
    mapped; ``workers`` threads measure chunks at once (the kernel runs without the GIL).
    Empty sets follow :func:`dedup.cluster.overlap`: two empty sets are equal, one is nothing.
    """
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    out = np.zeros((len(pairs), 3), dtype=np.float64)
    if not len(pairs):
        return out
    file_a, start_a, count_a = sets.locate(pairs[:, 0])
    file_b, start_b, count_b = sets.locate(pairs[:, 1])
    cost = 8 * (count_a + count_b)
    chunks = []
    lo = 0
    while lo < len(pairs):
        used = np.cumsum(cost[lo : lo + _CHUNK])
        hi = lo + max(1, int(np.searchsorted(used, budget, side="right")))
        chunks.append(slice(lo, hi))
        lo = hi

    def measure(part: slice) -> None:
        fa, fb = file_a[part], file_b[part]
        files = {f: sets.words(f) for f in np.unique(np.concatenate([fa, fb])).tolist()}
        inter = np.zeros(len(fa), dtype=np.int64)
        for x in np.unique(fa).tolist():
            for y in np.unique(fb[fa == x]).tolist():
                k = np.flatnonzero((fa == x) & (fb == y))
                inter[k] = _intersections(
                    files[x], start_a[part][k], count_a[part][k],
                    files[y], start_b[part][k], count_b[part][k],
                )  # fmt: skip
        del files  # unmapped here
        out[part] = _ratios(inter.astype(np.float64), count_a[part], count_b[part])

    if workers > 1 and len(chunks) > 1:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(measure, chunks))
    else:
        for chunk in chunks:
            measure(chunk)
    return out


def _ratios(
    inter: npt.NDArray[np.float64], count_a: npt.NDArray[np.int64], count_b: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    size_a = count_a.astype(np.float64)
    size_b = count_b.astype(np.float64)
    union = size_a + size_b - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        part = np.stack([inter / union, inter / size_a, inter / size_b], axis=1)
    both_empty = (size_a == 0) & (size_b == 0)
    one_empty = (size_a == 0) ^ (size_b == 0)
    part[both_empty] = 1.0
    part[one_empty] = 0.0
    return part
