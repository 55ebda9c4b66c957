"""Ids never choose paths, and never break the formats they are written into.

Guards against: report files named after document ids (``../../x`` escapes ``--out``,
``/etc/passwd`` is absolute, ``CON`` is reserved on Windows, 300 characters exceed a file
name, NUL cannot be in one, ids that differ only by case collide on case-insensitive disks);
lone surrogates in ids or file names crashing the UTF-8 writers; a newline in an id forging
lines in a unified diff; terminal escape sequences in a document acting on the terminal.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup.cli import main

STORY_A = (
    "第一段，很长的文字，讲了一个关于山和水的故事。\n"
    "第二段，又讲了另一个很长的故事，还有很多很多字。\n"
    "第三段：结束了，谢谢大家耐心阅读这篇文章。"
)
STORY_B = (
    "The harbour was quiet that morning, and the boats lay still on the water.\n"
    "Nobody on the quay could remember a calmer day in the whole of that long summer.\n"
    "By noon the wind came back and the fishing fleet went out again."
)
HOSTILE_IDS = [
    "../../x",
    "/etc/passwd",
    "CON",
    "a" * 300,
    "nul\x00inside",
    "new\nline",
    "\ud800lone surrogate",
    "C:\\Windows\\system32",
    "~/.ssh/id_rsa",
    "<script>alert(1)</script>",
    "clusters/c0001",
    "",  # empty: the reader names it by file and line
]
TOP_LEVEL = {
    "summary.json",
    "clusters.jsonl",
    "pairs.jsonl",
    "deduplicated.jsonl",
    "removed.jsonl",
    "index.html",
    ".dedupe-output",  # the marker: this folder was written by dedupe run, and what it holds
}
PER_CLUSTER = re.compile(r"c\d{4,}\.(json|diff|txt|html)")


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() or p.is_symlink())


def _check_layout(out: Path, clusters: int) -> None:
    """Only fixed names at the top, only cluster numbers below; one file per cluster each."""
    per_folder: dict[str, set[str]] = {}
    for path in _files(out):
        rel = path.relative_to(out)
        assert not path.is_symlink()
        if len(rel.parts) == 1:
            assert rel.name in TOP_LEVEL, rel
            continue
        assert len(rel.parts) == 2, rel
        assert rel.parts[0] in {"alignments", "diffs", "merged", "clusters"}, rel
        assert PER_CLUSTER.fullmatch(rel.name), rel
        per_folder.setdefault(rel.parts[0], set()).add(rel.name)
    assert len(per_folder["diffs"]) == clusters
    assert len(per_folder["alignments"]) == clusters
    assert len(per_folder["merged"]) == 2 * clusters


def _read_jsonl(path: Path) -> list[dict[str, object]]:
    raw = path.read_bytes()
    raw.decode("utf-8")  # strict: the file is valid UTF-8
    return [json.loads(line) for line in raw.decode("utf-8").splitlines()]


def test_hostile_ids_stay_data_and_every_file_stays_inside_out(tmp_path: Path) -> None:
    """Twelve hostile ids, plus two ids that differ only by case in different clusters."""
    records = [{"id": i, "text": STORY_A} for i in HOSTILE_IDS]
    records += [{"id": "Case", "text": STORY_B}, {"id": "case", "text": STORY_B + " Indeed."}]
    src = tmp_path / "input" / "docs.jsonl"
    src.parent.mkdir()
    src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="ascii")
    work = tmp_path / "work"
    out = work / "out"
    work.mkdir()
    result = CliRunner().invoke(main, ["run", str(src), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output

    # nothing was written anywhere but --out (the input folder is untouched, no stray files)
    assert _files(tmp_path / "input") == [src]
    assert [p for p in _files(tmp_path) if out not in p.parents and p != src] == []
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["clusters"] == 2
    _check_layout(out, clusters=2)

    # ids read back exactly, surrogate, NUL and newline included
    seen = {r["id"] for r in _read_jsonl(out / "deduplicated.jsonl")}
    seen |= {r["id"] for r in _read_jsonl(out / "removed.jsonl")}
    expected = {i or "docs.jsonl:12" for i in HOSTILE_IDS} | {"Case", "case"}
    assert seen == expected


def test_hostile_file_names_become_ids_not_paths(tmp_path: Path) -> None:
    """File names are ids too: newline, undecodable bytes, 250 characters, shell syntax."""
    folder = tmp_path / "in"
    folder.mkdir()
    names = [
        b"new\nline.txt",
        b"\xff\xfe not utf-8.txt",
        b"Case.txt",
        b"case.txt",
        b"x" * 250 + b".txt",
        "ملف عربي.txt".encode(),
        "файл 文件.txt".encode(),
        b"con.txt",
        b"-rf.txt",
        b"$(touch pwned).txt",
    ]
    for name in names:
        with open(os.path.join(os.fsencode(folder), name), "w", encoding="utf-8") as handle:
            handle.write(STORY_A)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(folder), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    _check_layout(out, clusters=1)
    ids = {r["id"] for r in _read_jsonl(out / "deduplicated.jsonl")}
    ids |= {r["id"] for r in _read_jsonl(out / "removed.jsonl")}
    assert ids == {os.fsdecode(n) for n in names}
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()


def test_a_newline_in_an_id_cannot_forge_diff_lines(tmp_path: Path) -> None:
    forged = "x\n+++ forged\n-deleted line that never existed"
    src = tmp_path / "docs.jsonl"
    src.write_text(
        json.dumps({"id": "plain", "text": STORY_A})
        + "\n"
        + json.dumps({"id": forged, "text": STORY_A + "\n多出来的一段，写在最后。"})
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(src), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    (diff,) = (out / "diffs").iterdir()
    lines = diff.read_text(encoding="utf-8").split("\n")
    assert sum(line.startswith("+++ ") for line in lines) == 1
    assert sum(line.startswith("--- ") for line in lines) == 1
    assert "-deleted line that never existed" not in lines


@pytest.mark.parametrize("color", ["--no-color", "--color"])
def test_terminal_escapes_in_documents_are_shown_not_sent(tmp_path: Path, color: str) -> None:
    """A document may hold ESC sequences (clear screen, set title, hyperlinks) and CR."""
    evil = "\x1b[2J\x1b]0;owned\x07\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\\rfake\u202eevil"
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text(STORY_A, encoding="utf-8")
    b.write_text(STORY_A.replace("第二段", "第二段" + evil), encoding="utf-8")
    result = CliRunner().invoke(main, ["diff", str(a), str(b), color])
    assert result.exit_code == 1, result.output
    # the only escape sequences left are the colours the tool itself adds (SGR "...m")
    assert re.sub(r"\x1b\[[0-9;]*m", "", result.output).count("\x1b") == 0
    assert "\r" not in result.output and "\x07" not in result.output
    assert "\u202e" not in result.output
    assert "\\x1b]0;owned" in result.output  # shown, as text
