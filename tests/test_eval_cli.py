"""``dedupe eval`` end to end: files written, exact numbers, links, exit codes."""

from __future__ import annotations

import builtins
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dedup.cli import main

# a = b; c shares 8 of a's 10 words (J 8/12 with word 1-grams); e shares 9 of d's 10 (J 9/11).
RECORDS = [
    {"id": "a", "text": " ".join(f"w{k}" for k in range(1, 11)), "g": "A"},
    {"id": "b", "text": " ".join(f"w{k}" for k in range(1, 11)), "g": "A"},
    {"id": "c", "text": " ".join([*(f"w{k}" for k in range(1, 9)), "c1", "c2"]), "g": "A"},
    {"id": "d", "text": " ".join(f"d{k}" for k in range(1, 11)), "g": "D"},
    {"id": "e", "text": " ".join([*(f"d{k}" for k in range(1, 10)), "e1"])},
    {"id": "f", "text": " ".join(f"f{k}" for k in range(1, 11)), "g": "D"},
]
TRUTH = {"groups": [["a", "b", "c"], ["d", "f"]]}


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, Path]:
    docs = tmp_path / "docs.jsonl"
    docs.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    truth = tmp_path / "truth.json"
    truth.write_text(json.dumps(TRUTH), encoding="utf-8")
    return docs, truth


def _eval(*args: str) -> tuple[int, str, str]:
    # The expected scores below are worked out by hand for threshold 0.7.
    if "--threshold" not in args:
        args = (*args, "--threshold", "0.7")
    result = CliRunner().invoke(main, ["eval", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_scores_and_files(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    docs, truth = corpus
    out = tmp_path / "out"
    code, stdout, _ = _eval(
        str(docs), "--truth", str(truth), "--word-ngram", "1", "--out", str(out)
    )
    assert code == 0
    # found ab de; truth ab ac bc df: precision 1/2, recall 1/4, F1 1/3
    summary = json.loads((out / "eval.json").read_text(encoding="utf-8"))
    scores = summary["scores"]
    assert (scores["precision"], scores["recall"]) == (0.5, 0.25)
    assert scores["f1"] == round(1 / 3, 6)
    assert summary["false_positives"] == {"total": 1, "direct": 1}
    assert summary["false_negatives"] == {"total": 3, "below threshold": 3}
    assert "timings" not in summary
    fps = _jsonl(out / "false_positives.jsonl")
    assert [(r["a"], r["b"], r["jaccard"]) for r in fps] == [("d", "e", round(9 / 11, 6))]
    fns = _jsonl(out / "false_negatives.jsonl")
    assert [(r["a"], r["b"]) for r in fns] == [("a", "c"), ("b", "c"), ("d", "f")]
    assert not (out / "sweep.csv").exists()
    page = (out / "eval.html").read_text(encoding="utf-8")
    assert '<td class="id">d</td><td class="id">e</td>' in page
    assert "0.818" in page
    last = stdout.strip().splitlines()[-1]
    assert last.startswith("6 documents scored, 2 labelled groups, 1 false positive and 3 false")


def test_sweep_table_plot_and_html(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    docs, truth = corpus
    out = tmp_path / "out"
    args = [str(docs), "--truth", str(truth), "--word-ngram", "1", "--out", str(out)]
    code, stdout, _ = _eval(*args, "--sweep", "0.5:0.9:0.2", "--threshold", "0.6")
    assert code == 0
    rows = (out / "sweep.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("threshold,precision,recall,f1,ari,cluster_precision")
    # 0.6 is added to the swept 0.5, 0.7, 0.9; at 0.5 and 0.6 {a,b,c} and {d,e} are found
    assert [r.split(",")[:3] for r in rows[1:]] == [
        ["0.5", "0.75", "0.75"],
        ["0.6", "0.75", "0.75"],
        ["0.7", "0.5", "0.25"],
        ["0.9", "1.0", "0.25"],
    ]
    assert (out / "sweep.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (out / "eval.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 1
    assert '<tr class="chosen"><td>0.6</td>' in page
    lines = stdout.splitlines()
    # 0.5 and 0.6 tie on F1: the lower one is named best
    assert lines[1].startswith("    0.500") and lines[1].endswith("<- best F1")
    assert lines[2].startswith("    0.600") and lines[2].endswith(" 1       1  <- threshold")


def test_reports_beside_the_evaluation(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    docs, truth = corpus
    out = tmp_path / "out"
    args = [str(docs), "--truth", str(truth), "--word-ngram", "1", "--out", str(out)]
    code, _, stderr = _eval(*args, "--reports")
    assert code == 0
    assert "differ" not in stderr
    clusters = _jsonl(out / "clusters.jsonl")
    assert [c["members"] for c in clusters] == [["a", "b"], ["d", "e"]]
    page = (out / "eval.html").read_text(encoding="utf-8")
    # a cluster is linked exactly when the run wrote its page
    for c in clusters:
        cid = c["cluster"]
        linked = f'<a href="clusters/{cid}.html">{cid}</a>' in page
        assert linked == (out / "clusters" / f"{cid}.html").exists(), cid


def test_html_links_existing_cluster_pages(tmp_path: Path) -> None:
    from dedup import Document, Options
    from dedup.eval import evaluate
    from dedup.eval.report import write_evaluation

    docs = [Document(r["id"], r["text"]) for r in RECORDS]
    ev = evaluate(docs, TRUTH["groups"], Options(word_ngram=1, threshold=0.7))
    (tmp_path / "clusters").mkdir()
    (tmp_path / "clusters" / "c0002.html").write_text("<html></html>", encoding="utf-8")
    write_evaluation(ev, tmp_path, title="<tiny & corpus>")
    page = (tmp_path / "eval.html").read_text(encoding="utf-8")
    # d-e (false positive) and d-f (false negative) link c0002; a-c names c0001, without a page
    assert page.count('<a href="clusters/c0002.html">c0002</a>') == 2
    assert "clusters/c0001.html" not in page
    assert page.count('<td class="id">c0001</td>') == 2
    assert "&lt;tiny &amp; corpus&gt;" in page and "<tiny" not in page


def test_truth_field_and_json(corpus: tuple[Path, Path]) -> None:
    docs, _ = corpus
    code, stdout, _ = _eval(str(docs), "--truth-field", "g", "--word-ngram", "1", "--json")
    assert code == 0
    summary = json.loads(stdout)
    # groups A = {a,b,c}, D = {d,f}, e alone: the same truth as the labels file
    assert (summary["scores"]["precision"], summary["scores"]["recall"]) == (0.5, 0.25)
    assert summary["labels"]["groups"] == 2


def test_labelled_only(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    docs, _ = corpus
    truth = tmp_path / "sample.jsonl"
    truth.write_text('["a", "b"]\n["c"]\n["f"]\n', encoding="utf-8")
    args = [str(docs), "--truth", str(truth), "--word-ngram", "1", "--threshold", "0.5"]
    code, stdout, _ = _eval(*args, "--labelled-only", "--json")
    assert code == 0
    summary = json.loads(stdout)
    assert summary["documents"]["scored"] == 4
    # among a, b, c, f: found ab ac bc, truth ab
    assert summary["scores"]["true_positives"] == 1
    assert summary["scores"]["false_positives"] == 2


def test_outputs_are_byte_identical(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    docs, truth = corpus
    outs = [tmp_path / "one", tmp_path / "two"]
    for out in outs:
        args = [str(docs), "--truth", str(truth), "--word-ngram", "1", "--out", str(out), "-q"]
        assert _eval(*args, "--sweep", "0.3:0.9:0.1")[0] == 0
    names = sorted(p.name for p in outs[0].iterdir())
    assert names == sorted(p.name for p in outs[1].iterdir())
    for name in names:
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name


def test_missing_matplotlib(
    corpus: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_import = builtins.__import__

    def no_matplotlib(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    docs, truth = corpus
    out = tmp_path / "out"
    args = [str(docs), "--truth", str(truth), "--out", str(out), "--sweep", "0.5:0.9:0.1"]
    code, _, stderr = _eval(*args)
    assert code == 1
    assert (
        stderr == "Error: this feature needs the Python package 'matplotlib': "
        "pip install 'dedup[plot]'\n"
    )
    assert not out.exists()
    code, _, _ = _eval(*args, "--no-plot", "-q")
    assert code == 0
    assert (out / "sweep.csv").exists() and not (out / "sweep.png").exists()


@pytest.mark.parametrize(
    ("extra", "code", "message"),
    [
        ([], 2, "give exactly one of --truth"),
        (["--truth", "T", "--truth-field", "g"], 2, "give exactly one of --truth"),
        (["--truth", "T", "--sweep", "0.9:0.3:0.1"], 2, "need 0 < START <= STOP"),
        (["--truth", "T", "--reports"], 2, "give --out DIR too"),
        (["--truth", "absent.json"], 1, "no such labels file"),
        (["--truth", "T", "--threshold", "0"], 2, "Invalid value for '--threshold'"),
    ],
    ids=["no-truth", "two-truths", "bad-sweep", "reports-without-out", "no-file", "threshold-0"],
)
def test_errors(
    corpus: tuple[Path, Path], tmp_path: Path, extra: list[str], code: int, message: str
) -> None:
    docs, truth = corpus
    args = [
        str(truth) if a == "T" else str(tmp_path / a) if a == "absent.json" else a for a in extra
    ]
    result = CliRunner().invoke(main, ["eval", str(docs), *args])
    assert result.exit_code == code
    assert message in result.stderr


def test_help_lists_eval() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert "eval" in result.stdout
    result = CliRunner().invoke(main, ["eval", "--help"])
    assert result.exit_code == 0
    assert "--sweep START:STOP:STEP" in result.stdout


def test_inline_plot_escapes_the_title(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    docs, truth = corpus
    out = tmp_path / "out"
    title = '<script>alert("x")</script> & co'
    args = [str(docs), "--truth", str(truth), "--out", str(out), "--sweep", "0.5:0.9:0.2"]
    assert _eval(*args, "--title", title, "-q")[0] == 0
    page = (out / "eval.html").read_text(encoding="utf-8")
    assert "<script>" not in page
    assert page.count("&lt;script&gt;") == 3  # <title>, <h1> and the plot's title


def test_reports_beside_the_evaluation_can_be_written_again(
    corpus: tuple[Path, Path], tmp_path: Path
) -> None:
    """The folder holds eval.json and the run's reports: a second run owns both."""
    docs, truth = corpus
    out = tmp_path / "eval"
    for _ in range(2):
        code, _, stderr = _eval(str(docs), "--truth", str(truth), "--out", str(out), "--reports")
        assert code == 0, stderr
    assert (out / "eval.json").is_file() and (out / "summary.json").is_file()
