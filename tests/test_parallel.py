"""Signing on several processes: same signatures in the same order as one process, and no
worker left behind however the input ends."""

from __future__ import annotations

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

from dedup.options import Options
from dedup.parallel import SERIAL_BATCHES, sign_batches

OPTIONS = Options()


def _texts(count: int) -> list[list[str]]:
    return [
        [f"第{b}批第{i}篇 文字 {b * 7 + i} 強基惠民，穩邊固邊" for i in range(3)]
        for b in range(count)
    ]


def _slow(batches: list[list[str]], pause: float) -> Iterator[list[str]]:
    """The batches, with a pause before each one after the serial ones: time for the workers
    to start while the input is still coming."""
    for n, batch in enumerate(batches):
        if n >= SERIAL_BATCHES:
            time.sleep(pause)
        yield batch


def _signed(batches, workers: int, folder: Path):
    folder.mkdir(exist_ok=True)
    return list(sign_batches(batches, OPTIONS, workers, folder))


def _workers_gone() -> bool:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if not multiprocessing.active_children():
            return True
        time.sleep(0.1)
    return False


def test_workers_take_over_and_order_is_kept(tmp_path: Path) -> None:
    batches = _texts(SERIAL_BATCHES + 40)
    one = _signed(batches, 1, tmp_path / "one")
    two = _signed(_slow(batches, 0.15), 2, tmp_path / "two")
    assert len(two) == len(one) == len(batches)
    for a, b in zip(one, two, strict=True):
        assert np.array_equal(a.signatures, b.signatures)
        assert np.array_equal(a.lengths, b.lengths)
        assert np.array_equal(b.counts, a.counts)
    # the later batches were signed by worker processes, and their hashes are readable there
    by_worker = [s for s in two if not s.path.endswith(f"hashes-{os.getpid()}.bin")]
    assert by_worker, "no batch went to a worker"
    assert two[0].path.endswith(f"hashes-{os.getpid()}.bin")
    last = two[-1]
    size = int(last.counts.sum()) * 4
    assert os.path.getsize(last.path) >= last.offset + size > last.offset
    assert _workers_gone()


def test_input_ending_before_workers_are_ready(tmp_path: Path) -> None:
    batches = _texts(SERIAL_BATCHES + 2)
    two = _signed(iter(batches), 2, tmp_path)
    one = _signed(iter(batches), 1, tmp_path / "one")
    assert [s.signatures.tolist() for s in two] == [s.signatures.tolist() for s in one]
    assert all(s.path.endswith(f"hashes-{os.getpid()}.bin") for s in two)
    assert _workers_gone()


def test_consumer_stopping_early_stops_workers(tmp_path: Path) -> None:
    signed = sign_batches(_slow(_texts(SERIAL_BATCHES + 60), 0.15), OPTIONS, 2, tmp_path)
    for n, _ in enumerate(signed):
        if n == SERIAL_BATCHES + 30:
            break
    signed.close()
    assert _workers_gone()


def test_workers_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        list(sign_batches([["x"]], OPTIONS, 0, tmp_path))


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
