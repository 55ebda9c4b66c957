"""The plain data types every stage shares: documents, spans, paragraphs, skipped inputs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range ``[start, end)`` in a document's ORIGINAL text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad span [{self.start}, {self.end})")

    def __len__(self) -> int:
        return self.end - self.start

    def slice(self, text: str) -> str:
        """The substring of ``text`` this span covers."""
        return text[self.start : self.end]


@dataclass(slots=True)
class Document:
    """One input document.

    ``id`` is unique within a run; ``text`` is the original text, never modified;
    ``meta`` keeps every other field the reader found (JSONL/CSV/Parquet columns), and
    ``source`` says where the document came from (``file`` or ``file:line``) for messages.

    The readers give ``meta`` as values that strict JSON (RFC 8259) can write: a number it
    cannot hold is kept as a string of its literal, ``"NaN"``, ``"Infinity"``,
    ``"-Infinity"``, ``"1e400"`` (from a JSON input, as written there; from a Parquet float,
    its JSON name), or the digits of an integer longer than Python converts (4300 digits);
    ``float()`` or ``int()`` of it gives the number back.
    """

    id: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    source: str = ""


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input that could not become a :class:`Document`, with the reason.

    ``source`` names the place (``path`` or ``path:line``); ``id`` is set when known.
    """

    source: str
    reason: str
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph of a document.

    ``span`` covers the paragraph in the original text. ``text`` is its normalized form
    (what matching and alignment compare); ``starts[i]``/``ends[i]`` give the original
    range that produced normalized character ``i`` (absolute offsets in the document; compact
    ``array('q')`` in practice).
    """

    index: int
    span: Span
    text: str
    starts: Sequence[int]
    ends: Sequence[int]

    def original_span(self, i: int, j: int) -> Span:
        """Original-text span of normalized characters ``[i, j)`` of this paragraph.

        An empty range maps to an empty span at the position it stands in.
        """
        if not 0 <= i <= j <= len(self.text):
            raise ValueError(f"range [{i}, {j}) outside paragraph of {len(self.text)} chars")
        if i == j:
            if i < len(self.text):
                pos = self.starts[i]
            elif self.text:
                pos = self.ends[-1]
            else:
                pos = self.span.start
            return Span(pos, pos)
        return Span(self.starts[i], self.ends[j - 1])
