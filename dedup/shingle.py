"""Script-aware shingles of normalized text, hashed to 32-bit integers (for MinHash) and to
64-bit ones (for exact verdicts).

A text is cut into tokens: every Han, kana or hangul character is a token of its own, every run of
letters and digits of other scripts is a word token; whitespace and punctuation separate tokens and
are not part of any. A shingle is a window of consecutive tokens whose length depends on the script
of its first token: ``cjk_ngram`` tokens when it is a CJK character, ``word_ngram`` when it is a
word. Pure Chinese text thus gets character 5-grams, English word 3-grams, and mixed text windows
that span both. A text shorter than one window gives one shingle of all its tokens, so short
documents still have a signature.

>>> len(shingle_hashes("你好世界你好", cjk_ngram=5))
2
"""

from __future__ import annotations

import re

import numpy as np
import xxhash

from .options import Options

__all__ = ["shingle_hashes", "shingle_hashes64", "shingles", "tokens"]

_CJK_RANGES = (
    "\u1100-\u11ff"  # hangul jamo
    "\u2e80-\u2fdf"  # CJK radicals
    "\u3040-\u30ff"  # hiragana, katakana
    "\u3100-\u312f"  # bopomofo
    "\u3130-\u318f"  # hangul compatibility jamo
    "\u31a0-\u31ff"
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uac00-\ud7af"  # hangul syllables
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\U00020000-\U0003134f"  # CJK extensions B-G
)
_TOKEN = re.compile(rf"([{_CJK_RANGES}])|([^\W{_CJK_RANGES}]+)")
_SEPARATOR = "\x1f"


def tokens(text: str) -> list[tuple[str, bool]]:
    """The tokens of ``text`` as ``(token, is_cjk)`` pairs, in order."""
    return [(m.group(0), m.group(1) is not None) for m in _TOKEN.finditer(text)]


def shingles(text: str, cjk_ngram: int = 5, word_ngram: int = 3) -> list[str]:
    """The shingles of normalized ``text`` as strings (tokens joined by U+001F), in text order.

    Duplicates are kept; callers that need a set use :func:`shingle_hashes`.
    """
    toks = tokens(text)
    if not toks:
        return []
    words = [t for t, _ in toks]
    n_tokens = len(words)
    out: list[str] = []
    for i, (_, is_cjk) in enumerate(toks):
        n = cjk_ngram if is_cjk else word_ngram
        if i + n > n_tokens:
            if i == 0:
                out.append(_SEPARATOR.join(words))
            continue
        out.append(_SEPARATOR.join(words[i : i + n]))
    return out


def shingle_hashes(
    text: str, cjk_ngram: int = 5, word_ngram: int = 3, *, options: Options | None = None
) -> np.ndarray:
    """Sorted unique 32-bit hashes (xxh32, seed 0) of the shingles of normalized ``text``.

    These are what MinHash signs (datasketch's scheme takes 32-bit values). They are not the
    shingle set verdicts are measured on: two distinct shingles share a 32-bit hash once in
    2^32 pairs, which a large corpus of short documents meets (:func:`shingle_hashes64`).
    """
    if options is not None:
        cjk_ngram, word_ngram = options.cjk_ngram, options.word_ngram
    hashed = [
        xxhash.xxh32_intdigest(s.encode("utf-8")) for s in shingles(text, cjk_ngram, word_ngram)
    ]
    return np.unique(np.array(hashed, dtype=np.uint32))


def shingle_hashes64(
    text: str, cjk_ngram: int = 5, word_ngram: int = 3, *, options: Options | None = None
) -> np.ndarray:
    """Sorted unique 64-bit hashes (xxh64, seed 0) of the shingles of normalized ``text``.

    This sorted array IS the shingle set: exact Jaccard and containment are computed on it
    (see :mod:`dedup.exact` for why 64 bits).

    >>> shingle_hashes64("你好世界你好", cjk_ngram=5).dtype
    dtype('uint64')
    """
    if options is not None:
        cjk_ngram, word_ngram = options.cjk_ngram, options.word_ngram
    hashed = [
        xxhash.xxh64_intdigest(s.encode("utf-8")) for s in shingles(text, cjk_ngram, word_ngram)
    ]
    return np.unique(np.array(hashed, dtype=np.uint64))
