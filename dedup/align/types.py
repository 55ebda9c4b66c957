"""The result of aligning two documents: hunks inside operations inside an alignment.

Everything here is plain frozen data with a ``mirror()`` that swaps the two sides, and a
JSON-ready dict form with a fixed key order (:func:`alignment_to_dict`).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from ..document import Document, Span

OP_KINDS: tuple[str, ...] = (
    "equal",
    "variant",
    "edit",
    "insert",
    "delete",
    "split",
    "merge",
    "move",
)
"""Every operation kind, in the order counts are reported."""

HUNK_KINDS: tuple[str, ...] = ("whitespace", "width", "traditional", "punctuation", "text")
"""Every character-level difference kind; only ``text`` is a real edit."""

_MIRROR_KIND = {"insert": "delete", "delete": "insert", "split": "merge", "merge": "split"}
_MIRROR_TAG = {"insert": "delete", "delete": "insert", "replace": "replace"}


@dataclass(frozen=True, slots=True)
class Hunk:
    """One character-level difference, located in the ORIGINAL text of both documents.

    ``tag`` is ``replace``, ``insert`` (text only in B; ``a_span`` is empty) or ``delete``
    (text only in A; ``b_span`` is empty). ``kind`` says what sort of difference it is
    (one of :data:`HUNK_KINDS`); only ``text`` is a real edit.
    """

    tag: str
    a_span: Span
    b_span: Span
    kind: str

    def mirror(self) -> Hunk:
        """The same hunk seen from B to A."""
        return Hunk(_MIRROR_TAG[self.tag], self.b_span, self.a_span, self.kind)


@dataclass(frozen=True, slots=True)
class Op:
    """One step of an alignment: some paragraphs of A matched to some paragraphs of B.

    ``a``/``b`` are paragraph indices (consecutive, possibly empty); ``a_span``/``b_span``
    cover them in the original texts (``None`` on an empty side). ``score`` is the similarity
    of the normalized texts (1.0 when equal after normalization, 0.0 for ``insert``/``delete``).
    ``hunks`` are the character-level differences (none for ``equal``, ``insert``, ``delete``).
    """

    kind: str
    a: tuple[int, ...]
    b: tuple[int, ...]
    a_span: Span | None
    b_span: Span | None
    score: float
    hunks: tuple[Hunk, ...] = ()

    @property
    def has_text_hunk(self) -> bool:
        """Whether any hunk is a real edit (kind ``text``)."""
        return any(h.kind == "text" for h in self.hunks)

    def mirror(self) -> Op:
        """The same operation seen from B to A (insert/delete and split/merge swap)."""
        return Op(
            kind=_MIRROR_KIND.get(self.kind, self.kind),
            a=self.b,
            b=self.a,
            a_span=self.b_span,
            b_span=self.a_span,
            score=self.score,
            hunks=tuple(h.mirror() for h in self.hunks),
        )


def canonical_order(ops: Iterable[Op]) -> tuple[Op, ...]:
    """Order operations the way a reader walks both documents.

    Matched operations (every kind with both sides, except ``move``) follow each other in the
    order of both documents. Between two of them come first the A-only operations (``delete``
    and ``move``, which stands where its A paragraph stood) in A order, then the ``insert``
    operations in B order. The order depends only on the set of operations, so an alignment
    and its mirror agree.
    """
    ops = list(ops)
    matched = sorted(
        (op for op in ops if op.a and op.b and op.kind != "move"), key=lambda op: (op.a[0], op.b[0])
    )
    a_starts = [op.a[0] for op in matched]
    b_starts = [op.b[0] for op in matched]
    keyed: list[tuple[tuple[int, int, int], Op]] = [((g, 2, 0), op) for g, op in enumerate(matched)]
    for op in ops:
        if op.a and op.b and op.kind != "move":
            continue
        if op.a:
            keyed.append(((bisect_right(a_starts, op.a[0]), 0, op.a[0]), op))
        else:
            keyed.append(((bisect_right(b_starts, op.b[0]), 1, op.b[0]), op))
    keyed.sort(key=lambda item: item[0])
    return tuple(op for _, op in keyed)


@dataclass(frozen=True, slots=True)
class Alignment:
    """Paragraph alignment of document A (``a_id``) to document B (``b_id``).

    Every paragraph of both documents appears in exactly one of ``ops``, which are in
    :func:`canonical_order`. ``threshold`` is the similarity a grouping had to beat, set from
    the scores of unrelated paragraph pairs of these two documents. ``similarity`` is the
    share of the normalized characters of both documents that the matched operations cover,
    ``sum(2 * LCS) / (len(A) + len(B))`` over the groupings, in ``[0, 1]``.
    """

    a_id: str
    b_id: str
    ops: tuple[Op, ...]
    similarity: float = 0.0
    threshold: float = 0.0

    @property
    def identical(self) -> bool:
        """Same up to normalization: no insert, delete, move or edit, and no ``text`` hunk.

        Width, punctuation, traditional/simplified, whitespace and paragraph layout
        (``split``/``merge`` without a ``text`` hunk) do not count as differences.
        """
        return all(
            op.kind not in ("insert", "delete", "move", "edit") and not op.has_text_hunk
            for op in self.ops
        )

    @property
    def counts(self) -> dict[str, int]:
        """Number of operations of each kind (every kind listed, zeros included)."""
        found = Counter(op.kind for op in self.ops)
        return {kind: found.get(kind, 0) for kind in OP_KINDS}

    def mirror(self) -> Alignment:
        """The alignment of B to A."""
        return replace(
            self,
            a_id=self.b_id,
            b_id=self.a_id,
            ops=canonical_order(op.mirror() for op in self.ops),
        )


def _span(span: Span | None) -> list[int] | None:
    return None if span is None else [span.start, span.end]


def alignment_to_dict(
    alignment: Alignment, a_doc: Document | None = None, b_doc: Document | None = None
) -> dict[str, Any]:
    """The alignment as plain JSON-ready data, keys in a fixed order.

    Spans are ``[start, end)`` offsets into the original texts. When the documents are
    given, every hunk also carries the original text of both sides (``a_text``/``b_text``).

    >>> alignment_to_dict(Alignment("a", "b", ()))["counts"]["equal"]
    0
    """

    def hunk(h: Hunk) -> dict[str, Any]:
        out: dict[str, Any] = {
            "tag": h.tag,
            "kind": h.kind,
            "a_span": _span(h.a_span),
            "b_span": _span(h.b_span),
        }
        if a_doc is not None and b_doc is not None:
            out["a_text"] = h.a_span.slice(a_doc.text)
            out["b_text"] = h.b_span.slice(b_doc.text)
        return out

    return {
        "a_id": alignment.a_id,
        "b_id": alignment.b_id,
        "identical": alignment.identical,
        "similarity": round(alignment.similarity, 6),
        "threshold": round(alignment.threshold, 6),
        "counts": alignment.counts,
        "ops": [
            {
                "kind": op.kind,
                "a": list(op.a),
                "b": list(op.b),
                "a_span": _span(op.a_span),
                "b_span": _span(op.b_span),
                "score": round(op.score, 6),
                "hunks": [hunk(h) for h in op.hunks],
            }
            for op in alignment.ops
        ],
    }
