"""How dedup scales: wall time and peak memory of the pipeline on a big generated corpus.

    python -m bench.scale --docs 1000000 --chars 2000      # generates bench/out/zh-1m.jsonl once
    python -m bench.scale --input bench/out/zh-100k.jsonl

Runs what ``dedupe run`` runs up to the clusters (reports off), on every core, in a child
process whose process tree is sampled for resident memory (RSS, the sum over the tree, and
PSS, which counts pages shared by the forked workers once).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from .peers.corpus import generate
from .peers.run import ROOT, TOOLS_DIR, measure


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--input", type=Path)
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--chars", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args()
    corpus = args.input or ROOT / "bench" / "out" / f"zh-{args.docs // 1000}k.jsonl"
    if not corpus.exists():
        generate(corpus, args.docs, args.chars, seed=1)
    out = ROOT / "bench" / "out" / f"scale-{corpus.stem}.json"
    command = [
        sys.executable,
        str(TOOLS_DIR / "dedupe_peer.py"),
        "--input",
        str(corpus),
        "--out",
        str(out),
        "--workers",
        str(args.workers),
    ]
    env = {**os.environ, "PYTHONPATH": f"{TOOLS_DIR}:{ROOT}"}
    seconds, rss, code, err = measure(command, env, timeout=24 * 3600)
    if code != 0:
        raise SystemExit(f"failed: {err}")
    data = json.loads(out.read_text(encoding="utf-8"))
    docs = sum(1 for _ in corpus.open(encoding="utf-8"))
    size = corpus.stat().st_size
    print(
        json.dumps(
            {
                "corpus": str(corpus),
                "documents": docs,
                "megabytes": round(size / 1e6, 1),
                "workers": args.workers,
                "wall_seconds": round(seconds, 1),
                "peak_tree_rss_mb": round(rss / 2**20, 1),
                "clusters": len(data["clusters"]),
                "timings": data.get("timings"),
                "load_average": os.getloadavg()[0],
                "measured": time.strftime("%Y-%m-%d %H:%M"),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
