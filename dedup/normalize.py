"""Normalize text for matching, keeping an exact map back to the original.

Normalization is for matching and aligning only; reports show the original text, mapped back
through :attr:`Normalized.starts` / :attr:`Normalized.ends`. The steps, in order:

1. **Characters** — NFKC with case folding (``NFKC(casefold(NFKC(x)))``), applied per character,
   or per cluster (a base character with the combining marks that follow it) where marks are
   present, so every output character knows its source range. Zero-width and other invisible
   characters (Cc, Cf, lone surrogates, variation selectors) are removed; every whitespace
   character becomes an ASCII space.
2. **Traditional to simplified** — OpenCC ``t2s`` (``NormalizeOptions.t2s``). Its dictionaries map
   every entry to one of the same length in code points, so the map stays the identity; if a
   future dictionary breaks that, the changed run is mapped as a whole.
3. **Whitespace** — a run of spaces is removed when the nearest letter or digit on either side,
   looking across punctuation, symbols and other spaces, is CJK (Han, kana, hangul, CJK
   punctuation): ``说: “你`` and ``中文 abc`` lose their spaces, ``hello, world`` keeps its one.
   Every other run becomes one space; leading and trailing spaces go. The decision is made after
   NFKC, so fullwidth and halfwidth forms of a text fold alike.
4. **Punctuation** (``NormalizeOptions.fold_punctuation``) — variants that NFKC leaves apart are
   unified by the table :data:`PUNCTUATION_FOLDS`; runs of dashes become one ``-`` and runs of
   three or more dots or ellipses become ``...``.

The result is idempotent: ``normalize(normalize(x).text).text == normalize(x).text``.
"""

from __future__ import annotations

import array
import functools
import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .options import NormalizeOptions
from .tablecache import cached_arrays

__all__ = [
    "DEFAULT_OPTIONS",
    "PUNCTUATION_FOLDS",
    "SENTENCE_END",
    "Normalized",
    "cjk_ratio",
    "classify_difference",
    "is_cjk",
    "normalize",
    "normalize_many",
]

log = logging.getLogger(__name__)

DEFAULT_OPTIONS = NormalizeOptions()

IntArray = npt.NDArray[np.int64]

# --- tables -----------------------------------------------------------------------------------

PUNCTUATION_FOLDS: dict[str, str] = {
    **dict.fromkeys("。｡．", "."),
    "、": ",",
    **dict.fromkeys("“”„‟«»「」『』〝〞〟＂", '"'),
    **dict.fromkeys("‘’‚‛＇", "'"),
    **dict.fromkeys("—–―‒－﹘⸺⸻", "-"),
    **dict.fromkeys("…⋯", "…"),  # runs of these (and of dots) become "..." below
    **dict.fromkeys("【〔〖〘［", "["),
    **dict.fromkeys("】〕〗〙］", "]"),
    **dict.fromkeys("《〈⟨", "<"),
    **dict.fromkeys("》〉⟩", ">"),
    "（": "(",
    "）": ")",
    **dict.fromkeys("·・•‧∙⋅･", "·"),
    "〜": "~",
}
"""Punctuation variants unified for matching. Applied after NFKC, so fullwidth ASCII forms
(，！？：；（）) are already ASCII; the entries for them here only matter when NFKC is skipped."""

SENTENCE_END: frozenset[str] = frozenset("。｡．！？!?.…⋯；;") | frozenset("”’」』）)】》〉\"'")
"""Characters that end a sentence (both widths), plus the closing quotes and brackets that follow
them: a line ending in one of these is not continued by the segmenter."""

ZERO_WIDTH: frozenset[str] = frozenset("\u200b\u200c\u200d\u2060\ufeff")

_CJK_RANGES = (
    "\u1100-\u11ff"  # hangul jamo
    "\u2e80-\u2fdf"  # CJK radicals
    "\u2ff0-\u2fff"  # ideographic description
    "\u3001-\u303f"  # CJK symbols and punctuation (not the ideographic space)
    "\u3040-\u30ff"  # hiragana, katakana
    "\u3100-\u312f"  # bopomofo
    "\u3130-\u318f"  # hangul compatibility jamo
    "\u3190-\u31ff"  # kanbun, bopomofo ext, katakana ext
    "\u3200-\u4dbf"  # enclosed CJK, compatibility, ext A
    "\u4e00-\u9fff"  # unified ideographs
    "\ua960-\ua97f"  # hangul jamo ext A
    "\uac00-\ud7ff"  # hangul syllables, jamo ext B
    "\uf900-\ufaff"  # compatibility ideographs
    "\ufe30-\ufe4f"  # CJK compatibility forms
    "\uff00-\uffef"  # halfwidth and fullwidth forms
    "\U00020000-\U0003ffff"  # ideographs ext B and beyond
)
_CJK_CLASS = f"[{_CJK_RANGES}]"
_CJK_SPANS = [
    (ord(m.group(1)), ord(m.group(2))) for m in re.finditer("(.)-(.)", _CJK_RANGES, re.DOTALL)
]
_CJK_RE = re.compile(_CJK_CLASS)


def is_cjk(ch: str) -> bool:
    """Whether ``ch`` is a Han, kana or hangul character, or CJK/fullwidth punctuation.

    >>> is_cjk("中"), is_cjk("。"), is_cjk("a")
    (True, True, False)
    """
    return len(ch) == 1 and _CJK_RE.match(ch) is not None


def cjk_ratio(text: str) -> float:
    """Share of the non-space characters of ``text`` that are CJK (see :func:`is_cjk`).

    >>> cjk_ratio("中文 ab")
    0.5
    """
    codes = _codes(text)
    tables = _tables()
    cjk = int(np.count_nonzero(tables.cls[codes] == _CJK))
    visible = len(codes) - int(np.count_nonzero(tables.space[codes]))
    return cjk / visible if visible else 0.0


# --- per-character normalization ---------------------------------------------------------------


def _is_invisible(c: str) -> bool:
    if c in ZERO_WIDTH:
        return True
    o = ord(c)
    if 0xFE00 <= o <= 0xFE0F or 0xE0100 <= o <= 0xE01EF:  # variation selectors
        return True
    return not c.isspace() and unicodedata.category(c) in ("Cc", "Cf", "Cs")


def _clean(s: str) -> str:
    return "".join("" if _is_invisible(c) else (" " if c.isspace() else c) for c in s)


def _norm_cluster(s: str) -> str:
    """NFKC + case folding + cleanup of a short string, to a fixed point."""
    for _ in range(4):
        out = _clean(unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", s).casefold()))
        if out == s:
            break
        s = out
    return s


# Code points scanned for characters that normalization changes. Nothing outside these ranges
# has a decomposition or a case folding; tags and variation selectors live in plane 14.
_SCAN_RANGES = ((0, 0x30000), (0xE0000, 0xE1000))
_N_CODES = 0x110000
_TRANSPARENT, _CJK, _WORD = 0, 1, 2  # classes for whitespace folding
_SEP = "\uffff"  # a noncharacter: keeps the texts of normalize_many apart
_SEP_CODE = ord(_SEP)


@dataclass(frozen=True, slots=True)
class _Tables:
    """Lookup tables indexed by code point (about 12 MB, built once in a few seconds and then
    loaded from :mod:`dedup.tablecache`)."""

    map: npt.NDArray[np.uint32]
    """The normalized character of every character that normalizes to exactly one."""
    special: npt.NDArray[np.bool_]
    """Marks, and characters that normalize to zero or several: handled one at a time."""
    mark: npt.NDArray[np.bool_]
    """Combining marks and other characters that compose with the one before them."""
    cls: npt.NDArray[np.uint8]
    """CJK, word (letters and digits) or transparent (spaces, punctuation, symbols, marks)."""
    punct: npt.NDArray[np.uint32]
    """Punctuation folding, one character to one (runs are collapsed afterwards)."""
    space: npt.NDArray[np.bool_]
    """Whitespace (``str.isspace``)."""


@functools.cache
def _tables() -> _Tables:
    return _Tables(**cached_arrays(_build_tables))  # type: ignore[arg-type]


def _build_tables() -> dict[str, npt.NDArray[np.generic]]:
    mapping = np.arange(_N_CODES, dtype=np.uint32)
    special = np.zeros(_N_CODES, dtype=np.bool_)
    mark = np.zeros(_N_CODES, dtype=np.bool_)
    space = np.zeros(_N_CODES, dtype=np.bool_)
    mark[0x1161:0x1176] = mark[0x11A8:0x11C3] = True  # hangul vowels and finals compose
    cls = np.zeros(_N_CODES, dtype=np.uint8)
    for lo, hi in _SCAN_RANGES:
        for o in range(lo, hi):
            c = chr(o)
            if c.isalnum() or c == "_":
                cls[o] = _WORD
            elif c.isspace():
                space[o] = True
            dec = unicodedata.decomposition(c)
            if dec and not dec.startswith("<") and " " in dec:
                mark[int(dec.split()[1], 16)] = True
            if unicodedata.combining(c):
                mark[o] = True
                continue
            out = _norm_cluster(c)
            if len(out) != 1:
                special[o] = True
            elif out != c:
                mapping[o] = ord(out)
    mapping[mark] = np.flatnonzero(mark)
    special |= mark
    cls[mark] = _TRANSPARENT
    cls[_SEP_CODE] = _WORD  # nothing looks across a separator
    for lo, hi in _CJK_SPANS:
        cls[lo : hi + 1] = _CJK
    punct = np.arange(_N_CODES, dtype=np.uint32)
    for k, v in PUNCTUATION_FOLDS.items():
        punct[ord(k)] = ord(v)
    return {
        "map": mapping,
        "special": special,
        "mark": mark,
        "cls": cls,
        "punct": punct,
        "space": space,
    }


# --- offset maps -------------------------------------------------------------------------------

Edit = tuple[int, int, str]  # replace text[start:end] by the string


def _codes(text: str) -> npt.NDArray[np.uint32]:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def _text(codes: npt.NDArray[np.uint32]) -> str:
    return codes.astype("<u4", copy=False).tobytes().decode("utf-32-le", "surrogatepass")


def _apply_edits(
    text: str, starts: IntArray, ends: IntArray, edits: list[Edit]
) -> tuple[str, IntArray, IntArray]:
    """Apply sorted, non-overlapping edits; each replacement char maps to its whole source range."""
    if not edits:
        return text, starts, ends
    out: list[str] = []
    s_parts: list[IntArray] = []
    e_parts: list[IntArray] = []
    pos = 0
    for a, b, rep in edits:
        if pos < a:
            out.append(text[pos:a])
            s_parts.append(starts[pos:a])
            e_parts.append(ends[pos:a])
        if rep:
            out.append(rep)
            s_parts.append(np.full(len(rep), starts[a], dtype=np.int64))
            e_parts.append(np.full(len(rep), ends[b - 1], dtype=np.int64))
        pos = b
    if pos < len(text):
        out.append(text[pos:])
        s_parts.append(starts[pos:])
        e_parts.append(ends[pos:])
    if not out:
        empty = np.zeros(0, dtype=np.int64)
        return "", empty, empty
    return "".join(out), np.concatenate(s_parts), np.concatenate(e_parts)


def _ranges_mask(n: int, lo: IntArray, hi: IntArray) -> npt.NDArray[np.bool_]:
    """Boolean mask of the union of the half-open ranges ``[lo[k], hi[k])``."""
    delta = np.zeros(n + 1, dtype=np.int64)
    np.add.at(delta, lo, 1)
    np.add.at(delta, hi, -1)
    return np.cumsum(delta[:n]) > 0


# --- stages ------------------------------------------------------------------------------------

State = tuple[npt.NDArray[np.uint32], IntArray, IntArray]  # code points, starts, ends


def _characters(text: str, starts: IntArray, ends: IntArray) -> State:
    """NFKC + case folding + cleanup, per character (table) or per cluster (edits)."""
    tables = _tables()
    codes = _codes(text)
    positions = np.flatnonzero(tables.special[codes])
    if len(positions):
        edits: list[Edit] = []
        mark = tables.mark[codes]
        taken = 0  # first position not yet inside an edit
        n = len(codes)
        for p in positions.tolist():
            if p < taken:
                continue
            # a mark takes the character before it, never a separator of normalize_many
            a = p - 1 if mark[p] and p > taken and codes[p - 1] != _SEP_CODE else p
            b = p + 1
            while b < n and mark[b]:
                b += 1
            cluster = _norm_cluster(text[a:b])
            if cluster != text[a:b]:  # an unchanged cluster keeps its per-character map
                edits.append((a, b, cluster))
            taken = b
        # characters left between edits still go through the table below
        text, starts, ends = _apply_edits(text, starts, ends, edits)
        codes = _codes(text)
    return tables.map[codes], starts, ends


@functools.cache
def _t2s_converter() -> Callable[[str], str]:
    from .t2s import converter

    return converter()


_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]+")


def _t2s_once(text: str, starts: IntArray, ends: IntArray) -> tuple[str, IntArray, IntArray]:
    convert = _t2s_converter()
    out = convert(text)
    if len(out) == len(text):
        return out, starts, ends
    # Not seen with OpenCC's own dictionaries (all length-preserving): convert Han runs one by
    # one; where a run changed length, map character by character as far as converting single
    # characters agrees with the run, and the rest of the run as a whole.
    log.debug("t2s changed the length of a text; mapping run by run")
    edits: list[Edit] = []
    for m in _HAN_RUN.finditer(text):
        run, start = m.group(), m.start()
        new = convert(run)
        if new == run:
            continue
        if len(new) == len(run):
            edits.extend((start + k, start + k + 1, ch) for k, ch in enumerate(new) if ch != run[k])
            continue
        pieces = [convert(ch) for ch in run]
        i, lo = 0, 0  # common head: run[:i] gives new[:lo]
        while i < len(run) and new.startswith(pieces[i], lo):
            lo += len(pieces[i])
            i += 1
        j, hi = len(run), len(new)  # common tail: run[j:] gives new[hi:]
        while j > i and hi - len(pieces[j - 1]) >= lo and new.endswith(pieces[j - 1], lo, hi):
            hi -= len(pieces[j - 1])
            j -= 1
        if i == j and lo < hi:  # output with no source of its own: give it its neighbour's
            if i > 0:
                i -= 1
                lo -= len(pieces[i])
            else:
                hi += len(pieces[j])
                j += 1
        for k in [*range(i), *range(j, len(run))]:
            if pieces[k] != run[k]:
                edits.append((start + k, start + k + 1, pieces[k]))
        if i < j:
            edits.append((start + i, start + j, new[lo:hi]))
    edits.sort()
    return _apply_edits(text, starts, ends, edits)


def _t2s(state: State) -> State:
    codes, starts, ends = state
    if not (_tables().cls[codes] == _CJK).any():
        return state
    text = _text(codes)
    unstable = _t2s_unstable()
    # A few conversions chain (薴 -> 苧 -> 苎): convert again while the output holds a
    # character that t2s still changes.
    for _ in range(4):
        new, starts, ends = _t2s_once(text, starts, ends)
        if new == text:
            break
        text = new
        if not unstable[_codes(text)].any():
            break
    return _codes(text), starts, ends


@functools.cache
def _t2s_unstable() -> npt.NDArray[np.bool_]:
    """Characters that t2s converts when they stand alone (found once, in about 20 ms)."""
    cjk = np.flatnonzero(_tables().cls == _CJK)
    chars = _text(cjk.astype(np.uint32))
    converted = _t2s_converter()("\n".join(chars)).split("\n")
    unstable = np.zeros(_N_CODES, dtype=np.bool_)
    if len(converted) == len(chars):
        unstable[cjk] = [c != o for c, o in zip(chars, converted, strict=True)]
    else:  # cannot tell which: check every output again
        unstable[cjk] = True
    return unstable


def _whitespace(state: State) -> State:
    """Remove runs of spaces that touch CJK text (across punctuation), collapse the others."""
    codes, starts, ends = state
    space = codes == 32
    if not space.any():
        return state
    n = len(codes)
    padded = np.zeros(n + 2, dtype=np.int8)
    padded[1:-1] = space
    edges = padded[1:] - padded[:-1]
    run_lo, run_hi = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    cls = _tables().cls[codes]
    idx = np.arange(n)
    opaque = cls != _TRANSPARENT
    # nearest opaque character at or before / at or after every position (-1 / n if none)
    left = np.maximum.accumulate(np.where(opaque, idx, -1))
    right = np.minimum.accumulate(np.where(opaque, idx, n)[::-1])[::-1]
    cls_ext = np.zeros(n + 1, dtype=np.uint8)  # cls_ext[-1] and cls_ext[n] are transparent
    cls_ext[:n] = cls
    before = left[np.maximum(run_lo - 1, 0)]
    before[run_lo == 0] = -1
    after = right[np.minimum(run_hi, n - 1)]
    after[run_hi == n] = n
    codes_ext = np.full(n + 1, _SEP_CODE, dtype=np.uint32)  # [-1] and [n] are separators
    codes_ext[:n] = codes
    remove = (
        (cls_ext[before] == _CJK)
        | (cls_ext[after] == _CJK)
        | (codes_ext[run_lo - 1] == _SEP_CODE)  # text edges, also between texts of
        | (codes_ext[run_hi] == _SEP_CODE)  # normalize_many
    )
    keep_lo = run_lo[~remove]
    keep_hi = run_hi[~remove]
    drop = _ranges_mask(
        n, np.concatenate([run_lo[remove], keep_lo + 1]), np.concatenate([run_hi[remove], keep_hi])
    )
    if keep_lo.size:
        ends = ends.copy()
        ends[keep_lo] = ends[keep_hi - 1]
    keep = ~drop
    return codes[keep], starts[keep], ends[keep]


_PUNCT_RUNS = re.compile(r"[.…]*…[.…]*|\.{4,}|-{2,}")


def _punctuation(state: State) -> tuple[str, IntArray, IntArray]:
    codes, starts, ends = state
    text = _text(_tables().punct[codes])
    if "--" not in text and "...." not in text and "…" not in text:
        return text, starts, ends
    edits: list[Edit] = []
    for m in _PUNCT_RUNS.finditer(text):
        rep = "-" if m.group()[0] == "-" else "..."
        if m.group() != rep:
            edits.append((m.start(), m.end(), rep))
    return _apply_edits(text, starts, ends, edits)


# --- public API --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Normalized:
    """Normalized text with, for each of its characters, the original range that produced it.

    ``starts[i]`` is the offset of the first input character behind ``text[i]``; ``ends[i]`` the
    offset just past the last one (both include the ``base`` given to :func:`normalize`).
    """

    text: str
    starts: array.array[int]
    ends: array.array[int]


def _to_array(values: IntArray) -> array.array[int]:
    out = array.array("q")
    out.frombytes(np.ascontiguousarray(values, dtype=np.int64).tobytes())
    return out


def _pipeline(text: str, options: NormalizeOptions) -> tuple[str, IntArray, IntArray]:
    starts = np.arange(len(text), dtype=np.int64)
    ends = starts + 1
    state = _characters(text, starts, ends)
    if options.t2s:
        state = _t2s(state)
    state = _whitespace(state)
    if options.fold_punctuation:
        return _punctuation(state)
    return _text(state[0]), state[1], state[2]


def _normalize_arrays(text: str, options: NormalizeOptions) -> tuple[str, IntArray, IntArray]:
    out, starts, ends = _pipeline(text, options)
    # Removing a space or an invisible character can bring a combining mark next to a new base
    # ("A´" -> "a", " ", U+0301 -> "a", U+0301); run again until nothing changes. Only text with
    # marks can need it.
    for _ in range(3):
        if not _tables().mark[_codes(out)].any():
            break
        again, s2, e2 = _pipeline(out, options)
        if again == out:
            break
        out, starts, ends = again, starts[s2], ends[e2 - 1]
    return out, starts, ends


def normalize(
    text: str, options: NormalizeOptions = DEFAULT_OPTIONS, *, base: int = 0
) -> Normalized:
    """Normalize ``text`` for matching; ``base`` is added to every offset of the map.

    >>> n = normalize("  臺灣，ＡＢＣ  ")
    >>> n.text, list(n.starts), list(n.ends)
    ('台湾,abc', [2, 3, 4, 5, 6, 7], [3, 4, 5, 6, 7, 8])
    """
    out, starts, ends = _normalize_arrays(text, options)
    if base:
        starts = starts + base
        ends = ends + base
    return Normalized(out, _to_array(starts), _to_array(ends))


def normalize_many(
    texts: Sequence[str],
    options: NormalizeOptions = DEFAULT_OPTIONS,
    *,
    bases: Sequence[int] | None = None,
) -> list[Normalized]:
    """``[normalize(t, options, base=b) for t, b in zip(texts, bases)]``, several times faster
    on many short texts (paragraphs): they are normalized in one pass, kept apart by a
    separator that no step looks or reaches across.

    >>> [n.text for n in normalize_many(["臺灣。", "ＡＢＣ"])]
    ['台湾.', 'abc']
    """
    if bases is None:
        bases = [0] * len(texts)
    if len(bases) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(bases)} bases")
    if len(texts) <= 1 or any(_SEP in t for t in texts):  # a text holding the separator
        return [normalize(t, options, base=b) for t, b in zip(texts, bases, strict=True)]
    out, starts, ends = _normalize_arrays(_SEP.join(texts), options)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    piece_lo = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]])
    is_sep_position = np.zeros(int(piece_lo[-1]), dtype=np.bool_)
    is_sep_position[piece_lo[1:] - 1] = True
    sep_at = np.flatnonzero(_codes(out) == _SEP_CODE)
    sep_at = sep_at[is_sep_position[starts[sep_at]]]
    if len(sep_at) != len(texts) - 1:  # cannot happen; stay correct if it ever does
        log.warning("separator lost while normalizing %d texts; normalizing one by one", len(texts))
        return [normalize(t, options, base=b) for t, b in zip(texts, bases, strict=True)]
    piece = np.searchsorted(piece_lo, starts, side="right") - 1
    shift = np.asarray(bases, dtype=np.int64)[piece] - piece_lo[piece]
    starts = starts + shift
    ends = ends + shift
    all_starts, all_ends = _to_array(starts), _to_array(ends)
    result: list[Normalized] = []
    lo = 0
    for hi in [*sep_at.tolist(), len(out)]:
        result.append(Normalized(out[lo:hi], all_starts[lo:hi], all_ends[lo:hi]))
        lo = hi + 1
    return result


# --- classifying differences -------------------------------------------------------------------

_WS_OR_INVISIBLE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff\x00-\x1f\x7f-\x9f]+")


def _strip_space(s: str) -> str:
    return _WS_OR_INVISIBLE.sub("", s)


def classify_difference(a: str, b: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """Name the kind of difference between two ORIGINAL substrings.

    The checks are cumulative, in this order; the first one under which ``a`` and ``b`` become
    equal names the difference:

    - ``"whitespace"``: equal once whitespace and invisible characters are removed
      (identical strings also land here);
    - ``"width"``: equal after that and NFKC with case folding (fullwidth/halfwidth, compatibility
      forms, letter case);
    - ``"traditional"``: equal after that and OpenCC t2s (only when ``options.t2s``);
    - ``"punctuation"``: equal after that and punctuation folding (only when
      ``options.fold_punctuation``);
    - ``"text"``: anything else.

    So a pair that differs in width and in traditional/simplified form is ``"traditional"``.

    >>> classify_difference("臺灣，", "台湾,")
    'traditional'
    """
    ka, kb = _strip_space(a), _strip_space(b)
    if ka == kb:
        return "whitespace"
    ka = _strip_space(_norm_text(ka))
    kb = _strip_space(_norm_text(kb))
    if ka == kb:
        return "width"
    if options.t2s:
        ka, kb = _t2s_text(ka), _t2s_text(kb)
        if ka == kb:
            return "traditional"
    if options.fold_punctuation:
        ka = _fold_text(ka)
        kb = _fold_text(kb)
        if ka == kb:
            return "punctuation"
    return "text"


def _norm_text(s: str) -> str:
    n = np.arange(len(s), dtype=np.int64)
    return _text(_characters(s, n, n + 1)[0])


def _t2s_text(s: str) -> str:
    n = np.arange(len(s), dtype=np.int64)
    return _text(_t2s((_codes(s), n, n + 1))[0])


def _fold_text(s: str) -> str:
    n = np.arange(len(s), dtype=np.int64)
    return _punctuation((_codes(s), n, n + 1))[0]
