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
3. **Whitespace** — a run of spaces is removed when it touches CJK text (Han, kana, hangul, CJK
   punctuation), looking across ASCII punctuation (``说: “你`` loses its space); every other run
   becomes one space; leading and trailing spaces go.
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
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .options import NormalizeOptions

__all__ = [
    "DEFAULT_OPTIONS",
    "PUNCTUATION_FOLDS",
    "SENTENCE_END",
    "Normalized",
    "classify_difference",
    "is_cjk",
    "normalize",
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
    "\u3000-\u303f"  # CJK symbols and punctuation
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
_CJK_RE = re.compile(_CJK_CLASS)


def is_cjk(ch: str) -> bool:
    """Whether ``ch`` is a Han, kana or hangul character, or CJK/fullwidth punctuation.

    >>> is_cjk("中"), is_cjk("。"), is_cjk("a")
    (True, True, False)
    """
    return len(ch) == 1 and _CJK_RE.match(ch) is not None


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


@dataclass(frozen=True, slots=True)
class _CharTables:
    same_length: dict[int, str]
    """Characters whose normalization is one other character: applied by ``str.translate``."""
    special: re.Pattern[str]
    """Clusters (a character followed by combining marks) and characters whose normalization
    changes the length: normalized one match at a time, with a mapped range."""
    mark: re.Pattern[str]
    """Any combining mark (or other character that composes with the one before it)."""


def _range_class(codes: list[int]) -> str:
    parts: list[str] = []
    codes.sort()
    i = 0
    while i < len(codes):
        j = i
        while j + 1 < len(codes) and codes[j + 1] == codes[j] + 1:
            j += 1
        a, b = codes[i], codes[j]
        parts.append(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}")
        i = j + 1
    return "".join(parts)


@functools.cache
def _char_tables() -> _CharTables:
    """Scan Unicode once (about 0.3 s) for the characters normalization touches."""
    same_length: dict[int, str] = {}
    marks: list[int] = []
    changing: list[int] = []
    seconds: set[int] = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))  # hangul V, T
    for lo, hi in _SCAN_RANGES:
        for o in range(lo, hi):
            c = chr(o)
            dec = unicodedata.decomposition(c)
            if dec and not dec.startswith("<"):
                parts = dec.split()
                if len(parts) == 2:
                    seconds.add(int(parts[1], 16))
            if unicodedata.combining(c):
                marks.append(o)
                continue
            out = _norm_cluster(c)
            if len(out) != 1:
                changing.append(o)
            elif out != c:
                same_length[o] = out
    marks_set = set(marks) | seconds
    marks = sorted(marks_set)
    changing = [o for o in changing if o not in marks_set]
    for o in marks:
        same_length.pop(o, None)
    mark_class = _range_class(marks)
    pattern = f"(?s).?[{mark_class}]+|[{_range_class(changing)}]"
    return _CharTables(same_length, re.compile(pattern), re.compile(f"[{mark_class}]"))


# --- offset maps -------------------------------------------------------------------------------

Edit = tuple[int, int, str]  # replace text[start:end] by the string


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


# --- stages ------------------------------------------------------------------------------------


def _characters(text: str, starts: IntArray, ends: IntArray) -> tuple[str, IntArray, IntArray]:
    tables = _char_tables()
    edits = [(m.start(), m.end(), _norm_cluster(m.group())) for m in tables.special.finditer(text)]
    text, starts, ends = _apply_edits(text, starts, ends, edits)
    return text.translate(tables.same_length), starts, ends


@functools.cache
def _t2s_converter() -> Callable[[str], str]:
    import opencc

    return opencc.OpenCC("t2s").convert  # type: ignore[no-any-return]


_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]+")


def _t2s_once(text: str, starts: IntArray, ends: IntArray) -> tuple[str, IntArray, IntArray]:
    convert = _t2s_converter()
    out = convert(text)
    if len(out) == len(text):
        return out, starts, ends
    # Not seen with OpenCC's own dictionaries (all length-preserving): convert Han runs one by
    # one and map any run whose length changed as a whole.
    log.debug("t2s changed the length of a text; mapping run by run")
    edits: list[Edit] = []
    for m in _HAN_RUN.finditer(text):
        run = convert(m.group())
        if run != m.group():
            if len(run) == len(m.group()):
                edits.extend((m.start() + k, m.start() + k + 1, ch) for k, ch in enumerate(run))
            else:
                edits.append((m.start(), m.end(), run))
    return _apply_edits(text, starts, ends, edits)


def _t2s(text: str, starts: IntArray, ends: IntArray) -> tuple[str, IntArray, IntArray]:
    # A few conversions chain (薴 -> 苧 -> 苎): convert to a fixed point.
    for _ in range(4):
        new, starts, ends = _t2s_once(text, starts, ends)
        if new == text:
            break
        text = new
    return text, starts, ends


_SPACE_CANDIDATE = re.compile(
    rf"^ +| +$| {{2,}}|(?<={_CJK_CLASS}) +|(?<=[^\w\s]) +| +(?={_CJK_CLASS})| +(?=[^\w\s])"
)
_LOOK_ACROSS = 8  # how many punctuation marks to look across for CJK text


def _touches_cjk(text: str, i: int, step: int) -> bool:
    """Whether the first letter from ``i`` on (across spaces and a few punctuation marks) is CJK.

    Looking across spaces keeps the decision the same whether or not a neighbouring run of
    spaces is removed, which makes the folding idempotent.
    """
    marks = 0
    while 0 <= i < len(text):
        c = text[i]
        if c != " ":
            if _CJK_RE.match(c):
                return True
            if c.isalnum() or c == "_":
                return False
            marks += 1
            if marks > _LOOK_ACROSS:
                return False
        i += step
    return False


def _whitespace(text: str, starts: IntArray, ends: IntArray) -> tuple[str, IntArray, IntArray]:
    edits: list[Edit] = []
    n = len(text)
    for m in _SPACE_CANDIDATE.finditer(text):
        a, b = m.span()
        if a == 0 or b == n or _touches_cjk(text, a - 1, -1) or _touches_cjk(text, b, 1):
            edits.append((a, b, ""))
        elif b - a > 1:
            edits.append((a, b, " "))
    return _apply_edits(text, starts, ends, edits)


_PUNCT_TABLE = str.maketrans(PUNCTUATION_FOLDS)
_PUNCT_RUNS = re.compile(r"-{2,}|[.…]*…[.…]*|\.{4,}")


def _punctuation(text: str, starts: IntArray, ends: IntArray) -> tuple[str, IntArray, IntArray]:
    text = text.translate(_PUNCT_TABLE)
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
    out, starts, ends = _characters(text, starts, ends)
    if options.t2s:
        out, starts, ends = _t2s(out, starts, ends)
    out, starts, ends = _whitespace(out, starts, ends)
    if options.fold_punctuation:
        out, starts, ends = _punctuation(out, starts, ends)
    return out, starts, ends


def normalize(
    text: str, options: NormalizeOptions = DEFAULT_OPTIONS, *, base: int = 0
) -> Normalized:
    """Normalize ``text`` for matching; ``base`` is added to every offset of the map.

    >>> n = normalize("  臺灣，ＡＢＣ  ")
    >>> n.text, list(n.starts), list(n.ends)
    ('台湾,abc', [2, 3, 4, 5, 6, 7], [3, 4, 5, 6, 7, 8])
    """
    out, starts, ends = _pipeline(text, options)
    # Removing a space or an invisible character can bring a combining mark next to a new base
    # ("A´" -> "a", " ", U+0301 -> "a", U+0301); run again until nothing changes. Only text with
    # marks can need it.
    for _ in range(3):
        if not _char_tables().mark.search(out):
            break
        again, s2, e2 = _pipeline(out, options)
        if again == out:
            break
        out, starts, ends = again, starts[s2], ends[e2 - 1]
    if base:
        starts = starts + base
        ends = ends + base
    return Normalized(out, _to_array(starts), _to_array(ends))


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
        convert = _t2s_converter()
        ka, kb = convert(ka), convert(kb)
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
    return _characters(s, n, n + 1)[0]


def _fold_text(s: str) -> str:
    n = np.arange(len(s), dtype=np.int64)
    return _punctuation(s, n, n + 1)[0]
