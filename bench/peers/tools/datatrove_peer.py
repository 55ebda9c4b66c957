"""datatrove's MinHash deduplication: signatures, buckets and clusters (stages 1-3) with the
local executor, the input sharded into one file per worker (datatrove parallelises by file).

datatrove bands 14 buckets of 8 hashes (its default; 112 hashes) unless ``--num-perm`` divides
into 8-hash buckets. Its word n-grams need a word tokenizer: ``--variant cmn_Hani`` (jieba, the
Chinese one), ``zh`` (falls back to splitting at punctuation) or ``en`` for English.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import struct
import time

from _common import arguments, write


def main() -> None:
    args = arguments(__doc__)
    started = time.perf_counter()
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.utils.hashing import HashConfig

    shards = os.path.join(args.work, "input")
    os.makedirs(shards)
    ids: list[list[str]] = [[] for _ in range(args.workers)]
    with contextlib.ExitStack() as stack:
        outs = [
            stack.enter_context(open(os.path.join(shards, f"{k:03d}.jsonl"), "w"))
            for k in range(args.workers)
        ]
        with open(args.input, encoding="utf-8") as handle:
            for n, line in enumerate(handle):
                k = n % args.workers
                ids[k].append(str(json.loads(line)["id"]))
                outs[k].write(line)

    per_bucket = 8
    config = MinhashConfig(
        hash_config=HashConfig(precision=64),
        n_grams=args.ngram,
        num_buckets=max(1, args.num_perm // per_bucket),
        hashes_per_bucket=per_bucket,
    )
    work = args.work
    language = "en" if args.language == "en" else (args.variant or "cmn_Hani")
    stages = [
        (
            [
                JsonlReader(shards, text_key="text", id_key="id"),
                MinhashDedupSignature(f"{work}/sigs", config=config, language=language),
            ],
            args.workers,
        ),
        (
            [MinhashDedupBuckets(f"{work}/sigs", f"{work}/buckets", config=config)],
            config.num_buckets,
        ),
        (
            [
                MinhashDedupCluster(
                    f"{work}/buckets", f"{work}/clusters", config=config, save_cluster_id=True
                )
            ],
            1,
        ),
    ]
    for pipeline, tasks in stages:
        LocalPipelineExecutor(
            pipeline=pipeline,
            tasks=tasks,
            workers=args.workers,
            logging_dir=f"{work}/logs/{len(os.listdir(work))}",
        ).run()
    groups: dict[int, list[str]] = {}
    for path in sorted(glob.glob(f"{work}/clusters/*.clusters")):
        rank = int(os.path.basename(path).split(".")[0])
        with open(path, "rb") as handle:
            data = handle.read()
        for doc, cluster in struct.iter_unpack("<II", data):
            groups.setdefault(cluster, []).append(ids[rank][doc])
    clusters = [g for g in groups.values() if len(g) > 1]
    write(args.out, clusters, started, language=language, buckets=config.num_buckets)


if __name__ == "__main__":
    main()
