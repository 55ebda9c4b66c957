"""``memory:``: an index that lives in this process only, for tests and short jobs.

Each :func:`dedup.index.Index.open` of ``memory:`` gives a new, empty index.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from .store import Decide, Record, Store

__all__ = ["MemoryStore"]


class MemoryStore(Store):
    """Records in a dict, band keys in a dict of sets, one lock around every operation."""

    backend = "memory"

    def __init__(self) -> None:
        self.target = "memory:"
        self._lock = threading.RLock()
        self._config: dict[str, Any] | None = None
        self._records: dict[str, Record] = {}
        self._bands: dict[int, set[str]] = {}

    def load_config(self) -> dict[str, Any] | None:
        with self._lock:
            return None if self._config is None else dict(self._config)

    def init_config(self, config: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            if self._config is None:
                self._config = dict(config)
            return dict(self._config)

    def put(self, records: Sequence[Record]) -> None:
        with self._lock:
            for record in records:
                self._drop(record.id)
                self._records[record.id] = record
                for key in record.keys:
                    self._bands.setdefault(key, set()).add(record.id)

    def check_and_put(self, record: Record, decide: Decide) -> bool:
        with self._lock:
            if not decide(self.candidates(record.keys, with_text=True)):
                return False
            self.put([record])
            return True

    def candidates(self, keys: Sequence[int], with_text: bool = False) -> list[Record]:
        with self._lock:
            ids: set[str] = set()
            for key in keys:
                ids |= self._bands.get(key, set())
            found = [self._records[i] for i in ids]
        return found if with_text else [replace(r, text=None) for r in found]

    def get(self, doc_id: str) -> Record | None:
        with self._lock:
            return self._records.get(doc_id)

    def remove(self, ids: Sequence[str]) -> int:
        with self._lock:
            return sum(self._drop(i) for i in ids)

    def count(self) -> int:
        with self._lock:
            return len(self._records)

    def verify(self) -> list[str]:
        with self._lock:
            problems = []
            for record in self._records.values():
                for key in record.keys:
                    if record.id not in self._bands.get(key, ()):
                        problems.append(f"document {record.id!r} is missing band key {key}")
            for key, ids in self._bands.items():
                for doc_id in ids - self._records.keys():
                    problems.append(f"band key {key} points to missing document {doc_id!r}")
            return sorted(problems)

    def close(self) -> None:
        pass

    def _drop(self, doc_id: str) -> bool:
        old = self._records.pop(doc_id, None)
        if old is None:
            return False
        for key in old.keys:
            members = self._bands.get(key)
            if members is not None:
                members.discard(doc_id)
                if not members:
                    del self._bands[key]
        return True
