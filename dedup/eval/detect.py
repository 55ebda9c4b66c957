"""Detection for evaluation: one signature pass, then clusters at any number of thresholds.

``dedupe run`` decides each threshold from scratch. A sweep cannot afford that, so it sketches
every document once, takes LSH candidates tuned for the lowest threshold, measures the exact
Jaccard (and containment) of each candidate once, and then only re-draws the clusters for each
threshold. LSH tuned for a lower threshold finds at least the pairs that LSH tuned for a higher
one finds, give or take the rare pair near the higher threshold, so the sweep shows what the
threshold itself does; :func:`detect` gives the exact clusters ``dedupe run`` would give.

>>> from dedup.options import Options
>>> docs = [Document("a", "the cat sat on the mat"), Document("b", "the cat sat on the mat!")]
>>> sk = sketch_documents(docs, Options())
>>> groups_at(verify(sk, candidates(sk, 0.5, Options()), Options()), len(sk.ids), 0.5, None)
[[0, 1]]
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .. import cluster as clustering
from ..cluster import Pair
from ..document import Document
from ..exact import exact_sketches
from ..lsh import candidate_pairs, containment_candidate_pairs
from ..options import Options

__all__ = [
    "Measured",
    "Sketches",
    "accepted",
    "candidates",
    "detect",
    "groups_at",
    "sketch_documents",
    "verify",
]

log = logging.getLogger(__name__)

Progress = Callable[[int, int | None], None]

_BATCH = 2048  # documents sketched together


@dataclass(frozen=True)
class Sketches:
    """What matching needs of every document, by index: ids, shingle sets (sorted unique 64-bit
    hashes, as ``dedupe run`` measures pairs on: :mod:`dedup.exact`), signatures, lengths."""

    ids: list[str]
    shingles: list[np.ndarray]
    signatures: list[np.ndarray]
    lengths: list[int]


def sketch_documents(
    documents: Sequence[Document], options: Options, progress: Progress | None = None
) -> Sketches:
    """Sketch every document once (the only pass over the texts), in batches."""
    shingles: list[np.ndarray] = []
    signatures: list[np.ndarray] = []
    lengths: list[int] = []
    total = len(documents)
    for start in range(0, total, _BATCH):
        texts = [d.text for d in documents[start : start + _BATCH]]
        for sk in exact_sketches(texts, options):
            shingles.append(sk.shingles)
            signatures.append(sk.signature)
            lengths.append(sk.length)
        if progress is not None:
            progress(len(shingles), total)
    return Sketches([d.id for d in documents], shingles, signatures, lengths)


def candidates(sketches: Sketches, threshold: float, options: Options) -> set[tuple[int, int]]:
    """LSH candidate pairs ``(i, j)``, ``i < j``, for ``threshold`` (plus containment ones)."""
    found = candidate_pairs(sketches.signatures, threshold, options.seed)
    if options.containment is not None:
        sizes = [s.size for s in sketches.shingles]
        for i, j in containment_candidate_pairs(
            sketches.signatures, sizes, options.containment, options.seed
        ):
            found.add((min(i, j), max(i, j)))
    return found


def verify(sketches: Sketches, pairs: Iterable[tuple[int, int]], options: Options) -> list[Pair]:
    """Exact Jaccard and containment of each pair, once; sorted by ``(a, b)``."""
    return [
        clustering.verify_pair(
            a, b, sketches.shingles, sketches.signatures, options.threshold, options.containment
        )
        for a, b in sorted(pairs)
    ]


class Measured(Protocol):
    """Anything that carries a pair's exact similarities (a ``Pair``, a ``PairError``)."""

    @property
    def jaccard(self) -> float: ...
    @property
    def containment_a_in_b(self) -> float: ...
    @property
    def containment_b_in_a(self) -> float: ...


def accepted(pair: Measured, threshold: float, containment: float | None) -> bool:
    """Whether ``pair`` joins its documents at ``threshold`` (the rule of ``verify_pair``)."""
    if pair.jaccard >= threshold:
        return True
    return containment is not None and max(pair.containment_a_in_b, pair.containment_b_in_a) >= (
        containment
    )


def groups_at(
    pairs: Iterable[Pair], n: int, threshold: float, containment: float | None
) -> list[list[int]]:
    """Clusters (document indices) of the pairs accepted at ``threshold``."""
    return clustering.connected_components(
        n, ((p.a, p.b) for p in pairs if accepted(p, threshold, containment))
    )


def detect(sketches: Sketches, options: Options) -> tuple[list[Pair], list[list[int]]]:
    """The verified candidates and the clusters at ``options.threshold``, as ``dedupe run``."""
    pairs = verify(sketches, candidates(sketches, options.threshold, options), options)
    groups = groups_at(pairs, len(sketches.ids), options.threshold, options.containment)
    return pairs, groups
