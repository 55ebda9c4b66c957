"""From a document's text to what matching needs: its shingle set and MinHash signature.

Every path that compares documents (``dedupe run``, the persistent index, Spark) goes through
:func:`sketch`, so they all agree on normalization, segmentation, shingling and permutations.

>>> s = sketch("強基惠民，穩邊固邊", Options())
>>> s.signature.shape
(128,)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .options import Options
from .segment import matching_text, paragraphs
from .shingle import shingle_hashes
from .signature import permutations, signature

__all__ = ["Sketch", "sketch"]


@dataclass(frozen=True, slots=True)
class Sketch:
    """The shingle set (sorted unique uint32 hashes), the signature, the normalized length."""

    shingles: np.ndarray
    signature: np.ndarray
    length: int


def sketch(text: str, options: Options) -> Sketch:
    """Normalize, segment, shingle and sign one text with ``options``."""
    normalized = matching_text(paragraphs(text, options.normalize))
    hashes = shingle_hashes(normalized, options=options)
    return Sketch(
        shingles=hashes,
        signature=signature(hashes, permutations(options.num_perm, options.seed)),
        length=len(normalized),
    )
