"""A unified diff by paragraph, in the original text, with character highlights on a terminal.

The layout, one block per operation of the alignment (paragraph numbers count from 1)::

    --- A-id
    +++ B-id
    # similarity 0.993: 22 variant, 1 delete
      text of an equal paragraph
    @@ variant A2 = B1 (minor: width 3) @@
    ~-text of A2
    ~+text of B1
    @@ delete A1 @@
    -text of A1

``equal`` paragraphs are context lines (two spaces). Every other operation has a header
naming its kind, its paragraphs and its hunks, then its A text (``-``) and B text (``+``);
lines of ``variant`` operations, and of ``split``/``merge`` without a ``text`` hunk, start with
``~``: they differ only in minor ways (width, punctuation, traditional/simplified,
whitespace, layout). With ``color=True`` the text hunks are shown in red (A) and green (B),
minor hunks in yellow, headers in cyan.
"""

from __future__ import annotations

import re
from collections import Counter

import click

from ..align.types import HUNK_KINDS, OP_KINDS, Alignment, Op, alignment_to_dict
from ..document import Document, Span

__all__ = ["alignment_to_dict", "render_unified", "visible", "visible_id"]


# Characters that would act on a terminal or forge diff lines when printed raw: C0/C1 controls
# (escape sequences, carriage return, NUL), and bidi overrides and isolates, which reorder
# what a reader sees. Tab and the newline that ends a diff line stay as they are.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_ID = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` safe to print on a terminal: controls and bidi overrides shown as escapes.

    A carriage return before a newline (CRLF files) is dropped; tabs and newlines stay.

    >>> print(visible("a\\x1b[2Jb\\r\\nc"))
    a\\x1b[2Jb
    c
    """
    return _UNSAFE.sub(_escape, text.replace("\r\n", "\n"))


def visible_id(doc_id: str) -> str:
    """A document id on one line: line breaks, controls and bidi overrides as escapes.

    >>> print(visible_id("new\\nline"))
    new\\x0aline
    """
    return _UNSAFE_ID.sub(_escape, doc_id)


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


def _styled(text: str, span: Span, hunks: list[tuple[Span, str]], fg: str) -> str:
    """``text[span]`` with the given sub-spans coloured (``fg`` for text, yellow for minor)."""
    out: list[str] = []
    pos = span.start
    for sub, kind in sorted(hunks, key=lambda h: (h[0].start, h[0].end)):
        if sub.start < pos or not len(sub):
            continue
        out.append(text[pos : sub.start])
        piece = text[sub.start : sub.end]
        if kind == "text":
            out.append(click.style(piece, fg=fg, bold=True, reverse=True))
        else:
            out.append(click.style(piece, fg="yellow", underline=True))
        pos = sub.end
    out.append(text[pos : span.end])
    return "".join(out)


def _lines(prefix: str, body: str) -> list[str]:
    return [prefix + line for line in visible(body).split("\n")]


def _side(
    doc: Document,
    span: Span | None,
    hunks: list[tuple[Span, str]],
    prefix: str,
    fg: str,
    color: bool,
) -> list[str]:
    if span is None:
        return []
    body = _styled(doc.text, span, hunks, fg) if color else span.slice(doc.text)
    style_prefix = click.style(prefix, fg=fg) if color else prefix
    return _lines(style_prefix, body)


def _summary(alignment: Alignment) -> str:
    counts = alignment.counts
    parts = [f"{counts[kind]} {kind}" for kind in OP_KINDS if counts[kind]]
    return f"# similarity {alignment.similarity:.3f}: {', '.join(parts) or 'no paragraphs'}"


def render_unified(
    alignment: Alignment, a_doc: Document, b_doc: Document, *, color: bool = False
) -> str:
    """The alignment as a unified diff by paragraph, in the original text of both documents.

    >>> from dedup.align import align
    >>> a, b = Document("a", "标题\\n第一段，文字。"), Document("b", "第一段,文字。")
    >>> print(render_unified(align(a, b), a, b))
    --- a
    +++ b
    # similarity 0.875: 1 variant, 1 delete
    @@ delete A1 @@
    -标题
    @@ variant A2 = B1 (minor: width 1) @@
    ~-第一段，文字。
    ~+第一段,文字。
    <BLANKLINE>
    """
    lines = [
        f"--- {visible_id(alignment.a_id)}",
        f"+++ {visible_id(alignment.b_id)}",
        _summary(alignment),
    ]
    if color:
        lines = [click.style(line, bold=True) for line in lines]
    for op in alignment.ops:
        if op.kind == "equal":
            assert op.a_span is not None
            lines.extend(_lines("  ", op.a_span.slice(a_doc.text)))
            continue
        header = _header(op)
        lines.append(click.style(header, fg="cyan") if color else header)
        minor = op.kind in ("variant", "split", "merge") and not op.has_text_hunk
        mark = "~" if minor else ""
        a_hunks = [(h.a_span, h.kind) for h in op.hunks]
        b_hunks = [(h.b_span, h.kind) for h in op.hunks]
        lines.extend(_side(a_doc, op.a_span, a_hunks, mark + "-", "red", color))
        lines.extend(_side(b_doc, op.b_span, b_hunks, mark + "+", "green", color))
    return "\n".join(lines) + "\n"
