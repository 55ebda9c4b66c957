"""Split a document into paragraphs and normalize each one.

Paragraph breaks are line breaks, blank lines, and ideographic-space indents inside a line
(``……说。　　近年来……``: two or more U+3000 in one run of spaces). ASCII double spaces inside a
line never split (titles use them as separators).

Lines hard-broken in the middle of a sentence are mended back together:

- **CJK text**: a line is joined with the next non-blank line when it does not end with
  sentence-final punctuation (:data:`~dedup.normalize.SENTENCE_END`) and looks like broken body
  text rather than a heading: it ends with a clause-internal mark (``，、,``) or is long
  (:data:`LONG_LINE` characters or more) without looking like a title (the document's first
  line, or a line with spaces between its words). When the document is hard-wrapped at a fixed width
  (many lines of one length ``W``), the width alone decides: a line of length ``W - 1`` or more
  is continued whatever its last character, a shorter one ends its paragraph. A line that
  starts with an indent always starts a paragraph.
- **Space-delimited text** (English etc.): the lines of a block between blank lines form one
  paragraph (hard-wrapped prose), except that list items, indented lines and header fields
  (``Subject: ...``) start their own, and a change of e-mail quote depth (``>``) breaks.

Mending only crosses line breaks, never an ideographic-space indent.
"""

from __future__ import annotations

import array
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from .document import Paragraph, Span
from .normalize import DEFAULT_OPTIONS, SENTENCE_END, Normalized, cjk_ratio, is_cjk, normalize_many
from .options import NormalizeOptions

__all__ = [
    "CJK_SHARE",
    "CLAUSE_MARKS",
    "LONG_LINE",
    "matching_text",
    "paragraphs",
    "split_paragraphs",
]

LONG_LINE = 30
"""A CJK line at least this long that stops without sentence-final punctuation is broken
body text, not a heading (headings run to about 25 characters)."""

CJK_SHARE = 0.3
"""A document whose non-space characters are at least this share CJK is segmented as CJK."""

CLAUSE_MARKS = frozenset("，、,")
"""Marks inside a sentence: a line ending with one continues on the next line."""

END_MARKS = "□■◆◇●○★☆※ \t\u3000"
"""Symbols that close an article or a paragraph after its last sentence ("……起来”。□"): looked
past when deciding whether a line ends a sentence."""

_NEWLINE = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_HSPACE = r"[^\S\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]"
_INDENT_BREAK = re.compile(f"{_HSPACE}*\u3000{_HSPACE}*\u3000{_HSPACE}*")
_LEADING_INDENT = re.compile(r"(?:\u3000|[ \t\u00a0]{2,}|\t)")
_LIST_ITEM = re.compile(r"(?:[-*•·+]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)]|[ivxIVX]{1,4}[.)])\s")
_QUOTE = re.compile(r"(?:[ \t]*>)+")
_SPACED = re.compile(r"\S\s+\S")
_HEADER_FIELD = re.compile(r"[A-Za-z][\w-]{0,30}:\s")

# kinds of break in front of a unit
_START, _INDENT, _NEWLINE_BREAK, _BLANK = "start", "indent", "newline", "blank"


@dataclass(frozen=True, slots=True)
class _Unit:
    start: int
    end: int
    brk: str  # the break in front of this unit
    indented: bool  # its line starts with an indent


def _units(text: str) -> list[_Unit]:
    """Trimmed non-empty pieces of lines, split at ideographic indents, with the break before."""
    units: list[_Unit] = []
    pending = _START
    pos = 0
    line_ends = [(m.start(), m.end()) for m in _NEWLINE.finditer(text)] + [(len(text), len(text))]
    for line_end, next_start in line_ends:
        line = text[pos:line_end]
        indented = _LEADING_INDENT.match(line) is not None
        piece_start = 0
        pieces: list[tuple[int, int]] = []
        if "\u3000" in line:
            for m in _INDENT_BREAK.finditer(line):
                pieces.append((piece_start, m.start()))
                piece_start = m.end()
        pieces.append((piece_start, len(line)))
        seen_in_line = False
        for a, b in pieces:
            chunk = line[a:b]
            stripped = chunk.strip()
            if not stripped:
                continue
            lead = len(chunk) - len(chunk.lstrip())
            start = pos + a + lead
            brk = _INDENT if seen_in_line else pending
            units.append(_Unit(start, start + len(stripped), brk, indented or seen_in_line))
            seen_in_line = True
            pending = _NEWLINE_BREAK
        if not seen_in_line and pending != _START:
            pending = _BLANK
        pos = next_start
    return units


def _hard_wrap_width(lines: list[str]) -> int | None:
    """The width ``W`` a CJK document is hard-wrapped at, if many lines share one length.

    Verse also has lines of one length, but they end with punctuation; lines cut at a fixed
    width mostly do not.
    """
    long_enough = [line for line in lines if len(line) >= 10]
    if len(long_enough) < 3:
        return None
    width, count = Counter(len(line) for line in long_enough).most_common(1)[0]
    full = [line for line in long_enough if width - 1 <= len(line) <= width + 1]
    if count < 3 or len(full) < 0.3 * len(lines):
        return None
    punctuated = sum(1 for line in full if line[-1] in SENTENCE_END or line[-1] in CLAUSE_MARKS)
    return width if punctuated < 0.5 * len(full) else None


def _mend_cjk(line: str, nxt_unit: _Unit, width: int | None, first: bool) -> bool:
    if nxt_unit.indented:
        return False
    if width is not None:
        # Hard-wrapped: a full line continues, a shorter one ends its paragraph.
        return len(line) >= width - 1
    last = (line.rstrip(END_MARKS) or line)[-1]
    if last in SENTENCE_END:
        return False
    if last in CLAUSE_MARKS:
        return True
    # A long line is broken body text, unless it reads as a title: the document's first line,
    # or a line with spaces between its words ("强基惠民  稳边固边"), which body text lacks.
    return len(line) >= LONG_LINE and not first and _SPACED.search(line) is None


def _quote_level(line: str) -> int:
    """How deep a line is quoted in e-mail style (``> > text`` is 2)."""
    m = _QUOTE.match(line)
    return m.group().count(">") if m else 0


def _mend_spaced(line: str, nxt: str, nxt_unit: _Unit, brk: str) -> bool:
    if brk != _NEWLINE_BREAK or nxt_unit.indented:
        return False
    if _quote_level(line) != _quote_level(nxt):
        return False
    body = nxt.lstrip("> \t")
    if not body or not line.lstrip("> \t"):  # a quoted blank line (">") is a blank line
        return False
    if _LIST_ITEM.match(body):
        return False
    return not (_HEADER_FIELD.match(body) and _HEADER_FIELD.match(line.lstrip("> ")))


def _segment(text: str) -> tuple[list[Span], bool]:
    """Paragraph spans, and whether the text was read as CJK."""
    units = _units(text)
    if not units:
        return [], False
    cjk = cjk_ratio(text) >= CJK_SHARE
    width = None
    if cjk:
        whole_lines = [text[u.start : u.end] for u in units if u.brk != _INDENT]
        width = _hard_wrap_width(whole_lines)
    spans: list[Span] = []
    cur_start, cur_end = units[0].start, units[0].end
    last_line_start = units[0].start
    for u in units[1:]:
        line = text[last_line_start:cur_end]
        nxt = text[u.start : u.end]
        if u.brk == _INDENT:
            join = False
        elif cjk:
            join = _mend_cjk(line, u, width, first=last_line_start == units[0].start)
        else:
            join = _mend_spaced(line, nxt, u, u.brk)
        if join:
            cur_end = u.end
        else:
            spans.append(Span(cur_start, cur_end))
            cur_start, cur_end = u.start, u.end
        last_line_start = u.start
    spans.append(Span(cur_start, cur_end))
    return spans, cjk


def split_paragraphs(text: str) -> list[Span]:
    """Paragraph spans in the original text: trimmed, non-empty, in order, non-overlapping.

    >>> t = "第一段。\\u3000\\u3000第二段很长但是被硬换行在句子中间了，\\n接着写完。"
    >>> [s.slice(t) for s in split_paragraphs(t)]
    ['第一段。', '第二段很长但是被硬换行在句子中间了，\\n接着写完。']
    """
    return _segment(text)[0]


def paragraphs(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> list[Paragraph]:
    """Split ``text`` into paragraphs and normalize each (offsets absolute in ``text``).

    Paragraphs whose normalized text is empty are dropped; ``index`` counts the kept ones.

    >>> [p.text for p in paragraphs("臺灣。\\n\\nＡＢＣ")]
    ['台湾.', 'abc']
    """
    spans, cjk = _segment(text)
    normalized = normalize_many(
        [s.slice(text) for s in spans], options, bases=[s.start for s in spans]
    )
    out: list[Paragraph] = []
    for span, n in zip(spans, normalized, strict=True):
        if cjk and " " in n.text:
            n = _drop_mended_breaks(n, text)
        if n.text:
            out.append(Paragraph(len(out), span, n.text, n.starts, n.ends))
    return out


def _drop_mended_breaks(n: Normalized, text: str) -> Normalized:
    """Remove the spaces that stand for a mended line break in CJK text ("20\\n11" is "2011").

    A break between two letters of a space-delimited script stays a space ("members\\nand").
    """
    drop: list[int] = []
    i = n.text.find(" ")
    while i != -1:
        before, after = n.text[i - 1 : i], n.text[i + 1 : i + 2]
        words = before.isalpha() and after.isalpha() and not (is_cjk(before) or is_cjk(after))
        if not words and _NEWLINE.search(text, n.starts[i], n.ends[i]) is not None:
            drop.append(i)
        i = n.text.find(" ", i + 1)
    if not drop:
        return n
    dropped = set(drop)
    keep = [k for k in range(len(n.text)) if k not in dropped]
    return Normalized(
        "".join(n.text[k] for k in keep),
        array.array("q", (n.starts[k] for k in keep)),
        array.array("q", (n.ends[k] for k in keep)),
    )


def matching_text(paragraphs: Sequence[Paragraph]) -> str:
    """The normalized paragraph texts joined by newlines: what a document is matched on.

    >>> matching_text(paragraphs("一。\\n二。"))
    '一.\\n二.'
    """
    return "\n".join(p.text for p in paragraphs)
