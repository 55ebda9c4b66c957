"""Large generated Chinese corpora with labelled near-duplicates, written as a stream.

Like :mod:`bench.corpus` (whose ``mutate`` makes the duplicates), but each base article is a
random draw of Tang poems rather than a run of consecutive ones, so there is no limit to the
number of distinct articles, and nothing is held in memory but a shuffle window.

    python -m bench.peers.corpus --docs 100000 --chars 2000 --out bench/out/zh-100k.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from bench.corpus import mutate, tang_poems

_WINDOW = 20_000  # documents shuffled together


def generate(
    out: Path, docs: int, chars: int = 2000, dup_share: float = 0.3, seed: int = 0
) -> tuple[int, int]:
    """Write ``docs`` documents of about ``chars`` characters to ``out`` (JSON lines) and the
    truth groups to ``out.truth.json``; return (documents, groups)."""
    import opencc

    t2s = opencc.OpenCC("t2s")
    rng = random.Random(seed)
    poems = list(tang_poems())
    mean = sum(map(len, poems[:5000])) / 5000
    per_doc = max(1, round(chars / mean))
    ratio = dup_share / (1 - dup_share)  # duplicates per base document
    first = (1 + 2 * ratio) ** 0.5 - 1  # solves x + x^2 / 2 = ratio
    groups: list[list[str]] = []
    window: list[str] = []
    written = 0
    n_base = 0
    n_dup = 0
    with out.open("w", encoding="utf-8") as handle:

        def emit(doc_id: str, text: str) -> None:
            nonlocal written
            window.append(json.dumps({"id": doc_id, "text": text}, ensure_ascii=False))
            written += 1
            if len(window) >= _WINDOW:
                flush()

        def flush() -> None:
            rng.shuffle(window)
            handle.write("\n".join(window) + "\n")
            window.clear()

        while written < docs:
            size = rng.randint(max(1, per_doc // 2), per_doc * 3 // 2)
            paragraphs = [rng.choice(poems) for _ in range(size)]
            base_id = f"b{n_base:07d}"
            n_base += 1
            emit(base_id, "\n".join(paragraphs))
            group = [base_id]
            # 1 or 2 duplicates with probabilities x and x^2/2: dup_share of all documents
            while written < docs and rng.random() < first / len(group):
                doc_id = f"d{n_dup:07d}"
                n_dup += 1
                emit(doc_id, mutate(paragraphs, rng, t2s))
                group.append(doc_id)
                if len(group) == 3:
                    break
            if len(group) > 1:
                groups.append(group)
        if window:
            flush()
    truth = out.with_suffix(".truth.json")
    truth.write_text(json.dumps({"groups": groups}, ensure_ascii=False), encoding="utf-8")
    return written, len(groups)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--chars", type=int, default=2000)
    parser.add_argument("--dup-share", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    docs, groups = generate(args.out, args.docs, args.chars, args.dup_share, args.seed)
    print(f"{docs} documents, {groups} duplicate groups -> {args.out}")


if __name__ == "__main__":
    main()
