"""A unified diff by paragraph, in the original text, with every real edit pinpointed.

The layout, one block per operation of the alignment (paragraph numbers count from 1)::

    --- A-id
    +++ B-id
    # similarity 0.975: 1 equal, 1 variant, 1 edit, 1 delete
      text of an equal paragraph
    @@ variant A2 = B1 (minor: width 1) @@
    ~-text of A2，as in A
    ~+text of B1,as in B
    @@ edit A3 = B2 score 0.950 (hunks: width 1, text 1) @@
    *the text once{~，~>,~}with the [-old-]{+new+} words marked
    @@ delete A1 @@
    -text of A1

``equal`` paragraphs are context lines (two spaces). Every other operation has a header
naming its kind, its paragraphs and its hunks, then its text:

* An operation with both sides and a real edit (a ``text`` hunk: every ``edit``, and the
  ``split``, ``merge`` and ``move`` operations that have one) is a word diff, like
  ``git diff --word-diff=plain``: lines starting with ``*`` hold the text once, each real
  edit marked ``[-A text-]{+B text+}`` (``[-...-]`` alone for a deletion, ``{+...+}`` alone
  for an insertion) and each minor difference ``{~A text~>B text~}`` (CriticMarkup's
  substitution), paragraph breaks and indents that a ``split``/``merge`` moved included.
  A text spanning several lines gives several ``*`` lines.
* Any other operation shows its A text (``-`` lines) then its B text (``+`` lines). Lines of
  ``variant`` operations, and of ``split``/``merge`` without a ``text`` hunk, start with
  ``~``: they differ only in minor ways (width, punctuation, traditional/simplified,
  whitespace, layout), which the header counts.

Document text is shown through :func:`visible`, piece by piece, so controls and bidi
overrides in a document come out as escapes while the colours of this module do not. The
markers are not escaped: a document that itself holds ``[-``, ``{+`` or ``{~`` reads
ambiguously, as with git's word diff; ``dedupe diff --format json`` is exact.

With ``color=True`` the same text is coloured: the ``-`` signs and deletions red, the ``+``
signs and insertions green (the edited characters in reverse video), minor differences
yellow and underlined (their markers yellow), headers cyan. The word diff is kept on a
terminal too: the text once, and the edit marked even for a reader who cannot tell red from
green. Without the colour codes the output is exactly the plain one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any, TypeAlias

import click
from rapidfuzz.distance import Indel

from ..align.types import HUNK_KINDS, OP_KINDS, Alignment, Op, alignment_to_dict
from ..document import Document, Span
from ..textsafe import visible, visible_id  # re-exported; light, for the command line

__all__ = ["alignment_to_dict", "render_unified", "visible", "visible_id"]


# How each part of a line is coloured (click.style arguments), by role: the signs of the
# A side ("-"), the B side ("+") and of minor differences ("~"), and the differing text.
_PAINT: dict[str, dict[str, Any]] = {
    "-": {"fg": "red"},
    "+": {"fg": "green"},
    "~": {"fg": "yellow"},
    "old": {"fg": "red", "bold": True, "reverse": True},
    "new": {"fg": "green", "bold": True, "reverse": True},
    "minor": {"fg": "yellow", "underline": True},
}

# A piece of a diff line: text already made visible, and its role in _PAINT (None: plain).
_Fragment: TypeAlias = tuple[str, str | None]


def _numbers(side: str, indices: tuple[int, ...]) -> str:
    if not indices:
        return ""
    if len(indices) == 1:
        return f"{side}{indices[0] + 1}"
    return f"{side}{indices[0] + 1}-{indices[-1] + 1}"


def _hunk_summary(op: Op) -> str:
    found = Counter(h.kind for h in op.hunks)
    parts = [f"{kind} {found[kind]}" for kind in HUNK_KINDS if found[kind]]
    if not parts:
        return ""
    label = "minor" if not op.has_text_hunk else "hunks"
    return f" ({label}: {', '.join(parts)})"


def _header(op: Op) -> str:
    a, b = _numbers("A", op.a), _numbers("B", op.b)
    if op.kind == "delete":
        where = a
    elif op.kind == "insert":
        where = b
    else:
        link = " -> " if op.kind == "move" else " = "
        where = f"{a}{link}{b}"
    score = f" score {op.score:.3f}" if op.kind in ("edit", "split", "merge", "move") else ""
    return f"@@ {op.kind} {where}{score}{_hunk_summary(op)} @@"


def _shown(text: str, start: int, end: int, *, changed: bool = False) -> str:
    """:func:`visible` of ``text[start:end]``, cut out of its document before any colouring.

    A carriage return whose newline follows the piece ends a CRLF line and is dropped, as
    :func:`visible` drops it; not in a piece that is a difference (``changed``), which would
    otherwise show empty.
    """
    piece = text[start:end]
    if not changed and piece.endswith("\r") and text.startswith("\n", end):
        piece = piece[:-1]
    return visible(piece)


def _change(old: str, new: str, kind: str) -> list[_Fragment]:
    """One difference, marked: ``[-old-]{+new+}`` for a real edit, else ``{~old~>new~}``."""
    if kind != "text":
        return [("{~", "~"), (old, "minor"), ("~>", "~"), (new, "minor"), ("~}", "~")]
    out: list[_Fragment] = []
    if old:
        out += [("[-", "-"), (old, "old"), ("-]", "-")]
    if new:
        out += [("{+", "+"), (new, "new"), ("+}", "+")]
    return out


def _between(a_text: str, a: Span, b_text: str, b: Span) -> list[_Fragment]:
    """The text between two hunks (or an op's edge and a hunk), once.

    It is the same on both sides but for the line breaks and indents between the paragraphs
    of a split or merge, which belong to no hunk: those are marked as minor differences.
    """
    x, y = a.slice(a_text), b.slice(b_text)
    if x == y:
        return [(_shown(a_text, a.start, a.end), None)]
    out: list[_Fragment] = []
    for o in Indel.opcodes(x, y):
        i0, i1 = a.start + o.src_start, a.start + o.src_end
        if o.tag == "equal":
            out.append((_shown(a_text, i0, i1), None))
        else:
            j0, j1 = b.start + o.dest_start, b.start + o.dest_end
            old = _shown(a_text, i0, i1, changed=True)
            out += _change(old, _shown(b_text, j0, j1, changed=True), "layout")
    return out


def _word_diff(op: Op, a_text: str, b_text: str) -> list[_Fragment]:
    """Both sides of ``op`` as one text, every hunk marked with :func:`_change`."""
    assert op.a_span is not None and op.b_span is not None
    a_end, b_end = op.a_span.end, op.b_span.end
    out: list[_Fragment] = []
    pa, pb = op.a_span.start, op.b_span.start
    for h in sorted(op.hunks, key=lambda h: (h.a_span.start, h.b_span.start, len(h.a_span))):
        sa, sb = h.a_span, h.b_span
        # Skip what cannot be placed in order: overlaps, spans outside the op, nothing at all.
        if sa.start < pa or sb.start < pb or sa.end > a_end or sb.end > b_end:
            continue
        if not len(sa) and not len(sb):
            continue
        out += _between(a_text, Span(pa, sa.start), b_text, Span(pb, sb.start))
        old = _shown(a_text, sa.start, sa.end, changed=True)
        out += _change(old, _shown(b_text, sb.start, sb.end, changed=True), h.kind)
        pa, pb = sa.end, sb.end
    out += _between(a_text, Span(pa, a_end), b_text, Span(pb, b_end))
    return out


def _one_side(
    text: str, span: Span, hunks: Iterable[tuple[Span, str]], new: bool
) -> list[_Fragment]:
    """``text[span]`` with the given sub-spans marked (text edits by side, else minor)."""
    edit = "new" if new else "old"
    out: list[_Fragment] = []
    pos = span.start
    for sub, kind in sorted(hunks, key=lambda h: (h[0].start, h[0].end)):
        if sub.start < pos or sub.end > span.end or not len(sub):
            continue
        out.append((_shown(text, pos, sub.start), None))
        shown = _shown(text, sub.start, sub.end, changed=True)
        out.append((shown, edit if kind == "text" else "minor"))
        pos = sub.end
    out.append((_shown(text, pos, span.end), None))
    return out


def _lines(prefix: str, fragments: Iterable[_Fragment], color: bool, sign: str = "") -> list[str]:
    """Fragments cut into diff lines, each starting with ``prefix`` (coloured as ``sign``).

    Each line's share of a fragment is coloured on its own, so no colour runs on into the
    next line's prefix.
    """
    if color and sign:
        prefix = click.style(prefix, **_PAINT[sign])
    lines: list[str] = []
    line: list[str] = []
    for text, role in fragments:
        for k, part in enumerate(text.split("\n")):
            if k:
                lines.append(prefix + "".join(line))
                line = []
            if part:
                line.append(click.style(part, **_PAINT[role]) if color and role else part)
    lines.append(prefix + "".join(line))
    return lines


def _summary(alignment: Alignment) -> str:
    counts = alignment.counts
    parts = [f"{counts[kind]} {kind}" for kind in OP_KINDS if counts[kind]]
    return f"# similarity {alignment.similarity:.3f}: {', '.join(parts) or 'no paragraphs'}"


def render_unified(
    alignment: Alignment, a_doc: Document, b_doc: Document, *, color: bool = False
) -> str:
    """The alignment as a unified diff by paragraph, in the original text of both documents.

    >>> from dedup.align import align
    >>> a = Document("a", "标题\\n第一段，文字。\\n今年五月，天气很好。")
    >>> b = Document("b", "第一段,文字。\\n今年八月,天气很好。")
    >>> print(render_unified(align(a, b), a, b))
    --- a
    +++ b
    # similarity 0.889: 1 variant, 1 edit, 1 delete
    @@ delete A1 @@
    -标题
    @@ variant A2 = B1 (minor: width 1) @@
    ~-第一段，文字。
    ~+第一段,文字。
    @@ edit A3 = B2 score 0.900 (hunks: width 1, text 1) @@
    *今年[-五-]{+八+}月{~，~>,~}天气很好。
    <BLANKLINE>
    """
    lines = [
        f"--- {visible_id(alignment.a_id)}",
        f"+++ {visible_id(alignment.b_id)}",
        _summary(alignment),
    ]
    if color:
        lines = [click.style(line, bold=True) for line in lines]
    a_text, b_text = a_doc.text, b_doc.text
    for op in alignment.ops:
        if op.kind == "equal":
            assert op.a_span is not None
            lines += _lines("  ", [(_shown(a_text, op.a_span.start, op.a_span.end), None)], color)
            continue
        header = _header(op)
        lines.append(click.style(header, fg="cyan") if color else header)
        if op.a_span is not None and op.b_span is not None and op.has_text_hunk:
            lines += _lines("*", _word_diff(op, a_text, b_text), color)
            continue
        # Past the word diff no text hunk is left: these differ only in minor ways.
        mark = "~" if op.kind in ("variant", "split", "merge") else ""
        if op.a_span is not None:
            a_hunks = [(h.a_span, h.kind) for h in op.hunks]
            lines += _lines(mark + "-", _one_side(a_text, op.a_span, a_hunks, False), color, "-")
        if op.b_span is not None:
            b_hunks = [(h.b_span, h.kind) for h in op.hunks]
            lines += _lines(mark + "+", _one_side(b_text, op.b_span, b_hunks, True), color, "+")
    return "\n".join(lines) + "\n"
