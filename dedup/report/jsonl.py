"""The machine-readable records of a run: summary, clusters, pairs, kept and removed documents."""

from __future__ import annotations

import platform
from collections.abc import Iterator
from importlib import metadata
from typing import Any

from .._version import __version__
from ..cluster import Pair
from ..pipeline import Result

__all__ = [
    "cluster_records",
    "deduplicated_records",
    "pair_record",
    "removed_records",
    "summary",
]

_LIBRARIES = ("datasketch", "rapidfuzz", "opencc", "numpy")


def _r(x: float) -> float:
    return round(x, 6)


def _versions() -> dict[str, str]:
    versions = {"dedup": __version__, "python": platform.python_version()}
    for name in _LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def pair_record(result: Result, pair: Pair, ids: list[str] | None = None) -> dict[str, Any]:
    """One verified pair, by id (``ids``: ``result.ids``, passed in when writing many pairs)."""
    ids = result.ids if ids is None else ids
    return {
        "a": ids[pair.a],
        "b": ids[pair.b],
        "estimated_jaccard": _r(pair.estimated_jaccard),
        "jaccard": _r(pair.jaccard),
        "containment_a_in_b": _r(pair.containment_a_in_b),
        "containment_b_in_a": _r(pair.containment_b_in_a),
        "verdict": pair.verdict,
    }


def cluster_records(result: Result) -> list[dict[str, Any]]:
    """One record per cluster: members, representative, the accepted pairs inside it."""
    ids = result.ids
    return [
        {
            "cluster": c.id,
            "size": len(c.members),
            "representative": c.representative,
            "members": list(c.members),
            "pairs": [pair_record(result, p, ids) for p in c.pairs],
        }
        for c in result.clusters
    ]


def deduplicated_records(result: Result) -> Iterator[dict[str, Any]]:
    """The deduplicated corpus: one record per kept document, original text, input order.

    A generator: kept texts are read back one at a time, never all held at once.
    """
    cluster_of = result.cluster_of()
    for doc in result.kept():
        record: dict[str, Any] = {"id": doc.id, "text": doc.text}
        if doc.id in cluster_of:
            record["cluster"] = cluster_of[doc.id]
        if doc.meta:
            record["meta"] = doc.meta
        yield record


def removed_records(result: Result) -> list[dict[str, Any]]:
    """The audit trail: every removed document with the one it duplicates."""
    cluster_of = result.cluster_of()
    ids = result.ids
    contained = {(ids[p.a], ids[p.b]) for p in result.pairs if p.verdict == "contained"}
    records = []
    for doc in result.removed():
        rep = result.duplicate_of[doc.id]
        reason = (
            "contained"
            if (doc.id, rep) in contained or (rep, doc.id) in contained
            else ("duplicate")
        )
        records.append(
            {
                "id": doc.id,
                "duplicate_of": rep,
                "cluster": cluster_of[doc.id],
                "jaccard_to_representative": _r(result.similarity_to_representative[doc.id]),
                "reason": reason,
                "source": doc.source,
            }
        )
    return records


def summary(result: Result, *, timings: bool = False) -> dict[str, Any]:
    """Counts, parameters and versions; timings only when asked (they break byte-identity)."""
    removed = len(result.duplicate_of)
    out: dict[str, Any] = {
        "documents": {
            "input": len(result.documents) + len(result.skipped),
            "read": len(result.documents),
            "skipped": len(result.skipped),
            "kept": len(result.documents) - removed,
            "removed": removed,
            "cut_to_max_chars": result.cut,
        },
        "clusters": len(result.clusters),
        "documents_in_clusters": sum(len(c.members) for c in result.clusters),
        "candidate_pairs": len(result.pairs),
        "accepted_pairs": sum(1 for p in result.pairs if p.accepted),
        "skipped": [{"source": s.source, "id": s.id, "reason": s.reason} for s in result.skipped],
        "parameters": {
            **result.options.to_dict(),
            "signature_scheme": result.scheme,
            "lsh_bands": result.lsh_bands,
            "lsh_rows": result.lsh_rows,
        },
        "versions": _versions(),
    }
    if timings:
        out["timings_seconds"] = {k: round(v, 3) for k, v in result.timings.items()}
    return out
