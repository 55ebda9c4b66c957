"""On-disk stores that keep a run's memory independent of the size of the texts.

:class:`DocumentStore` knows where every document read (text, meta, source) was written, by
:func:`append_documents` in the process that signed it, and keeps only that in memory, so
documents can be read again by number: cluster members for alignment, the kept ones for
``deduplicated.jsonl``. :class:`HashStore` does the same for each document's shingle set (its
sorted unique 64-bit shingle hashes, written by :func:`append_sets`), for the exact
verification of candidate pairs.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = os.path.join(tmp, "docs.bin")
...     offsets, sizes = append_documents(path, [Document("a", "一二三", {"k": 1}, "f.jsonl:1")])
...     store = DocumentStore()
...     store.add(path, offsets, sizes)
...     doc = store.read(0, "a")
...     store.close()
>>> doc.text, doc.meta
('一二三', {'k': 1})
"""

from __future__ import annotations

import array
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit

from .document import Document

__all__ = [
    "DocumentStore",
    "HashStore",
    "append_documents",
    "append_sets",
    "read_document",
]


def append_documents(
    path: str, docs: Sequence[Document]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]]:
    """Append ``docs`` (text, meta, source) to the file at ``path``; return where each starts
    and the ``(n, 3)`` byte lengths of its text, meta and source."""
    parts: list[bytes] = []
    sizes = np.zeros((len(docs), 3), dtype=np.int32)
    for row, doc in enumerate(docs):
        text = doc.text.encode("utf-8", "surrogatepass")
        meta = (
            json.dumps(doc.meta, ensure_ascii=False, default=str).encode("utf-8", "surrogatepass")
            if doc.meta
            else b""
        )
        source = doc.source.encode("utf-8", "surrogatepass")
        parts += (text, meta, source)
        sizes[row] = len(text), len(meta), len(source)
    with open(path, "ab") as handle:
        start = handle.tell()
        handle.write(b"".join(parts))
    offsets = np.zeros(len(docs), dtype=np.int64)
    if len(docs):
        np.cumsum(sizes.sum(axis=1, dtype=np.int64)[:-1], out=offsets[1:])
    return offsets + start, sizes


class _Files:
    """Open files by number, for reading at offsets."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self._number: dict[str, int] = {}
        self._handles: dict[int, Any] = {}

    def number(self, path: str) -> int:
        found = self._number.get(path)
        if found is None:
            found = self._number[path] = len(self.paths)
            self.paths.append(path)
        return found

    def pread(self, number: int, size: int, offset: int) -> bytes:
        handle = self._handles.get(number)
        if handle is None:
            handle = self._handles[number] = open(self.paths[number], "rb")  # noqa: SIM115
        return os.pread(handle.fileno(), size, offset)

    def words(self, number: int) -> npt.NDArray[np.uint64]:
        """File ``number`` as 64-bit words, through a memory map (unmapped once the caller
        lets go of it: mapped pages that stay would count as this process's memory)."""
        size = os.path.getsize(self.paths[number]) // 8
        if not size:
            return np.zeros(0, dtype=np.uint64)
        mapped = np.memmap(self.paths[number], dtype="<u8", mode="r", shape=(size,))
        return mapped.view(np.ndarray).astype(np.uint64, copy=False)  # a view on little-endian

    def close(self) -> None:
        for handle in self._handles.values():
            handle.close()
        self._handles.clear()


class DocumentStore:
    """Where each document is stored (by :func:`append_documents`); read back by number.

    Memory: 24 bytes per document (file, offset and three lengths) plus the id, which
    callers keep.
    """

    def __init__(self) -> None:
        self._files = _Files()
        self._file_of = array.array("i")
        self._offsets = array.array("q")
        self._sizes = array.array("i")  # text, meta, source byte lengths, interleaved

    def __len__(self) -> int:
        return len(self._offsets)

    def add(self, path: str, offsets: npt.NDArray[np.int64], sizes: npt.NDArray[np.int32]) -> None:
        """Record documents stored in ``path`` at ``offsets`` with ``(n, 3)`` ``sizes``."""
        self._file_of.extend([self._files.number(path)] * len(offsets))
        self._offsets.extend(offsets.tolist())
        self._sizes.extend(sizes.ravel().tolist())

    def read(self, number: int, doc_id: str) -> Document:
        """Document ``number`` (its id is kept by the caller)."""
        t, m, s = self._sizes[3 * number : 3 * number + 3]
        data = self._files.pread(self._file_of[number], t + m + s, self._offsets[number])
        return _decode(doc_id, data, t, m, s)

    def iterate(self, ids: Iterable[str]) -> Iterator[Document]:
        """Every document in order; ``ids`` gives their ids in order."""
        for number, doc_id in enumerate(ids):
            yield self.read(number, doc_id)

    def close(self) -> None:
        """Close the files (the files themselves are left to their owner)."""
        self._files.close()


def read_document(path: str, offset: int, sizes: Sequence[int], doc_id: str) -> Document:
    """The document :func:`append_documents` wrote at ``offset`` in ``path`` with ``sizes``."""
    t, m, s = (int(size) for size in sizes)
    with open(path, "rb") as handle:
        return _decode(doc_id, os.pread(handle.fileno(), t + m + s, offset), t, m, s)


def _decode(doc_id: str, data: bytes, t: int, m: int, s: int) -> Document:
    text = data[:t].decode("utf-8", "surrogatepass")
    meta = json.loads(data[t : t + m]) if m else {}
    source = data[t + m : t + m + s].decode("utf-8", "surrogatepass")
    return Document(doc_id, text, meta, source)


class HashStore:
    """Where each document's shingle set (sorted unique 64-bit hashes) is: file, offset, count.

    The signing processes write the sets (:func:`append_sets`); this keeps 16 bytes per
    document in memory and maps a file's sets for reading (:meth:`locate`, :meth:`words`).
    """

    def __init__(self) -> None:
        self._files = _Files()
        self._file_of = array.array("i")
        self._offset = array.array("q")
        self._count = array.array("i")

    def add(self, path: str, offsets: npt.NDArray[np.int64], counts: npt.NDArray[np.int64]) -> None:
        """Record documents whose ``counts[i]`` hashes lie at ``offsets[i]`` in ``path``."""
        self._file_of.extend([self._files.number(path)] * len(counts))
        self._offset.extend(offsets.tolist())
        self._count.extend(counts.tolist())

    def __len__(self) -> int:
        return len(self._count)

    def counts(self, docs: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """How many hashes each of ``docs`` has."""
        return np.frombuffer(self._count, dtype=np.int32)[docs].astype(np.int64)

    def locate(
        self, docs: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """``(file, first word, count)`` of each of ``docs``' set (see :meth:`words`)."""
        docs = np.asarray(docs, dtype=np.int64)
        file_of = np.frombuffer(self._file_of, dtype=np.int32)[docs].astype(np.int64)
        start = np.frombuffer(self._offset, dtype=np.int64)[docs] // 8
        return file_of, start, self.counts(docs)

    def words(self, file: int) -> npt.NDArray[np.uint64]:
        """The hashes file ``file`` as 64-bit words, through a memory map (unmapped once the
        caller lets go of it: mapped pages that stay would count as this process's memory)."""
        return self._files.words(file)

    def close(self) -> None:
        self._files.close()


def append_sets(
    path: str, hashes: npt.NDArray[np.uint64], counts: npt.NDArray[np.int64]
) -> tuple[int, npt.NDArray[np.int64]]:
    """Append the shingle set of each document (``counts[i]`` 64-bit hashes of ``hashes``
    each, in order) to the file at ``path``, sorted and without repeats; return the offset
    they start at and the size of each set. ``hashes`` is sorted in place, document by
    document."""
    flat = np.ascontiguousarray(hashes, dtype=np.uint64)
    ends = np.cumsum(counts)
    # numpy's sort (vectorized) is several times faster than numba's on these sizes
    for a, b in zip((ends - counts).tolist(), ends.tolist(), strict=True):
        flat[a:b].sort()
    sets, sizes = _drop_repeats(flat, np.asarray(counts, dtype=np.int64))
    with open(path, "ab") as handle:
        offset = handle.tell()
        sets.astype("<u8", copy=False).tofile(handle)
    return offset, sizes


@njit(cache=True)
def _drop_repeats(
    ordered: npt.NDArray[np.uint64], counts: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """Each sorted run of ``counts[d]`` values without its repeats, and the new sizes."""
    out = np.empty(len(ordered), dtype=ordered.dtype)
    sizes = np.zeros(len(counts), dtype=np.int64)
    start = 0
    p = 0
    for d in range(len(counts)):
        for i in range(start, start + counts[d]):
            if i == start or ordered[i] != ordered[i - 1]:
                out[p] = ordered[i]
                p += 1
                sizes[d] += 1
        start += counts[d]
    return out[:p], sizes
