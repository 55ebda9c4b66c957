"""The whole job: documents in, clusters of near-duplicates out. Used by the CLI and the library.

>>> result = run([("a", "the cat sat on the mat today"), ("b", "the cat sat on the mat today!")])
>>> [c.members for c in result.clusters]
[['a', 'b']]
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from . import cluster as clustering
from .document import Document, Paragraph, Skipped
from .lsh import candidate_pairs, containment_candidate_pairs, lsh_parameters
from .options import Options
from .segment import paragraphs
from .signature import SCHEME
from .sketch import sketch

__all__ = ["Cluster", "Result", "run"]

log = logging.getLogger(__name__)

Progress = Callable[[int, int | None], None]
DocumentLike = Document | Skipped | tuple[str, str]


@dataclass(frozen=True)
class Cluster:
    """A group of near-duplicates: ``members`` in input order, one ``representative`` among them."""

    id: str
    members: tuple[str, ...]
    representative: str
    pairs: tuple[clustering.Pair, ...]
    """The accepted pairs inside the cluster (document indices into ``Result.documents``)."""


@dataclass
class Result:
    """What a run found. Every input is in ``documents`` (kept or removed) or in ``skipped``."""

    options: Options
    documents: list[Document]
    skipped: list[Skipped]
    clusters: list[Cluster]
    pairs: list[clustering.Pair]
    """Every verified candidate pair, accepted or rejected, by document index."""
    duplicate_of: dict[str, str]
    """Removed document id -> id of the representative it duplicates."""
    similarity_to_representative: dict[str, float]
    normalized_lengths: list[int]
    lsh_bands: int
    lsh_rows: int
    scheme: str = SCHEME
    timings: dict[str, float] = field(default_factory=dict)

    def cluster_of(self) -> dict[str, str]:
        """Document id -> cluster id, for clustered documents."""
        return {m: c.id for c in self.clusters for m in c.members}

    def kept(self) -> list[Document]:
        """The deduplicated corpus: singletons and representatives, in input order."""
        return [d for d in self.documents if d.id not in self.duplicate_of]

    def removed(self) -> list[Document]:
        """Documents dropped as duplicates, in input order."""
        return [d for d in self.documents if d.id in self.duplicate_of]


def _as_item(item: DocumentLike) -> Document | Skipped:
    if isinstance(item, (Document, Skipped)):
        return item
    doc_id, text = item
    return Document(id=str(doc_id), text=text)


def prepare(doc: Document, options: Options) -> list[Paragraph]:
    """The normalized paragraphs of a document, as every stage sees them."""
    return paragraphs(doc.text, options.normalize)


def run(
    documents: Iterable[DocumentLike],
    options: Options | None = None,
    *,
    progress: Progress | None = None,
) -> Result:
    """Find the near-duplicate clusters of ``documents``.

    ``documents`` may hold :class:`Document` objects, ``(id, text)`` pairs, or :class:`Skipped`
    records from a reader (they are carried into the result). A document whose id was already
    seen is skipped with the reason, never silently dropped.
    """
    options = options or Options()
    timings: dict[str, float] = {}
    started = time.perf_counter()

    docs: list[Document] = []
    skipped: list[Skipped] = []
    seen: dict[str, str] = {}
    for item in documents:
        entry = _as_item(item)
        if isinstance(entry, Skipped):
            skipped.append(entry)
            continue
        if entry.id in seen:
            first = seen[entry.id] or "an earlier input"
            skipped.append(
                Skipped(
                    source=entry.source or entry.id,
                    reason=f"duplicate id {entry.id!r} (first seen in {first})",
                    id=entry.id,
                )
            )
            continue
        seen[entry.id] = entry.source
        docs.append(entry)
    timings["read"] = time.perf_counter() - started

    t0 = time.perf_counter()
    sets: list[np.ndarray] = []
    sigs: list[np.ndarray] = []
    lengths: list[int] = []
    total = len(docs)
    for n, doc in enumerate(docs, 1):
        sk = sketch(doc.text, options)
        sets.append(sk.shingles)
        sigs.append(sk.signature)
        lengths.append(sk.length)
        if progress is not None and (n % 256 == 0 or n == total):
            progress(n, total)
    timings["signatures"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    candidates = candidate_pairs(sigs, options.threshold, options.seed)
    if options.containment is not None:
        for i, j in containment_candidate_pairs(
            sigs, [s.size for s in sets], options.containment, options.seed
        ):
            candidates.add((min(i, j), max(i, j)))
    timings["candidates"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    pairs = [
        clustering.verify_pair(a, b, sets, sigs, options.threshold, options.containment)
        for a, b in sorted(candidates)
    ]
    groups = clustering.connected_components(len(docs), ((p.a, p.b) for p in pairs if p.accepted))
    ids = [d.id for d in docs]
    width = max(4, len(str(len(groups))))
    clusters: list[Cluster] = []
    duplicate_of: dict[str, str] = {}
    similarity: dict[str, float] = {}
    for number, members in enumerate(groups, 1):
        rep = clustering.choose_representative(members, lengths, ids)
        member_set = set(members)
        inside = tuple(p for p in pairs if p.accepted and p.a in member_set)
        clusters.append(
            Cluster(
                id=f"c{number:0{width}d}",
                members=tuple(ids[m] for m in members),
                representative=ids[rep],
                pairs=inside,
            )
        )
        for m in members:
            if m != rep:
                duplicate_of[ids[m]] = ids[rep]
                similarity[ids[m]] = clustering.overlap(sets[m], sets[rep])[0]
    timings["verify_and_cluster"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - started

    bands, rows = lsh_parameters(options.threshold, options.num_perm)
    log.info(
        "%d documents, %d skipped, %d candidate pairs, %d clusters",
        len(docs),
        len(skipped),
        len(pairs),
        len(clusters),
    )
    return Result(
        options=options,
        documents=docs,
        skipped=skipped,
        clusters=clusters,
        pairs=pairs,
        duplicate_of=duplicate_of,
        similarity_to_representative=similarity,
        normalized_lengths=lengths,
        lsh_bands=bands,
        lsh_rows=rows,
        timings=timings,
    )
