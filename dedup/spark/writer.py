"""Write a Spark result as ``dedupe run`` does: the same reports, as Parquet or JSONL partitions.

``OUT/clusters/``, ``pairs/``, ``deduplicated/``, ``removed/`` and ``skipped/`` hold part files
sorted in input order (read them in name order, or with ``spark.read``); JSONL parts are byte
for byte the lines of ``dedupe run``'s files. ``alignments/``, ``diffs/`` and ``merged/`` hold
one record per cluster. ``summary.json`` and the optional ``html/`` pages are written from the
driver.
"""

from __future__ import annotations

import json
import logging
import os
import time
from importlib import metadata
from typing import Any

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from ..cluster import REJECTED
from ..errors import ConfigError
from ..merge import POLICIES
from ..report import jsonl as report_jsonl
from ..signature import SCHEME
from . import records
from .frames import materialize
from .job import SparkResult
from .output import join, remove, write_driver_text

__all__ = ["FORMATS", "SKIPPED_IN_SUMMARY", "summary", "write", "write_frame"]

log = logging.getLogger(__name__)

FORMATS = ("jsonl", "parquet")

SKIPPED_IN_SUMMARY = 1000
"""At most this many skipped inputs are listed in summary.json; ``skipped/`` has them all."""


def _frames(result: SparkResult) -> dict[str, DataFrame]:
    return {
        "clusters": result.clusters,
        "pairs": result.pairs,
        "deduplicated": result.deduplicated,
        "removed": result.removed,
        "skipped": result.skipped,
    }


def write_frame(df: DataFrame, path: str, name: str, format: str) -> None:
    """Write one report frame sorted by its keys: JSON lines (text parts) or Parquet."""
    keys = records.KEYS[name]
    ordered = df.orderBy(*keys)
    if format == "jsonl":
        records.json_lines(ordered, records.TABLES[name]).write.mode("overwrite").text(path)
    else:
        ordered.drop(*keys).write.mode("overwrite").parquet(path)


def _write_cluster_reports(result: SparkResult, out: str, format: str, policy: str) -> None:
    """``alignments/``, ``diffs/`` and ``merged/``: one record per cluster, computed once."""
    from .alignment import cluster_reports

    # checkpointed in order once, then written three times; the records are large (all the
    # alignments of a cluster), which Spark's in-memory table cache does not hold well
    ordered = materialize(cluster_reports(result, policy).orderBy("cluster"))
    log.info("writing alignments, diffs and merged")
    if format == "jsonl":
        lines = {
            "alignments": ordered.select(F.col("alignments").alias("value")),
            "diffs": ordered.select(F.to_json(F.struct("cluster", "diff")).alias("value")),
            "merged": ordered.select(F.col("merge").alias("value")),
        }
        for name, frame in lines.items():
            frame.write.mode("overwrite").text(join(out, name))
    else:
        tables = {
            "alignments": ordered.select("cluster", "representative", "alignments"),
            "diffs": ordered.select("cluster", "representative", "diff"),
            "merged": ordered.select("cluster", "representative", "text", "merge"),
        }
        for name, frame in tables.items():
            frame.write.mode("overwrite").parquet(join(out, name))


def summary(result: SparkResult) -> dict[str, Any]:
    """Counts, parameters and versions, with the keys of ``dedupe run``'s summary.json.

    Counts come from checkpointed frames. ``skipped`` lists at most :data:`SKIPPED_IN_SUMMARY`
    inputs.
    """
    read = result.signatures.count()
    skipped_count = result.skipped.count()
    in_clusters = result.membership.count()
    removed = in_clusters - result.cluster_count  # one representative per cluster stays
    listed = [
        {"source": row["source"], "id": row["id"], "reason": row["reason"]}
        for row in result.skipped.orderBy("order").limit(SKIPPED_IN_SUMMARY).collect()
    ]
    verdicts: dict[str, int] = {
        row["verdict"]: row["count"] for row in result.verified.groupBy("verdict").count().collect()
    }
    versions = report_jsonl._versions()
    try:
        versions["pyspark"] = metadata.version("pyspark")
    except metadata.PackageNotFoundError:  # pragma: no cover - pyspark from a cluster image
        import pyspark

        versions["pyspark"] = pyspark.__version__
    return {
        "documents": {
            "input": read + skipped_count,
            "read": read,
            "skipped": skipped_count,
            "kept": read - removed,
            "removed": removed,
            "cut_to_max_chars": result.documents.where(
                F.get_json_object("meta", "$.original_chars").isNotNull()
            ).count(),
        },
        "clusters": result.cluster_count,
        "documents_in_clusters": in_clusters,
        "candidate_pairs": sum(verdicts.values()),
        "accepted_pairs": sum(n for v, n in verdicts.items() if v != REJECTED),
        "skipped": listed,
        "parameters": {
            **result.options.to_dict(),
            "signature_scheme": SCHEME,
            "lsh_bands": result.lsh_bands,
            "lsh_rows": result.lsh_rows,
        },
        "versions": versions,
    }


def write(
    result: SparkResult,
    out: str | os.PathLike[str],
    *,
    format: str = "jsonl",
    alignments: bool = True,
    policy: str = "representative",
    html: int = 0,
    timings: dict[str, float] | None = None,
) -> dict[str, Any]:
    """Write every report of ``result`` under ``out`` (a local path or a URI such as s3a://).

    ``alignments`` adds ``alignments/``, ``diffs/`` and ``merged/`` (merged by ``policy``,
    see :mod:`dedup.merge`); ``html`` > 0 adds ``html/`` with the pages of that many clusters.
    Those folders left by an earlier run are removed when this run does not write them.
    Returns the summary written to ``out/summary.json``; ``timings`` (seconds by step) go into
    it when given, with this step's as ``write``.

    >>> write(run(spark, frame), "reports-spark", format="parquet")  # doctest: +SKIP
    """
    if format not in FORMATS:
        raise ConfigError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    if policy not in POLICIES:
        raise ConfigError(f"unknown merge policy {policy!r}: choose one of {', '.join(POLICIES)}")
    if html < 0:
        raise ConfigError(f"html must be a number of clusters (0 for none), got {html}")
    started = time.perf_counter()
    out = os.fspath(out)
    spark = result.documents.sparkSession
    optional = {"alignments": alignments, "diffs": alignments, "merged": alignments, "html": html}
    for name, wanted in optional.items():  # so that out describes this run alone
        if not wanted and remove(spark, join(out, name)):
            log.info("removed %s/ of an earlier run", name)
    for name, frame in _frames(result).items():
        log.info("writing %s", name)
        write_frame(frame, join(out, name), name, format)
    if alignments:
        _write_cluster_reports(result, out, format, policy)
    found = summary(result)
    if html:
        from .html import write_html

        write_html(result, out, html, found, policy)
    if timings is not None:
        steps = {**timings, "write": time.perf_counter() - started}
        found["timings_seconds"] = {k: round(v, 3) for k, v in steps.items()}
    write_driver_text(
        spark,
        join(out, "summary.json"),
        json.dumps(found, ensure_ascii=False, indent=2, allow_nan=False, default=str) + "\n",
    )
    return found
