"""Measure the shingle sizes: pairwise precision/recall/F1 for each n-gram size.

CJK character n-grams on a generated Chinese corpus (bench.corpus: Tang-poem articles with labelled
near-duplicates), word n-grams on the 20 Newsgroups posts with their labelled cross-posts.

    python -m bench.ngram [--cjk-docs 3000] [--news-docs 20000]
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

from dedup import Options, run
from dedup.metrics import pairwise_scores

from .corpus import DATA, generate


def _score(docs: list[tuple[str, str]], truth: list[list[str]], options: Options) -> str:
    started = time.perf_counter()
    result = run(docs, options)
    seconds = time.perf_counter() - started
    s = pairwise_scores([list(c.members) for c in result.clusters], truth, [d for d, _ in docs])
    return (
        f"{s.precision:9.4f} {s.recall:9.4f} {s.f1:9.4f} {s.ari:9.4f} "
        f"{s.false_positives:6d} {s.false_negatives:6d} {seconds:8.1f}"
    )


def newsgroups(limit: int) -> tuple[list[tuple[str, str]], list[list[str]]]:
    docs = []
    with gzip.open(DATA / "newsgroups.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            docs.append((record["id"], record["text"]))
            if len(docs) >= limit:
                break
    ids = {d for d, _ in docs}
    truth = json.loads(Path(DATA / "newsgroups-truth.json").read_text(encoding="utf-8"))["groups"]
    truth = [[m for m in g if m in ids] for g in truth]
    return docs, [g for g in truth if len(g) > 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cjk-docs", type=int, default=3000)
    parser.add_argument("--news-docs", type=int, default=20000)
    parser.add_argument("--cjk", default="2,3,4,5,6,7")
    parser.add_argument("--words", default="1,2,3,4,5")
    args = parser.parse_args()
    print(
        f"{'corpus':12} {'n':>2} {'precision':>9} {'recall':>9} {'F1':>9} {'ARI':>9} "
        f"{'FP':>6} {'FN':>6} {'seconds':>8}"
    )
    docs, truth = generate(args.cjk_docs, seed=1)
    for n in (int(x) for x in args.cjk.split(",")):
        print(f"{'generated-zh':12} {n:2d} {_score(docs, truth, Options(cjk_ngram=n))}", flush=True)
    docs, truth = newsgroups(args.news_docs)
    for n in (int(x) for x in args.words.split(",")):
        print(f"{'newsgroups':12} {n:2d} {_score(docs, truth, Options(word_ngram=n))}", flush=True)


if __name__ == "__main__":
    main()
