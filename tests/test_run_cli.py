"""``dedupe run`` end to end: outputs, accounting, byte-identical reruns, exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup.cli import main


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["run", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_seeds_report(seeds_dir: Path, tmp_path: Path) -> None:
    code, out, _ = _run(str(seeds_dir), "--out", str(tmp_path), "--quiet")
    assert code == 0
    assert out == ""
    clusters = _jsonl(tmp_path / "clusters.jsonl")
    assert len(clusters) == 1
    (cluster,) = clusters
    assert [m[:3] for m in cluster["members"]] == ["000", "001"]
    assert cluster["representative"].startswith("000")
    removed = _jsonl(tmp_path / "removed.jsonl")
    assert [(r["id"][:3], r["duplicate_of"][:3]) for r in removed] == [("001", "000")]
    kept = _jsonl(tmp_path / "deduplicated.jsonl")
    assert [d["id"][:3] for d in kept] == ["000", "002", "003", "004"]
    assert kept[0]["text"] == (seeds_dir / kept[0]["id"]).read_text(encoding="utf-8")
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["documents"] == {
        "input": 5,
        "read": 5,
        "skipped": 0,
        "kept": 4,
        "removed": 1,
        "cut_to_max_chars": 0,
    }
    pairs = _jsonl(tmp_path / "pairs.jsonl")
    (dup,) = [p for p in pairs if p["verdict"] == "duplicate"]
    assert dup["jaccard"] >= 0.7


def test_outputs_are_byte_identical_across_runs(seeds_dir: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    assert _run(str(seeds_dir), "--out", str(first), "-q")[0] == 0
    assert _run(str(seeds_dir), "--out", str(second), "-q")[0] == 0
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for rel in files:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel


def test_accounting_with_bad_inputs(seeds_dir: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(seeds_dir, corpus)
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    (corpus / "bad.jsonl").write_text(
        '{"id": "j1", "text": "第一条记录的文字内容"}\nnot json\n{"id": "j2"}\n'
        '{"id": "j1", "text": "重复的编号"}\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code, stdout, stderr = _run(str(corpus), "--out", str(out), "--json")
    assert code == 0
    summary = json.loads(stdout)
    kept = {d["id"] for d in _jsonl(out / "deduplicated.jsonl")}
    removed = {d["id"] for d in _jsonl(out / "removed.jsonl")}
    skipped = summary["skipped"]
    assert len(skipped) == 5
    reasons = " | ".join(s["reason"] for s in skipped)
    for word in ("empty", "binary", "JSON", "text", "duplicate id"):
        assert word in reasons, word
    assert all(s["source"] for s in skipped)
    documents = summary["documents"]
    assert documents["input"] == len(kept) + len(removed) + len(skipped) == 5 + 1 + 5
    assert "skipped" in stderr


def test_json_summary_on_stdout(seeds_dir: Path, tmp_path: Path) -> None:
    code, out, _ = _run(str(seeds_dir), "--out", str(tmp_path), "--json")
    assert code == 0
    summary = json.loads(out)
    assert summary["clusters"] == 1
    assert "timings_seconds" in summary


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    assert _run()[0] == 2
    assert _run(str(tmp_path), "--threshold", "1.5")[0] == 2
    assert _run(str(tmp_path), "--no-such-flag")[0] == 2


def test_stale_reports_are_removed(seeds_dir: Path, tmp_path: Path) -> None:
    stale = tmp_path / "diffs" / "c9999.diff"
    stale.parent.mkdir(parents=True)
    stale.write_text("old", encoding="utf-8")
    assert _run(str(seeds_dir), "--out", str(tmp_path), "-q")[0] == 0
    assert not stale.exists()


def test_committed_reports_match_a_fresh_run(
    seeds_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """reports/ is the committed output of `make demo`: it must equal what the code writes now."""
    committed = seeds_dir.parent / "reports"
    monkeypatch.chdir(seeds_dir.parent)  # run exactly as `make demo` does
    assert _run("seeds/", "--out", str(tmp_path), "-q")[0] == 0
    fresh = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert fresh == sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
    for rel in fresh:
        assert (tmp_path / rel).read_bytes() == (committed / rel).read_bytes(), (
            f"reports/{rel} is out of date: run `make demo` and review the change"
        )


def test_reports_are_readable_by_others(seeds_dir: Path, tmp_path: Path) -> None:
    """Temporary files are private; the renamed report must get the usual umask permissions."""
    import os

    old = os.umask(0o022)
    try:
        assert _run(str(seeds_dir), "--out", str(tmp_path), "-q")[0] == 0
    finally:
        os.umask(old)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert path.stat().st_mode & 0o777 == 0o644, path


@pytest.mark.parametrize(
    ("args", "code"),
    [(["--version"], 0), (["run", "seeds", "--out", "{out}", "--quiet"], 0), (["bogus"], 2)],
)
def test_the_executable_exits_with_the_commands_code_and_leaves_no_work_folder(
    tmp_path: Path, args: list[str], code: int
) -> None:
    """``dedupe`` ends without interpreter teardown: the exit code, the output and the removal
    of the run's work folder must not suffer from it."""
    import subprocess
    import sys

    work = tmp_path / "tmp"
    work.mkdir()
    argv = [a.replace("{out}", str(tmp_path / "out")) for a in args]
    done = subprocess.run(
        [sys.executable, "-c", "from dedup.cli import entry; entry()", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "TMPDIR": str(work)},
    )
    assert done.returncode == code, done.stderr
    assert list(work.iterdir()) == []
    if args[0] == "--version":
        assert done.stdout.startswith("dedupe, version")
    if args[0] == "run":
        summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
        assert summary["documents"]["read"] == 5 and summary["clusters"] == 1


def test_a_threshold_lsh_cannot_serve_is_a_usage_error_before_the_work(
    seeds_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    code, stdout, stderr = _run(str(seeds_dir), "--out", str(out), "--threshold", "0.999")
    assert code == 2
    assert stdout == ""
    assert "leaves too few LSH bands" in stderr and "--num-perm" in stderr
    assert "Traceback" not in stderr
    assert not out.exists()
