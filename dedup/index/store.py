"""What a persistent index stores, and the small interface every storage backend implements.

A :class:`Store` keeps :class:`Record` objects by id and, for each record, its LSH band keys, so
that the records sharing a band with a query can be fetched. It knows nothing of text, shingling
or similarity: :class:`dedup.index.Index` decides, the store only keeps things and keeps them
consistent. Every write is atomic: a record is stored with all its band keys or not at all.

Backends: :mod:`.memory` (``memory:``), :mod:`.sqlite` (a file path) and :mod:`.redis`
(``redis://`` URLs).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InputError, StoreError

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "Decide",
    "IndexNotFound",
    "Record",
    "Store",
    "decode_meta",
    "encode_meta",
    "from_keys",
    "from_u32",
    "keys_bytes",
    "u32_bytes",
]

FORMAT = "dedup-index"
"""Written into every index so that a foreign file or database is recognised as such."""
FORMAT_VERSION = 2
"""The index format this dedup writes, and the newest it reads. Version 2 stores each
document's exact shingle set as 64-bit hashes (:mod:`dedup.exact`), in pairs of little-endian
32-bit words; version 1 stored the 32-bit hashes MinHash signs, which distinct documents can
share (still read and written in its own format, with a warning to rebuild)."""


class IndexNotFound(StoreError):
    """There is no index at the target and the caller asked not to create one."""


@dataclass(frozen=True, slots=True)
class Record:
    """One indexed document as stored.

    ``keys`` are its LSH band keys (signed 64-bit), ``signature`` its MinHash values, ``shingles``
    its sorted unique shingle hashes (for exact verification), ``length`` its normalized length.
    ``text`` is the original text when the index keeps texts, else ``None``.
    """

    id: str
    keys: tuple[int, ...]
    signature: np.ndarray
    shingles: np.ndarray
    length: int
    meta: dict[str, Any] | None = None
    text: str | None = None


Decide = Callable[[Sequence[Record]], bool]
"""Given the stored records that share a band with a new record, say whether to store it."""


class Store(ABC):
    """Storage for index records. Every method is safe to call from several threads."""

    backend: str
    """Short backend name: ``memory``, ``sqlite`` or ``redis``."""
    target: str
    """Where the store lives, safe to show (passwords masked)."""

    @abstractmethod
    def load_config(self) -> dict[str, Any] | None:
        """The stored index configuration, or ``None`` when the store holds no index yet."""

    @abstractmethod
    def init_config(self, config: dict[str, Any]) -> dict[str, Any]:
        """Store ``config`` unless one is there already (atomically); return the stored one."""

    @abstractmethod
    def put(self, records: Sequence[Record]) -> None:
        """Store ``records`` in one atomic step, replacing any record with the same id."""

    @abstractmethod
    def check_and_put(self, record: Record, decide: Decide) -> bool:
        """Atomically: fetch the records sharing a band key with ``record`` (texts included when
        kept), call ``decide`` on them, and store ``record`` if it returns true.

        No other writer can store a record sharing a band key in between, so two callers with
        the same new document cannot both store it. Returns whether ``record`` was stored.
        ``decide`` may be called more than once (a backend may retry after a conflict).
        """

    @abstractmethod
    def candidates(self, keys: Sequence[int], with_text: bool = False) -> list[Record]:
        """The records that share at least one band key with ``keys``, in no particular order."""

    @abstractmethod
    def get(self, doc_id: str) -> Record | None:
        """The record stored under ``doc_id`` (with its text when kept), or ``None``."""

    @abstractmethod
    def remove(self, ids: Sequence[str]) -> int:
        """Remove the records with these ids in one atomic step; return how many existed."""

    @abstractmethod
    def count(self) -> int:
        """How many records are stored."""

    @abstractmethod
    def verify(self) -> list[str]:
        """Check that every record's band keys point back to it and no band key points to a
        missing record. Returns the problems found (empty when consistent). Reads everything."""

    def info(self) -> dict[str, Any]:
        """Backend-specific figures for ``stats()`` (file size, memory use...)."""
        return {}

    @abstractmethod
    def close(self) -> None:
        """Release connections and files. Closing twice is harmless."""


def u32_bytes(values: np.ndarray) -> bytes:
    """Little-endian bytes of a uint32 array (signatures and shingle sets)."""
    return np.ascontiguousarray(values, dtype="<u4").tobytes()


def from_u32(data: bytes) -> np.ndarray:
    """The uint32 array back from :func:`u32_bytes`."""
    return np.frombuffer(data, dtype="<u4").astype(np.uint32)


def keys_bytes(keys: Sequence[int]) -> bytes:
    """Little-endian bytes of the band keys (signed 64-bit)."""
    return np.asarray(keys, dtype="<i8").tobytes()


def from_keys(data: bytes) -> tuple[int, ...]:
    """The band keys back from :func:`keys_bytes`."""
    return tuple(int(k) for k in np.frombuffer(data, dtype="<i8"))


def encode_meta(meta: dict[str, Any] | None) -> str | None:
    """Meta as compact, key-sorted JSON (``None`` stays ``None``)."""
    if meta is None:
        return None
    try:
        return json.dumps(meta, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"meta must be JSON-serialisable (plain dicts, lists, str, numbers): {exc}"
        ) from exc


def decode_meta(data: str | bytes | None) -> dict[str, Any] | None:
    """Meta back from :func:`encode_meta`."""
    if data is None:
        return None
    value: dict[str, Any] = json.loads(data)
    return value
