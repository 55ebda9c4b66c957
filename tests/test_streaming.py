"""The streaming pipeline: read once, memory bounded by the number of documents, documents read
back on demand, the same result on one core or several; array LSH banding equals datasketch."""

from __future__ import annotations

import gc
import os
import random
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHashLSH

from dedup import pipeline
from dedup.cluster import overlap
from dedup.document import Document, Skipped
from dedup.lsh import band_candidates, lsh_parameters
from dedup.options import Options
from dedup.overlaps import exact_overlaps
from dedup.signature import lean_minhash
from dedup.sketch import sketch_batch

_HAN = (
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对"
)


def _corpus(n: int, length: int, seed: int = 0) -> list[tuple[str, str]]:
    """``n`` texts of ``length`` characters; every third one a light edit of the one before."""
    rng = random.Random(seed)
    docs: list[tuple[str, str]] = []
    for i in range(n):
        if i % 3 == 2:
            chars = list(docs[-1][1])
            for _ in range(length // 100):
                chars[rng.randrange(length)] = rng.choice(_HAN)
            text = "".join(chars)
        else:
            text = "".join(rng.choice(_HAN) for _ in range(length))
        docs.append((f"d{i:04d}", text))
    return docs


def _shape(result: pipeline.Result) -> tuple[object, ...]:
    return (
        [(c.id, c.members, c.representative) for c in result.clusters],
        [(p.a, p.b, p.verdict, p.jaccard) for p in result.pairs],
        result.duplicate_of,
    )


def test_two_workers_same_result_as_one() -> None:
    docs = _corpus(120, 400)
    options = Options(cjk_ngram=5, threshold=0.7)
    one = pipeline.run(docs, options, workers=1)
    two = pipeline.run(docs, options, workers=2)
    assert len(one.clusters) == 40
    assert _shape(one) == _shape(two)


def test_documents_read_back_exactly() -> None:
    docs = [
        Document("a", "第一篇\n文章。", {"title": "一", "n": 1}, "x.jsonl:1"),
        Document("b", "second text, with 𠀀 and \u200b", {}, "x.jsonl:2"),
        Skipped("x.jsonl:3", "not valid JSON"),
        Document("a", "same id again", {}, "y.jsonl:1"),
        Document("c", "第一篇\n文章!", {"title": "二"}, "x.jsonl:4"),
    ]
    result = pipeline.run(docs, workers=1)
    expected = [d for d in docs if isinstance(d, Document)][:2] + [docs[4]]
    assert list(result.documents) == expected
    assert [result.documents[i] for i in range(3)] == expected
    assert result.documents[-1] == expected[-1]
    assert result.ids == ["a", "b", "c"]
    assert [s.reason for s in result.skipped] == [
        "not valid JSON",
        "duplicate id 'a' (first seen in x.jsonl:1)",
    ]
    kept = [d.id for d in result.kept()]
    removed = [d.id for d in result.removed()]
    assert sorted(kept + removed) == ["a", "b", "c"]
    assert len(removed) == 1
    members = result.cluster_documents()
    assert sorted(members) == ["a", "c"]
    assert members["c"].meta == {"title": "二"}


def test_input_is_read_once_as_a_stream() -> None:
    consumed = []

    def stream() -> Iterator[tuple[str, str]]:
        for doc in _corpus(60, 200):
            consumed.append(doc[0])
            yield doc

    result = pipeline.run(stream(), workers=1)
    assert consumed == result.ids
    assert len(consumed) == 60


def test_work_folder_removed_with_the_result(tmp_path: Path) -> None:
    result = pipeline.run(_corpus(9, 100), workers=1, workdir=tmp_path)
    assert len(list(tmp_path.iterdir())) == 1
    assert result.documents[0].id == "d0000"
    del result
    gc.collect()
    assert list(tmp_path.iterdir()) == []


def test_work_folder_of_a_dead_process_removed(tmp_path: Path) -> None:
    dead = tmp_path / "dedup-run-999999999-abc"  # no such process
    dead.mkdir()
    (dead / "documents.bin").write_bytes(b"x")
    alive = tmp_path / f"dedup-run-{os.getpid()}-abc"
    alive.mkdir()
    other = tmp_path / "unrelated"
    other.mkdir()
    result = pipeline.run(_corpus(3, 50), workers=1, workdir=tmp_path)
    assert not dead.exists()
    assert alive.exists() and other.exists()
    assert len(result.documents) == 3


def _peak_bytes(n: int, length: int, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(pipeline, "BATCH_CHARS", 20_000)

    def stream() -> Iterator[tuple[str, str]]:
        rng = random.Random(1)
        for i in range(n):
            yield f"d{i:05d}", "".join(rng.choice(_HAN) for _ in range(length))

    gc.collect()
    tracemalloc.start()
    try:
        # 5-grams of 50 characters: random texts share no shingles, so no pairs to verify
        result = pipeline.run(stream(), Options(cjk_ngram=5, threshold=0.7), workers=1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(result.documents) == n
    return peak


def test_peak_memory_does_not_grow_with_text_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ten times longer texts (12 MB more text in memory if it were kept) raise the peak by
    less than a megabyte: only batches of 20,000 characters are in memory at once."""
    short = _peak_bytes(300, 2_000, monkeypatch)
    long = _peak_bytes(300, 20_000, monkeypatch)
    extra_text = 300 * (20_000 - 2_000) * 2  # bytes of those texts as Python strings
    assert long - short < 1_000_000 < extra_text


# --- LSH banding --------------------------------------------------------------------------


def _planted_signatures(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    sigs = rng.integers(0, 2**32, (n, 128), dtype=np.uint64).astype(np.uint32)
    for i in range(0, n - 1, 2):  # every other row a copy of the one before, partly changed
        keep = rng.random(128) < rng.random()
        sigs[i + 1] = np.where(keep, sigs[i], sigs[i + 1])
    sigs[n - 1] = sigs[0]  # and one exact copy far apart
    return sigs


def _datasketch_candidates(sigs: np.ndarray, bands: int, rows: int) -> set[tuple[int, int]]:
    """Pairs datasketch's own MinHashLSH proposes with the same bands and rows."""
    lsh = MinHashLSH(num_perm=sigs.shape[1], params=(bands, rows))
    for i, sig in enumerate(sigs):
        lsh.insert(i, lean_minhash(sig, 1))
    return {
        (min(i, j), max(i, j))
        for i in range(len(sigs))
        for j in lsh.query(lean_minhash(sigs[i], 1))
        if i != j
    }


@pytest.mark.parametrize("threshold", [0.5, 0.7, 0.9], ids=str)
def test_band_candidates_equal_datasketch_lsh(threshold: float) -> None:
    sigs = _planted_signatures(2000, int(threshold * 10))
    bands, rows = lsh_parameters(threshold, 128)
    ours = {tuple(p) for p in band_candidates(sigs, bands, rows).tolist()}
    assert len(ours) > 50
    assert ours == _datasketch_candidates(sigs, bands, rows)


def test_band_candidates_recall_true_pairs_above_threshold() -> None:
    """Near-duplicate texts (Jaccard >= 0.7) are candidates as often through the fast path as
    through datasketch's own MinHashLSH over the same signatures."""
    docs = _corpus(300, 300, seed=3)
    sigs = sketch_batch([t for _, t in docs], Options(cjk_ngram=5)).signatures
    bands, rows = lsh_parameters(0.7, 128)
    ours = {tuple(p) for p in band_candidates(sigs, bands, rows).tolist()}
    planted = {(i - 1, i) for i in range(2, 300, 3)}
    assert planted <= ours
    assert ours == _datasketch_candidates(sigs, bands, rows)


def test_empty_input() -> None:
    result = pipeline.run([], workers=1)
    assert len(result.documents) == 0
    assert result.clusters == [] and result.pairs == []


@pytest.mark.parametrize("budget", [0, 100, 1 << 30], ids=["one-pair-chunks", "small", "one-chunk"])
def test_exact_overlaps_in_chunks_equal_cluster_overlap(budget: int) -> None:
    rng = np.random.default_rng(4)
    sets = [
        np.unique(rng.integers(0, 60, rng.integers(0, 40)).astype(np.uint64)) for _ in range(30)
    ]
    pairs = np.array([(i, j) for i in range(30) for j in range(i + 1, 30)], dtype=np.int64)
    loaded: list[int] = []

    class Sets:  # every set in one file, as a HashStore holds them
        words_file = np.concatenate(sets)
        at = np.concatenate([[0], np.cumsum([len(s) for s in sets])])

        def locate(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            loaded.extend(docs.tolist())
            counts = np.array([len(sets[d]) for d in docs.tolist()], dtype=np.int64)
            return np.zeros(len(docs), dtype=np.int64), self.at[docs], counts

        def words(self, file: int) -> np.ndarray:
            loaded.append(-1)  # a mapping
            return self.words_file

    measured = exact_overlaps(pairs, Sets(), budget)
    expected = np.array([overlap(sets[a], sets[b]) for a, b in pairs.tolist()])
    assert np.allclose(measured, expected)
    assert (loaded.count(-1) > 1) == (budget < 1 << 30)  # mapped once per chunk
