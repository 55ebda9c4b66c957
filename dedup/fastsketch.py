"""Compiled shingle hashing and MinHash for batches of normalized texts (numba).

Given normalized texts as one array of code points, :func:`sketch_codes` computes for every
text, in one compiled pass and without a Python object per shingle:

- its shingle hashes, bit-for-bit the ones :func:`dedup.shingle.shingle_hashes` makes (xxh32,
  seed 0, of the UTF-8 bytes of the window's tokens joined by U+001F), in text order;
- on request, the 64-bit hashes of the same shingles (xxh64, seed 0, of the same bytes), those
  of :func:`dedup.shingle.shingle_hashes64`: the exact sets verdicts are measured on
  (:mod:`dedup.exact`);
- its MinHash signature, bit-for-bit datasketch's ``affine32`` scheme
  (:func:`dedup.signature.signature`);
- its token length: the number of characters inside tokens (letters, digits, CJK).

Tokens are classified by a table of every code point built from the same regular expression
:mod:`dedup.shingle` uses, so both paths cut text identically (a test checks them against
each other on random text).

>>> codes, starts = pack(["你好世界你好"])
>>> out = sketch_codes(codes, starts, 5, 3, *permutations(128, 1))
>>> out.signatures.shape, int(out.counts[0]), int(out.lengths[0])
((1, 128), 2, 6)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from numba import njit

from .shingle import _CJK_RANGES
from .signature import permutations  # noqa: F401 (used by the doctest)
from .tablecache import cached_arrays

__all__ = ["SketchBatch", "pack", "sketch_codes", "token_classes"]

_SEP, _CJK, _WORD = 0, 1, 2
_N_CODES = 0x110000
_EMPTY = np.uint32(0xFFFFFFFF)

U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]


@functools.cache
def token_classes() -> npt.NDArray[np.uint8]:
    """Class of every code point for tokenizing: 0 separator, 1 CJK token, 2 word character.

    Built with the character classes of :mod:`dedup.shingle`'s token pattern, applied to all
    code points at once (a test checks the table against the pattern itself).
    """
    table: npt.NDArray[np.uint8] = cached_arrays(_build_token_classes, depends=[_CJK_RANGES])[
        "classes"
    ]  # type: ignore[assignment]
    table.setflags(write=False)
    return table


def _build_token_classes() -> dict[str, npt.NDArray[np.generic]]:
    table = np.zeros(_N_CODES, dtype=np.uint8)
    cjk = re.compile(f"[{_CJK_RANGES}]")
    word = re.compile(r"[^\W\x01]")  # after CJK characters became \x01: the other word chars
    # Surrogates cannot be in a str made by decoding; they stay separators.
    for lo, hi in ((0, 0xD800), (0xE000, _N_CODES)):
        chars = "".join(map(chr, range(lo, hi)))
        marked = word.sub("\x02", cjk.sub("\x01", chars))
        codes = np.frombuffer(marked.encode("utf-32-le"), dtype="<u4")
        part = table[lo:hi]
        part[codes == 1] = _CJK
        part[codes == 2] = _WORD
    table[1] = table[2] = _SEP  # the markers themselves are separators
    return {"classes": table}


def pack(texts: Sequence[str]) -> tuple[U32, I64]:
    """Texts as one uint32 array of code points and the ``len(texts) + 1`` start offsets."""
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    starts = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    joined = "".join(texts)
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    return codes.astype(np.uint32, copy=False), starts


@dataclass(frozen=True, slots=True)
class SketchBatch:
    """What :func:`sketch_codes` computes for ``n`` texts."""

    signatures: U32
    """``(n, num_perm)`` MinHash signatures."""
    hashes: U32
    """Every text's shingle hashes in text order (duplicates kept), one after the other."""
    counts: I64
    """Number of shingle hashes of each text in ``hashes``."""
    lengths: I64
    """Characters inside tokens, per text."""
    exact: U64 = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    """The 64-bit hashes of the same shingles, laid out as ``hashes`` (empty unless asked for)."""

    def shingles(self, i: int) -> U32:
        """Sorted unique shingle hashes of text ``i``: its shingle set."""
        end = int(self.counts[: i + 1].sum())
        return np.unique(self.hashes[end - int(self.counts[i]) : end])

    def exact_set(self, i: int) -> U64:
        """Sorted unique 64-bit shingle hashes of text ``i``: its exact shingle set."""
        end = int(self.counts[: i + 1].sum())
        return np.unique(self.exact[end - int(self.counts[i]) : end])


def sketch_codes(
    codes: U32,
    starts: I64,
    cjk_ngram: int,
    word_ngram: int,
    a: U32,
    b: U32,
    *,
    with_hashes: bool = True,
    with_exact: bool = False,
) -> SketchBatch:
    """Shingle hashes, signatures and token lengths of the texts ``codes[starts[i]:starts[i+1]]``.

    ``a`` and ``b`` are the affine32 permutations (:func:`dedup.signature.permutations`).
    With ``with_hashes=False`` the 32-bit hashes are not kept (``hashes`` is empty); with
    ``with_exact=True`` the 64-bit ones are (``exact``). Signatures and lengths always are.
    """
    n = len(starts) - 1
    sigs = np.empty((n, len(a)), dtype=np.uint32)
    counts = np.zeros(n, dtype=np.int64)
    lengths = np.zeros(n, dtype=np.int64)
    capacity = int(starts[-1]) + n
    hashes = np.empty(capacity if with_hashes else 0, dtype=np.uint32)
    exact = np.empty(capacity if with_exact else 0, dtype=np.uint64)
    used = _sketch_batch(
        np.ascontiguousarray(codes, dtype=np.uint32),
        np.ascontiguousarray(starts, dtype=np.int64),
        token_classes(),
        cjk_ngram,
        word_ngram,
        np.ascontiguousarray(a, dtype=np.uint32),
        np.ascontiguousarray(b, dtype=np.uint32),
        sigs,
        counts,
        lengths,
        hashes,
        with_hashes,
        exact,
        with_exact,
    )
    return SketchBatch(sigs, hashes[:used], counts, lengths, exact[:used])  # empty unless kept


# --- compiled kernels ----------------------------------------------------------------------

_P1 = np.uint32(2654435761)
_P2 = np.uint32(2246822519)
_P3 = np.uint32(3266489917)
_P4 = np.uint32(668265263)
_P5 = np.uint32(374761393)


@njit(cache=True, inline="always")
def _rotl(x: np.uint32, r: int) -> np.uint32:
    return np.uint32((x << np.uint32(r)) | (x >> np.uint32(32 - r)))


@njit(cache=True, inline="always")
def _read32(buf: npt.NDArray[np.uint8], p: int) -> np.uint32:
    # An unsigned index spares numba's negative-index check, so the four byte loads merge
    # into one (xxh32 of a 19-byte shingle: 36 ns -> 13 ns).
    q = np.uint64(p)
    return np.uint32(
        np.uint32(buf[q])
        | (np.uint32(buf[q + np.uint64(1)]) << np.uint32(8))
        | (np.uint32(buf[q + np.uint64(2)]) << np.uint32(16))
        | (np.uint32(buf[q + np.uint64(3)]) << np.uint32(24))
    )


@njit(cache=True)
def _xxh32(buf: npt.NDArray[np.uint8], start: int, length: int) -> np.uint32:
    """xxHash32 with seed 0 of ``buf[start:start + length]``."""
    p = start
    end = start + length
    if length >= 16:
        v1 = np.uint32(_P1 + _P2)
        v2 = _P2
        v3 = np.uint32(0)
        v4 = np.uint32(np.uint32(0) - _P1)
        while p + 16 <= end:
            v1 = np.uint32(_rotl(np.uint32(v1 + np.uint32(_read32(buf, p) * _P2)), 13) * _P1)
            v2 = np.uint32(_rotl(np.uint32(v2 + np.uint32(_read32(buf, p + 4) * _P2)), 13) * _P1)
            v3 = np.uint32(_rotl(np.uint32(v3 + np.uint32(_read32(buf, p + 8) * _P2)), 13) * _P1)
            v4 = np.uint32(_rotl(np.uint32(v4 + np.uint32(_read32(buf, p + 12) * _P2)), 13) * _P1)
            p += 16
        h = np.uint32(_rotl(v1, 1) + _rotl(v2, 7) + _rotl(v3, 12) + _rotl(v4, 18))
    else:
        h = _P5
    h = np.uint32(h + np.uint32(length))
    while p + 4 <= end:
        h = np.uint32(h + np.uint32(_read32(buf, p) * _P3))
        h = np.uint32(_rotl(h, 17) * _P4)
        p += 4
    while p < end:
        h = np.uint32(h + np.uint32(np.uint32(buf[np.uint64(p)]) * _P5))
        h = np.uint32(_rotl(h, 11) * _P1)
        p += 1
    h = np.uint32(h ^ (h >> np.uint32(15)))
    h = np.uint32(h * _P2)
    h = np.uint32(h ^ (h >> np.uint32(13)))
    h = np.uint32(h * _P3)
    return np.uint32(h ^ (h >> np.uint32(16)))


@njit(cache=True, inline="always")
def _xxh32_19(buf: npt.NDArray[np.uint8], p: int) -> np.uint32:
    """:func:`_xxh32` of the 19 bytes at ``buf[p:]`` (five CJK characters and their
    separators, the most common shingle), unrolled: a third faster than the loop."""
    v1 = _rotl(np.uint32(np.uint32(_P1 + _P2) + np.uint32(_read32(buf, p) * _P2)), 13)
    v2 = _rotl(np.uint32(_P2 + np.uint32(_read32(buf, p + 4) * _P2)), 13)
    v3 = _rotl(np.uint32(_read32(buf, p + 8) * _P2), 13)
    v4 = _rotl(np.uint32(np.uint32(np.uint32(0) - _P1) + np.uint32(_read32(buf, p + 12) * _P2)), 13)
    h = np.uint32(
        _rotl(np.uint32(v1 * _P1), 1)
        + _rotl(np.uint32(v2 * _P1), 7)
        + _rotl(np.uint32(v3 * _P1), 12)
        + _rotl(np.uint32(v4 * _P1), 18)
    )
    h = np.uint32(h + np.uint32(19))
    q = np.uint64(p)
    h = np.uint32(
        _rotl(np.uint32(h + np.uint32(np.uint32(buf[q + np.uint64(16)]) * _P5)), 11) * _P1
    )
    h = np.uint32(
        _rotl(np.uint32(h + np.uint32(np.uint32(buf[q + np.uint64(17)]) * _P5)), 11) * _P1
    )
    h = np.uint32(
        _rotl(np.uint32(h + np.uint32(np.uint32(buf[q + np.uint64(18)]) * _P5)), 11) * _P1
    )
    h = np.uint32(h ^ (h >> np.uint32(15)))
    h = np.uint32(h * _P2)
    h = np.uint32(h ^ (h >> np.uint32(13)))
    h = np.uint32(h * _P3)
    return np.uint32(h ^ (h >> np.uint32(16)))


_Q1 = np.uint64(0x9E3779B185EBCA87)
_Q2 = np.uint64(0xC2B2AE3D27D4EB4F)
_Q3 = np.uint64(0x165667B19E3779F9)
_Q4 = np.uint64(0x85EBCA77C2B2AE63)
_Q5 = np.uint64(0x27D4EB2F165667C5)


@njit(cache=True, inline="always")
def _rotl64(x: np.uint64, r: int) -> np.uint64:
    return np.uint64((x << np.uint64(r)) | (x >> np.uint64(64 - r)))


@njit(cache=True, inline="always")
def _read64(buf: npt.NDArray[np.uint8], p: int) -> np.uint64:
    return np.uint64(np.uint64(_read32(buf, p)) | (np.uint64(_read32(buf, p + 4)) << np.uint64(32)))


@njit(cache=True, inline="always")
def _round64(acc: np.uint64, lane: np.uint64) -> np.uint64:
    return np.uint64(_rotl64(np.uint64(acc + np.uint64(lane * _Q2)), 31) * _Q1)


@njit(cache=True, inline="always")
def _merge64(acc: np.uint64, v: np.uint64) -> np.uint64:
    acc = np.uint64(acc ^ _round64(np.uint64(0), v))
    return np.uint64(np.uint64(acc * _Q1) + _Q4)


@njit(cache=True)
def _xxh64(buf: npt.NDArray[np.uint8], start: int, length: int) -> np.uint64:
    """xxHash64 with seed 0 of ``buf[start:start + length]``."""
    p = start
    end = start + length
    if length >= 32:
        v1 = np.uint64(_Q1 + _Q2)
        v2 = _Q2
        v3 = np.uint64(0)
        v4 = np.uint64(np.uint64(0) - _Q1)
        while p + 32 <= end:
            v1 = _round64(v1, _read64(buf, p))
            v2 = _round64(v2, _read64(buf, p + 8))
            v3 = _round64(v3, _read64(buf, p + 16))
            v4 = _round64(v4, _read64(buf, p + 24))
            p += 32
        h = np.uint64(_rotl64(v1, 1) + _rotl64(v2, 7) + _rotl64(v3, 12) + _rotl64(v4, 18))
        h = _merge64(_merge64(_merge64(_merge64(h, v1), v2), v3), v4)
    else:
        h = _Q5
    h = np.uint64(h + np.uint64(length))
    while p + 8 <= end:
        h = np.uint64(h ^ _round64(np.uint64(0), _read64(buf, p)))
        h = np.uint64(np.uint64(_rotl64(h, 27) * _Q1) + _Q4)
        p += 8
    if p + 4 <= end:
        h = np.uint64(h ^ np.uint64(np.uint64(_read32(buf, p)) * _Q1))
        h = np.uint64(np.uint64(_rotl64(h, 23) * _Q2) + _Q3)
        p += 4
    while p < end:
        h = np.uint64(h ^ np.uint64(np.uint64(buf[np.uint64(p)]) * _Q5))
        h = np.uint64(_rotl64(h, 11) * _Q1)
        p += 1
    h = np.uint64(h ^ (h >> np.uint64(33)))
    h = np.uint64(h * _Q2)
    h = np.uint64(h ^ (h >> np.uint64(29)))
    h = np.uint64(h * _Q3)
    return np.uint64(h ^ (h >> np.uint64(32)))


@njit(cache=True, inline="always")
def _fmix32(h: np.uint32) -> np.uint32:
    h = np.uint32(h ^ (h >> np.uint32(16)))
    h = np.uint32(h * np.uint32(0x85EBCA6B))
    h = np.uint32(h ^ (h >> np.uint32(13)))
    h = np.uint32(h * np.uint32(0xC2B2AE35))
    return np.uint32(h ^ (h >> np.uint32(16)))


@njit(cache=True, inline="always")
def _utf8(c: np.uint32, buf: npt.NDArray[np.uint8], p: int) -> int:
    """Write code point ``c`` as UTF-8 at ``buf[p:]``; return the position after it."""
    q = np.uint64(p)  # unsigned: no negative-index checks between the stores
    if c < 0x80:
        buf[q] = c
        return p + 1
    if c < 0x800:
        buf[q] = 0xC0 | (c >> 6)
        buf[q + np.uint64(1)] = 0x80 | (c & 0x3F)
        return p + 2
    if c < 0x10000:
        buf[q] = 0xE0 | (c >> 12)
        buf[q + np.uint64(1)] = 0x80 | ((c >> 6) & 0x3F)
        buf[q + np.uint64(2)] = 0x80 | (c & 0x3F)
        return p + 3
    buf[q] = 0xF0 | (c >> 18)
    buf[q + np.uint64(1)] = 0x80 | ((c >> 12) & 0x3F)
    buf[q + np.uint64(2)] = 0x80 | ((c >> 6) & 0x3F)
    buf[q + np.uint64(3)] = 0x80 | (c & 0x3F)
    return p + 4


@njit(cache=True)
def _minhash(hashes: U32, n: int, a: U32, b: U32, sig: U32) -> None:
    """datasketch affine32: ``min_k (a_k * fmix32(h) + b_k) mod 2^32`` over ``hashes[:n]``.

    The hashes are mixed in place; the slot loop is outside so the inner loop vectorizes.
    """
    for i in range(n):
        hashes[i] = _fmix32(hashes[i])
    for k in range(len(a)):
        ak = a[k]
        bk = b[k]
        low = np.uint32(0xFFFFFFFF)
        for i in range(n):
            low = min(low, np.uint32(ak * hashes[i] + bk))
        sig[k] = low


@njit(cache=True)
def _sketch_batch(
    codes: U32,
    starts: I64,
    classes: npt.NDArray[np.uint8],
    cjk_n: int,
    word_n: int,
    a: U32,
    b: U32,
    sigs: U32,
    counts: I64,
    lengths: I64,
    hashes: U32,
    keep: bool,
    exact: U64,
    keep_exact: bool,
) -> int:
    n_docs = len(starts) - 1
    longest = 0
    for d in range(n_docs):
        longest = max(longest, starts[d + 1] - starts[d])
    tok_lo = np.empty(longest + 1, dtype=np.int64)  # byte range of each token in buf
    tok_hi = np.empty(longest + 1, dtype=np.int64)
    tok_cjk = np.empty(longest + 1, dtype=np.bool_)
    buf = np.empty(5 * longest + 8, dtype=np.uint8)  # the text's tokens as UTF-8
    local = np.empty(longest + 1, dtype=np.uint32)  # this text's shingle hashes
    out = 0
    for d in range(n_docs):
        # tokens as UTF-8 in buf, joined by U+001F: a window is then one slice of buf
        n_tok = 0
        p = 0
        in_word = False
        length = 0
        for i in range(starts[d], starts[d + 1]):
            c = codes[i]
            cls = classes[c] if c < 0x110000 else 0
            if cls == 2:
                if not in_word:
                    if n_tok:
                        buf[p] = 0x1F
                        p += 1
                    tok_lo[n_tok] = p
                    tok_cjk[n_tok] = False
                    n_tok += 1
                    in_word = True
                p = _utf8(c, buf, p)
                tok_hi[n_tok - 1] = p
                length += 1
            else:
                in_word = False
                if cls == 1:
                    if n_tok:
                        buf[p] = 0x1F
                        p += 1
                    tok_lo[n_tok] = p
                    tok_cjk[n_tok] = True
                    p = _utf8(c, buf, p)
                    tok_hi[n_tok] = p
                    n_tok += 1
                    length += 1
        lengths[d] = length
        # windows: cjk_n tokens after a CJK token, word_n after a word; a text shorter than
        # its first window is one shingle of all its tokens
        n_sh = 0
        for t in range(n_tok):
            size = cjk_n if tok_cjk[t] else word_n
            if t + size > n_tok:
                if t != 0:
                    continue
                size = n_tok
            lo = tok_lo[t]
            span = tok_hi[t + size - 1] - lo
            local[n_sh] = _xxh32_19(buf, lo) if span == 19 else _xxh32(buf, lo, span)
            if keep_exact:
                exact[out + n_sh] = _xxh64(buf, lo, span)
            n_sh += 1
        counts[d] = n_sh
        if keep:
            hashes[out : out + n_sh] = local[:n_sh]
        out += n_sh
        _minhash(local, n_sh, a, b, sigs[d])
    return out
