"""LSH banding for the persistent index: how many bands, and each band's 64-bit key.

The index leans towards recall, like ``dedupe run``: a missed near-duplicate is a wrong answer to
"have we got this already?", while a false candidate only costs one exact check. So the
``(bands, rows)`` are datasketch's optimum with false negatives weighted 9 to 1 (for threshold
0.7 and 128 permutations: 20 bands of 6 rows, which finds a pair of Jaccard 0.8 with
probability 0.998, where the even weighting's 14 x 9 finds it with 0.87). They are stored in
the index, so a change of this rule never affects an existing index.

>>> index_lsh_parameters(0.7, 128)
(20, 6)
"""

from __future__ import annotations

import numpy as np
import xxhash

from ..lsh import RECALL_WEIGHTS, lsh_parameters

__all__ = ["RECALL_WEIGHTS", "band_keys", "index_lsh_parameters"]

_SIGN = 1 << 63


def index_lsh_parameters(threshold: float, num_perm: int) -> tuple[int, int]:
    """The ``(bands, rows)`` for a new index: the same as ``dedupe run`` uses."""
    return lsh_parameters(threshold, num_perm)


def band_keys(signature: np.ndarray, bands: int, rows: int) -> tuple[int, ...]:
    """One signed 64-bit key per band: xxh64 of the band's little-endian bytes, seeded with the
    band's number so that equal values in different bands never share a key.

    >>> len(band_keys(np.arange(128, dtype=np.uint32), 20, 6))
    20
    """
    data = np.ascontiguousarray(signature[: bands * rows], dtype="<u4").tobytes()
    width = rows * 4
    keys = []
    for band in range(bands):
        digest = xxhash.xxh64_intdigest(data[band * width : (band + 1) * width], seed=band)
        keys.append(digest - (1 << 64) if digest >= _SIGN else digest)
    return tuple(keys)
