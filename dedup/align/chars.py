"""Character-level hunks of a grouping, located in the original text and classified.

Two passes give the truest picture:

1. Indel (LCS) opcodes on the NORMALIZED texts (the paragraphs of each side concatenated)
   say what really differs. Each run of non-equal opcodes becomes one hunk, mapped back to
   the original text: a ``text`` hunk when its normalized sides differ beyond spaces (and
   its original sides differ), else classified by
   :func:`dedup.normalize.classify_difference`.
2. Inside every run that is equal after normalization, the ORIGINAL texts are compared
   again; where they differ (width, punctuation, traditional/simplified, whitespace,
   characters normalization dropped) the opcodes of that second pass become hunks too.

So a width change never hides a real edit next to it, and an LCS over traditional and
simplified characters never misaligns the text. Each normalized character owns the original
text from its own start up to the start of the next one (the first also owns what leads the
paragraph, the last what trails it); the text between paragraphs (line breaks, indents) is
owned by no character and never becomes a hunk.
"""

from __future__ import annotations

import functools
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import replace

from rapidfuzz.distance import Indel

from ..document import Paragraph, Span
from ..normalize import DEFAULT_OPTIONS, classify_difference
from ..options import NormalizeOptions
from .types import Hunk


class _Side:
    """The paragraphs of one side of a grouping, with the original text each character owns."""

    def __init__(self, paragraphs: Sequence[Paragraph], text: str) -> None:
        self.paragraphs = paragraphs
        self.doc = text
        self.norm = "".join(p.text for p in paragraphs)
        self.offsets: list[int] = []  # normalized offset where each paragraph starts
        pos = 0
        for p in paragraphs:
            self.offsets.append(pos)
            pos += len(p.text)

    def _locate(self, k: int) -> tuple[Paragraph, int]:
        idx = bisect_right(self.offsets, k) - 1
        while idx > 0 and not self.paragraphs[idx].text:
            idx -= 1
        return self.paragraphs[idx], k - self.offsets[idx]

    def _piece_start(self, p: Paragraph, k: int) -> int:
        return p.span.start if k == 0 else int(p.starts[k])

    def _piece_end(self, p: Paragraph, k: int) -> int:
        return p.span.end if k == len(p.text) - 1 else int(p.starts[k + 1])

    def pieces(self, i: int, j: int) -> list[Span]:
        """Original spans owned by normalized characters ``[i, j)``, one per paragraph touched."""
        if i >= j:
            return []
        out: list[Span] = []
        idx = bisect_right(self.offsets, i) - 1
        while i < j:
            while idx + 1 < len(self.offsets) and self.offsets[idx + 1] <= i:
                idx += 1
            p = self.paragraphs[idx]
            lo = i - self.offsets[idx]
            hi = min(j - self.offsets[idx], len(p.text))
            out.append(Span(self._piece_start(p, lo), self._piece_end(p, hi - 1)))
            i = self.offsets[idx] + hi
            idx += 1
        return out

    def point(self, i: int) -> int:
        """Original offset where normalized position ``i`` stands (for empty hunk sides)."""
        if not self.norm:
            return self.paragraphs[0].span.start
        if i >= len(self.norm):
            p, k = self._locate(len(self.norm) - 1)
            return p.span.end
        p, k = self._locate(i)
        return self._piece_start(p, k)


def _outer(spans: list[Span], point: int) -> Span:
    return Span(spans[0].start, spans[-1].end) if spans else Span(point, point)


def _tag(a: Span, b: Span) -> str:
    if len(a) and len(b):
        return "replace"
    return "delete" if len(a) else "insert"


def _original(doc: str, spans: list[Span]) -> tuple[str, list[int]]:
    """The text of ``spans`` joined, and the document offset of each of its characters."""
    text = "".join(s.slice(doc) for s in spans)
    where: list[int] = []
    for s in spans:
        where.extend(range(s.start, s.end))
    return text, where


def _minor_hunks(
    a: _Side, b: _Side, a_spans: list[Span], b_spans: list[Span], options: NormalizeOptions
) -> list[Hunk]:
    """Hunks where original texts differ inside a run that is equal after normalization."""
    if (
        len(a_spans) == 1
        and len(b_spans) == 1
        and a_spans[0].slice(a.doc) == b_spans[0].slice(b.doc)
    ):
        return []
    xa, wa = _original(a.doc, a_spans)
    xb, wb = _original(b.doc, b_spans)
    if xa == xb:
        return []
    end_a = a_spans[-1].end if a_spans else 0
    end_b = b_spans[-1].end if b_spans else 0
    spans: list[tuple[Span, Span]] = []
    for op in Indel.opcodes(xa, xb):
        if op.tag == "equal":
            continue
        sa = _span_of(wa, op.src_start, op.src_end, end_a)
        sb = _span_of(wb, op.dest_start, op.dest_end, end_b)
        if spans and spans[-1][0].end == sa.start and spans[-1][1].end == sb.start:
            (pa, pb) = spans.pop()
            sa, sb = Span(pa.start, sa.end), Span(pb.start, sb.end)
        spans.append((sa, sb))
    hunks = [_hunk(sa, sb, a.doc, b.doc, options) for sa, sb in spans]
    if any(h.kind == "text" for h in hunks):
        # Normalization works in context (OpenCC converts by phrase: 瞭解 -> 了解, but 瞭
        # alone stays): judge a piece cut out of an equal run by the whole run.
        kind = _classify(xa, xb, options)
        hunks = [replace(h, kind=kind) if h.kind == "text" else h for h in hunks]
    return hunks


def _span_of(where: list[int], i: int, j: int, end: int) -> Span:
    if i < j:
        return Span(where[i], where[j - 1] + 1)
    pos = where[i] if i < len(where) else end
    return Span(pos, pos)


@functools.lru_cache(maxsize=8192)
def _classify(x: str, y: str, options: NormalizeOptions) -> str:
    # Minor hunks repeat (every "，" against ","): ask once per distinct pair.
    return classify_difference(x, y, options)


def _hunk(sa: Span, sb: Span, doc_a: str, doc_b: str, options: NormalizeOptions) -> Hunk:
    kind = _classify(sa.slice(doc_a), sb.slice(doc_b), options)
    return Hunk(_tag(sa, sb), sa, sb, kind)


def char_hunks(
    a_paragraphs: Sequence[Paragraph],
    b_paragraphs: Sequence[Paragraph],
    a_text: str,
    b_text: str,
    options: NormalizeOptions = DEFAULT_OPTIONS,
) -> tuple[Hunk, ...]:
    """Every character-level difference between two groups of paragraphs, in original text.

    ``a_text``/``b_text`` are the original documents the paragraphs come from.
    """
    a = _Side(a_paragraphs, a_text)
    b = _Side(b_paragraphs, b_text)
    hunks: list[Hunk] = []
    ops = Indel.opcodes(a.norm, b.norm)
    k = 0
    while k < len(ops):
        op = ops[k]
        if op.tag == "equal":
            a_spans = a.pieces(op.src_start, op.src_end)
            b_spans = b.pieces(op.dest_start, op.dest_end)
            hunks.extend(_minor_hunks(a, b, a_spans, b_spans, options))
            k += 1
            continue
        i0, j0 = op.src_start, op.dest_start
        while k < len(ops) and ops[k].tag != "equal":
            k += 1
        i1, j1 = ops[k - 1].src_end, ops[k - 1].dest_end
        sa = _outer(a.pieces(i0, i1), a.point(i0))
        sb = _outer(b.pieces(j0, j1), b.point(j0))
        x, y = sa.slice(a_text), sb.slice(b_text)
        if x != y and a.norm[i0:i1].replace(" ", "") != b.norm[j0:j1].replace(" ", ""):
            # Different after normalization, beyond spaces: a real edit, no need to ask.
            hunks.append(Hunk(_tag(sa, sb), sa, sb, "text"))
        else:
            hunks.append(_hunk(sa, sb, a_text, b_text, options))
    return tuple(hunks)
