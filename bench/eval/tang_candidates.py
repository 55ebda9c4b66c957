"""Candidate cross-edition pairs of Tang poems, for reading by hand.

A seeded random sample of poems from the ``qts/`` edition; for each, the ``ydqts/`` poems that
share at least one verse with it (after traditional->simplified conversion, with the ``（一作…）``
variant notes and punctuation removed), or have the same title and author, ranked by the number
of shared verses. The matching here is deliberately independent of dedup's own shingles and
Jaccard, so that a sample checked from it does not favour what dedup finds.

    python -m bench.eval.tang_candidates --sample 320 --seed 7 > /tmp/candidates.txt
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import json
import random
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"

_NOTE = re.compile(r"（[^）]*）|\([^)]*\)")
_VERSE_END = re.compile(r"[，。？！；、：,.?!;:\n\s]+")
_DROP = re.compile(r"[「」『』《》〈〉“”‘’\"'·　 ]")


def poems() -> Iterator[dict[str, str]]:
    with gzip.open(DATA / "tang-poems.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def converter():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s").convert


def verses(text: str, t2s) -> list[str]:  # type: ignore[no-untyped-def]
    """Verses of a poem, simplified, without variant notes or punctuation."""
    text = _DROP.sub("", _NOTE.sub("", t2s(text)))
    return [v for v in _VERSE_END.split(text) if len(v) >= 4]


def plain(text: str, t2s) -> str:  # type: ignore[no-untyped-def]
    return "".join(verses(text, t2s))


def title_key(title: str, author: str, t2s) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    title = re.sub(r"\s+[一二三四五六七八九十百]+$", "", title)
    return (_VERSE_END.sub("", _DROP.sub("", t2s(title))), t2s(author))


def diff_summary(a: str, b: str) -> str:
    """Character differences between two plain texts: ``x→y`` for replacements, ``-x``/``+y``."""
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "replace":
            out.append(f"{a[i1:i2]}→{b[j1:j2]}")
        elif op == "delete":
            out.append(f"-{a[i1:i2]}")
        elif op == "insert":
            out.append(f"+{b[j1:j2]}")
    return " ".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sample", type=int, default=320)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--top", type=int, default=3)
    args = parser.parse_args()
    t2s = converter()
    qts: list[dict[str, str]] = []
    yd: list[dict[str, str]] = []
    for poem in poems():
        (qts if poem["id"].startswith("qts/") else yd).append(poem)
    by_verse: dict[str, set[int]] = defaultdict(set)
    by_title: dict[tuple[str, str], set[int]] = defaultdict(set)
    yd_verses = []
    for n, poem in enumerate(yd):
        vs = verses(poem["text"], t2s)
        yd_verses.append(vs)
        for v in set(vs):
            by_verse[v].add(n)
        by_title[title_key(poem["title"], poem["author"], t2s)].add(n)
    sample = random.Random(args.seed).sample(range(len(qts)), args.sample)
    for k, q in enumerate(sample, 1):
        poem = qts[q]
        vs = verses(poem["text"], t2s)
        shared: dict[int, int] = defaultdict(int)
        for v in set(vs):
            for n in by_verse.get(v, ()):
                shared[n] += 1
        for n in by_title.get(title_key(poem["title"], poem["author"], t2s), ()):
            shared.setdefault(n, 0)
        ranked = sorted(shared, key=lambda n: (-shared[n], yd[n]["id"]))[: args.top]
        record = {
            "k": k,
            "qts": poem,
            "verses": len(vs),
            "candidates": [
                {
                    **yd[n],
                    "shared": shared[n],
                    "verses": len(yd_verses[n]),
                    "diff": diff_summary(plain(poem["text"], t2s), plain(yd[n]["text"], t2s)),
                }
                for n in ranked
            ],
        }
        print(json.dumps(record, ensure_ascii=False))


if __name__ == "__main__":
    main()
