"""Inputs of any size and shape: each is read or skipped with a reason, never a crash or a hang.

Guards against: empty, whitespace-only, NUL-only and binary files crashing a stage or slipping
in as documents; symlink loops and folder loops walking forever; FIFOs and devices in a folder
blocking the run (reading a FIFO waits for a writer that never comes); unreadable files and
folders stopping the run; deep folders and names in any script being lost; a huge document
taking memory without bound (``--max-chars`` caps it, and the cut is reported); many tiny
documents or one of a single repeated character tripping the pipeline.

The 50 MB document and the 200,000 one-line documents run in ``make fuzz``
(``DEDUP_FUZZ_PROFILE=fuzz``); ``make test`` runs them scaled down.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup.cli import main
from dedup.document import Document, Skipped
from dedup.io import read_documents
from dedup.options import Options, ReadOptions
from dedup.pipeline import run

FUZZ = os.environ.get("DEDUP_FUZZ_PROFILE") == "fuzz"
STORY = (
    "第一段，很长的文字，讲了一个关于山和水的故事。\n"
    "第二段，又讲了另一个很长的故事，还有很多很多字。\n"
    "第三段：结束了，谢谢大家耐心阅读这篇文章。"
)
SCRIPT_NAMES = ["中文名.txt", "русский.txt", "עברית.txt", "😀 emoji.txt", "e\u0301-nfd.txt"]


def _odd_folder(root: Path) -> dict[str, str | None]:
    """Make every odd input; returns file name -> word expected in its skip reason (None: read)."""
    expect: dict[str, str | None] = {}

    def put(name: str, data: bytes, reason: str | None) -> None:
        (root / name).write_bytes(data)
        expect[name] = reason

    put("empty.txt", b"", "empty")
    put("spaces.txt", " \n\t\r\n\u3000\u00a0\n".encode(), "whitespace")
    put("nul.txt", b"\x00" * 4096, "binary")
    put("binary.txt", b"\x89PNG\r\n\x1a\n" + random.Random(1).randbytes(3000), "binary")
    put("repeated.txt", ("啊" * 100_000).encode(), None)
    put("one-char.txt", b"x", None)
    put("controls.txt", b"\x1b[2J\x07\x08" * 10, "binary")
    put(
        "records.jsonl",
        b'{"id": "e", "text": ""}\n{"id": "w", "text": " \\n "}\n'
        b'{"id": "n", "text": "\\u0000\\u0000"}\n{"id": "r", "text": "' + b"a" * 5000 + b'"}\n',
        None,
    )
    for name in SCRIPT_NAMES:
        put(name, STORY.encode(), None)
    (root / "loop.txt").symlink_to("loop.txt")
    expect["loop.txt"] = "symbolic links"
    (root / "dangling.txt").symlink_to("missing.txt")
    expect["dangling.txt"] = "no such file"
    os.mkfifo(root / "fifo.txt")
    expect["fifo.txt"] = "not a regular file"
    (root / "up").symlink_to(".", target_is_directory=True)  # a folder loop: never followed
    deep = root.joinpath(*[f"d{i}" for i in range(50)])
    deep.mkdir(parents=True)
    (deep / "deep.txt").write_text(STORY + "最深处。", encoding="utf-8")
    expect["/".join(f"d{i}" for i in range(50)) + "/deep.txt"] = None
    return expect


def test_every_odd_input_is_read_or_skipped_with_a_reason(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    expect = _odd_folder(folder)
    out = tmp_path / "out"
    code = "import sys; from dedup.cli import main; sys.exit(main())"
    # a subprocess with a timeout: a reader that opens the FIFO would wait forever
    proc = subprocess.run(
        [sys.executable, "-c", code, "run", str(folder), "--out", str(out), "--json"],
        capture_output=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    summary = json.loads(proc.stdout)
    skipped = {os.path.relpath(s["source"].split(":")[0], folder): s for s in summary["skipped"]}
    for name, reason in expect.items():
        if reason is not None:
            assert name in skipped, name
            assert reason in skipped[name]["reason"], (name, skipped[name]["reason"])
    ids = {
        json.loads(line)["id"]
        for path in (out / "deduplicated.jsonl", out / "removed.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
    }
    assert {n for n, r in expect.items() if r is None and n != "records.jsonl"} <= ids
    assert {"n", "r"} <= ids  # NUL-only text is a document (it normalizes to nothing)
    # the JSONL records without text are skipped one by one, with their line
    record_skips = [s for s in summary["skipped"] if s["source"].endswith(("jsonl:1", "jsonl:2"))]
    assert len(record_skips) == 2
    documents = summary["documents"]
    assert documents["input"] == documents["read"] + documents["skipped"]
    assert documents["read"] == len(ids)


def test_parquet_metadata_of_any_type_is_kept(tmp_path: Path) -> None:
    import datetime
    import decimal

    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    table = pa.table(
        {
            "id": ["a", "b"],
            "text": [STORY, STORY + "完。"],
            "when": [datetime.date(2020, 1, 1), datetime.date(2021, 2, 3)],
            "price": [decimal.Decimal("1.50"), decimal.Decimal("2.25")],
            "blob": [b"\x00\x01", b"\xff"],
        }
    )
    path = tmp_path / "meta.parquet"
    pq.write_table(table, path)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(path), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    (kept,) = map(json.loads, (out / "deduplicated.jsonl").read_text("utf-8").splitlines())
    assert kept["meta"]["when"] in ("2020-01-01", "2021-02-03")


@pytest.mark.parametrize("kind", ["file", "folder"])
def test_unreadable_inputs_are_skipped_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    good = tmp_path / "good.txt"
    good.write_text(STORY, encoding="utf-8")
    locked = tmp_path / "locked"
    if kind == "folder":
        locked.mkdir()
        (locked / "inside.txt").write_text(STORY, encoding="utf-8")
    else:
        locked = tmp_path / "locked.txt"
        locked.write_text(STORY, encoding="utf-8")
    locked.chmod(0)
    if os.geteuid() == 0:  # root reads anything: make the permission error happen anyway
        real_open, real_scandir = open, os.scandir

        def fake_open(path: object, *args: object, **kwargs: object) -> object:
            if os.fspath(path) == str(locked):  # type: ignore[call-overload]
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

        def fake_scandir(path: object) -> object:
            if os.fspath(path) == str(locked):  # type: ignore[call-overload]
                raise PermissionError(13, "Permission denied", str(path))
            return real_scandir(path)  # type: ignore[call-overload]

        monkeypatch.setattr("dedup.io.open", fake_open, raising=False)
        monkeypatch.setattr(os, "scandir", fake_scandir)
    try:
        items = list(read_documents([tmp_path]))
    finally:
        locked.chmod(0o755)
    docs = [i for i in items if isinstance(i, Document)]
    skips = [i for i in items if isinstance(i, Skipped)]
    assert [d.id for d in docs] == ["good.txt"]
    assert len(skips) == 1 and "Permission denied" in skips[0].reason
    assert skips[0].source == str(locked)


def _big_document(chars: int) -> str:
    """Random Chinese paragraphs of 40-200 characters, ``chars`` characters in all."""
    rng = random.Random(5)
    alphabet = [chr(0x4E00 + i) for i in range(3000)]
    body = rng.choices(alphabet, k=chars)
    for at in range(0, chars, 120):
        body[at] = "\n"
    return "".join(body)


def test_max_chars_caps_a_huge_document_and_bounds_memory(tmp_path: Path) -> None:
    size = 50_000_000 if FUZZ else 3_000_000
    cap = 100_000
    path = tmp_path / "huge.txt"
    path.write_text(_big_document(size), encoding="utf-8")
    run([Document("warm", STORY)], Options())  # one-time tables and compiled code
    items = list(read_documents([path], ReadOptions(max_chars=cap)))
    (doc,) = items
    assert isinstance(doc, Document)
    assert len(doc.text) == cap and doc.meta["original_chars"] == size
    tracemalloc.start()
    try:
        result = run([doc], Options(), workers=1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.documents[0].meta["original_chars"] == size
    # about 10 bytes a character: the whole document would need 30 MB here (500 MB for 50 MB)
    assert peak < 40 * cap + 8 * 2**20, f"peak {peak / 2**20:.1f} MiB"


def test_max_chars_is_reported_by_dedupe_run(tmp_path: Path) -> None:
    (tmp_path / "long.txt").write_text(STORY * 200, encoding="utf-8")
    (tmp_path / "short.txt").write_text(STORY, encoding="utf-8")
    out = tmp_path / "out"
    args = ["run", str(tmp_path / "long.txt"), str(tmp_path / "short.txt"), "--out", str(out)]
    result = CliRunner().invoke(main, [*args, "--max-chars", "500"])
    assert result.exit_code == 0, result.output
    assert "cut 1 document to --max-chars 500 characters" in result.stderr
    records = {
        r["id"]: r
        for r in map(json.loads, (out / "deduplicated.jsonl").read_text("utf-8").splitlines())
    }
    assert len(records["long.txt"]["text"]) == 500
    assert records["long.txt"]["meta"]["original_chars"] == len(STORY * 200)
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["documents"]["cut_to_max_chars"] == 1
    bad = CliRunner().invoke(main, [*args, "--max-chars", "0"])
    assert bad.exit_code == 2


def test_many_one_line_documents(tmp_path: Path) -> None:
    count = 200_000 if FUZZ else 20_000
    rng = random.Random(9)
    lines = []
    for i in range(count):
        text = "".join(chr(0x4E00 + rng.randrange(3000)) for _ in range(rng.randrange(1, 12)))
        lines.append(json.dumps({"id": i, "text": text}, ensure_ascii=False) + "\n")
    path = tmp_path / "many.jsonl"
    path.write_text("".join(lines), encoding="utf-8")
    started = time.perf_counter()
    items = read_documents([path])
    result = run(items, Options(), workers=1)
    elapsed = time.perf_counter() - started
    assert len(result.documents) + len(result.skipped) == count
    assert not result.skipped
    kept = {d.id for d in result.kept()}
    assert len(kept) + len(result.duplicate_of) == count
    print(f"{count} one-line documents in {elapsed:.1f} s, {len(result.clusters)} clusters")


@pytest.mark.skipif(not FUZZ, reason="bench-style: runs in make fuzz")
def test_a_50_mb_document_through_the_cli(tmp_path: Path) -> None:
    """The whole 50 MB document without a cap: it must finish; peak memory is printed."""
    path = tmp_path / "huge.txt"
    path.write_text(_big_document(50_000_000), encoding="utf-8")
    code = "import sys; from dedup.cli import main; sys.exit(main())"
    for cap in (["--max-chars", "1000000"], []):
        started = time.perf_counter()
        args = [sys.executable, "-c", code, "run", str(path), "--out", str(tmp_path / "o"), *cap]
        with open(tmp_path / "stderr.txt", "wb") as err:
            proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err)
            # this child's own peak: RUSAGE_CHILDREN would be the largest of every child the
            # test session ever waited for, earlier tests' included
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
        assert proc.returncode == 0, (tmp_path / "stderr.txt").read_text(errors="replace")
        rss_mib = usage.ru_maxrss / 1024
        print(
            f"50 MB document {' '.join(cap) or 'uncapped'}: "
            f"{time.perf_counter() - started:.1f} s, peak RSS {rss_mib:.0f} MiB"
        )
        if cap:
            assert rss_mib < 1024, f"capped run peak {rss_mib:.0f} MiB"
