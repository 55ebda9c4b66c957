"""The SQLite index: crash safety, several processes on one file, corrupt and foreign files."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import signal
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from test_index_contract import han_text

from dedup.errors import ConfigError, StoreError
from dedup.index import Index, IndexNotFound
from dedup.index.sqlite import APPLICATION_ID, SQLiteStore

FORK = mp.get_context("fork")  # the child starts at once, with the test module loaded


def text_for(i: int) -> str:
    return han_text(10_000 + i, length=120)


# -- a writer killed mid-add_many -------------------------------------------------------------


def _writer(path: str, total: int, batch: int, stall_after: int, stalled: Any) -> None:
    """Add ``total`` documents; with ``stall_after`` batches written, hang inside the next
    write transaction (rows inserted, not committed) and say so through ``stalled``."""
    if stall_after >= 0:
        original = SQLiteStore._put
        calls = [0]

        def put(self: SQLiteStore, conn: sqlite3.Connection, records: Any) -> None:
            original(self, conn, records)
            calls[0] += 1
            if calls[0] > stall_after:
                stalled.set()
                time.sleep(120)

        SQLiteStore._put = put  # type: ignore[method-assign]
    with Index.open(path) as index:
        index.add_many(((f"d{i}", text_for(i)) for i in range(total)), batch_size=batch)


def _check_all_in_or_all_out(path: str, total: int, batch: int) -> int:
    with Index.open(path) as index:
        assert index.verify() == []
        n = len(index)
        assert n % batch == 0
        present = {f"d{i}" for i in range(total) if f"d{i}" in index}
        assert present == {f"d{i}" for i in range(n)}
        for i in (0, n - 1):
            if n:
                assert [(m.id, m.similarity) for m in index.query(text_for(i))] == [(f"d{i}", 1.0)]
        assert index.query(text_for(n)) == []  # the batch cut short left nothing behind
        added = index.add_many((f"d{i}", text_for(i)) for i in range(n, total))
        assert len(index) == total == n + added
        assert index.verify() == []
    return n


def test_a_writer_killed_inside_a_write_transaction_leaves_whole_batches(tmp_path: Path) -> None:
    path = str(tmp_path / "killed.index")
    stalled = FORK.Event()
    proc = FORK.Process(target=_writer, args=(path, 400, 50, 3, stalled))
    proc.start()
    try:
        assert stalled.wait(60), "the writer never reached its fourth batch"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.join(30)
    assert proc.exitcode == -signal.SIGKILL
    assert Path(f"{path}-wal").exists()  # the uncommitted batch was in the log
    assert _check_all_in_or_all_out(path, 400, 50) == 150


def test_a_writer_killed_at_any_moment_leaves_whole_batches(tmp_path: Path) -> None:
    path = str(tmp_path / "killed.index")
    proc = FORK.Process(target=_writer, args=(path, 3000, 40, -1, None))
    proc.start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if Path(path).exists():
                try:
                    with Index.open(path, create=False) as index:
                        if len(index) >= 200:
                            break
                except IndexNotFound:
                    pass
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.join(30)
    assert proc.exitcode == -signal.SIGKILL
    assert 200 <= _check_all_in_or_all_out(path, 3000, 40) < 3000


# -- check_and_add from several processes ---------------------------------------------------


def _checker(target: str, worker: int, rounds: int, barrier: Any, results: Any) -> None:
    with Index.open(target) as index:
        for r in range(rounds):
            barrier.wait()
            check = index.check_and_add(f"p{worker}-r{r}", text_for(r))
            results.put((r, worker, check.new))


def run_checkers(target: str, workers: int = 3, rounds: int = 60) -> list[tuple[int, int, bool]]:
    """Several processes call check_and_add with the same new documents at the same moment."""
    Index.open(target).close()  # created up front, so no worker times its first call by it
    barrier = FORK.Barrier(workers)
    results = FORK.Queue()
    procs = [
        FORK.Process(target=_checker, args=(target, w, rounds, barrier, results))
        for w in range(workers)
    ]
    for p in procs:
        p.start()
    found = [results.get(timeout=120) for _ in range(workers * rounds)]
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    return found


def test_check_and_add_from_several_processes_tells_exactly_one_new(tmp_path: Path) -> None:
    target = str(tmp_path / "shared.index")
    found = run_checkers(target)
    for r in range(60):
        assert sum(new for rr, _, new in found if rr == r) == 1
    with Index.open(target) as index:
        assert len(index) == 60
        assert index.verify() == []


def test_threads_write_and_read_one_file_at_once(tmp_path: Path) -> None:
    path = str(tmp_path / "threads.index")
    errors: list[BaseException] = []
    with Index.open(path) as index:

        def write(part: int) -> None:
            try:
                index.add_many(
                    ((f"t{part}-{i}", text_for(part * 100 + i)) for i in range(60)), batch_size=7
                )
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        def read() -> None:
            try:
                for i in range(60):
                    index.query(text_for(i))
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=write, args=(p,)) for p in range(3)]
        threads += [threading.Thread(target=read) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert len(index) == 180
        assert index.verify() == []
        assert index.stats()["journal_mode"] == "wal"


# -- files that are not (good) indexes --------------------------------------------------------


def test_a_file_of_other_bytes_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"these are my notes, not an index\n" * 200)
    with pytest.raises(StoreError, match="not a dedup index"):
        Index.open(path)
    assert path.read_bytes().startswith(b"these are my notes")


def test_a_foreign_sqlite_database_is_refused_with_its_tables(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE users (name TEXT)")
    conn.close()
    with pytest.raises(StoreError, match="another application.*users"):
        Index.open(path)


def test_an_empty_file_becomes_an_index(tmp_path: Path) -> None:
    path = tmp_path / "empty.index"
    path.touch()
    with Index.open(path) as index:
        index.add("a", text_for(1))
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    conn.close()


def test_a_corrupt_index_gives_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.index"
    with Index.open(path) as index:
        index.add_many((f"d{i}", text_for(i)) for i in range(300))
    data = bytearray(path.read_bytes())
    assert len(data) > 16384
    data[8192:] = b"\xa5" * (len(data) - 8192)  # keep the header, wreck the pages after it
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="corrupt"), Index.open(path) as index:
        index.query(text_for(5))
        len(index)
        index.verify()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": 99}, "upgrade dedup"),
        ({"bands": None}, "incomplete configuration"),
        ({"options": {"threshold": 0.7, "colour": "red"}}, "unreadable options"),
        ({"format": "something-else"}, "not a dedup index"),
    ],
    ids=["newer", "incomplete", "unknown-option", "foreign-format"],
)
def test_a_stored_configuration_that_does_not_fit_is_refused(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    path = tmp_path / "changed.index"
    Index.open(path).close()
    with sqlite3.connect(path) as conn:
        (value,) = conn.execute("SELECT value FROM config WHERE key = 'index'").fetchone()
        config = {**json.loads(value), **change}
        config = {k: v for k, v in config.items() if v is not None}
        conn.execute("UPDATE config SET value = ? WHERE key = 'index'", (json.dumps(config),))
    conn.close()
    with pytest.raises(StoreError, match=message):
        Index.open(path)


def test_missing_folder_and_missing_index(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        Index.open(tmp_path / "nowhere" / "x.index")
    with pytest.raises(IndexNotFound):
        Index.open(tmp_path / "x.index", create=False)
    assert not (tmp_path / "x.index").exists()
    with pytest.raises(StoreError, match="folder"):
        Index.open(tmp_path)


def test_a_closed_index_says_so(tmp_path: Path) -> None:
    index = Index.open(tmp_path / "c.index")
    index.close()
    index.close()
    with pytest.raises(StoreError, match="closed"):
        len(index)


def test_without_texts_no_text_is_stored(tmp_path: Path) -> None:
    path = tmp_path / "lean.index"
    with Index.open(path, keep_text=False) as index:
        index.add("a", text_for(1))
    with pytest.raises(ConfigError, match="keep_text"):
        Index.open(path, keep_text=True)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT text FROM docs").fetchall() == [(None,)]
    conn.close()
