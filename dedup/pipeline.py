"""The whole job: documents in, clusters of near-duplicates out. Used by the CLI and the library.

Streaming and memory-bounded: documents are read once, signed in batches on every core, and
written to a work folder (JSON lines are parsed, stored and signed in the worker processes; this
one cuts the input into blocks and keeps the bookkeeping); memory keeps only each document's id,
signature and a few offsets
(with 128 permutations, about 1.2 KB of peak memory per document, whatever the length of the
texts; about 100 bytes stay with the result). Candidate pairs are verified on exact shingle
sets (64-bit hashes, which distinct shingles do not share: :mod:`dedup.exact`) read back from
the work folder, and reports read the documents they need back by number
(:attr:`Result.documents`).

>>> result = run([("a", "the cat sat on the mat today"), ("b", "the cat sat on the mat today!")])
>>> [c.members for c in result.clusters]
[('a', 'b')]
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast, overload

import numpy as np
import numpy.typing as npt

from . import cluster as clustering
from .document import Document, Paragraph, Skipped
from .ingest import InputPart
from .io import LineBlock, Reading
from .lsh import band_candidates, containment_candidate_pairs, lsh_parameters
from .options import Options
from .overlaps import exact_overlaps
from .parallel import default_workers, ingest_parts
from .segment import paragraphs
from .signature import SCHEME, estimate_jaccards
from .spill import DocumentStore, HashStore, read_document

__all__ = ["Cluster", "Documents", "Result", "run"]

log = logging.getLogger(__name__)

Progress = Callable[[int, int | None], None]
DocumentLike = Document | Skipped | tuple[str, str]

BATCH_DOCS = 512
"""Documents signed together (fewer when they are long: see :data:`BATCH_CHARS`)."""
BATCH_CHARS = 1 << 20
"""Characters signed together at most (about 3 MB of Chinese UTF-8)."""


@dataclass(frozen=True)
class Cluster:
    """A group of near-duplicates: ``members`` in input order, one ``representative`` among them."""

    id: str
    members: tuple[str, ...]
    representative: str
    pairs: tuple[clustering.Pair, ...]
    """The accepted pairs inside the cluster (document indices into ``Result.documents``)."""


class Documents(Sequence[Document]):
    """The documents of a run, in input order, read back from the work folder on demand.

    ``ids`` is in memory; ``documents[i]`` reads one document, iterating reads them all in
    order, one at a time. The work folder is removed when this object is garbage collected.
    """

    def __init__(self, store: DocumentStore, ids: list[str], folder: Path | None) -> None:
        self._store = store
        self.ids = ids
        self._finalizer = weakref.finalize(self, _cleanup, store, folder)

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, index: int) -> Document: ...
    @overload
    def __getitem__(self, index: slice) -> list[Document]: ...
    def __getitem__(self, index: int | slice) -> Document | list[Document]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._store.read(index, self.ids[index])

    def __iter__(self) -> Iterator[Document]:
        return self._store.iterate(self.ids)

    def close(self) -> None:
        """Remove the work folder now (the documents cannot be read afterwards)."""
        self._finalizer()


def _remove_abandoned(parent: Path) -> None:
    """Remove the work folders of runs whose process is gone (killed before it could clean up)."""
    try:
        entries = list(parent.glob("dedup-run-*-*"))
    except OSError:
        return
    for entry in entries:
        pid = entry.name.split("-")[2]
        if not pid.isdigit() or not entry.is_dir():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            log.info("removing the work folder of an interrupted run: %s", entry)
            shutil.rmtree(entry, ignore_errors=True)
        except OSError:  # exists, owned by someone else
            continue


def _cleanup(store: DocumentStore, folder: Path | None) -> None:
    store.close()
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Result:
    """What a run found. Every input is in ``documents`` (kept or removed) or in ``skipped``."""

    options: Options
    documents: Sequence[Document]
    skipped: list[Skipped]
    clusters: list[Cluster]
    pairs: list[clustering.Pair]
    """Every verified candidate pair, accepted or rejected, by document index."""
    duplicate_of: dict[str, str]
    """Removed document id -> id of the representative it duplicates."""
    similarity_to_representative: dict[str, float]
    normalized_lengths: Sequence[int] | npt.NDArray[np.int64]
    """Token length of each document (see :class:`dedup.sketch.Sketch`)."""
    lsh_bands: int
    lsh_rows: int
    scheme: str = SCHEME
    timings: dict[str, float] = field(default_factory=dict)
    cut: int = 0
    """Documents the reader cut to ``ReadOptions.max_chars`` (their meta holds
    ``original_chars``)."""

    @property
    def ids(self) -> list[str]:
        """Document ids by document index (no text is read)."""
        docs = self.documents
        return docs.ids if isinstance(docs, Documents) else [d.id for d in docs]

    def cluster_of(self) -> dict[str, str]:
        """Document id -> cluster id, for clustered documents."""
        return {m: c.id for c in self.clusters for m in c.members}

    def iter_documents(self) -> Iterator[Document]:
        """Every document, in input order, read back one at a time."""
        return iter(self.documents)

    def kept(self) -> Iterator[Document]:
        """The deduplicated corpus: singletons and representatives, in input order."""
        return (d for d in self.documents if d.id not in self.duplicate_of)

    def removed(self) -> Iterator[Document]:
        """Documents dropped as duplicates, in input order."""
        return (d for d in self.documents if d.id in self.duplicate_of)

    def cluster_documents(self) -> Mapping[str, Document]:
        """The members of every cluster by id, each read back when looked up (for alignment)."""
        members = {m for c in self.clusters for m in c.members}
        number = {doc_id: i for i, doc_id in enumerate(self.ids) if doc_id in members}
        return _ReadBack(self.documents, number)


class _ReadBack(Mapping[str, Document]):
    """Documents by id, read from their sequence on each lookup (nothing kept in memory)."""

    def __init__(self, documents: Sequence[Document], number: dict[str, int]) -> None:
        self._documents = documents
        self._number = number

    def __getitem__(self, doc_id: str) -> Document:
        return self._documents[self._number[doc_id]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._number)

    def __len__(self) -> int:
        return len(self._number)


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
    workers: int | None = None,
    workdir: Path | str | None = None,
) -> Result:
    """Find the near-duplicate clusters of ``documents``.

    ``documents`` may hold :class:`Document` objects, ``(id, text)`` pairs, or :class:`Skipped`
    records from a reader (they are carried into the result); it is read once, as a stream. A
    document whose id was already seen is skipped with the reason, never silently dropped.
    ``workers`` processes sign documents (default: every core); the work folder is made in
    ``workdir`` (default: the system's temporary folder) and removed with the result.
    """
    options = options or Options()
    workers = workers or default_workers()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    _remove_abandoned(Path(workdir) if workdir is not None else Path(tempfile.gettempdir()))
    folder = Path(tempfile.mkdtemp(prefix=f"dedup-run-{os.getpid()}-", dir=workdir))
    store = DocumentStore()
    table = Documents(store, [], folder)
    ids = table.ids
    hashes = HashStore()
    try:
        skipped, signatures, lengths, cut = _sign_all(
            documents, options, workers, folder, store, ids, hashes, progress
        )
        timings["read_and_sign"] = time.perf_counter() - started

        t0 = time.perf_counter()
        bands, rows = lsh_parameters(options.threshold, options.num_perm)
        candidates = band_candidates(signatures, bands, rows, workers)
        if options.containment is not None:
            candidates = _with_containment(candidates, signatures, hashes, options)
        timings["candidates"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        pairs = _verify(candidates, signatures, hashes, options, workers)
        clusters, duplicate_of, similarity = _cluster(pairs, ids, lengths, hashes)
        timings["verify_and_cluster"] = time.perf_counter() - t0
    finally:
        hashes.close()
    timings["total"] = time.perf_counter() - started
    log.info(
        "%d documents, %d skipped, %d candidate pairs, %d clusters",
        len(ids),
        len(skipped),
        len(pairs),
        len(clusters),
    )
    return Result(
        options=options,
        documents=table,
        skipped=skipped,
        clusters=clusters,
        pairs=pairs,
        duplicate_of=duplicate_of,
        similarity_to_representative=similarity,
        normalized_lengths=lengths,
        lsh_bands=bands,
        lsh_rows=rows,
        timings=timings,
        cut=cut,
    )


def _input_parts(documents: Iterable[DocumentLike]) -> Iterator[InputPart]:
    """The input in parts: blocks of JSON lines as the reader gives them (parsed where they
    are signed), other documents in batches."""
    items: Iterable[DocumentLike | LineBlock] = (
        documents.parts() if isinstance(documents, Reading) else documents
    )
    batch: list[Document | Skipped] = []
    chars = 0
    for item in items:
        if isinstance(item, LineBlock):
            if batch:
                yield batch
                batch, chars = [], 0
            yield item.by_reference()  # read again where it is parsed, not sent there
            continue
        entry = _as_item(item)
        batch.append(entry)
        if isinstance(entry, Document):
            chars += len(entry.text)
            if len(batch) >= BATCH_DOCS or chars >= BATCH_CHARS:
                yield batch
                batch, chars = [], 0
    if batch:
        yield batch


def _sign_all(
    documents: Iterable[DocumentLike],
    options: Options,
    workers: int,
    folder: Path,
    store: DocumentStore,
    ids: list[str],
    hashes: HashStore,
    progress: Progress | None,
) -> tuple[list[Skipped], npt.NDArray[np.uint32], npt.NDArray[np.int64], int]:
    """Read, store and sign every document; return the skipped, signatures, lengths and how
    many documents the reader had cut."""
    skipped: list[Skipped] = []
    number: dict[str, int] = {}
    cut = 0
    sig_parts: list[npt.NDArray[np.uint32]] = []
    length_parts: list[npt.NDArray[np.int64]] = []
    for part in ingest_parts(_input_parts(documents), options, workers, folder):
        kept: list[int] = []
        repeated: list[tuple[int, str, int, int]] = []  # slot in skipped, id, row, first number
        row = 0
        for item in part.items:
            if isinstance(item, Skipped):
                skipped.append(item)
                continue
            first = number.get(item)
            if first is None:
                number[item] = len(ids)
                ids.append(item)
                kept.append(row)
            else:
                repeated.append((len(skipped), item, row, first))
                skipped.append(cast(Skipped, None))  # filled in below, once stored
            row += 1
        rows = np.array(kept, dtype=np.int64)
        store.add(part.store_path, part.store_offsets[rows], part.store_sizes[rows])
        hashes.add(part.hash_path, part.hash_offsets[rows], part.hash_counts[rows])
        sig_parts.append(part.signatures[rows] if len(rows) < row else part.signatures)
        length_parts.append(part.lengths[rows])
        for slot, doc_id, own, first in repeated:
            where = store.read(first, doc_id).source or "an earlier input"
            again = read_document(
                part.store_path, int(part.store_offsets[own]), part.store_sizes[own], doc_id
            )
            skipped[slot] = Skipped(
                source=again.source or doc_id,
                reason=f"duplicate id {doc_id!r} (first seen in {where})",
                id=doc_id,
            )
        if part.cut:
            for _, message in part.cut:
                log.warning("%s", message)
            cut += len(set(kept).intersection(own for own, _ in part.cut))
        if progress is not None:
            progress(len(ids), None)
    number.clear()
    if not sig_parts:
        return skipped, np.zeros((0, options.num_perm), np.uint32), np.zeros(0, np.int64), cut
    # Move the parts into one array, freeing each as it is copied: the new array's pages are
    # only touched as it fills, so memory never holds the signatures twice.
    signatures = np.empty((sum(len(p) for p in sig_parts), options.num_perm), dtype=np.uint32)
    sig_parts.reverse()
    filled = 0
    while sig_parts:
        sig = sig_parts.pop()
        signatures[filled : filled + len(sig)] = sig
        filled += len(sig)
    return skipped, signatures, np.concatenate(length_parts), cut


def _with_containment(
    candidates: npt.NDArray[np.int64],
    signatures: npt.NDArray[np.uint32],
    hashes: HashStore,
    options: Options,
) -> npt.NDArray[np.int64]:
    assert options.containment is not None
    sizes = hashes.counts(np.arange(len(signatures))).tolist()
    extra = containment_candidate_pairs(list(signatures), sizes, options.containment, options.seed)
    if not extra:
        return candidates
    more = np.array(sorted((min(i, j), max(i, j)) for i, j in extra), dtype=np.int64)
    both = np.concatenate([candidates.reshape(-1, 2), more])
    return np.unique(both, axis=0)


def _verify(
    candidates: npt.NDArray[np.int64],
    signatures: npt.NDArray[np.uint32],
    hashes: HashStore,
    options: Options,
    workers: int,
) -> list[clustering.Pair]:
    """Measure every candidate pair exactly and give the verdict (see ``verify_pair``)."""
    candidates = candidates.reshape(-1, 2)
    measured = exact_overlaps(candidates, hashes, workers=workers)
    jaccard, c_ab, c_ba = measured.T
    verdicts = np.where(jaccard >= options.threshold, 1, 0)
    if options.containment is not None:
        inside = np.maximum(c_ab, c_ba) >= options.containment
        verdicts[(verdicts == 0) & inside] = 2
    names = (clustering.REJECTED, clustering.DUPLICATE, clustering.CONTAINED)
    return [
        clustering.Pair(a, b, estimated, j, ab, ba, names[v])
        for a, b, estimated, j, ab, ba, v in zip(
            candidates[:, 0].tolist(),
            candidates[:, 1].tolist(),
            estimate_jaccards(signatures, candidates).tolist(),
            jaccard.tolist(),
            c_ab.tolist(),
            c_ba.tolist(),
            verdicts.tolist(),
            strict=True,
        )
    ]


def _cluster(
    pairs: list[clustering.Pair],
    ids: list[str],
    lengths: npt.NDArray[np.int64],
    hashes: HashStore,
) -> tuple[list[Cluster], dict[str, str], dict[str, float]]:
    """Connected components of the accepted pairs, each with its representative."""
    accepted = [p for p in pairs if p.accepted]
    first = np.array([p.a for p in accepted], dtype=np.int64)
    second = np.array([p.b for p in accepted], dtype=np.int64)
    nodes, bounds = clustering.component_arrays(len(ids), first, second)
    # a cluster's pairs: by member (the pair's first document), then in verification order
    group_of = np.zeros(len(ids), dtype=np.int64)
    group_of[nodes] = np.repeat(np.arange(len(bounds) - 1), np.diff(bounds))
    pair_group = group_of[first]
    order = np.lexsort((np.arange(len(accepted)), first, pair_group)).tolist()
    pair_bounds = np.searchsorted(pair_group[order], np.arange(len(bounds))).tolist()
    representatives = clustering.choose_representatives(nodes, bounds, lengths, ids)
    member_ids = [ids[m] for m in nodes.tolist()]
    ordered = [accepted[k] for k in order]
    edges = bounds.tolist()
    width = max(4, len(str(len(edges) - 1)))
    clusters = [
        Cluster(
            id=f"c{count:0{width}d}",
            members=tuple(member_ids[edges[count - 1] : edges[count]]),
            representative=ids[rep],
            pairs=tuple(ordered[pair_bounds[count - 1] : pair_bounds[count]]),
        )
        for count, rep in enumerate(representatives, 1)
    ]
    # every member but the representative is a duplicate of it
    rep_of = np.repeat(np.asarray(representatives, dtype=np.int64), np.diff(bounds))
    others = nodes != rep_of
    removed, kept = nodes[others].tolist(), rep_of[others].tolist()
    duplicate_of = {ids[m]: ids[r] for m, r in zip(removed, kept, strict=True)}
    # Most members were verified against their representative already; measure the others.
    known = {(p.a, p.b): p.jaccard for p in accepted}
    wanted = [(min(m, r), max(m, r)) for m, r in zip(removed, kept, strict=True)]
    missing = [pair for pair in wanted if pair not in known]
    if missing:
        measured = exact_overlaps(np.array(missing, dtype=np.int64), hashes)
        known.update(zip(missing, measured[:, 0].tolist(), strict=True))
    similarity = {ids[m]: known[pair] for m, pair in zip(removed, wanted, strict=True)}
    return clusters, duplicate_of, similarity
