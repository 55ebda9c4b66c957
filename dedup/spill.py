"""On-disk stores that keep a run's memory independent of the size of the texts.

:class:`DocumentStore` keeps every document read (text, meta, source) in one file and only its
offset in memory, so documents can be read again by number: cluster members for alignment, the
kept ones for ``deduplicated.jsonl``. :class:`HashStore` keeps each document's shingle hashes
(written by the signing workers, one file each) for the exact verification of candidate pairs.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     store = DocumentStore(Path(tmp) / "docs.bin")
...     store.append(Document("a", "一二三", {"k": 1}, "f.jsonl:1"))
...     store[0].text, store[0].meta
0
('一二三', {'k': 1})
"""

from __future__ import annotations

import array
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit

from .document import Document

__all__ = ["DocumentStore", "HashStore", "append_sets"]

_CHUNK = 1 << 20  # bytes buffered before a write


class DocumentStore:
    """Documents appended to one file; read back one at a time or in order.

    Memory: 28 bytes per document (offset and three lengths) plus the id, which callers keep.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._out = open(path, "wb")  # noqa: SIM115 (closed in close())
        self._offsets = array.array("q")
        self._sizes = array.array("i")  # text, meta, source byte lengths, interleaved
        self._pos = 0
        self._buffer: list[bytes] = []
        self._buffered = 0
        self._in: Any = None

    def __len__(self) -> int:
        return len(self._offsets)

    def append(self, doc: Document) -> int:
        """Store ``doc``; return its number."""
        text = doc.text.encode("utf-8", "surrogatepass")
        meta = (
            json.dumps(doc.meta, ensure_ascii=False, default=str).encode("utf-8", "surrogatepass")
            if doc.meta
            else b""
        )
        source = doc.source.encode("utf-8", "surrogatepass")
        self._offsets.append(self._pos)
        self._sizes.extend((len(text), len(meta), len(source)))
        for part in (text, meta, source):
            self._buffer.append(part)
        size = len(text) + len(meta) + len(source)
        self._pos += size
        self._buffered += size
        if self._buffered >= _CHUNK:
            self.flush()
        return len(self._offsets) - 1

    def flush(self) -> None:
        """Write what is buffered."""
        if self._buffer:
            self._out.write(b"".join(self._buffer))
            self._buffer = []
            self._buffered = 0
            self._out.flush()

    def _reader(self) -> Any:
        self.flush()
        if self._in is None:
            self._in = open(self.path, "rb")  # noqa: SIM115 (closed in close())
        return self._in

    def read(self, number: int, doc_id: str) -> Document:
        """Document ``number`` (its id is kept by the caller)."""
        reader = self._reader()
        start = self._offsets[number]
        t, m, s = self._sizes[3 * number : 3 * number + 3]
        data = os.pread(reader.fileno(), t + m + s, start)
        return _decode(doc_id, data, t, m, s)

    def __getitem__(self, number: int) -> Document:
        return self.read(number, "")

    def iterate(self, ids: Iterable[str]) -> Iterator[Document]:
        """Every document in order, read sequentially; ``ids`` gives their ids in order."""
        self.flush()
        with open(self.path, "rb") as handle:
            for number, doc_id in enumerate(ids):
                t, m, s = self._sizes[3 * number : 3 * number + 3]
                yield _decode(doc_id, handle.read(t + m + s), t, m, s)

    def close(self) -> None:
        """Close the files (the file itself is left to its owner)."""
        self.flush()
        self._out.close()
        if self._in is not None:
            self._in.close()
            self._in = None


def _decode(doc_id: str, data: bytes, t: int, m: int, s: int) -> Document:
    text = data[:t].decode("utf-8", "surrogatepass")
    meta = json.loads(data[t : t + m]) if m else {}
    source = data[t + m : t + m + s].decode("utf-8", "surrogatepass")
    return Document(doc_id, text, meta, source)


class HashStore:
    """Where each document's shingle hashes are: file number, offset, count.

    The signing workers write the sets (:func:`append_sets`); this keeps 16 bytes per
    document in memory and reads a document's set back on demand.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._files: list[str] = []
        self._file_of = array.array("i")
        self._offset = array.array("q")
        self._count = array.array("i")
        self._handles: dict[int, Any] = {}

    def add(self, path: str, offset: int, counts: npt.NDArray[np.int64]) -> None:
        """Record a batch of documents whose hashes lie one after another from ``offset``."""
        if path not in self._files:
            self._files.append(path)
        index = self._files.index(path)
        starts = offset + 4 * np.concatenate([[0], np.cumsum(counts)[:-1]])
        self._file_of.extend([index] * len(counts))
        self._offset.extend(starts.tolist())
        self._count.extend(counts.tolist())

    def __len__(self) -> int:
        return len(self._count)

    def count(self, number: int) -> int:
        """How many hashes document ``number``'s set has."""
        return self._count[number]

    def hashes(self, number: int) -> npt.NDArray[np.uint32]:
        """The sorted unique shingle hashes of document ``number``."""
        index = self._file_of[number]
        handle = self._handles.get(index)
        if handle is None:
            handle = self._handles[index] = open(self._files[index], "rb")  # noqa: SIM115
        data = os.pread(handle.fileno(), 4 * self._count[number], self._offset[number])
        return np.frombuffer(data, dtype="<u4").astype(np.uint32)

    def close(self) -> None:
        for handle in self._handles.values():
            handle.close()
        self._handles.clear()


def append_sets(
    path: str, hashes: npt.NDArray[np.uint32], counts: npt.NDArray[np.int64]
) -> tuple[int, npt.NDArray[np.int64]]:
    """Append the shingle set of each document (``counts[i]`` hashes of ``hashes`` each, in
    order) to the file at ``path``, sorted and without repeats; return the offset they start
    at and the size of each set."""
    hashes = np.ascontiguousarray(hashes, dtype=np.uint32)
    ends = np.cumsum(counts)
    # numpy's sort (vectorized) is several times faster than numba's on these sizes
    bounds = zip((ends - counts).tolist(), ends.tolist(), strict=True)
    ordered = [np.sort(hashes[a:b]) for a, b in bounds]
    flat = np.concatenate(ordered) if ordered else hashes[:0]
    sets, sizes = _drop_repeats(flat, np.asarray(counts, dtype=np.int64))
    with open(path, "ab") as handle:
        offset = handle.tell()
        handle.write(sets.astype("<u4", copy=False).tobytes())
    return offset, sizes


@njit(cache=True)
def _drop_repeats(
    ordered: npt.NDArray[np.uint32], counts: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
    """Each sorted run of ``counts[d]`` values without its repeats, and the new sizes."""
    out = np.empty(len(ordered), dtype=np.uint32)
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
