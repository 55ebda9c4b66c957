"""MinHash signatures for many documents, bit-for-bit equal to datasketch's ``MinHash``.

The scheme is datasketch's ``affine32`` (its default since 2.0): each 32-bit shingle hash is
pre-mixed with the MurmurHash3 finalizer, then permuted by ``a_k * h + b_k mod 2^32`` with ``a_k``
odd, and the slot keeps the minimum. The permutations come from ``numpy.random.RandomState(seed)``
exactly as datasketch draws them, so for the same shingle hashes

    MinHash(num_perm, seed, hashfunc=lambda h: h, scheme="affine32").update_batch(hashes)

holds the same ``hashvalues`` as :func:`signature` (a test checks this). That keeps our signatures
usable in datasketch's ``LeanMinHash``, ``MinHashLSH`` and storage backends.

>>> sig = signature(np.array([1, 2, 3], dtype=np.uint32), permutations(128, seed=1))
>>> sig.shape, sig.dtype
((128,), dtype('uint32'))
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from datasketch import LeanMinHash

__all__ = [
    "SCHEME",
    "estimate_jaccard",
    "estimate_jaccards",
    "lean_minhash",
    "permutations",
    "signature",
]

SCHEME = "affine32"
"""Name of the signature scheme, recorded in every output and index."""

_EMPTY = np.uint32(0xFFFFFFFF)
_BLOCK = 4096  # shingles per block, to bound the temporary (block x num_perm) matrix


@lru_cache(maxsize=16)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``(a, b)`` permutation parameters datasketch draws for ``affine32``."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    a.setflags(write=False)
    b.setflags(write=False)
    return a, b


def _fmix32(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    mixed: np.ndarray = h ^ (h >> np.uint32(16))
    return mixed


def signature(hashes: np.ndarray, perms: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """The MinHash signature (uint32, one value per permutation) of a set of shingle hashes.

    An empty set gives the all-``0xFFFFFFFF`` signature, as datasketch's empty MinHash.
    """
    a, b = perms
    out = np.full(a.shape[0], _EMPTY, dtype=np.uint32)
    if hashes.size == 0:
        return out
    mixed = _fmix32(np.asarray(hashes, dtype=np.uint32))
    for start in range(0, mixed.size, _BLOCK):
        block = mixed[start : start + _BLOCK, None]
        np.minimum(out, (block * a + b).min(axis=0), out=out)
    return out


def estimate_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Share of equal slots: the MinHash estimate of the Jaccard similarity."""
    return float(np.count_nonzero(sig_a == sig_b)) / float(sig_a.shape[0])


def estimate_jaccards(signatures: np.ndarray, pairs: np.ndarray, chunk: int = 8192) -> np.ndarray:
    """:func:`estimate_jaccard` of each row pair ``(a, b)`` of ``signatures``, at once (in
    chunks of pairs, to bound memory)."""
    out = np.zeros(len(pairs), dtype=np.float64)
    for lo in range(0, len(pairs), chunk):
        a, b = pairs[lo : lo + chunk, 0], pairs[lo : lo + chunk, 1]
        equal = np.count_nonzero(signatures[a] == signatures[b], axis=1)
        out[lo : lo + chunk] = equal / float(signatures.shape[1])
    return out


def lean_minhash(sig: np.ndarray, seed: int) -> LeanMinHash:
    """Wrap a signature as a datasketch ``LeanMinHash`` (for ``MinHashLSH`` and storage)."""
    from datasketch import LeanMinHash

    return LeanMinHash(seed=seed, hashvalues=sig, scheme=SCHEME)
