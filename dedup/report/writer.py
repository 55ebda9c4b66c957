"""Write every report of a run into one folder."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..align import align, alignment_to_dict
from ..document import Document
from ..merge import collate, merge_collation, merged_to_dict
from ..pipeline import Cluster, Progress, Result
from ..segment import paragraphs
from . import jsonl
from .files import write_json, write_jsonl, write_text
from .html import ClusterView, cluster_page, cluster_summary, index_page
from .outdir import SUMMARY, OutputFolder
from .text import render_unified

__all__ = ["write_reports"]


def cluster_alignments(
    cluster: Cluster, documents: Mapping[str, Document], result: Result
) -> list[Any]:
    """Each non-representative member aligned to the representative (representative is A)."""
    rep = documents[cluster.representative]
    return [
        align(rep, documents[m], result.options.normalize)
        for m in cluster.members
        if m != cluster.representative
    ]


def write_reports(
    result: Result,
    out: Path,
    *,
    timings: bool = False,
    html: bool = True,
    progress: Progress | None = None,
) -> list[Path]:
    """Write clusters, pairs, deduplicated and removed records into ``out``.

    Per cluster also the alignments, diffs, the canonical merge (``merged/``) and, unless
    ``html`` is false, the side-by-side page (``clusters/``); then ``index.html`` and, last,
    ``summary.json``, whose presence marks a finished run. ``progress(done, total)`` is called
    after each cluster.

    Returns the paths written, in order. ``out`` must be new, empty or an earlier output
    (:class:`~dedup.report.outdir.OutputFolder`, a ConfigError otherwise); the files an
    earlier run wrote and this one did not are removed, so ``out`` describes this run alone,
    and no other file is ever touched.
    """
    folder = OutputFolder.claim(out)
    folder.begin()
    written: list[Path] = []
    try:
        _write_all(result, out, html, progress, written)
    except BaseException:
        folder.abandon(written)
        raise
    folder.finish(written)
    summary_path = out / SUMMARY
    write_json(summary_path, jsonl.summary(result, timings=timings))
    written.append(summary_path)
    return written


def _write_all(
    result: Result, out: Path, html: bool, progress: Progress | None, written: list[Path]
) -> None:
    def record(path: Path) -> Path:
        written.append(path)
        return path

    write_jsonl(record(out / "clusters.jsonl"), jsonl.cluster_records(result))
    ids = result.ids
    write_jsonl(
        record(out / "pairs.jsonl"), (jsonl.pair_record(result, p, ids) for p in result.pairs)
    )
    write_jsonl(record(out / "deduplicated.jsonl"), jsonl.deduplicated_records(result))
    write_jsonl(record(out / "removed.jsonl"), jsonl.removed_records(result))

    documents = result.cluster_documents()
    summaries: list[dict[str, Any]] = []
    for done, cluster in enumerate(result.clusters, 1):
        alignments = cluster_alignments(cluster, documents, result)
        rep = documents[cluster.representative]
        write_json(
            record(out / "alignments" / f"{cluster.id}.json"),
            {
                "cluster": cluster.id,
                "representative": cluster.representative,
                "alignments": [alignment_to_dict(a, rep, documents[a.b_id]) for a in alignments],
            },
        )
        write_text(
            record(out / "diffs" / f"{cluster.id}.diff"),
            "".join(render_unified(a, rep, documents[a.b_id]) for a in alignments),
        )
        members = [documents[m] for m in cluster.members]
        paras = {m.id: paragraphs(m.text, result.options.normalize) for m in members}
        table = collate(members, rep.id, alignments, result.options.normalize, paragraphs=paras)
        merged = merge_collation(table)
        write_text(record(out / "merged" / f"{cluster.id}.txt"), merged.text)
        write_json(
            record(out / "merged" / f"{cluster.id}.json"),
            {"cluster": cluster.id, **merged_to_dict(merged)},
        )
        if html:
            view = ClusterView(
                cluster.id,
                members,
                rep.id,
                alignments,
                merged,
                jaccard={
                    m: result.similarity_to_representative[m]
                    for m in cluster.members
                    if m != rep.id
                },
                options=result.options.normalize,
            )
            page = cluster_page(view, merged_href=f"../merged/{cluster.id}", paragraphs=paras)
            write_text(record(out / "clusters" / f"{cluster.id}.html"), page)
            summaries.append(cluster_summary(view, f"clusters/{cluster.id}.html"))
        if progress is not None:
            progress(done, len(result.clusters))
    if html:
        write_text(record(out / "index.html"), index_page(jsonl.summary(result), summaries))
