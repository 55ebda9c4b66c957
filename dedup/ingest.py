"""One part of the input made ready for matching, in whichever process signs it: JSON lines
parsed, documents stored, signatures computed and shingle sets (64-bit hashes: see
:mod:`dedup.exact`) written.

A run's input comes in parts (:data:`InputPart`): documents already read, or a
:class:`~dedup.io.LineBlock` of JSON lines still to parse. :func:`ingest` does everything a
part needs that does not depend on the other parts, so that it runs on every core; the
calling process only keeps the bookkeeping (ids in order, repeated ids, where things are).

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     part = ingest([Document("a", "一二三四五六")], Options(), tmp)
>>> part.items, part.signatures.shape
(['a'], (1, 128))
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .document import Document, Skipped
from .exact import exact_batch
from .io import LineBlock, cut_message, parse_lines
from .options import Options
from .spill import append_documents, append_sets

__all__ = ["IngestedPart", "InputPart", "ingest"]

InputPart = list[Document | Skipped] | LineBlock
"""Documents (and skipped inputs) read already, or JSON lines still to be parsed."""


@dataclass(frozen=True, slots=True)
class IngestedPart:
    """What :func:`ingest` made of one part; the arrays have one row per stored document."""

    items: list[Skipped | str]
    """The part's inputs in order: a skipped input, or the id of a stored document."""
    signatures: npt.NDArray[np.uint32]
    lengths: npt.NDArray[np.int64]
    store_path: str
    store_offsets: npt.NDArray[np.int64]
    store_sizes: npt.NDArray[np.int32]
    """``(n, 3)``: byte lengths of each document's text, meta and source."""
    hash_path: str
    hash_offsets: npt.NDArray[np.int64]
    hash_counts: npt.NDArray[np.int64]
    """Size of each document's shingle set."""
    cut: list[tuple[int, str]]
    """``(document row, what to log)`` of the documents the reader cut to ``max_chars``."""


def ingest(part: InputPart, options: Options, folder: str) -> IngestedPart:
    """Parse (if needed), store and sign ``part``; files are written in ``folder``, one of each
    kind per process."""
    items = parse_lines(part) if isinstance(part, LineBlock) else part
    docs = [item for item in items if isinstance(item, Document)]
    pid = os.getpid()
    store_path = os.path.join(folder, f"documents-{pid}.bin")
    store_offsets, store_sizes = append_documents(store_path, docs)
    batch = exact_batch([doc.text for doc in docs], options)
    hash_path = os.path.join(folder, f"hashes-{pid}.bin")
    hash_offset, counts = append_sets(hash_path, batch.exact, batch.counts)
    hash_offsets = np.zeros(len(docs), dtype=np.int64)
    if len(docs):
        np.cumsum(8 * counts[:-1], out=hash_offsets[1:])
    return IngestedPart(
        items=[item if isinstance(item, Skipped) else item.id for item in items],
        signatures=batch.signatures,
        lengths=batch.lengths,
        store_path=store_path,
        store_offsets=store_offsets,
        store_sizes=store_sizes,
        hash_path=hash_path,
        hash_offsets=hash_offsets + hash_offset,
        hash_counts=counts,
        cut=[
            (row, cut_message(doc)) for row, doc in enumerate(docs) if "original_chars" in doc.meta
        ],
    )
