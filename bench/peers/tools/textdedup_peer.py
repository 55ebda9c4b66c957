"""text-dedup's MinHash (text_dedup.minhash, datasets + multiprocessing), clusters from its
union-find.

text-dedup splits text on every non-word character, so a Chinese "token" is a whole clause:
its n-grams are n-grams of clauses. ``--ngram`` is passed as given for space-delimited text;
for Chinese (``--language zh``) it is 1 (one clause), the only fair setting.
"""

from __future__ import annotations

import os
import time

from _common import arguments, read_jsonl, write


def main() -> None:
    args = arguments(__doc__)
    started = time.perf_counter()
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    from text_dedup import minhash

    ids, _ = read_jsonl(args.input)
    ngram = 1 if args.language == "zh" else args.ngram
    output = os.path.join(args.work, "out")
    minhash.main(
        args=[
            "--path", "json",
            "--data_files", args.input,
            "--split", "train",
            "--cache_dir", os.path.join(args.work, "cache"),
            "--output", output,
            "--column", "text",
            "--num_perm", str(args.num_perm),
            "--threshold", str(args.threshold),
            "--ngram", str(ngram),
            "--min_length", "0",
            "--num_proc", str(args.workers),
        ],
        standalone_mode=False,
    )  # fmt: skip
    groups: dict[int, list[str]] = {}
    for index in range(len(ids)):
        groups.setdefault(minhash.uf.find(index), []).append(ids[index])
    clusters = [g for g in groups.values() if len(g) > 1]
    write(args.out, clusters, started, ngram=ngram)


if __name__ == "__main__":
    main()
