"""Which paragraphs correspond: anchors, a chaining DP over groupings in the gaps, then moves.

Works on normalized paragraph texts only. A *grouping* matches ``A[a0:a1]`` to ``B[b0:b1]``
(both non-empty); everything no grouping covers is inserted or deleted.

- **Gain.** A grouping of normalized texts ``X``/``Y`` gains
  ``2 * LCS(X, Y) - t * (len(X) + len(Y))``, that is ``(len(X) + len(Y)) * (similarity - t)``
  with the Indel similarity of rapidfuzz: the similarity weighted by length, and worth taking only
  above ``t``. Each paragraph beyond the first on either side costs :data:`GROUP_COST` characters,
  so a finer grouping wins a tie (two 1-1 matches, not one 2-2).
- **Threshold.** ``t`` is an outlier level of the similarities of unrelated paragraph pairs
  of the same two documents (neighbours within one document): median plus four robust
  standard deviations, see :func:`background_threshold`.
- **Anchors.** Paragraphs equal after normalization and unique on both sides, kept in order
  (longest increasing subsequence), fix the path; the search runs in the gaps between them.
- **Search.** In a gap, rapidfuzz ``cdist`` gives the LCS of every paragraph pair. Groupings
  (1-1; 1-2..1-4, 2-1..4-1, 2-3, 3-2; 1-5..1-10 and 5-1..10-1 for hard-wrapped text) are
  candidates when an upper bound of their gain from those pair values (LCS is subadditive over
  concatenation) beats both zero and their best single pair; only candidates get an exact
  score. The best chain of non-crossing groupings is then found exactly by a sparse DP
  (a Fenwick tree over B positions), in ``O(E log E)`` for ``E`` candidates.
- **Big gaps.** A gap of more than :data:`DENSE_CELLS` pairs is first cut at *fuzzy anchors*:
  pairs sharing several q-grams that occur once on each side, with similarity at least the
  move threshold, mutual best and in order. The search then runs in the blocks between them.
- **Moves.** Left-over paragraphs that match out of order with similarity at least
  ``(1 + t) / 2`` are paired greedily, best first (:mod:`dedup.align.moves`).
"""

from __future__ import annotations

import logging
import random
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import Indel

from .moves import find_moves

log = logging.getLogger(__name__)

GROUP_COST = 1.0
"""Characters of gain a grouping pays for each paragraph beyond one per side: breaks ties
toward finer groupings, yet below ``2 - t``, what one more matched character brings, so even
a one-character fragment of a wrapped paragraph joins its group."""
MAX_THRESHOLD = 0.75
"""Sanity bound on the threshold: a grouping whose LCS covers three quarters of its
characters is always a match, whatever the background (tiny or repetitive documents)."""
DENSE_CELLS = 4096
"""Largest gap (paragraph pairs) searched directly; larger gaps are cut at fuzzy anchors."""
BLOCK_CELLS = 4
"""A big gap is cut at a fuzzy anchor only once the block before it has this many pairs."""
SMALL_CELLS = 16
"""Blocks of at most this many pairs are searched in plain Python (less overhead than numpy)."""
BACKGROUND_SIGMAS = 4.0
"""The threshold stands this many (robust) standard deviations above the median similarity
of unrelated paragraph pairs: an outlier test, since a gap compares many pairs."""
MAX_WRAP = 10
"""Longest 1-L / L-1 grouping (one side hard-wrapped into lines)."""

SHAPES: tuple[tuple[int, int], ...] = (
    ((1, 2), (2, 1), (1, 3), (3, 1), (1, 4), (4, 1), (2, 3), (3, 2))
    + tuple((1, n) for n in range(5, MAX_WRAP + 1))
    + tuple((n, 1) for n in range(5, MAX_WRAP + 1))
)
"""Grouping shapes (A paragraphs, B paragraphs) besides 1-1."""


@dataclass(frozen=True, slots=True)
class Match:
    """``A[a0:a1]`` matched to ``B[b0:b1]`` with Indel similarity ``score``."""

    a0: int
    a1: int
    b0: int
    b1: int
    score: float
    gain: float = 0.0
    moved: bool = False


# --- threshold ---------------------------------------------------------------------------------


def _neighbour_pairs(texts: Sequence[str], limit: int) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for d in (1, 2):
        count = len(texts) - d
        step = max(1, count // limit) if count > 0 else 1
        for i in range(0, max(count, 0), step):
            x, y = texts[i], texts[i + d]
            if x and y and x != y:
                pairs.append((x, y))
    return pairs


def background_threshold(a: Sequence[str], b: Sequence[str], *, limit: int = 48) -> float:
    """Similarity a grouping must beat: an outlier among the scores of unrelated pairs.

    The median plus :data:`BACKGROUND_SIGMAS` robust standard deviations (1.4826 times the
    median absolute deviation) of their similarities, capped at :data:`MAX_THRESHOLD`.

    Unrelated pairs are neighbouring paragraphs (one and two apart) within each document:
    same topic and style, different text, so they score what chance and shared vocabulary
    give (about 0.2 for Chinese news, 0.45 for English). With fewer than eight such pairs,
    each paragraph against a shuffle of its own characters is added (a harsher null: same
    characters, no order).

    >>> round(background_threshold(["甲乙丙丁", "戊己庚辛"], ["甲乙丙丁"]), 2) <= 1.0
    True
    """
    pairs = _neighbour_pairs(a, limit) + _neighbour_pairs(b, limit)
    if len(pairs) < 8:
        rng = random.Random(0)
        for text in list(a) + list(b):
            if len(text) > 1:
                chars = list(text)
                rng.shuffle(chars)
                pairs.append((text, "".join(chars)))
    if not pairs:
        return 0.5
    sims = np.asarray([Indel.normalized_similarity(x, y) for x, y in pairs])
    median = float(np.median(sims))
    sigma = 1.4826 * float(np.median(np.abs(sims - median))) or float(sims.std())
    return min(median + BACKGROUND_SIGMAS * sigma, MAX_THRESHOLD)


# --- anchors -----------------------------------------------------------------------------------


def increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Longest subsequence of ``pairs`` (sorted by first item) increasing in the second."""
    tails: list[int] = []
    tail_idx: list[int] = []
    prev = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        pos = bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_idx.append(k)
        else:
            tails[pos] = j
            tail_idx[pos] = k
        prev[k] = tail_idx[pos - 1] if pos else -1
    out: list[tuple[int, int]] = []
    k = tail_idx[-1] if tail_idx else -1
    while k >= 0:
        out.append(pairs[k])
        k = prev[k]
    return out[::-1]


def exact_anchors(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int]]:
    """Pairs ``(i, j)`` with ``a[i] == b[j]`` unique on both sides, in order on both sides.

    >>> exact_anchors(["x", "y", "z"], ["y", "x", "z"])
    [(0, 1), (2, 2)]
    """
    where_a: dict[str, int] = {}
    seen: set[str] = set()
    for i, text in enumerate(a):
        if text in where_a:
            seen.add(text)
        where_a[text] = i
    where_b: dict[str, int] = {}
    for j, text in enumerate(b):
        if text in where_b:
            seen.add(text)
        where_b[text] = j
    pairs = sorted(
        (i, where_b[text])
        for text, i in where_a.items()
        if text and text not in seen and text in where_b
    )
    return increasing(pairs)


# --- candidates in a block ---------------------------------------------------------------------

FloatArray = npt.NDArray[np.float64]


def _window_max(g: FloatArray, k: int, w: int) -> FloatArray:
    n, m = g.shape
    out = g[: n - k + 1, : m - w + 1].copy()
    for dp in range(k):
        for dq in range(w):
            if dp or dq:
                np.maximum(out, g[dp : dp + n - k + 1, dq : dq + m - w + 1], out=out)
    return out


def block_candidates(
    a: Sequence[str], b: Sequence[str], i0: int, i1: int, j0: int, j1: int, t: float
) -> list[Match]:
    """Every grouping inside ``A[i0:i1] x B[j0:j1]`` that could be part of a best chain."""
    if (i1 - i0) * (j1 - j0) <= SMALL_CELLS:
        return _small_block_candidates(a, b, i0, i1, j0, j1, t)
    xs, ys = a[i0:i1], b[j0:j1]
    la = np.fromiter((len(x) for x in xs), dtype=np.int64, count=len(xs))
    lb = np.fromiter((len(y) for y in ys), dtype=np.int64, count=len(ys))
    dist = process.cdist(xs, ys, scorer=Indel.distance, dtype=np.int64, workers=1)
    total = la[:, None] + lb[None, :]
    lcs = (total - dist) // 2
    gain1 = 2.0 * lcs - t * total
    out: list[Match] = []
    for p, q in zip(*np.nonzero(gain1 > 0), strict=True):
        score = 1.0 - dist[p, q] / total[p, q]
        out.append(Match(i0 + p, i0 + p + 1, j0 + q, j0 + q + 1, score, float(gain1[p, q])))
    n, m = lcs.shape
    prefix = np.zeros((n + 1, m + 1), dtype=np.int64)
    prefix[1:, 1:] = lcs.cumsum(0).cumsum(1)
    ca = np.concatenate(([0], la.cumsum()))
    cb = np.concatenate(([0], lb.cumsum()))
    for k, w in SHAPES:
        if k > n or w > m:
            continue
        window = prefix[k:, w:] - prefix[:-k, w:] - prefix[k:, :-w] + prefix[:-k, :-w]
        len_x = (ca[k:] - ca[:-k])[:, None]
        len_y = (cb[w:] - cb[:-w])[None, :]
        cost = GROUP_COST * (k + w - 2)
        bound = 2.0 * np.minimum(window, np.minimum(len_x, len_y)) - t * (len_x + len_y) - cost
        floor = np.maximum(_window_max(gain1, k, w), 0.0)
        for p, q in zip(*np.nonzero(bound > floor), strict=True):
            x = "".join(xs[p : p + k])
            y = "".join(ys[q : q + w])
            size = len(x) + len(y)
            # gain > floor  <=>  distance < size * (1 - t) - cost - floor
            limit = int(np.ceil(size * (1.0 - t) - cost - floor[p, q])) - 1
            if limit < 0:
                continue
            d = Indel.distance(x, y, score_cutoff=limit)
            gain = (size - d) - t * size - cost
            if d <= limit and gain > floor[p, q]:
                out.append(Match(i0 + p, i0 + p + k, j0 + q, j0 + q + w, 1.0 - d / size, gain))
    return out


def _small_block_candidates(
    a: Sequence[str], b: Sequence[str], i0: int, i1: int, j0: int, j1: int, t: float
) -> list[Match]:
    """:func:`block_candidates` in plain Python, for the many tiny blocks of a big gap."""
    n, m = i1 - i0, j1 - j0
    len_a = [len(x) for x in a[i0:i1]]
    len_b = [len(y) for y in b[j0:j1]]
    lcs = [[0] * m for _ in range(n)]
    gain1 = [[0.0] * m for _ in range(n)]
    out: list[Match] = []
    for p in range(n):
        for q in range(m):
            size = len_a[p] + len_b[q]
            d = Indel.distance(a[i0 + p], b[j0 + q])
            lcs[p][q] = (size - d) // 2
            gain1[p][q] = (size - d) - t * size
            if gain1[p][q] > 0:
                out.append(Match(i0 + p, i0 + p + 1, j0 + q, j0 + q + 1, 1 - d / size, gain1[p][q]))
    for k, w in SHAPES:
        if k > n or w > m:
            continue
        cost = GROUP_COST * (k + w - 2)
        for p in range(n - k + 1):
            len_x = sum(len_a[p : p + k])
            for q in range(m - w + 1):
                len_y = sum(len_b[q : q + w])
                size = len_x + len_y
                if 2.0 * min(len_x, len_y) - t * size - cost <= 0:
                    continue
                rows = range(p, p + k)
                window = sum(sum(lcs[r][q : q + w]) for r in rows)
                bound = 2.0 * min(window, len_x, len_y) - t * size - cost
                floor = max(0.0, max(max(gain1[r][q : q + w]) for r in rows))
                if bound <= floor:
                    continue
                x = "".join(a[i0 + p : i0 + p + k])
                y = "".join(b[j0 + q : j0 + q + w])
                d = Indel.distance(x, y)
                gain = (size - d) - t * size - cost
                if gain > floor:
                    out.append(Match(i0 + p, i0 + p + k, j0 + q, j0 + q + w, 1 - d / size, gain))
    return out


# --- chaining DP -------------------------------------------------------------------------------


def best_chain(candidates: Sequence[Match]) -> list[Match]:
    """The chain of non-crossing groupings with the largest total gain.

    Sparse DP: candidates by A start; a Fenwick tree over B ends gives, for each candidate,
    the best chain that ends before it on both sides.
    """
    if not candidates:
        return []
    cands = sorted(candidates, key=lambda c: (c.a0, c.b0, c.a1, c.b1))
    size = max(c.b1 for c in cands) + 1
    tree: list[tuple[float, int]] = [(0.0, -1)] * (size + 1)

    def update(pos: int, item: tuple[float, int]) -> None:
        pos += 1
        while pos <= size:
            if item > tree[pos]:
                tree[pos] = item
            pos += pos & -pos

    def query(pos: int) -> tuple[float, int]:  # best over ends <= pos
        pos += 1
        best = (0.0, -1)
        while pos > 0:
            if tree[pos] > best:
                best = tree[pos]
            pos -= pos & -pos
        return best

    by_end = sorted(range(len(cands)), key=lambda k: cands[k].a1)
    value = [0.0] * len(cands)
    prev = [-1] * len(cands)
    ptr = 0
    for k, c in enumerate(cands):
        while ptr < len(by_end) and cands[by_end[ptr]].a1 <= c.a0:
            f = by_end[ptr]
            update(cands[f].b1, (value[f], f))
            ptr += 1
        base, prev[k] = query(c.b0)
        value[k] = base + c.gain
    k = max(range(len(cands)), key=lambda e: (value[e], e))
    chain: list[Match] = []
    while k >= 0:
        chain.append(cands[k])
        k = prev[k]
    return chain[::-1]


# --- big gaps ----------------------------------------------------------------------------------


def _qgrams(texts: Sequence[str], q: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """Hashes of every q-gram of every text, with the index of its text (vectorized)."""
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < q:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    count = len(codes) - q + 1
    h = np.zeros(count, dtype=np.uint64)
    for s in range(q):
        h = h * np.uint64(1_000_003) + codes[s : s + count]
    owner = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    inside = owner[:count] == owner[q - 1 :]  # the gram does not cross into the next text
    return h[inside], owner[:count][inside]


def fuzzy_anchors(
    a: Sequence[str], b: Sequence[str], strong: float, *, q: int = 4, votes: int = 3
) -> list[tuple[int, int]]:
    """In-order pairs that share ``votes`` q-grams unique on both sides and score >= ``strong``."""
    ha, oa = _qgrams(a, q)
    hb, ob = _qgrams(b, q)
    ua, ia, ca = np.unique(ha, return_index=True, return_counts=True)
    ub, ib, cb = np.unique(hb, return_index=True, return_counts=True)
    ua, ia = ua[ca == 1], ia[ca == 1]
    ub, ib = ub[cb == 1], ib[cb == 1]
    _, xa, xb = np.intersect1d(ua, ub, assume_unique=True, return_indices=True)
    pa, pb = oa[ia[xa]], ob[ib[xb]]
    keys, count = np.unique(pa * len(b) + pb, return_counts=True)
    keys = keys[count >= votes]
    best_a: dict[int, tuple[float, int]] = {}
    best_b: dict[int, tuple[float, int]] = {}
    for key in keys.tolist():
        i, j = divmod(key, len(b))
        s = Indel.normalized_similarity(a[i], b[j], score_cutoff=strong)
        if s >= strong:
            if (s, -j) > best_a.get(i, (-1.0, 0)):
                best_a[i] = (s, -j)
            if (s, -i) > best_b.get(j, (-1.0, 0)):
                best_b[j] = (s, -i)
    pairs = sorted((i, -mj) for i, (_, mj) in best_a.items() if best_b[-mj][1] == -i)
    return increasing(pairs)


# --- the whole path ----------------------------------------------------------------------------


def _gap_blocks(
    a: Sequence[str], b: Sequence[str], i0: int, i1: int, j0: int, j1: int, strong: float
) -> list[tuple[int, int, int, int]]:
    if (i1 - i0) * (j1 - j0) <= DENSE_CELLS:
        return [(i0, i1, j0, j1)]
    cuts = fuzzy_anchors(a[i0:i1], b[j0:j1], strong)
    log.debug("gap %dx%d cut at %d fuzzy anchors", i1 - i0, j1 - j0, len(cuts))
    blocks: list[tuple[int, int, int, int]] = []
    pi, pj = i0, j0
    for ci, cj in cuts:
        ci, cj = i0 + ci, j0 + cj
        if (ci - pi) * (cj - pj) >= BLOCK_CELLS:  # cut only where a block has grown
            blocks.append((pi, ci + 1, pj, cj + 1))
            pi, pj = ci, cj
    blocks.append((pi, i1, pj, j1))
    return blocks


def match_paragraphs(a: Sequence[str], b: Sequence[str]) -> tuple[list[Match], float]:
    """All groupings (monotonic ones, then moves) of normalized paragraphs, and the threshold.

    >>> matches, t = match_paragraphs(["甲乙丙丁戊", "己庚辛壬癸"], ["甲乙丙丁戊己庚辛壬癸"])
    >>> [(m.a0, m.a1, m.b0, m.b1) for m in matches]
    [(0, 2, 0, 1)]
    """
    anchors = exact_anchors(a, b)
    matches = [Match(i, i + 1, j, j + 1, 1.0) for i, j in anchors]
    bounds = [(-1, -1), *anchors, (len(a), len(b))]
    t: float | None = None
    for (pi, pj), (ni, nj) in zip(bounds, bounds[1:], strict=False):
        i0, i1, j0, j1 = pi + 1, ni, pj + 1, nj
        if i0 >= i1 or j0 >= j1:
            continue
        if t is None:
            t = background_threshold(a, b)
        candidates: dict[tuple[int, int, int, int], Match] = {}
        for block in _gap_blocks(a, b, i0, i1, j0, j1, (1.0 + t) / 2):
            for c in block_candidates(a, b, *block, t):
                candidates.setdefault((c.a0, c.a1, c.b0, c.b1), c)
        matches.extend(best_chain(list(candidates.values())))
    if t is None:
        t = background_threshold(a, b)
    used_a = {i for m in matches for i in range(m.a0, m.a1)}
    used_b = {j for m in matches for j in range(m.b0, m.b1)}
    matches.extend(find_moves(a, b, used_a, used_b, (1.0 + t) / 2))
    return matches, t
