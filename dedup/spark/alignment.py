"""Per-cluster alignment and canonical merge, in ``groupBy(cluster).applyInPandas``.

Each cluster's members arrive together with their original text; every member is aligned to
the representative with :func:`dedup.align.align`, the alignments are collated and merged with
:mod:`dedup.merge`, and one row per cluster comes back with the reports ``dedupe run`` writes
for it: alignments, unified diffs, merged text and provenance.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd
from pyspark.sql import DataFrame

from ..align import Alignment, align, alignment_to_dict
from ..document import Document, Paragraph
from ..errors import ConfigError
from ..merge import POLICIES, Merged, collate, merge_collation, merged_to_dict
from ..options import Options
from ..report.files import dumps
from ..report.text import render_unified
from ..segment import paragraphs
from .job import SparkResult

__all__ = ["CLUSTER_REPORTS", "AlignedCluster", "align_cluster", "cluster_reports"]

CLUSTER_REPORTS = (
    "cluster string, representative string, alignments string, diff string, text string, "
    "merge string"
)
"""One row per cluster: alignments (JSON), unified diff, merged text, merge provenance (JSON)."""


@dataclass(frozen=True)
class AlignedCluster:
    """One cluster aligned to its representative (``alignments``: one per other member)."""

    cluster: str
    members: Sequence[Document]
    representative: Document
    paragraphs: dict[str, list[Paragraph]]
    alignments: Sequence[Alignment]
    merged: Merged

    def reports(self) -> dict[str, str]:
        """The cluster's reports as ``dedupe run`` words them (a :data:`CLUSTER_REPORTS` row)."""
        by_id = {d.id: d for d in self.members}
        rep = self.representative
        return {
            "cluster": self.cluster,
            "representative": rep.id,
            "alignments": dumps(
                {
                    "cluster": self.cluster,
                    "representative": rep.id,
                    "alignments": [
                        alignment_to_dict(a, rep, by_id[a.b_id]) for a in self.alignments
                    ],
                }
            ),
            "diff": "".join(render_unified(a, rep, by_id[a.b_id]) for a in self.alignments),
            "text": self.merged.text,
            "merge": dumps(
                {"cluster": self.cluster, "text": self.merged.text, **merged_to_dict(self.merged)}
            ),
        }


def align_cluster(
    cluster: str,
    members: Iterable[Document],
    representative: str,
    options: Options,
    policy: str = "representative",
) -> AlignedCluster:
    """Align every member of one cluster (in input order) to its representative and merge
    them by ``policy``, as ``dedupe run`` does.

    >>> docs = [Document("a", "一。"), Document("b", "一.")]
    >>> align_cluster("c0001", docs, "a", Options()).merged.text
    '一。\\n'
    """
    docs = list(members)
    rep = next(d for d in docs if d.id == representative)
    paras = {d.id: paragraphs(d.text, options.normalize) for d in docs}
    aligned = [
        align(rep, d, options.normalize, a_paragraphs=paras[rep.id], b_paragraphs=paras[d.id])
        for d in docs
        if d.id != representative
    ]
    merged = merge_collation(
        collate(docs, representative, aligned, options.normalize, paragraphs=paras), policy
    )
    return AlignedCluster(cluster, docs, rep, paras, aligned, merged)


def cluster_members(result: SparkResult) -> DataFrame:
    """``cluster, order, id, text, representative``: every clustered document with its text."""
    return result.membership.join(result.documents.select("order", "text"), "order").select(
        "cluster", "order", "id", "text", "representative"
    )


def cluster_reports(result: SparkResult, policy: str = "representative") -> DataFrame:
    """One row per cluster (:data:`CLUSTER_REPORTS`), computed by cluster on the executors.

    A cluster's members and texts must fit one Python worker's memory.
    """
    if policy not in POLICIES:
        raise ConfigError(f"unknown merge policy {policy!r}: choose one of {', '.join(POLICIES)}")
    options = result.options

    def apply(group: pd.DataFrame) -> pd.DataFrame:
        group = group.sort_values("order")
        docs = [Document(i, t) for i, t in zip(group["id"], group["text"], strict=True)]
        name, rep = group["cluster"].iloc[0], group["representative"].iloc[0]
        return pd.DataFrame([align_cluster(name, docs, rep, options, policy).reports()])

    return cluster_members(result).groupBy("cluster").applyInPandas(apply, CLUSTER_REPORTS)
