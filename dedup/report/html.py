"""Self-contained HTML pages: the run overview and a side-by-side page per cluster.

Every page carries its own CSS and JavaScript, loads nothing from the network and reads
fine with JavaScript off (the side-by-side view of the first member, the merged text with
its provenance and the member statistics are plain HTML). Document text and ids are
untrusted: the templates autoescape everything, and the data the scripts need is embedded
as a ``<script type="application/json">`` block through Jinja's ``tojson``, which escapes
``<``, ``>``, ``&`` and ``'`` so no text can close the block.

A cluster page renders the representative's paragraphs once; for every other member it
embeds only the alignment operations and, for paragraphs that differ, the replaced pieces
(or the member's paragraph when it cannot be rebuilt from the representative's). The
script rebuilds the side-by-side view of any member from that.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import jinja2

from ..align import HUNK_KINDS, OP_KINDS, Alignment, Hunk, Op
from ..document import Document, Paragraph
from ..merge import Merged, collate, merge_collation
from ..normalize import DEFAULT_OPTIONS
from ..options import NormalizeOptions
from ..segment import paragraphs as segment

__all__ = ["ClusterView", "cluster_page", "cluster_summary", "diff_page", "index_page"]

log = logging.getLogger(__name__)

MINOR_KINDS = frozenset(k for k in HUNK_KINDS if k != "text")
"""Hunk kinds shown muted and hideable: differences normalization removes."""

SYMBOLS = {
    "equal": "=",
    "variant": "≈",
    "edit": "±",
    "insert": "+",
    "delete": "−",
    "split": "⋔",
    "merge": "⅄",
    "move": "⇅",
}
"""The sign in the middle column of a side-by-side row, one per operation kind."""

ROW_KINDS = {
    "equal": "the same in every member",
    "variant": "minor variants only",
    "edit": "worded differently",
    "insert": "not in the representative",
    "delete": "missing from some members",
    "split": "split into more paragraphs by some members",
    "merge": "joined with its neighbours by some members",
    "move": "moved by some members",
}
"""What a merged paragraph's kind says, in words."""

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("dedup.report", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_ENV.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "separators": (",", ":")}
_ENV.globals.update(symbols=SYMBOLS, row_kinds=ROW_KINDS)


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _param(value: Any) -> str:
    if value is None:
        return "off"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {_param(v)}" for k, v in value.items())
    return str(value)


_ENV.filters.update(pct=_pct, plural=_plural, param=_param)


@dataclass(frozen=True)
class ClusterView:
    """Everything a cluster page shows.

    ``members`` are in cluster order, the representative among them; ``alignments`` hold one
    alignment per other member with the representative as A; ``jaccard`` optionally gives
    each member's shingle Jaccard similarity to the representative (from the run).
    """

    cluster_id: str
    members: Sequence[Document]
    representative: str
    alignments: Sequence[Alignment]
    merged: Merged
    jaccard: Mapping[str, float] = field(default_factory=dict)
    options: NormalizeOptions = DEFAULT_OPTIONS


# --- marks: hunks cut into styled pieces -------------------------------------------------------

Piece = tuple[str, str]
"""A run of text and its CSS classes ("" for plain text)."""


def _hunk_class(h: Hunk) -> str:
    return f"k-{h.kind} minor" if h.kind in MINOR_KINDS else f"k-{h.kind}"


def _pieces(text: str, start: int, end: int, marks: Sequence[tuple[int, int, str]]) -> list[Piece]:
    """``text[start:end]`` cut at the marks (sorted ``(start, end, class)``) that touch it.

    A mark is clipped to the range; an empty mark (a caret where the other side has text)
    becomes an empty piece. The page script cuts the same way (``pieces`` in cluster.js).
    """
    out: list[Piece] = []
    pos = start
    for s0, e0, cls in marks:
        if e0 < start or s0 > end:
            continue
        s, e = max(s0, pos), min(e0, end)
        if s > e or (s == e and s0 != e0):
            continue
        if s > pos:
            out.append((text[pos:s], ""))
        out.append((text[s:e], cls))
        pos = e
    if pos < end:
        out.append((text[pos:end], ""))
    return out


def _sorted_hunks(op: Op) -> list[Hunk]:
    return sorted(op.hunks, key=lambda h: (h.a_span.start, h.a_span.end, h.b_span.start))


def _side_marks(hunks: Sequence[Hunk], side: str) -> list[tuple[int, int, str]]:
    marks = []
    for h in hunks:
        span = h.a_span if side == "a" else h.b_span
        if span.start == span.end and h.kind != "text":
            continue  # only real edits get a caret where text is missing
        marks.append((span.start, span.end, _hunk_class(h)))
    return sorted(marks)


def row_class(op: Op) -> str:
    """``r-same`` (identical), ``r-minor`` (only differences normalization removes) or
    ``r-change`` (a real difference): the row's CSS class, which folding and navigation use."""
    if op.kind == "equal":
        return "r-same"
    if op.kind == "variant" or (op.kind in ("split", "merge") and not op.has_text_hunk):
        return "r-minor"
    return "r-change"


def _rows(
    alignment: Alignment,
    rep: Document,
    member: Document,
    rep_paras: Sequence[Paragraph],
    member_paras: Sequence[Paragraph],
) -> list[dict[str, Any]]:
    rows = []
    for i, op in enumerate(alignment.ops):
        sides = {}
        for side, doc, paras, idx in (
            ("a", rep, rep_paras, op.a),
            ("b", member, member_paras, op.b),
        ):
            marks = _side_marks(op.hunks, side)
            sides[side] = [
                (n + 1, _pieces(doc.text, paras[n].span.start, paras[n].span.end, marks))
                for n in idx
            ]
        rows.append({"i": i, "kind": op.kind, "cls": row_class(op), **sides})
    return rows


# --- statistics --------------------------------------------------------------------------------


def pair_stats(alignment: Alignment, jaccard: float | None, n_a: int, n_b: int) -> dict[str, Any]:
    """Numbers for one member against the representative (JSON-ready, stable key order)."""
    hunks = Counter(h.kind for op in alignment.ops for h in op.hunks)
    text = [h for op in alignment.ops for h in op.hunks if h.kind == "text"]
    ops = alignment.counts
    return {
        "similarity": round(alignment.similarity, 4),
        "jaccard": None if jaccard is None else round(jaccard, 4),
        "paragraphs": [n_a, n_b],
        "ops": {k: ops[k] for k in OP_KINDS if ops[k]},
        "hunks": {k: hunks[k] for k in HUNK_KINDS if hunks[k]},
        "removed": sum(len(h.a_span) for h in text),
        "added": sum(len(h.b_span) for h in text),
        "changes": sum(1 for op in alignment.ops if row_class(op) == "r-change"),
        "minor": sum(1 for op in alignment.ops if row_class(op) == "r-minor"),
    }


# --- embedded data -----------------------------------------------------------------------------


def _rebuilt(op: Op, rep: Document, member: Document, a: Paragraph, b: Paragraph) -> list[str]:
    """The replaced pieces that turn ``a``'s text into ``b``'s, or [] when that fails."""
    pieces, pos, ok = [], a.span.start, True
    out = []
    for h in _sorted_hunks(op):
        if h.a_span.start < pos or not a.span.start <= h.a_span.end <= a.span.end:
            ok = False
            break
        out.append(rep.text[pos : h.a_span.start])
        piece = h.b_span.slice(member.text)
        pieces.append(piece)
        out.append(piece)
        pos = h.a_span.end
    out.append(rep.text[pos : a.span.end])
    if ok and "".join(out) == b.span.slice(member.text):
        return pieces
    return []


def _op_data(
    op: Op,
    rep: Document,
    member: Document,
    rep_paras: Sequence[Paragraph],
    paras: Sequence[Paragraph],
) -> dict[str, Any]:
    data: dict[str, Any] = {"k": op.kind, "a": list(op.a), "b": list(op.b)}
    if op.hunks:
        data["h"] = [
            [h.a_span.start, h.a_span.end, h.b_span.start, h.b_span.end, h.kind, h.tag]
            for h in _sorted_hunks(op)
        ]
    if op.kind == "equal" or not op.b:
        return data
    if len(op.a) == len(op.b) == 1:
        b = paras[op.b[0]]
        pieces = _rebuilt(op, rep, member, rep_paras[op.a[0]], b)
        if pieces or not op.hunks:
            data["p"] = b.span.start
            data["d"] = pieces
            return data
    data["t"] = [[paras[n].span.start, paras[n].span.slice(member.text)] for n in op.b]
    return data


def page_data(view: ClusterView, paras: Mapping[str, Sequence[Paragraph]]) -> dict[str, Any]:
    """What the page script needs: the representative once, each member's operations."""
    docs = {d.id: d for d in view.members}
    rep = docs[view.representative]
    rep_paras = paras[rep.id]
    members = []
    for alignment in view.alignments:
        member = docs[alignment.b_id]
        members.append(
            {
                "id": member.id,
                "stats": pair_stats(
                    alignment,
                    view.jaccard.get(member.id),
                    len(rep_paras),
                    len(paras[member.id]),
                ),
                "ops": [
                    _op_data(op, rep, member, rep_paras, paras[member.id]) for op in alignment.ops
                ],
            }
        )
    return {
        "cluster": view.cluster_id,
        "symbols": SYMBOLS,
        "minor": sorted(MINOR_KINDS),
        "rep": {"id": rep.id, "paras": [[p.span.start, p.span.slice(rep.text)] for p in rep_paras]},
        "members": members,
    }


# --- merged text -------------------------------------------------------------------------------

_MAX_NAMES = 8
_MAX_VARIANTS = 4


def _names(ids: Sequence[str]) -> dict[str, Any]:
    return {"shown": list(ids[:_MAX_NAMES]), "more": max(0, len(ids) - _MAX_NAMES)}


def merged_view(merged: Merged) -> dict[str, Any]:
    """The merged paragraphs with the provenance each one shows on hover or focus."""
    paragraphs = []
    for n, p in enumerate(merged.paragraphs):
        others = [v for v in p.variants if not v.chosen]
        paragraphs.append(
            {
                "n": n,
                "text": p.text,
                "kind": p.kind,
                "score": p.score,
                "member": p.chosen.member,
                "from_rep": p.chosen.member == merged.representative,
                "paragraphs": [i + 1 for i in p.chosen.paragraphs],
                "span": (p.chosen.span.start, p.chosen.span.end),
                "supporting": _names(p.supporting),
                "n_supporting": len(p.supporting),
                "absent": _names(p.absent),
                "others": [
                    {"text": v.text, "members": _names(v.members)} for v in others[:_MAX_VARIANTS]
                ],
                "more_variants": max(0, len(others) - _MAX_VARIANTS),
            }
        )
    return {
        "policy": merged.policy,
        "size": len(merged.members),
        "paragraphs": paragraphs,
        "from_others": sum(1 for p in paragraphs if not p["from_rep"]),
        "with_variants": sum(1 for p in merged.paragraphs if len(p.variants) > 1),
    }


# --- pages -------------------------------------------------------------------------------------


def cluster_page(
    view: ClusterView,
    *,
    index_href: str | None = "../index.html",
    merged_href: str | None = None,
    title: str | None = None,
    paragraphs: Mapping[str, Sequence[Paragraph]] | None = None,
) -> str:
    """The side-by-side page of one cluster (or of two documents, for ``dedupe diff``).

    The first member after the representative is rendered as HTML; the script switches to
    any other. ``paragraphs`` may give each member's paragraphs as the alignments saw them.
    """
    paras = {
        d.id: list(paragraphs[d.id])
        if paragraphs and d.id in paragraphs
        else segment(d.text, view.options)
        for d in view.members
    }
    docs = {d.id: d for d in view.members}
    rep = docs[view.representative]
    data = page_data(view, paras)
    first = view.alignments[0] if view.alignments else None
    rows = _rows(first, rep, docs[first.b_id], paras[rep.id], paras[first.b_id]) if first else []
    return _ENV.get_template("cluster.html").render(
        title=title or f"Cluster {view.cluster_id}",
        view=view,
        rep=rep,
        data=data,
        first=data["members"][0] if data["members"] else None,
        rows=rows,
        merged=merged_view(view.merged),
        index_href=index_href,
        merged_href=merged_href,
    )


def cluster_summary(view: ClusterView, href: str) -> dict[str, Any]:
    """One row of the overview's cluster table."""
    ops: Counter[str] = Counter()
    hunks: Counter[str] = Counter()
    changes = 0
    for alignment in view.alignments:
        ops.update(op.kind for op in alignment.ops if op.kind != "equal")
        hunks.update(h.kind for op in alignment.ops for h in op.hunks)
        changes += sum(1 for op in alignment.ops if row_class(op) == "r-change")
    sims = [view.jaccard[m] for m in (a.b_id for a in view.alignments) if m in view.jaccard]
    aligned = [a.similarity for a in view.alignments]
    return {
        "id": view.cluster_id,
        "href": href,
        "size": len(view.members),
        "representative": view.representative,
        "jaccard": (min(sims), max(sims)) if sims else None,
        "aligned": (min(aligned), max(aligned)) if aligned else None,
        "changes": changes,
        "kinds": [k for k in OP_KINDS if ops[k]],
        "ops": [(k, ops[k]) for k in OP_KINDS if ops[k]],
        "hunks": [(k, hunks[k]) for k in HUNK_KINDS if hunks[k]],
        "merged_paragraphs": len(view.merged.paragraphs),
    }


def index_page(summary: Mapping[str, Any], clusters: Sequence[Mapping[str, Any]]) -> str:
    """The overview of a run: its numbers, skipped inputs, and a sortable table of clusters.

    ``summary`` is :func:`dedup.report.jsonl.summary`; ``clusters`` come from
    :func:`cluster_summary`.
    """
    return _ENV.get_template("index.html").render(summary=summary, clusters=clusters)


def diff_page(
    a: Document, b: Document, alignment: Alignment, options: NormalizeOptions = DEFAULT_OPTIONS
) -> str:
    """The cluster page for two documents (``dedupe diff --format html``): A on the left.

    ``alignment`` is ``align(a, b)``. Two documents with the same id (one file name in two
    folders) are told apart as ``A: id`` and ``B: id``.
    """
    if a.id == b.id:
        a = Document(f"A: {a.id}", a.text, a.meta, a.source)
        b = Document(f"B: {b.id}", b.text, b.meta, b.source)
        alignment = replace(alignment, a_id=a.id, b_id=b.id)
    paras = {a.id: segment(a.text, options), b.id: segment(b.text, options)}
    merged = merge_collation(collate([a, b], a.id, [alignment], options, paragraphs=paras))
    view = ClusterView(f"{a.id} vs {b.id}", [a, b], a.id, [alignment], merged, options=options)
    return cluster_page(view, index_href=None, title=f"{a.id} ↔ {b.id}", paragraphs=paras)
