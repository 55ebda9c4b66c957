"""The document frame every step reads, and small DataFrame helpers the steps share.

A *document frame* has exactly the columns of :data:`DOCUMENTS`: ``order`` (a long that sorts
rows in input order; unique, not necessarily dense), ``id``, ``text``, ``meta`` (the other fields
of the record as a JSON object, or null), ``source`` (where the record came from) and ``reason``
(null for a document, the reason for an input that was skipped).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pandas as pd
from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from ..errors import ConfigError
from ..options import ReadOptions

__all__ = [
    "DOCUMENTS",
    "is_document_frame",
    "materialize",
    "number_rows",
    "prepare",
    "split_skipped",
]

log = logging.getLogger(__name__)

DOCUMENTS = T.StructType(
    [
        T.StructField("order", T.LongType(), False),
        T.StructField("id", T.StringType(), True),
        T.StructField("text", T.StringType(), True),
        T.StructField("meta", T.StringType(), True),
        T.StructField("source", T.StringType(), True),
        T.StructField("reason", T.StringType(), True),
    ]
)
"""Schema of a document frame (what :func:`dedup.spark.read` returns)."""

_ROW_BITS = 33  # monotonically_increasing_id(): partition index << 33 | row within partition


def is_document_frame(df: DataFrame) -> bool:
    """Whether ``df`` already has the document-frame columns and types."""
    return [(f.name, f.dataType) for f in df.schema.fields] == [
        (f.name, f.dataType) for f in DOCUMENTS.fields
    ]


def prepare(df: DataFrame, options: ReadOptions, order: str | None = None) -> DataFrame:
    """A document frame from any DataFrame with an id and a text column.

    ``order`` names a unique integer column giving input order; without it the frame's own
    row order is used (``monotonically_increasing_id``), so the input must be deterministic,
    as files are. Every other column is carried as ``meta``. Rows whose text is null are
    skipped with the reason; so are rows without an id.
    """
    if is_document_frame(df):
        return df
    columns = df.columns
    for name, flag in ((options.text_field, "text_field"), (options.id_field, "id_field")):
        if name not in columns:
            raise ConfigError(
                f"the DataFrame has no column {name!r} (columns: {', '.join(columns)}); "
                f"set ReadOptions({flag}=...) to the right one"
            )
    text_type = df.schema[options.text_field].dataType
    if not isinstance(text_type, T.StringType):
        raise ConfigError(
            f"column {options.text_field!r} holds {text_type.simpleString()}, not strings"
        )
    if order is not None and order not in columns:
        raise ConfigError(f"the DataFrame has no order column {order!r}")
    taken = {options.text_field, options.id_field, order}
    others = [c for c in columns if c not in taken]
    meta: Column = (
        F.to_json(F.struct(*[F.col(f"`{c}`") for c in others]), {"ignoreNullFields": "false"})
        if others
        else F.lit(None).cast("string")
    )
    doc_id = F.col(f"`{options.id_field}`").cast("string")
    text = F.col(f"`{options.text_field}`")
    reason = (
        F.when(text.isNull(), F.lit(f"field {options.text_field!r} is null"))
        .when(
            doc_id.isNull() | (doc_id == ""), F.lit(f"no id (field {options.id_field!r} is empty)")
        )
        .otherwise(F.lit(None).cast("string"))
    )
    order_col = (
        F.col(f"`{order}`").cast("long") if order is not None else F.monotonically_increasing_id()
    )
    return df.select(
        order_col.alias("order"),
        doc_id.alias("id"),
        text.alias("text"),
        meta.alias("meta"),
        F.lit("").alias("source"),
        reason.alias("reason"),
    )


def split_skipped(docs: DataFrame) -> tuple[DataFrame, DataFrame]:
    """``(documents, skipped)``: readable documents with unique ids, and everything skipped.

    A repeated id keeps its first occurrence in input order; later ones are skipped with the
    same reason ``dedupe run`` gives. ``skipped`` has ``order, source, id, reason``.
    """
    readable = docs.where(F.col("reason").isNull())
    by_id = Window.partitionBy("id").orderBy("order")
    repeats = (
        readable.select("order", "id", "source")
        .withColumn("n", F.row_number().over(by_id))
        .withColumn("first", F.first("source").over(by_id))
        .where(F.col("n") > 1)
        .select("order", "id", "source", "first")
        .mapInPandas(_repeat_reasons, "order long, source string, id string, reason string")
    )
    documents = readable.join(repeats.select("order"), "order", "left_anti")
    skipped = docs.where(F.col("reason").isNotNull()).select("order", "source", "id", "reason")
    return documents, skipped.unionByName(repeats)


def _repeat_reasons(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """The skip record of a repeated id, worded as :func:`dedup.pipeline.run` words it."""
    for batch in batches:
        yield pd.DataFrame(
            {
                "order": batch["order"],
                "source": [s or i for s, i in zip(batch["source"], batch["id"], strict=True)],
                "id": batch["id"],
                "reason": [
                    f"duplicate id {i!r} (first seen in {f or 'an earlier input'})"
                    for i, f in zip(batch["id"], batch["first"], strict=True)
                ],
            }
        )


def materialize(df: DataFrame) -> DataFrame:
    """Compute ``df`` now and cut its lineage: a reliable checkpoint when the context has a
    checkpoint directory (set one on clusters that lose executors), a local one otherwise."""
    if df.sparkSession.sparkContext.getCheckpointDir():
        return df.checkpoint(eager=True)
    return df.localCheckpoint(eager=True)


def number_rows(df: DataFrame, key: str, name: str) -> tuple[DataFrame, int]:
    """``df`` with column ``name``: 1, 2, ... in ascending order of the unique column ``key``;
    and the number of rows.

    A global row number without pulling every row into one partition: sort, count each sorted
    partition, and add the partition's offset (the counts, one per partition, go to the driver).
    """
    spark: SparkSession = df.sparkSession
    ordered = materialize(df.orderBy(key).withColumn("_mid", F.monotonically_increasing_id()))
    part = F.shiftright(F.col("_mid"), _ROW_BITS)
    counts = sorted(
        (row["p"], row["n"])
        for row in ordered.groupBy(part.alias("p")).agg(F.count("*").alias("n")).collect()
    )
    offsets, total = [], 0
    for p, n in counts:
        offsets.append((p, total))
        total += n
    table = spark.createDataFrame(offsets or [(0, 0)], "p long, offset long")
    within = F.col("_mid") - F.shiftleft(F.col("p"), _ROW_BITS)
    numbered = (
        ordered.withColumn("p", part)
        .join(F.broadcast(table), "p")
        .withColumn(name, F.col("offset") + within + 1)
        .drop("p", "offset", "_mid")
    )
    return numbered, total
