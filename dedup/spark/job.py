"""The whole job on Spark: documents in, the same clusters as ``dedupe run`` out."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from pyspark.sql import DataFrame, SparkSession

from ..errors import ConfigError
from ..lsh import lsh_parameters
from ..options import Options, ReadOptions
from .clusters import cluster
from .frames import materialize, prepare, split_skipped
from .pairs import candidates, verify
from .sketches import sketches as sketch_frame

__all__ = ["SparkResult", "run"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SparkResult:
    """What a run found, as DataFrames. Rows carry their input ``order`` for sorting.

    Every input row is in ``deduplicated``, ``removed`` or ``skipped``.
    """

    options: Options
    lsh_bands: int
    lsh_rows: int
    documents: DataFrame
    """The readable documents (document-frame columns, ``reason`` null)."""
    skipped: DataFrame
    """``order, source, id, reason``: inputs that are not documents, and repeated ids."""
    sketches: DataFrame
    """``order, id, length, shingles, signature`` of every document."""
    signatures: DataFrame
    """``order, id, length, signature``: the sketches without the shingle sets."""
    verified: DataFrame
    """``a, b, estimated_jaccard, ..., verdict``: the verified pairs by document order."""
    pairs: DataFrame
    """``a_order, b_order, a, b, estimated_jaccard, jaccard, containment_a_in_b,
    containment_b_in_a, verdict``: every verified candidate pair."""
    clusters: DataFrame
    """``first, cluster, size, representative, members, pairs``."""
    membership: DataFrame
    """``order, id, cluster, representative, representative_order``."""
    deduplicated: DataFrame
    """``order, id, text, cluster, meta``: singletons and representatives."""
    removed: DataFrame
    """``order, id, duplicate_of, cluster, jaccard_to_representative, reason, source``."""
    cluster_count: int
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds spent in each step of :func:`run`."""


def run(
    spark: SparkSession,
    documents: DataFrame,
    options: Options | None = None,
    *,
    read_options: ReadOptions = ReadOptions(),  # noqa: B008 (frozen)
    order: str | None = None,
    persist: bool = True,
) -> SparkResult:
    """Find the near-duplicate clusters of ``documents`` with Spark.

    ``documents`` is a DataFrame with an id and a text column (named by ``read_options``;
    other columns are kept as ``meta``), or the frame :func:`dedup.spark.read` returns.
    ``order`` names a unique integer column giving input order (default: row order). The input
    is read once and checkpointed (executors' memory, then local disk) unless ``persist`` is
    false, in which case it is read again for the corpus and the alignments. Signatures,
    candidates, verification and components run now; the result frames are lazy.

    >>> result = run(spark, spark.createDataFrame(rows, "id string, text string"))  # doctest: +SKIP
    >>> result.clusters.select("members").collect()  # doctest: +SKIP
    """
    options = options or Options()
    if options.containment is not None:
        raise ConfigError(
            "containment is not available on Spark yet: leave it unset here, or use "
            "`dedupe run --containment` on one machine"
        )
    bands, rows = lsh_parameters(options.threshold, options.num_perm)
    log.info("LSH with %d bands of %d rows", bands, rows)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    parsed = prepare(documents, read_options, order)
    if persist:
        parsed = materialize(parsed)
    docs, skipped = split_skipped(parsed)
    skipped = materialize(skipped)
    timings["read"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    sketches = materialize(sketch_frame(docs, options))
    # what most steps read, without the shingle sets (a checkpoint is read whole, every column)
    signatures = materialize(sketches.drop("shingles"))
    timings["signatures"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    pairs = materialize(verify(candidates(signatures, bands, rows), sketches, options))
    timings["candidates_and_verify"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    found = cluster(docs, signatures, sketches, pairs)
    timings["components_and_clusters"] = time.perf_counter() - t0
    log.info("timings: %s", ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    return SparkResult(
        options=options,
        lsh_bands=bands,
        lsh_rows=rows,
        documents=docs,
        skipped=skipped,
        sketches=sketches,
        signatures=signatures,
        verified=pairs,
        pairs=found.pairs,
        clusters=found.clusters,
        membership=found.membership,
        deduplicated=found.deduplicated,
        removed=found.removed,
        cluster_count=found.count,
        timings=timings,
    )
