"""Accuracy of a clustering against labelled groups: pairwise and cluster scores, and ARI.

Ids missing from every group are singletons. Pairwise scores count unordered pairs of documents
put in one cluster; cluster scores count clusters found exactly (same members, no more, no less);
the adjusted Rand index (Hubert and Arabie) compares the two partitions whole.

>>> s = pairwise_scores([["a", "b", "c"]], [["a", "b"]], ["a", "b", "c", "d"])
>>> round(s.precision, 3), s.recall
(0.333, 1.0)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

__all__ = [
    "ClusterScores",
    "Scores",
    "adjusted_rand_index",
    "cluster_scores",
    "pairs_of",
    "pairwise_scores",
]


@dataclass(frozen=True)
class Scores:
    """Pairwise counts and scores, and the adjusted Rand index."""

    true_positives: int
    false_positives: int
    false_negatives: int
    precision: float
    recall: float
    f1: float
    ari: float


def pairs_of(groups: Iterable[Sequence[str]]) -> set[tuple[str, str]]:
    """Every unordered pair inside each group, as sorted tuples."""
    return {(a, b) if a < b else (b, a) for group in groups for a, b in combinations(group, 2)}


def _labels(groups: Iterable[Sequence[str]], ids: Sequence[str]) -> list[int]:
    label: dict[str, int] = {}
    for n, group in enumerate(groups):
        for member in group:
            label[member] = n
    next_label = len(label) + 1_000_000
    out = []
    for doc_id in ids:
        if doc_id not in label:
            label[doc_id] = next_label
            next_label += 1
        out.append(label[doc_id])
    return out


def _comb2(n: int) -> int:
    return n * (n - 1) // 2


def adjusted_rand_index(
    predicted: Iterable[Sequence[str]], truth: Iterable[Sequence[str]], ids: Sequence[str]
) -> float:
    """ARI of two partitions of ``ids`` given as groups (unlisted ids are singletons)."""
    pred = _labels(predicted, ids)
    gold = _labels(truth, ids)
    n = len(ids)
    if n < 2:
        return 1.0
    index = sum(_comb2(c) for c in Counter(zip(pred, gold, strict=True)).values())
    sum_pred = sum(_comb2(c) for c in Counter(pred).values())
    sum_gold = sum(_comb2(c) for c in Counter(gold).values())
    expected = sum_pred * sum_gold / _comb2(n)
    maximum = (sum_pred + sum_gold) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)


def pairwise_scores(
    predicted: Iterable[Sequence[str]], truth: Iterable[Sequence[str]], ids: Sequence[str]
) -> Scores:
    """Pairwise precision, recall, F1 of ``predicted`` groups against ``truth``, plus ARI."""
    predicted = [list(g) for g in predicted]
    truth = [list(g) for g in truth]
    found, gold = pairs_of(predicted), pairs_of(truth)
    tp = len(found & gold)
    fp = len(found - gold)
    fn = len(gold - found)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(tp, fp, fn, precision, recall, f1, adjusted_rand_index(predicted, truth, ids))


@dataclass(frozen=True)
class ClusterScores:
    """Exact-match cluster scores: groups of two or more found with exactly their members."""

    matched: int
    """Predicted clusters equal to a true group."""
    predicted: int
    """Predicted clusters of two or more members."""
    truth: int
    """True groups of two or more members."""
    precision: float
    """``matched / predicted``: the share of reported clusters that are exactly right."""
    recall: float
    """``matched / truth``: the share of true groups found whole and alone."""


def cluster_scores(
    predicted: Iterable[Sequence[str]], truth: Iterable[Sequence[str]]
) -> ClusterScores:
    """Cluster precision and recall: a cluster counts only when its members equal a true group.

    Groups of one member are singletons and count on neither side; with nothing to find or
    nothing reported the score is 1.0.

    >>> s = cluster_scores([["a", "b"], ["c", "d", "e"]], [["a", "b"], ["c", "d"]])
    >>> s.precision, s.recall
    (0.5, 0.5)
    """
    found = {frozenset(g) for g in predicted if len(set(g)) > 1}
    gold = {frozenset(g) for g in truth if len(set(g)) > 1}
    matched = len(found & gold)
    return ClusterScores(
        matched=matched,
        predicted=len(found),
        truth=len(gold),
        precision=matched / len(found) if found else 1.0,
        recall=matched / len(gold) if gold else 1.0,
    )
