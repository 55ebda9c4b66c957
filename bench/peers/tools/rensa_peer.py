"""rensa used the way datasketch is: RMinHash of character n-grams, RMinHashLSH, union-find."""

from __future__ import annotations

import time

from _common import arguments, char_ngrams, clusters_from_pairs, read_jsonl, write
from rensa import RMinHash, RMinHashLSH


def main() -> None:
    args = arguments(__doc__)
    started = time.perf_counter()
    ids, texts = read_jsonl(args.input)
    bands = int(args.variant or 16)  # rensa needs the band count, dividing num_perm
    lsh = RMinHashLSH(threshold=args.threshold, num_perm=args.num_perm, num_bands=bands)
    signatures = []
    for i, text in enumerate(texts):
        m = RMinHash(num_perm=args.num_perm, seed=42)
        m.update(list(char_ngrams(text, args.ngram, args.language)))
        signatures.append(m)
        lsh.insert(i, m)
    pairs = [(i, j) for i, m in enumerate(signatures) for j in lsh.query(m) if j != i]
    write(args.out, clusters_from_pairs(ids, pairs), started, bands=bands)


if __name__ == "__main__":
    main()
