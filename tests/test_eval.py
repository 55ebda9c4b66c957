"""``dedup.eval``: scores on tiny hand-made label sets, worked out by hand in each test.

The documents are lists of distinct words scored with word 1-grams, so every Jaccard similarity
is a ratio of word counts that can be read off the texts.
"""

from __future__ import annotations

import gzip
import json
from itertools import combinations
from pathlib import Path

import pytest

from dedup import Document, Options, run
from dedup.cluster import connected_components, overlap
from dedup.errors import ConfigError, InputError
from dedup.eval import detect, evaluate, labels_from_field, merge_groups, parse_sweep, read_labels
from dedup.eval.core import BELOW_THRESHOLD, DIRECT, NOT_A_CANDIDATE, TRANSITIVE
from dedup.metrics import cluster_scores, pairwise_scores


def words(prefix: str, first: int, last: int) -> list[str]:
    return [f"{prefix}{k}" for k in range(first, last + 1)]


def doc(doc_id: str, *parts: list[str]) -> Document:
    return Document(doc_id, " ".join(w for part in parts for w in part))


# a = b (J 1); c shares 8 of a's 10 words (J 8/12); e shares 9 of d's 10 (J 9/11); f is alone.
CORPUS = [
    doc("a", words("w", 1, 10)),
    doc("b", words("w", 1, 10)),
    doc("c", words("w", 1, 8), ["c1", "c2"]),
    doc("d", words("d", 1, 10)),
    doc("e", words("d", 1, 9), ["e1"]),
    doc("f", words("f", 1, 10)),
]
TRUTH = [["a", "b", "c"], ["d", "f"]]
UNIGRAMS = Options(word_ngram=1, threshold=0.7)


def test_corpus_similarities_are_as_designed() -> None:
    sk = detect.sketch_documents(CORPUS, UNIGRAMS)
    jaccard = {
        (sk.ids[i], sk.ids[j]): overlap(sk.shingles[i], sk.shingles[j])[0]
        for i, j in combinations(range(len(CORPUS)), 2)
    }
    assert jaccard[("a", "b")] == 1.0
    assert jaccard[("a", "c")] == pytest.approx(8 / 12)
    assert jaccard[("d", "e")] == pytest.approx(9 / 11)
    assert jaccard[("d", "f")] == 0.0


def test_scores_at_threshold_by_hand() -> None:
    # At 0.7: clusters {a,b} (J 1) and {d,e} (J 0.82); c (J 0.67) stays out.
    # truth pairs ab ac bc df; found ab de -> tp 1 (ab), fp 1 (de), fn 3 (ac bc df)
    ev = evaluate(CORPUS, TRUTH, UNIGRAMS.with_(threshold=0.7))
    s = ev.scores.pairwise
    assert (s.true_positives, s.false_positives, s.false_negatives) == (1, 1, 3)
    assert s.precision == pytest.approx(1 / 2)
    assert s.recall == pytest.approx(1 / 4)
    assert s.f1 == pytest.approx(2 * (1 / 2) * (1 / 4) / (1 / 2 + 1 / 4))
    # pred {ab}{de}{c}{f} vs gold {abc}{df}{e}: index 1, sums 2 and 4, expected 2*4/15, max 3
    assert s.ari == pytest.approx((1 - 8 / 15) / (3 - 8 / 15))
    # no predicted cluster equals a true group
    c = ev.scores.clusters
    assert (c.matched, c.predicted, c.truth, c.precision, c.recall) == (0, 2, 2, 0.0, 0.0)
    assert ev.clusters == [("c0001", ["a", "b"]), ("c0002", ["d", "e"])]


def test_false_pairs_listed_with_similarities() -> None:
    ev = evaluate(CORPUS, TRUTH, UNIGRAMS.with_(threshold=0.7))
    (fp,) = ev.false_positives
    assert (fp.a, fp.b, fp.kind) == ("d", "e", DIRECT)
    assert fp.jaccard == pytest.approx(9 / 11)
    assert fp.containment_a_in_b == pytest.approx(9 / 10)
    assert (fp.cluster_a, fp.cluster_b) == ("c0002", "c0002")
    fns = {(e.a, e.b): e for e in ev.false_negatives}
    assert sorted(fns) == [("a", "c"), ("b", "c"), ("d", "f")]
    assert fns[("a", "c")].jaccard == pytest.approx(8 / 12)
    assert fns[("d", "f")].jaccard == 0.0
    assert {e.kind for e in fns.values()} == {BELOW_THRESHOLD}
    assert (fns[("a", "c")].cluster_a, fns[("a", "c")].cluster_b) == ("c0001", None)


def test_sweep_rows_by_hand() -> None:
    ev = evaluate(CORPUS, TRUTH, UNIGRAMS.with_(threshold=0.7), thresholds=[0.5, 0.7, 0.9])
    rows = {r.threshold: r for r in ev.sweep}
    assert sorted(rows) == [0.5, 0.7, 0.9]
    # 0.5: {a,b,c} {d,e}: pairs ab ac bc de -> tp 3, fp 1, fn 1 (df); {a,b,c} is exact
    low = rows[0.5]
    assert (low.pairwise.true_positives, low.pairwise.false_positives) == (3, 1)
    assert low.pairwise.false_negatives == 1
    assert (low.pairwise.precision, low.pairwise.recall) == (3 / 4, 3 / 4)
    assert (low.clusters.precision, low.clusters.recall) == (1 / 2, 1 / 2)
    # 0.7: as the threshold itself
    assert rows[0.7].pairwise == ev.scores.pairwise
    # 0.9: only {a,b}: tp 1, fp 0, fn 3
    high = rows[0.9].pairwise
    assert (high.precision, high.recall) == (1.0, 1 / 4)
    assert ev.best is low


def test_transitive_false_positive() -> None:
    # y has t1..t12; x has t1..t10 (J 10/12 with y), z has t3..t12 (J 10/12), x-z J 8/12.
    docs = [doc("x", words("t", 1, 10)), doc("y", words("t", 1, 12)), doc("z", words("t", 3, 12))]
    ev = evaluate(docs, [["x", "y"]], UNIGRAMS.with_(threshold=0.75))
    assert ev.clusters == [("c0001", ["x", "y", "z"])]
    kinds = {(e.a, e.b): e.kind for e in ev.false_positives}
    assert kinds == {("x", "z"): TRANSITIVE, ("y", "z"): DIRECT}
    assert {(e.a, e.b): e.jaccard for e in ev.false_positives}[("x", "z")] == pytest.approx(8 / 12)
    # found xy xz yz, truth xy: precision 1/3, recall 1; the cluster is not the group
    s = ev.scores
    assert (s.pairwise.precision, s.pairwise.recall) == (pytest.approx(1 / 3), 1.0)
    assert s.clusters.precision == 0.0


def test_pair_missed_by_lsh_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(detect, "candidate_pairs", lambda sigs, threshold, seed: set())
    ev = evaluate(CORPUS, [["a", "b"]], UNIGRAMS)
    ((a, b, kind),) = [(e.a, e.b, e.kind) for e in ev.false_negatives]
    assert (a, b, kind) == ("a", "b", NOT_A_CANDIDATE)
    assert ev.scores.pairwise.recall == 0.0


def test_labelled_only_scores_the_labelled_documents() -> None:
    # labels cover a, b, c (group a-b, c checked alone) and f; d-e is joined but unlabelled.
    # At 0.5 {a,b,c} is found: within the labelled ids pairs ab ac bc, truth ab -> P 1/3, R 1.
    truth = [["a", "b"], ["c"], ["f"]]
    ev = evaluate(CORPUS, truth, UNIGRAMS.with_(threshold=0.5), labelled_only=True)
    assert ev.scored == 4
    s = ev.scores.pairwise
    assert (s.true_positives, s.false_positives, s.false_negatives) == (1, 2, 0)
    assert {(e.a, e.b) for e in ev.false_positives} == {("a", "c"), ("b", "c")}
    # without the restriction, d-e counts as a false positive too
    everything = evaluate(CORPUS, truth, UNIGRAMS.with_(threshold=0.5))
    assert everything.scores.pairwise.false_positives == 3


def test_missing_and_duplicate_ids() -> None:
    docs = [*CORPUS, Document("a", "a second document with an id already used")]
    ev = evaluate(docs, [["a", "b"], ["f", "gone"]], UNIGRAMS)
    assert ev.missing_ids == ["gone"]
    assert [s.id for s in ev.skipped] == ["a"]
    assert ev.truth_groups == 1
    assert ev.documents == 6


def test_labelled_only_without_any_known_id() -> None:
    with pytest.raises(InputError, match="no labelled id"):
        evaluate(CORPUS, [["x", "y"]], UNIGRAMS, labelled_only=True)


def test_clusters_equal_dedupe_run(seeds_dir: Path) -> None:
    from dedup import read_documents

    docs = list(read_documents([seeds_dir]))
    docs += [Document(f"copy-{d.id}", d.text + "\n附記。") for d in docs if isinstance(d, Document)]
    for options in (Options(), Options(threshold=0.5, cjk_ngram=3)):
        ev = evaluate(docs, [], options)
        result = run(docs, options)
        assert ev.clusters == [(c.id, list(c.members)) for c in result.clusters]


def test_sweep_equals_brute_force() -> None:
    # Three families of documents: exact Jaccard inside a family is high, across families 0.
    docs = []
    for fam in "pqr":
        base = words(fam, 1, 40)
        for k in range(4):
            docs.append(doc(f"{fam}{k}", base[: 40 - 3 * k], [f"{fam}x{k}{m}" for m in range(k)]))
    truth = [[f"{fam}{k}" for k in range(3)] for fam in "pqr"]
    thresholds = parse_sweep("0.3:0.95:0.05")
    ev = evaluate(docs, truth, UNIGRAMS, thresholds=thresholds)
    sk = detect.sketch_documents(docs, UNIGRAMS)
    ids = sk.ids
    for row in ev.sweep:
        edges = [
            (i, j)
            for i, j in combinations(range(len(ids)), 2)
            if overlap(sk.shingles[i], sk.shingles[j])[0] >= row.threshold
        ]
        groups = [[ids[m] for m in g] for g in connected_components(len(ids), edges)]
        assert row.pairwise == pairwise_scores(groups, truth, ids), row.threshold
        assert row.clusters == cluster_scores(groups, truth), row.threshold
    assert len({r.pairwise.recall for r in ev.sweep}) > 2  # the sweep does move


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("0.3:0.5:0.1", [0.3, 0.4, 0.5]),
        ("0.3:0.95:0.05", [round(0.3 + 0.05 * k, 6) for k in range(14)]),
        ("0.7:0.7:0.1", [0.7]),
    ],
    ids=["tenths", "default-range", "single"],
)
def test_parse_sweep(spec: str, expected: list[float]) -> None:
    assert parse_sweep(spec) == expected


@pytest.mark.parametrize("spec", ["0.3:0.9", "a:b:c", "0.9:0.3:0.1", "0:0.5:0.1", "0.3:0.5:0"])
def test_parse_sweep_rejects(spec: str) -> None:
    with pytest.raises(ConfigError, match="START:STOP:STEP|0 < START"):
        parse_sweep(spec)


def test_merge_groups_joins_shared_ids() -> None:
    assert merge_groups([["b", "a"], ["c", "d"], ["d", "e"], ["f"]]) == [
        ["a", "b"],
        ["c", "d", "e"],
        ["f"],
    ]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("truth.json", json.dumps({"groups": [["a", "b"], ["c", "d"]]})),
        ("truth.json", json.dumps([["a", "b"], {"group": ["c", "d"]}])),
        ("truth.jsonl", '["a", "b"]\n\n{"group": ["d", "c"], "note": "read"}\n'),
    ],
    ids=["json-object", "json-list", "jsonl"],
)
def test_read_labels_formats(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert read_labels(path) == [["a", "b"], ["c", "d"]]


def test_read_labels_gzip_and_numeric_ids(tmp_path: Path) -> None:
    path = tmp_path / "truth.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("[1, 2]\n")
    assert read_labels(path) == [["1", "2"]]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("t.json", '{"clusters": []}', "no 'groups' key"),
        ("t.json", '["a", "b"]', "a group must be a list"),
        ("t.jsonl", '["a"]\n{"members": ["b"]}\n', r"t.jsonl:2: object without a 'group'"),
        ("t.jsonl", '["a"]\nnot json\n', r"t.jsonl:2: not JSON"),
        ("t.json", '["a"]\n["b"]\n', "should end in .jsonl"),
        ("t.json", "[[true]]", "an id must be a string or a number"),
    ],
    ids=["no-groups", "flat-list", "no-group-key", "bad-line", "jsonl-named-json", "bool-id"],
)
def test_read_labels_errors(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_labels(path)


def test_read_labels_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such labels file"):
        read_labels(tmp_path / "absent.json")


def test_labels_from_field() -> None:
    docs = [
        Document("a", "x", {"g": "one"}),
        Document("b", "x", {"g": "two"}),
        Document("c", "x", {"g": "one"}),
        Document("d", "x", {"g": None}),
        Document("e", "x", {"g": 1}),
        Document("f", "x", {"g": "1"}),
    ]
    assert labels_from_field(docs, "g") == [["a", "c"], ["b"], ["d"], ["e"], ["f"]]
    with pytest.raises(InputError, match="is --truth-field right"):
        labels_from_field(docs, "group")


def test_cluster_scores_by_hand() -> None:
    # predicted {a,b} (exact), {c,d,e} (too big), {f} (singleton, not counted); truth {a,b} {c,d}
    s = cluster_scores([["a", "b"], ["c", "d", "e"], ["f"]], [["b", "a"], ["c", "d"], ["g"]])
    assert (s.matched, s.predicted, s.truth) == (1, 2, 2)
    assert (s.precision, s.recall) == (1 / 2, 1 / 2)
    nothing = cluster_scores([], [])
    assert (nothing.precision, nothing.recall) == (1.0, 1.0)
