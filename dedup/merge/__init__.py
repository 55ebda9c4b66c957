"""Canonical merge of a cluster of near-duplicates, with the provenance of every paragraph.

Every member is aligned to the representative, the alignments are laid out as a collation
table (:func:`collate`: one row per paragraph group, one column per member), and one reading
is chosen per row by policy (:func:`merge_collation`). The merged text keeps every paragraph
any member has, in reading order, each in the chosen member's ORIGINAL surface form.

>>> m = merge_documents([Document("a", "标题\\n\\n正文，一。"), Document("b", "正文,一.")])
>>> m.text
'标题\\n\\n正文，一。\\n'
"""

from __future__ import annotations

from collections.abc import Sequence

from ..align import align
from ..cluster import choose_representative
from ..document import Document
from ..errors import ConfigError
from ..options import Options
from ..segment import paragraphs
from ..sketch import sketch
from .collation import PARAGRAPH_BREAK, Collation, Reading, Row, collate
from .policy import POLICIES, Merged, MergedParagraph, Variant, merge_collation, merged_to_dict

__all__ = [
    "PARAGRAPH_BREAK",
    "POLICIES",
    "Collation",
    "Merged",
    "MergedParagraph",
    "Reading",
    "Row",
    "Variant",
    "collate",
    "merge_collation",
    "merge_documents",
    "merged_to_dict",
]


def merge_documents(
    documents: Sequence[Document],
    policy: str = "representative",
    *,
    representative: str | None = None,
    options: Options | None = None,
) -> Merged:
    """Align ``documents`` to their representative, collate them and merge by ``policy``.

    The representative is chosen as ``dedupe run`` chooses it (the longest normalized text,
    ties to the smallest id) unless named. Raises :class:`ConfigError` for an unknown policy
    or representative.

    >>> merge_documents([Document("x", "一。"), Document("y", "一。\\n\\n二。")]).representative
    'y'
    """
    options = options or Options()
    if not documents:
        raise ConfigError("nothing to merge: give at least one document")
    if policy not in POLICIES:
        raise ConfigError(f"unknown merge policy {policy!r}: choose one of {', '.join(POLICIES)}")
    ids = [d.id for d in documents]
    if representative is None:
        lengths = [sketch(d.text, options).length for d in documents]
        representative = ids[choose_representative(range(len(ids)), lengths, ids)]
    elif representative not in ids:
        raise ConfigError(
            f"representative {representative!r} is not among the documents: choose one of {ids}"
        )
    paras = {d.id: paragraphs(d.text, options.normalize) for d in documents}
    rep = next(d for d in documents if d.id == representative)
    alignments = [
        align(
            rep,
            d,
            options.normalize,
            a_paragraphs=paras[rep.id],
            b_paragraphs=paras[d.id],
        )
        for d in documents
        if d.id != representative
    ]
    table = collate(documents, representative, alignments, options.normalize, paragraphs=paras)
    return merge_collation(table, policy)
