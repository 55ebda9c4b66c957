"""Text from the data made safe to show on a terminal: what would act on it becomes an escape.

A document, an id or a file name can hold characters that act on the terminal showing them
instead of being shown: C0 and C1 controls (an escape sequence that clears the screen or
retitles the window, a bell, a carriage return that overwrites the start of the line), bidi
controls that reorder what the reader sees (U+202E makes ``txt.exe`` read ``exe.txt``), and
lone surrogates (an undecodable file name) that cannot even be encoded for output. Every
command shows such text through :func:`visible` or :func:`visible_id`; JSON output writes the
same characters as ``\\u`` escapes (:func:`dedup.cli.output.json_dumps`).

Light on purpose (only :mod:`re`): the command line imports it without loading the aligner.

>>> print(visible_id("a\\x1b[2J\\u202eb"))
a\\x1b[2J\\u202eb
"""

from __future__ import annotations

import re

__all__ = ["UNSAFE", "visible", "visible_id"]

# Bidi controls: embeddings and overrides, isolates, and the three invisible marks.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_SURROGATES = "\ud800-\udfff"

UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}{_SURROGATES}]")
"""What :func:`visible` escapes: every control but tab and newline, bidi controls and lone
surrogates. None of them can stand outside a string in JSON, so JSON text can be passed
through it too (its newlines and indents are kept)."""

_UNSAFE_ID = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI}{_SURROGATES}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` safe to print on a terminal: controls and bidi controls shown as escapes.

    A carriage return before a newline (CRLF files) is dropped; tabs and newlines stay.

    >>> print(visible("a\\x1b[2Jb\\r\\nc"))
    a\\x1b[2Jb
    c
    """
    return UNSAFE.sub(_escape, text.replace("\r\n", "\n"))


def visible_id(doc_id: str) -> str:
    """A document id (or a path) on one line: line breaks, controls and bidi controls as escapes.

    >>> print(visible_id("new\\nline"))
    new\\x0aline
    """
    return _UNSAFE_ID.sub(_escape, doc_id)
