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
from .t2s import converter as t2s_converter

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
    exp = _expansions()
    doc_end = np.cumsum(np.fromiter(map(len, work), dtype=np.int64, count=n) + 1) - 1
    # Each special character becomes its normalization, every other one goes through the
    # table. Documents with combining marks, and those with an ideographic description
    # sequence (⿰木養: OpenCC reads it as one unit whose reach depends on what follows,
    # paragraph breaks included), take the full path.
    codes, newline, doc_end, odd = _expand(
        codes,
        doc_end,
        tables.special,
        tables.mark,
        tables.map,
        exp.length,
        exp.offset,
        exp.flat,
        _is_newline(),
    )
    cjk_class = tables.cls == _normalize._CJK
    odd |= _joining_spaces(codes, newline, doc_end, token_classes(), cjk_class)
    for d in np.flatnonzero(odd).tolist():
        full.setdefault(d, reference_codes(texts[d], options))

    if options.t2s:
        codes = _t2s(codes, doc_end, texts, options, full)
    if not full:
        return _finish(codes, doc_end, tables.punct, options.fold_punctuation)
    if options.fold_punctuation:
        codes = tables.punct[codes]
    starts_sep = np.concatenate([[0], doc_end[:-1] + 1])
    pieces = [full[i] if i in full else codes[starts_sep[i] : doc_end[i]] for i in range(n)]
    starts = np.zeros(n + 1, dtype=np.int64)
    np.cumsum([len(p) for p in pieces], out=starts[1:])
    return (np.concatenate(pieces) if pieces else np.zeros(0, np.uint32)), starts


@njit(cache=True)
def _expand(
    codes: U32,
    doc_end: I64,
    special: npt.NDArray[np.bool_],
    mark: npt.NDArray[np.bool_],
    table: U32,
    length: I64,
    offset: I64,
    flat: U32,
    is_newline: npt.NDArray[np.bool_],
) -> tuple[U32, npt.NDArray[np.bool_], I64, npt.NDArray[np.bool_]]:
    """Replace each special character by its normalization (zero or several characters) and
    every other one by ``table``; also give which output characters are line breaks, where
    each document now ends, and which documents hold a combining mark or an ideographic
    description character."""
    n = len(codes)
    total = 0
    for i in range(n):
        c = codes[i]
        total += length[c] if special[c] else 1
    out = np.empty(total, dtype=np.uint32)
    newline = np.zeros(total, dtype=np.bool_)
    ends = np.empty(len(doc_end), dtype=np.int64)
    odd = np.zeros(len(doc_end), dtype=np.bool_)
    p = 0
    start = 0
    for d in range(len(doc_end)):
        for i in range(start, doc_end[d]):
            c = codes[i]
            if special[c]:
                if mark[c]:
                    odd[d] = True
                at = offset[c]
                for j in range(length[c]):
                    out[p] = flat[at + j]
                    p += 1
            else:
                if 0x2FF0 <= c <= 0x2FFF:
                    odd[d] = True
                out[p] = table[c]
                newline[p] = is_newline[c]
                p += 1
        ends[d] = p
        if doc_end[d] < n:  # the separator after the document
            out[p] = table[codes[doc_end[d]]]
            p += 1
        start = doc_end[d] + 1
    return out, newline, ends, odd


@njit(cache=True)
def _joining_spaces(
    codes: U32,
    newline: npt.NDArray[np.bool_],
    doc_end: I64,
    classes: npt.NDArray[np.uint8],
    cjk_class: npt.NDArray[np.bool_],
) -> npt.NDArray[np.bool_]:
    """Documents where removing a run of whitespace may join two letters or digits into one
    token: the run touches a character of the CJK class that is also a word character
    (``々``, ``〇``: whitespace next to CJK is removed), or it holds a line break in a document
    with CJK text (the segmenter may mend the break)."""
    n = len(codes)
    n_docs = len(doc_end)
    touching = np.zeros(n_docs, dtype=np.bool_)
    broken = np.zeros(n_docs, dtype=np.bool_)
    has_cjk = np.zeros(n_docs, dtype=np.bool_)
    start = 0
    for d in range(n_docs):
        i = start
        end = doc_end[d]
        while i < end:
            c = codes[i]
            if c != _SPACE and not newline[i]:
                if cjk_class[c]:
                    has_cjk[d] = True
                i += 1
                continue
            lo = i
            with_break = False
            while i < n and (codes[i] == _SPACE or newline[i]):
                with_break |= newline[i]
                i += 1
            if lo == 0 or i == n:
                continue
            before, after = codes[lo - 1], codes[i]
            if classes[before] != _WORD or classes[after] != _WORD:
                continue
            if cjk_class[before] or cjk_class[after]:
                touching[d] = True
            elif with_break:
                broken[d] = True
        start = end + 1
    return touching | (broken & has_cjk)


@njit(cache=True)
def _finish(codes: U32, doc_end: I64, punct: U32, fold: bool) -> tuple[U32, I64]:
    """The documents without their separators (punctuation folded if ``fold``), and the start
    of each."""
    n_docs = len(doc_end)
    out = np.empty(len(codes) - max(n_docs - 1, 0), dtype=np.uint32)
    starts = np.zeros(n_docs + 1, dtype=np.int64)
    p = 0
    a = 0
    for d in range(n_docs):
        for i in range(a, doc_end[d]):
            out[p] = punct[codes[i]] if fold else codes[i]
            p += 1
        starts[d + 1] = p
        a = doc_end[d] + 1
    return out, starts


def _t2s(
    codes: U32,
    doc_end: I64,
    texts: Sequence[str],
    options: NormalizeOptions,
    full: dict[int, U32],
) -> U32:
    """OpenCC t2s of every document, to a fixed point as :mod:`dedup.normalize` does: a
    document is converted again (four rounds at most) while the last round changed it and
    left a character that t2s changes on its own (``著`` kept by the phrase ``著作``, or a
    chain like 薴 -> 苧 -> 苎).

    Each round converts all its documents in one call, separated by a noncharacter: OpenCC's
    keys are all Han characters, so nothing it does reaches across a separator.
    """
    convert = t2s_converter()
    unstable = _normalize._t2s_unstable()
    doc_start = np.concatenate([[0], doc_end[:-1] + 1])
    codes = codes.copy()
    for d in full:  # taking the full path anyway; may hold what sends a text to OpenCC whole
        codes[doc_start[d] : doc_end[d]] = _SPACE
    docs = np.arange(len(doc_end))
    for round_ in range(4):
        if round_ == 0:  # every document: the batch as it is
            before, ends = codes, doc_end
        else:
            before, ends = _join(codes, doc_start[docs], doc_end[docs])
        fused = getattr(convert, "convert_documents", None) if round_ == 0 else None
        if fused is not None:  # conversion and the flags in one pass
            done = fused(before, ends, unstable)
            if done is None:
                return _t2s_documents(codes, doc_end, texts, options, full)
            after, changed, again = done
        else:
            after = convert.convert_codes(before)
            if after is None:
                return _t2s_documents(codes, doc_end, texts, options, full)
            changed, again = _changes(before, after, ends, unstable)
        if round_ == 0:
            codes = after
        else:
            for k in changed.tolist():
                d, size = docs[k], doc_end[docs[k]] - doc_start[docs[k]]
                codes[doc_start[d] : doc_end[d]] = after[ends[k] - size : ends[k]]
        docs = docs[again]
        if not docs.size:
            break
    return codes


@njit(cache=True)
def _changes(
    before: U32, after: U32, ends: I64, unstable: npt.NDArray[np.bool_]
) -> tuple[I64, I64]:
    """The documents (ending at ``ends``) that conversion changed, and those of them that
    still hold an ``unstable`` character."""
    n_docs = len(ends)
    changed = np.zeros(n_docs, dtype=np.bool_)
    left = np.zeros(n_docs, dtype=np.bool_)
    start = 0
    for d in range(n_docs):
        for i in range(start, ends[d]):
            if before[i] != after[i]:
                changed[d] = True
            if unstable[after[i]]:
                left[d] = True
        start = ends[d] + 1
    return np.flatnonzero(changed), np.flatnonzero(changed & left)


def _join(codes: U32, lo: I64, hi: I64) -> tuple[U32, I64]:
    """``codes[lo[k]:hi[k]]`` one after the other, each followed by a separator, and where
    each piece ends in the result."""
    separator = np.full(1, _SEP_CODE, dtype=np.uint32)
    pieces: list[U32] = []
    for a, b in zip(lo.tolist(), hi.tolist(), strict=True):
        pieces += [codes[a:b], separator]
    return np.concatenate(pieces), np.cumsum(hi - lo + 1) - 1


def _converged(text: str, convert: Callable[[str], str], rounds: int = 4) -> str | None:
    """``text`` converted to a fixed point (at most ``rounds`` rounds), or None if its length
    changed."""
    unstable = _normalize._t2s_unstable()
    for _ in range(rounds):
        new = convert(text)
        if len(new) != len(text):
            return None
        if new == text:
            break
        text = new
        if not unstable[_codes(text)].any():
            break
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
