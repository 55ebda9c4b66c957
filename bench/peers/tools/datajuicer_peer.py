"""data-juicer's DocumentMinhashDeduplicator: character (CJK) or space tokenization, hashes
computed with ``datasets.map`` on every worker, clusters from its union-find.

``--variant character`` (its setting for Chinese) or ``space`` (for English).
"""

from __future__ import annotations

import os
import time

from _common import arguments, read_jsonl, write


def main() -> None:
    args = arguments(__doc__)
    started = time.perf_counter()
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    import datasets
    from data_juicer.ops.deduplicator import document_minhash_deduplicator as module

    captured = []

    class CapturingUnionFind(module.UnionFind):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            super().__init__()
            captured.append(self)

    module.UnionFind = CapturingUnionFind
    ids, _ = read_jsonl(args.input)
    dataset = datasets.load_dataset(
        "json", data_files=args.input, split="train", cache_dir=os.path.join(args.work, "cache")
    )
    op = module.DocumentMinhashDeduplicator(
        tokenization="space" if args.language == "en" else "character",
        window_size=args.ngram,
        num_permutations=args.num_perm,
        jaccard_threshold=args.threshold,
    )
    dataset = dataset.map(op.compute_hash, num_proc=args.workers)
    op.process(dataset)
    uf = captured[-1]
    groups: dict[int, list[str]] = {}
    for index in range(len(ids)):
        groups.setdefault(uf.find(index), []).append(ids[index])
    clusters = [g for g in groups.values() if len(g) > 1]
    write(
        args.out, clusters, started, tokenization="space" if args.language == "en" else "character"
    )


if __name__ == "__main__":
    main()
