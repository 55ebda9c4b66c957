"""Helpers shared by the peer scripts (standard library only: each runs in its own venv)."""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterable


def arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--input", required=True, help="JSON lines with id and text")
    parser.add_argument("--out", required=True, help="where to write the clusters (JSON)")
    parser.add_argument("--threshold", type=float, default=0.7)
    parser.add_argument("--num-perm", type=int, default=128)
    parser.add_argument("--ngram", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--variant", default="")
    parser.add_argument("--work", default="", help="scratch folder")
    parser.add_argument("--language", default="zh", choices=["zh", "en"])
    return parser.parse_args()


def read_jsonl(path: str) -> tuple[list[str], list[str]]:
    ids, texts = [], []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            ids.append(str(record["id"]))
            texts.append(record["text"])
    return ids, texts


def char_ngrams(text: str, n: int, language: str = "zh") -> set[str]:
    """The set of character n-grams (word n-grams for ``en``; the whole text when shorter),
    as the peers' own examples make them."""
    if language == "en":
        words = text.lower().split()
        if len(words) <= n:
            return {" ".join(words)}
        return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}
    if len(text) <= n:
        return {text}
    return {text[i : i + n] for i in range(len(text) - n + 1)}


class UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, x: int, y: int) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx != ry:
            self.parent[max(rx, ry)] = min(rx, ry)


def clusters_from_pairs(ids: list[str], pairs: Iterable[tuple[int, int]]) -> list[list[str]]:
    uf = UnionFind(len(ids))
    for a, b in pairs:
        uf.union(a, b)
    groups: dict[int, list[str]] = {}
    for i in range(len(ids)):
        groups.setdefault(uf.find(i), []).append(ids[i])
    return [g for g in groups.values() if len(g) > 1]


def write(out: str, clusters: list[list[str]], started: float, **extra: object) -> None:
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(
            {"clusters": clusters, "seconds": time.perf_counter() - started, **extra},
            handle,
            ensure_ascii=False,
        )
