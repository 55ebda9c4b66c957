"""The embedded default: an index in one SQLite file, nothing to start.

The file runs in WAL mode, so readers never wait for the writer and several threads and
processes can share it. Every write is one ``BEGIN IMMEDIATE`` transaction: a batch of documents
is stored with all its band rows or not at all, also when the process is killed half-way, and
``check_and_put`` holds the write lock from its look-up to its insert.

Tables: ``config`` (the index configuration and the document count), ``docs`` (one row per
document) and ``bands`` (``(key, doc)``, a covering primary key, so a look-up is one B-tree
search per band).
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import StoreError
from .store import (
    FORMAT,
    Decide,
    IndexNotFound,
    Record,
    Store,
    decode_meta,
    encode_meta,
    from_keys,
    from_u32,
    keys_bytes,
    u32_bytes,
)

__all__ = ["APPLICATION_ID", "SQLiteStore"]

log = logging.getLogger(__name__)

APPLICATION_ID = 0x44445550  # "DDUP" in the SQLite header: marks the file as ours
_CHUNK = 500  # ids per IN (...) clause, well under SQLite's variable limit
_SCHEMA = """
CREATE TABLE IF NOT EXISTS config (key TEXT PRIMARY KEY, value);
CREATE TABLE IF NOT EXISTS docs (
    n INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    keys BLOB NOT NULL,
    signature BLOB NOT NULL,
    shingles BLOB NOT NULL,
    length INTEGER NOT NULL,
    meta TEXT,
    text TEXT
);
CREATE TABLE IF NOT EXISTS bands (
    key INTEGER NOT NULL,
    doc INTEGER NOT NULL,
    PRIMARY KEY (key, doc)
) WITHOUT ROWID;
INSERT OR IGNORE INTO config (key, value) VALUES ('documents', 0);
"""
_COLUMNS = "id, keys, signature, shingles, length, meta"


class SQLiteStore(Store):
    """An index in the SQLite file at ``path``; one connection per thread (and per process)."""

    backend = "sqlite"

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True, timeout: float = 60.0):
        self.path = Path(path)
        self.target = str(self.path)
        self.timeout = timeout
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._pid = os.getpid()
        self._closed = False
        if self.path.is_dir():
            raise StoreError(f"{self.path} is a folder; give the path of an index file")
        if not self.path.parent.is_dir():
            raise StoreError(f"folder {self.path.parent} does not exist; create it first")
        fresh = not self.path.exists() or self.path.stat().st_size == 0
        if fresh and not create:
            raise IndexNotFound(f"no index at {self.path}; add documents to create one")
        with self._guard():
            self._check_ours()
            self._create_schema()

    # -- connections and errors -------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError(f"index {self.path} is closed")
        if os.getpid() != self._pid:  # forked: the parent's connections are not ours to use
            self._pid = os.getpid()
            self._local = threading.local()
            self._connections = []
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA cache_size = -131072")
            conn.execute("PRAGMA temp_store = MEMORY")
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn SQLite's exceptions into a StoreError that names the file and the fix."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            message = str(exc)
            if "locked" in message or "busy" in message:
                hint = f"another writer held the index for more than {self.timeout:.0f} s"
            elif "not a database" in message:
                hint = "it is not a dedup index, or a corrupt one; give a new path to create one"
            elif "malformed" in message:
                hint = "the index is corrupt; rebuild it from the source documents"
            else:
                hint = "check the file and its folder are readable and writable"
            raise StoreError(f"SQLite index {self.path}: {message} ({hint})") from exc

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction holding the database's write lock from its first statement."""
        with self._guard():
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _check_ours(self) -> None:
        try:
            conn = self._conn()
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{self.path} is not a dedup index ({exc}); give a new path to create an index"
            ) from exc
        if app_id == APPLICATION_ID or (app_id == 0 and not tables):
            return
        found = ", ".join(sorted(tables)) or "none"
        raise StoreError(
            f"{self.path} is an SQLite database of another application (tables: {found}); "
            "give a new path to create an index"
        )

    def _create_schema(self) -> None:
        conn = self._conn()
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode != "wal":
            log.warning("SQLite index %s runs in %s mode, not WAL", self.path, mode)
        with self._write() as conn:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)

    # -- configuration ------------------------------------------------------------------------

    def load_config(self) -> dict[str, Any] | None:
        with self._guard():
            row = self._conn().execute("SELECT value FROM config WHERE key = 'index'").fetchone()
        if row is None:
            return None
        try:
            config: dict[str, Any] = json.loads(row[0])
        except (TypeError, ValueError) as exc:
            raise StoreError(f"{self.path}: the index configuration is unreadable ({exc})") from exc
        if config.get("format") != FORMAT:
            raise StoreError(f"{self.path} is not a dedup index (no format mark)")
        return config

    def init_config(self, config: dict[str, Any]) -> dict[str, Any]:
        with self._write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO config (key, value) VALUES ('index', ?)",
                (json.dumps(config, sort_keys=True),),
            )
        stored = self.load_config()
        assert stored is not None
        return stored

    # -- documents ----------------------------------------------------------------------------

    def put(self, records: Sequence[Record]) -> None:
        with self._write() as conn:
            self._put(conn, records)

    def check_and_put(self, record: Record, decide: Decide) -> bool:
        with self._write() as conn:
            if not decide(self._candidates(conn, record.keys, with_text=True)):
                return False
            self._put(conn, [record])
            return True

    def candidates(self, keys: Sequence[int], with_text: bool = False) -> list[Record]:
        with self._guard():
            return self._candidates(self._conn(), keys, with_text)

    def get(self, doc_id: str) -> Record | None:
        with self._guard():
            row = (
                self._conn()
                .execute(f"SELECT {_COLUMNS}, text FROM docs WHERE id = ?", (doc_id,))
                .fetchone()
            )
        return None if row is None else _record(row)

    def remove(self, ids: Sequence[str]) -> int:
        with self._write() as conn:
            return self._drop(conn, list(dict.fromkeys(ids)))

    def count(self) -> int:
        with self._guard():
            row = (
                self._conn().execute("SELECT value FROM config WHERE key = 'documents'").fetchone()
            )
        return int(row[0])

    def verify(self) -> list[str]:
        problems: list[str] = []
        with self._guard():
            conn = self._conn()
            conn.execute("BEGIN")  # one snapshot for every check
            try:
                total = 0
                for n, doc_id, keys in conn.execute("SELECT n, id, keys FROM docs ORDER BY n"):
                    total += 1
                    for key in from_keys(keys):
                        hit = conn.execute(
                            "SELECT 1 FROM bands WHERE key = ? AND doc = ?", (key, n)
                        ).fetchone()
                        if hit is None:
                            problems.append(f"document {doc_id!r} is missing band key {key}")
                orphans = conn.execute(
                    "SELECT key, doc FROM bands WHERE doc NOT IN (SELECT n FROM docs)"
                ).fetchall()
                problems += [f"band key {k} points to missing document #{d}" for k, d in orphans]
                counted = conn.execute("SELECT value FROM config WHERE key = 'documents'")
                recorded = int(counted.fetchone()[0])
                if recorded != total:
                    problems.append(f"document count says {recorded}, table holds {total}")
                integrity = conn.execute("PRAGMA quick_check").fetchone()[0]
                if integrity != "ok":
                    problems.append(f"SQLite quick_check: {integrity}")
            finally:
                conn.execute("COMMIT")
        return problems

    def info(self) -> dict[str, Any]:
        sizes = [p.stat().st_size for p in (self.path, Path(f"{self.path}-wal")) if p.exists()]
        with self._guard():
            mode = self._conn().execute("PRAGMA journal_mode").fetchone()[0]
        return {"file_bytes": sum(sizes), "journal_mode": mode}

    def close(self) -> None:
        with self._lock:
            connections, self._connections = self._connections, []
            self._closed = True
        if os.getpid() != self._pid:
            return
        for conn in connections:
            conn.close()

    # -- inside a transaction -----------------------------------------------------------------

    def _candidates(
        self, conn: sqlite3.Connection, keys: Sequence[int], with_text: bool
    ) -> list[Record]:
        if not keys:
            return []
        columns = f"{_COLUMNS}, text" if with_text else _COLUMNS
        marks = ",".join("?" * len(keys))
        rows = conn.execute(
            f"SELECT {columns} FROM docs WHERE n IN (SELECT doc FROM bands WHERE key IN ({marks}))",
            list(keys),
        ).fetchall()
        return [_record(row) for row in rows]

    def _put(self, conn: sqlite3.Connection, records: Sequence[Record]) -> None:
        latest = {r.id: r for r in records}  # the last record of an id wins, as in a dict
        self._drop(conn, list(latest))
        start = conn.execute("SELECT coalesce(max(n), 0) + 1 FROM docs").fetchone()[0]
        numbered = list(enumerate(latest.values(), start))
        conn.executemany(
            "INSERT INTO docs (n, id, keys, signature, shingles, length, meta, text) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    n,
                    r.id,
                    keys_bytes(r.keys),
                    u32_bytes(r.signature),
                    u32_bytes(r.shingles),
                    r.length,
                    encode_meta(r.meta),
                    r.text,
                )
                for n, r in numbered
            ],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO bands (key, doc) VALUES (?, ?)",
            sorted((key, n) for n, r in numbered for key in r.keys),  # in B-tree order: cheaper
        )
        conn.execute(
            "UPDATE config SET value = value + ? WHERE key = 'documents'", (len(numbered),)
        )

    def _drop(self, conn: sqlite3.Connection, ids: Sequence[str]) -> int:
        found: list[tuple[int, bytes]] = []
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            found += conn.execute(
                f"SELECT n, keys FROM docs WHERE id IN ({marks})", chunk
            ).fetchall()
        if not found:
            return 0
        conn.executemany(
            "DELETE FROM bands WHERE key = ? AND doc = ?",
            [(key, n) for n, keys in found for key in from_keys(keys)],
        )
        conn.executemany("DELETE FROM docs WHERE n = ?", [(n,) for n, _ in found])
        conn.execute("UPDATE config SET value = value - ? WHERE key = 'documents'", (len(found),))
        return len(found)


def _record(row: tuple[Any, ...]) -> Record:
    doc_id, keys, signature, shingles, length, meta, *text = row
    return Record(
        id=doc_id,
        keys=from_keys(keys),
        signature=from_u32(signature),
        shingles=from_u32(shingles),
        length=length,
        meta=decode_meta(meta),
        text=text[0] if text else None,
    )
