"""Time and peak memory of ``dedupe spark`` in local mode beside ``dedupe run``, same corpus.

    python -m bench.spark                                   # bench/out/zh-100k.jsonl (made once)
    python -m bench.spark --input corpus.jsonl --master 'local[2]' --reports all
    python -m bench.spark --head 20000                      # the first 20,000 documents only

``--reports records`` (default) stops at the record files: ``dedupe spark --no-alignments``
against the pipeline with the same record writers (``bench.spark.reference``).
``--reports all`` adds the per-cluster alignments and merges: ``dedupe spark`` against
``dedupe run --no-html``. Each command runs in a child process whose process tree (the JVM
and the Python workers for Spark) is sampled for resident memory and CPU time (see
:mod:`bench.spark.measure`). The record files of both are then compared byte for byte.
Results go to stdout and ``bench/out/spark-<corpus>-<reports>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

from bench.peers.corpus import generate
from bench.peers.run import ROOT

from .measure import measure

RECORDS = ("clusters", "pairs", "deduplicated", "removed")


def _parts(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.glob("part-*")))


def _timings(summary: Path) -> dict[str, float]:
    data = json.loads(summary.read_text(encoding="utf-8"))
    return data.get("timings_seconds", {})


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--input", type=Path)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--chars", type=int, default=2000)
    parser.add_argument("--head", type=int, help="use only the first N documents of the corpus")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--partitions", type=int, default=16)
    parser.add_argument("--driver-memory", default="4g")
    parser.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--reports", choices=["records", "all"], default="records")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out" / "spark-work")
    args = parser.parse_args()

    corpus = args.input or ROOT / "bench" / "out" / f"zh-{args.docs // 1000}k.jsonl"
    if not corpus.exists():
        generate(corpus, args.docs, args.chars, seed=1)
    if args.head:
        head = corpus.with_name(f"{corpus.stem}-head{args.head // 1000}k.jsonl")
        with corpus.open(encoding="utf-8") as source, head.open("w", encoding="utf-8") as out:
            out.writelines(line for _, line in zip(range(args.head), source, strict=False))
        corpus = head
    ours, theirs = args.work / "spark", args.work / "run"
    for folder in (ours, theirs):
        shutil.rmtree(folder, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    dedupe = str(Path(sys.executable).with_name("dedupe"))

    if args.reports == "all":
        reference = [dedupe, "run", str(corpus), "--out", str(theirs), "--no-html", "--timings"]
    else:
        reference = [sys.executable, "-m", "bench.spark.reference", str(corpus), str(theirs)]
    spark = [
        dedupe, "spark", str(corpus), "--out", str(ours), "--master", args.master,
        "--partitions", str(args.partitions), "--driver-memory", args.driver_memory,
        "--timings", "-q",
    ]  # fmt: skip
    if args.reports == "records":
        spark.append("--no-alignments")
    for setting in args.conf:
        spark += ["--conf", setting]

    rows = {}
    for name, command in (("dedupe run", reference), ("dedupe spark", spark)):
        load = os.getloadavg()[0]
        run = measure(command, env, timeout=24 * 3600)
        if run.returncode != 0:
            raise SystemExit(f"{name} failed: {run.stderr_tail}")
        summary = (ours if name == "dedupe spark" else theirs) / "summary.json"
        rows[name] = {
            "wall_seconds": round(run.wall_seconds, 1),
            "cpu_seconds": round(run.cpu_seconds, 1),
            "peak_tree_rss_mb": round(run.peak_rss_bytes / 2**20, 1),
            "timings": _timings(summary),
            "load_average_at_start": round(load, 2),
        }
        print(name, json.dumps(rows[name]), flush=True)

    equal = {
        name: _parts(ours / name) == (theirs / f"{name}.jsonl").read_bytes() for name in RECORDS
    }
    summary = json.loads((theirs / "summary.json").read_text(encoding="utf-8"))
    report = {
        "corpus": str(corpus),
        "documents": summary["documents"]["read"],
        "megabytes": round(corpus.stat().st_size / 1e6, 1),
        "clusters": summary["clusters"],
        "candidate_pairs": summary["candidate_pairs"],
        "reports": args.reports,
        "master": args.master,
        "partitions": args.partitions,
        "driver_memory": args.driver_memory,
        "conf": args.conf,
        "cores": len(os.sched_getaffinity(0)),
        "runs": rows,
        "records_equal": equal,
        "measured": time.strftime("%Y-%m-%d %H:%M"),
    }
    out = ROOT / "bench" / "out" / f"spark-{corpus.stem}-{args.reports}.json"
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
