"""Choose one reading per collation row by policy, and keep the provenance of each choice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..document import Span
from ..options import POLICIES
from .collation import KIND_ORDER, PARAGRAPH_BREAK, Collation, Reading, Row

__all__ = [
    "POLICIES",
    "Merged",
    "MergedParagraph",
    "Variant",
    "merge_collation",
    "merged_to_dict",
]


@dataclass(frozen=True, slots=True)
class Variant:
    """One distinct reading of a row: the members that share it (same normalized text) and
    the surface text of the first of them (the representative when it is among them)."""

    text: str
    members: tuple[str, ...]
    chosen: bool


@dataclass(frozen=True, slots=True)
class MergedParagraph:
    """One paragraph of the merged text (one collation row) with its provenance.

    ``text`` is ``chosen.text``: the chosen member's ORIGINAL surface form. ``supporting``
    are the members whose reading is the same after normalization (the chosen one included);
    ``variants`` every distinct reading; ``absent`` the members with nothing in this row.
    ``kind`` names the row's most telling difference (``equal`` when every member has the
    same original text, ``insert`` for a row the representative lacks); ``score`` is the
    chosen reading's alignment score against the representative's.
    """

    text: str
    chosen: Reading
    supporting: tuple[str, ...]
    variants: tuple[Variant, ...]
    absent: tuple[str, ...]
    readings: tuple[Reading, ...]
    rep_paragraphs: tuple[int, ...]
    kind: str
    score: float


@dataclass(frozen=True, slots=True)
class Merged:
    """The canonical merge of a cluster: one paragraph per collation row, in reading order."""

    representative: str
    members: tuple[str, ...]
    policy: str
    paragraphs: tuple[MergedParagraph, ...]

    @property
    def text(self) -> str:
        """The merged text: paragraphs separated by blank lines, ending with a newline."""
        if not self.paragraphs:
            return ""
        return PARAGRAPH_BREAK.join(p.text for p in self.paragraphs) + "\n"


def _row_kind(row: Row, rep_index: int, present: Sequence[Reading]) -> str:
    if not row.rep_paragraphs:
        return "insert"
    kinds = [r.kind for i, r in enumerate(row.readings) if r is not None and i != rep_index]
    if len(present) < len(row.readings):
        kinds.append("delete")
    return min(kinds or ["equal"], key=KIND_ORDER.index)


def _choose(groups: list[list[Reading]], representative: str, policy: str) -> list[Reading]:
    """The winning group of readings; ``groups`` are in column order of their first member."""

    def has_rep(group: list[Reading]) -> bool:
        return any(r.member == representative for r in group)

    if policy == "representative":
        for group in groups:
            if has_rep(group):
                return group
        policy = "majority"
    order = {id(g): n for n, g in enumerate(groups)}
    if policy == "majority":
        return max(groups, key=lambda g: (len(g), has_rep(g), -order[id(g)]))
    if policy == "longest":
        return max(groups, key=lambda g: (len(g[0].key), has_rep(g), -order[id(g)]))
    raise ValueError(f"unknown policy {policy!r}: choose one of {', '.join(POLICIES)}")


def _merge_row(row: Row, collation: Collation, policy: str) -> MergedParagraph:
    rep = collation.representative
    rep_index = collation.members.index(rep)
    present = [r for r in row.readings if r is not None]
    groups: dict[str, list[Reading]] = {}
    for reading in present:
        groups.setdefault(reading.key, []).append(reading)
    # the representative's reading first among its group, so its surface form is the one shown
    ordered = [sorted(g, key=lambda r: r.member != rep) for g in groups.values()]
    winners = _choose(ordered, rep, policy)
    chosen = winners[0]
    rep_reading = row.readings[rep_index]
    if rep_reading is None:
        score = 0.0
    elif chosen.key == rep_reading.key:
        score = 1.0
    else:
        score = chosen.score
    return MergedParagraph(
        text=chosen.text,
        chosen=chosen,
        supporting=tuple(r.member for r in present if r.key == chosen.key),
        variants=tuple(
            Variant(
                g[0].text,
                tuple(r.member for r in present if r.key == g[0].key),
                g[0].key == chosen.key,
            )
            for g in ordered
        ),
        absent=tuple(m for m, r in zip(collation.members, row.readings, strict=True) if r is None),
        readings=tuple(present),
        rep_paragraphs=row.rep_paragraphs,
        kind=_row_kind(row, rep_index, present),
        score=score,
    )


def merge_collation(collation: Collation, policy: str = "representative") -> Merged:
    """Choose one reading per row of ``collation`` by ``policy`` (one of :data:`POLICIES`).

    Every row is kept, so the merged text has every paragraph any member has, in reading order.

    >>> from dedup.document import Document
    >>> from dedup.align import align
    >>> from dedup.merge.collation import collate
    >>> a, b = Document("a", "标题\\n\\n正文，一。"), Document("b", "正文,一.")
    >>> merge_collation(collate([a, b], "a", [align(a, b)])).text
    '标题\\n\\n正文，一。\\n'
    """
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy!r}: choose one of {', '.join(POLICIES)}")
    return Merged(
        representative=collation.representative,
        members=collation.members,
        policy=policy,
        paragraphs=tuple(_merge_row(row, collation, policy) for row in collation.rows),
    )


def _span(span: Span) -> list[int]:
    return [span.start, span.end]


def merged_to_dict(merged: Merged) -> dict[str, Any]:
    """The merge with its provenance as JSON-ready data, keys in a fixed order.

    Offsets are ``[start, end)`` in the chosen member's ORIGINAL text; ``offset`` is where the
    paragraph starts in the merged text.
    """
    paragraphs = []
    offset = 0
    for n, p in enumerate(merged.paragraphs):
        paragraphs.append(
            {
                "index": n,
                "offset": offset,
                "kind": p.kind,
                "score": round(p.score, 6),
                "member": p.chosen.member,
                "paragraphs": list(p.chosen.paragraphs),
                "span": _span(p.chosen.span),
                "supporting": list(p.supporting),
                "absent": list(p.absent),
                "representative_paragraphs": list(p.rep_paragraphs),
                "variants": [
                    {"members": list(v.members), "chosen": v.chosen, "text": v.text}
                    for v in p.variants
                ],
                "readings": [
                    {
                        "member": r.member,
                        "kind": r.kind,
                        "score": round(r.score, 6),
                        "paragraphs": list(r.paragraphs),
                        "span": _span(r.span),
                    }
                    for r in p.readings
                ],
                "text": p.text,
            }
        )
        offset += len(p.text) + len(PARAGRAPH_BREAK)
    return {
        "representative": merged.representative,
        "members": list(merged.members),
        "policy": merged.policy,
        "paragraphs": paragraphs,
    }
