"""The embedded default: an index in one SQLite file, nothing to start.

The file runs in WAL mode, so readers never wait for the writer and several threads and
processes can share it. Every write is one ``BEGIN IMMEDIATE`` transaction: a batch of documents
is stored with all its band rows or not at all, also when the process is killed half-way, and
``check_and_put`` holds the write lock from its look-up to its insert.

Tables: ``config`` (the index configuration and the document count), ``docs`` (one row per
document) and ``bands`` (``(key, doc)``, a covering primary key, so a look-up is one B-tree
search per band).

An index that cannot be written (a read-only file system, a file or folder without write
permission) opens read-only when asked not to create one, and says why at the first write;
asked to create (adding), it says so at once.
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
from urllib.parse import quote

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
    """An index in the SQLite file at ``path``; one connection per thread (and per process).

    With ``create=False``, an index that cannot be written is opened read-only: reads work,
    writes raise a :class:`StoreError` saying why, and ``read_only`` holds the reason (else it
    is ``None``). With ``create=True`` such an index is a :class:`StoreError` at once.
    """

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
        if not fresh and not os.access(self.path, os.R_OK):
            raise StoreError(f"cannot read the index {self.path}: no permission to read the file")
        self.read_only: str | None = _unwritable(self.path)
        if self.read_only is not None and create:
            verb, still = ("create", "") if fresh else ("write", " (it can still be queried)")
            raise StoreError(f"cannot {verb} the index {self.path}: {self.read_only}{still}")
        with self._guard():
            tables = self._check_ours()
            if self.read_only is None:
                self._create_schema()
            elif "config" not in tables:
                raise IndexNotFound(f"no index at {self.path}; add documents to create one")

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
                self.path if self.read_only is None else self._read_only_uri(),
                timeout=self.timeout,
                isolation_level=None,
                check_same_thread=False,
                uri=self.read_only is not None,
            )
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA cache_size = -131072")
            conn.execute("PRAGMA temp_store = MEMORY")
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def _read_only_uri(self) -> str:
        """``mode=ro``; also ``immutable=1`` (no locks, no -shm file) when the folder cannot be
        written and no write-ahead log holds changes that the file does not have yet."""
        uri = f"file:{quote(str(self.path.absolute()))}?mode=ro"
        if not self._wal_pending() and not os.access(self.path.parent, os.W_OK | os.X_OK):
            uri += "&immutable=1"
        return uri

    def _wal_pending(self) -> bool:
        wal = Path(f"{self.path}-wal")
        return wal.exists() and wal.stat().st_size > 0

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
            elif "readonly" in message:
                hint = "the file or its folder cannot be written"
            else:
                hint = "check the file and its folder are readable and writable"
            raise StoreError(f"SQLite index {self.path}: {message} ({hint})") from exc

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction holding the database's write lock from its first statement."""
        if self.read_only is not None:
            raise StoreError(f"cannot write the index {self.path}: {self.read_only}")
        with self._guard():
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _check_ours(self) -> set[str]:
        """The tables of the file, once it is known to be an index (or empty)."""
        try:
            conn = self._conn()
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
        except sqlite3.OperationalError as exc:
            if "unable to open" not in str(exc):
                raise  # to _guard, which names the problem (locked, read-only...)
            if self.read_only is not None and self._wal_pending():
                raise StoreError(
                    f"cannot read the index {self.path}: {self.read_only}, and its write-ahead "
                    f"log {self.path}-wal holds changes that SQLite reads there only with its "
                    f"{self.path}-shm file, which is missing; copy the index with its -wal file "
                    "somewhere writable (or open it once where it can be written)"
                ) from exc
            raise StoreError(
                f"cannot open the index {self.path} ({exc}); check that the file and its "
                "folder can be read" + ("" if self.read_only else " and written")
            ) from exc
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{self.path} is not a dedup index ({exc}); give a new path to create an index"
            ) from exc
        if app_id == APPLICATION_ID or (app_id == 0 and not tables):
            return tables
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
        figures: dict[str, Any] = {"file_bytes": sum(sizes), "journal_mode": mode}
        if self.read_only is not None:
            figures["read_only"] = self.read_only
        return figures

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


def _unwritable(path: Path) -> str | None:
    """Why the index at ``path`` cannot be written, or ``None`` when it can.

    SQLite writes the file and, beside it, its write-ahead log and shared-memory files, so the
    folder must be writable too. ``os.access`` asks without opening the file: closing a file
    descriptor would drop the locks that SQLite connections of this process hold on it.
    """
    folder = path.parent
    for where, access, what in (
        (path, os.W_OK, "the file"),
        (folder, os.W_OK | os.X_OK, f"its folder {folder}"),
    ):
        if where.exists() and not os.access(where, access):
            try:
                read_only_fs = bool(os.statvfs(where).f_flag & os.ST_RDONLY)
            except OSError:
                read_only_fs = False
            return "read-only file system" if read_only_fs else f"no permission to write {what}"
    return None


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
