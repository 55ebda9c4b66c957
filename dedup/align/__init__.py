"""Paragraph alignment of near-duplicate documents, with character-level hunks.

:func:`align` recovers which paragraphs of two versions of one article correspond, and
describes every difference. Every paragraph of both documents appears in exactly one
operation; operation kinds mean exactly this:

- ``equal``: one paragraph to one, the original texts identical.
- ``variant``: one to one, every hunk minor (width, punctuation, traditional/simplified,
  whitespace): equal after normalization, different in the original.
- ``edit``: one to one with at least one ``text`` hunk (a real change of wording).
- ``insert``: a paragraph only in B; ``delete``: a paragraph only in A.
- ``split``: fewer paragraphs of A (usually one) to more of B: 1-2..1-10, or 2-3;
  ``merge``: the mirror, more of A to fewer of B. Their hunks cover the concatenated texts,
  and a split or merge with no ``text`` hunk is a layout change only (hard wraps, joined
  paragraphs).
- ``move``: a paragraph matched out of order with respect to the rest (1-1, or one paragraph
  to a run of up to ten on the other side when it was also wrapped or split), with
  similarity at least ``(1 + threshold) / 2``; it stands where its A paragraph stood, and
  has hunks like an ``edit``/``variant``.

Hunks (:class:`Hunk`) locate each character-level difference in the original text of both
documents; their ``kind`` is one of ``whitespace``, ``width``, ``traditional``,
``punctuation`` or ``text``, and only ``text`` hunks are real edits. How they are found:
:mod:`dedup.align.chars`. How paragraphs are matched: :mod:`dedup.align.path`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .types import HUNK_KINDS, OP_KINDS, Alignment, Hunk, Op, alignment_to_dict

if TYPE_CHECKING:
    from ..document import Document, Paragraph
    from ..options import NormalizeOptions


def align(
    a: Document | str,
    b: Document | str,
    options: NormalizeOptions | None = None,
    *,
    a_paragraphs: Sequence[Paragraph] | None = None,
    b_paragraphs: Sequence[Paragraph] | None = None,
) -> Alignment:
    """Align document ``a`` to document ``b`` paragraph by paragraph: see
    :func:`dedup.align.core.align`, imported on the first call (numpy, rapidfuzz), so that
    the plain types above stay light to import (the CLI's ``--help`` reads only those).

    >>> [op.kind for op in align("标题\\n第一段，很长的文字。", "第一段,很长的文字。").ops]
    ['delete', 'variant']
    """
    from ..normalize import DEFAULT_OPTIONS
    from . import core

    return core.align(
        a,
        b,
        options if options is not None else DEFAULT_OPTIONS,
        a_paragraphs=a_paragraphs,
        b_paragraphs=b_paragraphs,
    )


__all__ = ["HUNK_KINDS", "OP_KINDS", "Alignment", "Hunk", "Op", "align", "alignment_to_dict"]
