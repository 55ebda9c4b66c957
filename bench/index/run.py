"""Build a persistent index from generated documents; measure adds, queries and recall.

    python -m bench.index --docs 100000                       # SQLite, in --out
    python -m bench.index --docs 1000000 --workers 2
    python -m bench.index --docs 100000 --backend redis       # starts a private redis-server
    python -m bench.index --docs 1000000 --query-only         # queries again on that index

Add throughput is wall time of ``add_many`` over every document, normalization and signatures
included. Query latency is one ``query(text)`` call, sketching included, for two kinds of query:
the injected near-duplicates (hits) and documents not in the index (misses); ``check_and_add``
latency is measured on new documents. Recall: the share of injected near-duplicates whose exact
Jaccard similarity to their source reaches the index threshold and whose query returns the
source among its matches, by similarity band.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

if __package__ in (None, ""):  # run as a script: bench/index/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from bench.index.generate import Corpus
from dedup.cluster import overlap
from dedup.index import Index
from dedup.sketch import sketch


def percentiles(seconds: list[float], cpu: list[float]) -> dict[str, float]:
    """Wall-clock latency percentiles, and this process's CPU time per call (which waiting
    for a core on a busy machine does not inflate)."""
    ms, cpu_ms = np.array(seconds) * 1000, np.array(cpu) * 1000
    return {
        "n": len(seconds),
        "p50_ms": round(float(np.percentile(ms, 50)), 3),
        "p90_ms": round(float(np.percentile(ms, 90)), 3),
        "p99_ms": round(float(np.percentile(ms, 99)), 3),
        "max_ms": round(float(ms.max()), 3),
        "cpu_p50_ms": round(float(np.percentile(cpu_ms, 50)), 3),
        "cpu_p99_ms": round(float(np.percentile(cpu_ms, 99)), 3),
    }


class Timer:
    """Wall and CPU time of a block of calls, appended to two lists."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def __enter__(self) -> Timer:
        self._t, self._c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_: object) -> None:
        self.wall.append(time.perf_counter() - self._t)
        self.cpu.append(time.process_time() - self._c)


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the add_many workers)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def start_redis() -> tuple[str, Any]:
    """A private redis-server on a free loopback port; its URL and a stopper."""
    folder = tempfile.mkdtemp(prefix="bench-redis-")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    pidfile = os.path.join(folder, "redis.pid")
    subprocess.run(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--daemonize", "yes", "--pidfile", pidfile, "--dir", folder],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(200):
        if os.path.exists(pidfile):
            break
        time.sleep(0.05)
    time.sleep(0.2)

    def stop() -> None:
        os.kill(int(Path(pidfile).read_text()), signal.SIGTERM)
        shutil.rmtree(folder, ignore_errors=True)

    return f"redis://127.0.0.1:{port}/0", stop


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--backend", choices=["sqlite", "redis"], default="sqlite")
    parser.add_argument("--redis-url", help="use this server instead of starting one")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "index-bench")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--dup-share", type=float, default=0.01)
    parser.add_argument("--dup-queries", type=int, default=10_000, help="at most this many")
    parser.add_argument("--fresh-queries", type=int, default=2000)
    parser.add_argument("--checks", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--query-only", action="store_true", help="measure queries on the index a run left"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    corpus = Corpus(seed=args.seed, share=args.dup_share)
    t0 = time.perf_counter()
    docs = [corpus.doc(i) for i in range(args.docs)]
    generated = time.perf_counter() - t0
    duplicates = [d for d in docs if d.source is not None]
    print(f"{len(docs)} documents generated in {generated:.0f} s, {len(duplicates)} injected "
          "near-duplicates", flush=True)  # fmt: skip

    stop = None
    if args.backend == "sqlite":
        path = args.out / f"index-{args.docs}.sqlite"
        for suffix in ("", "-wal", "-shm"):
            if not args.query_only:
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        target = str(path)
    else:
        if args.redis_url:
            base = args.redis_url
        else:
            base, stop = start_redis()
        target = f"{base}?prefix=bench{args.docs}-{args.seed}:"

    try:
        summary = measure(target, docs, duplicates, corpus, args)
    finally:
        if stop is not None:
            stop()
    summary["generation_s"] = round(generated, 1)
    summary["load_average"] = [round(x, 1) for x in os.getloadavg()]
    kind = "queries" if args.query_only else "summary"
    out = args.out / f"{kind}-{args.backend}-{args.docs}.json"
    out.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    print(f"-> {out}")


def measure(
    target: str, docs: list[Any], duplicates: list[Any], corpus: Corpus, args: Any
) -> dict[str, Any]:
    with Index.open(target, create=not args.query_only) as index:
        added = None if args.query_only else measure_adds(index, docs, args)
        summary = measure_queries(index, docs, duplicates, corpus, args)
        stats = index.stats()
    return {
        "backend": stats["backend"],
        "documents": len(docs),
        "workers": args.workers,
        "batch_size": args.batch_size,
        "bands_rows": [stats["bands"], stats["rows"]],
        "add": added,
        **summary,
        "store": {k: v for k, v in stats.items() if k.endswith("_bytes") or k == "redis_version"},
    }


def measure_adds(index: Index, docs: list[Any], args: Any) -> dict[str, Any]:
    """Wall and CPU time of add_many over every document."""
    marks: list[tuple[int, float]] = []
    t0, c0 = time.perf_counter(), cpu_seconds()
    index.add_many(
        ((d.id, d.text) for d in docs),
        batch_size=args.batch_size,
        workers=args.workers,
        progress=lambda done, _: marks.append((done, time.perf_counter())),
    )
    add_s = time.perf_counter() - t0
    add_cpu = cpu_seconds() - c0
    tail = [(n, t) for n, t in marks if n >= 0.9 * len(docs)]
    before = [(n, t) for n, t in marks if n < 0.9 * len(docs)] or [(0, t0)]
    tail_rate = (tail[-1][0] - before[-1][0]) / (tail[-1][1] - before[-1][1])
    print(f"added in {add_s:.0f} s: {len(docs) / add_s:.0f} documents/s", flush=True)
    return {
        "seconds": round(add_s, 1),
        "documents_per_s": round(len(docs) / add_s),
        "last_10pct_documents_per_s": round(tail_rate),
        "cpu_seconds": round(add_cpu, 1),
        "cpu_ms_per_document": round(add_cpu / len(docs) * 1000, 3),
    }


def measure_queries(
    index: Index, docs: list[Any], duplicates: list[Any], corpus: Corpus, args: Any
) -> dict[str, Any]:
    """Latency of queries (near-duplicates, documents not indexed), of check_and_add on new
    documents, and recall of the injected near-duplicates."""
    options = index.options
    start = len(index)

    rng = random.Random(args.seed)
    sample = sorted(rng.sample(duplicates, min(args.dup_queries, len(duplicates))),
                    key=lambda d: d.index)  # fmt: skip
    hits_timer, found, similarities = Timer(), [], []
    for d in sample:
        with hits_timer:
            matches = index.query(d.text)
        found.append(f"d{d.source:07d}" in {m.id for m in matches})
        a = sketch(d.text, options).shingles
        b = sketch(corpus.base_text(d.source), options).shingles
        similarities.append(overlap(a, b)[0])

    misses_timer = Timer()
    fresh = [corpus.base_text(len(docs) + q) for q in range(args.fresh_queries)]
    for text in fresh:
        with misses_timer:
            index.query(text)

    checks_timer, new = Timer(), 0
    for q in range(args.checks):
        text = corpus.base_text(start + args.fresh_queries + q)
        with checks_timer:
            new += index.check_and_add(f"c{start}-{q}", text).new

    threshold = options.threshold
    sims = np.array(similarities)
    hits = np.array(found)
    bands = {}
    for lo, hi in ((threshold, 0.8), (0.8, 0.9), (0.9, 1.0000001)):
        inside = (sims >= lo) & (sims < hi)
        bands[f"[{lo:.1f}, {min(hi, 1.0):.1f}{']' if hi > 1 else ')'}"] = {
            "n": int(inside.sum()),
            "recall": round(float(hits[inside].mean()), 4) if inside.any() else None,
        }
    eligible = sims >= threshold
    return {
        "query_near_duplicate": percentiles(hits_timer.wall, hits_timer.cpu),
        "query_not_indexed": percentiles(misses_timer.wall, misses_timer.cpu),
        "check_and_add_new": {**percentiles(checks_timer.wall, checks_timer.cpu), "new": new},
        "recall": {
            "injected": len(duplicates),
            "queried": len(sample),
            "at_or_above_threshold": int(eligible.sum()),
            "below_threshold": int((~eligible).sum()),
            "recall_at_or_above_threshold": round(float(hits[eligible].mean()), 4),
            "by_similarity": bands,
            "found_below_threshold": int(hits[~eligible].sum()),
        },
    }


if __name__ == "__main__":
    main()
