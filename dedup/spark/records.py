"""Report records as ``dedupe run`` writes them: the same keys, order, rounding and JSON.

Each function turns one result frame into its records; :func:`json_lines` formats them in
``mapInArrow`` with :func:`dedup.report.files.dumps`, so a JSON line written here is byte for
byte the line ``dedupe run`` writes for the same record.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa
from pyspark.sql import DataFrame

from ..report.files import dumps

__all__ = ["KEYS", "TABLES", "Table", "json_lines"]

Record = dict[str, Any]
Table = Callable[[Record], Record]

_PAIR_FLOATS = ("estimated_jaccard", "jaccard", "containment_a_in_b", "containment_b_in_a")


def _r(x: float) -> float:
    return round(x, 6)


def _pair(row: Record) -> Record:
    return {
        "a": row["a"],
        "b": row["b"],
        **{k: _r(row[k]) for k in _PAIR_FLOATS},
        "verdict": row["verdict"],
    }


def _cluster(row: Record) -> Record:
    return {
        "cluster": row["cluster"],
        "size": row["size"],
        "representative": row["representative"],
        "members": row["members"],
        "pairs": [_pair(p) for p in row["pairs"]],
    }


def _kept(row: Record) -> Record:
    record: Record = {"id": row["id"], "text": row["text"]}
    if row["cluster"] is not None:
        record["cluster"] = row["cluster"]
    meta = json.loads(row["meta"]) if row["meta"] else None
    if meta:
        record["meta"] = meta
    return record


def _removed(row: Record) -> Record:
    return {
        "id": row["id"],
        "duplicate_of": row["duplicate_of"],
        "cluster": row["cluster"],
        "jaccard_to_representative": _r(row["jaccard_to_representative"]),
        "reason": row["reason"],
        "source": row["source"],
    }


def _skipped(row: Record) -> Record:
    return {"source": row["source"], "id": row["id"], "reason": row["reason"]}


TABLES: dict[str, Table] = {
    "clusters": _cluster,
    "pairs": _pair,
    "deduplicated": _kept,
    "removed": _removed,
    "skipped": _skipped,
}
"""Report name -> record maker, for the frames of a :class:`dedup.spark.SparkResult`."""

KEYS: dict[str, tuple[str, ...]] = {
    "clusters": ("first",),
    "pairs": ("a_order", "b_order"),
    "deduplicated": ("order",),
    "removed": ("order",),
    "skipped": ("order",),
}
"""Report name -> the columns that sort it (input order), dropped from the written records."""


def json_lines(df: DataFrame, make: Table) -> DataFrame:
    """A one-column frame (``value``) of JSON lines, one per row, in the rows' order."""

    def apply(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            lines = [dumps(make(row)) for row in batch.to_pylist()]
            yield pa.RecordBatch.from_arrays([pa.array(lines, pa.string())], ["value"])

    return df.mapInArrow(apply, "value string")
