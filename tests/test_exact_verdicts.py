"""No distinct texts are joined because their shingles share a 32-bit hash (issue 16).

MinHash signs 32-bit shingle hashes (xxh32), which collide: among the shingles of a million
``tiny record N`` documents, 18 pairs do, and a document of one shingle then has the same
signature and, measured on 32-bit hashes, Jaccard 1.0 with another. Verdicts are measured on
64-bit hashes (:mod:`dedup.exact`). These tests plant real xxh32 collisions (found by a
birthday search over a million strings, kept as constants and re-checked here) and hold every
verdict (``dedupe run``, the index, evaluation) equal to one computed on the shingle strings.

The million documents of the report run in ``make fuzz`` (``DEDUP_FUZZ_PROFILE=fuzz``).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
import xxhash
from click.testing import CliRunner
from fuzz_strategies import FUZZ, PROFILE
from hypothesis import given
from hypothesis import strategies as st

from dedup.cli import main
from dedup.cluster import Pair
from dedup.document import Document
from dedup.eval.detect import detect, sketch_documents
from dedup.exact import exact_batch, exact_sketch
from dedup.fastsketch import _xxh64
from dedup.index import Index
from dedup.options import Options
from dedup.pipeline import run
from dedup.segment import matching_text, paragraphs
from dedup.shingle import shingle_hashes, shingle_hashes64, shingles
from dedup.sketch import sketch

BIG = PROFILE == "fuzz"

# Every pair (i, j) of numbers below a million whose shingles "tiny\x1frecord\x1f{i}" and
# "...{j}" share their xxh32: the 18 the report found. (np.argsort of the million hashes,
# then equal neighbours: 0.3 s.)
TINY_COLLISIONS = [
    (6718, 218812),
    (8567, 530895),
    (21730, 675764),
    (21731, 675765),
    (21732, 675766),
    (21733, 675767),
    (21734, 675768),
    (21735, 675769),
    (61349, 582200),
    (86620, 407973),
    (86621, 407974),
    (86622, 407975),
    (86623, 407976),
    (86624, 407977),
    (86625, 407978),
    (86626, 407979),
    (93958, 706110),
    (93959, 706111),
]
# Two Chinese character trigrams (one shingle each with the default cjk_ngram=3) sharing their
# xxh32, found the same way among 400,000 random trigrams; normalization leaves both as they are.
CJK_COLLISION = ("郩櫙懥", "蹼嬎獜")


def tiny(n: int) -> str:
    return f"tiny record {n}"


def shingle_strings(text: str, options: Options) -> set[str]:
    """The reference: the document's shingles as strings, by the plain reference path."""
    norm = matching_text(paragraphs(text, options.normalize))
    return set(shingles(norm, options.cjk_ngram, options.word_ngram))


def reference_overlap(a: set[str], b: set[str]) -> tuple[float, float, float]:
    if not a or not b:
        return (1.0, 1.0, 1.0) if len(a) == len(b) else (0.0, 0.0, 0.0)
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter), inter / len(a), inter / len(b)


def reference_verdict(measured: tuple[float, float, float], options: Options) -> str:
    jaccard, ab, ba = measured
    if jaccard >= options.threshold:
        return "duplicate"
    if options.containment is not None and max(ab, ba) >= options.containment:
        return "contained"
    return "rejected"


# --- the planted collisions are real ------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [(tiny(i), tiny(j)) for i, j in TINY_COLLISIONS] + [CJK_COLLISION],
    ids=[f"{i}-{j}" for i, j in TINY_COLLISIONS] + ["cjk"],
)
def test_the_planted_shingles_share_their_32_bit_hash_only(first: str, second: str) -> None:
    options = Options()
    (a,), (b,) = shingle_strings(first, options), shingle_strings(second, options)
    assert a != b
    assert xxhash.xxh32_intdigest(a.encode()) == xxhash.xxh32_intdigest(b.encode())
    assert xxhash.xxh64_intdigest(a.encode()) != xxhash.xxh64_intdigest(b.encode())
    # so the MinHash sketches are equal (LSH pairs them) and the exact sets are not
    assert np.array_equal(sketch(first, options).signature, sketch(second, options).signature)
    assert np.array_equal(sketch(first, options).shingles, sketch(second, options).shingles)
    assert not np.array_equal(
        exact_sketch(first, options).shingles, exact_sketch(second, options).shingles
    )


# --- the fast path's 64-bit hashes are the reference's ------------------------------------

TEXT = st.text(
    st.sampled_from(
        list("臺灣國語說話中文字一二三四五，。！「」ＡＢａｂ１２アイ한국abcXYZ019 ,.!'\n\u3000")
    ),
    max_size=80,
)


def test_xxh64_kernel_equals_xxhash() -> None:
    rng = np.random.default_rng(16)
    for length in [*range(100), 1000, 4099]:  # every tail, one and several 32-byte stripes
        data = rng.integers(0, 256, length + 5, dtype=np.uint8)
        assert int(_xxh64(data, 5, length)) == xxhash.xxh64_intdigest(data[5:].tobytes()), length


@FUZZ
@given(st.lists(TEXT, max_size=6), st.sampled_from([(3, 3), (5, 3), (1, 1), (2, 4)]))
def test_exact_sets_equal_the_reference(texts: list[str], ngrams: tuple[int, int]) -> None:
    options = Options(cjk_ngram=ngrams[0], word_ngram=ngrams[1])
    batch = exact_batch(texts, options, with_hashes=True)
    for i, text in enumerate(texts):
        norm = matching_text(paragraphs(text, options.normalize))
        assert np.array_equal(batch.exact_set(i), shingle_hashes64(norm, options=options))
        assert np.array_equal(batch.shingles(i), shingle_hashes(norm, options=options))
        assert batch.exact_set(i).size == len(shingle_strings(text, options))


def test_seed_exact_sets_equal_the_reference(seed_texts: dict[str, str]) -> None:
    options = Options()
    for text in seed_texts.values():
        norm = matching_text(paragraphs(text, options.normalize))
        exact = exact_sketch(text, options)
        assert exact.shingles.size > 100
        assert np.array_equal(exact.shingles, shingle_hashes64(norm, options=options))
        assert np.array_equal(exact.signature, sketch(text, options).signature)


# --- dedupe run -----------------------------------------------------------------------------


def test_the_reported_collisions_are_not_removed_and_true_duplicates_are() -> None:
    numbers = [n for pair in TINY_COLLISIONS for n in pair]
    docs = [(str(n), tiny(n)) for n in numbers]
    docs += [("again-6718", tiny(6718)), ("again-218812", "Tiny  record 218812!")]
    docs += [("cjk-a", CJK_COLLISION[0]), ("cjk-b", CJK_COLLISION[1])]
    result = run(docs, Options(), workers=1)
    assert [c.members for c in result.clusters] == [
        ("6718", "again-6718"),
        ("218812", "again-218812"),
    ]
    assert set(result.duplicate_of) == {"again-6718", "again-218812"}
    ids = result.ids
    rejected = {(ids[p.a], ids[p.b]) for p in result.pairs if not p.accepted}
    # LSH did pair the colliding documents (equal signatures): the verdict turned them down
    assert {(str(i), str(j)) for i, j in TINY_COLLISIONS} <= rejected
    assert ("cjk-a", "cjk-b") in rejected
    for p in result.pairs:
        if not p.accepted:
            assert (p.estimated_jaccard, p.jaccard) == (1.0, 0.0)


def test_pairs_jsonl_gives_the_true_jaccard(tmp_path: Path) -> None:
    """Four shingles shared, the fifth only by its 32-bit hash: 4/6 = 0.67, not 5/5, so the
    pair is turned down at 0.8 (its MinHash estimate is 1.0: the sketches are equal)."""
    texts = {
        "a": "one two three four tiny record 6718",
        "b": "one two three four tiny record 218812",
    }
    source = tmp_path / "in.jsonl"
    source.write_text(
        "".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in texts.items()), "utf-8"
    )
    out = tmp_path / "out"
    args = ["run", str(source), "--out", str(out), "--threshold", "0.8", "--quiet", "--no-html"]
    outcome = CliRunner().invoke(main, [*args, "--workers", "1"], catch_exceptions=False)
    assert outcome.exit_code == 0, outcome.output
    pairs = [json.loads(line) for line in (out / "pairs.jsonl").read_text().splitlines()]
    truth = reference_overlap(*(shingle_strings(t, Options()) for t in texts.values()))
    assert truth == (4 / 6, 4 / 5, 4 / 5)
    assert pairs == [
        {
            "a": "a",
            "b": "b",
            "estimated_jaccard": 1.0,
            "jaccard": round(4 / 6, 6),
            "containment_a_in_b": 0.8,
            "containment_b_in_a": 0.8,
            "verdict": "rejected",
        }
    ]
    assert (out / "removed.jsonl").read_text() == ""


WORDS = ["tiny record 6718", "tiny record 218812", "tiny record 86620", "tiny record 407973"]
FRAGMENTS = st.sampled_from([*WORDS, "tiny", "record", "6718", "x y", *CJK_COLLISION, "郩櫙"])
DOCS = st.lists(st.lists(FRAGMENTS, min_size=1, max_size=3).map(" ".join), min_size=2, max_size=8)
OPTIONS = st.builds(
    Options,
    threshold=st.sampled_from([0.3, 0.5, 0.6, 0.8, 0.9]),
    containment=st.sampled_from([None, 0.5, 1.0]),
)


def assert_pairs_equal_the_reference(
    texts: Sequence[str], pairs: Sequence[Pair], options: Options
) -> None:
    """Every verified pair's figures and verdict are those of the shingle strings."""
    sets = [shingle_strings(t, options) for t in texts]
    for p in pairs:
        truth = reference_overlap(sets[p.a], sets[p.b])
        got = (p.jaccard, p.containment_a_in_b, p.containment_b_in_a)
        assert got == truth, (texts[p.a], texts[p.b])
        assert p.verdict == reference_verdict(truth, options), (texts[p.a], texts[p.b])


@FUZZ
@given(DOCS, OPTIONS)
def test_run_verdicts_equal_the_verdicts_on_shingle_strings(
    texts: list[str], options: Options
) -> None:
    result = run([(str(i), t) for i, t in enumerate(texts)], options, workers=1)
    assert_pairs_equal_the_reference(texts, result.pairs, options)
    sets = [shingle_strings(t, options) for t in texts]
    # equal shingle sets always end up together (equal signatures, so always candidates)
    cluster_of = result.cluster_of()
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            if sets[i] == sets[j]:
                assert cluster_of.get(str(i)) == cluster_of.get(str(j)) is not None


@FUZZ
@given(DOCS, OPTIONS)
def test_eval_detect_verdicts_equal_the_verdicts_on_shingle_strings(
    texts: list[str], options: Options
) -> None:
    sketches = sketch_documents([Document(str(i), t) for i, t in enumerate(texts)], options)
    pairs, _ = detect(sketches, options)
    assert_pairs_equal_the_reference(texts, pairs, options)


# --- the persistent index -------------------------------------------------------------------


def test_index_does_not_take_a_colliding_tiny_document_for_a_duplicate() -> None:
    with Index.open("memory:") as index:
        for i, _ in TINY_COLLISIONS:
            index.add(str(i), tiny(i))
        for i, j in TINY_COLLISIONS:
            assert index.query(tiny(j)) == []
            assert [m.id for m in index.query(tiny(i))] == [str(i)]
            assert index.check_and_add(str(j), tiny(j)).new
            check = index.check_and_add(f"again-{j}", tiny(j) + ".")
            assert not check.new
            assert [(m.id, m.similarity) for m in check.matches] == [(str(j), 1.0)]


def test_sqlite_index_keeps_exact_sets(tmp_path: Path) -> None:
    path = tmp_path / "x.index"
    first, second = CJK_COLLISION
    with Index.open(path) as index:
        index.add("a", first)
        assert index.stats()["documents"] == 1
    with Index.open(path) as index:  # read back from the file
        assert index.query(second) == []
        assert index.check_and_add("b", second).new
        assert [m.id for m in index.query(first, explain=True)] == ["a"]
    with sqlite3.connect(path) as conn:
        (blob,) = conn.execute("SELECT shingles FROM docs WHERE id = 'a'").fetchone()
        (config,) = conn.execute("SELECT value FROM config WHERE key = 'index'").fetchone()
    conn.close()
    assert len(blob) == 8  # one 64-bit hash
    assert json.loads(config)["version"] == 2


def test_a_version_1_index_still_works_and_says_why_to_rebuild(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "old.index"
    Index.open(path).close()
    with sqlite3.connect(path) as conn:
        (value,) = conn.execute("SELECT value FROM config WHERE key = 'index'").fetchone()
        config = {**json.loads(value), "version": 1}
        conn.execute("UPDATE config SET value = ? WHERE key = 'index'", (json.dumps(config),))
    conn.close()
    with caplog.at_level(logging.WARNING, logger="dedup.index.core"), Index.open(path) as index:
        index.add("a", "the quick brown fox jumps over the lazy dog")
        assert [m.id for m in index.query("the quick brown fox jumps over the lazy dog!")] == ["a"]
    assert "32-bit" in caplog.text
    with sqlite3.connect(path) as conn:
        (blob,) = conn.execute("SELECT shingles FROM docs WHERE id = 'a'").fetchone()
    conn.close()
    assert len(blob) == 4 * 7  # seven 32-bit hashes, as version 1 stores them


@FUZZ
@given(DOCS, OPTIONS)
def test_index_verdicts_equal_the_verdicts_on_shingle_strings(
    texts: list[str], options: Options
) -> None:
    sets = [shingle_strings(t, options) for t in texts]
    with Index.open("memory:", options) as index:
        kept: list[int] = []
        for i, text in enumerate(texts):
            check = index.check_and_add(str(i), text, k=None)
            for m in check.matches:
                truth = reference_overlap(sets[i], sets[int(m.id)])
                assert reference_verdict(truth, options) != "rejected", (text, texts[int(m.id)])
                assert (m.similarity, m.containment) == truth[:2]
            if check.new:
                assert not any(sets[i] == sets[j] for j in kept)
                kept.append(i)
        for i, text in enumerate(texts):
            found = {int(m.id) for m in index.query(text, k=None)}
            for j in found:
                assert reference_verdict(reference_overlap(sets[i], sets[j]), options) != "rejected"
            assert {j for j in kept if sets[j] == sets[i]} <= found


# --- the report, at full size ---------------------------------------------------------------


@pytest.mark.skipif(not BIG, reason="bench-style: runs in make fuzz (DEDUP_FUZZ_PROFILE=fuzz)")
def test_a_million_tiny_distinct_records_lose_none() -> None:
    count = 1_000_000
    result = run(((str(n), tiny(n)) for n in range(count)), Options())
    assert len(result.documents) == count
    assert result.duplicate_of == {}
    assert result.clusters == []
    ids = result.ids
    candidates = {(ids[p.a], ids[p.b]) for p in result.pairs}
    assert {(str(i), str(j)) for i, j in TINY_COLLISIONS} <= candidates  # met, and turned down
