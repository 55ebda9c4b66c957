"""``dedupe run --out``: it owns only what it wrote, refuses others' folders before the work,
leaves itself out of the inputs, and marks a finished run by writing ``summary.json`` last.
Also the exit codes and messages when nothing could be read."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup.cli import main
from dedup.report.outdir import MARKER


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["run", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def corpus(seeds_dir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    shutil.copytree(seeds_dir, folder)
    return folder


def test_a_folder_with_other_files_is_refused_and_left_untouched(
    corpus: Path, tmp_path: Path
) -> None:
    out = tmp_path / "mine"
    (out / "diffs").mkdir(parents=True)
    (out / "diffs" / "c0001.diff").write_text("my own notes", encoding="utf-8")
    (out / "thesis.tex").write_text("chapter one", encoding="utf-8")
    code, stdout, stderr = _run(str(corpus), "--out", str(out))
    assert code == 2
    assert stdout == ""
    assert "is not empty and was not written by dedupe run" in stderr
    assert "thesis.tex" in stderr and "pass a new or empty folder" in stderr
    assert "Traceback" not in stderr
    assert sorted(p.name for p in out.rglob("*")) == ["c0001.diff", "diffs", "thesis.tex"]
    assert (out / "diffs" / "c0001.diff").read_text(encoding="utf-8") == "my own notes"


def test_a_file_as_out_is_refused(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    out.write_text("x", encoding="utf-8")
    code, _, stderr = _run(str(corpus), "--out", str(out))
    assert code == 2
    assert "is a file" in stderr
    assert out.read_text(encoding="utf-8") == "x"


def test_files_a_user_keeps_in_an_earlier_output_survive_a_rerun(
    corpus: Path, tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    assert _run(str(corpus), "--out", str(out), "-q")[0] == 0
    notes = [out / "diffs" / "notes.md", out / "clusters" / "review.txt", out / "todo.txt"]
    for path in notes:
        path.write_text("keep me", encoding="utf-8")
    stale = out / "merged" / "c0099.txt"  # a name the run writes: from an earlier, larger run
    stale.write_text("old cluster", encoding="utf-8")
    assert _run(str(corpus), "--out", str(out), "-q")[0] == 0
    assert all(p.read_text(encoding="utf-8") == "keep me" for p in notes)
    assert not stale.exists()
    listed = json.loads((out / MARKER).read_text(encoding="utf-8"))["files"]
    assert "summary.json" in listed and "todo.txt" not in listed


def test_an_output_without_a_marker_from_an_earlier_version_is_still_ours(
    corpus: Path, tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    assert _run(str(corpus), "--out", str(out), "-q")[0] == 0
    (out / MARKER).unlink()
    (out / "merged" / "c0042.txt").write_text("old", encoding="utf-8")
    assert _run(str(corpus), "--out", str(out), "-q")[0] == 0
    assert not (out / "merged" / "c0042.txt").exists()
    assert (out / MARKER).is_file()


def test_the_out_folder_inside_an_input_folder_is_not_read(corpus: Path) -> None:
    out = corpus / "reports"
    for _ in range(2):
        code, stdout, stderr = _run(str(corpus), "--out", str(out))
        assert code == 0, stderr
        assert stdout.startswith("5 documents read, 0 skipped, 1 cluster, 1 duplicate removed")


def test_an_input_inside_out_is_refused(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    assert _run(str(corpus), "--out", str(out), "-q")[0] == 0
    before = (out / "deduplicated.jsonl").read_bytes()
    code, _, stderr = _run(str(out / "deduplicated.jsonl"), "--out", str(out))
    assert code == 2
    assert "lies inside --out" in stderr
    assert (out / "deduplicated.jsonl").read_bytes() == before


def test_summary_is_written_last(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    assert _run(str(corpus), "--out", str(out), "-q")[0] == 0
    files = [p for p in out.rglob("*") if p.is_file() and p.name != MARKER]
    newest = max(files, key=lambda p: p.stat().st_mtime_ns)
    assert newest.name == "summary.json"


def test_nothing_read_is_exit_1_with_one_clear_line(tmp_path: Path) -> None:
    out = tmp_path / "o"
    code, stdout, stderr = _run(str(tmp_path / "nope.jsonl"), "--out", str(out))
    assert code == 1
    assert stdout == ""
    assert stderr.splitlines()[-1] == (
        f"Error: no document could be read from {tmp_path / 'nope.jsonl'} "
        "(1 skipped, reasons above)"
    )
    assert f"skipped {tmp_path / 'nope.jsonl'}: no such file or folder" in stderr
    assert not out.exists()


def test_an_empty_folder_is_exit_1(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, stderr = _run(str(empty), "--out", str(tmp_path / "o"))
    assert code == 1
    assert stderr.startswith(f"Error: no document found in {empty}: no file to read")


def test_a_repeated_skip_reason_is_printed_once_with_its_count(tmp_path: Path) -> None:
    source = tmp_path / "posts.jsonl"
    records = [{"id": str(i), "content": f"post number {i}"} for i in range(5000)]
    records.append({"id": "x", "text": "the one record with a text field"})
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "o"
    code, stdout, stderr = _run(str(source), "--out", str(out))
    assert code == 0
    lines = stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("skipped 5000 inputs: no field 'text' (available: id, content;")
    assert f"{source}:1, {source}:2, {source}:3, ... (all in summary.json)" in lines[0]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert len(summary["skipped"]) == 5000
    assert stdout.startswith("1 document read, 5000 skipped")
