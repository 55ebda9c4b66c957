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

from bench.align.generate import Pair, generate, make_pair
from bench.align.score import Counts, score_pair
from bench.corpus import pseudo_articles
from dedup.align import Alignment, align
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
    order = ["all", "seed", "tang", "news"] + sorted(t for t in sizes if t not in ("all", "seed", "tang", "news"))
    for tag in order:
        if tag in sizes:
            print(_row(tag, sizes[tag], by[tag]))
    return by["all"]


def speed(paragraphs: int = 300, repeat: int = 21, seed: int = 1) -> None:
    """Median time to align two versions of one 300-paragraph article."""
    import opencc

    t2s, s2t = opencc.OpenCC("t2s"), opencc.OpenCC("s2t")
    (units,) = list(pseudo_articles(paragraphs_per_doc=paragraphs, limit=1))
    others = [u for art in pseudo_articles(12, limit=60) for u in art][-100:]
    print()
    print("| case (300 paragraphs)                 | median ms, align only | median ms, with segmentation |")
    print("|---------------------------------------|-----------------------|------------------------------|")
    rng = random.Random(seed)
    cases = {}
    while len(cases) < 2:
        pair = make_pair("speed", units, others, rng, latin=False, t2s=t2s, s2t=s2t)
        noisy = any(c.startswith("noise") for c in pair.changes)
        key = "noise on every paragraph" if noisy else "edits, no noise"
        cases.setdefault(key, pair)
    for key, pair in sorted(cases.items()):
        pa, pb = segment(pair.a), segment(pair.b)
        only, full = [], []
        for _ in range(repeat):
            t0 = time.perf_counter()
            align(pair.a, pair.b, a_paragraphs=pa, b_paragraphs=pb)
            t1 = time.perf_counter()
            align(pair.a, pair.b)
            t2 = time.perf_counter()
            only.append(t1 - t0)
            full.append(t2 - t1)
        label = f"{key} ({len(pa)} vs {len(pb)})"
        print(
            f"| {label:<37} | {statistics.median(only) * 1000:>21.1f} "
            f"| {statistics.median(full) * 1000:>28.1f} |"
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
