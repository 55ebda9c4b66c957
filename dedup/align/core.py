"""``align(a, b)``: the paragraph alignment of two documents, operations and hunks included."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from ..document import Document, Paragraph, Span
from ..normalize import DEFAULT_OPTIONS
from ..options import NormalizeOptions
from .chars import char_hunks
from .path import Match, match_paragraphs
from .types import Alignment, Op, canonical_order

log = logging.getLogger(__name__)


def _as_document(doc: Document | str, default_id: str) -> Document:
    return doc if isinstance(doc, Document) else Document(id=default_id, text=doc)


def _outer(paragraphs: Sequence[Paragraph]) -> Span | None:
    if not paragraphs:
        return None
    return Span(paragraphs[0].span.start, paragraphs[-1].span.end)


def _grouping_kind(match: Match, n_a: int, n_b: int, has_text: bool) -> str:
    if match.moved:
        return "move"
    if n_a < n_b:
        return "split"
    if n_a > n_b:
        return "merge"
    return "edit" if has_text else "variant"


def _op(
    match: Match,
    a_doc: Document,
    b_doc: Document,
    pa: Sequence[Paragraph],
    pb: Sequence[Paragraph],
    options: NormalizeOptions,
) -> Op:
    xs, ys = pa[match.a0 : match.a1], pb[match.b0 : match.b1]
    a_span, b_span = _outer(xs), _outer(ys)
    assert a_span is not None and b_span is not None
    same = a_span.slice(a_doc.text) == b_span.slice(b_doc.text)
    if len(xs) == len(ys) == 1 and not match.moved and same:
        return Op("equal", (xs[0].index,), (ys[0].index,), a_span, b_span, 1.0)
    hunks = char_hunks(xs, ys, a_doc.text, b_doc.text, options)
    kind = _grouping_kind(match, len(xs), len(ys), any(h.kind == "text" for h in hunks))
    return Op(
        kind,
        tuple(p.index for p in xs),
        tuple(p.index for p in ys),
        a_span,
        b_span,
        match.score,
        hunks,
    )


def _align(
    a_doc: Document,
    b_doc: Document,
    pa: Sequence[Paragraph],
    pb: Sequence[Paragraph],
    options: NormalizeOptions,
) -> Alignment:
    ta = [p.text for p in pa]
    tb = [p.text for p in pb]
    matches, threshold = match_paragraphs(ta, tb)
    ops = [_op(m, a_doc, b_doc, pa, pb, options) for m in matches]
    matched_chars = 0.0
    for m in matches:
        size = sum(len(t) for t in ta[m.a0 : m.a1]) + sum(len(t) for t in tb[m.b0 : m.b1])
        matched_chars += m.score * size
    used_a = {i for m in matches for i in range(m.a0, m.a1)}
    used_b = {j for m in matches for j in range(m.b0, m.b1)}
    for p in pa:
        if p.index not in used_a:
            ops.append(Op("delete", (p.index,), (), p.span, None, 0.0))
    for p in pb:
        if p.index not in used_b:
            ops.append(Op("insert", (), (p.index,), None, p.span, 0.0))
    total = sum(map(len, ta)) + sum(map(len, tb))
    return Alignment(
        a_id=a_doc.id,
        b_id=b_doc.id,
        ops=canonical_order(ops),
        similarity=matched_chars / total if total else 1.0,
        threshold=threshold,
    )


def _orientation_key(doc: Document, paragraphs: Sequence[Paragraph]) -> tuple[object, ...]:
    return (tuple(p.text for p in paragraphs), doc.text, doc.id)


def align(
    a: Document | str,
    b: Document | str,
    options: NormalizeOptions = DEFAULT_OPTIONS,
    *,
    a_paragraphs: Sequence[Paragraph] | None = None,
    b_paragraphs: Sequence[Paragraph] | None = None,
) -> Alignment:
    """Align document ``a`` to document ``b`` paragraph by paragraph.

    Strings are taken as documents with ids ``"a"`` and ``"b"``. Paragraphs come from
    :func:`dedup.segment.paragraphs` unless given (their ``index`` must be their position).
    ``align(b, a)`` is exactly ``align(a, b).mirror()``: the pair is always aligned in one
    orientation (fixed by the texts themselves) and mirrored when asked the other way round,
    because LCS tie-breaking in character opcodes depends on direction.

    >>> result = align("标题\\n第一段，很长的文字。", "第一段,很长的文字。")
    >>> [op.kind for op in result.ops]
    ['delete', 'variant']
    """
    from ..segment import paragraphs

    a_doc = _as_document(a, "a")
    b_doc = _as_document(b, "b")
    pa = list(a_paragraphs) if a_paragraphs is not None else paragraphs(a_doc.text, options)
    pb = list(b_paragraphs) if b_paragraphs is not None else paragraphs(b_doc.text, options)
    for side, ps in (("a", pa), ("b", pb)):
        if any(p.index != k for k, p in enumerate(ps)):
            raise ValueError(f"{side}_paragraphs: paragraph indices must be 0, 1, 2, ...")
    if _orientation_key(b_doc, pb) < _orientation_key(a_doc, pa):
        return _align(b_doc, a_doc, pb, pa, options).mirror()
    return _align(a_doc, b_doc, pa, pb, options)
