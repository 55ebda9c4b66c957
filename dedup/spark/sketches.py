"""Shingle sets and MinHash signatures of every document, in ``mapInPandas``.

The same :func:`dedup.sketch.sketch` (or ``sketch_many`` where it exists) that ``dedupe run``
calls, with the same options, so signatures are equal bit for bit. Shingles and signatures
travel as little-endian uint32 bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame

from .. import sketch as sketching
from ..options import Options

__all__ = ["SKETCHES", "from_bytes", "sketches", "to_bytes"]

SKETCHES = "order long, id string, length int, shingles binary, signature binary"
"""Schema of the sketch frame: one row per document."""


def to_bytes(values: np.ndarray) -> bytes:
    """uint32 values as little-endian bytes (the column format of shingles and signatures)."""
    return np.ascontiguousarray(values, dtype="<u4").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    """The uint32 array stored by :func:`to_bytes`."""
    return np.frombuffer(data, dtype="<u4").astype(np.uint32, copy=False)


def _sketch_all(options: Options) -> Callable[[Sequence[str]], list[sketching.Sketch]]:
    many = getattr(sketching, "sketch_many", None)
    if many is not None:
        return lambda texts: list(many(texts, options))
    return lambda texts: [sketching.sketch(t, options) for t in texts]


def sketches(documents: DataFrame, options: Options) -> DataFrame:
    """One row per document: ``order, id, length`` (normalized characters), ``shingles`` and
    ``signature`` (uint32 bytes, see :func:`from_bytes`).

    >>> sketches(documents, Options()).columns  # doctest: +SKIP
    ['order', 'id', 'length', 'shingles', 'signature']
    """

    def apply(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        sketch_all = _sketch_all(options)
        for batch in batches:
            done = sketch_all(batch["text"].tolist())
            yield pd.DataFrame(
                {
                    "order": batch["order"],
                    "id": batch["id"],
                    "length": pd.Series([s.length for s in done], dtype="int32"),
                    "shingles": [to_bytes(s.shingles) for s in done],
                    "signature": [to_bytes(s.signature) for s in done],
                }
            )

    return documents.select("order", "id", "text").mapInPandas(apply, SKETCHES)
