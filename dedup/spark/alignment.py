"""Per-cluster alignment and canonical merge, in ``groupBy(cluster).applyInPandas``.

Each cluster's members arrive together with their original text; every member is aligned to
the representative with :func:`dedup.align.align`, the alignments are collated and merged with
:mod:`dedup.merge`, and one row per cluster comes back with both reports as JSON.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from pyspark.sql import DataFrame

from ..align import align, alignment_to_dict
from ..document import Document
from ..errors import ConfigError
from ..merge import POLICIES, collate, merge_collation, merged_to_dict
from ..options import Options
from ..report.files import dumps
from ..segment import paragraphs
from .job import SparkResult

__all__ = ["CLUSTER_REPORTS", "cluster_reports", "report_cluster"]

CLUSTER_REPORTS = (
    "cluster string, representative string, alignments string, text string, merge string"
)
"""One row per cluster: the alignments record and the merged text with its provenance."""


def report_cluster(
    cluster: str, members: Iterable[Document], representative: str, options: Options, policy: str
) -> dict[str, str]:
    """Align every member of one cluster to its representative and merge them.

    ``members`` in input order. Returns JSON for ``alignments`` (the record ``dedupe run``
    writes to ``alignments/<cluster>.json``) and ``merge`` (merged text and provenance, as
    :func:`dedup.merge.merged_to_dict`), and the merged ``text``.
    """
    docs = list(members)
    rep = next(d for d in docs if d.id == representative)
    paras = {d.id: paragraphs(d.text, options.normalize) for d in docs}
    aligned = [
        align(rep, d, options.normalize, a_paragraphs=paras[rep.id], b_paragraphs=paras[d.id])
        for d in docs
        if d.id != representative
    ]
    by_id = {d.id: d for d in docs}
    merged = merge_collation(
        collate(docs, representative, aligned, options.normalize, paragraphs=paras), policy
    )
    return {
        "cluster": cluster,
        "representative": representative,
        "alignments": dumps(
            {
                "cluster": cluster,
                "representative": representative,
                "alignments": [alignment_to_dict(a, rep, by_id[a.b_id]) for a in aligned],
            }
        ),
        "text": merged.text,
        "merge": dumps({"cluster": cluster, "text": merged.text, **merged_to_dict(merged)}),
    }


def cluster_reports(result: SparkResult, policy: str = "representative") -> DataFrame:
    """One row per cluster (:data:`CLUSTER_REPORTS`), computed by cluster on the executors.

    A cluster's members and texts must fit one Python worker's memory.
    """
    if policy not in POLICIES:
        raise ConfigError(f"unknown merge policy {policy!r}: choose one of {', '.join(POLICIES)}")
    options = result.options
    members = result.membership.join(result.documents.select("order", "text"), "order").select(
        "cluster", "order", "id", "text", "representative"
    )

    def apply(group: pd.DataFrame) -> pd.DataFrame:
        group = group.sort_values("order")
        docs = [Document(i, t) for i, t in zip(group["id"], group["text"], strict=True)]
        row = report_cluster(
            group["cluster"].iloc[0], docs, group["representative"].iloc[0], options, policy
        )
        return pd.DataFrame([row])

    return members.groupBy("cluster").applyInPandas(apply, CLUSTER_REPORTS)
