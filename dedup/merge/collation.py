"""The collation table of a cluster: one row per paragraph group, one column per member.

Every member is aligned to the representative (the representative is side A). The rows follow
the representative's paragraphs; paragraphs that several members merge or split are grouped
into one row, and paragraphs a member has that the representative lacks (``insert``) become
rows of their own, in the place the member has them. Every paragraph of every member lands in
exactly one row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..align import Alignment
from ..align.path import match_paragraphs
from ..document import Document, Paragraph, Span
from ..normalize import DEFAULT_OPTIONS
from ..options import NormalizeOptions
from ..segment import paragraphs as segment

__all__ = ["KIND_ORDER", "PARAGRAPH_BREAK", "Collation", "Reading", "Row", "collate"]

PARAGRAPH_BREAK = "\n\n"
"""What separates paragraphs in a merged text (a blank line: re-segments the same way)."""

KIND_ORDER = ("edit", "move", "split", "merge", "insert", "delete", "variant", "equal")
"""Op kinds from most to least telling, to name a reading made of several operations."""


@dataclass(frozen=True, slots=True)
class Reading:
    """What one member has in one row of the collation.

    ``paragraphs`` are the member's paragraph indices and ``spans`` their ORIGINAL spans;
    ``text`` is the original surface form (paragraphs joined by :data:`PARAGRAPH_BREAK`);
    ``key`` is the normalized form without whitespace, which decides whether two readings
    are the same. ``kind`` and ``score`` come from the member's alignment to the
    representative (``equal`` and 1.0 for the representative itself, ``insert`` and 0.0 in
    rows the representative lacks).
    """

    member: str
    paragraphs: tuple[int, ...]
    spans: tuple[Span, ...]
    text: str
    key: str
    kind: str
    score: float

    @property
    def span(self) -> Span:
        """From the start of the first paragraph to the end of the last, in the original."""
        return Span(self.spans[0].start, self.spans[-1].end)


@dataclass(frozen=True, slots=True)
class Row:
    """One paragraph group: the representative's paragraphs (empty for a row it lacks) and
    each member's reading, ``None`` where the member has nothing, in column order."""

    rep_paragraphs: tuple[int, ...]
    readings: tuple[Reading | None, ...]


@dataclass(frozen=True, slots=True)
class Collation:
    """Rows in reading order; ``members`` are the columns (cluster order)."""

    members: tuple[str, ...]
    representative: str
    rows: tuple[Row, ...]


def _most_significant(kinds: Sequence[str]) -> str:
    return min(kinds, key=KIND_ORDER.index)


def _reading(
    doc: Document, paras: Sequence[Paragraph], indices: Sequence[int], kind: str, score: float
) -> Reading:
    chosen = [paras[i] for i in sorted(indices)]
    spans = tuple(p.span for p in chosen)
    return Reading(
        member=doc.id,
        paragraphs=tuple(p.index for p in chosen),
        spans=spans,
        text=PARAGRAPH_BREAK.join(s.slice(doc.text) for s in spans),
        key="".join("".join(p.text for p in chosen).split()),
        kind=kind,
        score=score,
    )


def _rep_groups(n: int, alignments: Sequence[Alignment]) -> list[tuple[int, ...]]:
    """Consecutive runs of representative paragraphs that some member merges or splits."""
    joined = [False] * n  # joined[i]: paragraph i belongs with paragraph i - 1
    for alignment in alignments:
        for op in alignment.ops:
            if len(op.a) > 1 and op.kind != "move":
                for i in op.a[1:]:
                    joined[i] = True
    groups: list[list[int]] = []
    for i in range(n):
        if joined[i] and groups:
            groups[-1].append(i)
        else:
            groups.append([i])
    return [tuple(g) for g in groups]


@dataclass
class _InsertRow:
    key: str
    readings: dict[str, Reading]


def _place_inserts(rows: list[_InsertRow], new: list[Reading]) -> None:
    """Add one member's inserted paragraphs at one place to the insert rows found there.

    A paragraph that matches an existing row (a monotonic one-to-one match of normalized
    texts, as the paragraph aligner finds them) joins that row; the others become new rows
    after the last row matched before them.
    """
    if not rows:
        rows.extend(_InsertRow(r.key, {r.member: r}) for r in new)
        return
    matches, _ = match_paragraphs([r.key for r in rows], [r.key for r in new])
    one_to_one = {
        m.b0: rows[m.a0] for m in matches if not m.moved and m.a1 - m.a0 == 1 and m.b1 - m.b0 == 1
    }
    cursor = 0
    for j, reading in enumerate(new):
        target = one_to_one.get(j)
        if target is not None:
            target.readings[reading.member] = reading
            cursor = rows.index(target) + 1
        else:
            rows.insert(cursor, _InsertRow(reading.key, {reading.member: reading}))
            cursor += 1


def collate(
    members: Sequence[Document],
    representative: str,
    alignments: Sequence[Alignment],
    options: NormalizeOptions = DEFAULT_OPTIONS,
    *,
    paragraphs: Mapping[str, Sequence[Paragraph]] | None = None,
) -> Collation:
    """Build the collation table of ``members`` from their alignments to the representative.

    ``alignments`` hold one alignment per member other than the representative, with the
    representative as A (as :func:`dedup.align.align` makes them). ``paragraphs`` may give
    each member's paragraphs (as the alignments saw them); otherwise they are segmented here
    with ``options``.

    >>> from dedup.align import align
    >>> a = Document("a", "标题\\n\\n第一段，很长的文字。")
    >>> b = Document("b", "第一段,很长的文字.")
    >>> table = collate([a, b], "a", [align(a, b)])
    >>> [[r.text if r else None for r in row.readings] for row in table.rows]
    [['标题', None], ['第一段，很长的文字。', '第一段,很长的文字.']]
    """
    ids = [d.id for d in members]
    if representative not in ids:
        raise ValueError(f"representative {representative!r} is not among the members {ids}")
    if len(set(ids)) != len(ids):
        raise ValueError("member ids must be unique")
    docs = {d.id: d for d in members}
    paras = {
        d.id: list(paragraphs[d.id])
        if paragraphs and d.id in paragraphs
        else segment(d.text, options)
        for d in members
    }
    by_member: dict[str, Alignment] = {}
    for alignment in alignments:
        if alignment.a_id != representative:
            raise ValueError(
                f"alignment {alignment.a_id!r} -> {alignment.b_id!r} must have the "
                f"representative {representative!r} as A: align(representative, member)"
            )
        by_member[alignment.b_id] = alignment
    missing = [m for m in ids if m != representative and m not in by_member]
    if missing:
        raise ValueError(f"no alignment for members {missing}")

    rep_doc, rep_paras = docs[representative], paras[representative]
    groups = _rep_groups(len(rep_paras), [by_member[m] for m in ids if m != representative])
    row_of = {i: r for r, group in enumerate(groups) for i in group}
    cells: list[dict[str, Reading]] = [
        {representative: _reading(rep_doc, rep_paras, g, "equal", 1.0)} for g in groups
    ]
    inserts: dict[int, list[_InsertRow]] = {}  # after which row (-1: before the first)

    for member in ids:
        if member == representative:
            continue
        doc, member_paras = docs[member], paras[member]
        parts: dict[int, list[tuple[tuple[int, ...], str, float]]] = {}
        pending: dict[int, list[Reading]] = {}
        last_row = -1
        for op in by_member[member].ops:
            if op.a:
                last_row = row_of[op.a[-1]]
                if op.b:
                    parts.setdefault(row_of[op.a[0]], []).append((op.b, op.kind, op.score))
                else:
                    parts.setdefault(row_of[op.a[0]], []).append(((), "delete", 0.0))
            else:
                reading = _reading(doc, member_paras, op.b, "insert", 0.0)
                pending.setdefault(last_row, []).append(reading)
        for row_number, found in parts.items():
            indices = [i for b, _, _ in found for i in b]
            if not indices:
                continue
            kinds = [k for _, k, _ in found]
            score = min(s for _, _, s in found)
            cells[row_number][member] = _reading(
                doc, member_paras, indices, _most_significant(kinds), score
            )
        for anchor, readings in pending.items():
            _place_inserts(inserts.setdefault(anchor, []), readings)

    def make_row(rep: tuple[int, ...], found: Mapping[str, Reading]) -> Row:
        return Row(rep, tuple(found.get(m) for m in ids))

    rows = [make_row((), r.readings) for r in inserts.get(-1, [])]
    for r, group in enumerate(groups):
        rows.append(make_row(group, cells[r]))
        rows.extend(make_row((), ins.readings) for ins in inserts.get(r, []))
    return Collation(members=tuple(ids), representative=representative, rows=tuple(rows))
