"""Candidate pairs from signatures: LSH banding for Jaccard, ``MinHashLSHEnsemble`` for
containment.

:func:`band_candidates` bands a whole signature matrix with array operations and gives exactly
the pairs datasketch's ``MinHashLSH`` (same bands and rows) would: documents that agree on every
row of at least one band (a test checks both). :func:`candidate_pairs` does it through
``MinHashLSH`` itself. Candidates are only candidates: :mod:`dedup.cluster` verifies each one on
the exact shingle sets.
"""

from __future__ import annotations

import functools
import importlib.metadata
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import numpy.typing as npt
from numba import njit

from .errors import ConfigError
from .signature import lean_minhash
from .tablecache import cached_arrays

__all__ = [
    "band_candidates",
    "candidate_pairs",
    "containment_candidate_pairs",
    "RECALL_WEIGHTS",
    "lsh_parameters",
]

log = logging.getLogger(__name__)

LARGE_BUCKET = 10_000
"""A band bucket this large is logged: its pairs grow with the square of its size."""


RECALL_WEIGHTS = (0.1, 0.9)
"""(false positive, false negative) weights given to datasketch's band optimiser.

Every candidate is verified on the exact shingle sets, so a false candidate costs one check
while a missed pair is a duplicate left in the corpus: weigh misses 9 to 1. For threshold 0.7 and
128 permutations this gives 20 bands of 6 rows (a pair of Jaccard 0.8 is proposed with
probability 0.998) where even weights give 14 x 9 (0.87).
"""


@functools.lru_cache(maxsize=64)
def lsh_parameters(threshold: float, num_perm: int) -> tuple[int, int]:
    """The ``(bands, rows)`` datasketch's optimiser picks for ``threshold`` and ``num_perm``,
    with misses weighted over false candidates (:data:`RECALL_WEIGHTS`).

    >>> lsh_parameters(0.7, 128)
    (20, 6)

    The answer is kept on disk (:mod:`dedup.tablecache`): the optimiser needs scipy, whose
    import takes about a second of every run otherwise.
    """

    def optimise() -> dict[str, npt.NDArray[np.generic]]:
        from datasketch import MinHashLSH

        try:
            lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=RECALL_WEIGHTS)
        except ValueError as exc:  # the optimiser wants fewer than 2 bands
            raise ConfigError(
                f"threshold {threshold} with {num_perm} permutations leaves too few LSH bands "
                f"({exc}); use more permutations (--num-perm {num_perm * 4}) or a lower threshold"
            ) from exc
        return {"bands_rows": np.array([lsh.b, lsh.r], dtype=np.int64)}

    depends = [repr(threshold), str(num_perm), repr(RECALL_WEIGHTS), _datasketch_version()]
    bands, rows = cached_arrays(optimise, depends)["bands_rows"].tolist()
    return int(bands), int(rows)


def _datasketch_version() -> str:
    try:
        return importlib.metadata.version("datasketch")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def candidate_pairs(
    signatures: Sequence[np.ndarray], threshold: float, seed: int
) -> set[tuple[int, int]]:
    """Pairs ``(i, j)``, ``i < j``, of signature indices that share at least one LSH band."""
    if not signatures:
        return set()
    from datasketch import MinHashLSH

    num_perm = int(signatures[0].shape[0])
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=RECALL_WEIGHTS)
    pairs: set[tuple[int, int]] = set()
    with lsh.insertion_session(buffer_size=50_000) as session:
        for i, sig in enumerate(signatures):
            session.insert(i, lean_minhash(sig, seed), check_duplication=False)
    for j, sig in enumerate(signatures):
        for i in lsh.query(lean_minhash(sig, seed)):
            if i != j:
                pairs.add((min(i, j), max(i, j)))
    return pairs


def containment_candidate_pairs(
    signatures: Sequence[np.ndarray],
    sizes: Sequence[int],
    threshold: float,
    seed: int,
) -> set[tuple[int, int]]:
    """Pairs ``(i, j)`` where document ``i``'s shingles may lie at least ``threshold`` inside ``j``.

    Ordered pairs: ``i`` is the (possibly) contained document. Empty documents are left out.
    """
    entries = [
        (i, lean_minhash(sig, seed), size)
        for i, (sig, size) in enumerate(zip(signatures, sizes, strict=True))
        if size > 0
    ]
    if len(entries) < 2:
        return set()
    from datasketch import MinHashLSHEnsemble

    num_perm = int(signatures[0].shape[0])
    ensemble = MinHashLSHEnsemble(threshold=threshold, num_perm=num_perm, num_part=16)
    ensemble.index(entries)
    pairs: set[tuple[int, int]] = set()
    for i, minhash, size in entries:
        for j in ensemble.query(minhash, size):
            if j != i:
                pairs.add((i, j))
    return pairs


def _band_keys(block: npt.NDArray[np.uint32], band: int) -> npt.NDArray[np.uint64]:
    """A 64-bit key per row of ``block`` (one band of every signature)."""
    seed = (0x9E3779B97F4A7C15 * (band + 1)) & 0xFFFFFFFFFFFFFFFF
    key = np.full(block.shape[0], seed, dtype=np.uint64)
    for c in range(block.shape[1]):
        key ^= block[:, c].astype(np.uint64)
        key *= np.uint64(0xFF51AFD7ED558CCD)
        key ^= key >> np.uint64(29)
    return key


@njit(cache=True, nogil=True)
def _bucket_pairs(
    order: npt.NDArray[np.int64],
    keys: npt.NDArray[np.uint64],
    block: npt.NDArray[np.uint32],
) -> tuple[npt.NDArray[np.int64], int]:
    """Pairs ``a * n + b`` (``a < b``) of rows with equal band values, and the largest bucket."""
    n = len(order)
    total = 0
    largest = 0
    start = 0
    for i in range(1, n + 1):
        if i == n or keys[order[i]] != keys[order[start]]:
            size = i - start
            total += size * (size - 1) // 2
            largest = max(largest, size)
            start = i
    out = np.empty(total, dtype=np.int64)
    used = 0
    start = 0
    rows = block.shape[1]
    for i in range(1, n + 1):
        if i == n or keys[order[i]] != keys[order[start]]:
            for x in range(start, i):
                for y in range(x + 1, i):
                    p, q = order[x], order[y]
                    same = True
                    for c in range(rows):  # equal keys of unequal bands: never a candidate
                        if block[p, c] != block[q, c]:
                            same = False
                            break
                    if same:
                        out[used] = min(p, q) * n + max(p, q)
                        used += 1
            start = i
    return out[:used], largest


def band_candidates(
    signatures: npt.NDArray[np.uint32], bands: int, rows: int, workers: int = 1
) -> npt.NDArray[np.int64]:
    """Pairs ``(i, j)``, ``i < j``, of signature rows equal on all ``rows`` values of at least
    one of the first ``bands`` bands; sorted, as an ``(m, 2)`` array. ``workers`` threads
    band at once (the sorting and the compiled kernel run without the GIL).

    >>> sigs = np.array([[1, 2, 3, 4], [1, 2, 9, 9], [5, 6, 3, 4]], dtype=np.uint32)
    >>> band_candidates(sigs, 2, 2).tolist()
    [[0, 1], [0, 2]]
    """
    n = signatures.shape[0]

    def one_band(band: int) -> npt.NDArray[np.int64]:
        block = np.ascontiguousarray(signatures[:, band * rows : (band + 1) * rows])
        keys = _band_keys(block, band)
        order = np.argsort(keys, kind="stable").astype(np.int64)
        pairs, largest = _bucket_pairs(order, keys, block)
        if largest >= LARGE_BUCKET:
            log.warning("band %d has a bucket of %d documents", band, largest)
        return pairs

    if workers > 1 and bands > 1:
        with ThreadPoolExecutor(workers) as pool:
            found = list(pool.map(one_band, range(bands)))
    else:
        found = [one_band(band) for band in range(bands)]
    codes = np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
    return np.stack([codes // max(n, 1), codes % max(n, 1)], axis=1)
