"""HTML pages for the first clusters, made on the driver: ``html/index.html`` and
``html/clusters/<cluster>.html``, the pages ``dedupe run`` makes, for at most ``limit`` clusters
(a page needs every member's text on the driver, so the count is capped).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from pyspark.sql import functions as F

from ..document import Document
from ..report.html import ClusterView, cluster_page, cluster_summary, index_page
from .alignment import align_cluster, cluster_members
from .job import SparkResult
from .output import join, remove, write_driver_text

__all__ = ["write_html"]

log = logging.getLogger(__name__)


def write_html(
    result: SparkResult,
    out: str,
    limit: int,
    summary: Mapping[str, Any],
    policy: str = "representative",
) -> list[str]:
    """Write the overview and the pages of the first ``limit`` clusters (in cluster order)
    under ``out/html/``; returns the cluster ids with a page."""
    spark = result.documents.sparkSession
    remove(spark, join(out, "html"))  # pages of an earlier run's clusters
    names = [
        row["cluster"]
        for row in result.clusters.orderBy("first").select("cluster").limit(limit).collect()
    ]
    members: dict[str, list[Any]] = {}
    for row in cluster_members(result).where(F.col("cluster").isin(names)).collect():
        members.setdefault(row["cluster"], []).append(row)
    jaccard = {
        row["id"]: row["jaccard_to_representative"]
        for row in result.removed.where(F.col("cluster").isin(names)).collect()
    }
    summaries = []
    for name in names:
        rows = sorted(members[name], key=lambda r: r["order"])
        docs = [Document(r["id"], r["text"]) for r in rows]
        done = align_cluster(name, docs, rows[0]["representative"], result.options, policy)
        view = ClusterView(
            name,
            docs,
            done.representative.id,
            done.alignments,
            done.merged,
            jaccard={d.id: jaccard[d.id] for d in docs if d.id in jaccard},
            options=result.options.normalize,
        )
        page = cluster_page(view, merged_href=None, paragraphs=done.paragraphs)
        write_driver_text(spark, join(out, "html", "clusters", f"{name}.html"), page)
        summaries.append(cluster_summary(view, f"clusters/{name}.html"))
    write_driver_text(spark, join(out, "html", "index.html"), index_page(summary, summaries))
    log.info("HTML pages for %d of %d clusters", len(names), result.cluster_count)
    return names
