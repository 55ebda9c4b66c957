"""Normalized text for matching, many documents at once, without paragraphs or offset maps.

Matching only looks at tokens (:mod:`dedup.shingle`): letters, digits and CJK characters;
whitespace, punctuation and paragraph layout only separate them. So the text that
``matching_text(paragraphs(text, options))`` gives and the one :func:`matching_codes` gives
have the same tokens, while :func:`matching_codes` skips segmentation, whitespace folding and
the offset maps, and works on a whole batch in a few array operations: NFKC with case folding
through :mod:`dedup.normalize`'s own tables, one OpenCC call for the batch, punctuation folding.

Documents where a shortcut could change the tokens go through the full path instead:
combining marks (NFKC composes them with the character before), ideographic description
sequences (OpenCC reads them as units), whitespace that may vanish
between two letters or digits (a line break in a document with CJK text, which the segmenter
may mend; a space next to ``々`` or ``〇``, CJK characters that are also word characters),
and anything OpenCC converts to a different length. A test checks both paths give
equal sketches on the seeds and on random text.

>>> codes, starts = matching_codes(["臺灣，ＡＢＣ"])
>>> "".join(map(chr, codes))
'台湾,abc'
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numba import njit

from . import normalize as _normalize
from .fastsketch import token_classes
from .normalize import DEFAULT_OPTIONS
from .options import NormalizeOptions
from .segment import matching_text, paragraphs

__all__ = ["matching_codes", "reference_codes"]

log = logging.getLogger(__name__)

U32 = npt.NDArray[np.uint32]
I64 = npt.NDArray[np.int64]

_SEP = "\uffff"  # between documents: a noncharacter no step changes or looks across
_SEP_CODE = 0xFFFF
_SPACE = 32
_NEWLINES = [0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029]
_WORD = 2  # fastsketch token class of letters and digits


@dataclass(frozen=True, slots=True)
class _Expansions:
    """What each special character (one that normalizes to zero or several) becomes."""

    length: npt.NDArray[np.int64]
    """Normalized length of every code point (1 for ordinary ones)."""
    offset: npt.NDArray[np.int64]
    """Where a special code point's normalized characters start in ``flat``."""
    flat: U32


@functools.cache
def _expansions() -> _Expansions:
    tables = _normalize._tables()
    length = np.ones(len(tables.map), dtype=np.int64)
    offset = np.zeros(len(tables.map), dtype=np.int64)
    flat: list[int] = []
    for c in np.flatnonzero(tables.special & ~tables.mark).tolist():
        out = _normalize._norm_cluster(chr(c))
        length[c] = len(out)
        offset[c] = len(flat)
        flat.extend(ord(ch) for ch in out)
    mapped = tables.map[np.array(flat, dtype=np.uint32)] if flat else np.zeros(0, np.uint32)
    return _Expansions(length, offset, mapped.astype(np.uint32))


@functools.cache
def _is_newline() -> npt.NDArray[np.bool_]:
    table = np.zeros(len(_normalize._tables().map), dtype=np.bool_)
    table[_NEWLINES] = True
    return table


def reference_codes(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> U32:
    """The full path: ``matching_text(paragraphs(text, options))`` as code points."""
    return _codes(matching_text(paragraphs(text, options)))


def _codes(text: str) -> U32:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(
        np.uint32, copy=False
    )


def _text(codes: U32) -> str:
    return codes.astype("<u4", copy=False).tobytes().decode("utf-32-le", "surrogatepass")


def matching_codes(
    texts: Sequence[str], options: NormalizeOptions = DEFAULT_OPTIONS
) -> tuple[U32, I64]:
    """Normalized code points of every text, one after the other, and the start offsets.

    Text ``i`` is ``codes[starts[i]:starts[i + 1]]``; it has the same tokens as
    :func:`reference_codes` of that text (``len(starts) == len(texts) + 1``).
    """
    n = len(texts)
    full: dict[int, U32] = {}
    work = list(texts)
    for i, text in enumerate(texts):
        if _SEP in text:
            full[i] = reference_codes(text, options)
            work[i] = ""
    codes = _codes(_SEP.join(work))
    tables = _normalize._tables()
    doc_end = np.cumsum(np.fromiter(map(len, work), dtype=np.int64, count=n) + 1) - 1

    def docs_at(positions: npt.NDArray[np.int64]) -> set[int]:
        return set(np.unique(np.searchsorted(doc_end, positions)).tolist())

    newline = _is_newline()[codes]
    # OpenCC reads an ideographic description sequence (⿰木養) as one unit whose reach depends
    # on what follows, paragraph breaks included: such documents take the full path.
    for d in docs_at(np.flatnonzero((codes >= 0x2FF0) & (codes <= 0x2FFF))):
        full.setdefault(d, reference_codes(texts[d], options))
    special = np.flatnonzero(tables.special[codes])
    if special.size:
        marked = special[tables.mark[codes[special]]]
        for d in docs_at(marked):
            full.setdefault(d, reference_codes(texts[d], options))
        codes, newline = _expand(codes, newline, special, tables.map)
    else:
        codes = tables.map[codes]

    separators = np.flatnonzero(codes == _SEP_CODE)
    doc_end = np.append(separators, len(codes))
    for d in _joining_spaces(codes, newline, doc_end, tables):
        full.setdefault(d, reference_codes(texts[d], options))

    if options.t2s:
        codes = _t2s(codes, doc_end, texts, options, full)
    if options.fold_punctuation:
        codes = tables.punct[codes]

    separators = np.flatnonzero(codes == _SEP_CODE)
    bounds = np.concatenate([[-1], separators, [len(codes)]])
    starts_sep = bounds[:-1] + 1
    ends_sep = bounds[1:]
    if not full:
        keep = codes != _SEP_CODE
        lengths = ends_sep - starts_sep
        starts = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lengths, out=starts[1:])
        return codes[keep], starts
    pieces = [full[i] if i in full else codes[starts_sep[i] : ends_sep[i]] for i in range(n)]
    starts = np.zeros(n + 1, dtype=np.int64)
    np.cumsum([len(p) for p in pieces], out=starts[1:])
    return (np.concatenate(pieces) if pieces else np.zeros(0, np.uint32)), starts


def _expand(
    codes: U32, newline: npt.NDArray[np.bool_], special: I64, table: U32
) -> tuple[U32, npt.NDArray[np.bool_]]:
    """Replace each special character by its normalization (zero or several characters);
    every other character goes through ``table``."""
    exp = _expansions()
    mapped = table[codes]
    pieces: list[U32] = []
    flags: list[npt.NDArray[np.bool_]] = []
    last = 0
    for p in special.tolist():
        pieces.append(mapped[last:p])
        flags.append(newline[last:p])
        size = int(exp.length[codes[p]])
        at = int(exp.offset[codes[p]])
        pieces.append(exp.flat[at : at + size])
        flags.append(np.zeros(size, dtype=np.bool_))
        last = p + 1
    pieces.append(mapped[last:])
    flags.append(newline[last:])
    return np.concatenate(pieces), np.concatenate(flags)


def _joining_spaces(
    codes: U32, newline: npt.NDArray[np.bool_], doc_end: I64, tables: object
) -> set[int]:
    """Documents where removing a run of whitespace may join two letters or digits into one
    token: the run touches a character of the CJK class that is also a word character
    (``々``, ``〇``: whitespace next to CJK is removed), or it holds a line break in a document
    with CJK text (the segmenter may mend the break)."""
    space = (codes == _SPACE) | newline
    if not space.any():
        return set()
    edges = np.diff(space.view(np.int8), prepend=0, append=0)
    lo = np.flatnonzero(edges == 1)
    hi = np.flatnonzero(edges == -1)
    inner = (lo > 0) & (hi < len(codes))
    lo, hi = lo[inner], hi[inner]
    classes = token_classes()
    words = (classes[codes[lo - 1]] == _WORD) & (classes[codes[hi]] == _WORD)
    lo, hi = lo[words], hi[words]
    if not lo.size:
        return set()
    cjk_class = tables.cls == _normalize._CJK  # type: ignore[attr-defined]
    touching = cjk_class[codes[lo - 1]] | cjk_class[codes[hi]]
    breaks = np.concatenate([[0], np.cumsum(newline)])
    with_break = breaks[hi] - breaks[lo] > 0
    found = set(np.searchsorted(doc_end, lo[touching]).tolist())
    if with_break.any():
        docs = np.searchsorted(doc_end, lo[with_break])
        cjk_docs = np.searchsorted(doc_end, np.flatnonzero(cjk_class[codes]))
        found.update(np.intersect1d(docs, cjk_docs).tolist())
    return found


@functools.cache
def _changes_alone() -> npt.NDArray[np.bool_]:
    """Code points that OpenCC t2s changes on their own (traditional-only characters)."""
    han = np.flatnonzero(_normalize._tables().cls == _normalize._CJK)
    convert = _normalize._t2s_converter()
    out = convert("\n".join(map(chr, han.tolist()))).split("\n")
    table = np.zeros(len(_normalize._tables().map), dtype=np.bool_)
    table[han] = [o != chr(c) for c, o in zip(han.tolist(), out, strict=True)]
    return table


_HAN_RANGES = (
    (0x2E80, 0x3000),  # radicals and ideographic description characters
    (0x3005, 0x3008),  # 々 〆 〇
    (0x303E, 0x303F),  # ideographic variation indicator
    (0x3400, 0x4DC0),
    (0x4E00, 0xA000),
    (0xE000, 0xF900),  # private use: rare characters in old texts
    (0xF900, 0xFB00),
    (0x20000, 0x40000),
)


@functools.cache
def _in_runs() -> npt.NDArray[np.bool_]:
    """Characters that may be part of an OpenCC dictionary entry: Han, and any other character
    OpenCC changes on its own."""
    table = _changes_alone().copy()
    for lo, hi in _HAN_RANGES:
        table[lo:hi] = True
    return table


def _t2s(
    codes: U32,
    doc_end: I64,
    texts: Sequence[str],
    options: NormalizeOptions,
    full: dict[int, U32],
) -> U32:
    """OpenCC t2s, to a fixed point as :mod:`dedup.normalize` does.

    Only runs of Han characters are converted (every dictionary entry is one), all together in
    one call per round, separated by a noncharacter; the next round converts again only the
    runs that changed and still hold a character OpenCC changes on its own.
    """
    inside = _in_runs()[codes]
    if not inside.any():
        return codes
    alone = _changes_alone()
    convert = _normalize._t2s_converter()
    codes = codes.copy()
    doc_start = np.concatenate([[0], doc_end[:-1] + 1])
    for d in full:  # taking the full path anyway
        inside[doc_start[d] : doc_end[d]] = False
    lo, hi = _runs(inside)
    for _ in range(4):
        if not lo.size:
            break
        text = _text(_gather(codes, lo, hi))
        new = convert(text)
        if len(new) != len(text):
            return _t2s_documents(codes, doc_end, texts, options, full)
        converted = _codes(new)
        if (converted == _SEP_CODE).sum() != len(lo) - 1:
            return _t2s_documents(codes, doc_end, texts, options, full)
        # Only a run that changed and still holds a character OpenCC changes on its own can
        # change again (a phrase read differently once its neighbours were converted, like
        # 徵 in 徵收); a run with none left is taken as converged (checked on every edition
        # of the Tang poems and the generated corpora, not proven).
        again = _scatter(codes, lo, hi, converted, alone)
        lo, hi = lo[again], hi[again]
    return codes


@njit(cache=True)
def _runs(inside: npt.NDArray[np.bool_]) -> tuple[I64, I64]:
    """Start and end of every run of True in ``inside``."""
    n = len(inside)
    count = 0
    for i in range(n):
        if inside[i] and (i == 0 or not inside[i - 1]):
            count += 1
    lo = np.empty(count, dtype=np.int64)
    hi = np.empty(count, dtype=np.int64)
    k = 0
    for i in range(n):
        if inside[i] and (i == 0 or not inside[i - 1]):
            lo[k] = i
        if inside[i] and (i == n - 1 or not inside[i + 1]):
            hi[k] = i + 1
            k += 1
    return lo, hi


@njit(cache=True)
def _gather(codes: U32, lo: I64, hi: I64) -> U32:
    """The runs ``codes[lo[k]:hi[k]]`` one after the other, with a separator between runs."""
    total = len(lo) - 1
    for k in range(len(lo)):
        total += hi[k] - lo[k]
    out = np.empty(max(total, 0), dtype=np.uint32)
    p = 0
    for k in range(len(lo)):
        if k:
            out[p] = _SEP_CODE
            p += 1
        for i in range(lo[k], hi[k]):
            out[p] = codes[i]
            p += 1
    return out


@njit(cache=True)
def _scatter(
    codes: U32, lo: I64, hi: I64, converted: U32, alone: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    """Write the converted runs back; return which runs changed and still hold a character
    in ``alone``."""
    again = np.zeros(len(lo), dtype=np.bool_)
    p = 0
    for k in range(len(lo)):
        if k:
            p += 1
        changed = False
        left = False
        for i in range(lo[k], hi[k]):
            c = converted[p]
            if c != codes[i]:
                changed = True
                codes[i] = c
            if alone[c]:
                left = True
            p += 1
        again[k] = changed and left
    return again


def _converged(text: str, convert: Callable[[str], str]) -> str | None:
    """``text`` converted to a fixed point (at most 4 rounds), or None if its length changed."""
    for _ in range(4):
        new = convert(text)
        if len(new) != len(text):
            return None
        if new == text:
            break
        text = new
    return text


def _t2s_documents(
    codes: U32,
    doc_end: I64,
    texts: Sequence[str],
    options: NormalizeOptions,
    full: dict[int, U32],
) -> U32:
    """OpenCC t2s document by document; any whose length OpenCC changes takes the full path."""
    convert = _normalize._t2s_converter()
    doc_start = np.concatenate([[0], doc_end[:-1] + 1])
    codes = codes.copy()
    for d in range(len(doc_end)):
        part = _converged(_text(codes[doc_start[d] : doc_end[d]]), convert)
        if part is None:
            log.debug("t2s changed the length of document %d; taking the full path", d)
            full.setdefault(d, reference_codes(texts[d], options))
        else:
            codes[doc_start[d] : doc_end[d]] = _codes(part)
    return codes
