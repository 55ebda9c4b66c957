"""The Spark job (local[2]) against ``dedupe run``: same clusters, pairs, corpus and reports.

One SparkSession serves the module (starting one takes 10-20 s). Parity is checked twice:
on 5,000+ generated documents with injected near-duplicates (bench.corpus) for the record
files, and on the seeds with variants of them for everything, alignments and merges included.
Both corpora hold unreadable records or a repeated id, so the accounting is compared too.
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyspark")

import pyarrow.parquet as pq  # noqa: E402
import variants  # noqa: E402
from click.testing import CliRunner  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench/ beside tests/
from bench.corpus import generate  # noqa: E402
from dedup import ConfigError, Options, ReadOptions, run  # noqa: E402
from dedup.cli import main  # noqa: E402
from dedup.document import Document, Skipped  # noqa: E402
from dedup.io import read_documents  # noqa: E402
from dedup.report import jsonl  # noqa: E402
from dedup.report.files import write_json, write_jsonl  # noqa: E402
from dedup.spark import local_session, read, write  # noqa: E402
from dedup.spark import run as spark_run  # noqa: E402

RECORDS = ("clusters", "pairs", "deduplicated", "removed")


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    yield local_session("local[2]", driver_memory="2g", shuffle_partitions=4)


def _parts(folder: Path) -> bytes:
    """The part files of one report, in name order: the report as one file."""
    return b"".join(p.read_bytes() for p in sorted(folder.glob("part-*")))


def _lines(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in _parts(folder).decode("utf-8").splitlines()]


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout


def _spark_cli(inputs: Path, out: Path, *flags: str) -> None:
    code, _ = _invoke("spark", str(inputs), "--out", str(out), "--master", "local[2]", "-q", *flags)
    assert code == 0


def _assert_summaries_equal(ours_path: Path, theirs_path: Path) -> dict[str, Any]:
    ours = json.loads(ours_path.read_text(encoding="utf-8"))
    theirs = json.loads(theirs_path.read_text(encoding="utf-8"))
    for key in (
        "documents",
        "clusters",
        "documents_in_clusters",
        "candidate_pairs",
        "accepted_pairs",
        "skipped",
        "parameters",
    ):
        assert ours[key] == theirs[key], key
    return theirs


# --- parity on 5,000+ generated documents ----------------------------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[list[str]]]:
    documents, truth = generate(5000, seed=3)
    rng = random.Random(5)
    lines = [json.dumps({"id": i, "text": t}, ensure_ascii=False) for i, t in documents]
    for k in rng.sample(range(len(documents)), 40):  # exact copies: buckets of several documents
        lines.append(json.dumps({"id": f"copy{k}", "text": documents[k][1]}, ensure_ascii=False))
    lines += [
        "",
        "not json",
        json.dumps({"id": "no-text"}),
        json.dumps({"id": documents[0][0], "text": "重复的编号"}, ensure_ascii=False),
        json.dumps({"id": "with-meta", "text": documents[1][1], "source": "外电", "n": 1.5}),
    ]
    folder = tmp_path_factory.mktemp("corpus")
    half = len(lines) // 2
    (folder / "a.jsonl").write_text("\n".join(lines[:half]) + "\n", encoding="utf-8")
    (folder / "b.jsonl").write_text("\n".join(lines[half:]) + "\n", encoding="utf-8")
    return folder, truth


@pytest.fixture(scope="module")
def reference(
    corpus: tuple[Path, list[list[str]]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The record files of ``dedupe run``: its pipeline and its record writers (its per-cluster
    alignments are compared on the smaller corpus below, where they cost seconds, not minutes)."""
    out = tmp_path_factory.mktemp("reference")
    result = run(read_documents([str(corpus[0])]))
    write_jsonl(out / "clusters.jsonl", jsonl.cluster_records(result))
    write_jsonl(out / "pairs.jsonl", (jsonl.pair_record(result, p) for p in result.pairs))
    write_jsonl(out / "deduplicated.jsonl", jsonl.deduplicated_records(result))
    write_jsonl(out / "removed.jsonl", jsonl.removed_records(result))
    write_json(out / "summary.json", jsonl.summary(result))
    return out


@pytest.fixture(scope="module")
def on_spark(
    spark: Any, corpus: tuple[Path, list[list[str]]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    out = tmp_path_factory.mktemp("spark")
    _spark_cli(corpus[0], out, "--no-alignments")
    return out


@pytest.mark.slow
def test_clusters_equal_dedupe_run(
    corpus: tuple[Path, list[list[str]]], reference: Path, on_spark: Path
) -> None:
    clusters = _lines(on_spark / "clusters")
    assert len(clusters) > len(corpus[1]) // 2  # the injected near-duplicates were found
    assert _parts(on_spark / "clusters") == (reference / "clusters.jsonl").read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("name", ["deduplicated", "pairs", "removed"])
def test_records_equal_dedupe_run(reference: Path, on_spark: Path, name: str) -> None:
    assert _parts(on_spark / name) == (reference / f"{name}.jsonl").read_bytes()


@pytest.mark.slow
def test_summary_equals_dedupe_run(reference: Path, on_spark: Path) -> None:
    theirs = _assert_summaries_equal(on_spark / "summary.json", reference / "summary.json")
    assert len(theirs["skipped"]) == 3  # "not json", "no-text" and the repeated id
    assert _lines(on_spark / "skipped") == theirs["skipped"]
    assert not (on_spark / "alignments").exists()


# --- parity of everything on a small corpus --------------------------------------------------


@pytest.fixture(scope="module")
def small(seed_texts: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds, variants of three of them, an empty file and a file of an unknown type."""
    folder = tmp_path_factory.mktemp("small")
    for name, text in seed_texts.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    (folder / "002-traditional.txt").write_text(variants.traditional(seed_texts["002"]), "utf-8")
    (folder / "003-moved.txt").write_text(variants.move_paragraphs(seed_texts["003"], 3), "utf-8")
    (folder / "003-wrapped.txt").write_text(variants.hard_wrap(seed_texts["003"], 37), "utf-8")
    (folder / "004-edited.txt").write_text(variants.edit(seed_texts["004"], 5), "utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "notes.xyz").write_text("?", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def small_reports(
    spark: Any, small: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    theirs = tmp_path_factory.mktemp("small-reference")
    assert _invoke("run", str(small), "--out", str(theirs), "-q")[0] == 0
    ours = tmp_path_factory.mktemp("small-spark")
    _spark_cli(small, ours, "--html-pages", "2")
    return ours, theirs


def test_small_corpus_records_equal_dedupe_run(small_reports: tuple[Path, Path]) -> None:
    ours, theirs = small_reports
    for name in RECORDS:
        assert _parts(ours / name) == (theirs / f"{name}.jsonl").read_bytes(), name
    summary = _assert_summaries_equal(ours / "summary.json", theirs / "summary.json")
    assert summary["clusters"] == 4
    assert {s["reason"] for s in summary["skipped"]} >= {"empty file"}


def test_alignments_and_merges_equal_dedupe_run(small_reports: tuple[Path, Path]) -> None:
    ours, theirs = small_reports
    alignments = _lines(ours / "alignments")
    assert [a["cluster"] for a in alignments] == [c["cluster"] for c in _lines(ours / "clusters")]
    for record in alignments:
        path = theirs / "alignments" / f"{record['cluster']}.json"
        assert record == json.loads(path.read_text(encoding="utf-8")), record["cluster"]
    merges = _lines(ours / "merged")
    assert [m["cluster"] for m in merges] == [a["cluster"] for a in alignments]
    for record in merges:
        name = record["cluster"]
        text = record.pop("text")
        assert text == (theirs / "merged" / f"{name}.txt").read_text(encoding="utf-8"), name
        assert record == json.loads((theirs / "merged" / f"{name}.json").read_text("utf-8")), name
    diffs = _lines(ours / "diffs")
    assert [d["cluster"] for d in diffs] == [a["cluster"] for a in alignments]
    for record in diffs:
        path = theirs / "diffs" / f"{record['cluster']}.diff"
        assert record["diff"] == path.read_text(encoding="utf-8"), record["cluster"]


def test_html_pages_for_the_first_clusters(small_reports: tuple[Path, Path]) -> None:
    ours, theirs = small_reports
    pages = sorted(p.name for p in (ours / "html" / "clusters").iterdir())
    assert pages == ["c0001.html", "c0002.html"]
    for name in pages:
        page = (ours / "html" / "clusters" / name).read_text(encoding="utf-8")
        # dedupe run links its per-cluster merged/ files, which Spark keeps in partitions
        expected = re.sub(
            r' · merged text <a href="[^"]*">\.txt</a>, provenance <a href="[^"]*">\.json</a>',
            "",
            (theirs / "clusters" / name).read_text(encoding="utf-8"),
        )
        assert page == expected, name
    index = (ours / "html" / "index.html").read_text(encoding="utf-8")
    assert 'href="clusters/c0002.html"' in index
    assert 'href="clusters/c0003.html"' not in index


# --- the library from a notebook -------------------------------------------------------------


@pytest.fixture(scope="module")
def notebook(spark: Any, seed_texts: dict[str, str]) -> tuple[Any, list[tuple[str, Any, str]]]:
    """A run on a DataFrame: another text column name, a meta column, a repeated id, a null."""
    rows: list[tuple[str, Any, str]] = [(f"s{k}", t, "seed") for k, t in sorted(seed_texts.items())]
    rows.append(("v002", variants.traditional(seed_texts["002"]), "variant"))
    rows.append(("s000", "重复的编号", "repeat"))
    rows.append(("null-text", None, "broken"))
    frame = spark.createDataFrame(rows, "id string, body string, kind string")
    return spark_run(spark, frame, read_options=ReadOptions(text_field="body")), rows


def test_dataframe_in_dataframes_out(
    notebook: tuple[Any, list[tuple[str, Any, str]]], tmp_path: Path
) -> None:
    result, rows = notebook
    expected = run([(i, t) for i, t, _ in rows if t is not None])
    clusters = [tuple(r["members"]) for r in result.clusters.orderBy("first").collect()]
    assert clusters == [c.members for c in expected.clusters]
    kept = result.deduplicated.orderBy("order").collect()
    assert [r["id"] for r in kept] == [d.id for d in expected.kept()]
    assert {r["id"]: json.loads(r["meta"]) for r in kept}["s002"] == {"kind": "seed"}
    skipped = {r["id"]: r["reason"] for r in result.skipped.collect()}
    assert skipped["s000"] == expected.skipped[0].reason
    assert skipped["null-text"] == "field 'body' is null"

    for stale in ("alignments/part-00000.txt", "html/index.html"):  # an earlier run's
        (tmp_path / stale).parent.mkdir()
        (tmp_path / stale).write_text("old", encoding="utf-8")
    write(result, tmp_path, format="parquet", alignments=False)
    assert not (tmp_path / "alignments").exists()
    assert not (tmp_path / "html").exists()
    table = pq.read_table(tmp_path / "clusters").to_pylist()
    assert [tuple(r["members"]) for r in table] == clusters
    removed = pq.read_table(tmp_path / "removed").to_pylist()
    assert [r["id"] for r in removed] == [d.id for d in expected.removed()]


def test_write_refuses_unknown_format(
    notebook: tuple[Any, list[tuple[str, Any, str]]], tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match="format"):
        write(notebook[0], tmp_path, format="csv")
    assert not any(tmp_path.iterdir())


def test_containment_is_refused(spark: Any) -> None:
    frame = spark.createDataFrame([("a", "一二三四五六")], "id string, text string")
    with pytest.raises(ConfigError, match="containment"):
        spark_run(spark, frame, Options(containment=0.8))


# --- reading files ---------------------------------------------------------------------------


def _as_tuple(item: Document | Skipped) -> tuple[Any, ...]:
    if isinstance(item, Skipped):
        return ("skipped", item.source, item.id, item.reason)
    return ("document", item.id, item.text, item.meta, item.source)


def test_read_matches_read_documents(spark: Any, tmp_path: Path) -> None:
    import gzip

    import pyarrow as pa

    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.jsonl").write_text(
        "\ufeff"
        + "\n".join(
            [
                json.dumps({"id": "j1", "text": "第一条", "tags": ["x", 1]}, ensure_ascii=False),
                "",
                "not json",
                json.dumps({"id": "j2"}),
                json.dumps({"text": "没有编号"}, ensure_ascii=False),
                json.dumps({"id": 7, "text": "数字编号", "score": 0.25}, ensure_ascii=False),
                json.dumps({"id": "blank", "text": "   "}),
                "[1, 2]",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    with gzip.open(folder / "sub" / "b.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write('{"id": "g1", "text": "压缩的"}\n{"id": "g2", "text": "第二行"}')
    pq.write_table(
        pa.table({"id": ["p1", None, "p3"], "text": ["甲", "乙", None], "n": [1, 2, 3]}),
        folder / "c.parquet",
    )
    (folder / "d.csv").write_text("id,text\nc1,逗号分隔\nc2\n", encoding="utf-8")
    (folder / "e.txt").write_text("整个文件", encoding="utf-8")
    (folder / "empty.jsonl").write_bytes(b"")
    (folder / "f.bin").write_bytes(b"\x00")
    (folder / ".hidden.jsonl").write_text('{"id": "h", "text": "藏"}\n', encoding="utf-8")
    inputs = [str(folder), str(folder / "e.txt"), str(tmp_path / "missing.jsonl")]

    expected = [_as_tuple(item) for item in read_documents(inputs)]
    rows = read(spark, inputs).orderBy("order").collect()
    got = [
        ("skipped", r["source"], r["id"], r["reason"])
        if r["reason"] is not None
        else (
            "document",
            r["id"],
            r["text"],
            json.loads(r["meta"]) if r["meta"] else {},
            r["source"],
        )
        for r in rows
    ]
    assert got == expected
    assert len(expected) > 15


# --- command line ----------------------------------------------------------------------------


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    assert _invoke("spark", str(tmp_path))[0] == 2  # no --out
    assert _invoke("spark", str(tmp_path), "--out", str(tmp_path), "--format", "xml")[0] == 2
    assert _invoke("spark", str(tmp_path), "--out", str(tmp_path), "--threshold", "2")[0] == 2
    assert _invoke("spark", str(tmp_path), "--out", str(tmp_path), "--conf", "no-value")[0] == 2


def test_help_names_the_extra() -> None:
    code, out = _invoke("spark", "--help")
    assert code == 0
    assert "pip install 'dedup[spark]'" in out


def test_missing_pyspark_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in [m for m in sys.modules if m == "dedup.spark" or m.startswith("dedup.spark.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark now fails
    result = CliRunner().invoke(main, ["spark", str(tmp_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "pip install 'dedup[spark]'" in result.stderr
