"""Run the alignment benchmark: accuracy on generated pairs, then speed on a long article.

python -m bench.align                 # 600 pairs, table by source and by change
python -m bench.align --pairs 100 --no-speed
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

if __package__ in (None, ""):  # run as a script: bench/align/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from bench.align.generate import _HALF, Pair, _layout, _noise, generate
from bench.align.score import Counts, score_pair
from bench.corpus import pseudo_articles
from dedup.align import Alignment, align
from dedup.align.chars import _classify
from dedup.segment import paragraphs as segment


def groupings(alignment: Alignment) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    return [(op.a, op.b) for op in alignment.ops]


def _row(name: str, n: int, c: dict[str, Counts]) -> str:
    s, lx, u = c["strict"], c["lax"], c["unmatched"]
    return (
        f"| {name:<12} | {n:>5} | {s.precision:.4f} | {s.recall:.4f} | {s.f1:.4f} "
        f"| {lx.precision:.4f} | {lx.recall:.4f} | {lx.f1:.4f} | {u.f1:.4f} |"
    )


def accuracy(pairs: list[Pair], show_errors: int) -> dict[str, Counts]:
    by: dict[str, dict[str, Counts]] = defaultdict(
        lambda: {"strict": Counts(), "lax": Counts(), "unmatched": Counts()}
    )
    sizes: dict[str, int] = defaultdict(int)
    shown = 0
    for pair in pairs:
        result = align(pair.a, pair.b)
        counts = score_pair(pair.gold, groupings(result))
        source = pair.name.rstrip("0123456789")
        tags = ["all", source] + [c.rstrip("0123456789") for c in pair.changes]
        for tag in tags:
            sizes[tag] += 1
            for key, value in counts.items():
                by[tag][key].add(value)
        if counts["strict"].f1 < 1.0 and shown < show_errors:
            shown += 1
            gold = sorted(set(pair.gold) - set(groupings(result)))
            test = sorted(set(groupings(result)) - set(pair.gold))
            print(f"{pair.name} {pair.changes}: missed {gold[:6]} got {test[:6]}", file=sys.stderr)
    head = (
        "| subset       | pairs | strict P | strict R | strict F1 | lax P  | lax R  "
        "| lax F1 | ins/del F1 |"
    )
    print(head)
    print("|" + "|".join("-" * (len(part)) for part in head.split("|")[1:-1]) + "|")
    order = ["all", "seed", "tang", "news"] + sorted(
        t for t in sizes if t not in ("all", "seed", "tang", "news")
    )
    for tag in order:
        if tag in sizes:
            print(_row(tag, sizes[tag], by[tag]))
    return by["all"]


def _speed_pairs(units: list[str], others: list[str], seed: int) -> dict[str, tuple[str, str]]:
    """Two versions of one long article: typical edits, and noise on every paragraph."""
    rng = random.Random(seed)
    a_text, _ = _layout([(f"u{k}", u) for k, u in enumerate(units)], "newline", 0, False)
    typical = [(f"u{k}", u.translate(_HALF)) for k, u in enumerate(units)]
    for k in rng.sample(range(len(typical)), len(typical) // 20):
        typical[k] = (typical[k][0], _noise(typical[k][1], 0.02, rng, False))
    del typical[rng.randrange(len(typical))]
    del typical[rng.randrange(len(typical))]
    typical.insert(rng.randrange(len(typical)), ("x0", others[0]))
    typical.insert(rng.randrange(len(typical)), ("x1", others[1]))
    typical.insert(rng.randrange(len(typical)), typical.pop(rng.randrange(len(typical))))
    noisy = [(f"u{k}", _noise(u, 0.02, rng, False)) for k, u in enumerate(units)]
    return {
        "typical: width, edits, ins/del/move": (a_text, _layout(typical, "newline", 0, False)[0]),
        "2% noise on every paragraph": (a_text, _layout(noisy, "newline", 0, False)[0]),
    }


def speed(paragraphs: int = 300, repeat: int = 21, seed: int = 1) -> None:
    """Median time to align two versions of one 300-paragraph article."""
    (units,) = list(pseudo_articles(paragraphs_per_doc=paragraphs, limit=1))
    others = [u for art in pseudo_articles(12, limit=60) for u in art][-2:]
    print()
    print("| versions of one article               | paragraphs | align ms (median) |", end="")
    print(" with segmentation |")
    print("|---------------------------------------|------------|-------------------|", end="")
    print("-------------------|")
    for key, (a, b) in _speed_pairs(units, others, seed).items():
        pa, pb = segment(a), segment(b)
        only, full = [], []
        for _ in range(repeat):
            _classify.cache_clear()  # time each call cold: no hunk kinds left from the last
            t0 = time.perf_counter()
            align(a, b, a_paragraphs=pa, b_paragraphs=pb)
            t1 = time.perf_counter()
            _classify.cache_clear()
            align(a, b)
            t2 = time.perf_counter()
            only.append(t1 - t0)
            full.append(t2 - t1)
        print(
            f"| {key:<37} | {len(pa):>4} / {len(pb):<3} | {statistics.median(only) * 1000:>17.1f} "
            f"| {statistics.median(full) * 1000:>17.1f} |"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=600)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show-errors", type=int, default=0, help="print the first N misses")
    parser.add_argument("--no-speed", action="store_true")
    args = parser.parse_args(argv)
    pairs = generate(args.pairs, args.seed)
    accuracy(pairs, args.show_errors)
    if not args.no_speed:
        speed()


if __name__ == "__main__":
    main()
