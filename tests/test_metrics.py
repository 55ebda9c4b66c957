"""Pairwise scores and ARI, checked against counts worked out by hand."""

from __future__ import annotations

import pytest

from dedup.metrics import adjusted_rand_index, pairwise_scores

IDS = ["a", "b", "c", "d", "e", "f"]


def test_pairwise_by_hand() -> None:
    # truth pairs: ab ac bc de  (4); predicted pairs: ab ef (2) -> tp 1, fp 1, fn 3
    s = pairwise_scores([["a", "b"], ["e", "f"]], [["a", "b", "c"], ["d", "e"]], IDS)
    assert (s.true_positives, s.false_positives, s.false_negatives) == (1, 1, 3)
    assert s.precision == pytest.approx(1 / 2)
    assert s.recall == pytest.approx(1 / 4)
    assert s.f1 == pytest.approx(2 * 0.5 * 0.25 / 0.75)


def test_ari_by_hand() -> None:
    # contingency of pred {ab}{cd}{e}{f} vs gold {abc}{de}{f}: n_ij -> ab:2 -> 1 pair, rest 1s
    # index = 1; sum_pred = 1+1 = 2; sum_gold = 3+1 = 4; expected = 2*4/15; max = 3
    expected = (1 - 8 / 15) / (3 - 8 / 15)
    ari = adjusted_rand_index([["a", "b"], ["c", "d"]], [["a", "b", "c"], ["d", "e"]], IDS)
    assert ari == pytest.approx(expected)


def test_identical_partitions() -> None:
    groups = [["a", "b"], ["c", "d", "e"]]
    s = pairwise_scores(groups, groups, IDS)
    assert (s.precision, s.recall, s.f1, s.ari) == (1.0, 1.0, 1.0, pytest.approx(1.0))
