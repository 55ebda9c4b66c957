"""From a document's text to what matching needs: its shingle set and MinHash signature.

Every path that compares documents (``dedupe run``, the persistent index, Spark) goes through
:func:`sketch` or :func:`sketch_many`, so they all agree on normalization, shingling and
permutations. Both run the fast path: :mod:`dedup.fastnorm` normalizes a batch for matching
and :mod:`dedup.fastsketch` hashes shingles and computes signatures in compiled code. The
results are bit-for-bit those of the plain reference path (normalize and segment, then
:func:`dedup.shingle.shingle_hashes` and :func:`dedup.signature.signature`, i.e. datasketch's
``affine32`` MinHash); tests hold both paths equal.

>>> s = sketch("強基惠民，穩邊固邊", Options())
>>> s.signature.shape, s.length
((128,), 8)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .fastnorm import matching_codes
from .fastsketch import SketchBatch, sketch_codes
from .options import Options
from .signature import permutations

__all__ = ["Sketch", "sketch", "sketch_batch", "sketch_many"]


@dataclass(frozen=True, slots=True)
class Sketch:
    """The shingle set (sorted unique uint32 hashes), the signature, the length.

    ``length`` counts the characters inside tokens (letters, digits, CJK characters) of the
    normalized text: whitespace, punctuation and layout do not count, so two copies that differ
    only in those have the same length. It ranks how complete a document is.
    """

    shingles: np.ndarray
    signature: np.ndarray
    length: int


def sketch_batch(
    texts: Sequence[str], options: Options, *, with_hashes: bool = True
) -> SketchBatch:
    """Signatures, token lengths and (unless ``with_hashes=False``) shingle hashes of ``texts``
    as arrays: the form for many documents, with no Python object per document.

    >>> sketch_batch(["一二三四五六", "abc"], Options()).signatures.shape
    (2, 128)
    """
    codes, starts = matching_codes(texts, options.normalize)
    a, b = permutations(options.num_perm, options.seed)
    return sketch_codes(
        codes, starts, options.cjk_ngram, options.word_ngram, a, b, with_hashes=with_hashes
    )


def sketch_many(texts: Sequence[str], options: Options) -> list[Sketch]:
    """:func:`sketch` of each text, computed together (much faster than one by one).

    >>> [s.length for s in sketch_many(["一二三", "one two"], Options())]
    [3, 6]
    """
    batch = sketch_batch(texts, options)
    ends = np.cumsum(batch.counts)
    out = []
    for i in range(len(texts)):
        hashes = batch.hashes[ends[i] - batch.counts[i] : ends[i]]
        out.append(
            Sketch(
                shingles=np.unique(hashes),
                signature=batch.signatures[i].copy(),
                length=int(batch.lengths[i]),
            )
        )
    return out


def sketch(text: str, options: Options) -> Sketch:
    """Normalize, shingle and sign one text with ``options``."""
    return sketch_many([text], options)[0]
