"""Signatures equal datasketch's MinHash bit for bit; estimates stay near the exact Jaccard."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.cluster import overlap
from dedup.shingle import shingle_hashes, shingles
from dedup.signature import (
    estimate_jaccard,
    estimate_jaccards,
    lean_minhash,
    permutations,
    signature,
)


def _datasketch(hashes: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    m = MinHash(num_perm=num_perm, seed=seed, hashfunc=lambda h: h, scheme="affine32")
    m.update_batch(hashes.tolist())
    return m.hashvalues


@pytest.mark.parametrize("num_perm,seed", [(128, 1), (64, 7), (256, 42)], ids=str)
def test_signature_equals_datasketch(num_perm: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    hashes = np.unique(rng.integers(0, 2**32, size=10_000, dtype=np.uint64).astype(np.uint32))
    ours = signature(hashes, permutations(num_perm, seed))
    assert ours.dtype == np.uint32
    assert np.array_equal(ours, _datasketch(hashes, num_perm, seed))


def test_empty_set_signature_is_datasketch_empty() -> None:
    empty = np.array([], dtype=np.uint32)
    assert np.array_equal(signature(empty, permutations(128, 1)), MinHash(128, 1).hashvalues)


def test_lean_minhash_round_trip() -> None:
    sig = signature(shingle_hashes("西藏自治区强化党建引领推动基层治理"), permutations(128, 1))
    lean = lean_minhash(sig, seed=1)
    assert np.array_equal(lean.hashvalues, sig)
    assert lean.scheme == "affine32"


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(50, 2000),
    share=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**16),
)
def test_estimate_within_tolerance_of_exact(size: int, share: float, seed: int) -> None:
    """With 256 slots the estimate's standard error is at most 0.5/16 = 0.031; allow 5 of them."""
    rng = np.random.default_rng(seed)
    universe = rng.choice(2**32, size=3 * size, replace=False).astype(np.uint32)
    common = int(size * share)
    a = np.unique(universe[:size])
    b = np.unique(np.concatenate([universe[:common], universe[size : 2 * size - common]]))
    perms = permutations(256, 1)
    exact = overlap(a, b)[0]
    estimate = estimate_jaccard(signature(a, perms), signature(b, perms))
    assert abs(estimate - exact) <= 0.16


def test_shingles_are_script_aware() -> None:
    assert shingles("你好世界你好", cjk_ngram=5) == [
        "你\x1f好\x1f世\x1f界\x1f你",
        "好\x1f世\x1f界\x1f你\x1f好",
    ]
    assert shingles("the cat sat on", word_ngram=3) == ["the\x1fcat\x1fsat", "cat\x1fsat\x1fon"]
    # a text shorter than one window is one shingle of all its tokens
    assert shingles("hi there", word_ngram=3) == ["hi\x1fthere"]
    # mixed: windows take the size of their first token's script
    mixed = shingles("共2016年", cjk_ngram=3, word_ngram=2)
    assert mixed[0] == "共\x1f2016\x1f年"
    assert shingles("", 5, 3) == []
    assert shingles("，。！", 5, 3) == []


def test_estimates_at_once_equal_one_by_one() -> None:
    """Chunks smaller than the pairs, signatures sharing from none to all slots."""
    rng = np.random.default_rng(5)
    sigs = rng.integers(0, 4, size=(40, 16), dtype=np.uint32)
    pairs = rng.integers(0, 40, size=(300, 2))
    got = estimate_jaccards(sigs, pairs, chunk=7)
    assert got.tolist() == [estimate_jaccard(sigs[a], sigs[b]) for a, b in pairs.tolist()]
    assert got.min() < 0.3 and got.max() == 1.0
