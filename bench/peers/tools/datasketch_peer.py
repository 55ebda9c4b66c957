"""datasketch used directly: MinHash of character n-grams, MinHashLSH, union-find.

--variant sha1 (datasketch's default hash) or xxhash (xxh32 of each n-gram).
"""

from __future__ import annotations

import time

import xxhash
from _common import arguments, char_ngrams, clusters_from_pairs, read_jsonl, write
from datasketch import MinHash, MinHashLSH


def main() -> None:
    args = arguments(__doc__)
    started = time.perf_counter()
    ids, texts = read_jsonl(args.input)
    hashfunc = {} if args.variant != "xxhash" else {"hashfunc": xxhash.xxh32_intdigest}
    lsh = MinHashLSH(threshold=args.threshold, num_perm=args.num_perm)
    signatures = []
    with lsh.insertion_session() as session:
        for i, text in enumerate(texts):
            m = MinHash(num_perm=args.num_perm, **hashfunc)
            m.update_batch(
                [s.encode("utf-8") for s in char_ngrams(text, args.ngram, args.language)]
            )
            signatures.append(m)
            session.insert(i, m, check_duplication=False)
    pairs = [(i, j) for i, m in enumerate(signatures) for j in lsh.query(m) if j != i]
    write(args.out, clusters_from_pairs(ids, pairs), started)


if __name__ == "__main__":
    main()
