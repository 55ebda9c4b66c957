"""One way of computing MinHash signatures, timed on one core (run by bench.signatures).

Prints JSON: seconds spent signing (after a warm-up on the first documents) and the input size.
"""

from __future__ import annotations

import argparse
import json
import os
import time


def _docs(path: str) -> list[str]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line)["text"] for line in handle]


def _grams(text: str, n: int = 5) -> set[str]:
    if len(text) <= n:
        return {text}
    return {text[i : i + n] for i in range(len(text) - n + 1)}


def method(name: str):  # noqa: ANN201 (returns a function of the documents)
    if name == "python-sets":
        return lambda docs: [_grams(t) for t in docs]
    if name in ("datasketch-sha1", "datasketch-xxh"):
        from datasketch import MinHash

        extra = {}
        if name == "datasketch-xxh":
            import xxhash

            extra = {"hashfunc": xxhash.xxh32_intdigest}

        def sign(docs: list[str]) -> list[object]:
            out = []
            for t in docs:
                m = MinHash(num_perm=128, **extra)
                m.update_batch([s.encode("utf-8") for s in _grams(t)])
                out.append(m)
            return out

        return sign
    if name == "rensa":
        from rensa import RMinHash

        def sign_rensa(docs: list[str]) -> list[object]:
            out = []
            for t in docs:
                m = RMinHash(num_perm=128, seed=42)
                m.update(list(_grams(t)))
                out.append(m)
            return out

        return sign_rensa
    if name == "numpy-128":
        from dedup.shingle import shingle_hashes
        from dedup.signature import permutations, signature

        perms = permutations(128, 1)
        return lambda docs: [signature(shingle_hashes(t), perms) for t in docs]
    if name == "dedup-kernel":
        from dedup.fastsketch import pack, sketch_codes
        from dedup.signature import permutations

        a, b = permutations(128, 1)

        def kernel(docs: list[str]) -> object:
            out = []
            for lo in range(0, len(docs), 512):
                codes, starts = pack(docs[lo : lo + 512])
                out.append(sketch_codes(codes, starts, 5, 3, a, b, with_hashes=False))
            return out

        return kernel
    if name == "dedup-full":
        from dedup.options import Options
        from dedup.sketch import sketch_batch

        options = Options()
        return lambda docs: [
            sketch_batch(docs[lo : lo + 512], options, with_hashes=False)
            for lo in range(0, len(docs), 512)
        ]
    raise ValueError(f"unknown method {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--method", required=True)
    parser.add_argument("--input", required=True)
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    docs = _docs(args.input)
    started = time.perf_counter()
    sign = method(args.method)
    sign(docs[:20])  # warm-up: imports, compiled code, tables
    setup = time.perf_counter() - started
    started = time.perf_counter()
    sign(docs)
    seconds = time.perf_counter() - started
    mb = sum(len(t.encode("utf-8")) for t in docs) / 1e6
    print(json.dumps({"method": args.method, "seconds": seconds, "mb": mb, "setup": setup}))


if __name__ == "__main__":
    main()
