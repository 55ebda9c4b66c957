"""Score a detection against truth labels, at one threshold or a sweep of them.

>>> from dedup.document import Document
>>> docs = [Document("a", "the cat sat on the mat today"),
...         Document("b", "the cat sat on the mat today!"),
...         Document("c", "a completely different text about dogs")]
>>> ev = evaluate(docs, [["a", "b"]])
>>> ev.scores.pairwise.precision, ev.scores.pairwise.recall
(1.0, 1.0)
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from ..cluster import Pair, overlap
from ..document import Document, Skipped
from ..errors import ConfigError, InputError
from ..metrics import ClusterScores, Scores, cluster_scores, pairs_of, pairwise_scores
from ..options import Options
from ..signature import estimate_jaccard
from . import detect
from .detect import Progress, Sketches

__all__ = [
    "DIRECT",
    "NOT_A_CANDIDATE",
    "BELOW_THRESHOLD",
    "TRANSITIVE",
    "Evaluation",
    "PairError",
    "ThresholdScores",
    "evaluate",
    "parse_sweep",
]

log = logging.getLogger(__name__)

DIRECT = "direct"
"""A false positive whose two documents were compared and found similar enough."""
TRANSITIVE = "transitive"
"""A false positive joined only through other members of its cluster."""
BELOW_THRESHOLD = "below threshold"
"""A false negative whose similarity is under the threshold."""
NOT_A_CANDIDATE = "not a candidate"
"""A false negative similar enough, but never proposed by LSH."""


@dataclass(frozen=True)
class ThresholdScores:
    """Scores of the clusters at one threshold."""

    threshold: float
    pairwise: Scores
    clusters: ClusterScores
    predicted_clusters: int
    """Clusters of two or more documents among the scored ones."""


@dataclass(frozen=True)
class PairError:
    """A false positive or false negative pair, with the similarities that explain it."""

    a: str
    b: str
    jaccard: float
    containment_a_in_b: float
    containment_b_in_a: float
    estimated_jaccard: float
    kind: str
    """``direct``/``transitive`` for false positives; ``below threshold``/``not a candidate``
    for false negatives."""
    cluster_a: str | None
    """Predicted cluster of ``a`` (None for a singleton)."""
    cluster_b: str | None


@dataclass
class Evaluation:
    """What ``dedupe eval`` measured."""

    options: Options
    documents: int
    """Documents read and sketched."""
    scored: int
    """Documents scored: all of them, or only the labelled ones."""
    labelled_only: bool
    truth_groups: int
    """Labelled groups of two or more documents among the documents read."""
    missing_ids: list[str]
    """Labelled ids that are not among the documents read (dropped from the truth)."""
    skipped: list[Skipped]
    scores: ThresholdScores
    """At ``options.threshold``, with candidates as ``dedupe run`` takes them."""
    clusters: list[tuple[str, list[str]]]
    """The predicted clusters at ``options.threshold``: ``(cluster id, member ids)``."""
    false_positives: list[PairError]
    false_negatives: list[PairError]
    candidates: int
    """Candidate pairs verified at ``options.threshold``."""
    sweep: list[ThresholdScores] = field(default_factory=list)
    """One row per swept threshold, from candidates at the lowest one."""
    sweep_candidates: int = 0
    lsh_missed: int = 0
    """Pairs with Jaccard >= threshold found by the sweep's candidates but not by LSH at the
    threshold itself (what LSH tuning costs at the chosen threshold)."""
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds: ``signatures``, ``candidates``, ``verify_and_cluster`` (their sum is
    ``detection``, what ``dedupe run`` spends finding clusters), ``sweep_candidates``,
    ``scoring``, ``total``."""

    @property
    def best(self) -> ThresholdScores | None:
        """The swept threshold with the highest pairwise F1 (lowest threshold on ties)."""
        if not self.sweep:
            return None
        return max(self.sweep, key=lambda r: (r.pairwise.f1, -r.threshold))


def parse_sweep(spec: str) -> list[float]:
    """Thresholds from ``START:STOP:STEP``, both ends included, rounded to 6 places.

    >>> parse_sweep("0.3:0.5:0.1")
    [0.3, 0.4, 0.5]
    """
    parts = spec.split(":")
    try:
        start, stop, step = (float(p) for p in parts)
    except ValueError:
        raise ConfigError(f"sweep {spec!r} is not START:STOP:STEP, e.g. 0.3:0.95:0.05") from None
    if step <= 0 or not 0.0 < start <= stop <= 1.0:
        raise ConfigError(
            f"sweep {spec!r}: need 0 < START <= STOP <= 1 and STEP > 0, e.g. 0.3:0.95:0.05"
        )
    count = int(round((stop - start) / step, 6)) + 1
    return [round(start + k * step, 6) for k in range(count)]


def _cluster_ids(groups: Sequence[Sequence[int]]) -> list[str]:
    width = max(4, len(str(len(groups))))
    return [f"c{number:0{width}d}" for number in range(1, len(groups) + 1)]


def _score(
    groups: Sequence[Sequence[int]],
    ids: Sequence[str],
    truth: Sequence[Sequence[str]],
    universe: Sequence[str],
    scope: set[str] | None,
    threshold: float,
) -> ThresholdScores:
    predicted = [[ids[m] for m in g] for g in groups]
    if scope is not None:
        predicted = [kept for g in predicted if len(kept := [m for m in g if m in scope]) > 1]
    return ThresholdScores(
        threshold=threshold,
        pairwise=pairwise_scores(predicted, truth, universe),
        clusters=cluster_scores(predicted, truth),
        predicted_clusters=len(predicted),
    )


def _pair_error(
    a: int, b: int, sketches: Sketches, kind: str, cluster_of: dict[int, str]
) -> PairError:
    jaccard, c_ab, c_ba = overlap(sketches.shingles[a], sketches.shingles[b])
    return PairError(
        a=sketches.ids[a],
        b=sketches.ids[b],
        jaccard=jaccard,
        containment_a_in_b=c_ab,
        containment_b_in_a=c_ba,
        estimated_jaccard=estimate_jaccard(sketches.signatures[a], sketches.signatures[b]),
        kind=kind,
        cluster_a=cluster_of.get(a),
        cluster_b=cluster_of.get(b),
    )


def _errors(
    sketches: Sketches,
    pairs: Sequence[Pair],
    groups: Sequence[Sequence[int]],
    cluster_ids: Sequence[str],
    truth: Sequence[Sequence[str]],
    scope: set[str] | None,
    options: Options,
) -> tuple[list[PairError], list[PairError]]:
    index = {doc_id: n for n, doc_id in enumerate(sketches.ids)}
    cluster_of = {m: cid for cid, g in zip(cluster_ids, groups, strict=True) for m in g}
    joined = {
        (p.a, p.b) for p in pairs if detect.accepted(p, options.threshold, options.containment)
    }
    truth_of = {m: n for n, g in enumerate(truth) for m in g}

    false_positives = []
    for group in groups:
        members = [m for m in group if scope is None or sketches.ids[m] in scope]
        for x, a in enumerate(members):
            for b in members[x + 1 :]:
                ta = truth_of.get(sketches.ids[a])
                if ta is None or ta != truth_of.get(sketches.ids[b]):
                    kind = DIRECT if (a, b) in joined else TRANSITIVE
                    false_positives.append(_pair_error(a, b, sketches, kind, cluster_of))

    false_negatives = []
    for id_a, id_b in sorted(pairs_of(truth)):
        a, b = sorted((index[id_a], index[id_b]))
        if a in cluster_of and cluster_of[a] == cluster_of.get(b):
            continue
        error = _pair_error(a, b, sketches, BELOW_THRESHOLD, cluster_of)
        if detect.accepted(error, options.threshold, options.containment):
            error = replace(error, kind=NOT_A_CANDIDATE)
        false_negatives.append(error)
    false_negatives.sort(key=lambda e: (e.a, e.b))
    return false_positives, false_negatives


def _split_inputs(
    documents: Iterable[Document | Skipped | tuple[str, str]],
) -> tuple[list[Document], list[Skipped]]:
    docs: list[Document] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()
    for item in documents:
        if isinstance(item, Skipped):
            skipped.append(item)
            continue
        doc = item if isinstance(item, Document) else Document(str(item[0]), item[1])
        if doc.id in seen:
            skipped.append(Skipped(doc.source or doc.id, f"duplicate id {doc.id!r}", doc.id))
            continue
        seen.add(doc.id)
        docs.append(doc)
    return docs, skipped


def evaluate(
    documents: Iterable[Document | Skipped | tuple[str, str]],
    truth: Iterable[Sequence[str]],
    options: Options | None = None,
    *,
    thresholds: Sequence[float] | None = None,
    labelled_only: bool = False,
    progress: Progress | None = None,
) -> Evaluation:
    """Detect near-duplicates in ``documents`` once and score them against ``truth``.

    ``truth`` holds groups of duplicate ids; ids in no group are singletons, unless
    ``labelled_only``: then only the documents named in ``truth`` are scored (for labels that
    cover a sample of the corpus; list checked singletons as groups of one). ``thresholds``
    adds a sweep from the same signatures. False positives and negatives are those at
    ``options.threshold``.
    """
    options = options or Options()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    docs, skipped = _split_inputs(documents)
    ids = [d.id for d in docs]
    known = set(ids)
    truth = [list(g) for g in truth]
    missing = sorted({m for g in truth for m in g if m not in known})
    if missing:
        log.info("%d labelled ids are not among the documents read", len(missing))
    truth = [kept for g in truth if (kept := [m for m in g if m in known])]
    scope = {m for g in truth for m in g} if labelled_only else None
    if scope is not None and not scope:
        raise InputError(
            "no labelled id is among the documents read; are --id-field and the labels right?"
        )
    universe = [i for i in ids if scope is None or i in scope]

    t0 = time.perf_counter()
    sketches = detect.sketch_documents(docs, options, progress)
    timings["signatures"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    chosen = detect.candidates(sketches, options.threshold, options)
    timings["candidates"] = time.perf_counter() - t0
    sweep_set: set[tuple[int, int]] = set()
    if thresholds:
        t0 = time.perf_counter()
        lowest = min(thresholds)
        sweep_set = (
            chosen if lowest == options.threshold else detect.candidates(sketches, lowest, options)
        )
        timings["sweep_candidates"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    verified = detect.verify(sketches, chosen | sweep_set, options)
    pairs = [p for p in verified if (p.a, p.b) in chosen]
    groups = detect.groups_at(pairs, len(ids), options.threshold, options.containment)
    timings["verify_and_cluster"] = time.perf_counter() - t0
    timings["detection"] = sum(
        timings[k] for k in ("signatures", "candidates", "verify_and_cluster")
    )

    t0 = time.perf_counter()
    cluster_ids = _cluster_ids(groups)
    scores = _score(groups, ids, truth, universe, scope, options.threshold)
    false_positives, false_negatives = _errors(
        sketches, pairs, groups, cluster_ids, truth, scope, options
    )
    sweep: list[ThresholdScores] = []
    lsh_missed = 0
    if thresholds:
        sweep_pairs = [p for p in verified if (p.a, p.b) in sweep_set]
        for t in sorted(set(thresholds)):
            at = detect.groups_at(sweep_pairs, len(ids), t, options.containment)
            sweep.append(_score(at, ids, truth, universe, scope, t))
        lsh_missed = sum(
            1
            for p in sweep_pairs
            if (p.a, p.b) not in chosen
            and detect.accepted(p, options.threshold, options.containment)
        )
    timings["scoring"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - started

    return Evaluation(
        options=options,
        documents=len(docs),
        scored=len(universe),
        labelled_only=labelled_only,
        truth_groups=sum(1 for g in truth if len(g) > 1),
        missing_ids=missing,
        skipped=skipped,
        scores=scores,
        clusters=[(cid, [ids[m] for m in g]) for cid, g in zip(cluster_ids, groups, strict=True)],
        false_positives=false_positives,
        false_negatives=false_negatives,
        candidates=len(chosen),
        sweep=sweep,
        sweep_candidates=len(sweep_set),
        lsh_missed=lsh_missed,
        timings=timings,
    )
