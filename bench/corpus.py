"""Generated corpora with labelled near-duplicates, from the real text in ../shared/data.

Base documents are pseudo-articles: runs of consecutive Tang poems (traditional characters), one
poem a paragraph, or newsgroup posts. Each duplicate is a base document changed the way outlets
change an article: simplified characters, full/half-width punctuation swapped, paragraphs joined by
ideographic spaces or hard-wrapped, a title added, paragraphs moved, inserted or deleted, and
1-3% character noise. Labels are the groups of a base document and its duplicates.

    python -m bench.corpus --docs 22000 --out /tmp/corpus.jsonl   # writes corpus + truth
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
from collections.abc import Iterator
from pathlib import Path

DATA = Path(
    os.environ.get("DEDUP_DATA", Path(__file__).resolve().parent.parent.parent / "shared" / "data")
)
"""The real corpora: ../shared/data beside the repository, or the folder in $DEDUP_DATA."""

_HALF = str.maketrans("，。！？；：（）", ",.!?;:()")
_FULL = str.maketrans(",.!?;:()", "，。！？；：（）")
_NOISE = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年"


def tang_poems() -> Iterator[str]:
    """Poem texts in file order (traditional characters, lines joined by newlines)."""
    with gzip.open(DATA / "tang-poems.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            text = json.loads(line)["text"].strip()
            if text:
                yield text.replace("\n", "")


def pseudo_articles(paragraphs_per_doc: int = 12, limit: int | None = None) -> Iterator[list[str]]:
    """Articles of ``paragraphs_per_doc`` consecutive poems each (about 600-1,200 characters)."""
    batch: list[str] = []
    count = 0
    for poem in tang_poems():
        batch.append(poem)
        if len(batch) == paragraphs_per_doc:
            yield batch
            batch = []
            count += 1
            if limit is not None and count >= limit:
                return


def mutate(paragraphs: list[str], rng: random.Random, t2s: object | None = None) -> str:
    """One near-duplicate of an article, with a random mix of the changes outlets make."""
    paras = list(paragraphs)
    if rng.random() < 0.3 and len(paras) > 4:
        del paras[rng.randrange(len(paras))]
    if rng.random() < 0.3:
        paras.insert(rng.randrange(len(paras) + 1), "".join(rng.choice(_NOISE) for _ in range(30)))
    if rng.random() < 0.3 and len(paras) > 3:
        p = paras.pop(rng.randrange(len(paras)))
        paras.insert(rng.randrange(len(paras) + 1), p)
    noise = rng.choice([0.0, 0.01, 0.02, 0.03])
    if noise:
        out = []
        for para in paras:
            chars = list(para)
            for _ in range(int(len(chars) * noise)):
                chars[rng.randrange(len(chars))] = rng.choice(_NOISE)
            out.append("".join(chars))
        paras = out
    if rng.random() < 0.5:
        paras = [p.translate(_HALF) for p in paras]
    if t2s is not None and rng.random() < 0.5:
        paras = [t2s.convert(p) for p in paras]  # type: ignore[attr-defined]
    if rng.random() < 0.2:
        paras.insert(0, "转载：" + paras[0][:12])
    layout = rng.random()
    if layout < 0.3:
        return "　　" + "　　".join(paras)
    if layout < 0.5:
        width = rng.randrange(20, 60)
        return "\n".join(p[i : i + width] for p in paras for i in range(0, len(p), width))
    return "\n".join(paras)


def generate(
    docs: int, dup_share: float = 0.3, seed: int = 0
) -> tuple[list[tuple[str, str]], list[list[str]]]:
    """``docs`` documents (about ``dup_share`` of them near-duplicates) and the truth groups."""
    import opencc

    t2s = opencc.OpenCC("t2s")
    rng = random.Random(seed)
    n_base = max(1, round(docs * (1 - dup_share)))
    bases = list(pseudo_articles(limit=n_base))
    documents: list[tuple[str, str]] = []
    groups: list[list[str]] = []
    for i, paras in enumerate(bases):
        documents.append((f"b{i:07d}", "\n".join(paras)))
    i = 0
    while len(documents) < docs:
        base = rng.randrange(len(bases))
        doc_id = f"d{i:07d}"
        documents.append((doc_id, mutate(bases[base], rng, t2s)))
        groups.append([f"b{base:07d}", doc_id])
        i += 1
    merged: dict[str, set[str]] = {}
    for base_id, dup in groups:
        merged.setdefault(base_id, {base_id}).add(dup)
    truth = [sorted(g) for g in sorted(merged.values(), key=min)]
    order = list(range(len(documents)))
    rng.shuffle(order)
    return [documents[k] for k in order], truth


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=22_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    documents, truth = generate(args.docs, seed=args.seed)
    with args.out.open("w", encoding="utf-8") as handle:
        for doc_id, text in documents:
            handle.write(json.dumps({"id": doc_id, "text": text}, ensure_ascii=False) + "\n")
    truth_path = args.out.with_suffix(".truth.json")
    truth_path.write_text(json.dumps({"groups": truth}, ensure_ascii=False), encoding="utf-8")
    print(f"{len(documents)} documents, {len(truth)} groups -> {args.out}, {truth_path}")


if __name__ == "__main__":
    main()
