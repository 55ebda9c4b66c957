"""Candidate pairs from LSH bands, then each one verified on the exact shingle sets.

Banding is datasketch ``MinHashLSH``'s: band ``i`` is signature slots ``[i*rows, (i+1)*rows)``
and two documents collide when those slots are equal. Here the band key is the slots' bytes
themselves (no hash, so no accidental collisions), which makes the candidate set exactly the
one ``dedupe run`` gets from datasketch. Verification calls :func:`dedup.cluster.verify_pair`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from ..cluster import verify_pair
from ..options import Options
from .sketches import from_bytes

__all__ = ["PAIRS", "band_rows", "candidates", "verify"]

PAIRS = (
    "a long, b long, estimated_jaccard double, jaccard double, "
    "containment_a_in_b double, containment_b_in_a double, verdict string"
)
"""Schema of verified pairs; ``a < b`` are document orders."""


def band_rows(signatures: DataFrame, bands: int, rows: int) -> DataFrame:
    """One row per (band, band key, document): ``band, key, order``."""
    width = 4 * rows  # bytes per band
    slices = F.array(
        *[
            F.struct(
                F.lit(i).alias("band"), F.substring("signature", i * width + 1, width).alias("key")
            )
            for i in range(bands)
        ]
    )
    return signatures.select("order", F.explode(slices).alias("b")).select(
        "b.band", "b.key", "order"
    )


def candidates(signatures: DataFrame, bands: int, rows: int) -> DataFrame:
    """Distinct pairs ``a < b`` of document orders that share at least one band.

    Every pair inside a bucket is a candidate, as in datasketch: a bucket of ``k`` documents
    gives ``k * (k - 1) / 2`` pairs.
    """
    buckets = (
        band_rows(signatures, bands, rows)
        .groupBy("band", "key")
        .agg(F.array_sort(F.collect_list("order")).alias("m"))
        .where(F.size("m") > 1)
    )
    return (
        buckets.select(F.posexplode("m").alias("i", "a"), "m")
        .select(
            "a", F.explode(F.slice("m", F.col("i") + 2, F.size("m") - F.col("i") - 1)).alias("b")
        )
        .distinct()
    )


def verify(pairs: DataFrame, sketches: DataFrame, options: Options) -> DataFrame:
    """Each candidate pair measured and judged, as :func:`dedup.cluster.verify_pair` does.

    The shingle sets of both sides come by two joins on the document order; nothing is
    collected to the driver.
    """
    side = sketches.select("order", "shingles", "signature")
    joined = (
        pairs.join(side.toDF("a", "sa", "ga"), "a")
        .join(side.toDF("b", "sb", "gb"), "b")
        .select("a", "b", "sa", "sb", "ga", "gb")
    )
    threshold, containment = options.threshold, options.containment

    def apply(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            out = []
            for sa, sb, ga, gb in zip(
                batch["sa"], batch["sb"], batch["ga"], batch["gb"], strict=True
            ):
                sets = [from_bytes(sa), from_bytes(sb)]
                sigs = [from_bytes(ga), from_bytes(gb)]
                out.append(verify_pair(0, 1, sets, sigs, threshold, containment))
            yield pd.DataFrame(
                {
                    "a": batch["a"],
                    "b": batch["b"],
                    "estimated_jaccard": [p.estimated_jaccard for p in out],
                    "jaccard": [p.jaccard for p in out],
                    "containment_a_in_b": [p.containment_a_in_b for p in out],
                    "containment_b_in_a": [p.containment_b_in_a for p in out],
                    "verdict": pd.Series([p.verdict for p in out], dtype=object),
                }
            )

    return joined.mapInPandas(apply, PAIRS)
