"""Write every report of a run into one folder."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..align import align, alignment_to_dict
from ..document import Document
from ..merge import collate, merge_collation, merged_to_dict
from ..pipeline import Cluster, Result
from ..segment import paragraphs
from . import jsonl
from .files import write_json, write_jsonl, write_text
from .html import ClusterView, cluster_page, cluster_summary, index_page
from .text import render_unified

__all__ = ["write_reports"]

log = logging.getLogger(__name__)

_OWNED_FOLDERS = ("diffs", "alignments", "merged", "clusters")


def _remove_stale(out: Path, written: set[Path]) -> None:
    """Delete files an earlier run left in the folders this writer owns."""
    for folder in _OWNED_FOLDERS:
        base = out / folder
        if not base.is_dir():
            continue
        for path in sorted(base.iterdir()):
            if path.is_file() and path not in written:
                log.info("removing stale report %s", path)
                path.unlink()


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
    result: Result, out: Path, *, timings: bool = False, html: bool = True
) -> list[Path]:
    """Write summary, clusters, pairs, deduplicated and removed records into ``out``.

    Per cluster also the alignments, diffs, the canonical merge (``merged/``) and, unless
    ``html`` is false, the side-by-side page (``clusters/``); then ``index.html``.

    Returns the paths written, in order. Files an earlier run left in the report sub-folders
    are removed, so ``out`` always describes this run alone.
    """
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

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
    write_json(record(out / "summary.json"), jsonl.summary(result, timings=timings))

    documents = result.cluster_documents()
    summaries: list[dict[str, Any]] = []
    for cluster in result.clusters:
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
    if html:
        write_text(record(out / "index.html"), index_page(jsonl.summary(result), summaries))
    elif (out / "index.html").is_file():
        (out / "index.html").unlink()
    _remove_stale(out, set(written))
    return written
