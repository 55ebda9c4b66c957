"""Moved paragraphs: what the monotonic path left over, matched out of order.

A paragraph left unmatched on one side is paired with a paragraph, or a run of consecutive
unmatched paragraphs (a moved paragraph that was also hard-wrapped or split), on the other
side when their similarity reaches ``strong``. Candidates are taken greedily, best first,
each paragraph at most once. Windows of a run are scored exactly only when an upper bound
from the pairwise LCS values (LCS is subadditive over concatenation) can reach ``strong``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Indel

if TYPE_CHECKING:
    from .path import Match

MAX_RUN = 10
"""Longest run of paragraphs one moved paragraph may be grouped with."""


def _runs(free: list[int]) -> list[list[int]]:
    """Consecutive stretches of ``free`` positions (indices into ``free``)."""
    runs: list[list[int]] = []
    for k, idx in enumerate(free):
        if runs and free[runs[-1][-1]] == idx - 1:
            runs[-1].append(k)
        else:
            runs.append([k])
    return runs


def _windows(
    one: Sequence[str], many: Sequence[str], free_one: list[int], free_many: list[int],
    lcs: np.ndarray, strong: float,
) -> list[tuple[float, int, int, int]]:  # fmt: skip
    """(score, one index, first, last+1 of many) for runs of 2+ paragraphs reaching ``strong``."""
    out: list[tuple[float, int, int, int]] = []
    for run in _runs(free_many):
        for start in range(len(run)):
            for stop in range(start + 2, min(len(run), start + MAX_RUN) + 1):
                cols = run[start:stop]
                length_many = sum(len(many[free_many[c]]) for c in cols)
                for p, i in enumerate(free_one):
                    size = len(one[i]) + length_many
                    bound = min(int(lcs[p, cols].sum()), len(one[i]), length_many)
                    if 2 * bound < strong * size:
                        continue
                    text = "".join(many[free_many[c]] for c in cols)
                    score = Indel.normalized_similarity(one[i], text, score_cutoff=strong)
                    if score >= strong:
                        out.append((score, i, free_many[cols[0]], free_many[cols[-1]] + 1))
    return out


def find_moves(
    a: Sequence[str], b: Sequence[str], used_a: set[int], used_b: set[int], strong: float
) -> list[Match]:
    """Left-over paragraphs that match out of order with similarity >= ``strong``."""
    from .path import Match

    free_a = [i for i in range(len(a)) if i not in used_a and a[i]]
    free_b = [j for j in range(len(b)) if j not in used_b and b[j]]
    if not free_a or not free_b:
        return []
    xs, ys = [a[i] for i in free_a], [b[j] for j in free_b]
    dist = process.cdist(xs, ys, scorer=Indel.distance, dtype=np.int64, workers=1)
    la = np.array([len(x) for x in xs], dtype=np.int64)
    lb = np.array([len(y) for y in ys], dtype=np.int64)
    total = la[:, None] + lb[None, :]
    lcs = (total - dist) // 2
    # (score, a0, a1, b0, b1)
    found: list[tuple[float, int, int, int, int]] = []
    rows, cols = np.nonzero(2 * lcs >= strong * total)
    for p, q in zip(rows.tolist(), cols.tolist(), strict=True):
        found.append(
            (1.0 - dist[p, q] / total[p, q], free_a[p], free_a[p] + 1, free_b[q], free_b[q] + 1)
        )
    for score, i, j0, j1 in _windows(a, b, free_a, free_b, lcs, strong):
        found.append((score, i, i + 1, j0, j1))
    for score, j, i0, i1 in _windows(b, a, free_b, free_a, lcs.T, strong):
        found.append((score, i0, i1, j, j + 1))
    found.sort(key=lambda f: (-f[0], f[1], f[3], f[2], f[4]))
    taken_a: set[int] = set()
    taken_b: set[int] = set()
    moves: list[Match] = []
    for score, a0, a1, b0, b1 in found:
        span_a, span_b = set(range(a0, a1)), set(range(b0, b1))
        if span_a & taken_a or span_b & taken_b:
            continue
        taken_a |= span_a
        taken_b |= span_b
        moves.append(Match(a0, a1, b0, b1, score, moved=True))
    return moves
