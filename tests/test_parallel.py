"""Ingesting on several processes: same signatures in the same order as one process, and no
worker left behind however the input ends."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from dedup.document import Document
from dedup.io import LineBlock
from dedup.options import Options, ReadOptions
from dedup.parallel import SERIAL_PARTS, ingest_parts

OPTIONS = Options()


def _texts(count: int) -> list[list[Document]]:
    return [
        [
            Document(f"{b}-{i}", f"第{b}批第{i}篇 文字 {b * 7 + i} 強基惠民，穩邊固邊")
            for i in range(3)
        ]
        for b in range(count)
    ]


def _slow(batches: list[list[Document]], pause: float) -> Iterator[list[Document]]:
    """The batches, with a pause before each one after the serial ones: time for the workers
    to start while the input is still coming."""
    for n, batch in enumerate(batches):
        if n >= SERIAL_PARTS:
            time.sleep(pause)
        yield batch


def _signed(batches, workers: int, folder: Path):
    folder.mkdir(exist_ok=True)
    return list(ingest_parts(batches, OPTIONS, workers, folder))


def _workers_gone() -> bool:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if not multiprocessing.active_children():
            return True
        time.sleep(0.1)
    return False


def test_workers_take_over_and_order_is_kept(tmp_path: Path) -> None:
    batches = _texts(SERIAL_PARTS + 40)
    one = _signed(batches, 1, tmp_path / "one")
    two = _signed(_slow(batches, 0.15), 2, tmp_path / "two")
    assert len(two) == len(one) == len(batches)
    for a, b in zip(one, two, strict=True):
        assert np.array_equal(a.signatures, b.signatures)
        assert np.array_equal(a.lengths, b.lengths)
        assert np.array_equal(b.hash_counts, a.hash_counts)
        assert a.items == b.items
    # the later parts were done by worker processes, and their files are readable here
    by_worker = [s for s in two if not s.hash_path.endswith(f"hashes-{os.getpid()}.bin")]
    assert by_worker, "no part went to a worker"
    assert two[0].hash_path.endswith(f"hashes-{os.getpid()}.bin")
    assert two[0].store_path.endswith(f"documents-{os.getpid()}.bin")
    last = two[-1]
    end = int(last.hash_offsets[-1]) + 4 * int(last.hash_counts[-1])
    assert os.path.getsize(last.hash_path) >= end > int(last.hash_offsets[0])
    end = int(last.store_offsets[-1]) + int(last.store_sizes[-1].sum())
    assert os.path.getsize(last.store_path) >= end
    assert _workers_gone()


def test_input_ending_before_workers_are_ready(tmp_path: Path) -> None:
    batches = _texts(SERIAL_PARTS + 2)
    two = _signed(iter(batches), 2, tmp_path)
    one = _signed(iter(batches), 1, tmp_path / "one")
    assert [s.signatures.tolist() for s in two] == [s.signatures.tolist() for s in one]
    assert all(s.hash_path.endswith(f"hashes-{os.getpid()}.bin") for s in two)
    assert _workers_gone()


def test_consumer_stopping_early_stops_workers(tmp_path: Path) -> None:
    signed = ingest_parts(_slow(_texts(SERIAL_PARTS + 60), 0.15), OPTIONS, 2, tmp_path)
    for n, _ in enumerate(signed):
        if n == SERIAL_PARTS + 30:
            break
    signed.close()
    assert _workers_gone()


def test_workers_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        list(ingest_parts([[Document("a", "x")]], OPTIONS, 0, tmp_path))


def test_blocks_of_json_lines_are_parsed_where_they_are_signed(tmp_path: Path) -> None:
    """A worker parses a block of JSON lines: the same items as documents given read."""
    lines = [{"id": f"j{i}", "text": f"第{i}篇 強基惠民，穩邊固邊 {i}"} for i in range(40)]
    data = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    data += "[1]\n"  # a record that is not an object: skipped, in its place
    block = LineBlock("f.jsonl", "f.jsonl", 1, "utf-8", data.encode(), ReadOptions())
    read = [
        [Document(line["id"], line["text"], {}, f"f.jsonl:{i}") for i, line in enumerate(lines, 1)]
    ]
    parts = _texts(SERIAL_PARTS + 1) + [block] * 30
    two = _signed(_slow(parts, 0.15), 2, tmp_path / "two")
    one = _signed(read, 1, tmp_path / "one")
    for done in two[-30:]:
        assert done.items[:40] == one[0].items
        assert "not an object" in done.items[40].reason
        assert np.array_equal(done.signatures, one[0].signatures)
    assert any(not d.hash_path.endswith(f"-{os.getpid()}.bin") for d in two[-30:])


_SCRIPT = """
import random
import time
import dedup

def documents():
    for i in range(30 * 512):
        if i % 512 == 0:
            time.sleep(0.2)  # slow enough input that the workers start before it ends
        chars = random.Random(i).choices(range(0x4E00, 0x9FA5), k=60)
        yield f"d{i}", "".join(map(chr, chars))

{body}
"""
_RUN = "result = dedup.run(documents(), workers=2)\nprint('documents', len(result.ids))"


@pytest.mark.parametrize("guarded", [True, False])
def test_script_without_main_guard_gets_a_clear_error(tmp_path: Path, guarded: bool) -> None:
    """Workers import the calling script; one without the ``__main__`` guard would run again
    in every worker. That must end with an error saying so, never hang."""
    body = "if __name__ == '__main__':\n" + textwrap.indent(_RUN, "    ") if guarded else _RUN
    script = tmp_path / "script.py"
    script.write_text(_SCRIPT.replace("{body}", body), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=180, cwd=tmp_path
    )
    if guarded:
        assert done.returncode == 0, done.stderr
        assert "documents 15360" in done.stdout
    else:
        assert done.returncode == 1
        assert 'if __name__ == "__main__":' in done.stderr
        assert "documents" not in done.stdout


def _fork_server_ends_at_once() -> bool:
    import dedup.warmup

    return dedup.warmup.ENDS_AT_ONCE


def test_only_the_fork_server_ends_without_teardown() -> None:
    """The workers' fork server (their parent, which shares the caller's output pipes) ends
    at once; a process that merely imports the module keeps its normal exit and exit code."""
    from dedup.parallel import start_workers

    pool = start_workers(2)
    try:
        assert pool.submit(_fork_server_ends_at_once).result() is True
    finally:
        pool.shutdown()
    done = subprocess.run(
        [sys.executable, "-c", "import dedup.warmup as w, sys; sys.exit(3 + w.ENDS_AT_ONCE)"],
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 3, done.stderr
