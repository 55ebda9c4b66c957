"""Candidate pairs from signatures: datasketch ``MinHashLSH`` for Jaccard, ``MinHashLSHEnsemble``
for containment.

Candidates are only candidates: :mod:`dedup.cluster` verifies each one on the exact shingle sets.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from datasketch import MinHashLSH, MinHashLSHEnsemble

from .signature import lean_minhash

__all__ = ["candidate_pairs", "containment_candidate_pairs", "lsh_parameters"]


def lsh_parameters(threshold: float, num_perm: int) -> tuple[int, int]:
    """The ``(bands, rows)`` datasketch picks for ``threshold`` and ``num_perm``."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


def candidate_pairs(
    signatures: Sequence[np.ndarray], threshold: float, seed: int
) -> set[tuple[int, int]]:
    """Pairs ``(i, j)``, ``i < j``, of signature indices that share at least one LSH band."""
    if not signatures:
        return set()
    num_perm = int(signatures[0].shape[0])
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
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
    num_perm = int(signatures[0].shape[0])
    ensemble = MinHashLSHEnsemble(threshold=threshold, num_perm=num_perm, num_part=16)
    ensemble.index(entries)
    pairs: set[tuple[int, int]] = set()
    for i, minhash, size in entries:
        for j in ensemble.query(minhash, size):
            if j != i:
                pairs.add((i, j))
    return pairs
