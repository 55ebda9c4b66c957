"""``dedupe run`` up to its record files (clusters, pairs, deduplicated, removed, summary), without
the per-cluster alignments: what ``dedupe spark --no-alignments`` writes, for the benchmark.

    python -m bench.spark.reference INPUT OUT
"""

from __future__ import annotations

import sys
from pathlib import Path

from dedup.io import read_documents
from dedup.pipeline import run
from dedup.report import jsonl
from dedup.report.files import write_json, write_jsonl


def main() -> None:
    source, out = sys.argv[1], Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    result = run(read_documents([source]))
    write_jsonl(out / "clusters.jsonl", jsonl.cluster_records(result))
    write_jsonl(out / "pairs.jsonl", (jsonl.pair_record(result, p) for p in result.pairs))
    write_jsonl(out / "deduplicated.jsonl", jsonl.deduplicated_records(result))
    write_jsonl(out / "removed.jsonl", jsonl.removed_records(result))
    write_json(out / "summary.json", jsonl.summary(result, timings=True))


if __name__ == "__main__":
    main()
