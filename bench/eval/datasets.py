"""The evaluation data sets: documents with their truth groups.

- ``newsgroups``: 19,997 posts of 20 Newsgroups, headers included; truth: the 525 groups of
  cross-posted copies.
- ``tang``: 100,706 Tang poems in two editions; truth: ``data/tang-cross-edition-pairs.jsonl``,
  a hand-checked sample, scored on its own documents.
- ``generated-zh``: pseudo-articles of Tang poems and their near-duplicates (``bench.corpus``).
- ``generated-en``: newsgroup post bodies and near-duplicates made from them (:func:`mutate_en`).
"""

from __future__ import annotations

import gzip
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dedup import Document, Options
from dedup.eval import detect, read_labels

from ..corpus import DATA, generate

ROOT = Path(__file__).resolve().parents[2]
TANG_LABELS = ROOT / "data" / "tang-cross-edition-pairs.jsonl"


@dataclass
class Dataset:
    name: str
    documents: list[Document]
    truth: list[list[str]]
    labelled_only: bool
    script: str
    """``cjk`` or ``words``: which n-gram size matters."""
    note: str


def _jsonl_gz(path: Path) -> list[Document]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [Document(r["id"], r["text"]) for r in map(json.loads, handle)]


def newsgroups() -> Dataset:
    return Dataset(
        name="newsgroups",
        documents=_jsonl_gz(DATA / "newsgroups.jsonl.gz"),
        truth=read_labels(DATA / "newsgroups-truth.json"),
        labelled_only=False,
        script="words",
        note="20 Newsgroups posts with headers; truth: 525 groups of cross-posted copies",
    )


def tang() -> Dataset:
    return Dataset(
        name="tang",
        documents=_jsonl_gz(DATA / "tang-poems.jsonl.gz"),
        truth=read_labels(TANG_LABELS),
        labelled_only=True,
        script="cjk",
        note="two editions of the Tang poems; scored on the hand-checked sample of 320 poems",
    )


def generated_zh(docs: int = 6_000, seed: int = 0) -> Dataset:
    """``bench.corpus.generate``; 6,000 documents keep every base article inside the ``qts``
    edition (beyond about 6,800 the bases run into ``ydqts``, which repeats ``qts``: the bases
    would be unlabelled near-duplicates of each other)."""
    pairs, truth = generate(docs, seed=seed)
    return Dataset(
        name="generated-zh",
        documents=[Document(i, t) for i, t in pairs],
        truth=truth,
        labelled_only=False,
        script="cjk",
        note=f"bench.corpus, {docs:,} documents, seed {seed}",
    )


_WORD = re.compile(r"[A-Za-z]{4,}")


def _body(post: str) -> str:
    """A post without its mail headers (everything before the first blank line)."""
    head, sep, body = post.partition("\n\n")
    return body if sep else post


def mutate_en(paragraphs: list[str], rng: random.Random, filler: list[str]) -> str:
    """One near-duplicate of an English text, changed the way reposts and copies change:
    a paragraph dropped, moved or inserted from elsewhere, 1-3% of the words misspelt,
    a greeting or signature added, lines re-wrapped."""
    paras = list(paragraphs)
    if rng.random() < 0.3 and len(paras) > 3:
        del paras[rng.randrange(len(paras))]
    if rng.random() < 0.3:
        paras.insert(rng.randrange(len(paras) + 1), rng.choice(filler))
    if rng.random() < 0.3 and len(paras) > 2:
        moved = paras.pop(rng.randrange(len(paras)))
        paras.insert(rng.randrange(len(paras) + 1), moved)
    noise = rng.choice([0.0, 0.01, 0.02, 0.03])
    if noise:

        def typo(match: re.Match[str]) -> str:
            word = match.group(0)
            if rng.random() >= noise:
                return word
            k = rng.randrange(len(word) - 1)
            return word[:k] + word[k + 1] + word[k] + word[k + 2 :]

        paras = [_WORD.sub(typo, p) for p in paras]
    if rng.random() < 0.2:
        paras.insert(0, rng.choice(["Hi all,", "Reposted by request:", "FYI --"]))
    if rng.random() < 0.2:
        paras.append("-- \n" + rng.choice(["Sent from my workstation", "Opinions are my own."]))
    if rng.random() < 0.3:
        width = rng.randrange(50, 90)
        paras = [re.sub(rf"(.{{1,{width}}})(\s+|$)", "\\1\n", " ".join(p.split())) for p in paras]
    return "\n\n".join(p.strip() for p in paras)


def _distinct(texts: list[str], options: Options, limit: float = 0.2) -> list[int]:
    """Indices of ``texts`` after dropping every text whose Jaccard similarity with an earlier
    kept one reaches ``limit`` (reposts and quoting replies), so bases are not duplicates."""
    sk = detect.sketch_documents([Document(str(i), t) for i, t in enumerate(texts)], options)
    dropped: set[int] = set()
    for pair in detect.verify(sk, detect.candidates(sk, 0.3, options), options):
        if pair.jaccard >= limit and pair.a not in dropped:
            dropped.add(pair.b)
    return [i for i in range(len(texts)) if i not in dropped]


def generated_en(docs: int = 6_000, dup_share: float = 0.3, seed: int = 0) -> Dataset:
    """Bodies of newsgroup posts (quoted lines removed) in no cross-post group, 80-2,000 words,
    distinct from each other; each with a chance of near-duplicates made by :func:`mutate_en`."""
    labelled = {m for g in read_labels(DATA / "newsgroups-truth.json") for m in g}
    rng = random.Random(seed)
    texts = []
    for doc in _jsonl_gz(DATA / "newsgroups.jsonl.gz"):
        lines = _body(doc.text).splitlines()
        body = "\n".join(ln for ln in lines if not ln.lstrip().startswith((">", "|")))
        if doc.id not in labelled and 80 <= len(body.split()) <= 2_000:
            texts.append(body)
    texts = [texts[i] for i in _distinct(texts, Options())]
    bodies = [[p for p in re.split(r"\n\s*\n", t) if p.strip()] for t in texts]
    rng.shuffle(bodies)
    n_base = round(docs * (1 - dup_share))
    bases = bodies[:n_base]
    filler = [p for b in bodies[n_base : n_base + 300] for p in b if 10 <= len(p.split()) <= 60]
    documents = [Document(f"b{i:06d}", "\n\n".join(p)) for i, p in enumerate(bases)]
    groups: dict[int, list[str]] = {}
    k = 0
    while len(documents) < docs:
        base = rng.randrange(len(bases))
        doc_id = f"d{k:06d}"
        documents.append(Document(doc_id, mutate_en(bases[base], rng, filler)))
        groups.setdefault(base, [f"b{base:06d}"]).append(doc_id)
        k += 1
    rng.shuffle(documents)
    return Dataset(
        name="generated-en",
        documents=documents,
        truth=sorted(sorted(g) for g in groups.values()),
        labelled_only=False,
        script="words",
        note=f"distinct newsgroup post bodies and generated near-duplicates, {docs:,} documents",
    )


LOADERS: dict[str, Callable[[], Dataset]] = {
    "generated-zh": generated_zh,
    "tang": tang,
    "newsgroups": newsgroups,
    "generated-en": generated_en,
}
