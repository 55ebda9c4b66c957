"""From verified pairs to clusters: components, representatives, cluster ids, removed and kept.

The rules are :mod:`dedup.pipeline`'s: a cluster is a connected component of the accepted pairs;
its representative is the member with the longest normalized text, ties to the smallest id; its
members and pairs are listed in input order; clusters are numbered ``c0001``... in order of their
first member, with at least four digits.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from ..cluster import CONTAINED, DUPLICATE, REJECTED, overlap
from .components import connected_components
from .frames import materialize, number_rows
from .sketches import from_bytes

__all__ = ["Clusters", "cluster"]

_PAIR_FIELDS = (
    "estimated_jaccard",
    "jaccard",
    "containment_a_in_b",
    "containment_b_in_a",
    "verdict",
)


@dataclass(frozen=True)
class Clusters:
    """The frames a clustering yields (column order is the record order of the reports)."""

    pairs: DataFrame
    """``a_order, b_order, a, b, estimated_jaccard, ..., verdict``: every verified pair."""
    membership: DataFrame
    """``order, id, cluster, representative, representative_order``: one row per member."""
    clusters: DataFrame
    """``first, cluster, size, representative, members, pairs``: one row per cluster."""
    removed: DataFrame
    """``order, id, duplicate_of, cluster, jaccard_to_representative, reason, source``."""
    deduplicated: DataFrame
    """``order, id, text, cluster, meta``: the kept documents (cluster null for singletons)."""
    count: int
    """Number of clusters."""


def _named_pairs(pairs: DataFrame, signatures: DataFrame) -> DataFrame:
    ids = signatures.select("order", "id")
    return (
        pairs.join(ids.toDF("a", "a_id"), "a")
        .join(ids.toDF("b", "b_id"), "b")
        .select(
            F.col("a").alias("a_order"),
            F.col("b").alias("b_order"),
            F.col("a_id").alias("a"),
            F.col("b_id").alias("b"),
            *_PAIR_FIELDS,
        )
    )


def _similarity_to_representative(removed: DataFrame, sketches: DataFrame) -> DataFrame:
    """``order, jaccard_to_representative`` from the exact shingle sets of both."""
    sets = sketches.select("order", "shingles")
    joined = (
        removed.select("order", "representative_order")
        .join(sets, "order")
        .join(sets.toDF("representative_order", "rep_shingles"), "representative_order")
    )

    def apply(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            yield pd.DataFrame(
                {
                    "order": batch["order"],
                    "jaccard_to_representative": [
                        overlap(from_bytes(m), from_bytes(r))[0]
                        for m, r in zip(batch["shingles"], batch["rep_shingles"], strict=True)
                    ],
                }
            )

    return joined.select("order", "shingles", "rep_shingles").mapInPandas(
        apply, "order long, jaccard_to_representative double"
    )


def cluster(
    documents: DataFrame, signatures: DataFrame, sketches: DataFrame, pairs: DataFrame
) -> Clusters:
    """Cluster the documents joined by accepted ``pairs`` (see :data:`dedup.spark.pairs.PAIRS`).

    ``signatures`` has the sketch columns but the shingle sets, which only ``sketches`` (read
    for the similarity of removed documents to their representatives) carries.

    Runs the connected-components rounds and numbers the clusters now; the frames it returns
    are otherwise lazy.
    """
    accepted = pairs.where(F.col("verdict") != REJECTED)
    components = connected_components(accepted, "a", "b")
    members = components.join(
        signatures.select(F.col("order").alias("node"), "id", "length"), "node"
    )
    groups = members.groupBy(F.col("component").alias("first")).agg(
        F.min(F.struct((-F.col("length")).alias("k"), "id", F.col("node").alias("order"))).alias(
            "rep"
        ),
        F.count("*").alias("size"),
        F.array_sort(F.collect_list(F.struct(F.col("node").alias("order"), "id"))).alias("ms"),
    )
    numbered, count = number_rows(groups, "first", "number")
    width = max(4, len(str(count)))
    numbered = materialize(
        numbered.withColumn("cluster", F.format_string(f"c%0{width}d", F.col("number")))
    )

    membership = numbered.select(
        F.explode("ms").alias("m"),
        "cluster",
        F.col("rep.id").alias("representative"),
        F.col("rep.order").alias("representative_order"),
    ).select("m.order", "m.id", "cluster", "representative", "representative_order")

    named = _named_pairs(pairs, signatures)
    inside = (
        named.where(F.col("verdict") != REJECTED)
        .join(membership.select(F.col("order").alias("a_order"), "cluster"), "a_order")
        .groupBy("cluster")
        .agg(
            F.array_sort(
                F.collect_list(F.struct("a_order", "b_order", "a", "b", *_PAIR_FIELDS))
            ).alias("ps")
        )
    )
    clusters = numbered.join(inside, "cluster").select(
        "first",
        "cluster",
        F.col("size").cast("int").alias("size"),
        F.col("rep.id").alias("representative"),
        F.transform("ms", lambda m: m["id"]).alias("members"),
        F.transform(
            "ps",
            lambda p: F.struct(
                p["a"].alias("a"), p["b"].alias("b"), *[p[f].alias(f) for f in _PAIR_FIELDS]
            ),
        ).alias("pairs"),
    )

    dropped = membership.where(F.col("order") != F.col("representative_order"))
    contained = pairs.where(F.col("verdict") == CONTAINED).select(
        F.col("a").alias("x"), F.col("b").alias("y"), F.lit(CONTAINED).alias("why")
    )
    removed = (
        dropped.join(_similarity_to_representative(dropped, sketches), "order")
        .join(documents.select("order", "source"), "order")
        .join(
            contained,
            (F.least("order", "representative_order") == F.col("x"))
            & (F.greatest("order", "representative_order") == F.col("y")),
            "left",
        )
        .select(
            "order",
            "id",
            F.col("representative").alias("duplicate_of"),
            "cluster",
            "jaccard_to_representative",
            F.coalesce("why", F.lit(DUPLICATE)).alias("reason"),
            "source",
        )
    )
    deduplicated = (
        documents.join(dropped.select("order"), "order", "left_anti")
        .join(membership.select("order", "cluster"), "order", "left")
        .select("order", "id", "text", "cluster", "meta")
    )
    return Clusters(
        pairs=named,
        membership=membership,
        clusters=clusters,
        removed=removed,
        deduplicated=deduplicated,
        count=count,
    )
